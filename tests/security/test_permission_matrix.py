"""Every role × every admin and portal URL → the expected allow or deny, and nothing leaks.

The URLs are found by walking the admin registry and the portal's URL patterns, so a model or
page added later is checked without touching this file. Each role's expected access is derived
from the rule the project states: staff see what their role's permissions name, within their
own organs unless they hold access_all_organs; the public sees published pages only.
"""

import io
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from annual_reports.models import AnnualReport
from assessments.models import Assessment
from notices import access
from notices.models import Attachment, Notice
from portal.models import StatutoryColumn
from tests import factories
from tests.assessments.factories import make_assessment

ROLES = ["anonymous", "editor", "editor2", "reviewer", "auditor", "siteadmin"]
# The organs an object belongs to, for the models whose rows are scoped to organs.
ORGANS_OF = {
    "notices.Notice": lambda o: {o.organ_id},
    "notices.NoticeVersion": lambda o: {o.notice.organ_id},
    "notices.WorkflowEvent": lambda o: {o.notice.organ_id},
    "notices.ValidityChange": lambda o: {o.notice.organ_id},
    "assessments.Assessment": lambda o: {o.organ_id},
    "assessments.Indicator": lambda o: {o.assessment.organ_id},
    "assessments.StatisticReport": lambda o: {o.assessment.organ_id},
    "assessments.Score": lambda o: {o.unit.assessment.organ_id},
    "assessments.RectificationReport": lambda o: {o.unit.organ_id, o.unit.assessment.organ_id},
    "importer.ImportedSource": lambda o: {o.organ_id},
    "annual_reports.AnnualReport": lambda o: {o.organ_id},
    "editorial_checks.Finding": lambda o: {o.run.notice.organ_id},
    "editorial_checks.LinkResult": lambda o: {o.notice.organ_id},
    "portal.OrganProfile": lambda o: {o.organ_id},
    "portal.DisclosureGuide": lambda o: {o.organ_id},
    "portal.DisclosureRules": lambda o: {o.organ_id},
}
# The permission that lets a role read a model's rows, where it is not the model's own.
VIEW_PERMISSION = {
    "otp_totp.TOTPDevice": "auth.view_user",
    "importer.ImportedSource": "notices.view_notice",
    # Annual reports are drafted and reviewed by the notices' editors and reviewers.
    "annual_reports.AnnualReport": "notices.view_notice",
}
OBJECT_VIEWS = ["change", "history"]
DENIED = {302, 403, 404}


@dataclass
class World:
    users: dict
    secrets: dict  # text that only those who may see the object may read → the object


@pytest.fixture
def world(db) -> World:
    call_command("load_demo", stdout=io.StringIO())
    users = {user.username: user for user in get_user_model().objects.all()}
    users["anonymous"] = AnonymousUser()
    secrets = {}
    for username, marker in (("editor", "机密草稿甲"), ("editor2", "机密草稿乙")):
        editor = users[username]
        organ = editor.organs.order_by("pk").first()
        draft = factories.make_draft(organ, editor, title=f"{marker}关于内部事项的通知")
        factories.make_attachment(draft, title=f"{marker}附件")
        secrets[marker] = draft
        unpublished = make_assessment(organ, editor, title=f"{marker}未公开考核")
        secrets[f"{marker}考核"] = unpublished
    return World(users, secrets)


def label(model) -> str:
    return model._meta.label


def may_view(user, model, obj=None) -> bool:
    if not user.is_authenticated:
        return False
    opts = model._meta
    permission = VIEW_PERMISSION.get(label(model), f"{opts.app_label}.view_{opts.model_name}")
    change = f"{opts.app_label}.change_{opts.model_name}"
    if not (user.has_perm(permission) or user.has_perm(change)):
        return False
    if obj is None or label(model) not in ORGANS_OF:
        return True
    allowed = access.organ_ids(user)
    return allowed is None or bool(ORGANS_OF[label(model)](obj) & allowed)


def sample(model, user) -> list:
    """A few rows of each model: for scoped models, some inside and some outside the user's
    organs, so that both sides of the boundary are requested."""
    rows = list(model._default_manager.order_by("-pk")[:40])
    if label(model) not in ORGANS_OF:
        return rows[:1]
    inside = [row for row in rows if may_view(user, model, row)][:1]
    outside = [row for row in rows if not may_view(user, model, row)][:1]
    return inside + outside


def custom_object_views(model_admin) -> list[str]:
    prefix = f"{model_admin.opts.app_label}_{model_admin.opts.model_name}_"
    names = []
    for pattern in model_admin.get_urls():
        if not pattern.name or not pattern.name.startswith(prefix):
            continue
        view = pattern.name[len(prefix) :]
        route = str(pattern.pattern)
        if view in {"changelist", "add", "delete", "change", "history"} or "<" not in route:
            continue
        if route.count("<") == 1:
            names.append(view)
    return names


