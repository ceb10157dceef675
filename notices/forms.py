import datetime
from functools import lru_cache

from django import forms
from django.db.models import Exists, Model, OuterRef
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator

from core import templating
from notices import shared_lists
from notices.models import Notice, Organ, Topic, genre_labels
from notices.models.notice import signed_key

EARLIEST_YEAR = 1949
# The catalogue's orders (NoticeFilterForm.order): by 发布日期, newest first, or by 成文日期,
# newest first and notices without one last (notices.models.signed_key), then by 发布日期.
PUBLISHED = "published"
SIGNED = "signed"


class PlainSelect(forms.Select):
    """A <select> whose options are rendered once per process rather than on every page.

    The catalogue's filters offer hundreds of options (every publishing organ, the topic tree,
    the years); rendered by Django's select template, one included template per option, they
    took most of the list page's time. Here the options are rendered for each list of options
    and chosen option once (``options_html``), and the widget's template writes the <select>
    around them. Both templates are Jinja2's (core/templating.py): through Django's form
    renderer the <select> alone cost three times as much. The HTML is the same as
    forms.Select's.
    """

    template_name = "widgets/plain_select.html"

    def get_context(self, name, value, attrs):
        # forms.Widget's context (name, formatted value, attributes) without the dictionary
        # per option that forms.Select adds for its template.
        context = forms.Widget.get_context(self, name, value, attrs)
        choices = tuple(self.choices)
        first_of = first_positions(choices)
        # As forms.Select: only the first option with one of the values is selected.
        chosen = [first_of[option] for option in context["widget"]["value"] if option in first_of]
        context["widget"]["options"] = options_html(choices, min(chosen) if chosen else None)
        return context

    def render(self, name, value, attrs=None, renderer=None):
        return templating.render(self.template_name, self.get_context(name, value, attrs))


def _option_value(value) -> str:
    return "" if value is None else str(value)


@lru_cache(maxsize=64)
def first_positions(choices: tuple[tuple, ...]) -> dict[str, int]:
    """Where each option value first occurs among ``choices``."""
    first_of = {}
    for position, (value, _label) in enumerate(choices):
        first_of.setdefault(_option_value(value), position)
    return first_of


@lru_cache(maxsize=256)
def options_html(choices: tuple[tuple, ...], selected: int | None) -> str:
    """The <option> lines of ``choices``, the one at ``selected`` marked as chosen. Kept for
    as many lists and choices as pages commonly ask for: at most a few megabytes."""
    options = [(_option_value(value), label) for value, label in choices]
    return templating.render(
        "widgets/plain_options.html", {"choices": options, "selected": selected}
    )


class KeptChoices(BaseChoiceIterator):
    """Options that are already (value, label) pairs, such as the kept shared lists: handed to
    a widget as they are (Django would otherwise normalize every pair of every list)."""

    def __init__(self, choices: list[tuple] | tuple[tuple, ...]):
        self.choices = choices

    def __iter__(self):
        return iter(self.choices)


@lru_cache(maxsize=4)
def year_choices(this_year: int) -> KeptChoices:
    return KeptChoices(
        (
            ("", "全部年份"),
            *((year, f"{year}年") for year in range(this_year, EARLIEST_YEAR - 1, -1)),
        )
    )


CATALOGUE_VALIDITIES = [
    (value, "现行有效" if value == Notice.Validity.VALID else label)
    for value, label in Notice.Validity.choices
]


