"""Background work of the checks, run by the task queue (django-tasks; ``manage.py db_worker``)."""

from django_tasks import task


@task()
def check_notice_links(notice_id: int) -> str:
    """Check the links of one notice's body (asked for from its admin page); the summary."""
    from editorial_checks import link_reports, links
    from notices.models import Notice

    notices = Notice.objects.filter(pk=notice_id)
    return str(link_reports.check_notices(notices, links.Checker()))


@task()
def check_published_links() -> str:
    """Check the links of every published notice, as ``manage.py check_links`` does (queued by
    the schedule, core/schedule.py); the summary."""
    from editorial_checks import link_reports, links

    return str(link_reports.check_published(links.Checker()))
