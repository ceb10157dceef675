"""The link checker against a local server (never the internet): dead links, timeouts, names
that do not resolve, links leaving government sites, the command, the admin and the report."""

import socket

import pytest
from django.core.management import call_command
from django.urls import reverse

from editorial_checks import links
from editorial_checks.link_reports import check_notices
from editorial_checks.models import AllowedHost, LinkResult
from tests.editorial_checks.local_server import local_server

pytestmark = pytest.mark.django_db


def no_such_host(host, port, *args, **kwargs):
    """A resolver for which names under .invalid do not exist (RFC 6761), without asking DNS."""
    if host.endswith(".invalid"):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return socket.getaddrinfo(host, port, *args, **kwargs)


def test_links_in_a_body_once_each_without_mail_or_anchors():
    html = (
        '<p><a href="https://www.gansu.gov.cn/a">甲</a><a href="https://www.gansu.gov.cn/a">甲</a>'
        '<a href="mailto:x@gansu.gov.cn">信</a><a href="#top">顶</a>'
        '<img src="/media/x.png" alt=""></p>'
    )
    assert links.links_in(html) == ["https://www.gansu.gov.cn/a", "/media/x.png"]


@pytest.mark.parametrize(
    ("host", "allowed", "expected"),
    [
        ("www.gansu.gov.cn", [], True),
        ("gov.cn", [], True),
        ("www.gov.cn.evil.com", [], False),
        ("notgov.cn", [], False),
        ("www.people.com.cn", ["people.com.cn"], True),
        ("people.com.cn", ["people.com.cn"], True),
        ("fakepeople.com.cn", ["people.com.cn"], False),
    ],
)
def test_government_hosts_and_the_allow_list(host, allowed, expected):
    assert links.host_allowed(host, allowed) is expected


def test_checker_tells_each_kind_of_dead_link():
    with local_server() as base:
        checker = links.Checker(
            concurrency=4, timeout=0.5, allow_private=True, resolver=no_such_host
        )
        outcomes = checker.check(
            [
                f"{base}/ok",
                f"{base}/moved",
                f"{base}/gone",
                f"{base}/broken",
                f"{base}/slow",
                "http://www.no-such-host.invalid/",
                "ftp://example.gov.cn/file",
            ]
        )
    assert outcomes == {
        f"{base}/ok": links.Outcome("", 200),
        f"{base}/moved": links.Outcome("", 200),
        f"{base}/gone": links.Outcome("http_error", 404),
        f"{base}/broken": links.Outcome("http_error", 500),
        f"{base}/slow": links.Outcome("timeout"),
        "http://www.no-such-host.invalid/": links.Outcome("dns"),
        "ftp://example.gov.cn/file": links.Outcome("invalid"),
    }


def test_private_addresses_are_not_fetched_unless_allowed():
    with local_server() as base:
        outcome = links.Checker(allow_private=False).check([f"{base}/ok"])
    assert outcome[f"{base}/ok"] == links.Outcome("private")


def loopback_looks_public(host, port, *args, **kwargs):
    """127.0.0.1 as if it were a public address (so the first request is made); localhost as
    what it is."""
    if host == "127.0.0.1":
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]
    return socket.getaddrinfo(host, port, *args, **kwargs)


def test_a_redirect_to_a_private_address_is_not_followed():
    with local_server() as base:
        checker = links.Checker(allow_private=False, resolver=loopback_looks_public, timeout=2)
        outcomes = checker.check([f"{base}/ok", f"{base}/to-localhost"])
    assert outcomes == {
        f"{base}/ok": links.Outcome("", 200),
        f"{base}/to-localhost": links.Outcome("private"),
    }


@pytest.fixture
def link_settings(settings):
    settings.LINK_CHECK_ALLOW_PRIVATE = True
    settings.PORTAL_BASE_URL = ""
    # The portal's own hosts are matched against its URL patterns; the local server is not one.
    settings.ALLOWED_HOSTS = ["testserver"]
    return settings


