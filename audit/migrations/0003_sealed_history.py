"""Seal the history: every column hashed, a keyed seal per event, TRUNCATE refused.

Events already written keep their hashes (hash_version 1, no seal); the chain head remembers
where sealed events begin, and the first checkpoint signs that.
"""

from django.db import migrations, models

TRIGGERS = """
CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_chainhead_no_delete
    BEFORE DELETE ON audit_chainhead
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_chainhead_no_truncate
    BEFORE TRUNCATE ON audit_chainhead
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
"""
DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_chainhead_no_delete ON audit_chainhead;
DROP TRIGGER IF EXISTS audit_chainhead_no_truncate ON audit_chainhead;
"""


def seal_from_here(apps, schema_editor):
    ChainHead = apps.get_model("audit", "ChainHead")
    ChainHead.objects.filter(pk=1).update(sealed_from=models.F("sequence") + 1)


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGERS, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGERS, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="hash_version",
            field=models.PositiveSmallIntegerField(default=1, editable=False, verbose_name="哈希版本"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash_version",
            field=models.PositiveSmallIntegerField(default=2, editable=False, verbose_name="哈希版本"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seal",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="封印"),
        ),
        migrations.AddField(
            model_name="chainhead",
            name="sealed_from",
            field=models.PositiveBigIntegerField(
                default=1, help_text="The first event hashed over every column and sealed."
            ),
        ),
        migrations.RunPython(seal_from_here, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
