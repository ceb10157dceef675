from django.db import migrations, models

from notices.models import topic_path


def fill_paths(apps, schema_editor):
    """Every topic's path, from the top of the tree down (each level after the one above)."""
    Topic = apps.get_model("notices", "Topic")
    topics = Topic.objects.using(schema_editor.connection.alias)
    rows = list(topics.values_list("pk", "name", "parent_id"))
    paths: dict[int, str] = {}
    level = {None: ""}
    while level:
        next_level = {}
        for pk, name, parent_id in rows:
            if parent_id in level and pk not in paths:
                paths[pk] = next_level[pk] = topic_path(level[parent_id], name)
        level = next_level
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
