from urllib.parse import urlencode

from django import template

from core.pagination import CursorPage, NumberedPaginator

register = template.Library()


@register.inclusion_tag("includes/page_links.html", takes_context=True)
def page_links(context) -> dict:
    """Links to the previous and next page of a list: numbered pages (?page=N) or, past the
    catalogue's last numbered page, pages that follow or precede a notice (?after=, ?before=).

    Keeps the list's other parameters (``query_without_page`` in the context).
    """
    page = context["page_obj"]
    query = context.get("query_without_page", "")

    def link(**parameters) -> str:
        return "?" + "&".join(part for part in (query, urlencode(parameters)) if part)

    if isinstance(page, CursorPage):
        return {
            "first": "?" + query,
            "previous": link(before=page.previous_cursor) if page.previous_cursor else None,
            "next": link(after=page.next_cursor) if page.next_cursor else None,
        }
    paginator = page.paginator
    links = {
        "previous": link(page=page.previous_page_number()) if page.has_previous() else None,
        "next": link(page=page.next_page_number()) if page.has_next() else None,
        "label": f"第 {page.number} 页 / 共 {paginator.num_pages} 页",
    }
    if isinstance(paginator, NumberedPaginator) and paginator.capped:
        links["label"] = f"第 {page.number} 页 / 共 {paginator.num_pages}+ 页"
        if not page.has_next() and len(page):
            links["next"] = link(after=page[-1].pk)
    return links
