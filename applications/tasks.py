"""Work of the applications app run by the task queue (django-tasks; ``manage.py db_worker``)."""

from django_tasks import task


@task()
def send_step_mail(event_id: int) -> bool:
    """Mail the applicant about one step of their application."""
    from applications import notifications

    return notifications.send_for_event(event_id)


@task()
def delete_expired_identity_documents() -> int:
    """Delete the identity documents whose retention period has ended (applications/retention.py);
    returns how many files were deleted."""
    from applications import retention

    return retention.delete_expired()
