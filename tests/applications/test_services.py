"""Every transition of an application and every refusal the regulation asks for."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from applications import services
from applications.models import Application, ApplicationEvent, Consultation, Outcome
from applications.services import ApplicationError
from audit.models import AuditEvent
from tests.applications import factories

D = datetime.date
State = Application.State


def test_submission_gets_a_yearly_number_and_a_lookup_code_stored_as_a_hash(organ):
    first, code = services.submit(organ, channel="online", **factories.applicant())
    second, _ = services.submit(organ, channel="online", **factories.applicant())
    year = first.submitted_at.year
    assert first.number == f"{year}-000001" and second.number == f"{year}-000002"
    assert code not in first.lookup_code_hash and len(first.lookup_code_hash) == 64
    assert first.check_lookup_code(code) and first.check_lookup_code(code.lower())
    assert not first.check_lookup_code("AAAAAAAAAA") and not second.check_lookup_code(code)
    assert first.state == State.SUBMITTED and first.events.get().actor is None


def test_submission_without_any_contact_is_refused_in_chinese(organ):
    with pytest.raises(ApplicationError, match="至少留下联系电话或电子邮箱"):
        services.submit(organ, channel="online", **factories.applicant(phone="", email=""))
    assert not Application.objects.exists()


def test_organization_must_give_its_kind(organ):
    fields = factories.applicant(applicant_type=Application.ApplicantType.ORGANIZATION)
    with pytest.raises(ApplicationError, match="法人或其他组织须选择类别"):
        services.submit(organ, channel="online", **fields)
    fields["organization_kind"] = Application.OrganizationKind.LEGAL_SERVICE
    application, _ = services.submit(organ, channel="online", **fields)
    assert application.get_organization_kind_display() == "法律服务机构"


def test_letters_are_entered_by_a_handler_only(organ, handler):
    with pytest.raises(ApplicationError, match="须由申请办理人登记"):
        services.submit(organ, channel="letter", **factories.applicant())
    assert factories.submitted(organ, actor=handler).channel == "letter"


def test_register_sets_receipt_and_due_date(organ, handler):
    application = factories.accepted(organ, handler, received_on=D(2026, 2, 13))
    assert application.state == State.ACCEPTED
    assert application.due_on == D(2026, 3, 19)  # across 春节 with its 调休 Saturdays
    event = application.events.last()
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        "registered",
        State.SUBMITTED,
        State.ACCEPTED,
        handler,
    )


def test_holiday_receipt_counts_from_the_next_working_day(organ, handler):
    application = factories.accepted(organ, handler, received_on=D(2026, 10, 3))
    assert application.clock_started_on == D(2026, 10, 8)
    assert application.due_on == D(2026, 11, 4)


def test_register_refuses_a_future_date_and_a_second_registration(organ, handler):
    application = factories.submitted(organ, actor=handler)
    with pytest.raises(ApplicationError, match="不能晚于今天"):
        services.register(application, handler, received_on=D(2999, 1, 1))
    services.register(application, handler, received_on=D(2026, 3, 2))
    with pytest.raises(ApplicationError, match="只有待登记的申请"):
        services.register(application, handler, received_on=D(2026, 3, 2))


def test_online_application_cannot_be_received_before_it_was_submitted(organ, handler):
    application = factories.submitted(organ)
    with pytest.raises(ApplicationError, match="不能早于提交日期"):
        services.register(application, handler, received_on=D(2020, 1, 2))


def test_correction_stops_the_clock_and_restarts_it_on_receipt(organ, handler):
    application = factories.accepted(organ, handler)  # received Monday 2 March 2026
    assert application.due_on == D(2026, 3, 30)
    application = services.ask_correction(
        application,
        handler,
        what="请写明文件的文号。",
        reply_by=D(2026, 3, 20),
        asked_on=D(2026, 3, 11),
    )
    assert application.state == State.AWAITING_CORRECTION and application.due_on is None
    application = services.record_correction(
        application, handler, content="文号为测试〔2026〕1号。", received_on=D(2026, 3, 16)
    )
    assert application.state == State.CORRECTED
    assert application.clock_started_on == D(2026, 3, 16)
    assert application.due_on == D(2026, 4, 14)  # 清明 4–6 April not counted


def test_correction_may_be_asked_only_within_seven_working_days(organ, handler):
    application = factories.accepted(organ, handler)
    with pytest.raises(ApplicationError, match=r"7个工作日内.*2026年3月11日"):
        services.ask_correction(
            application, handler, what="请补充。", reply_by=D(2026, 3, 30), asked_on=D(2026, 3, 12)
        )


def test_correction_may_be_asked_only_once(organ, handler):
    application = factories.accepted(organ, handler)
    services.ask_correction(
        application, handler, what="请补充。", reply_by=D(2026, 3, 20), asked_on=D(2026, 3, 3)
    )
    services.record_correction(application, handler, content="补充", received_on=D(2026, 3, 5))
    with pytest.raises(ApplicationError, match="补正只能要求一次"):
        services.ask_correction(
            application, handler, what="再补充。", reply_by=D(2026, 3, 20), asked_on=D(2026, 3, 6)
        )


def test_correction_needs_what_and_a_later_reply_date(organ, handler):
    application = factories.accepted(organ, handler)
    with pytest.raises(ApplicationError, match="需要补正的事项"):
        services.ask_correction(
            application, handler, what=" ", reply_by=D(2026, 3, 20), asked_on=D(2026, 3, 3)
        )
    with pytest.raises(ApplicationError, match="补正期限须晚于"):
        services.ask_correction(
            application, handler, what="请补充。", reply_by=D(2026, 3, 3), asked_on=D(2026, 3, 3)
        )


def test_deem_abandoned_only_after_the_correction_period(organ, handler):
    application = factories.accepted(organ, handler)
    with pytest.raises(ApplicationError, match="只有需补正的申请"):
        services.deem_abandoned(application, handler)
    services.ask_correction(
        application, handler, what="请补充。", reply_by=D(2999, 1, 1), asked_on=D(2026, 3, 3)
    )
    with pytest.raises(ApplicationError, match="届满前，不能视为放弃"):
        services.deem_abandoned(application, handler)
    application.correction.reply_by = D(2026, 3, 20)
    application.correction.save()
    application = services.deem_abandoned(application, handler)
    assert application.state == State.ABANDONED
    assert application.outcome == Outcome.NO_CORRECTION
    with pytest.raises(ApplicationError, match="已视为放弃"):
        services.answer(application, handler, outcome=Outcome.DISCLOSED, legal_basis="第二十七条")


def test_consultation_time_is_not_counted(organ, handler):
    application = factories.accepted(organ, handler)
    application = services.start_consultation(
        application,
        handler,
        kind=Consultation.Kind.THIRD_PARTY,
        party="某测试公司",
        started_on=D(2026, 3, 4),
    )
    assert application.state == State.CONSULTING_THIRD_PARTY
    assert application.excluded_days == 15  # projected: the full 15 working days
    assert application.consultations.get().reply_by == D(2026, 3, 25)
    with pytest.raises(ApplicationError, match="征求意见尚未结束"):
        services.answer(application, handler, outcome=Outcome.DISCLOSED, legal_basis="第二十七条")
    application = services.finish_consultation(
        application, handler, opinion="同意公开。", finished_on=D(2026, 3, 9)
    )
    assert application.state == State.ACCEPTED
    assert application.excluded_days == 3
    assert application.due_on == D(2026, 4, 2)


def test_consultation_of_another_organ_and_only_one_at_a_time(organ, handler):
    application = factories.accepted(organ, handler)
    application = services.start_consultation(
        application, handler, kind=Consultation.Kind.ORGAN, party="测试局", started_on=D(2026, 3, 4)
    )
    assert application.state == State.CONSULTING_ORGAN
    with pytest.raises(ApplicationError, match="只有办理中的申请可以征求意见"):
        services.start_consultation(application, handler, kind="organ", party="另一局")
    with pytest.raises(ApplicationError, match="不能早于发出日期"):
        services.finish_consultation(application, handler, finished_on=D(2026, 3, 3))


def test_extension_once_by_at_most_20_days_with_approval(organ, handler):
    application = factories.accepted(organ, handler)
    fields = {
        "reason": "涉及档案检索。",
        "approved_by": "测试局局长",
        "approved_on": D(2026, 3, 20),
    }
    with pytest.raises(ApplicationError, match="最长不得超过20个工作日"):
        services.extend(application, handler, days=21, **fields)
    with pytest.raises(ApplicationError, match="负责人同意"):
        services.extend(application, handler, days=20, **{**fields, "approved_by": " "})
    application = services.extend(application, handler, days=20, **fields)
    assert application.state == State.EXTENDED
    assert application.due_on == D(2026, 4, 28)
    assert application.extension.approved_by == "测试局局长"
    with pytest.raises(ApplicationError, match="只能延长一次"):
        services.extend(application, handler, days=1, **fields)


def test_extension_after_the_due_date_is_refused(organ, handler):
    application = factories.accepted(organ, handler)
    with pytest.raises(ApplicationError, match="届满前决定"):
        services.extend(
            application,
            handler,
            days=5,
            reason="理由",
            approved_by="局长",
            approved_on=D(2026, 4, 1),
        )


def test_answer_records_outcome_and_basis_and_partial_needs_what_was_withheld(organ, handler):
    application = factories.accepted(organ, handler)
    with pytest.raises(ApplicationError, match="法律依据"):
        services.answer(application, handler, outcome=Outcome.DISCLOSED, legal_basis="")
    with pytest.raises(ApplicationError, match="不予公开的部分及理由"):
        services.answer(application, handler, outcome=Outcome.PARTIAL, legal_basis="第三十七条")
    with pytest.raises(ApplicationError, match="视为放弃"):
        services.answer(application, handler, outcome=Outcome.NO_CORRECTION, legal_basis="第三十条")
    with pytest.raises(ApplicationError, match="只适用于已补正"):
        services.answer(application, handler, outcome=Outcome.STILL_UNCLEAR, legal_basis="第三十条")
    application = services.answer(
        application,
        handler,
        outcome=Outcome.PARTIAL,
        legal_basis="《条例》第三十七条",
        withheld="第三页涉及个人隐私。",
        answered_on=D(2026, 3, 20),
    )
    assert application.state == State.ANSWERED and application.outcome_category == "partial"
    assert application.due_on == D(2026, 3, 30)  # kept for the report
    with pytest.raises(ApplicationError, match="只有办理中的申请可以答复"):
        services.answer(application, handler, outcome=Outcome.DISCLOSED, legal_basis="x")


def test_decline_takes_only_the_five_not_processed_rows(organ, handler):
    application = factories.accepted(organ, handler)
    with pytest.raises(ApplicationError, match="不予处理"):
        services.decline(application, handler, outcome=Outcome.DISCLOSED, legal_basis="x")
    application = services.decline(
        application, handler, outcome=Outcome.PETITION, legal_basis="《条例》第三十九条"
    )
    assert application.state == State.ANSWERED and application.outcome_category == "not_processed"


def test_archive_only_after_an_answer(organ, handler):
    application = factories.accepted(organ, handler)
    with pytest.raises(ApplicationError, match="只有已答复或视为放弃"):
        services.archive(application, handler)
    services.answer(application, handler, outcome=Outcome.NOT_HELD, legal_basis="第三十六条")
    application = services.archive(application, handler)
    assert application.state == State.ARCHIVED and application.archived_on is not None
    actions = list(application.events.values_list("action", flat=True))
    assert actions == ["submitted", "registered", "answered", "archived"]


def test_events_are_append_only(organ, handler):
    event = factories.accepted(organ, handler).events.first()
    event.comment = "改写"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    assert ApplicationEvent.objects.filter(comment="改写").count() == 0


def test_every_change_is_in_the_audit_history(organ, handler):
    application = factories.accepted(organ, handler)
    content_type = ContentType.objects.get_for_model(Application)
    events = AuditEvent.objects.filter(content_type=content_type, object_pk=str(application.pk))
    assert events.count() == 2  # created, then registered
    assert all("lookup_code_hash" not in (event.changes or {}) for event in events)


def test_database_refuses_a_second_extension_even_outside_the_service(organ, handler):
    from django.db import IntegrityError, transaction

    from applications.models import Extension

    application = factories.accepted(organ, handler)
    fields = {"days": 5, "reason": "r", "approved_by": "局长", "approved_on": D(2026, 3, 3)}
    Extension.objects.create(application=application, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Extension.objects.create(application=application, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Extension.objects.filter(application=application).update(days=25)


def test_applicants_identifiers_are_masked_in_the_audit_history(organ, handler):
    application = factories.accepted(
        organ, handler, id_number="TESTSECRET12", phone="13800000000", applicant_name="示例申请人张"
    )
    content_type = ContentType.objects.get_for_model(Application)
    created = AuditEvent.objects.get(
        content_type=content_type, object_pk=str(application.pk), action=AuditEvent.Action.CREATE
    )
    text = str(created.changes)
    assert "TESTSECRET12" not in text and "13800000000" not in text
    assert "示例申请人张" not in text
    assert application.description in text
