"""Work of the applications app run by the task queue (django-tasks; ``manage.py db_worker``)."""

from django_tasks import task


@task()
def send_step_mail(event_id: int) -> bool:
    """Mail the applicant about one step of their application."""
    from applications import notifications

    return notifications.send_for_event(event_id)
