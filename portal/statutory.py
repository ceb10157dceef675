"""The columns of 法定主动公开内容 a new site starts with: one per item of 《中华人民共和国政府信息
公开条例》（国务院令第711号）第二十条. A site admin sets each column's topics and genres (the topic
tree is the site's own data), adds columns below them, and adds an organ's own columns."""

# (item, column name, what the item says, genre codes the column lists)
ARTICLE_20 = [
    (1, "法规文件", "行政法规、规章和规范性文件", ["rules", "order", "provisions", "measures"]),
    (2, "机构职能", "机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名", []),
    (3, "规划信息", "国民经济和社会发展规划、专项规划、区域规划及相关政策", ["programme", "plan"]),
    (4, "统计信息", "国民经济和社会发展统计信息", []),
    (
        5,
        "行政许可和服务事项",
        "办理行政许可和其他对外管理服务事项的依据、条件、程序以及办理结果",
        [],
    ),
    (
        6,
        "行政处罚和行政强制",
        "实施行政处罚、行政强制的依据、条件、程序以及本行政机关认为具有一定社会影响的行政处罚决定",
        [],
    ),
    (7, "财政预决算", "财政预算、决算信息", []),
    (8, "行政事业性收费", "行政事业性收费项目及其依据、标准", []),
    (9, "政府集中采购", "政府集中采购项目的目录、标准及实施情况", []),
    (10, "重大建设项目", "重大建设项目的批准和实施情况", []),
    (
        11,
        "民生保障",
        "扶贫、教育、医疗、社会保障、促进就业等方面的政策、措施及其实施情况",
        [],
    ),
    (12, "应急管理", "突发公共事件的应急预案、预警信息及应对情况", []),
    (13, "监督检查", "环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况", []),
    (14, "公务员招考", "公务员招考的职位、名额、报考条件等事项以及录用结果", []),
    (15, "其他法定公开信息", "法律、法规、规章和国家有关规定规定应当主动公开的其他政府信息", []),
]
ITEM_NUMERALS = "一二三四五六七八九十"
PROFILE_ITEM = 2


def item_label(item: int) -> str:
    """第（十一）项 for 11."""
    numeral = ITEM_NUMERALS[item - 1] if item <= 10 else "十" + ITEM_NUMERALS[item - 11]
    return f"第二十条第（{numeral}）项"


def item_text(item: int) -> str:
    return next((text for number, _name, text, _genres in ARTICLE_20 if number == item), "")


def seed(StatutoryColumn, Genre) -> int:
    """Create the shared columns of the list when there are none; how many. The models are the
    migration's historical ones, or the current ones."""
    if StatutoryColumn.objects.filter(organ__isnull=True).exists():
        return 0
    for item, name, _text, genres in ARTICLE_20:
        column = StatutoryColumn.objects.create(
            name=name,
            article_item=item,
            kind="profile" if item == PROFILE_ITEM else "notices",
            position=item * 10,
        )
        column.genres.set(Genre.objects.filter(code__in=genres))
    return len(ARTICLE_20)


def seed_after_migrate(sender, using="default", **kwargs) -> None:
    """An emptied database (a flush, as between tests) gets the columns again."""
    from notices.models import Genre
    from portal.models import StatutoryColumn

    if sender.name == "portal" and not StatutoryColumn.objects.using(using).exists():
        seed(StatutoryColumn, Genre)
