"""Published assessments as the site search finds them (registered in AssessmentsConfig.ready()
with ``core.searchable``): their title, basis, summary, highlights, problems, requirements and
the units assessed."""

from collections.abc import Iterable

from django.db.models import Prefetch

from assessments.models import AssessedUnit, Assessment
from core import searchable

KIND = "assessment"
LABEL = "考核结果"


def pages(ids: Iterable[int] | None = None) -> list[searchable.Page]:
    """The pages of the published assessments among ``ids`` (of all of them: None)."""
    assessments = Assessment.objects.published()
    if ids is not None:
        assessments = assessments.filter(pk__in=list(ids))
    assessments = assessments.prefetch_related(
        "findings",
        "requirements",
        Prefetch("units", AssessedUnit.objects.select_related("organ")),
    )
    return [_page(assessment) for assessment in assessments]


def _page(assessment: Assessment) -> searchable.Page:
    # The summary first: a hit with no match in the text shows its beginning as the snippet.
    parts = [assessment.summary]
    for item in [*assessment.findings.all(), *assessment.requirements.all()]:
        parts += [item.title, item.text, item.named_units]
    parts.append(assessment.basis)
    parts.append("、".join(unit.organ.name for unit in assessment.units.all()))
    title = assessment.title
    if assessment.is_example and "示例" not in title:
        title += "（示例数据）"
    return searchable.Page(
        kind=KIND,
        object_id=assessment.pk,
        url=assessment.get_absolute_url(),
        title=title,
        organ_id=assessment.organ_id,
        published_at=assessment.published_at or assessment.updated_at,
        text="\n".join(part for part in parts if part),
    )
