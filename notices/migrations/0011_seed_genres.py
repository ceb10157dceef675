"""The genres as data: the kinds of GB/T 9704 and the 党政机关公文处理工作条例, and the disclosure
catalogue's own kinds. Every genre code already on a notice keeps its meaning (the codes of the
former fixed list are kept); notices not proactively disclosed get a reason where they had none,
since the reason is now required for 依申请公开 as for 不予公开."""

from django.db import migrations

from notices import genres

REASON_BEFORE_REQUIRED = "（公开属性于要求填写理由之前设定，请补充理由）"


def seed(apps, schema_editor):
    Genre = apps.get_model("notices", "Genre")
    Notice = apps.get_model("notices", "Notice")
    genres.seed(Genre)
    known = set(Genre.objects.values_list("code", flat=True))
    # A code no longer in the list (there should be none) becomes a retired genre of its own.
    for code in Notice.objects.exclude(genre__in=known).values_list("genre", flat=True).distinct():
        Genre.objects.create(code=code, name=code, position=1000, active=False)
        known.add(code)
    Notice.objects.exclude(disclosure="proactive").filter(withheld_reason="").update(
        withheld_reason=REASON_BEFORE_REQUIRED
    )


class Migration(migrations.Migration):

    dependencies = [
        ("notices", "0010_genres_disclosure_sent_back"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
