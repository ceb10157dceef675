"""Policy interpretations (政策解读): the link from a 解读 to the document it interprets, both
public pages, the 政策解读 column, the catalogue's 有解读 filter, the admin's warning and
side-by-side view, and the cached pages a change of the link refreshes."""

import datetime

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notices import interpretations, views, workflow
from notices.forms import NoticeFilterForm
from notices.models import Notice
from search.backends import Filters, get_backend
from search.text import parse_query
from tests import factories

INTERPRETATION = {"genre": "interpretation", "interpretation_form": "text"}


def interpretation_of(make, document, state="published", **fields):
    return make(state, **{**INTERPRETATION, "interprets": document, **fields})


def page(client, notice) -> str:
    response = client.get(notice.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


# The link itself.


def test_only_an_interpretation_names_a_document(organ, editor, notice_in):
    document = notice_in("published")
    plain = Notice(organ=organ, title="通知", genre_id="notice", interprets=document)
    with pytest.raises(ValidationError) as refused:
        plain.full_clean(exclude=["topics"])
    assert "只有体裁为“解读”的信息" in str(refused.value)


def test_an_interpretation_names_neither_itself_nor_another_interpretation(notice_in, editor):
    document = notice_in("published")
    first = interpretation_of(notice_in, document)
    second = interpretation_of(notice_in, document, "draft")
    second.interprets = first
    with pytest.raises(ValidationError, match="不是另一篇解读"):
        second.full_clean(exclude=["topics"])
    second.interprets = second
    with pytest.raises(ValidationError, match="不能关联它自己"):
        second.full_clean(exclude=["topics"])


def test_a_video_interpretation_gives_an_address_on_the_web(notice_in):
    document = notice_in("published")
    video = interpretation_of(notice_in, document, "draft")
    video.interpretation_form = "video"
    with pytest.raises(ValidationError, match="视频地址"):
        video.full_clean(exclude=["topics"])
    video.video_url = "ftp://example.gov.cn/v.mp4"
    with pytest.raises(ValidationError, match="https://"):
        video.full_clean(exclude=["topics"])
    video.video_url = "https://video.example.gov.cn/play/1"
    video.full_clean(exclude=["topics"])


def test_a_correction_keeps_the_link_and_a_version_records_it(notice_in, editor, reviewer):
    document = notice_in("published", title="被解读的办法")
    item = interpretation_of(notice_in, document)
    correction = workflow.start_correction(item, editor)
    assert correction.interprets_id == document.pk
    assert item.versions.get().content["interprets"] == document.pk


# The public pages.


def test_a_document_lists_its_public_interpretations_and_each_links_back(client, notice_in):
    document = notice_in("published", title="被解读的办法", document_number="甘政办发〔2026〕1号")
    text = interpretation_of(
        notice_in, document, title="图解：办法要点", interpretation_form="graphic"
    )
    draft = interpretation_of(notice_in, document, "draft", title="尚未发布的解读")
    scheduled = interpretation_of(notice_in, document, "scheduled", title="定时发布的解读")
    shown = page(client, document)
    assert "相关解读" in shown and "图解：办法要点" in shown and "图文解读" in shown
    assert text.get_absolute_url() in shown
    assert draft.title not in shown and scheduled.title not in shown
    back = page(client, text)
    assert "原文件" in back and "《被解读的办法》" in back and "甘政办发〔2026〕1号" in back
    assert document.get_absolute_url() in back


def test_a_document_the_public_cannot_read_is_not_named_on_its_interpretation(client, notice_in):
    document = notice_in("in_review", title="尚在审核的办法")
    item = interpretation_of(notice_in, document)
    assert "尚在审核的办法" not in page(client, item)
    assert "原文件" not in page(client, item)


def test_a_video_interpretation_links_to_its_video(client, notice_in):
    document = notice_in("published")
    item = interpretation_of(
        notice_in,
        document,
        interpretation_form="video",
        video_url="https://video.example.gov.cn/play/1",
    )
    shown = page(client, item)
    assert 'href="https://video.example.gov.cn/play/1"' in shown
    assert "视频解读" in page(client, document)


def test_the_pages_of_a_document_and_of_an_interpretation_take_a_fixed_number_of_queries(
    client, notice_in
):
    def queries(notice) -> int:
        with CaptureQueriesContext(connection) as captured:
            page(client, notice)
        return len(captured.captured_queries)

    plain = notice_in("published")
    document = notice_in("published")
    first = interpretation_of(notice_in, document)
    plain_count = queries(plain)
    document_count, interpretation_count = queries(document), queries(first)
    for _ in range(3):
        interpretation_of(notice_in, document)
    assert queries(document) == document_count == plain_count + 1
    assert queries(first) == interpretation_count == plain_count + 1


def test_the_column_lists_interpretations_with_their_documents(client, notice_in):
    document = notice_in("published", title="公开的办法")
    hidden = notice_in("draft", title="草稿中的办法")
    shown = interpretation_of(notice_in, document, title="关于办法的解读")
    early = interpretation_of(notice_in, hidden, title="草稿文件的解读")
    interpretation_of(notice_in, document, "draft", title="未发布的解读")
    notice_in("published", title="一般通知")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("notices:interpretation-list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert shown.get_absolute_url() in text and "《公开的办法》" in text
    assert early.get_absolute_url() in text and "草稿中的办法" not in text
    assert "未发布的解读" not in text and "一般通知" not in text
    assert len(captured.captured_queries) <= 3
    for _ in range(3):
        interpretation_of(notice_in, document)
    with CaptureQueriesContext(connection) as again:
        client.get(reverse("notices:interpretation-list"))
    assert len(again.captured_queries) == len(captured.captured_queries)


# The catalogue's filter, in each store.


def test_the_filter_finds_documents_with_a_public_interpretation_in_every_store(notice_in):
    explained = notice_in("published", title="有解读的办法")
    pending = notice_in("published", title="解读未发布的办法")
    notice_in("published", title="没有解读的通知")
    interpretation_of(notice_in, explained)
    interpretation_of(notice_in, pending, "scheduled")
    withdrawn_document = notice_in("published", title="已撤回解读的办法")
    gone = interpretation_of(notice_in, withdrawn_document)
    workflow.withdraw(gone, factories.make_reviewer(gone.organ), "解读有误")
    form = NoticeFilterForm({"interpreted": "1"})
    assert form.is_valid(), form.errors
    values = form.query_values()
    assert values == {"interpreted": True}
    expected = [explained.pk]
    orm = views.catalogue(Notice.objects.published(), values)
    assert [notice.pk for notice in orm] == expected
    first = views.CATALOGUE_FIRST_PAGE.all(size=20, at=timezone.now(), **values)
    assert [notice.pk for notice in first] == expected
    later = views.CATALOGUE_LATER_PAGE.all(size=20, at=timezone.now(), offset=0, **values)
    assert [notice.pk for notice in later] == expected
    found = get_backend().search(parse_query("办法"), Filters.from_values(values), "date", 0, 20)
    assert found.ids == expected
    everything = get_backend().search(parse_query("办法"), Filters(), "date", 0, 20)
    assert set(expected) < set(everything.ids)


def test_the_filter_combines_with_the_others_and_shows_as_a_condition(client, notice_in):
    explained = notice_in("published", genre="measures", title="有解读的办法")
    interpretation_of(notice_in, explained)
    response = client.get(reverse("notices:notice-list") + "?interpreted=1&genre=measures")
    text = response.content.decode()
    assert response.status_code == 200
    assert "政策解读：有解读" in text and explained.get_absolute_url() in text
    other = client.get(reverse("notices:notice-list") + "?interpreted=1&genre=notice")
    assert explained.get_absolute_url() not in other.content.decode()
    assert client.get(reverse("notices:notice-list") + "?interpreted=2").status_code == 400


# The admin.


def test_submitting_a_normative_document_without_an_interpretation_warns(client, notice_in, editor):
    document = notice_in("draft", genre="measures", document_category="normative")
    client.force_login(editor)
    url = reverse("admin:notices_notice_workflow", args=[document.pk])
    response = client.post(url, {"transition": "submit"}, follow=True)
    text = response.content.decode()
    assert "尚未关联政策解读" in text
    assert Notice.objects.get(pk=document.pk).status == "in_review"
    # With an interpretation drafted beside it, neither the message nor the page's note.
    other = notice_in("draft", genre="measures", document_category="rules")
    interpretation_of(notice_in, other, "draft")
    url = reverse("admin:notices_notice_workflow", args=[other.pk])
    assert (
        "尚未关联政策解读"
        not in client.post(url, {"transition": "submit"}, follow=True).content.decode()
    )
    # The 文件类别 decides, not the 体裁.
    assert not interpretations.missing_interpretation(notice_in("draft", genre="measures"))


def test_the_reviewer_reads_a_document_and_its_interpretation_side_by_side(
    client, notice_in, reviewer
):
    document = notice_in(
        "in_review", document_category="normative", body="<p>办法的正文第一条。</p>"
    )
    item = interpretation_of(notice_in, document, "in_review", body="<p>解读的正文要点。</p>")
    client.force_login(reviewer)
    for shown in (document, item):
        text = client.get(reverse("admin:notices_notice_change", args=[shown.pk])).content.decode()
        assert "文件与解读对照" in text
        assert "办法的正文第一条。" in text and "解读的正文要点。" in text


def test_an_editor_names_only_documents_they_may_see(client, notice_in, other_editor, other_organ):
    hidden_draft = notice_in("draft", title="本机构草稿")
    public = notice_in("published", title="已公开的办法")
    client.force_login(other_editor)
    url = reverse("admin:notices_notice_add")
    response = client.get(url)
    assert response.status_code == 200
    base = {
        "organ": other_organ.pk,
        "title": "关于办法的解读",
        "genre": "interpretation",
        "interpretation_form": "text",
        "disclosure": "proactive",
        "validity": "valid",
        "body": "<p>解读。</p>",
        "lock_version": "",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
    }
    token = response.context["adminform"].form["submission_token"].value()
    refused = client.post(url, {**base, "interprets": hidden_draft.pk, "submission_token": token})
    assert refused.status_code == 200
    assert "所选文件不存在或无权引用" in refused.content.decode()
    assert "本机构草稿" not in refused.content.decode()
    token = client.get(url).context["adminform"].form["submission_token"].value()
    accepted = client.post(url, {**base, "interprets": public.pk, "submission_token": token})
    assert accepted.status_code == 302
    assert Notice.objects.get(title="关于办法的解读").interprets_id == public.pk


# Cached pages follow the link.


@pytest.mark.django_db(transaction=True)
def test_cached_pages_of_both_sides_change_when_the_link_does(
    client, settings, organ, editor, reviewer
):
    settings.PORTAL_PAGE_CACHE_SECONDS = 300
    cache.clear()

    def make(state="published", **fields):
        return factories.make_notice(organ, editor, reviewer, state, **fields)

    document = make(title="被解读的办法")
    other = make(title="另一份办法")
    assert "相关解读" not in page(client, document)  # now cached
    item = interpretation_of(make, document, title="办法的解读")
    assert "办法的解读" in page(client, document)
    assert "《被解读的办法》" in page(client, item)  # now cached
    # A correction moves the link: both documents' pages and the interpretation's change.
    correction = workflow.start_correction(item, editor)
    correction.interprets = other
    correction.change_note = "改为解读另一份办法"
    correction.last_edited_by = editor
    correction.save()
    workflow.approve(workflow.submit(correction, editor), reviewer)
    assert Notice.objects.get(pk=item.pk).interprets_id == other.pk
    assert "办法的解读" not in page(client, document)
    assert "办法的解读" in page(client, other)
    assert "《另一份办法》" in page(client, item)
    # The document withdrawn: its interpretation's page says so.
    workflow.withdraw(other, reviewer, "已被新办法替代")
    assert "已撤回" in page(client, item)
    cache.clear()


def test_withdrawal_and_schedule_leave_the_filter_in_step(notice_in, reviewer):
    document = notice_in("published")
    due = timezone.now() + datetime.timedelta(hours=2)
    interpretation_of(notice_in, document, "scheduled", published_at=due)
    at_due = views.CATALOGUE_FIRST_PAGE.all(size=20, at=due, interpreted=True)
    assert [notice.pk for notice in at_due] == [document.pk]
    assert views.CATALOGUE_FIRST_PAGE.all(size=20, at=timezone.now(), interpreted=True) == []