def admin_requests(world: World, username: str):
    """(description, url, expected: 'allow' | 'deny' | 'any', obj) for one role."""
    user = world.users[username]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        yield (
            f"{label(model)} list",
            reverse(f"{prefix}_changelist"),
            ("allow" if may_view(user, model) else "deny"),
            None,
        )
        yield (
            f"{label(model)} add",
            reverse(f"{prefix}_add"),
            ("any" if user.is_authenticated else "deny"),
            None,
        )
        for obj in sample(model, user):
            expected = "allow" if may_view(user, model, obj) else "deny"
            for view in OBJECT_VIEWS:
                url = reverse(f"{prefix}_{view}", args=[obj.pk])
                yield f"{label(model)} {view} {obj.pk}", url, expected, obj
            extra = [*custom_object_views(model_admin), "delete"]
            for view in extra:
                try:
                    url = reverse(f"{prefix}_{view}", args=[obj.pk])
                except NoReverseMatch:
                    continue
                # Custom views may redirect (workflow) or refuse an action the role cannot take
                # on a row it can see; a row it cannot see must never be shown.
                yield (
                    f"{label(model)} {view} {obj.pk}",
                    url,
                    ("any" if expected == "allow" else "deny"),
                    obj,
                )


def check(client, description, url, expected, forbidden_texts) -> list[str]:
    response = client.get(url)
    status = response.status_code
    problems = []
    if status >= 500:
        problems.append(f"{description}: {status} at {url}")
    elif expected == "allow" and status != 200:
        problems.append(f"{description}: expected 200, got {status} at {url}")
    elif expected == "deny" and status not in DENIED:
        problems.append(f"{description}: expected a refusal, got {status} at {url}")
    if not getattr(response, "streaming", False):
        page = response.content.decode(errors="replace")
        problems.extend(
            f"{description}: shows {text!r} at {url}" for text in forbidden_texts if text in page
        )
    return problems


def hidden_secrets(world: World, user) -> list[str]:
    return [
        marker
        for marker, obj in world.secrets.items()
        if not may_view(user, type(obj), obj) and not marker.endswith("考核")
    ]


def login_as(client, world: World, username: str):
    client.logout()
    user = world.users[username]
    if user.is_authenticated:
        client.force_login(user)
    return user


def test_admin_urls_allow_and_deny_as_each_role_should(client, world):
    # One test for every role, so that the demo world is built once.
    problems = []
    for username in ROLES:
        user = login_as(client, world, username)
        hidden = hidden_secrets(world, user)
        for description, url, expected, _obj in admin_requests(world, username):
            found = check(client, description, url, expected, hidden)
            problems.extend(f"{username}: {problem}" for problem in found)
    assert not problems, "\n".join(problems)


