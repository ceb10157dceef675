"""Scheduled notices are indexed by a task queued for their time (search.tasks); those
scheduled before that have no task yet: queue one for each, as their approval now does."""

from django.db import migrations


def queue_pending(apps, schema_editor):
    from search import tasks

    PendingPublication = apps.get_model("search", "PendingPublication")
    for due_at in PendingPublication.objects.order_by("due_at").values_list("due_at", flat=True):
        tasks.index_at(due_at)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0006_sample_indexes_with_ordinals"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(queue_pending, migrations.RunPython.noop)]
