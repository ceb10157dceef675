"""The portal's annual report pages: every organ's reports by year, one organ's reports (with
its statistics of earlier years in the pre-2019 form, as they were entered), one report as
published, and its tables as CSV and .xlsx. Only what has been published is shown, exactly as
it was published."""

from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from annual_reports import content, exports
from annual_reports.models import AnnualReport
from assessments.models import Assessment, StatisticReport
from notices.models import Organ


def _published(organ_id: int, year: int) -> AnnualReport:
    report = (
        AnnualReport.objects.published()
        .select_related("organ", "notice")
        .filter(organ_id=organ_id, year=year)
        .first()
    )
    if report is None:
        raise Http404("没有找到这份年度报告。")
    return report


def report_index(request):
    reports = list(AnnualReport.objects.published().select_related("organ").order_by("-year"))
    years: dict[int, dict] = {}
    for report in reports:
        year = years.setdefault(report.year, {"reports": [], "examples": False})
        year["reports"].append(report)
        year["examples"] = year["examples"] or report.is_example
    return render(request, "annual_reports/report_index.html", {"years": years.items()})


def year_summary(request, year: int, examples: bool = False):
    """Every organ's published report of one year added up, with the same checks, and the
    organs that have not published theirs. Real reports and example reports (示例, the demo's)
    are never added together: each has its own summary."""
    reports = list(
        AnnualReport.objects.published()
        .filter(year=year, is_example=examples)
        .select_related("organ")
        .order_by("organ__position", "organ__code")
    )
    title = f"{year}年度政府信息公开工作年度报告汇总"
    summary = content.summarize(
        [report.published_content for report in reports],
        f"示例：{title}" if examples else title,
    )
    context = content.context(summary)
    context.update(
        {
            "year": year,
            "reports": reports,
            "examples": examples,
            "missing": []
            if examples
            else Organ.objects.exclude(pk__in=[report.organ_id for report in reports]),
            "has_examples": not examples
            and AnnualReport.objects.published().filter(year=year, is_example=True).exists(),
        }
    )
    return render(request, "annual_reports/summary.html", context)


def earlier_statistics(organ: Organ):
    """The organ's disclosure statistics in the pre-2019 form (assessments' StatisticReport),
    from published assessments: its own as an assessed unit, and the totals of assessments it
    organized. Shown as entered; not converted into the 2021 tables."""
    return (
        StatisticReport.objects.filter(
            assessment__in=Assessment.objects.published(),
        )
        .filter(Q(unit__organ=organ) | Q(unit__isnull=True, assessment__organ=organ))
        .select_related("assessment", "schema", "unit__organ")
        .prefetch_related("values__item")
        .order_by("-assessment__year", "pk")
    )


def organ_reports(request, organ_id: int):
    organ = get_object_or_404(Organ, pk=organ_id)
    reports = AnnualReport.objects.published().filter(organ=organ).order_by("-year")
    return render(
        request,
        "annual_reports/organ_reports.html",
        {"organ": organ, "reports": reports, "statistics": earlier_statistics(organ)},
    )


def report_detail(request, organ_id: int, year: int):
    report = _published(organ_id, year)
    context = content.context(report.published_content)
    context.update({"report": report})
    return render(request, "annual_reports/report_detail.html", context)


def _download(data: bytes, content_type: str, report: AnnualReport, extension: str):
    response = HttpResponse(data, content_type=content_type)
    name = f"annual-report-{report.organ.code}-{report.year}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def report_csv(request, organ_id: int, year: int):
    report = _published(organ_id, year)
    return _download(
        exports.csv_bytes(report.published_content), "text/csv; charset=utf-8", report, "csv"
    )


def report_xlsx(request, organ_id: int, year: int):
    report = _published(organ_id, year)
    return _download(
        exports.xlsx_bytes(report.published_content),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        report,
        "xlsx",
    )
