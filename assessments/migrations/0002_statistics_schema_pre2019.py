"""The disclosure-statistics form used before 2019, as reference data (the seed's figures)."""

from django.db import migrations

NAME = "政府信息公开统计（2019年以前）"
ITEMS = [
    ("proactive_total", "主动公开政府信息总数", None),
    ("proactive_gazette", "通过政府公报公开", "proactive_total"),
    ("proactive_portal", "通过政府门户网站公开", "proactive_total"),
    ("proactive_weibo", "通过微博公开", "proactive_total"),
    ("proactive_wechat", "通过微信及客户端公开", "proactive_total"),
    ("proactive_other", "通过其他渠道公开", "proactive_total"),
    ("requests_total", "收到政府信息公开申请总数", None),
    ("requests_in_person", "当面申请", "requests_total"),
    ("requests_fax", "传真申请", "requests_total"),
    ("requests_online", "网络申请", "requests_total"),
    ("requests_letter", "信函申请", "requests_total"),
    ("outcome_already_public", "属于主动公开", "requests_total"),
    ("outcome_granted", "同意公开", "requests_total"),
    ("outcome_partly_granted", "同意部分公开", "requests_total"),
    ("outcome_refused", "不同意公开", "requests_total"),
    ("outcome_not_this_organ", "不属于本行政机关公开", "requests_total"),
    ("outcome_not_exist", "申请信息不存在", "requests_total"),
    ("outcome_to_amend", "告知作出更改补充", "requests_total"),
    ("outcome_other_channel", "告知通过其他途径办理", "requests_total"),
]
CHECKS = [
    ("主动公开：各渠道之和等于总数", ["proactive_total"], "proactive_"),
    ("依申请公开：各申请方式之和等于申请总数", ["requests_total"], "requests_"),
    ("依申请公开：各办理结果之和等于申请总数", ["requests_total"], "outcome_"),
]


def create(apps, schema_editor):
    schema_model = apps.get_model("assessments", "StatisticSchema")
    item_model = apps.get_model("assessments", "StatisticItem")
    check_model = apps.get_model("assessments", "StatisticCheck")
    schema, _ = schema_model.objects.get_or_create(
        name=NAME,
        defaults={"description": "主动公开按渠道、依申请公开按申请方式和办理结果统计。"},
    )
    items = {}
    for position, (code, name, parent) in enumerate(ITEMS):
        items[code], _ = item_model.objects.get_or_create(
            schema=schema,
            code=code,
            defaults={"name": name, "parent": items.get(parent), "position": position},
        )
    for name, left, prefix in CHECKS:
        check, created = check_model.objects.get_or_create(schema=schema, name=name)
        if created:
            check.left.set(items[code] for code in left)
            parts = [i for c, i in items.items() if c.startswith(prefix) and c not in left]
            check.right.set(parts)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
