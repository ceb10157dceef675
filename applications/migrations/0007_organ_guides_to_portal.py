"""An organ's 申请指南 becomes the 申请方式和程序 of its 政府信息公开指南 (portal.DisclosureGuide),
the one guide per organ that both the 指南 page and the 依申请公开 page show. The plain text
is kept, paragraph by paragraph: it fills an empty 申请方式和程序, is added after one that does
not contain it yet, or starts the organ's guide (its office and contact fields left to fill)."""

from django.db import migrations
from django.utils.html import linebreaks


def forwards(apps, schema_editor):
    old = apps.get_model("applications", "ApplicationGuide")
    guides = apps.get_model("portal", "DisclosureGuide")
    for row in old.objects.filter(organ__isnull=False).order_by("pk"):
        html = linebreaks(row.text, autoescape=True)
        guide = guides.objects.filter(organ_id=row.organ_id).first()
        if guide is None:
            guides.objects.create(organ_id=row.organ_id, how_to_apply=html)
        elif row.text.strip() not in guide.how_to_apply:
            guide.how_to_apply = f"{guide.how_to_apply}\n{html}" if guide.how_to_apply else html
            guide.save()
        row.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0006_queue_order_indexes"),
        ("portal", "0003_leader_kept_once"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
