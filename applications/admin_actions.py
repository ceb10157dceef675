"""The buttons on an application's admin page: one form per service function, offered when the
application's state allows it and the user is a handler of its organ. Nothing here changes a
row; each form's ``perform`` calls the service."""

from dataclasses import dataclass

from django import forms
from django.utils import timezone

from applications import appeals, services
from applications.models import (
    CATEGORY,
    Application,
    Consultation,
    Outcome,
    OutcomeCategory,
    State,
    outcomes_of,
)

# A date input takes ISO dates only; the locale's format would leave it empty in the browser.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date_field(label: str, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE, required=required, initial=timezone.localdate)


class RegisterForm(forms.Form):
    received_on = _date_field("收到申请日期")
    comment = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def perform(self, application, user):
        return services.register(application, user, **self.cleaned_data)


class CorrectionForm(forms.Form):
    what = forms.CharField(
        label="需要补正的事项（一次性告知）", widget=forms.Textarea(attrs={"rows": 3})
    )
    reply_by = forms.DateField(label="补正期限", widget=DATE)
    asked_on = _date_field("告知补正日期")

    def perform(self, application, user):
        return services.ask_correction(application, user, **self.cleaned_data)


class CorrectionReceivedForm(forms.Form):
    content = forms.CharField(label="补正内容", widget=forms.Textarea(attrs={"rows": 3}))
    received_on = _date_field("收到补正日期")

    def perform(self, application, user):
        return services.record_correction(application, user, **self.cleaned_data)


class CommentForm(forms.Form):
    comment = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AbandonForm(CommentForm):
    def perform(self, application, user):
        return services.deem_abandoned(application, user, **self.cleaned_data)


class ConsultationForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=Consultation.Kind.choices)
    party = forms.CharField(label="征求对象", max_length=200)
    started_on = _date_field("发出日期")

    def perform(self, application, user):
        return services.start_consultation(application, user, **self.cleaned_data)


class ConsultationFinishedForm(forms.Form):
    opinion = forms.CharField(
        label="意见", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    finished_on = _date_field("结束日期")

    def perform(self, application, user):
        return services.finish_consultation(application, user, **self.cleaned_data)


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label="延长工作日数（最多20）", min_value=1, max_value=20)
    reason = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 2}))
    approved_by = forms.CharField(label="批准的负责人（姓名、职务）", max_length=100)
    approved_on = _date_field("批准日期")

    def perform(self, application, user):
        return services.extend(application, user, **self.cleaned_data)


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(label="办理结果")
    legal_basis = forms.CharField(label="法律依据", widget=forms.Textarea(attrs={"rows": 2}))
    withheld = forms.CharField(
        label="不予公开的部分及理由（部分公开时必填）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    summary = forms.CharField(
        label="答复内容摘要", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    answered_on = _date_field("答复日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [
            (value, label)
            for value, label in Outcome.choices
            if CATEGORY[value] != OutcomeCategory.NOT_PROCESSED and value != Outcome.NO_CORRECTION
        ]

    def perform(self, application, user):
        return services.answer(application, user, **self.cleaned_data)


class DeclineForm(forms.Form):
    outcome = forms.ChoiceField(label="不予处理的情形")
    legal_basis = forms.CharField(label="法律依据", widget=forms.Textarea(attrs={"rows": 2}))
    summary = forms.CharField(
        label="告知内容摘要", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Outcome.choices)
        self.fields["outcome"].choices = [
            (value, labels[value]) for value in outcomes_of(OutcomeCategory.NOT_PROCESSED)
        ]

    def perform(self, application, user):
        return services.decline(application, user, **self.cleaned_data)


class ArchiveForm(CommentForm):
    archived_on = _date_field("归档日期")

    def perform(self, application, user):
        return services.archive(application, user, **self.cleaned_data)


class ReviewForm(forms.Form):
    filed_on = forms.DateField(label="申请复议日期", widget=DATE)
    body = forms.CharField(label="复议机关", max_length=200)

    def perform(self, application, user):
        appeals.record_review(application, user, **self.cleaned_data)
        return application


class LawsuitForm(forms.Form):
    filed_on = forms.DateField(label="起诉日期", widget=DATE)
    court = forms.CharField(label="受理法院", max_length=200)
    review = forms.ModelChoiceField(
        label="所经行政复议（直接起诉的不选）", queryset=None, required=False
    )

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review"].queryset = application.reviews.all()

    def perform(self, application, user):
        appeals.record_lawsuit(application, user, **self.cleaned_data)
        return application


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    form: type[forms.Form]
    states: tuple[str, ...]


WORKING = (State.ACCEPTED, State.CORRECTED, State.EXTENDED)
STEPS = [
    Step("register", "登记受理", RegisterForm, (State.SUBMITTED,)),
    Step("ask_correction", "告知补正", CorrectionForm, (State.ACCEPTED,)),
    Step("record_correction", "登记补正", CorrectionReceivedForm, (State.AWAITING_CORRECTION,)),
    Step("deem_abandoned", "视为放弃", AbandonForm, (State.AWAITING_CORRECTION,)),
    Step("start_consultation", "征求意见", ConsultationForm, WORKING),
    Step(
        "finish_consultation",
        "征求意见结束",
        ConsultationFinishedForm,
        (State.CONSULTING_THIRD_PARTY, State.CONSULTING_ORGAN),
    ),
    Step("extend", "延期答复", ExtensionForm, (State.ACCEPTED, State.CORRECTED)),
    Step("answer", "答复", AnswerForm, WORKING),
    Step("decline", "不予处理", DeclineForm, WORKING),
    Step("archive", "归档", ArchiveForm, (State.ANSWERED, State.ABANDONED)),
    Step("record_review", "登记行政复议", ReviewForm, tuple(appeals.APPEALABLE_STATES)),
    Step("record_lawsuit", "登记行政诉讼", LawsuitForm, tuple(appeals.APPEALABLE_STATES)),
]
BY_NAME = {step.name: step for step in STEPS}


def make_form(step: Step, application: Application, data=None) -> forms.Form:
    prefix = step.name
    if step.form is LawsuitForm:
        return step.form(data, prefix=prefix, application=application)
    return step.form(data, prefix=prefix)


def available(user, application: Application) -> list[Step]:
    """The steps this user may take now (the services check again when one is taken)."""
    if not services.can_handle(user, application.organ_id):
        return []
    return [step for step in STEPS if application.state in step.states]
