from django import forms
from django.db.models import Model
from django.utils import timezone

from notices.models import Notice, Organ, Topic

EARLIEST_YEAR = 1949


class NoticeFilterForm(forms.Form):
    """The portal list's filters; each combines with the others and lives in the URL."""

    organ = forms.ModelChoiceField(
        label="发布机构", queryset=Organ.objects.none(), required=False, empty_label="全部机构"
    )
    topic = forms.ModelChoiceField(
        label="主题分类", queryset=Topic.objects.all(), required=False, empty_label="全部主题"
    )
    genre = forms.ChoiceField(
        label="体裁", choices=[("", "全部体裁"), *Notice.Genre.choices], required=False
    )
    year = forms.TypedChoiceField(label="发布年份", required=False, coerce=int, empty_value=None)
    validity = forms.ChoiceField(
        label="有效性", choices=[("", "全部"), *Notice.Validity.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request: which organs publish depends on the time of the request.
        self.fields["organ"].queryset = Organ.objects.publishing()
        paths = Topic.objects.paths()
        self.fields["topic"].label_from_instance = lambda topic: paths.get(topic.pk, topic.name)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [("", "全部年份")] + [
            (year, f"{year}年") for year in range(this_year, EARLIEST_YEAR - 1, -1)
        ]
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = "所选的值无效，请从列表中选择。"

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("organ"):
            queryset = queryset.filter(organ=data["organ"])
        if data.get("topic"):
            queryset = queryset.filter(topics__in=topic_and_descendants(data["topic"])).distinct()
        if data.get("genre"):
            queryset = queryset.filter(genre=data["genre"])
        if data.get("year"):
            queryset = queryset.filter(published_at__year=data["year"])
        if data.get("validity"):
            queryset = queryset.filter(validity=data["validity"])
        return queryset

    def active_filters(self) -> list[tuple[str, str]]:
        labels = []
        for name, value in self.cleaned_data.items():
            if value not in (None, ""):
                field = self.fields[name]
                if isinstance(value, Model):
                    shown = str(value)
                else:
                    shown = dict(field.choices).get(value, value)
                labels.append((field.label, str(shown)))
        return labels


def topic_and_descendants(topic: Topic) -> list[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Topic.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, stack = [], [topic.pk]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.append(current)
        stack.extend(children.get(current, []))
    return found
