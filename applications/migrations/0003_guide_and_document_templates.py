import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0002_holidays_2025_2026"),
        ("notices", "0009_form_submission"),
    ]

    operations = [
        migrations.CreateModel(
            name="DocumentTemplate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("receipt", "登记回执"), ("correction_notice", "补正告知书"), ("extension_notice", "延期答复告知书"), ("third_party_consultation", "征求第三方意见书"), ("organ_consultation", "征求其他机关意见函"), ("answer", "答复书"), ("fee_notice", "信息处理费缴纳通知")], max_length=30, verbose_name="文书类型")),
                ("outcome_category", models.CharField(blank=True, choices=[("disclosed", "予以公开"), ("partial", "部分公开"), ("refused", "不予公开"), ("unable", "无法提供"), ("not_processed", "不予处理"), ("other", "其他处理")], help_text="只用于答复书：每类办理结果一份模板。其他文书留空。", max_length=20, verbose_name="适用的办理结果")),
                ("title", models.CharField(max_length=100, verbose_name="文书标题")),
                ("body", models.TextField(help_text="HTML，可用 {{ 变量 }} 插入申请的内容，例如 {{ number }}、{{ applicant_name }}、{{ organ_name }}、{{ received_on }}、{{ due_on }}；可用 {% if %} 判断。不能引用其他模板。", verbose_name="模板正文")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
            ],
            options={
                "verbose_name": "文书模板",
                "verbose_name_plural": "文书模板",
                "ordering": ["kind", "outcome_category"],
                "constraints": [
                    models.UniqueConstraint(fields=("kind", "outcome_category"), name="document_template_one_per_kind", violation_error_message="每种文书（答复书按办理结果）只能有一份模板。"),
                    models.CheckConstraint(condition=models.Q(("kind", "answer"), ("outcome_category", ""), _connector="OR"), name="document_template_category_only_answer", violation_error_message="只有答复书按办理结果区分模板。"),
                ],
            },
        ),
        migrations.CreateModel(
            name="ApplicationGuide",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("text", models.TextField(help_text="纯文本，空一行为一段。写明受理机构、地址、办公时间、联系电话和办理流程。", verbose_name="指南正文")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                ("organ", models.OneToOneField(blank=True, help_text="留空为全站通用的指南；选择机关则为该机关自己的指南。", null=True, on_delete=django.db.models.deletion.CASCADE, related_name="application_guide", to="notices.organ", verbose_name="机关")),
            ],
            options={
                "verbose_name": "申请指南",
                "verbose_name_plural": "申请指南",
                "ordering": ["organ__position", "pk"],
                "constraints": [
                    models.UniqueConstraint(django.db.models.functions.comparison.Coalesce("organ", models.Value(0)), name="application_guide_one_general", violation_error_message="全站通用的申请指南只能有一份。"),
                ],
            },
        ),
    ]
