from django.db import migrations

from portal import statutory


def seed(apps, schema_editor):
    statutory.seed(apps.get_model("portal", "StatutoryColumn"), apps.get_model("notices", "Genre"))


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
