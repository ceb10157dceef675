#!/usr/bin/env python
"""How long the annual report takes to count and to add up, at full size.

    DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL=postgres://… \\
        python bench/annual_report_bench.py [--small] [--keep]

The database named by DATABASE_URL is only used to reach the server: the benchmark creates a
scratch database next to it (bench_annual_report_<notices>, as the test runner does) and fills
it by ``INSERT … SELECT FROM generate_series`` (every column a model has, at its default unless
the benchmark sets it, so new fields need no change here): 300 organs, the notices (5 % of them
规章 or 行政规范性文件, some repealed or lapsed) spread over ten years and the organs, with a
tenth of them in the measured organ; the applications all in the measured organ over three
years, across applicant kinds and outcomes, with 行政复议 and 行政诉讼 on some. Then it measures:

- report: ``annual_reports.content.build`` of the measured organ's draft for the last full year
  (tables 2–4 counted, adjusted, checked), best and median of five; target under 2 s;
- summary: the province-wide summary page (``/annual-reports/summary/<year>/``) over every
  organ's published report of that year, through the test client; target under 5 s.

Full size is 1,000,000 notices and 100,000 applications; ``--small`` is 20,000 and 5,000 (CI).
``--notices`` and ``--applications`` set other sizes. ``--keep`` keeps the scratch database for
the next run (it is filled only while empty). Prints the figures and writes
bench/reports/annual_report.json.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "bench" / "reports" / "annual_report.json"
ORGANS = 300
YEAR = 2025
TARGETS = {"report": 2.0, "summary": 5.0}


def setup_django(database_url: str | None) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


def insert_series(model, count: int, values: dict[str, str]) -> None:
    """Insert ``count`` rows of ``model`` in one statement: ``values`` maps a field's name to an
    SQL expression of ``i`` (1…count); every other column gets the field's default (or NULL)."""
    from django.db import connection
    from django.utils import timezone

    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.name not in values:
            continue
        columns.append(f'"{field.column}"')
        if field.name in values:
            expressions.append(values[field.name].replace("%", "%%"))  # not a placeholder
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            expressions.append("%s")
            params.append(timezone.now())
        elif field.null and not field.has_default():
            expressions.append("NULL")
        else:  # the default, or "" for a text field without one
            expressions.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
    sql = (
        f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) '  # noqa: S608
        f"SELECT {', '.join(expressions)} FROM generate_series(1, {int(count)}) AS i"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def fill(notices: int, applications: int) -> int:
    """Fill an empty scratch database; returns the measured organ's id."""
    from django.db import connection

    from applications.models import AdministrativeReview, Application, Lawsuit, Outcome
    from notices.models import Notice, Organ

    organs = Organ.objects.bulk_create(
        Organ(
            name=f"示例第{n}号机构",
            code=f"B{n:08d}",
            kind=Organ.Kind.GOVERNMENT if n % 10 == 0 else Organ.Kind.DEPARTMENT,
            position=n,
        )
        for n in range(1, ORGANS + 1)
    )
    first, last = organs[0].pk, organs[-1].pk
    measured = first
    started = time.perf_counter()
    # A tenth of the notices in the measured organ, the rest spread over all; ten years; one
    # in twenty a 规章 or 行政规范性文件; of those one in seven repealed, one in eleven lapsed.
    insert_series(
        Notice,
        notices,
        {
            "organ": (
                f"CASE WHEN i % 10 = 0 THEN {measured} ELSE {first} + i % {last - first + 1} END"
            ),
            "title": "'示例信息' || i",
            "genre": "'notice'",
            "status": "'published'",
            "index_number": "'B/' || i",
            "published_at": (
                f"TIMESTAMPTZ '{YEAR - 9}-01-01 08:00+08' + (i % 3650) * INTERVAL '1 day'"
            ),
            # By i / 10, so that the measured organ (i % 10 = 0) gets its share of each kind.
            "document_category": (
                "CASE WHEN (i / 10) % 40 = 0 THEN 'rules' WHEN (i / 10) % 40 = 20 "
                "THEN 'normative' ELSE 'other' END"
            ),
            "validity": (
                "CASE WHEN (i / 10) % 7 = 3 THEN 'repealed' WHEN (i / 10) % 11 = 5 "
                "THEN 'expired' ELSE 'valid' END"
            ),
            "validity_changed_on": (
                "CASE WHEN (i / 10) % 7 = 3 OR (i / 10) % 11 = 5 "
                f"THEN DATE '{YEAR - 9}-01-01' + (i % 3650) + 200 END"
            ),
        },
    )
    print(f"{notices} notices in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    outcomes = [value for value in Outcome.values if value != Outcome.PARTIAL]
    outcome_sql = "(ARRAY[{}])[1 + (i / 3) % {}]".format(
        ", ".join(f"'{value}'" for value in outcomes), len(outcomes)
    )
    kinds = ["commercial", "research", "public_welfare", "legal_service", "other"]
    kind_sql = "(ARRAY[{}])[1 + i % {}]".format(", ".join(f"'{k}'" for k in kinds), len(kinds))
    received = f"DATE '{YEAR - 1}-01-01' + (i % 1000)"
    # One in twenty still open (carried over); the others answered within twenty days.
    insert_series(
        Application,
        applications,
        {
            "number": "'B' || i",
            "organ": str(measured),
            "state": "CASE WHEN i % 20 = 0 THEN 'accepted' ELSE 'answered' END",
            "channel": "'online'",
            "applicant_type": "CASE WHEN i % 3 = 0 THEN 'organization' ELSE 'natural_person' END",
            "organization_kind": f"CASE WHEN i % 3 = 0 THEN {kind_sql} ELSE '' END",
            "applicant_name": "'示例申请人' || i",
            "id_type": "'other'",
            "id_number": "'B' || i",
            "phone": "'0931-0000000'",
            "description": "'示例申请内容' || i",
            "delivery": "'post'",
            "medium": "'paper'",
            "received_on": received,
            "clock_started_on": received,
            "due_on": f"{received} + 20",
            "outcome": f"CASE WHEN i % 20 = 0 THEN '' ELSE {outcome_sql} END",
            "answered_on": f"CASE WHEN i % 20 = 0 THEN NULL ELSE {received} + 1 + i % 19 END",
        },
    )
    lowest = Application.objects.order_by("pk").values_list("pk", flat=True).first()
    reviews = max(applications // 100, 1)
    insert_series(
        AdministrativeReview,
        reviews,
        {
            "application": f"{lowest} + i * 97 % {applications}",
            "filed_on": f"DATE '{YEAR - 1}-03-01' + (i % 600)",
            "body": "'示例复议机关'",
            "outcome": "(ARRAY['upheld', 'corrected', 'other', 'pending'])[1 + i % 4]",
            "decided_on": (
                f"CASE WHEN i % 4 = 3 THEN NULL ELSE DATE '{YEAR - 1}-05-01' + (i % 600) END"
            ),
        },
    )
    insert_series(
        Lawsuit,
        reviews // 2,
        {
            "application": f"{lowest} + i * 89 % {applications}",
            "route": "'direct'",
            "filed_on": f"DATE '{YEAR - 1}-04-01' + (i % 600)",
            "court": "'示例人民法院'",
            "outcome": "(ARRAY['upheld', 'corrected', 'other', 'pending'])[1 + i % 4]",
            "decided_on": (
                f"CASE WHEN i % 4 = 3 THEN NULL ELSE DATE '{YEAR - 1}-06-01' + (i % 600) END"
            ),
        },
    )
    print(f"{applications} applications in {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return measured


def publish_reports(measured: int) -> None:
    """Every organ's report of YEAR, published: counted (content.build), frozen, and its notice
    public, as the services leave it (without the two-person workflow, which is not measured)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from annual_reports import content
    from annual_reports.models import AnnualReport
    from notices.models import Notice, Organ

    started = time.perf_counter()
    user, _created = get_user_model().objects.get_or_create(username="bench")
    for organ in Organ.objects.order_by("pk"):
        report, _created = AnnualReport.objects.get_or_create(
            organ=organ, year=YEAR, defaults={"created_by": user, "last_edited_by": user}
        )
        if report.published_content:
            continue
        frozen = content.build(report)
        notice = Notice(
            organ=organ,
            title=report.title,
            genre_id="annualreport",
            status=Notice.Status.PUBLISHED,
            index_number=f"R/{organ.pk}",
            published_at=timezone.now() - datetime.timedelta(days=1),
            body="<p>年度报告</p>",
        )
        notice.save()
        report.notice = notice
        report.state = AnnualReport.State.PUBLISHED
        report.published_at = notice.published_at
        report.review_content = report.published_content = frozen
        report.save()
    print(f"published {ORGANS} reports in {time.perf_counter() - started:.0f} s", flush=True)


def timed(function, rounds: int = 5) -> dict:
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - started)
    return {"best": min(seconds), "median": statistics.median(seconds), "rounds": rounds}


def measure(measured: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from annual_reports import content
    from annual_reports.models import AnnualReport

    report = AnnualReport.objects.get(organ_id=measured, year=YEAR)
    results = {"report": timed(lambda: content.build(report))}
    built = content.build(report)
    print("table 2:", json.dumps(built["tables"]["2"], ensure_ascii=False))
    print("table 3 总计:", {row: cells["total"] for row, cells in built["tables"]["3"].items()})
    client = Client()
    url = reverse("annual_reports:year-summary", args=[YEAR])

    def summary():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    results["summary"] = timed(summary)
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS) SELECT document_category, count(*) FROM notices_notice "
            "WHERE organ_id = %s AND status = 'published' AND correction_of_id IS NULL AND "
            "disclosure = 'proactive' AND document_category IN ('rules', 'normative') "
            "GROUP BY 1",
            [measured],
        )
        results["table2_plan"] = [row[0] for row in cursor.fetchall()]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--small", action="store_true", help="20,000 notices, 5,000 applications")
    parser.add_argument("--notices", type=int)
    parser.add_argument("--applications", type=int)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    notices = args.notices or (20_000 if args.small else 1_000_000)
    applications = args.applications or (5_000 if args.small else 100_000)
    setup_django(args.database_url)
    from django.conf import settings
    from django.db import connection
    from django.test import override_settings

    # The scratch database's audit history starts afresh: so do its checkpoints.
    checkpoints = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tempfile.mkdtemp(prefix="bench-audit-")},
    }
    override_settings(STORAGES={**settings.STORAGES, "audit_checkpoints": checkpoints}).enable()

    from notices.models import Notice, Organ

    original = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = f"bench_annual_report_{notices}_{applications}"
    connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=args.keep
    )
    try:
        if not Organ.objects.exists():
            started = time.perf_counter()
            measured = fill(notices, applications)
            print(f"filled in {time.perf_counter() - started:.0f} s", flush=True)
        else:
            measured = Organ.objects.order_by("pk").values_list("pk", flat=True).first()
        publish_reports(measured)
        results = measure(measured)
        results.update(
            {
                "notices": Notice.objects.count(),
                "applications": applications,
                "organs": ORGANS,
                "year": YEAR,
                "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            }
        )
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(original, verbosity=0)
    failed = []
    for name, target in TARGETS.items():
        best = results[name]["best"]
        print(
            f"{name}: best {best:.3f} s, median {results[name]['median']:.3f} s (target {target} s)"
        )
        if results[name]["median"] > target:
            failed.append(name)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    if failed:
        sys.exit(f"over target: {', '.join(failed)}")


if __name__ == "__main__":
    main()
