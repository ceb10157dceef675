"""Site chrome: what a saved or scraped page carries around the notice (navigation trails, menus,
share/print/font-size bars, the page's information bar, footers), recognized by its shape and by
where it stands, never by words alone: a line between the title and the signature is the body
and is always kept, whatever it says (a notice about websites speaks of 主办单位 and 技术支持).
Every line taken out is kept with its reason (ParsedNotice.removed), for the editor to see."""

import re
from collections import Counter

from importer.parsed import ParsedNotice

_BULLETS = " •·●◆■□▪►>|｜【】[]「」"
DATE = r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_META_KEYS = {
    "published": ["发布时间", "发布日期", "时间", "日期", "发表时间", "更新时间", "归档时间"],
    "signed": ["成文日期", "发文日期", "生成日期"],
    "views": [
        *["点击数", "点击量", "点击", "浏览次数", "浏览量", "浏览"],
        *["阅读次数", "阅读数", "阅读", "访问量", "访问次数", "访问"],
    ],
    "source": ["信息来源", "文章来源", "来源"],
    "document_number": ["文号", "发文字号"],
    "issuer": ["发布机构", "发文机关", "发文单位", "发文机构"],
    "other": [
        *["作者", "编辑", "责任编辑", "发布者", "索引号", "主题分类", "体裁分类", "主题词"],
        *["字号", "字体", "分类", "公开方式", "公开范围", "有效性", "组配分类", "信息分类"],
        *["生效时间", "废止时间", "名称", "关键词", "内容概述", "视力保护色", "审核"],
    ],
}
KEY_TO_FIELD = {key: name for name, keys in _META_KEYS.items() for key in keys}
# The keys of a page's information bar, as a regular expression's alternatives.
META_KEYS = "|".join(sorted(KEY_TO_FIELD, key=len, reverse=True))
_META_KEY = re.compile("(" + META_KEYS + r")\s*[：:]\s*")
_DATE = re.compile(DATE)
_STAMP = re.compile(r"^((?:19|20)\d\d-\d{1,2}-\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s+")

# Shapes of chrome, each with the reason shown to the editor.
_SHAPES = [
    (re.compile(r"^(当前位置|您(现在|当前)?的?所?在?的?位置|所在位置)[：:]?"), "导航路径"),
    (re.compile(r"^首页\s*[>›»/]|[>›»]\s*(正文|详情|通知公告|政务公开)$|^首页$"), "导航路径"),
    (
        re.compile(
            r"打印本页|关闭窗口|【?打印】|【关闭】|【?收藏】|\[打印\]|\[关闭\]|打印\s*[|｜]"
        ),
        "打印、关闭等按钮",
    ),
    (re.compile(r"^【?字[体号][：:]?\s*([【\[]?\s*[大中小]|默认|$)|^字号[：:]"), "字号按钮"),
    (re.compile(r"^(分享到|扫一扫|用手机扫|扫描二维码|微信扫一扫)"), "分享按钮"),
    (re.compile(r"^欢迎(您)?(访问|来到|光临)"), "网站欢迎语"),
    (
        re.compile(
            r"^(网站地图|联系我们|设为首页|加入收藏|返回顶部|返回首页|无障碍|English|长者"
            r"|关怀版|适老|繁體|简体版|手机版|登录|注册|智能问答|我要纠错|纠错)"
        ),
        "网站栏目",
    ),
    (re.compile(r"^(上一篇|下一篇|上一条|下一条)[：:]?"), "上一篇、下一篇"),
    (
        re.compile(r"^(https?://\S+|www\.\S+|EN|ENGLISH|\S+\.(jpg|jpeg|png|gif))$", re.I),
        "网址或图片名",
    ),
    (
        re.compile(
            r"^(相关(链接|文章|新闻|阅读|文件|解读)|热点(新闻|推荐)|推荐阅读|延伸阅读)[：:]?$"
        ),
        "相关链接栏",
    ),
]
# Shapes that are chrome only after the body (a footer), where 主办单位 is no one's prose.
_FOOTER = re.compile(
    r"版权所有|Copyright|©|ICP备|ICP证|公网安备|网站标识码|网站识别码|主办单位|承办单位|技术支持"
    r"|^主办[：:]|^承办[：:]|维护单位|^(地址|电话|邮编|传真|邮箱|E-?mail)[：:]|^责任编辑|^[（(]?编辑[：:]"
    r"|^本文链接|^本文关键词|^关键词[：:]|我要纠错|^【?纠错】?|^来源[：:]|^作者[：:]"
    r"|扫一扫|^打印|^关闭|^收藏|^分享",
    re.IGNORECASE,
)
_MENU_SEPARATORS = re.compile(r"\s*[|｜]\s*|\s{2,}|\s*[>›»]\s*")


