"""Concurrent steps on PostgreSQL: the row lock lets the law's "only once" hold."""

import datetime

import pytest

from applications import services
from applications.models import Application, CorrectionRequest, Extension
from applications.services import ApplicationError
from tests import factories as base
from tests.applications import factories
from tests.notices.test_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = datetime.date


def test_two_handlers_asking_for_correction_at_once_ask_once():
    organ = base.make_organ()
    handlers = [factories.make_handler(organ) for _ in range(2)]
    application = factories.accepted(organ, handlers[0])

    results = run_together(
        2,
        lambda i: services.ask_correction(
            application,
            handlers[i],
            what=f"请补充{i}",
            reply_by=D(2026, 3, 20),
            asked_on=D(2026, 3, 3),
        ),
    )

    assert sum(isinstance(r, Application) for r in results) == 1, results
    assert sum(isinstance(r, ApplicationError) for r in results) == 1, results
    assert CorrectionRequest.objects.count() == 1


def test_two_extensions_at_once_extend_once():
    organ = base.make_organ()
    handlers = [factories.make_handler(organ) for _ in range(2)]
    application = factories.accepted(organ, handlers[0])

    results = run_together(
        2,
        lambda i: services.extend(
            application,
            handlers[i],
            days=10 + i,
            reason="r",
            approved_by="局长",
            approved_on=D(2026, 3, 3),
        ),
    )

    assert sum(isinstance(r, Application) for r in results) == 1, results
    assert Extension.objects.count() == 1


def test_numbers_stay_unique_under_concurrent_submissions():
    organ = base.make_organ()
    results = run_together(
        6, lambda i: services.submit(organ, channel="online", **factories.applicant())[0].number
    )
    assert all(isinstance(r, str) for r in results), results
    assert sorted(int(r.rsplit("-", 1)[1]) for r in results) == list(range(1, 7))
