"""Tasks the schedule's tests queue: one that works and one that fails."""

from django_tasks import task


@task()
def probe() -> str:
    return "探针已运行"


@task()
def failing() -> str:
    raise RuntimeError("故意失败")
