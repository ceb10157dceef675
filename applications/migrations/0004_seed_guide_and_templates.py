"""The general 申请指南 and one template for each document, which site admins then edit."""

from django.db import migrations

HEADER = '<h2 class="text-center">{{ organ_name }}</h2>\n'
SIGNATURE = '<p class="text-right">{{ organ_name }}</p>\n<p class="text-right">{{ today }}</p>\n'
RIGHTS = (
    "<p>如对本答复不服，可以自收到本答复之日起六十日内依法申请行政复议，"
    "或者在六个月内依法向人民法院提起行政诉讼。</p>\n"
)

GUIDE = """公民、法人或者其他组织可以向本平台所列行政机关申请获取政府信息（《中华人民共和国政府信息公开条例》第二十七条）。

申请时请填写：申请人的姓名或者名称、身份证明、联系方式；申请公开的政府信息的名称、文号或者便于查询的其他特征性描述；获取信息的方式和载体形式（条例第二十九条）。

网上提交后，页面会显示申请编号和查询码，请妥善保存；查询码只显示一次。凭申请编号和查询码可以随时查询办理进度、告知书和答复。

行政机关自收到申请之日起20个工作日内答复；需要延长的，经负责人同意可延长不超过20个工作日。需要补正的，期限自收到补正之日起计算；征求第三方或其他机关意见的时间不计算在期限内。

申请人一个自然月内申请数量超过10件的，按《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）收取信息处理费。"""

