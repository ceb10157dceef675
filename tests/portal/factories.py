"""Pages of the portal app with unique, complete defaults."""

from portal.models import DisclosureGuide, DisclosureRules, OrganProfile, SiteIdentity


def make_identity(**fields) -> SiteIdentity:
    defaults = {
        "portal_name": "甘肃省人民政府 · 政府信息公开",
        "sponsor": "甘肃省人民政府办公厅",
        "operator": "甘肃省大数据中心",
        "site_code": "6200000001",
        "icp_number": "陇ICP备05000251号-1",
        "police_number": "甘公网安备 62010202000123号",
        "contact_phone": "0931-0000000",
        "contact_email": "web@example.gov.cn",
    }
    identity = SiteIdentity(**{**defaults, **fields})
    identity.save()
    return identity


def make_guide(organ, **fields) -> DisclosureGuide:
    defaults = {
        "office_name": f"{organ.name}政务公开办公室",
        "address": "兰州市城关区中央广场1号",
        "postcode": "730030",
        "office_hours": "工作日 9:00—12:00，14:30—17:30",
        "phone": "0931-8888888",
        "fax": "0931-8888889",
        "email": "open@example.gov.cn",
        "how_to_apply": "<p>可通过本网站在线申请，也可以信函方式提出申请。</p>",
    }
    return DisclosureGuide.objects.create(organ=organ, **{**defaults, **fields})


def make_rules(organ, **fields) -> DisclosureRules:
    fields.setdefault("body", "<p>一、政府信息公开保密审查制度。</p>")
    return DisclosureRules.objects.create(organ=organ, **fields)


def make_profile(organ, **fields) -> OrganProfile:
    fields.setdefault("functions", "负责全省政务公开工作的组织协调。")
    fields.setdefault("address", "兰州市城关区中央广场1号")
    return OrganProfile.objects.create(organ=organ, **fields)