class NoticeFilterForm(forms.Form):
    """The portal list's filters; each combines with the others and lives in the URL."""

    # Any organ is looked up, but only a publishing one is accepted (clean_organ): checked
    # against the kept options instead of building the publishing query for every page.
    organ = forms.ModelChoiceField(
        label="发布机构",
        queryset=Organ.objects.all(),
        required=False,
        empty_label="全部机构",
        widget=PlainSelect,
    )
    topic = forms.ModelChoiceField(
        label="主题分类",
        queryset=Topic.objects.all(),
        required=False,
        empty_label="全部主题",
        widget=PlainSelect,
    )
    genre = forms.ChoiceField(label="体裁", required=False, widget=PlainSelect)
    year = forms.TypedChoiceField(
        label="发布年份", required=False, coerce=int, empty_value=None, widget=PlainSelect
    )
    validity = forms.ChoiceField(
        label="有效性",
        # 现行有效: in force now, as the notice's 有效性 says (changes take effect when approved).
        choices=[("", "全部"), *CATALOGUE_VALIDITIES],
        required=False,
        widget=PlainSelect,
    )
    interpreted = forms.ChoiceField(
        label="政策解读",
        choices=[("", "全部"), ("1", "有解读")],
        required=False,
        widget=PlainSelect,
    )
    # How the list is sorted (not a filter): newest published first, or newest signed first.
    sort = forms.ChoiceField(
        label="排序",
        choices=[("", "按发布日期"), (SIGNED, "按成文日期")],
        required=False,
        widget=PlainSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Which organs publish depends on the time of the request: the options are kept until
        # anything public changes or a notice falls due (notices/shared_lists.py), as rows.
        organs = self.fields["organ"]
        self.publishing_organs = shared_lists.publishing_organs()
        organs.widget.choices = KeptChoices([("", organs.empty_label), *self.publishing_organs])
        topics = self.fields["topic"]
        topics.widget.choices = KeptChoices(
            [("", topics.empty_label), *shared_lists.topic_options()]
        )
        self.fields["year"].choices = year_choices(timezone.localdate().year)
        # The genres a site admin keeps (notices.Genre), kept like the lists above.
        self.fields["genre"].choices = KeptChoices([("", "全部体裁"), *genre_labels().items()])
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = "所选的值无效，请从列表中选择。"

    def clean_organ(self):
        organ = self.cleaned_data.get("organ")
        if organ is not None and organ.pk not in dict(self.publishing_organs):
            # An organ that has published nothing yet: a valid choice with an empty list, kept
            # among the options so that the form shows what was chosen.
            field = self.fields["organ"]
            field.widget.choices = KeptChoices([*field.widget.choices, (organ.pk, organ.name)])
        return organ

    def order(self) -> str:
        """The chosen order: PUBLISHED or SIGNED."""
        return (self.cleaned_data.get("sort") if self.is_bound else None) or PUBLISHED

    def query_values(self) -> dict:
        """The chosen filters as the values ``filtered`` takes."""
        data = self.cleaned_data
        values = {}
        if data.get("organ"):
            values["organ_id"] = data["organ"].pk
        if data.get("topic"):
            values["topic_ids"] = topic_and_descendants(data["topic"])
        if data.get("genre"):
            values["genre"] = data["genre"]
        if data.get("year"):
            values["year_start"], values["year_end"] = year_bounds(data["year"])
        if data.get("validity"):
            values["validity"] = data["validity"]
        if data.get("interpreted"):
            # Documents that an interpretation the public may read now names.
            values["interpreted"] = True
        return values

    def active_filters(self) -> list[tuple[str, str]]:
        labels = []
        for name, value in self.cleaned_data.items():
            if value not in (None, "") and name in FILTER_NAMES:
                field = self.fields[name]
                if isinstance(value, Topic):
                    shown = value.path or value.name
                elif isinstance(value, Model):
                    shown = str(value)
                else:
                    shown = dict(field.choices).get(value, value)
                labels.append((field.label, str(shown)))
        return labels


# The fields that filter (the others say how to show the list).
FILTER_NAMES = ("organ", "topic", "genre", "year", "validity", "interpreted")


def ordered(queryset, order: str = PUBLISHED):
    """``queryset`` in the catalogue's ``order`` (NoticeFilterForm.order)."""
    if order == SIGNED:
        return queryset.alias(signed_key=signed_key()).order_by(
            "-signed_key", "-published_at", "-pk"
        )
    return queryset.order_by("-published_at", "-pk")


def filtered(
    queryset,
    *,
    organ_id: int | None = None,
    topic_ids: list[int] = (),
    genre: str = "",
    year_start: datetime.datetime | None = None,
    year_end: datetime.datetime | None = None,
    validity: str = "",
    interpreted: bool = False,
    at: datetime.datetime | None = None,
):
    """Notices of ``queryset`` that meet every filter given (NoticeFilterForm.query_values),
    those that depend on publication (``interpreted``) as at ``at`` (now)."""
    if organ_id is not None:
        queryset = queryset.filter(organ_id=organ_id)
    if topic_ids:
        tagged = Notice.topics.through.objects.filter(notice=OuterRef("pk"), topic__in=topic_ids)
        queryset = queryset.filter(Exists(tagged))
    if genre:
        queryset = queryset.filter(genre=genre)
    if year_start is not None:
        queryset = queryset.filter(published_at__gte=year_start, published_at__lt=year_end)
    if validity:
        queryset = queryset.filter(validity=validity)
    if interpreted:
        interpretations = Notice.objects.published(at).filter(interprets=OuterRef("pk"))
        queryset = queryset.filter(Exists(interpretations))
    return queryset


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The first moment of a year in the portal's time zone, and of the year after."""
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime(year, 1, 1, tzinfo=zone),
        datetime.datetime(year + 1, 1, 1, tzinfo=zone),
    )


def topic_and_descendants(*topics: Topic) -> list[int]:
    """The topics' pks and those of every topic below them."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in shared_lists.topic_parents().items():
        children.setdefault(parent_id, []).append(pk)
    found, stack = [], [topic.pk for topic in topics]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.append(current)
        stack.extend(children.get(current, []))
    return found
