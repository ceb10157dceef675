"""Background work that belongs to no app, run by the task queue (django-tasks;
``manage.py db_worker``) when the schedule (core/schedule.py) queues it."""

from django_tasks import task


@task()
def prune_task_results() -> str:
    """Remove the task queue's finished results past their age, as ``manage.py
    prune_db_task_results`` does (it is that command, with its defaults)."""
    from django.core.management import call_command

    call_command("prune_db_task_results", verbosity=0)
    return "已清理过期的后台任务记录"
