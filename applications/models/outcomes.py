"""Outcomes of an application: exactly the rows of table 3 (三、本年度办理结果) of the annual
report template, 国办公开办函〔2021〕30号, so the report counts rows without translation."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutcomeCategory(models.TextChoices):
    DISCLOSED = "disclosed", _("予以公开")
    PARTIAL = "partial", _("部分公开")
    REFUSED = "refused", _("不予公开")
    UNABLE = "unable", _("无法提供")
    NOT_PROCESSED = "not_processed", _("不予处理")
    OTHER = "other", _("其他处理")


class Outcome(models.TextChoices):
    DISCLOSED = "disclosed", _("予以公开")
    PARTIAL = "partial", _("部分公开（区分处理的，只计这一情形）")
    STATE_SECRET = "state_secret", _("不予公开：属于国家秘密")
    LAW_FORBIDS = "law_forbids", _("不予公开：其他法律行政法规禁止公开")
    SECURITY = "security", _("不予公开：危及“三安全一稳定”")
    THIRD_PARTY = "third_party", _("不予公开：保护第三方合法权益")
    INTERNAL = "internal", _("不予公开：属于三类内部事务信息")
    PROCESS = "process", _("不予公开：属于四类过程性信息")
    ENFORCEMENT_FILE = "enforcement_file", _("不予公开：属于行政执法案卷")
    INQUIRY = "inquiry", _("不予公开：属于行政查询事项")
    NOT_HELD = "not_held", _("无法提供：本机关不掌握相关政府信息")
    NEEDS_MAKING = "needs_making", _("无法提供：没有现成信息需要另行制作")
    STILL_UNCLEAR = "still_unclear", _("无法提供：补正后申请内容仍不明确")
    PETITION = "petition", _("不予处理：信访举报投诉类申请")
    REPEATED = "repeated", _("不予处理：重复申请")
    PUBLICATION = "publication", _("不予处理：要求提供公开出版物")
    EXCESSIVE = "excessive", _("不予处理：无正当理由大量反复申请")
    CONFIRMATION = "confirmation", _("不予处理：要求行政机关确认或重新出具已获取信息")
    NO_CORRECTION = (
        "no_correction",
        _("其他处理：申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    )
    FEE_UNPAID = (
        "fee_unpaid",
        _("其他处理：申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    )
    OTHER = "other", _("其他处理：其他")


_C = OutcomeCategory
CATEGORY = {
    Outcome.DISCLOSED: _C.DISCLOSED,
    Outcome.PARTIAL: _C.PARTIAL,
    **dict.fromkeys(
        [
            Outcome.STATE_SECRET,
            Outcome.LAW_FORBIDS,
            Outcome.SECURITY,
            Outcome.THIRD_PARTY,
            Outcome.INTERNAL,
            Outcome.PROCESS,
            Outcome.ENFORCEMENT_FILE,
            Outcome.INQUIRY,
        ],
        _C.REFUSED,
    ),
    **dict.fromkeys([Outcome.NOT_HELD, Outcome.NEEDS_MAKING, Outcome.STILL_UNCLEAR], _C.UNABLE),
    **dict.fromkeys(
        [
            Outcome.PETITION,
            Outcome.REPEATED,
            Outcome.PUBLICATION,
            Outcome.EXCESSIVE,
            Outcome.CONFIRMATION,
        ],
        _C.NOT_PROCESSED,
    ),
    **dict.fromkeys([Outcome.NO_CORRECTION, Outcome.FEE_UNPAID, Outcome.OTHER], _C.OTHER),
}


def outcomes_of(category: str) -> list[str]:
    return [outcome for outcome, found in CATEGORY.items() if found == category]
