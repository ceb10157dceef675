from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import F
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.generic import ListView, TemplateView

from notices import access
from notices.forms import NoticeFilterForm
from notices.models import Attachment, Notice, Organ, Topic

PAGE_SIZE = 20
HOME_LATEST = 12


class HomeView(TemplateView):
    template_name = "notices/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest"] = (
            Notice.objects.published()
            .select_related("organ")
            .order_by("-published_at")[:HOME_LATEST]
        )
        context["topics"] = Topic.objects.filter(parent__isnull=True).prefetch_related("children")
        context["genres"] = Notice.Genre.choices
        context["organs"] = Organ.objects.all()
        return context


class NoticeListView(ListView):
    """The catalogue: published notices, filtered by whatever the URL says."""

    template_name = "notices/notice_list.html"
    context_object_name = "notices"

    def get(self, request, *args, **kwargs):
        self.form = NoticeFilterForm(request.GET or None)
        if request.GET and not self.form.is_valid():
            return self.error_page("筛选条件无效", self.form_errors(), status=400)
        queryset = Notice.objects.published().select_related("organ")
        if self.form.is_bound:
            queryset = self.form.filter(queryset)
        paginator = Paginator(queryset.order_by("-published_at", "-pk"), PAGE_SIZE)
        try:
            page = paginator.page(request.GET.get("page") or 1)
        except PageNotAnInteger:
            return self.error_page("页码无效", ["页码必须是正整数。"], status=400)
        except EmptyPage:
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

    def form_errors(self) -> list[str]:
        return [
            f"{self.form.fields[name].label if name in self.form.fields else ''}：{message}"
            for name, messages in self.form.errors.items()
            for message in messages
        ]

    def query_without_page(self) -> str:
        query = self.request.GET.copy()
        query.pop("page", None)
        return query.urlencode()

    def error_page(self, title: str, messages: list[str], status: int):
        return render(
            self.request,
            "notices/list_error.html",
            {"title": title, "messages": messages, "form": NoticeFilterForm()},
            status=status,
        )


def render_notice(request, notice: Notice, *, preview: bool = False):
    """The public page of a notice; staff previews render exactly the same template."""
    if notice.status == Notice.Status.WITHDRAWN and not preview:
        return render(request, "notices/notice_withdrawn.html", {"notice": notice})
    context = {
        "notice": notice,
        "preview": preview,
        "attachments": notice.attachments.all(),
        "citations": notice.citations.select_related("target"),
        "topics": notice.topics.select_related("parent"),
        "change_notes": notice.versions.exclude(change_note="").order_by("-number"),
    }
    return render(request, "notices/notice_detail.html", context)


class NoticeDetailView(TemplateView):
    def get(self, request, pk: int):
        notice = get_object_or_404(Notice.objects.public_pages().select_related("organ"), pk=pk)
        if notice.status == Notice.Status.PUBLISHED:
            Notice.objects.filter(pk=pk).update(view_count=F("view_count") + 1)
            notice.view_count += 1
        return render_notice(request, notice)


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
    response["Cache-Control"] = "private, no-store" if not is_public else "public, max-age=3600"
    return response


class OrganListView(ListView):
    template_name = "notices/organ_list.html"
    context_object_name = "organs"

    def get_queryset(self):
        return Organ.objects.select_related("parent")


def robots_txt(request):
    sitemap = request.build_absolute_uri("/sitemap.xml")
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
