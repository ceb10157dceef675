from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app of the project uses and that belongs to none of them: the page cache,
    pagination, text and upload rules, the Jinja2 environment, the policy and reliability
    middleware, the built-in schedule of periodic jobs. It imports no other app of the project."""

    name = "core"
    verbose_name = "门户基础"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started
        from django.db.models.signals import post_migrate
        from django_tasks.signals import task_finished, task_started

        from core import admin_labels, connection_checks, schedule

        # The permissions the history and the admin show, named in Chinese once they exist.
        post_migrate.connect(
            admin_labels.name_permissions_after_migrate, dispatch_uid="core.admin_labels"
        )
        # Kept database connections checked after they were idle, not before every request.
        request_started.connect(
            connection_checks.check_idle_connections, dispatch_uid="core.connection_checks"
        )
        request_finished.connect(
            connection_checks.note_finished_requests, dispatch_uid="core.connection_checks"
        )
        # A scheduled job's outcome, written on its row when the worker runs its task.
        task_started.connect(schedule.record_started, dispatch_uid="core.schedule")
        task_finished.connect(schedule.record_finished, dispatch_uid="core.schedule")
