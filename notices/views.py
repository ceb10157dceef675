from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db import connections, router
from django.db.models import JSONField, Q
from django.db.models.expressions import RawSQL
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.functional import SimpleLazyObject
from django.views import View
from django.views.generic import ListView, TemplateView

from core import page_cache, pagination
from core.middleware import PORTAL_POLICY
from notices import access, counters, interpretations, prepared, related, shared_lists
from notices.forms import FILTER_NAMES, PUBLISHED, SIGNED, NoticeFilterForm, filtered, ordered
from notices.listed import ListedNotice
from notices.models import Attachment, Notice, Organ, genre_labels
from notices.models.notice import UNSIGNED

PAGE_SIZE = 20
HOME_LATEST = 12


def listed(notices) -> list[ListedNotice]:
    return [ListedNotice.of(notice) for notice in notices]


def catalogue(published, filters: dict, order: str = PUBLISHED, at=None):
    """The catalogue's notices: ``published`` ones meeting the filters (as at ``at``), in
    ``order`` (newest published first, or newest signed first: NoticeFilterForm.order)."""
    return ordered(filtered(published.for_lists(), at=at, **filters), order)


# The catalogue's pages (and the home page's latest notices) as SQL written out and prepared
# on PostgreSQL (notices/prepared.py); each with the ORM's queryset of the same rows.
CATALOGUE_FIRST_PAGE = prepared.SQLQuery(
    sql=prepared.catalogue_first_sql,
    read=prepared.listed,
    shape=prepared.filter_shape,
    orm=lambda size, at, order=PUBLISHED, **filters: listed(
        catalogue(Notice.objects.published(at), filters, order, at)[:size]
    ),
)
# A later numbered page: the ids of its notices found first, walking only the index over those
# before it, then their rows.
CATALOGUE_LATER_PAGE = prepared.SQLQuery(
    sql=prepared.catalogue_later_sql,
    read=prepared.listed,
    shape=prepared.filter_shape,
    orm=lambda size, at, offset, order=PUBLISHED, **filters: listed(
        ordered(
            Notice.objects.for_lists().filter(
                pk__in=catalogue(Notice.objects.published(at), filters, order, at).values("pk")[
                    offset : offset + size
                ]
            ),
            order,
        )
    ),
)


def _after(size, at, moment, same_moment, pk, order=PUBLISHED, signed=None, **filters):
    notices = catalogue(Notice.objects.published(at), filters, order, at)
    if order == SIGNED:
        return notices.filter(
            Q(signed_key__lt=signed)
            | Q(signed_key=signed, published_at__lt=moment)
            | Q(signed_key=signed, published_at=same_moment, pk__lt=pk)
        )[:size]
    return notices.filter(published_at__lte=moment).exclude(published_at=same_moment, pk__gte=pk)[
        :size
    ]


def _before(size, at, moment, same_moment, pk, order=PUBLISHED, signed=None, **filters):
    notices = catalogue(Notice.objects.published(at), filters, order, at)
    if order == SIGNED:
        notices = notices.filter(
            Q(signed_key__gt=signed)
            | Q(signed_key=signed, published_at__gt=moment)
            | Q(signed_key=signed, published_at=same_moment, pk__gt=pk)
        )
    else:
        notices = notices.filter(published_at__gte=moment).exclude(
            published_at=same_moment, pk__lte=pk
        )
    return notices.reverse()[:size]


# A page named by the notice it follows or precedes (core/pagination.py), the same way. The
# notice's moment is given twice: as a bound, which lets the index scan start right at it, and
# with its id, to place it among notices published at the same moment.
CATALOGUE_AFTER = prepared.SQLQuery(
    sql=prepared.catalogue_after_sql,
    read=prepared.listed,
    shape=prepared.filter_shape,
    orm=lambda **values: listed(_after(**values)),
)
CATALOGUE_BEFORE = prepared.SQLQuery(
    sql=prepared.catalogue_before_sql,
    read=prepared.listed,
    shape=prepared.filter_shape,
    orm=lambda **values: listed(_before(**values)),
)


