"""The State Council's holiday arrangements for 2025 (国办发明电〔2024〕12号) and 2026
(国办发明电〔2025〕7号), written out here so the migration does not depend on a package's
version. Later years: ``manage.py seed_holidays YEAR`` or the admin."""

import datetime

from django.db import migrations

# name, first and last day off, make-up working days (调休上班)
ARRANGEMENTS = [
    ("元旦", "2025-01-01", "2025-01-01", []),
    ("春节", "2025-01-28", "2025-02-04", ["2025-01-26", "2025-02-08"]),
    ("清明节", "2025-04-04", "2025-04-06", []),
    ("劳动节", "2025-05-01", "2025-05-05", ["2025-04-27"]),
    ("端午节", "2025-05-31", "2025-06-02", []),
    ("国庆节、中秋节", "2025-10-01", "2025-10-08", ["2025-09-28", "2025-10-11"]),
    ("元旦", "2026-01-01", "2026-01-03", ["2026-01-04"]),
    ("春节", "2026-02-15", "2026-02-23", ["2026-02-14", "2026-02-28"]),
    ("清明节", "2026-04-04", "2026-04-06", []),
    ("劳动节", "2026-05-01", "2026-05-05", ["2026-05-09"]),
    ("端午节", "2026-06-19", "2026-06-21", []),
    ("中秋节", "2026-09-25", "2026-09-27", []),
    ("国庆节", "2026-10-01", "2026-10-07", ["2026-09-20", "2026-10-10"]),
]


def seed(apps, schema_editor):
    day_model = apps.get_model("applications", "CalendarDay")
    rows = []
    for name, first, last, workdays in ARRANGEMENTS:
        day = datetime.date.fromisoformat(first)
        while day <= datetime.date.fromisoformat(last):
            rows.append(day_model(day=day, kind="holiday", name=name))
            day += datetime.timedelta(days=1)
        rows += [
            day_model(day=datetime.date.fromisoformat(d), kind="workday", name=name)
            for d in workdays
        ]
    day_model.objects.bulk_create(rows, ignore_conflicts=True)


def unseed(apps, schema_editor):
    apps.get_model("applications", "CalendarDay").objects.filter(
        day__year__in=[2025, 2026]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("applications", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
