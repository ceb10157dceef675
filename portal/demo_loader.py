"""Demo site identity (marked 示例, with made-up record numbers and a drawn emblem standing in
for the site's real one), a 政府信息公开指南, 制度 and 机构信息 for each demo organ, and the
法定主动公开内容 columns pointed at the demo topics. Runs after the notices' loader (organs,
topics). Loading again changes nothing; an identity a site
admin has filled in is left as it is."""

import math
import struct
import zlib

from django.db import transaction

from notices.models import Organ, Topic
from portal import emblem
from portal.models import (
    IDENTITY_PK,
    DisclosureGuide,
    DisclosureRules,
    OrganProfile,
    SiteIdentity,
    StatutoryColumn,
)

IDENTITY = {
    "portal_name": "甘肃省人民政府 · 政府信息公开",
    "sponsor": "甘肃省人民政府办公厅（示例）",
    "operator": "甘肃省政务公开演示平台（示例）",
    "site_code": "6200000000",
    "icp_number": "陇ICP备00000000号-1（示例）",
    "police_number": "甘公网安备 62010200000000号（示例）",
    "contact_address": "甘肃省兰州市城关区（示例地址）",
    "contact_phone": "0931-0000000（示例）",
    "contact_email": "demo@example.gov.cn",
    "contact_note": "本网站为演示站点，以上主办单位、备案号和联系方式均为示例，不是真实信息。",
}
HOW_TO_APPLY = (
    "<p>（示例）公民、法人或者其他组织申请获取政府信息的，可以通过本网站“依申请公开”栏目在线提交，"
    "也可以信函方式或者当面提出申请。申请应当载明申请人的姓名或者名称、身份证明、联系方式，"
    "申请公开的政府信息的名称、文号或者便于查询的其他特征性描述，以及获取信息的方式、途径。</p>"
    "<p>能够当场答复的，当场予以答复；不能当场答复的，自收到申请之日起20个工作日内予以答复；"
    "需要延长答复期限的，经负责人同意并告知申请人，延长期限最长不超过20个工作日。</p>"
)
GUIDE_BODY = (
    "<p>（示例）主动公开的政府信息，通过本网站、政府公报、新闻发布会等途径公开。</p>"
    "<p>公民、法人或者其他组织认为本机关在政府信息公开工作中侵犯其合法权益的，"
    "可以向上一级行政机关或者政府信息公开工作主管部门投诉、举报，"
    "也可以依法申请行政复议或者提起行政诉讼。</p>"
)
RULES_BODY = (
    "<h2>一、政府信息公开保密审查制度（示例）</h2>"
    "<p>拟公开的政府信息，由起草部门提出公开属性意见，经本机关保密审查后公开。</p>"
    "<h2>二、政府信息公开申请办理制度（示例）</h2>"
    "<p>依申请公开实行登记、审核、办理、答复、归档全程记录。</p>"
    "<h2>三、政府信息公开工作考核制度（示例）</h2>"
    "<p>政府信息公开工作纳入年度绩效考核。</p>"
)
# Shared column (by 条例第二十条 item) → demo topic paths it lists.
COLUMN_TOPICS = {
    7: ["财政、金融、审计 › 财政"],
    11: ["民政、扶贫、救灾", "科技、教育 › 教育"],
    12: ["综合政务 › 应急管理"],
}


def load() -> None:
    with transaction.atomic():
        if not SiteIdentity.objects.filter(pk=IDENTITY_PK).exists():
            picture = demo_emblem()
            SiteIdentity.objects.create(
                **IDENTITY,
                emblem=picture,
                emblem_type="image/png",
                emblem_digest=emblem.digest(picture),
            )
        for organ in Organ.objects.filter(code__startswith="0000143"):
            _organ_pages(organ)
        topics = {topic.path: topic for topic in Topic.objects.all()}
        for item, paths in COLUMN_TOPICS.items():
            column = StatutoryColumn.objects.filter(organ__isnull=True, article_item=item).first()
            if column is not None and not column.topics.exists():
                column.topics.set(topics[path] for path in paths if path in topics)


def demo_emblem(side: int = 80) -> bytes:
    """A PNG of a red disc with a white building (roof, four columns, steps), drawn pixel by
    pixel: a plain mark that is no real emblem."""
    centre, radius = (side - 1) / 2, side / 2 - 1

    def building(u: float, v: float) -> bool:  # u, v: 0..1 across and down the picture
        roof = 0.2 <= v <= 0.4 and abs(u - 0.5) <= (v - 0.2) * 1.5
        columns = 0.43 <= v <= 0.7 and any(abs(u - at) <= 0.04 for at in (0.3, 0.43, 0.57, 0.7))
        steps = 0.72 <= v <= 0.8 and 0.2 <= u <= 0.8
        return roof or columns or steps

    rows = bytearray()
    for y in range(side):
        rows.append(0)  # no filter
        for x in range(side):
            if math.hypot(x - centre, y - centre) > radius:
                rows += b"\x00\x00\x00\x00"
            elif building(x / side, y / side):
                rows += b"\xff\xff\xff\xff"
            else:
                rows += b"\xb4\x10\x1e\xff"

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows)))
        + chunk(b"IEND", b"")
    )


def _organ_pages(organ: Organ) -> None:
    DisclosureGuide.objects.get_or_create(
        organ=organ,
        defaults={
            "office_name": f"{organ.name}政务公开办公室（示例）",
            "address": "甘肃省兰州市城关区（示例地址）",
            "postcode": "730000",
            "office_hours": "工作日 上午9:00—12:00，下午14:30—17:30（法定节假日除外）",
            "phone": "0931-0000000（示例）",
            "fax": "0931-0000001（示例）",
            "email": "open@example.gov.cn",
            "how_to_apply": HOW_TO_APPLY,
            "body": GUIDE_BODY,
        },
    )
    DisclosureRules.objects.get_or_create(organ=organ, defaults={"body": RULES_BODY})
    OrganProfile.objects.get_or_create(
        organ=organ,
        defaults={
            "functions": (
                f"（示例）{organ.name}负责本系统政府信息公开工作的组织、协调和指导。\n"
                "（示例）负责本机关政府信息的主动公开和依申请公开工作。"
            ),
            "address": "甘肃省兰州市城关区（示例地址）",
            "office_hours": "工作日 9:00—17:30",
            "phone": "0931-0000000（示例）",
        },
    )


def describe(base_url: str) -> list[str]:
    return [f"政府信息公开专栏：{base_url}/open/"]
