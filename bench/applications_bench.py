#!/usr/bin/env python
"""依申请公开 at scale: the handler's queue with its due-date filters and the public look-up.

    python bench/applications_bench.py                       # 100,000 applications, 300 organs
    python bench/applications_bench.py --small               # 5,000 in 30 organs (CI-sized)

Targets (issue 28): the handler's queue, with its filters 已逾期 / 3日内到期 / 补正期限已过,
under 300 ms; the public look-up (number + 查询码) under 50 ms. Figures, not a pass/fail test:
each case is requested ``--repeat`` times through Django's test client in this process (the
whole request: middleware, the admin's changelist or the look-up view, templates) after a
warm-up, and its median, 90th percentile and maximum wall time are printed with the queries it
made, the median CPU time of this process per request (which a loaded machine moves less than
the wall time; PostgreSQL's own CPU is not in it), the median time spent waiting for the
database's answers, and the 1-minute load average before and after the case: on a machine
shared with other work, wall ≈ CPU + SQL + the time waited for a core, so a loaded run's
wall times are read with its CPU and load beside them.
Written to bench/reports/applications.json.

The database (``--database-url``, default ``bench_applications`` on 127.0.0.1) is created and
migrated when missing, then filled by bulk inserts up to the size asked (organs named
申请基准机关N, applications spread over two years and across every state, their steps, and a
known 查询码 per application); a second run reuses it. The applications' states are set
around today: about one in six open applications is overdue and as many are due within three
working days. Descriptions repeat on purpose, so the queue's §44 marks (同类申请) have work.
"""

import argparse
import datetime
import json
import logging
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "bench" / "reports" / "applications.json"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_applications"
ORGAN_PREFIX = "申请基准机关"
BATCH = 5000
TARGETS_MS = {"queue": 300, "lookup": 50}

SUBJECTS = [
    "老旧小区改造项目", "道路维修工程", "征地补偿安置方案", "财政预算执行情况", "政府采购合同",
    "行政处罚决定书", "环境影响评价报告", "建设工程规划许可证", "学校招生计划", "医疗机构执业许可",
    "社会救助资金发放", "农村土地承包", "拆迁补偿标准", "公共资源交易结果", "重大项目审批文件",
    "安全生产检查记录", "河道整治工程", "养老机构补贴", "城市供水水质检测", "企业环保验收意见",
]  # fmt: skip
PLACES = ["东城街道", "西城街道", "南关镇", "北山乡", "河湾社区", "新区管委会", "城关镇"]
ASPECTS = ["的批准文件", "的验收报告", "的会议纪要", "的资金拨付明细", "的招标文件", "的实施方案"]


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


def ensure_database(database_url: str) -> None:
    """Create the database when it does not exist (connecting to the server's ``postgres``)."""
    import psycopg2

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(parts._replace(path="/postgres").geturl())
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()


def code_for(number: str) -> str:
    """The 查询码 the bench gives each application: known, so the look-up can be timed."""
    return "B" + number.replace("-", "")[-9:].rjust(9, "0")


def description(rng: random.Random) -> str:
    year = rng.randint(2019, 2026)
    return f"{rng.choice(PLACES)}{year}年{rng.choice(SUBJECTS)}{rng.choice(ASPECTS)}"


def make_organs(count: int) -> list:
    from notices.models import Organ

    existing = {o.name: o for o in Organ.objects.filter(name__startswith=ORGAN_PREFIX)}
    new = [
        Organ(name=f"{ORGAN_PREFIX}{n:03d}", code=f"BA{n:07d}", position=1000 + n)
        for n in range(1, count + 1)
        if f"{ORGAN_PREFIX}{n:03d}" not in existing
    ]
    Organ.objects.bulk_create(new)
    return list(Organ.objects.filter(name__startswith=ORGAN_PREFIX).order_by("position")[:count])


