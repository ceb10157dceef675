"""Concurrent publication on PostgreSQL: row locks keep 索引号 unique and approvals single."""

import threading

import pytest
from django.db import close_old_connections, connection

from notices import workflow
from notices.models import Notice
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(count: int, action) -> list:
    """Start ``count`` threads at the same instant; return what each returned or raised."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def work(index: int) -> None:
        try:
            barrier.wait()
            results[index] = action(index)
        except Exception as error:  # the test inspects what each thread got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()
    return results


def test_index_numbers_stay_unique_under_concurrent_publication():
    organ = factories.make_organ(code="000014349")
    editor = factories.make_editor(organ)
    reviewers = [factories.make_reviewer(organ) for _ in range(8)]
    waiting = [factories.make_notice(organ, editor, reviewers[0], "in_review") for _ in range(8)]

    results = run_together(8, lambda i: workflow.approve(waiting[i], reviewers[i]).index_number)

    assert all(isinstance(result, str) for result in results), results
    assert len(set(results)) == 8
    serials = sorted(int(number.rsplit("-", 1)[1]) for number in results)
    assert serials == list(range(1, 9))


def test_two_reviewers_approving_the_same_notice_publish_it_once():
    organ = factories.make_organ()
    editor = factories.make_editor(organ)
    reviewers = [factories.make_reviewer(organ) for _ in range(2)]
    notice = factories.make_notice(organ, editor, reviewers[0], "in_review")

    results = run_together(2, lambda i: workflow.approve(notice, reviewers[i]))

    published = [r for r in results if isinstance(r, Notice)]
    refused = [r for r in results if isinstance(r, workflow.WorkflowError)]
    assert len(published) == 1 and len(refused) == 1, results
    notice.refresh_from_db()
    assert notice.versions.count() == 1
    assert notice.events.filter(action="published").count() == 1
