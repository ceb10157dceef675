"""The statistics a legacy notice states (主动公开 counts and the like): the patterns that find
them in the text, their names, and the sums that must hold between them."""

import re

from importer.parsed import FlagKind, ParsedNotice

N = r"([0-9][0-9,，]*)"
STATISTIC_PATTERNS = {
    "proactive_total": rf"主动公开(?:各类)?(?:政府)?信息(?:共计|共|合计)?{N}条",
    "proactive_gazette": rf"通过政府公报公开(?:政府信息)?{N}条",
    "proactive_portal": rf"通过政府(?:门户)?网站公开(?:政府信息)?{N}条",
    "proactive_weibo": rf"通过(?:政务)?微博公开(?:政府信息)?{N}条",
    "proactive_wechat": rf"通过(?:政务)?微信(?:及|和|、)?客户端公开(?:政府信息)?{N}条",
    "proactive_other": rf"其他(?:渠道|方式)公开(?:政府信息)?{N}条",
    "requests_total": rf"(?:收到|受理)(?:政府信息公开|信息公开)?申请(?:共计|共|合计)?{N}件",
    "requests_in_person": rf"当面(?:受理|申请|提出)(?:的)?{N}件",
    "requests_fax": rf"传真(?:受理|申请|提出)(?:的)?{N}件",
    "requests_online": rf"网络(?:受理|申请|提出)(?:的)?{N}件",
    "requests_letter": rf"信函(?:受理|申请|提出)(?:的)?{N}件",
    "outcome_already_public": rf"(?<!不)属于(?:已)?主动公开(?:范围)?的?{N}件",
    "outcome_granted": rf"(?<!不)同意公开的?{N}件",
    "outcome_partly_granted": rf"同意部分公开的?{N}件",
    "outcome_refused": rf"不同意公开的?{N}件",
    "outcome_not_this_organ": rf"不属于本(?:行政)?机关公开(?:范围)?的?{N}件",
    "outcome_not_exist": rf"申请(?:的)?信息不存在的?{N}件",
    "outcome_to_amend": rf"告知(?:作出)?更改补充的?{N}件",
    "outcome_other_channel": rf"告知通过其他途径办理的?{N}件",
}
STATISTIC_NAMES = {
    "proactive_total": "主动公开政府信息总数",
    "proactive_gazette": "通过政府公报公开",
    "proactive_portal": "通过政府门户网站公开",
    "proactive_weibo": "通过微博公开",
    "proactive_wechat": "通过微信及客户端公开",
    "proactive_other": "通过其他渠道公开",
    "requests_total": "收到政府信息公开申请总数",
    "requests_in_person": "当面申请",
    "requests_fax": "传真申请",
    "requests_online": "网络申请",
    "requests_letter": "信函申请",
    "outcome_already_public": "属于主动公开",
    "outcome_granted": "同意公开",
    "outcome_partly_granted": "同意部分公开",
    "outcome_refused": "不同意公开",
    "outcome_not_this_organ": "不属于本行政机关公开",
    "outcome_not_exist": "申请信息不存在",
    "outcome_to_amend": "告知作出更改补充",
    "outcome_other_channel": "告知通过其他途径办理",
}
# The sums of the pre-2019 form (assessments/migrations/0002): total, and the prefix of its parts.
STATISTIC_CHECKS = [
    ("主动公开：各渠道之和等于总数", "proactive_total", "proactive_"),
    ("依申请公开：各申请方式之和等于申请总数", "requests_total", "requests_"),
    ("依申请公开：各办理结果之和等于申请总数", "requests_total", "outcome_"),
]


def collect_statistics(text: str, result: ParsedNotice) -> None:
    for code, pattern in STATISTIC_PATTERNS.items():
        values = {int(re.sub(r"[,，]", "", m.group(1))) for m in re.finditer(pattern, text)}
        if len(values) == 1:
            result.statistics[code] = values.pop()
        elif values:
            result.flag(
                FlagKind.STATISTICS,
                "统计数据",
                f"“{STATISTIC_NAMES[code]}”在文中出现了不同的数字"
                f"（{'、'.join(str(v) for v in sorted(values))}），未导入，请核对。",
            )
    growth = re.search(r"主动公开.{0,40}?较(?:19|20)\d\d年(?:同期)?增长([\d.]+)%", text)
    if growth:
        result.growth_percent = float(growth.group(1))
    for message in statistics_problems(result.statistics):
        result.flag(FlagKind.STATISTICS, "统计数据", message)


def statistics_problems(values: dict[str, int]) -> list[str]:
    """The sums of the pre-2019 form that the figures break, in words. Parts the text does not
    mention count as 0 only if the parts it does mention add up to the total."""
    problems = []
    for name, total_code, prefix in STATISTIC_CHECKS:
        parts = [code for code in STATISTIC_PATTERNS if code.startswith(prefix)]
        parts = [code for code in parts if code != total_code]
        present = [code for code in parts if code in values]
        if not present:
            continue
        if total_code not in values:
            problems.append(f"{name}：缺少 {STATISTIC_NAMES[total_code]}")
            continue
        total, parts_sum = values[total_code], sum(values[code] for code in present)
        if total != parts_sum:
            # Parts a text does not mention are only taken as 0 when the others add up.
            missing = [STATISTIC_NAMES[code] for code in parts if code not in values]
            detail = f"（文中未提及：{'、'.join(missing)}）" if missing else ""
            problems.append(
                f"{name}：合计 {total}，分项之和 {parts_sum}，相差 {total - parts_sum}{detail}"
            )
    return problems


def implied_zeros(values: dict[str, int]) -> list[str]:
    """Parts not mentioned whose siblings already add up to their total: they are 0."""
    zeros = []
    for _name, total_code, prefix in STATISTIC_CHECKS:
        parts = [c for c in STATISTIC_PATTERNS if c.startswith(prefix) and c != total_code]
        present = [code for code in parts if code in values]
        if (
            present
            and total_code in values
            and sum(values[code] for code in present) == values[total_code]
        ):
            zeros.extend(code for code in parts if code not in values)
    return zeros
