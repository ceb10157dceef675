"""Looking an application up by number and code: the right code shows it, a wrong code and an
unknown number get the same answer, look-ups are limited per address, and no applicant data
reaches another public URL or the cache."""

import re

import pytest
import redis
from django.core.cache import cache
from django.test import Client

from applications import services
from applications.models import ApplicationDocument, Outcome
from applications.public_views import find
from tests.applications import factories
from tests.applications.public_helpers import form_data
from tests.redis_service import REDIS_URL, needs_redis

URL = "/apply/lookup/"
SECRET_VALUES = ("示例申请人甲", "jia@example.invalid", "010-12345678", "老旧小区改造项目")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def apply(client, organ, **changes):
    response = client.post("/apply/", form_data(organ, **changes))
    assert response.status_code == 200, response.context["form"].errors
    return response.context["application"], response.context["code"]


def same_page(response, number) -> str:
    """The page without what differs by design: the number typed, echoed back, and the
    form's CSRF token, masked afresh on every page."""
    html = response.content.decode().replace(number, "NUMBER")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def look_up(client, number, code, **extra):
    return client.post(URL, {"number": number, "code": code}, **extra)


def test_right_code_shows_state_documents_and_answer(client, organ, handler):
    application, code = apply(client, organ)
    services.register(application, handler)
    services.answer(
        application,
        handler,
        outcome=Outcome.DISCLOSED,
        legal_basis="《中华人民共和国政府信息公开条例》第三十六条第（二）项",
        summary="所需文件见附件。",
    )
    response = look_up(client, application.number, code.lower())
    html = response.content.decode()
    assert response.status_code == 200
    assert "已答复" in html and "予以公开" in html and "所需文件见附件。" in html
    assert "政府信息公开申请登记回执" in html and "政府信息公开申请答复书（予以公开）" in html
    assert "登记受理" in html
    assert "no-store" in response["Cache-Control"]


def test_wrong_code_and_unknown_number_get_the_same_answer(client, organ):
    application, _code = apply(client, organ)
    wrong = look_up(client, application.number, "ABCDEFGHJK")
    unknown = look_up(client, "2099-999999", "ABCDEFGHJK")
    assert wrong.status_code == unknown.status_code == 404
    assert same_page(wrong, application.number) == same_page(unknown, "2099-999999")
    assert "申请编号或查询码不正确" in wrong.content.decode()
    for value in SECRET_VALUES:
        assert value not in wrong.content.decode()


def test_an_unknown_number_is_still_compared_against_a_code(organ, monkeypatch, db):
    compared = []
    from applications.models import Application

    original = Application.check_lookup_code

    def counting(self, code):
        compared.append(self.number)
        return original(self, code)

    monkeypatch.setattr(Application, "check_lookup_code", counting)
    assert find("2099-000001", "ABCDEFGHJK") is None
    assert compared == ["0000-000000"]


def test_lookup_form_refuses_a_malformed_number_in_chinese(client, db):
    response = look_up(client, "abc", "X")
    assert response.status_code == 400
    assert "年份-六位数字" in response.content.decode()


def test_look_ups_are_limited_per_address(client, organ, settings):
    application, code = apply(client, organ)
    settings.APPLICATION_RATE_LIMITS = {"lookup": (3, 600)}
    for _ in range(3):
        look_up(client, application.number, "WRONGCODE1")
    blocked = look_up(client, application.number, code)
    assert blocked.status_code == 429
    assert "操作过于频繁" in blocked.content.decode()
    assert application.number in blocked.content.decode()  # what was typed stays
    assert look_up(client, application.number, code, REMOTE_ADDR="10.9.9.9").status_code == 200


def test_document_links_show_printable_html_and_download_docx(client, organ, handler):
    application, code = apply(client, organ)
    services.register(application, handler)
    response = look_up(client, application.number, code)
    document = response.context["documents"][0]
    page = client.get(f"/apply/documents/{document.link}/")
    assert page.status_code == 200
    assert "登记回执" in page.content.decode()
    assert "applications-document.css" in page.content.decode()
    docx = client.get(f"/apply/documents/{document.link}/docx/")
    assert docx.status_code == 200
    assert docx.content[:2] == b"PK"
    assert "attachment" in docx["Content-Disposition"]


def test_document_links_cannot_be_forged_or_reach_another_application(client, organ, handler):
    from django.core import signing

    from applications.public_views import DOCUMENT_SALT

    first, _code = apply(client, organ)
    second = factories.accepted(organ, handler)
    services.register(first, handler)
    other_document = ApplicationDocument.objects.filter(application=second).first()
    assert client.get("/apply/documents/forged-token/").status_code == 404
    crossed = signing.dumps([first.pk, other_document.pk], salt=DOCUMENT_SALT)
    assert client.get(f"/apply/documents/{crossed}/").status_code == 404


def test_consultation_letters_are_not_shown_to_the_applicant(client, organ, handler):
    application, code = apply(client, organ)
    services.register(application, handler)
    services.start_consultation(application, handler, kind="third_party", party="示例第三方公司")
    html = look_up(client, application.number, code).content.decode()
    assert "征求第三方意见书" not in html
    assert "示例第三方公司" not in html


def test_no_applicant_data_on_public_pages_feeds_sitemaps_or_search(client, organ, handler):
    application, code = apply(client, organ)
    services.register(application, handler)
    look_up(client, application.number, code)
    anonymous = Client()
    for url in (
        "/",
        "/apply/",
        "/apply/lookup/",
        "/feed/",
        "/sitemap.xml",
        "/sitemap-pages.xml",
        "/sitemap-notices.xml",
        "/search/?q=示例申请",
        "/search/?q=老旧小区",
        f"/organs/{organ.pk}/feed/",
    ):
        response = anonymous.get(url)
        body = response.content.decode()
        for value in (*SECRET_VALUES, application.id_number, code):
            assert value not in body, (url, value)


@needs_redis
def test_a_look_up_leaves_no_applicant_data_in_the_cache(settings, organ, handler):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.redis_cache.ReusingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "test-applications-privacy",
        }
    }
    settings.PORTAL_PAGE_CACHE_SECONDS = 300
    settings.PORTAL_LISTS_CACHE_SECONDS = 300
    server = redis.Redis.from_url(REDIS_URL)
    server.flushdb()
    client = Client(REMOTE_ADDR="10.20.30.40")
    application, code = apply(client, organ, once="token-of-the-form")
    services.register(application, handler)
    assert look_up(client, application.number, code).status_code == 200
    for url in ("/", "/apply/", "/feed/", "/sitemap.xml"):
        Client().get(url)
    keys = server.keys("*")
    assert keys, "the pages and the counters should have used the cache"
    secrets = (*SECRET_VALUES, application.id_number, code, application.number, "10.20.30.40")
    for key in keys:
        stored = server.dump(key) or b""
        for value in secrets:
            assert value.encode() not in key and value.encode() not in stored, (key, value)
    server.flushdb()