def portal_patterns(resolver=None, prefix=""):
    """(name, route) of every portal URL pattern, admin excluded."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith("admin/"):
            continue
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            for name, sub in portal_patterns(pattern, route):
                yield namespace + name if name else name, sub
        elif isinstance(pattern, URLPattern):
            yield pattern.name, route


def portal_requests(world: World):
    """(url, {role: expected status}) for every portal page, filled with public and non-public
    rows. Staff read the public pages as the public does; only a preview of a draft attachment
    is theirs (within their organs)."""
    public = Notice.objects.published().order_by("-pk").first()
    withdrawn = Notice.objects.filter(status=Notice.Status.WITHDRAWN).first()
    published_assessment = Assessment.objects.published().first()
    every_role = dict.fromkeys(ROLES)

    def same(status):
        return {role: status for role in every_role}

    notice_pages = [(public.pk, 200)]
    if withdrawn:
        notice_pages.append((withdrawn.pk, 200))
    for obj in world.secrets.values():
        if isinstance(obj, Notice):
            notice_pages.append((obj.pk, 404))
    cases = {}
    for name, route in portal_patterns():
        if "<" not in route:
            cases[name] = [(reverse(name), same(200))]
    cases["notices:notice-detail"] = [
        (reverse("notices:notice-detail", args=[pk]), same(status)) for pk, status in notice_pages
    ]
    attachments = []
    public_attachment = Attachment.objects.filter(notice=public).first() or (
        factories.make_attachment(public)
    )
    attachments.append((public_attachment, same(200)))
    for obj in world.secrets.values():
        if isinstance(obj, Notice):
            draft_attachment = obj.attachments.get()
            expected = {
                role: 200
                if role in {"auditor", "siteadmin"}
                or (role != "anonymous" and may_view(world.users[role], Notice, obj))
                else 404
                for role in every_role
            }
            attachments.append((draft_attachment, expected))
    cases["notices:attachment-download"] = [
        (reverse("notices:attachment-download", args=[a.notice.original_id, a.pk]), expected)
        for a, expected in attachments
    ]
    organ_feed = reverse("notices:organ-feed", args=[public.organ_id])
    cases["notices:organ-feed"] = [(organ_feed, same(200))]
    organ_documents = reverse("notices:organ-documents", args=[public.organ_id])
    cases["notices:organ-documents"] = [(organ_documents, same(200))]
    assessments = [(published_assessment.pk, 200)] + [
        (obj.pk, 404) for obj in world.secrets.values() if isinstance(obj, Assessment)
    ]
    cases["assessments:assessment-detail"] = [
        (reverse("assessments:assessment-detail", args=[pk]), same(status))
        for pk, status in assessments
    ]
    unit = published_assessment.units.first()
    cases["assessments:unit-history"] = [
        (reverse("assessments:unit-history", args=[unit.organ_id]), same(200))
    ]
    cases["sitemap-section"] = [
        (reverse("sitemap-section", args=[section]), same(200))
        for section in ("pages", "notices", "assessments")
    ]
    # An annual report is public once published; one still in the works is not, to anyone.
    reports = [(report, 200) for report in AnnualReport.objects.published()[:1]]
    reports += [
        (report, 404)
        for report in AnnualReport.objects.exclude(
            pk__in=AnnualReport.objects.published().values("pk")
        )[:1]
    ]
    assert reports, "the demo has annual reports"
    for name in ("report-detail", "report-csv", "report-xlsx"):
        cases[f"annual_reports:{name}"] = [
            (reverse(f"annual_reports:{name}", args=[r.organ_id, r.year]), same(status))
            for r, status in reports
        ]
    for name in ("year-summary", "year-summary-examples"):
        cases[f"annual_reports:{name}"] = [
            (reverse(f"annual_reports:{name}", args=[r.year]), same(200)) for r, _ in reports[:1]
        ]
    cases["annual_reports:organ-reports"] = [
        (reverse("annual_reports:organ-reports", args=[r.organ_id]), same(200))
        for r, _status in reports[:1]
    ]
    # Each organ's 专栏 pages are public, written or not; the emblem opens by its digest only.
    for name in ("organ-column", "guide", "rules", "organ-profile"):
        cases[f"portal:{name}"] = [(reverse(f"portal:{name}", args=[public.organ_id]), same(200))]
    column = StatutoryColumn.objects.filter(organ__isnull=True, kind="notices").first()
    cases["portal:statutory-column"] = [
        (reverse("portal:statutory-column", args=[public.organ_id, column.pk]), same(200))
    ]
    cases["portal:emblem"] = [(reverse("portal:emblem", args=["0" * 16]), same(404))]
    # An applicant's documents open only by the signed link the look-up gives: a made-up one
    # shows nothing to anyone, staff included.
    for name in ("applications:document", "applications:document-docx"):
        cases[name] = [(reverse(name, args=["made-up-token"]), same(404))]
    # The search finds only what is public, whatever is typed.
    for name in ("search:search", "search:api", "search:feed"):
        cases[name] = [(reverse(name) + "?q=机密草稿", same(200))]
    # The reading mode's switch answers everyone alike: it keeps the mode and goes back.
    cases["reading-mode"] = [(reverse("reading-mode") + "?mode=large&next=/", same(302))]
    cases["search:open-data"] = [(reverse("search:open-data"), same(200))]
    # The auditors' export is an admin page under /admin/exports/, checked with the admin.
    cases.pop("exports:export", None)
    missing = {name for name, _route in portal_patterns()} - set(cases) - {"exports:export"}
    assert not missing, f"portal URLs without a case in this matrix: {missing}"
    for name in cases:
        yield from cases[name]


def test_portal_urls_show_only_public_content_to_each_role(client, world):
    # Staff previews of drafts live in the admin; on the portal no unpublished title shows.
    secret_titles = list(world.secrets)
    requests = list(portal_requests(world))
    problems = []
    for username in ROLES:
        login_as(client, world, username)
        for url, expected in requests:
            response = client.get(url)
            if response.status_code != expected[username]:
                problems.append(
                    f"{username}: {url}: expected {expected[username]}, got {response.status_code}"
                )
            if getattr(response, "streaming", False):
                continue
            page = response.content.decode(errors="replace")
            problems.extend(
                f"{username}: {url}: shows {text!r}" for text in secret_titles if text in page
            )
    assert not problems, "\n".join(problems)


def test_another_organs_editor_cannot_change_or_delete_by_posting(client, world):
    editor = world.users["editor"]
    client.force_login(editor)
    theirs = world.secrets["机密草稿乙"]
    title = theirs.title
    change = reverse("admin:notices_notice_change", args=[theirs.pk])
    delete = reverse("admin:notices_notice_delete", args=[theirs.pk])
    workflow_url = reverse("admin:notices_notice_workflow", args=[theirs.pk])
    assert client.post(change, {"title": "改掉"}).status_code in DENIED
    assert client.post(delete, {"post": "yes"}).status_code in DENIED
    assert client.post(workflow_url, {"transition": "submit"}).status_code in DENIED
    theirs.refresh_from_db()
    assert theirs.title == title and theirs.status == Notice.Status.DRAFT
    assessment = world.secrets["机密草稿乙考核"]
    for view in ("scores", "import", "workflow"):
        url = reverse(f"admin:assessments_assessment_{view}", args=[assessment.pk])
        assert client.post(url, {}).status_code in DENIED, view
