from django.db import migrations, models

from notices.models import paths_below


def fill_paths(apps, schema_editor):
    """Every topic's path, from the top of the tree down."""
    Topic = apps.get_model("notices", "Topic")
    topics = Topic.objects.using(schema_editor.connection.alias)
    paths = paths_below({None: ""}, list(topics.values_list("pk", "name", "parent_id")))
    topics.bulk_update([Topic(pk=pk, path=path) for pk, path in paths.items()], ["path"])


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0006_body_seal"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="topic",
            options={
                "ordering": ["position", "name", "pk"],
                "verbose_name": "主题分类",
                "verbose_name_plural": "主题分类",
            },
        ),
        migrations.AddField(
            model_name="topic",
            name="path",
            field=models.TextField(default="", editable=False, verbose_name="完整路径"),
        ),
        migrations.RunPython(fill_paths, migrations.RunPython.noop),
    ]