TEMPLATES = [
    (
        "receipt",
        "",
        "政府信息公开申请登记回执",
        HEADER + '<h3 class="text-center">政府信息公开申请登记回执</h3>\n'
        "<p>{{ applicant_name }}：</p>\n"
        "<p>本机关已于{{ received_on }}收到您提交的政府信息公开申请（申请编号：{{ number }}），"
        "所需信息为：{{ description }}。</p>\n"
        "<p>根据《中华人民共和国政府信息公开条例》第三十三条，本机关将于{{ due_on }}前作出答复。"
        "您可以凭申请编号和查询码在本网站“依申请公开·申请查询”页面（{{ lookup_url }}）"
        "查询办理进度。</p>\n" + SIGNATURE,
    ),
    (
        "correction_notice",
        "",
        "政府信息公开申请补正告知书",
        HEADER + '<h3 class="text-center">补正告知书</h3>\n'
        "<p>{{ applicant_name }}：</p>\n"
        "<p>本机关于{{ received_on }}收到您的政府信息公开申请（申请编号：{{ number }}）。"
        "根据《中华人民共和国政府信息公开条例》第三十条，请您对以下事项作出补正：</p>\n"
        "<p>{{ correction_what }}</p>\n"
        "<p>请于{{ correction_reply_by }}前提交补正材料。答复期限自本机关收到补正之日起计算；"
        "无正当理由逾期不补正的，视为放弃申请，本机关不再处理该申请。</p>\n" + SIGNATURE,
    ),
    (
        "extension_notice",
        "",
        "政府信息公开申请延期答复告知书",
        HEADER + '<h3 class="text-center">延期答复告知书</h3>\n'
        "<p>{{ applicant_name }}：</p>\n"
        "<p>您的政府信息公开申请（申请编号：{{ number }}）因{{ extension_reason }}，"
        "不能在规定期限内答复。根据《中华人民共和国政府信息公开条例》第三十三条第二款，"
        "经本机关政府信息公开工作机构负责人同意，答复期限延长{{ extension_days }}个工作日，"
        "本机关将于{{ due_on }}前作出答复。</p>\n" + SIGNATURE,
    ),
    (
        "third_party_consultation",
        "",
        "征求第三方意见书",
        HEADER + '<h3 class="text-center">征求第三方意见书</h3>\n'
        "<p>{{ consultation_party }}：</p>\n"
        "<p>本机关收到一件政府信息公开申请（申请编号：{{ number }}），申请公开的政府信息可能"
        "涉及您的商业秘密或个人隐私。根据《中华人民共和国政府信息公开条例》第三十二条，"
        "现书面征求您的意见，请于{{ consultation_reply_by }}前提出意见；逾期未提出意见的，"
        "由本机关依照条例的规定决定是否公开。</p>\n" + SIGNATURE,
    ),
    (
        "organ_consultation",
        "",
        "征求其他机关意见函",
        HEADER + '<h3 class="text-center">征求意见函</h3>\n'
        "<p>{{ consultation_party }}：</p>\n"
        "<p>本机关收到一件政府信息公开申请（申请编号：{{ number }}），所需信息为："
        "{{ description }}。根据《中华人民共和国政府信息公开条例》第三十四条，"
        "现征求贵机关意见，请于{{ consultation_reply_by }}前回复。</p>\n" + SIGNATURE,
    ),
    (
        "answer",
        "disclosed",
        "政府信息公开申请答复书（予以公开）",
        HEADER + '<h3 class="text-center">政府信息公开申请答复书</h3>\n'
        "<p>{{ applicant_name }}：</p>\n"
        "<p>本机关于{{ received_on }}收到您的政府信息公开申请（申请编号：{{ number }}），"
        "所需信息为：{{ description }}。经审查，答复如下：</p>\n"
        "<p>您申请的信息予以公开。{{ answer_summary }}</p>\n"
        "<p>依据：{{ legal_basis }}。本机关按您选择的{{ delivery }}方式、{{ medium }}形式提供。</p>\n"
        + RIGHTS
        + SIGNATURE,
    ),
    (
        "answer",
        "partial",
        "政府信息公开申请答复书（部分公开）",
        HEADER + '<h3 class="text-center">政府信息公开申请答复书</h3>\n'
        "<p>{{ applicant_name }}：</p>\n"
        "<p>本机关于{{ received_on }}收到您的政府信息公开申请（申请编号：{{ number }}），"
        "所需信息为：{{ description }}。经审查，答复如下：</p>\n"
        "<p>您申请的信息部分公开。{{ answer_summary }}</p>\n"
        "<p>不予公开的部分及理由：{{ withheld }}</p>\n"
        "<p>依据：{{ legal_basis }}。</p>\n" + RIGHTS + SIGNATURE,
    ),
    (
        "answer",
        "refused",
        "政府信息公开申请答复书（不予公开）",
        HEADER + '<h3 class="text-center">政府信息公开申请答复书</h3>\n'
        "<p>{{ applicant_name }}：</p>\n"
        "<p>本机关于{{ received_on }}收到您的政府信息公开申请（申请编号：{{ number }}），"
        "所需信息为：{{ description }}。经审查，答复如下：</p>\n"
        "<p>您申请的信息{{ outcome }}，本机关不予公开。{{ answer_summary }}</p>\n"
        "<p>依据：{{ legal_basis }}。</p>\n" + RIGHTS + SIGNATURE,
    ),
    (
        "answer",
        "unable",
        "政府信息公开申请答复书（无法提供）",
        HEADER + '<h3 class="text-center">政府信息公开申请答复书</h3>\n'
        "<p>{{ applicant_name }}：</p>\n"
        "<p>本机关于{{ received_on }}收到您的政府信息公开申请（申请编号：{{ number }}），"
        "所需信息为：{{ description }}。经审查，答复如下：</p>\n"
        "<p>{{ outcome }}。{{ answer_summary }}</p>\n"
        "<p>依据：{{ legal_basis }}。</p>\n" + RIGHTS + SIGNATURE,
    ),
    (
        "answer",
        "not_processed",
        "政府信息公开申请答复书（不予处理）",
        HEADER + '<h3 class="text-center">政府信息公开申请答复书</h3>\n'
        "<p>{{ applicant_name }}：</p>\n"
        "<p>本机关于{{ received_on }}收到您的政府信息公开申请（申请编号：{{ number }}）。"
        "经审查，答复如下：</p>\n"
        "<p>{{ outcome }}，本机关不予处理。{{ answer_summary }}</p>\n"
        "<p>依据：{{ legal_basis }}。</p>\n" + RIGHTS + SIGNATURE,
    ),
    (
        "answer",
        "other",
        "政府信息公开申请答复书（其他处理）",
        HEADER + '<h3 class="text-center">政府信息公开申请答复书</h3>\n'
        "<p>{{ applicant_name }}：</p>\n"
        "<p>关于您的政府信息公开申请（申请编号：{{ number }}），答复如下：</p>\n"
        "<p>{{ outcome }}。{{ answer_summary }}</p>\n"
        "<p>依据：{{ legal_basis }}。</p>\n" + RIGHTS + SIGNATURE,
    ),
    (
        "fee_notice",
        "",
        "政府信息公开信息处理费缴纳通知",
        HEADER + '<h3 class="text-center">信息处理费缴纳通知</h3>\n'
        "<p>{{ applicant_name }}：</p>\n"
        "<p>根据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），同一申请人一个自然月内"
        "累计申请10件以下（含10件）的不收费；11—30件（含30件）的部分每件100元；31件以上的部分"
        "以10件为一档，每增加一档，收费标准提高100元/件。您的申请（申请编号：{{ number }}）"
        "按{{ fee_basis }}计算如下：</p>\n"
        "<table><thead><tr><th>计费项目</th><th>数量</th><th>单价（元）</th><th>金额（元）</th></tr>"
        "</thead><tbody>{% for line in fee_lines %}<tr><td>{{ line.label }}</td>"
        "<td>{{ line.count }}{{ line.unit }}</td><td>{{ line.price }}</td><td>{{ line.amount }}</td>"
        "</tr>{% endfor %}<tr><td>合计</td><td></td><td></td><td>{{ fee_total }}</td></tr>"
        "</tbody></table>\n"
        "<p>请按本机关告知的方式和期限缴纳。</p>\n" + SIGNATURE,
    ),
]


def seed(apps, schema_editor):
    guide = apps.get_model("applications", "ApplicationGuide")
    template = apps.get_model("applications", "DocumentTemplate")
    # No organ had a guide of its own yet (0003 made the table): any row is the general one.
    if not guide.objects.exists():
        guide.objects.create(text=GUIDE)
    for kind, category, title, body in TEMPLATES:
        template.objects.get_or_create(
            kind=kind, outcome_category=category, defaults={"title": title, "body": body}
        )


def unseed(apps, schema_editor):
    apps.get_model("applications", "DocumentTemplate").objects.all().delete()
    apps.get_model("applications", "ApplicationGuide").objects.filter(organ__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("applications", "0003_guide_and_document_templates")]
    operations = [migrations.RunPython(seed, unseed)]