def test_command_checks_published_bodies_and_keeps_the_results(
    link_settings, notice_in, organ, capsys
):
    AllowedHost.objects.create(host="localhost")
    with local_server() as base:
        port = base.rsplit(":", 1)[1]
        published = notice_in(
            "published",
            body=(
                f'<p><a href="{base}/ok">好</a><a href="{base}/gone">坏</a>'
                f'<a href="http://localhost:{port}/ok">白名单</a>'
                '<a href="/organs/">本站</a><a href="/no-such-page/">本站失效</a></p>'
            ),
        )
        draft = notice_in("draft", body=f'<p><a href="{base}/gone">草稿</a></p>')
        call_command("check_links", "--timeout", "2")
    results = {r.url: r for r in LinkResult.objects.filter(notice=published)}
    assert (results[f"{base}/ok"].problem, results[f"{base}/ok"].government) == ("", False)
    assert (results[f"{base}/gone"].problem, results[f"{base}/gone"].status_code) == (
        "http_error",
        404,
    )
    assert results[f"http://localhost:{port}/ok"].government is True
    assert (results["/organs/"].problem, results["/organs/"].government) == ("", True)
    assert results["/no-such-page/"].problem == "not_found"
    assert not LinkResult.objects.filter(notice=draft).exists()
    assert "失效 2 个" in capsys.readouterr().out


def test_checking_again_replaces_the_results(link_settings, notice_in):
    with local_server() as base:
        notice = notice_in("published", body=f'<p><a href="{base}/gone">坏</a></p>')
        check_notices(type(notice).objects.filter(pk=notice.pk), links.Checker(timeout=2))
        notice.body = f'<p><a href="{base}/ok">好</a></p>'
        type(notice).objects.filter(pk=notice.pk).update(body=notice.body)
        check_notices(type(notice).objects.filter(pk=notice.pk), links.Checker(timeout=2))
    assert list(LinkResult.objects.values_list("url", "problem")) == [(f"{base}/ok", "")]


def test_an_editor_checks_one_notices_links_from_its_page(link_settings, client, notice_in, editor):
    with local_server() as base:
        notice = notice_in("draft", body=f'<p><a href="{base}/broken">坏</a></p>')
        client.force_login(editor)
        response = client.post(reverse("editorial_checks:check-links", args=[notice.pk]))
    assert response.status_code == 302
    [result] = LinkResult.objects.filter(notice=notice)
    assert (result.problem, result.status_code) == ("http_error", 500)
    page = client.get(reverse("admin:notices_notice_change", args=[notice.pk]))
    assert "无法访问（错误状态码）（500）" in page.content.decode()


@pytest.mark.parametrize("who", ["other_editor", "other_reviewer"])
def test_staff_of_another_organ_cannot_check_a_notices_links(client, notice_in, who, request):
    notice = notice_in("draft", body='<p><a href="http://127.0.0.1:9/">坏</a></p>')
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("editorial_checks:check-links", args=[notice.pk]))
    assert response.status_code == 403
    assert not LinkResult.objects.exists()


def test_anonymous_is_sent_to_the_login_page(client, notice_in):
    notice = notice_in("draft")
    response = client.post(reverse("editorial_checks:check-links", args=[notice.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def make_results(notice, *rows):
    from django.utils import timezone

    for url, problem, government in rows:
        LinkResult.objects.create(
            notice=notice, url=url, host="x", problem=problem, government=government,
            checked_at=timezone.now(),
        )  # fmt: skip


def test_report_per_organ_and_csv_show_only_the_users_organs(
    client, organ, other_organ, editor, reviewer, other_editor, site_admin
):
    from tests import factories

    mine = factories.make_notice(organ, editor, reviewer, "published")
    theirs = factories.make_notice(
        other_organ, other_editor, factories.make_reviewer(other_organ), "published"
    )
    make_results(mine, ("https://a.gov.cn/", "", True), ("http://dead.example/", "dns", False))
    make_results(theirs, ("http://other.example/", "", False))

    client.force_login(editor)
    report = client.get(reverse("admin:editorial_checks_linkresult_report")).content.decode()
    assert organ.name in report and other_organ.name not in report
    csv_text = client.get(reverse("editorial_checks:links-csv")).content.decode("utf-8-sig")
    assert "http://dead.example/" in csv_text and "域名无法解析" in csv_text
    assert "https://a.gov.cn/" not in csv_text  # only flagged links
    assert "http://other.example/" not in csv_text

    client.force_login(site_admin)
    csv_text = client.get(
        reverse("editorial_checks:links-csv") + f"?organ={other_organ.pk}"
    ).content.decode("utf-8-sig")
    assert "http://other.example/" in csv_text and "http://dead.example/" not in csv_text
    assert client.get(reverse("editorial_checks:links-csv") + "?organ=x").status_code == 400


def test_people_without_access_get_no_report(client, db):
    from tests import factories

    client.force_login(factories.make_user(is_staff=True))
    assert client.get(reverse("editorial_checks:links-csv")).status_code == 403
    assert client.get(reverse("admin:editorial_checks_linkresult_report")).status_code == 403
