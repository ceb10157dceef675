"""The audit history's background work, run by the task queue (django-tasks; ``manage.py
db_worker``) when the schedule (core/schedule.py) queues it."""

from django_tasks import task


@task()
def record_checkpoint() -> str:
    """Sign the history as it stands and write the checkpoint outside the database, as
    ``manage.py audit_checkpoint`` does; a refusal (CheckpointError) fails the task."""
    from audit import chain

    checkpoint = chain.record_checkpoint()
    return f"共 {checkpoint.sequence} 条，链头 {checkpoint.hash}"