def catalogue_around(query: prepared.SQLQuery, filters: dict, order: str = PUBLISHED):
    """``rows(position, count)`` of the catalogue after or before a position (a notice), in
    ``order``, for pagination."""

    def rows(position: Notice, count: int) -> list[ListedNotice]:
        moment = position.published_at
        by_order = (
            {"order": order, "signed": position.signed_on or UNSIGNED} if order == SIGNED else {}
        )
        return query.all(
            size=count,
            at=timezone.now(),
            moment=moment,
            same_moment=moment,
            pk=position.pk,
            **by_order,
            **filters,
        )

    return rows


def catalogue_page(offset: int, filters: dict, order: str = PUBLISHED) -> list[ListedNotice]:
    """The PAGE_SIZE notices of the catalogue after the first ``offset`` of them."""
    by_order = {"order": order} if order == SIGNED else {}
    if offset == 0:
        return CATALOGUE_FIRST_PAGE.all(size=PAGE_SIZE, at=timezone.now(), **by_order, **filters)
    return CATALOGUE_LATER_PAGE.all(
        size=PAGE_SIZE, at=timezone.now(), offset=offset, **by_order, **filters
    )


FILTERS = FILTER_NAMES


def count_name(chosen: dict) -> str:
    """The name the count of a list's notices is kept under: one per filter combination, the
    filters in the form's order (so the raw query names the same as the valid form's values)."""
    return "catalogue-count:" + "&".join(
        f"{name}={chosen[name]}" for name in FILTERS if chosen.get(name) not in (None, "")
    )


class HomeView(TemplateView):
    template_name = "notices/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest"] = CATALOGUE_FIRST_PAGE.all(size=HOME_LATEST, at=timezone.now())
        context["topics"] = shared_lists.topic_outline()
        context["genres"] = list(genre_labels().items())
        context["organs"] = shared_lists.publishing_organs()
        return context


# The notice a cursor names, as SQL written out and prepared on PostgreSQL: any notice with a
# public page will do, so that a link keeps working after that notice is withdrawn.
CURSOR_NOTICE = prepared.Lookup(
    prepared.SQLQuery(
        sql=prepared.cursor_sql,
        read=prepared.moment_of,
        orm=lambda at, pk: (
            Notice.objects.public_pages(at).filter(pk=pk).only("published_at", "signed_on")
        ),
    )
)


def cursor_position(cursor: int) -> Notice | None:
    """The notice a cursor names (its id, publication moment and 成文日期), or None."""
    return CURSOR_NOTICE.get(cursor)


class NoticeListView(View):
    """The catalogue: published notices, filtered by whatever the URL says.

    A plain view rather than a ListView: its rows come from prepared queries and its pages from
    core/pagination.py, numbered as far as the capped count reaches; past that a page is named
    by the notice it follows or precedes.
    """

    template_name = "notices/notice_list.html"

    def get(self, request, *args, **kwargs):
        # The count kept for these filters comes with the form's kept lists, if they are valid
        # (what no valid filter looks like is not worth a cache key).
        raw = {name: request.GET.get(name) for name in FILTERS}
        if all(value is None or (value.isascii() and value.isalnum()) for value in raw.values()):
            page_cache.read_ahead(count_name(raw))
        self.form = NoticeFilterForm(request.GET or None)
        if request.GET and not self.form.is_valid():
            return self.error_page("筛选条件无效", self.form_errors(), status=400)
        filters = self.form.query_values() if self.form.is_bound else {}
        order = self.form.order()
        # Built only if the page needs it: a numbered page's rows come from a prepared query and
        # its count is usually kept, so most requests never do.
        queryset = SimpleLazyObject(lambda: catalogue(Notice.objects.published(), filters, order))
        chosen = self.form.cleaned_data if self.form.is_bound else {}
        kept_as = count_name({name: getattr(value, "pk", value) for name, value in chosen.items()})
        paginator = pagination.NumberedPaginator(
            queryset,
            PAGE_SIZE,
            kept_as=kept_as,
            shows=("notices",),
            rows=lambda offset: catalogue_page(offset, filters, order),
        )
        try:
            page = self.cursor_page(filters, order) or paginator.page(request.GET.get("page") or 1)
        except (PageNotAnInteger, ValueError):
            return self.error_page("页码无效", ["页码必须是正整数。"], status=400)
        except (EmptyPage, ObjectDoesNotExist):
            return self.error_page(
                "没有这一页", [f"共 {paginator.num_pages} 页，请返回第 1 页重新浏览。"], status=404
            )
        context = {
            "form": self.form,
            "notices": page.object_list,
            "page_obj": page,
            "paginator": paginator,
            "active_filters": self.form.active_filters() if self.form.is_bound else [],
            "query_without_page": self.query_without_page(),
        }
        return render(request, self.template_name, context)

    def cursor_page(self, filters: dict, order: str) -> pagination.CursorPage | None:
        """The page after or before the notice named by ?after= or ?before=, if either is given.

        ValueError for a cursor that is not a notice id; ObjectDoesNotExist for one that names
        no notice with a public page."""
        for name, page_from, query in (
            ("after", pagination.page_after, CATALOGUE_AFTER),
            ("before", pagination.page_before, CATALOGUE_BEFORE),
        ):
            if name in self.request.GET:
                position = cursor_position(int(self.request.GET[name]))
                if position is None:
                    raise Notice.DoesNotExist
                return page_from(catalogue_around(query, filters, order), position, PAGE_SIZE)
        return None

    def form_errors(self) -> list[str]:
        return [
            f"{self.form.fields[name].label if name in self.form.fields else ''}：{message}"
            for name, messages in self.form.errors.items()
            for message in messages
        ]

    def query_without_page(self) -> str:
        query = self.request.GET.copy()
        for name in pagination.PAGE_PARAMETERS:
            query.pop(name, None)
        return query.urlencode()

    def error_page(self, title: str, messages: list[str], status: int):
        return render(
            self.request,
            "notices/list_error.html",
            {"title": title, "messages": messages, "form": NoticeFilterForm()},
            status=status,
        )