def fill(target: int, organs: list, seed: int = 28) -> int:
    """Add applications (and their steps) by bulk inserts until there are ``target``."""
    from django.db import transaction
    from django.utils import timezone

    from applications import calendar as working_days
    from applications import clock
    from applications.models import (
        Application,
        ApplicationEvent,
        ApplicationSequence,
        Outcome,
        State,
        normalized_description,
    )

    have = Application.objects.filter(organ__in=organs).count()
    if have >= target:
        return 0
    rng = random.Random(seed + have)
    days = clock.working_calendar()
    today = timezone.localdate()
    tz = timezone.get_default_timezone()
    serials = dict(ApplicationSequence.objects.values_list("year", "last_serial"))
    Action = ApplicationEvent.Action
    added = 0
    while have + added < target:
        size = min(BATCH, target - have - added)
        applications, steps = [], []
        for _ in range(size):
            organ = organs[rng.randrange(len(organs))]
            roll = rng.random()
            if roll < 0.45:  # open: received in the last 40 days, due around today
                received = today - datetime.timedelta(days=rng.randint(0, 40))
            else:  # older: anything in the last two years
                received = today - datetime.timedelta(days=rng.randint(40, 730))
            submitted_at = datetime.datetime.combine(
                received, datetime.time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=tz
            )
            year = received.year
            serials[year] = serials.get(year, 0) + 1
            number = f"{year}-{serials[year]:06d}"
            text = description(rng)
            application = Application(
                number=number,
                organ=organ,
                channel=Application.Channel.ONLINE,
                applicant_type=Application.ApplicantType.NATURAL_PERSON,
                applicant_name=f"基准申请人{number}",
                id_type=Application.IdType.OTHER,
                id_number=f"BENCH{number}",
                phone="010-00000000",
                description=text,
                description_key=normalized_description(text),
                delivery=Application.Delivery.EMAIL,
                medium=Application.Medium.ELECTRONIC,
                email=f"{number}@example.invalid",
                submitted_at=submitted_at,
            )
            application.set_lookup_code(code_for(number))
            start = working_days.working_day_on_or_after(received, days)
            due = working_days.add_working_days(start, clock.ANSWER_DAYS, days)
            events = [(Action.SUBMITTED, "", State.SUBMITTED, submitted_at)]
            if roll < 0.05:
                application.state = State.SUBMITTED
            else:
                application.received_on = received
                application.clock_started_on = start
                registered_at = submitted_at + datetime.timedelta(hours=20)
                events.append((Action.REGISTERED, State.SUBMITTED, State.ACCEPTED, registered_at))
                if roll < 0.08:
                    application.state = State.AWAITING_CORRECTION
                elif roll < 0.45:
                    application.state = rng.choice(
                        [State.ACCEPTED, State.ACCEPTED, State.CORRECTED, State.EXTENDED]
                    )
                    application.due_on = due
                else:
                    application.state = rng.choice([State.ANSWERED, State.ARCHIVED])
                    application.due_on = due
                    application.outcome = rng.choice([Outcome.DISCLOSED, Outcome.NOT_HELD])
                    application.legal_basis = "《中华人民共和国政府信息公开条例》第三十六条"
                    application.answered_on = min(due, today)
                    answered_at = datetime.datetime.combine(
                        application.answered_on, datetime.time(10), tzinfo=tz
                    )
                    events.append((Action.ANSWERED, State.ACCEPTED, State.ANSWERED, answered_at))
                    if application.state == State.ARCHIVED:
                        application.archived_on = min(due + datetime.timedelta(days=10), today)
                        events.append(
                            (Action.ARCHIVED, State.ANSWERED, State.ARCHIVED, answered_at)
                        )
            applications.append(application)
            steps.append(events)
        with transaction.atomic():
            Application.objects.bulk_create(applications, batch_size=1000)
            ApplicationEvent.objects.bulk_create(
                [
                    ApplicationEvent(
                        application=application,
                        action=action,
                        from_state=from_state,
                        to_state=to_state,
                        created_at=at,
                    )
                    for application, events in zip(applications, steps, strict=True)
                    for action, from_state, to_state, at in events
                ],
                batch_size=2000,
            )
            for year, last in serials.items():
                ApplicationSequence.objects.update_or_create(
                    year=year, defaults={"last_serial": last}
                )
        added += size
        print(f"  {have + added:>9,} applications", flush=True)
    return added


def users(organs: list) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from applications.roles import HANDLER
    from notices import roles

    model = get_user_model()
    made = {}
    for username, role, organ_count in [
        ("bench_handler_1", HANDLER, 1),
        ("bench_handler_3", HANDLER, 3),
        ("bench_auditor", roles.AUDITOR, 0),
    ]:
        user, _ = model.objects.get_or_create(username=username, defaults={"is_staff": True})
        user.groups.set([Group.objects.get(name=role)])
        if organ_count:
            user.organs.set(organs[:organ_count])
        made[username] = user
    return made


