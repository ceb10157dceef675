from django import forms

from exports.export import DATASETS, FORMATS, Selection
from notices.models import Organ

STATUS_CHOICES = [
    ("", "全部状态"),
    ("draft", "草稿（公告）"),
    ("preparing", "准备中（考核）"),
    ("in_review", "待审核"),
    ("published", "已发布"),
    ("withdrawn", "已撤回（公告）"),
]


class ExportForm(forms.Form):
    """The export page: what to export, in which format, and the filters. The rules of which
    filter suits which dataset are Selection's; this form only collects."""

    dataset = forms.ChoiceField(
        label="导出内容",
        choices=list(DATASETS.items()),
        initial="notices",
        widget=forms.RadioSelect,
        help_text="考核导出包括考核、成绩、特点和问题、整改要求和整改报告，每类一个文件。",
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
        help_text="公告按发布机构，考核按组织考核的机构筛选；审计记录不能按机构筛选。",
    )
    since = forms.DateField(
        label="起始日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="公告按发布日期，考核按发布时间，审计记录按记录时间；包含当天。",
    )
    until = forms.DateField(
        label="截止日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="包含当天。",
    )
    status = forms.ChoiceField(label="状态", choices=STATUS_CHOICES, required=False)
    year = forms.IntegerField(
        label="年度",
        required=False,
        min_value=1900,
        max_value=9998,
        help_text="公告按发布年份，考核按考核年度，审计记录按记录年份。",
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
        )