@dataclass(frozen=True)
class PublicCitation:
    title: str
    document_number: str
    url: str = ""


def public_citations(notice: Notice) -> list[PublicCitation]:
    """Cited documents as the public may see them.

    A cited notice with a public page (published or withdrawn) is a link. Of a cited notice the
    public cannot read (a draft, a scheduled or a withheld one) only what the editor typed into
    the citation is shown, never the notice's own title or 文号.
    """
    citations = list(notice.citations.select_related("target"))
    target_ids = [citation.target_id for citation in citations if citation.target_id]
    public_ids = set(
        Notice.objects.public_pages().filter(pk__in=target_ids).values_list("pk", flat=True)
    )
    shown = []
    for citation in citations:
        if citation.target_id in public_ids:
            shown.append(
                PublicCitation(
                    citation.display_title,
                    citation.display_number,
                    citation.target.get_absolute_url(),
                )
            )
        elif citation.title:
            shown.append(PublicCitation(citation.title, citation.document_number))
    return shown


def published_assessment(notice: Notice):
    """The published assessment whose results this notice announces, if any.

    The detail view loads it with the notice (select_related), so the link costs no query.
    """
    if not getattr(notice, "has_assessment", True):
        return None
    try:
        assessment = notice.assessment
    except ObjectDoesNotExist:
        return None
    return assessment if assessment.is_published else None


def with_parts_known(queryset):
    """Notices annotated with which of their parts exist, so that the page does not query the
    ones a notice has none of, and with the paths of their topics, so that the page needs no
    query for those either (the SQL is notices.prepared.parts_sql's: as ORM subqueries, they
    cost more than the rest of the page's main query)."""
    postgresql = connections[router.db_for_read(Notice)].vendor == "postgresql"
    parts = prepared.parts_sql(postgresql)
    paths = parts.pop("filed_topic_paths")
    return queryset.annotate(
        **{name: RawSQL(sql, []) for name, sql in parts.items()},  # noqa: S611
        filed_topic_paths=RawSQL(paths, [], JSONField()),  # noqa: S611
    )


def topic_paths_of(notice: Notice) -> list[str]:
    """The full paths of a notice's topics, in the topics' order."""
    if hasattr(notice, "filed_topic_paths"):
        return notice.filed_topic_paths
    return list(notice.topics.values_list("path", flat=True))


def render_notice(request, notice: Notice, *, preview: bool = False):
    """The public page of a notice; staff previews render exactly the same template."""
    if notice.status == Notice.Status.WITHDRAWN and not preview:
        return render(request, "notices/notice_withdrawn.html", {"notice": notice})

    response = render(request, "notices/notice_detail.html", notice_context(notice, preview))
    if preview:
        # The preview lives under /admin/, whose policy allows inline styles; it gets the
        # portal's policy so that it looks exactly as the published page will.
        response["Content-Security-Policy"] = PORTAL_POLICY
    return response


