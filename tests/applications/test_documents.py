"""Documents to the applicant: rendered from editable templates at each step, sanitized, kept
as sent, as .docx; and the 信息处理费 by 国办函〔2020〕109号, against hand-checked figures."""

import datetime
import io
import logging

import docx
import pytest
from django.core.exceptions import ValidationError

from applications import documents, fees, services
from applications.models import ApplicationDocument, DocumentTemplate, Outcome
from tests.applications import factories

Kind = ApplicationDocument.Kind
D = datetime.date
BASIS = "《中华人民共和国政府信息公开条例》第三十六条"


def kinds(application) -> list[str]:
    return list(application.documents.values_list("kind", flat=True))


def test_registration_sends_a_receipt_kept_as_sent(organ, handler):
    application = factories.accepted(organ, handler)
    receipt = application.documents.get(kind=Kind.RECEIPT)
    assert receipt.sent_at is not None
    assert receipt.event.action == "registered"
    assert application.number in receipt.html
    assert "2026年3月2日" in receipt.html  # received on
    assert services.chinese_date(application.due_on) in receipt.html
    template = DocumentTemplate.objects.get(kind=Kind.RECEIPT)
    template.body = "<p>改过的模板 {{ number }}</p>"
    template.save()
    receipt.refresh_from_db()
    assert "改过的模板" not in receipt.html  # what was sent stays as sent


def test_each_step_sends_its_document(organ, handler):
    application = factories.accepted(organ, handler)
    services.ask_correction(
        application,
        handler,
        what="请写明文件的年份。",
        reply_by=D(2026, 3, 20),
        asked_on=D(2026, 3, 3),
    )
    correction = application.documents.get(kind=Kind.CORRECTION_NOTICE)
    assert "请写明文件的年份。" in correction.html and "2026年3月20日" in correction.html
    services.record_correction(application, handler, content="2025年", received_on=D(2026, 3, 5))
    services.extend(
        application,
        handler,
        days=10,
        reason="需要调取档案",
        approved_by="示例负责人",
        approved_on=D(2026, 3, 6),
    )
    extension = application.documents.get(kind=Kind.EXTENSION_NOTICE)
    assert "需要调取档案" in extension.html and "10个工作日" in extension.html
    services.start_consultation(
        application, handler, kind="third_party", party="示例第三方公司", started_on=D(2026, 3, 9)
    )
    letter = application.documents.get(kind=Kind.THIRD_PARTY_CONSULTATION)
    assert "示例第三方公司" in letter.html
    assert application.applicant_name not in letter.html  # the third party is not told who asked
    services.finish_consultation(application, handler, opinion="同意", finished_on=D(2026, 3, 10))
    services.answer(
        application,
        handler,
        outcome=Outcome.PARTIAL,
        legal_basis=BASIS,
        withheld="第三页涉及个人隐私",
        answered_on=D(2026, 3, 11),
    )
    answer = application.documents.get(kind=Kind.ANSWER)
    assert answer.title == "政府信息公开申请答复书（部分公开）"
    assert "第三页涉及个人隐私" in answer.html and BASIS in answer.html
    assert "行政复议" in answer.html


@pytest.mark.parametrize(
    "outcome, title",
    [
        (Outcome.DISCLOSED, "予以公开"),
        (Outcome.STATE_SECRET, "不予公开"),
        (Outcome.NOT_HELD, "无法提供"),
        (Outcome.PETITION, "不予处理"),
        (Outcome.OTHER, "其他处理"),
    ],
)
def test_the_answer_follows_its_outcome(organ, handler, outcome, title):
    application = factories.accepted(organ, handler)
    services.answer(application, handler, outcome=outcome, legal_basis=BASIS)
    answer = application.documents.get(kind=Kind.ANSWER)
    assert title in answer.title


def test_template_output_is_sanitized_and_sees_only_plain_values(organ, handler):
    template = DocumentTemplate.objects.get(kind=Kind.RECEIPT)
    template.body = (
        '<p onclick="x()">{{ number }}</p><script>alert(1)</script>'
        "<p>[{{ settings.SECRET_KEY }}][{{ request }}][{{ application.id_number }}]</p>"
        "<p>{{ applicant_name }}</p>"
    )
    template.save()
    application = factories.accepted(organ, handler, applicant_name="<b>示例</b>")
    html = application.documents.get(kind=Kind.RECEIPT).html
    assert application.number in html
    assert "<script" not in html and "onclick" not in html
    assert "[][][]" in html
    assert "&lt;b&gt;示例&lt;/b&gt;" in html


