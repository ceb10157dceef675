"""The word list a new site starts with: miswritings of official terms and of common idioms
seen in government documents, and expressions that the Xinhua style guide (《新华社新闻信息报道
中的禁用词和慎用词》) and the 政府网站与政务新媒体检查指标's 严重表述错误 point to. A site
admin extends and corrects it (editorial_checks.WordRule); the leaders' names are theirs to
enter, as they change."""

SERIOUS = "serious"
WARNING = "warning"
MISWRITING = "miswriting"
AVOID = "avoid"

# (wrong, correct, kind, severity, note)
STARTER = [
    # The Party, the state and their documents: a wrong name is a 严重表述错误.
    ("中华人名共和国", "中华人民共和国", MISWRITING, SERIOUS, ""),
    ("中国共产当", "中国共产党", MISWRITING, SERIOUS, ""),
    ("人名政府", "人民政府", MISWRITING, SERIOUS, ""),
    ("人民政俯", "人民政府", MISWRITING, SERIOUS, ""),
    ("社会注意", "社会主义", MISWRITING, SERIOUS, "拼音输入法常见错误"),
    ("共产注意", "共产主义", MISWRITING, SERIOUS, "拼音输入法常见错误"),
    ("习近平新时代特色社会主义思想", "习近平新时代中国特色社会主义思想", MISWRITING, SERIOUS, ""),
    (
        "习近平新时代中国特色社会主意思想",
        "习近平新时代中国特色社会主义思想",
        MISWRITING,
        SERIOUS,
        "",
    ),
    ("习总书记", "习近平总书记", AVOID, SERIOUS, "不使用简称“习总”"),
    ("习主席", "习近平主席", AVOID, SERIOUS, "不使用简称"),
    ("中华民族伟大复新", "中华民族伟大复兴", MISWRITING, SERIOUS, ""),
    ("全面从严制党", "全面从严治党", MISWRITING, SERIOUS, ""),
    ("不忘出心", "不忘初心", MISWRITING, SERIOUS, ""),
    ("不忘初新", "不忘初心", MISWRITING, SERIOUS, ""),
    ("牢记使名", "牢记使命", MISWRITING, SERIOUS, ""),
    ("党风廉正建设", "党风廉政建设", MISWRITING, SERIOUS, ""),
    ("社会主义核心价值关", "社会主义核心价值观", MISWRITING, SERIOUS, ""),
    ("依法制国", "依法治国", MISWRITING, SERIOUS, ""),
    ("法制政府", "法治政府", MISWRITING, SERIOUS, "法治政府建设"),
    ("减政放权", "简政放权", MISWRITING, SERIOUS, ""),
    ("国务院常委会议", "国务院常务会议", MISWRITING, SERIOUS, ""),
    ("国务院办公室", "国务院办公厅", MISWRITING, SERIOUS, ""),
    ("中共中央办公室", "中共中央办公厅", MISWRITING, SERIOUS, ""),
    (
        "政府信息公开管理条例",
        "政府信息公开条例",
        MISWRITING,
        SERIOUS,
        "《中华人民共和国政府信息公开条例》",
    ),
    ("政协代表", "政协委员", MISWRITING, WARNING, "人大称代表，政协称委员"),
    ("国家总理", "国务院总理", MISWRITING, WARNING, ""),
    ("一带一路战略", "“一带一路”倡议", AVOID, SERIOUS, "不使用“一带一路”战略"),
    ("一带一路”战略", "“一带一路”倡议", AVOID, SERIOUS, "不使用“一带一路”战略"),
    # Titles: 付 for 副 is the classic slip of a title.
    ("付省长", "副省长", MISWRITING, SERIOUS, ""),
    ("付市长", "副市长", MISWRITING, SERIOUS, ""),
    ("付县长", "副县长", MISWRITING, SERIOUS, ""),
    ("付区长", "副区长", MISWRITING, SERIOUS, ""),
    ("付书记", "副书记", MISWRITING, SERIOUS, ""),
    ("付主任", "副主任", MISWRITING, SERIOUS, ""),
    ("付局长", "副局长", MISWRITING, SERIOUS, ""),
    ("付厅长", "副厅长", MISWRITING, SERIOUS, ""),
    ("付主席", "副主席", MISWRITING, SERIOUS, ""),
    ("付秘书长", "副秘书长", MISWRITING, SERIOUS, ""),
    ("县委书计", "县委书记", MISWRITING, SERIOUS, ""),
    ("市委书计", "市委书记", MISWRITING, SERIOUS, ""),
    ("省委书计", "省委书记", MISWRITING, SERIOUS, ""),
    # Taiwan, Hong Kong, Macao and foreign names (新华社禁用词).
    ("台湾总统", "台湾地区领导人", AVOID, SERIOUS, ""),
    ("台湾政府", "台湾当局", AVOID, SERIOUS, ""),
    ("台湾行政院", "台湾地区行政管理机构", AVOID, SERIOUS, ""),
    ("中华民国", "", AVOID, SERIOUS, "1949年以后不得使用；历史表述须加引号或注明"),
    ("两岸三地", "海峡两岸和香港、澳门", AVOID, WARNING, ""),
    ("北朝鲜", "朝鲜", AVOID, SERIOUS, ""),
    ("南朝鲜", "韩国", AVOID, SERIOUS, ""),
    ("回教", "伊斯兰教", AVOID, SERIOUS, ""),
    # Words that hurt: 残疾人, not 残废.
    ("残废人", "残疾人", AVOID, SERIOUS, ""),
    ("残废", "残疾", AVOID, SERIOUS, ""),
    ("盲流", "外出务工人员", AVOID, WARNING, ""),
    ("新冠肺炎", "新冠病毒感染", MISWRITING, WARNING, "2022年12月26日起更名"),
    # Common miswritings in official prose.
    ("坚持不泄", "坚持不懈", MISWRITING, SERIOUS, ""),
    ("再接再励", "再接再厉", MISWRITING, SERIOUS, ""),
    ("贯切落实", "贯彻落实", MISWRITING, SERIOUS, ""),
    ("布署", "部署", MISWRITING, SERIOUS, ""),
    ("按步就班", "按部就班", MISWRITING, WARNING, ""),
    ("一如继往", "一如既往", MISWRITING, WARNING, ""),
    ("迫不急待", "迫不及待", MISWRITING, WARNING, ""),
    ("既往不究", "既往不咎", MISWRITING, WARNING, ""),
    ("针贬时弊", "针砭时弊", MISWRITING, WARNING, ""),
    ("防犯", "防范", MISWRITING, SERIOUS, ""),
    ("度过难关", "渡过难关", MISWRITING, WARNING, ""),
    ("各行其事", "各行其是", MISWRITING, WARNING, ""),
    ("关怀倍至", "关怀备至", MISWRITING, WARNING, ""),
    ("事必恭亲", "事必躬亲", MISWRITING, WARNING, ""),
    ("一愁莫展", "一筹莫展", MISWRITING, WARNING, ""),
    ("一股作气", "一鼓作气", MISWRITING, WARNING, ""),
    ("默守成规", "墨守成规", MISWRITING, WARNING, ""),
    ("走头无路", "走投无路", MISWRITING, WARNING, ""),
    ("出奇不意", "出其不意", MISWRITING, WARNING, ""),
    ("签定合同", "签订合同", MISWRITING, WARNING, ""),
    ("截止目前", "截至目前", MISWRITING, WARNING, "表示到某一时间为止用“截至”"),
    ("截止到", "截至", MISWRITING, WARNING, "表示到某一时间为止用“截至”"),
    ("座落", "坐落", MISWRITING, WARNING, ""),
    ("防碍", "妨碍", MISWRITING, WARNING, ""),
    ("峻工", "竣工", MISWRITING, WARNING, ""),
    ("暴光", "曝光", MISWRITING, WARNING, ""),
    ("幅射", "辐射", MISWRITING, WARNING, ""),
    ("重迭", "重叠", MISWRITING, WARNING, ""),
    ("帐户", "账户", MISWRITING, WARNING, "《第一批异形词整理表》"),
    ("帐号", "账号", MISWRITING, WARNING, ""),
    ("其它", "其他", MISWRITING, WARNING, "规范用字"),
    ("做为", "作为", MISWRITING, WARNING, ""),
    ("既使", "即使", MISWRITING, WARNING, ""),
    ("按装", "安装", MISWRITING, WARNING, ""),
    ("乡村振新", "乡村振兴", MISWRITING, SERIOUS, ""),
    ("脱贫攻艰", "脱贫攻坚", MISWRITING, SERIOUS, ""),
]


def seed(WordRule) -> int:
    """Add the starter entries that are missing; how many. ``WordRule`` is the model (the
    migration's historical one, or the current one)."""
    known = set(WordRule.objects.values_list("wrong", flat=True))
    missing = [
        WordRule(wrong=wrong, correct=correct, kind=kind, severity=severity, note=note)
        for wrong, correct, kind, severity, note in STARTER
        if wrong not in known
    ]
    WordRule.objects.bulk_create(missing)
    return len(missing)
