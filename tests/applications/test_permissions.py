"""Who may handle and who may read an application, from both sides."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from applications import appeals, services
from applications.models import Outcome
from applications.services import ApplicationError
from tests import factories as base
from tests.applications import factories

D = datetime.date


def test_handler_of_the_organ_may_handle_and_read(organ, handler):
    application = factories.accepted(organ, handler)
    assert services.can_handle(handler, organ.pk) and services.can_view(handler, application)


@pytest.mark.parametrize("who", ["other_handler", "auditor", "editor", "reviewer"])
def test_others_may_not_handle(request, organ, handler, who):
    user = request.getfixturevalue(who)
    application = factories.accepted(organ, handler)
    with pytest.raises(PermissionDenied, match="申请办理人"):
        services.answer(application, user, outcome=Outcome.DISCLOSED, legal_basis="第二十七条")
    with pytest.raises(PermissionDenied):
        services.register(factories.submitted(organ), user)
    with pytest.raises(PermissionDenied):
        services.submit(organ, channel="letter", actor=user, **factories.applicant())
    application.refresh_from_db()
    assert application.state == application.State.ACCEPTED


def test_site_admin_may_handle_any_organ(organ, other_organ, handler, site_admin):
    application = factories.accepted(other_organ, factories.make_handler(other_organ))
    services.answer(application, site_admin, outcome=Outcome.DISCLOSED, legal_basis="第二十七条")
    assert services.can_view(site_admin, application)


@pytest.mark.parametrize(
    ("who", "sees"),
    [("auditor", True), ("site_admin", True), ("other_handler", False), ("editor", False)],
)
def test_who_reads_applicants_data(request, organ, handler, who, sees):
    application = factories.accepted(organ, handler)
    assert services.can_view(request.getfixturevalue(who), application) is sees


def test_inactive_or_non_staff_handler_is_refused(organ):
    handler = factories.make_handler(organ)
    handler.is_active = False
    handler.save()
    assert not services.can_handle(handler, organ.pk)
    plain = base.make_user(None, [organ])
    assert not services.can_handle(plain, organ.pk)


def test_review_and_lawsuits_are_recorded_after_an_answer(organ, handler, other_handler):
    application = factories.accepted(organ, handler)
    with pytest.raises(ApplicationError, match="尚未答复"):
        appeals.record_review(application, handler, filed_on=D(2026, 4, 1), body="测试市人民政府")
    services.answer(application, handler, outcome=Outcome.NOT_HELD, legal_basis="第三十六条")
    with pytest.raises(PermissionDenied):
        appeals.record_review(application, other_handler, filed_on=D(2026, 4, 1), body="x")
    review = appeals.record_review(
        application, handler, filed_on=D(2026, 4, 1), body="测试市人民政府"
    )
    with pytest.raises(ApplicationError, match="不能早于"):
        appeals.decide_review(review, handler, outcome="upheld", decided_on=D(2026, 3, 1))
    review = appeals.decide_review(review, handler, outcome="upheld", decided_on=D(2026, 5, 1))
    assert review.get_outcome_display() == "结果维持"
    after = appeals.record_lawsuit(
        application, handler, filed_on=D(2026, 5, 10), court="测试法院", review=review
    )
    direct = appeals.record_lawsuit(application, handler, filed_on=D(2026, 5, 11), court="测试法院")
    assert (
        after.get_route_display() == "复议后起诉"
        and direct.get_route_display() == "未经复议直接起诉"
    )
    assert direct.outcome == "pending"
