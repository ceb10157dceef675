"""Every admin page reads in Chinese, for every role: the list, add and change page of every
model admin a role can open, the custom admin views, the login, lockout and 403 pages.

The detector reads what a person reads: text nodes, and the attributes that are labels (title,
aria-label, placeholder, alt, a button's value). It leaves out what is not a label: scripts,
styles, <code>/<pre>, form values, and tokens that are code values (with digits, underscores,
dots, slashes, @ or colons: usernames like user12, hashes, URLs, paths, e-mail addresses) or
abbreviations people write in Latin letters (PDF, XLSX, ID, URL, CKEditor …). Any other Latin
word is an untranslated label.
"""

import datetime
import re
from html.parser import HTMLParser
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from notices import roles, workflow
from notices.models import Notice
from tests import factories
from tests.applications import factories as application_factories
from tests.assessments import factories as assessment_factories

# Latin words a Chinese page may carry: file formats, standards, product names, units.
ALLOWED_WORDS = {
    "PDF", "CSV", "XLSX", "XLS", "JSON", "ZIP", "OFD", "DOC", "DOCX", "PPT", "PPTX", "WPS", "ET",
    "PNG", "JPG", "JPEG", "TXT", "UTF", "GB", "ID", "URL", "IP", "HTTP", "HTTPS", "SHA", "TOTP",
    "CKEditor", "Excel", "Word", "HTML", "QR", "KB", "MB", "KiB", "MiB", "Ctrl", "Control",
    "Command", "Shift", "Mac", "Windows", "Google", "Authenticator", "Microsoft", "App",
    "SMS", "API", "CSS", "CSP", "RSS", "Atom", "XML", "PostgreSQL", "Redis", "OTP", "LDAP", "Unix",
    "ICP",
}  # fmt: skip
VOID_ELEMENTS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}
# Fields whose values are codes typed by people (a genre's code, a user's login name).
CODE_FIELDS = {"code", "codename", "slug", "username"}
SKIPPED_ELEMENTS = {"script", "style", "svg", "template", "code", "pre", "noscript", "textarea"}
LABEL_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
# Code shown as text: markup (a template's source) and template variables or tags.
CODE_IN_TEXT = re.compile(r"<[^<>]*>|\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
TOKEN = re.compile(r"[A-Za-z0-9_.:/@#%+=&?~*-]+")
HEX = re.compile(r"[0-9a-f]{8,}")
SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


class LabelReader(HTMLParser):
    """Collects the text a person reads on a page, and the labels in attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, bool]] = []  # elements entered, and whether each is code
        self.texts: list[str] = []

    @property
    def skipping(self) -> bool:
        return any(code for _tag, code in self.open)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag not in VOID_ELEMENTS:
            self.open.append((tag, tag in SKIPPED_ELEMENTS or holds_code(attributes)))
        if self.skipping:
            return
        if tag == "img" and "/admin/img/icon-" in attributes.get("src", ""):
            return  # Django writes its yes/no icons' alt as True/False, untranslatable
        for name in LABEL_ATTRIBUTES:
            if attributes.get(name):
                self.texts.append(attributes[name])
        if tag == "input" and attributes.get("type") in {"submit", "button", "reset"}:
            self.texts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth][0] == tag:
                del self.open[depth:]
                break

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.texts.append(data)


def holds_code(attributes: dict) -> bool:
    """An admin column, value or help text of a field whose values are codes (class
    field-code, id id_code_helptext): what it shows are code values."""
    classes = set((attributes.get("class") or "").split())
    ident = attributes.get("id") or ""
    return any(
        f"field-{name}" in classes or ident in {f"id_{name}", f"id_{name}_helptext"}
        for name in CODE_FIELDS
    )


def english_words(text: str) -> list[str]:
    """The Latin words of ``text`` that are labels, not code values or known abbreviations."""
    found = []
    # A text that lists identifiers (organ_name, due_on …) lists code values, lowercase words
    # among them too (number, today).
    listing_identifiers = len(SNAKE_CASE.findall(text)) >= 2
    for token in TOKEN.findall(CODE_IN_TEXT.sub(" ", text)):
        if token.startswith("."):
            continue  # a file extension: .docx
        word = token.strip("-:/#%+=&?~")
        if "_" in word and word.replace("_", "").isalpha() and not word.islower():
            found.append(word)  # an app label title-cased by Django, such as Otp_Totp
            continue
        if not word.isalpha() or len(word) < 2 or word in ALLOWED_WORDS:
            continue
        if listing_identifiers and word.islower():
            continue
        if HEX.fullmatch(word) or word.upper() in ALLOWED_WORDS:
            continue
        found.append(word)
    return found


def untranslated(html: str) -> list[str]:
    reader = LabelReader()
    reader.feed(html)
    found = []
    for text in reader.texts:
        words = english_words(text)
        if words:
            found.append(f"{' '.join(words)!s}  ←  {' '.join(text.split())[:80]!r}")
    return found


def test_detector_finds_english_labels_and_ignores_code_values():
    assert untranslated("<th>Object representation</th>") == [
        "Object representation  ←  'Object representation'"
    ]
    assert untranslated('<a title="Add link" href="/admin/">首页</a>')
    assert untranslated("<h1>Updated 新标题</h1>")
    assert untranslated("<caption>Otp_Totp</caption>")
    assert untranslated('<input type="submit" value="Save">')
    assert (
        untranslated(
            "<td>user12</td><td>a1b2c3d4e5f6a7b8</td><td>ab@example.gov.cn</td>"
            "<td>/admin/notices/</td><td>导出为 XLSX 或 PDF</td><td>甘政办发〔2017〕136号</td>"
            '<script>var Choose = "all";</script><code>SELECT</code>'
            '<input type="text" value="Some typed text"><td>deadbeefcafe0123</td>'
            '<div>&lt;p class="text-right"&gt;{{ organ_name }}&lt;/p&gt;</div>'
            "<p>可用的值：number（编号）、organ_name、due_on、today</p>"
            '<td class="field-code">announcement</td><div class="help" id="id_code_helptext">'
            "例如 notice</div>"
        )
        == []
    )


def role_users() -> dict:
    organ = factories.make_organ(name="甘肃省人民政府办公厅")
    users = {
        role: factories.make_user(role, [organ])
        for role in (roles.EDITOR, roles.REVIEWER, roles.AUDITOR, roles.SITE_ADMIN)
    }
    users["办理人"] = application_factories.make_handler(organ)
    users["超级用户"] = factories.make_user(None, [organ], is_staff=True, is_superuser=True)
    return organ, users


def make_content(organ, users):
    """One record of everything the admin lists, with Chinese data."""
    editor, reviewer = users[roles.EDITOR], users[roles.REVIEWER]
    topic = factories.make_topic("综合政务")
    factories.make_topic("政务公开", parent=topic)
    factories.make_notice(organ, editor, reviewer, "draft", title="草稿通知")
    published = factories.make_notice(
        organ,
        editor,
        reviewer,
        "published",
        title="关于2017年政务公开工作的通知",
        signed_on=datetime.date(2017, 3, 1),
    )
    factories.make_attachment(published, "考核成绩表")
    correction = workflow.start_correction(published, editor)
    correction.title = "关于2017年政务公开工作的通知（更正）"
    correction.change_note = "更正标题"
    workflow.save_draft(correction, editor)
    workflow.submit(correction, editor)
    factories.make_notice(organ, editor, reviewer, "in_review", title="待审核的通知")
    assessment = assessment_factories.make_assessment(organ, editor, title="政务公开工作考核")
    group = assessment_factories.make_group(assessment)
    assessment_factories.make_unit(group)
    assessment_factories.make_indicator(assessment, "1", 10)
    TOTPDevice.objects.create(user=users[roles.SITE_ADMIN], name="手机", confirmed=True)
    application_factories.accepted(organ, users["办理人"])
    return published


STANDARD_VIEWS = ("_changelist", "_add", "_change", "_delete", "_history", "_autocomplete")


def custom_views(model_admin, first) -> list[str]:
    """The extra pages a model admin adds (get_urls): those without arguments, and those that
    take one record's key, for its first record."""
    pages = []
    for pattern in model_admin.get_urls():
        name = getattr(pattern, "name", None)
        if not name or name.endswith(STANDARD_VIEWS):
            continue
        arguments = list(getattr(pattern.pattern, "converters", {}))
        try:
            if not arguments:
                pages.append(reverse(f"admin:{name}"))
            elif len(arguments) == 1 and first is not None:
                pages.append(reverse(f"admin:{name}", args=[first.pk]))
        except NoReverseMatch:
            continue
    return pages


def admin_pages(user, published: Notice) -> list[str]:
    """Every admin page ``user`` may open: index, app pages, and each model's list, add and
    change page (of the first record it may see), plus the custom views."""
    request = RequestFactory().get("/admin/")
    request.user = user
    pages = [reverse("admin:index"), reverse("admin:password_change")]
    for app in admin.site.get_app_list(request):
        pages.append(reverse("admin:app_list", args=[app["app_label"]]))
        for entry in app["models"]:
            model = entry["model"]
            pages.append(entry["admin_url"])
            if entry.get("add_url"):
                pages.append(entry["add_url"])
            model_admin = admin.site.get_model_admin(model)
            first = model_admin.get_queryset(request).first()
            if first is not None:
                info = model._meta.app_label, model._meta.model_name
                pages.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
                pages.append(reverse("admin:{}_{}_history".format(*info), args=[first.pk]))
            pages += custom_views(model_admin, first)
    correction = Notice.objects.filter(correction_of=published).first()
    pages.append(reverse("admin:notices_notice_change", args=[correction.pk]))
    pages.append(reverse("admin:notices_notice_versions", args=[published.pk]))
    pages.append(reverse("exports:export"))
    return list(dict.fromkeys(pages))


@pytest.mark.django_db
def test_every_admin_page_reads_in_chinese_for_every_role(client):
    organ, users = role_users()
    published = make_content(organ, users)
    problems, rendered = [], set()
    for role, user in users.items():
        client.force_login(user)
        for url in admin_pages(user, published):
            response = client.get(url)
            if response.status_code in (301, 302, 405):
                continue
            if not response.get("Content-Type", "").startswith("text/html"):
                continue  # a download: a document, a QR code
            rendered.add(url)
            for found in untranslated(response.content.decode()):
                problems.append(f"{role} {url} [{response.status_code}]: {found}")
    assert len(rendered) > 80, sorted(rendered)  # the detector saw the whole admin
    assert problems == [], "\n" + "\n".join(dict.fromkeys(problems))


@pytest.mark.django_db
def test_login_lockout_and_forbidden_pages_read_in_chinese(client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    get_user_model().objects.create_user("clerk", password="a-long-password-1", is_staff=True)
    login = reverse("admin:login")
    assert untranslated(client.get(login).content.decode()) == []
    for _ in range(2):
        response = client.post(
            login,
            {"username": "clerk", "password": "wrong-password", "next": "/admin/"},
            REMOTE_ADDR="203.0.113.7",
        )
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录已被暂时锁定" in page
    assert "政府信息公开平台 · 管理后台" in page and "Django" not in page
    assert untranslated(page) == []

    staff = factories.make_user(roles.EDITOR)
    client.force_login(staff)
    forbidden = client.get(reverse("admin:audit_auditevent_changelist"))
    assert forbidden.status_code == 403
    assert untranslated(forbidden.content.decode()) == []


def test_chinese_labels_change_no_migration_state(db):
    """The third-party apps' names are given when the admin's URLs load; their models' state,
    which their own migrations record, must stay as it is."""
    import_module(settings.ROOT_URLCONF)
    reverse("admin:index")
    call_command(
        "makemigrations", "otp_totp", "axes", "django_tasks_database", check=True, dry_run=True
    )