def timed(request, repeat: int) -> dict:
    """Median, 90th percentile and maximum of ``repeat`` requests, after three to warm up;
    the median CPU time of this process and the median time spent waiting for the database's
    answers per request; the queries of one request; the machine's load before and after."""
    from django.db import connection

    load_before = os.getloadavg()[0]
    for _ in range(3):
        request(0)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        status = request(0)
    spent_in_sql = [0.0]

    def clock_sql(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent_in_sql[0] += time.perf_counter() - started

    times, cpu, sql = [], [], []
    with connection.execute_wrapper(clock_sql):
        for n in range(repeat):
            spent_in_sql[0] = 0.0
            started, cpu_started = time.perf_counter(), time.process_time()
            request(n)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            sql.append(spent_in_sql[0] * 1000)
    times.sort()
    return {
        "status": status,
        "queries": len(queries),
        "median_ms": round(statistics.median(times), 1),
        "cpu_median_ms": round(statistics.median(cpu), 1),
        "sql_median_ms": round(statistics.median(sql), 1),
        "p90_ms": round(times[int(0.9 * (len(times) - 1))], 1),
        "max_ms": round(times[-1], 1),
        "load_1min": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }


def measure(organs: list, repeat: int, seed: int = 7) -> list[dict]:
    from django.test import Client, override_settings

    from applications.models import Application

    made = users(organs)
    results = []
    queue = "/admin/applications/application/"
    filters = {
        "全部": "",
        "已逾期": "?due=overdue",
        "3日内到期": "?due=soon",
        "补正期限已过": "?due=correction_lapsed",
        "待登记": "?state__exact=submitted",
    }
    for username, who in [
        ("bench_handler_1", "办理人（1个机关）"),
        ("bench_handler_3", "办理人（3个机关）"),
        ("bench_auditor", "审计（全部机关）"),
    ]:
        client = Client()
        client.force_login(made[username])
        for label, query in filters.items():

            def request(n, url=queue + query, client=client):
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                return response.status_code

            figures = timed(request, repeat)
            results.append({"case": f"queue {who} {label}", "kind": "queue", **figures})
            print_row(results[-1])

    rng = random.Random(seed)
    numbers = list(
        Application.objects.filter(organ__in=organs)
        .order_by("?")
        .values_list("number", flat=True)[: repeat + 3]
    )
    limits = {"submit": (10**9, 3600), "lookup": (10**9, 600)}
    with override_settings(APPLICATION_RATE_LIMITS=limits):
        client = Client()
        cases = {
            "look-up 编号和查询码正确": lambda n: (numbers[n], code_for(numbers[n]), True),
            "look-up 查询码错误": lambda n: (numbers[n], "WRONG00000", False),
            "look-up 编号不存在": lambda n: (unknown_number(rng), "B000000000", False),
        }
        for label, make in cases.items():

            def request(n, make=make):
                number, code, found = make(n)
                response = client.post("/apply/lookup/", {"number": number, "code": code})
                assert (number in response.content.decode()) or not found, number
                return response.status_code

            figures = timed(request, repeat)
            results.append({"case": label, "kind": "lookup", **figures})
            print_row(results[-1])
    return results


def unknown_number(rng: random.Random) -> str:
    return f"2099-{rng.randint(1, 999999):06d}"


def print_row(row: dict) -> None:
    target = TARGETS_MS[row["kind"]]
    verdict = "within" if row["median_ms"] < target else "OVER"
    before, after = row["load_1min"]
    print(
        f"  {row['case']:<34} wall {row['median_ms']:>7.1f} ms  p90 {row['p90_ms']:>7.1f}"
        f"  max {row['max_ms']:>7.1f}  cpu {row['cpu_median_ms']:>6.1f}"
        f"  sql {row['sql_median_ms']:>6.1f}  queries {row['queries']:>2}"
        f"  load {before:>4.1f}→{after:<4.1f}  {verdict} {target} ms",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--organs", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per case")
    parser.add_argument("--small", action="store_true", help="5,000 applications in 30 organs")
    args = parser.parse_args()
    if args.small:
        args.applications, args.organs, args.repeat = 5_000, 30, 10
        if args.database_url == DEFAULT_DATABASE_URL:
            args.database_url = DEFAULT_DATABASE_URL + "_small"

    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    # A wrong code answers 404 by design; Django would log each one.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    call_command("migrate", verbosity=0)
    organs = make_organs(args.organs)
    print(f"{args.applications:,} applications in {len(organs)} organs ({args.database_url})")
    started = time.perf_counter()
    added = fill(args.applications, organs)
    if added:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE applications_application")
            cursor.execute("VACUUM ANALYZE applications_applicationevent")
        print(f"  filled {added:,} in {time.perf_counter() - started:.0f} s")
    load_before = os.getloadavg()
    print("load average {:.1f} {:.1f} {:.1f}, {} CPUs".format(*load_before, os.cpu_count()))
    results = measure(organs, args.repeat)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(
        json.dumps(
            {
                "applications": args.applications,
                "organs": len(organs),
                "repeat": args.repeat,
                "targets_ms": TARGETS_MS,
                "machine": platform.platform(),
                "load_average_before": load_before,
                "load_average": os.getloadavg(),
                "cpus": os.cpu_count(),
                "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "results": results,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )
    print(f"written to {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
