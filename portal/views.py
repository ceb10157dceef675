"""The portal's 政府信息公开 专栏 (国办公开办函〔2019〕61号): the index, each organ's 专栏 with its
guide, rules, 法定主动公开内容 columns and 机构信息; the human 网站地图, 联系我们, and the
site's emblem. Pages for anonymous readers are cached (portal/urls.py)."""

from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from core import pagination
from notices import shared_lists
from notices.forms import topic_and_descendants
from notices.listed import ListedNotice
from notices.models import Notice, Organ
from portal.models import (
    IDENTITY_PK,
    DisclosureGuide,
    DisclosureRules,
    OrganProfile,
    SiteIdentity,
    StatutoryColumn,
    sealed_html,
)

PAGE_SIZE = 20


def column_organs():
    """The organs with a 专栏: those publishing, and those that have written a guide."""
    with_guide = DisclosureGuide.objects.filter(organ=OuterRef("pk"))
    publishing = Organ.objects.publishing().values("pk")
    return Organ.objects.filter(Q(pk__in=publishing) | Q(Exists(with_guide))).annotate(
        has_guide=Exists(with_guide)
    )


def column_index(request):
    return render(request, "portal/column_index.html", {"organs": column_organs()})


def columns_of(organ: Organ) -> list[StatutoryColumn]:
    """The organ's 法定主动公开内容 columns as a tree: the top ones, each with ``below``."""
    rows = list(StatutoryColumn.objects.filter(Q(organ__isnull=True) | Q(organ=organ)))
    for column in rows:
        column.below = []
    by_pk = {column.pk: column for column in rows}
    top = []
    for column in rows:
        parent = by_pk.get(column.parent_id)
        (parent.below if parent is not None else top).append(column)
    return top


def _organ(organ_id: int) -> Organ:
    return get_object_or_404(Organ, pk=organ_id)


def organ_column(request, organ_id: int):
    organ = _organ(organ_id)
    context = {
        "organ": organ,
        "guide": DisclosureGuide.objects.filter(organ=organ).only("updated_at").first(),
        "rules": DisclosureRules.objects.filter(organ=organ).only("updated_at").first(),
        "columns": columns_of(organ),
    }
    return render(request, "portal/organ_column.html", context)


def guide(request, organ_id: int):
    organ = _organ(organ_id)
    page = DisclosureGuide.objects.filter(organ=organ).first()
    context = {"organ": organ, "guide": page}
    if page is not None:
        context["how_to_apply"] = page.how_to_apply_html()
        context["body"] = sealed_html(page.body, page.body_seal)
    return render(request, "portal/guide.html", context)


def rules(request, organ_id: int):
    organ = _organ(organ_id)
    page = DisclosureRules.objects.filter(organ=organ).first()
    context = {"organ": organ, "rules": page}
    if page is not None:
        context["body"] = sealed_html(page.body, page.body_seal)
    return render(request, "portal/rules.html", context)


def organ_profile(request, organ_id: int):
    organ = _organ(organ_id)
    profile = OrganProfile.objects.filter(organ=organ).first()
    leaders = list(profile.leaders.current()) if profile is not None else []
    return render(
        request,
        "portal/organ_profile.html",
        {"organ": organ, "profile": profile, "leaders": leaders},
    )


def column_notices(organ: Organ, topics: list, genres: list):
    """The organ's public notices that a column of these topics and genres lists, newest
    first."""
    notices = Notice.objects.published().filter(organ=organ).select_related("organ")
    if topics:
        tagged = Notice.topics.through.objects.filter(
            notice=OuterRef("pk"), topic__in=topic_and_descendants(*topics)
        )
        notices = notices.filter(Exists(tagged))
    if genres:
        notices = notices.filter(genre__in=[genre.code for genre in genres])
    return notices.order_by("-published_at", "-pk")


def statutory_column(request, organ_id: int, column_id: int):
    organ = _organ(organ_id)
    column = get_object_or_404(
        StatutoryColumn.objects.filter(Q(organ__isnull=True) | Q(organ=organ)).select_related(
            "parent"
        ),
        pk=column_id,
    )
    if column.kind == StatutoryColumn.Kind.PROFILE:
        return redirect("portal:organ-profile", organ_id=organ.pk)
    topics, genres = list(column.topics.all()), list(column.genres.all())
    paginator = pagination.CappedCountPaginator(column_notices(organ, topics, genres), PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (PageNotAnInteger, EmptyPage) as error:
        raise Http404("没有这一页。") from error
    paths = shared_lists.topic_paths()
    context = {
        "organ": organ,
        "column": column,
        "notices": [ListedNotice.of(notice) for notice in page.object_list],
        "page_obj": page,
        "paginator": paginator,
        "topics": [paths.get(topic.pk, topic.name) for topic in topics],
        "genres": [genre.name for genre in genres],
    }
    return render(request, "portal/statutory_column.html", context)


def site_map(request):
    context = {
        "organs": column_organs(),
        "topics": shared_lists.topic_outline(),
    }
    return render(request, "portal/site_map.html", context)


def contact(request):
    return render(request, "portal/contact.html")


def emblem(request, digest: str):
    """The emblem's bytes; its URL names its digest, so it may be kept for a year."""
    row = SiteIdentity.objects.filter(pk=IDENTITY_PK, emblem_digest__startswith=digest).first()
    if row is None or not digest or not row.emblem:
        raise Http404("没有这个图片。")
    response = HttpResponse(bytes(row.emblem), content_type=row.emblem_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
