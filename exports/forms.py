from django import forms

from exports import datasets
from exports.export import FORMATS, Selection
from notices.models import Organ

# exports' own datasets' states; a registered dataset adds its own (status_choices).
STATUS_CHOICES = [
    ("", "全部状态"),
    ("draft", "草稿（公告）"),
    ("preparing", "准备中（考核）"),
    ("in_review", "待审核"),
    ("published", "已发布"),
    ("withdrawn", "已撤回（公告）"),
]
OWN_DATASETS = {"notices", "assessments", "history"}


def dataset_choices() -> list[tuple[str, str]]:
    return list(datasets.DATASETS.items())


def status_choices() -> list[tuple[str, str]]:
    added = [
        (value, f"{label}（{dataset.label}）")
        for dataset in datasets.REGISTRY.values()
        if dataset.key not in OWN_DATASETS and dataset.statuses is not None
        for value, label in dataset.statuses.choices
    ]
    return STATUS_CHOICES + added


class ExportForm(forms.Form):
    """The export page: what to export, in which format, and the filters. The rules of which
    filter suits which dataset are Selection's; this form only collects."""

    dataset = forms.ChoiceField(
        label="导出内容",
        choices=dataset_choices,
        initial="notices",
        widget=forms.RadioSelect,
        help_text="考核导出包括考核、成绩、特点和问题、整改要求和整改报告，每类一个文件；"
        "依申请公开导出包括申请和办理记录两个文件，默认不含申请人个人信息。",
    )
    format = forms.ChoiceField(
        label="格式",
        choices=list(FORMATS.items()),
        initial="csv",
        widget=forms.RadioSelect,
        help_text="CSV 可直接用 Excel 打开；JSON 的字段名为英文，便于程序处理。",
    )
    compress = forms.BooleanField(
        label="压缩数据文件",
        required=False,
        help_text=(
            "CSV 和 JSON 文件可小几倍，但导出要慢一倍以上；网络较慢、导出量大时值得选用。"
            "XLSX 文件本身已经压缩。"
        ),
    )
    organ = forms.ModelChoiceField(
        label="机构",
        queryset=Organ.objects.all(),
        required=False,
        empty_label="全部机构",
        help_text="公告按发布机构，考核按组织考核的机构，依申请公开按受理机关筛选；"
        "审计记录不能按机构筛选。",
    )
    since = forms.DateField(
        label="起始日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="公告按发布日期，考核按发布时间，依申请公开按提交时间，审计记录按记录时间；"
        "包含当天。",
    )
    until = forms.DateField(
        label="截止日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="包含当天。",
    )
    status = forms.ChoiceField(label="状态", choices=status_choices, required=False)
    year = forms.IntegerField(
        label="年度",
        required=False,
        min_value=1900,
        max_value=9998,
        help_text="公告按发布年份，考核按考核年度，依申请公开按提交年份，审计记录按记录年份。",
    )

    personal_data = forms.BooleanField(
        label="包含个人信息",
        required=False,
        help_text="默认不导出个人信息（如依申请公开的申请人姓名、证件号码和联系方式）。"
        "确因审计需要时勾选，并写明理由；理由和导出人记入审计记录，清单注明含个人信息。",
    )
    reason = forms.CharField(
        label="导出个人信息的理由",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="只在勾选“包含个人信息”时填写，例如审计事项和依据。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organ"].label_from_instance = lambda organ: f"{organ.name}（{organ.code}）"

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for message in self.selection().errors():
                self.add_error(None, message)
        return cleaned

    def selection(self) -> Selection:
        data = self.cleaned_data
        return Selection(
            dataset=data["dataset"],
            format=data["format"],
            organ=data.get("organ"),
            since=data.get("since"),
            until=data.get("until"),
            status=data.get("status") or "",
            year=data.get("year"),
            personal_data=data.get("personal_data", False),
            reason=data.get("reason", ""),
        )