def notice_context(notice: Notice, preview: bool = False) -> dict:
    """What the notice page's template is given."""

    def has(part: str) -> bool:
        return getattr(notice, f"has_{part}", True)

    return {
        "notice": notice,
        # As |truncatechars:30 writes a title (CJK text has no combining characters to count).
        "trail_title": notice.title if len(notice.title) <= 30 else notice.title[:29] + "…",
        "preview": preview,
        # Images shown in the body are not listed again (Attachment.body_image).
        "attachments": notice.attachments.filter(body_image=False) if has("attachments") else [],
        "interpretations": (
            interpretations.public_interpretations(notice) if has("interpretations") else []
        ),
        "interpreted_document": interpretations.public_document(notice),
        "citations": public_citations(notice) if has("citations") else [],
        "topic_paths": topic_paths_of(notice),
        "change_notes": (
            notice.versions.exclude(change_note="").order_by("-number")
            if has("change_notes")
            else []
        ),
        "assessment": published_assessment(notice),
        "related": related.related_notices(notice),
    }


# The notice page's one query, as SQL written out and prepared on PostgreSQL
# (notices/prepared.py), with the ORM's queryset of the same row.
NOTICE_PAGE = prepared.Lookup(
    prepared.SQLQuery(
        sql=prepared.notice_page_sql,
        read=prepared.notice_with_parts,
        orm=lambda at, pk: with_parts_known(
            Notice.objects.public_pages(at).select_related("organ", "assessment")
        ).filter(pk=pk),
    )
)


@page_cache.cache_page_for_public(shows=("assessments",))
def notice_page(request, pk: int):
    notice = NOTICE_PAGE.get(pk)
    if notice is None:
        raise Http404("没有这条信息。")
    counted = notice.status == Notice.Status.PUBLISHED and request.method == "GET"
    if counted:
        # Shown as it is with this view counted.
        notice.view_count += counters.record_view(pk)
    response = render_notice(request, notice)
    if notice.status == Notice.Status.PUBLISHED:
        response.counts_view_of = pk  # counted again each time the page comes from the cache
    return response


def staff_may_preview(user, notice: Notice) -> bool:
    return (
        user.is_authenticated
        and user.is_staff
        and user.has_perm("notices.view_notice")
        and access.can_access_organ(user, notice.organ_id)
    )


def download_attachment(request, pk: int, attachment_pk: int):
    attachment = get_object_or_404(Attachment.objects.select_related("notice"), pk=attachment_pk)
    notice = attachment.notice
    if notice.original_id != pk:
        raise Http404("没有这个附件。")
    is_public = Notice.objects.published().filter(pk=notice.pk).exists() and notice.body_is_public
    if not is_public and not staff_may_preview(request.user, notice):
        raise Http404("没有这个附件。")
    # Public files may be kept by browsers and a CDN, but only after asking here each time (a
    # 304 while the notice is public, a 404 once it is withdrawn): a withdrawn file is never
    # served from a copy.
    cache_control = "public, no-cache" if is_public else "private, no-store"
    etag = f'"{attachment.sha256}"' if is_public and attachment.sha256 else None
    if etag is not None:
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            not_modified["Cache-Control"] = cache_control
            return not_modified
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404("附件文件不存在。") from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name or attachment.file.name.rsplit("/", 1)[-1],
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = cache_control
    if etag:
        response["ETag"] = etag
    return response


class InterpretationListView(ListView):
    """The 政策解读 column: published interpretations, each with the document it interprets."""

    template_name = "notices/interpretation_list.html"
    context_object_name = "interpretations"
    paginate_by = PAGE_SIZE
    paginator_class = pagination.CappedCountPaginator

    def get_queryset(self):
        return interpretations.column()


class OrganListView(ListView):
    template_name = "notices/organ_list.html"
    context_object_name = "organs"

    def get_queryset(self):
        return Organ.objects.publishing()


def robots_txt(request):
    sitemap = request.build_absolute_uri("/sitemap.xml")
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Disallow: {reverse('reading-mode')}",
        f"Sitemap: {sitemap}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
