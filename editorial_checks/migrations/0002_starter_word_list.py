from django.db import migrations


def seed(apps, schema_editor):
    from editorial_checks.word_list import seed

    seed(apps.get_model("editorial_checks", "WordRule"))


class Migration(migrations.Migration):
    dependencies = [("editorial_checks", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