@pytest.mark.parametrize(
    "body, message",
    [
        ("{% include 'base.html' %}", "include"),
        ("{% extends 'base.html' %}", "extends"),
        ("{% load static %}", "load"),
        ("{% debug %}", "debug"),
        ("{% if %}", "模板语法错误"),
    ],
)
def test_template_that_reaches_beyond_its_values_is_refused(body, message, db):
    template = DocumentTemplate(kind=Kind.FEE_NOTICE, title="测试", body=body)
    with pytest.raises(ValidationError) as error:
        template.clean()
    assert message in str(error.value)


def test_a_broken_template_leaves_the_step_done_and_logs(organ, handler, caplog):
    DocumentTemplate.objects.filter(kind=Kind.RECEIPT).update(body="{% if %}")
    with caplog.at_level(logging.ERROR):
        application = factories.accepted(organ, handler)
    assert application.state == "accepted"
    assert Kind.RECEIPT not in kinds(application)
    assert "Document template receipt failed" in caplog.text


def test_docx_holds_the_documents_text_and_table(organ, handler):
    application = factories.accepted(organ, handler)
    receipt = application.documents.get(kind=Kind.RECEIPT)
    word = docx.Document(io.BytesIO(documents.docx_bytes(receipt)))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "政府信息公开申请登记回执" in text
    assert application.number in text
    fee_doc = ApplicationDocument(
        application=application,
        kind=Kind.FEE_NOTICE,
        title="费",
        html="<table><tr><th>项目</th><th>金额</th></tr><tr><td>本月第11件</td><td>100</td></tr></table>",
    )
    table = docx.Document(io.BytesIO(documents.docx_bytes(fee_doc))).tables[0]
    assert table.cell(1, 0).text == "本月第11件" and table.cell(1, 1).text == "100"


@pytest.mark.parametrize(
    "nth, price",
    [(1, 0), (10, 0), (11, 100), (30, 100), (31, 200), (40, 200), (41, 300), (50, 300), (51, 400)],
)
def test_price_of_each_application_in_a_month(nth, price):
    assert fees.price_of_nth_application(nth) == price


def test_a_month_of_45_applications_costs_5500():
    # 1–10 free; 11–30: 20 × 100; 31–40: 10 × 200; 41–45: 5 × 300.
    assert sum(fees.price_of_nth_application(n) for n in range(1, 46)) == 5500


@pytest.mark.parametrize(
    "pages, total",
    [(30, 0), (31, 10), (100, 700), (101, 720), (200, 2700), (250, 4700)],
)
def test_fee_by_pages(pages, total):
    # 1–30 free; 31–100 10元/页; 101–200 20元/页; from 201 40元/页.
    assert fees.by_pages(pages).total == total


def test_the_eleventh_application_of_a_month_gets_a_fee_notice_with_its_computation(
    organ, other_organ, handler
):
    same = {"id_type": "other", "id_number": "TEST-SAME-1"}
    for _ in range(10):
        factories.submitted(organ, **same)
    factories.submitted(other_organ, **same)  # another organ's count
    tenth_plus_one = factories.accepted(organ, handler, **same)
    assert fees.position_in_month(tenth_plus_one) == 11
    services.answer(tenth_plus_one, handler, outcome=Outcome.DISCLOSED, legal_basis=BASIS)
    notice = tenth_plus_one.documents.get(kind=Kind.FEE_NOTICE)
    assert "本月第11件申请" in notice.html
    assert "<td>100</td>" in notice.html
    assert "按件计收" in notice.html


def test_the_tenth_application_has_no_fee(organ, handler):
    same = {"id_type": "other", "id_number": "TEST-SAME-2"}
    for _ in range(9):
        factories.submitted(organ, **same)
    tenth = factories.accepted(organ, handler, **same)
    services.answer(tenth, handler, outcome=Outcome.DISCLOSED, legal_basis=BASIS)
    assert Kind.FEE_NOTICE not in kinds(tenth)


def test_the_history_records_a_document_issued_not_its_text(organ, handler):
    from django.contrib.contenttypes.models import ContentType

    from audit.models import AuditEvent

    application = factories.accepted(organ, handler)
    receipt = application.documents.get(kind=Kind.RECEIPT)
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(ApplicationDocument),
        object_pk=str(receipt.pk),
    )
    assert events.exists()
    for event in events:
        assert "html" not in (event.changes or {})
        assert application.applicant_name not in str(event.changes)
