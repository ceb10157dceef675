"""Published assessments as the site search finds them (registered in AssessmentsConfig.ready()
with ``core.searchable``): their title, basis, summary, highlights, problems, requirements and
the units assessed."""

from django.db.models import Prefetch

from assessments.models import AssessedUnit, Assessment
from core import searchable

KIND = "assessment"
LABEL = "考核结果"


def pages() -> list[searchable.Page]:
    assessments = (
        Assessment.objects.published()
        .select_related("organ")
        .prefetch_related(
            "findings",
            "requirements",
            Prefetch("units", AssessedUnit.objects.select_related("organ")),
        )
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
        url=assessment.get_absolute_url(),
        title=title,
        organ_id=assessment.organ_id,
        organ_name=assessment.organ.name,
        published_at=assessment.published_at or assessment.updated_at,
        text="\n".join(part for part in parts if part),
    )