def is_menu(text: str) -> bool:
    """A row of short links: 首页 | 政务公开 | 政务服务 | 互动交流."""
    tokens = [token for token in _MENU_SEPARATORS.split(text) if token]
    words = [token for token in tokens if re.search("[\u4e00-\u9fffA-Za-z]", token)]
    return (
        len(tokens) >= 3
        and len(words) == len(tokens)  # a table row has figures; a menu has none
        and all(len(token) <= 8 for token in tokens)
        and "。" not in text
    )


def parse_date(value: str):
    import datetime

    match = _DATE.search(value)
    if not match:
        return None
    try:
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def meta_line(text: str) -> dict[str, str] | None:
    """{field: value} if the line is nothing but “key：value” pairs, such as
    ``• 时间:2017-08-16`` or ``发布时间：2017-08-16 来源：省政府办公厅 点击：94``."""
    stripped = text.strip(_BULLETS)
    found: dict[str, str] = {}
    stamp = _STAMP.match(stripped)
    if stamp:  # “2018-12-12 11:13 来源: 浙江省人民政府网站”
        found["published"] = stamp.group(1)
        stripped = stripped[stamp.end() :]
    matches = list(_META_KEY.finditer(stripped))
    if not matches or matches[0].start() > 0:
        return None
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(stripped)
        value = stripped[match.end() : end].strip(_BULLETS + "　")
        field_name = KEY_TO_FIELD[match.group(1)]
        if field_name in ("published", "signed") and value and not parse_date(value):
            return None
        if field_name == "views" and value and not re.fullmatch(r"[\d,，]+\s*次?", value):
            return None
        if len(value) > 60:
            return None
        found.setdefault(field_name, value)
    return found


def value_on_next_line(key_line: str, value: str) -> bool:
    """Whether ``value`` is the value of an information bar's key standing alone on the line
    above (“• 发文字号:” / “镇政发〔2024〕7号”): only a value of the key's kind."""
    facts = meta_line(key_line)
    if not facts or len(facts) != 1 or any(facts.values()) or len(value) > 40:
        return False
    kind = next(iter(facts))
    dated = parse_date(value) is not None
    numbered = bool(re.search(r"〔\d{4}〕|\[\d{4}\]", value)) and value.endswith("号")
    has_han = bool(re.search("[\u4e00-\u9fff]", value))
    if kind == "document_number":
        return numbered
    if kind in ("published", "signed"):
        return dated
    if kind == "views":
        return bool(re.fullmatch(r"[\d,，]+\s*次?", value))
    if dated or numbered:
        return False
    if kind in ("source", "issuer"):
        return len(value) <= 20 and "。" not in value
    return not has_han or len(value) <= 6


def shape(text: str, repeated: bool = False, menus: bool = True) -> str:
    """Why this line looks like chrome wherever it stands, or "". ``menus``: whether a row of
    short words counts (at the foot of a report such rows are often its table)."""
    if len(text) > 120:
        return ""
    if meta_line(text) is not None:
        return "原网站页面信息栏"
    for pattern, reason in _SHAPES:
        if pattern.search(text):
            return reason
    if menus and is_menu(text):
        return "导航菜单"
    if repeated and len(text) <= 10 and not re.search("[，。；：]", text):
        return "页面中重复出现的栏目"
    return ""


def footer_shape(text: str) -> str:
    if len(text) <= 120 and _FOOTER.search(text):
        return "页脚（原网站信息）"
    return ""


def repeated_lines(texts: list[str]) -> set[str]:
    counts = Counter(texts)
    return {text for text, count in counts.items() if count >= 2}


def keep_facts(text: str, result: ParsedNotice) -> None:
    """The facts of a page's information bar, kept as the source's metadata."""
    for key, value in (meta_line(text) or {}).items():
        if value:
            result.page_metadata.setdefault(key, value)


def trim_footer(texts: list[str], start: int, result: ParsedNotice) -> int:
    """Where the page's footer begins at the end, after ``start``: from the first line shaped
    like a footer, every short line that follows is the footer too. Returns the new end."""
    end = len(texts)
    index = end - 1
    first_footer = None
    while index >= start:
        text = texts[index]
        if footer_shape(text) or shape(text, menus=False):
            first_footer = index
        elif len(text) > 40 or "。" in text:
            break
        index -= 1
    if first_footer is None:
        return end
    for text in texts[first_footer:]:
        keep_facts(text, result)
        result.remove(text, footer_shape(text) or shape(text, menus=False) or "页脚（原网站信息）")
    return first_footer
