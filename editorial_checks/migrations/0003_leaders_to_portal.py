"""The leaders' names and titles move to portal.Leader, the one list that the 机构信息 pages
show and the checks read. A leader of this list whose name and title an organ's page already
has (and who is in office) gives that row the wrong forms of the name; any other becomes a
leader of no organ, with the same title, wrong forms, order and state, so that no row is lost."""

from django.db import migrations


def names(forms: str) -> list[str]:
    return forms.replace("，", " ").replace(",", " ").split()


def forwards(apps, schema_editor):
    old = apps.get_model("editorial_checks", "Leader")
    new = apps.get_model("portal", "Leader")
    for leader in old.objects.order_by("position", "pk"):
        on_pages = new.objects.filter(name=leader.name, post=leader.title, current=True)
        if leader.active and on_pages.exists():
            for row in on_pages:
                forms = [*names(row.wrong_forms), *names(leader.wrong_forms)]
                row.wrong_forms = " ".join(dict.fromkeys(forms))
                row.save(update_fields=["wrong_forms"])
            continue
        new.objects.create(
            profile=None,
            name=leader.name,
            post=leader.title,
            wrong_forms=leader.wrong_forms,
            current=leader.active,
            position=leader.position,
        )


def backwards(apps, schema_editor):
    old = apps.get_model("editorial_checks", "Leader")
    new = apps.get_model("portal", "Leader")
    for leader in new.objects.exclude(profile__isnull=False, wrong_forms="").order_by("pk"):
        old.objects.get_or_create(
            name=leader.name,
            defaults={
                "title": leader.post,
                "wrong_forms": leader.wrong_forms,
                "position": leader.position,
                "active": leader.current,
            },
        )
    new.objects.filter(profile__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("editorial_checks", "0002_starter_word_list"),
        ("portal", "0003_leader_kept_once"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
