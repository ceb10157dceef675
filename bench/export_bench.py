#!/usr/bin/env python
"""How fast exports run and how much memory they take, against the bare database read.

    DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL=postgres://… \\
        python bench/export_bench.py --rows 10000 100000

The database named by DATABASE_URL (or --database-url) is only used to reach the server: the
benchmark creates its own scratch database next to it (as the test runner does), fills it with
notices by bulk inserts, and drops it at the end unless --keep is given. For each size it measures,
each in a fresh process so that ru_maxrss means something:

- baseline: iterating the export's own values_list(...).iterator() without writing anything;
- copy: PostgreSQL's COPY of the export's CSV lines, as the CSV export reads them, thrown away:
  the most the database and the connection allow;
- csv, json, xlsx: the whole export (ZIP with manifest), bytes counted and thrown away;
- csv-python, json-python: the same, every row formatted in Python, as on SQLite.

Rows/s and the peak RSS (ru_maxrss; VmHWM on Linux) with its growth over the process's start come
from a plain run; the tracemalloc peak from a second run under tracemalloc, which slows Python.
``--body-compression pglz`` (or ``lz4``) stores the bodies so, to compare the two (PostgreSQL).
Prints a table and writes bench/reports/export.json. Each size has its own scratch database
(bench_exports_<name>_<rows>), which --keep keeps for the next run.
"""

import argparse
import datetime
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "bench" / "reports" / "export.json"
DEFAULT_BODY_CHARS = "1500-4000"
MEASURES = ["baseline", "copy", "csv", "csv-python", "json", "json-python", "xlsx"]


def setup_django(database_url: str | None) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


# Realistic notices: Chinese titles, 文号, summaries and bodies of a few thousand characters.
WORDS = [
    "政务公开", "信息公开", "人民政府", "工作要点", "实施意见", "通知", "规范性文件", "政策解读",
    "民生保障", "财政预算", "决算公开", "重大项目", "审批服务", "行政许可", "公共资源", "交易",
    "乡村振兴", "生态环境", "安全生产", "应急管理", "教育", "医疗卫生", "社会救助", "养老服务",
    "就业创业", "营商环境", "统计数据", "监督检查", "责任追究", "考核评估", "各市州", "省直部门",
    "主动公开", "依申请公开", "网站建设", "政务新媒体", "办理情况", "建议提案", "督查整改",
]  # fmt: skip
ORGANS = [
    "省人民政府办公厅", "省发展和改革委员会", "省教育厅", "省科学技术厅", "省工业和信息化厅",
    "省民政厅", "省司法厅", "省财政厅", "省人力资源和社会保障厅", "省自然资源厅",
    "省生态环境厅", "省住房和城乡建设厅", "省交通运输厅", "省水利厅", "省农业农村厅",
    "省商务厅", "省文化和旅游厅", "省卫生健康委员会", "省应急管理厅", "省审计厅",
    "省市场监督管理局", "省统计局", "省医疗保障局", "省林业和草原局",
]  # fmt: skip


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(4, 9))
    return "、".join(words[:2]) + "等" + "和".join(words[2:]) + "工作取得积极进展。"


def fill(target: int, body_chars: tuple[int, int], seed: int = 2017) -> int:
    """Add notices by bulk inserts until there are ``target``; returns how many were added."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from notices.models import Notice, Organ

    existing = Notice.objects.count()
    if existing >= target:
        return 0
    organs = list(Organ.objects.order_by("pk"))
    if not organs:
        Organ.objects.bulk_create(
            Organ(name=f"甘肃{name}", short_name=name, code=f"000014{n:03d}", position=n)
            for n, name in enumerate(ORGANS)
        )
        organs = list(Organ.objects.order_by("pk"))
    users = get_user_model().objects
    editor = users.filter(username="bench-editor").first() or users.create(username="bench-editor")
    reviewer = users.filter(username="bench-reviewer").first() or users.create(
        username="bench-reviewer"
    )
    rng = random.Random(seed + existing)
    pool = [sentence(rng) for _ in range(600)]
    tz = timezone.get_default_timezone()
    start = datetime.datetime(2015, 1, 1, 9, tzinfo=tz)
    batch, added = [], 0
    for n in range(existing, target):
        organ = organs[n % len(organs)]
        published_at = start + datetime.timedelta(minutes=rng.randint(0, 11 * 365 * 24 * 60))
        year = published_at.year
        roll = rng.random()
        status = (
            Notice.Status.DRAFT
            if roll < 0.05
            else Notice.Status.IN_REVIEW
            if roll < 0.10
            else Notice.Status.WITHDRAWN
            if roll < 0.15
            else Notice.Status.PUBLISHED
        )
        shown = status in (Notice.Status.PUBLISHED, Notice.Status.WITHDRAWN)
        body_length = rng.randint(*body_chars)
        paragraphs, length = [], 0
        while length < body_length:
            paragraph = "".join(rng.choices(pool, k=rng.randint(3, 8)))
            paragraphs.append(f"<p>{paragraph}</p>")
            length += len(paragraph) + 7
        expired = rng.random() < 0.1
        withheld = rng.random() < 0.01
        batch.append(
            Notice(
                organ=organ,
                title=f"关于{''.join(rng.choices(WORDS, k=3))}的通知（{n}）",
                index_number=f"{organ.code}/{year}-{n:07d}" if shown else None,
                document_number=f"甘{organ.short_name[1:3]}发〔{year}〕{n}号"
                if rng.random() < 0.7
                else "",
                genre_id=rng.choice(["notice", "circular", "opinion", "report", "reply"]),
                keywords=" ".join(rng.sample(WORDS, 3)),
                summary="".join(rng.choices(pool, k=4))[: rng.randint(80, 200)],
                addressees="各市、自治州人民政府，兰州新区管委会，省政府各部门，中央在甘有关单位",
                signed_on=(published_at - datetime.timedelta(days=rng.randint(0, 20))).date(),
                published_at=published_at if status != Notice.Status.DRAFT else None,
                disclosure=Notice.Disclosure.WITHHELD if withheld else Notice.Disclosure.PROACTIVE,
                withheld_reason="涉及国家秘密" if withheld else "",
                validity=Notice.Validity.EXPIRED if expired else Notice.Validity.VALID,
                validity_changed_on=datetime.date(year + 2, 1, 1) if expired else None,
                body="".join(paragraphs),
                status=status,
                withdrawn_at=published_at + datetime.timedelta(days=30)
                if status == Notice.Status.WITHDRAWN
                else None,
                withdrawal_reason="内容已被新文件替代" if status == Notice.Status.WITHDRAWN else "",
                created_by=editor,
                last_edited_by=reviewer,
            )
        )
        if len(batch) == 2000:
            Notice.objects.bulk_create(batch)
            added += len(batch)
            batch = []
    if batch:
        Notice.objects.bulk_create(batch)
        added += len(batch)
    return added


def peak_rss_bytes() -> int:
    """The process's peak resident memory: ru_maxrss, except that on Linux, where ru_maxrss
    carries the parent's peak over fork and exec, VmHWM of this process image."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    # ru_maxrss is in kilobytes on Linux and in bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def own_cpu_seconds() -> float:
    """CPU time of this process, all its threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def server_cpu_seconds(connection) -> float | None:
    """CPU time of the PostgreSQL backend serving the connection, when it runs on this machine:
    unlike wall time, hardly changed by other work on a shared machine."""
    if connection.vendor != "postgresql":
        return None
    pid = connection.connection.info.backend_pid
    process = Path(f"/proc/{pid}")
    try:
        if not process.joinpath("cmdline").read_bytes().startswith(b"postgres"):
            return None
        fields = process.joinpath("stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(kind: str, chunk_size: int, compress: bool) -> dict:
    """One measurement, in this (fresh) process."""
    from django.db import connection

    from audit import chain
    from exports.export import Export, Selection
    from exports.tables import notice_tables
    from exports.writers import csv_copied

    def run() -> tuple[int, int]:
        (table,) = notice_tables(Selection("notices"), None)
        if kind == "baseline":
            rows = 0
            with chain.snapshot():
                for _ in table.queryset.values_list(*table.fields).iterator(chunk_size):
                    rows += 1
            return rows, 0
        if kind == "copy":
            rows = size = 0
            with chain.snapshot():
                for lines, count in csv_copied(table, table.sql("table_sql")):
                    rows, size = rows + count, size + len(lines)
            return rows, size
        export = Export(
            Selection("notices", kind.removesuffix("-python")),
            chunk_size=chunk_size,
            compress=compress,
            use_copy=not kind.endswith("-python"),
        )
        size = sum(len(chunk) for chunk in export.stream())
        return export.manifest["rows"], size

    connection.ensure_connection()
    notice_tables(Selection("notices"), None)[0].queryset.exists()
    rss_before = peak_rss_bytes()
    server_before, own_before = server_cpu_seconds(connection), own_cpu_seconds()
    started = time.perf_counter()
    rows, size = run()
    seconds = time.perf_counter() - started
    server_after, own_after = server_cpu_seconds(connection), own_cpu_seconds()
    rss_after = peak_rss_bytes()
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "kind": kind,
        "load_average": round(os.getloadavg()[0], 1),
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_second": round(rows / seconds) if seconds else None,
        "client_cpu_us_per_row": round(1e6 * (own_after - own_before) / rows, 1) if rows else None,
        "server_cpu_us_per_row": (
            round(1e6 * (server_after - server_before) / rows, 1)
            if rows and server_before is not None and server_after is not None
            else None
        ),
        "output_bytes": size,
        "tracemalloc_peak_mb": round(peak / 2**20, 1),
        "peak_rss_mb": round(rss_after / 2**20, 1),
        "peak_rss_growth_mb": round((rss_after - rss_before) / 2**20, 1),
    }


def measure_in_subprocess(args, scratch: str, kind: str) -> dict:
    command = [
        sys.executable, __file__, "--worker", kind, "--scratch", scratch,
        "--chunk-size", str(args.chunk_size), *(["--compress"] if args.compress else []),
    ]  # fmt: skip
    if args.database_url:
        command += ["--database-url", args.database_url]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{kind} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000])
    parser.add_argument("--database-url", help="default: $DATABASE_URL, else SQLite")
    parser.add_argument("--measures", nargs="+", choices=MEASURES, default=MEASURES)
    parser.add_argument("--chunk-size", type=int, default=None, help="rows per fetch")
    parser.add_argument(
        "--body-chars", default=DEFAULT_BODY_CHARS, help="length range of the bodies, e.g. 200-400"
    )
    parser.add_argument(
        "--compress", action="store_true", help="deflate the files, as the export's option does"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch database and reuse it next time"
    )
    parser.add_argument(
        "--body-compression",
        choices=["pglz", "lz4"],
        help="PostgreSQL: how bodies are stored (default: as migrated, lz4 if built in)",
    )
    parser.add_argument("--worker", choices=MEASURES, help=argparse.SUPPRESS)
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    args = parser.parse_args()
    setup_django(args.database_url)

    from django.db import connection

    from exports.tables import FETCH_CHUNK
    from exports.writers import DEFLATE_LEVEL

    if args.chunk_size is None:
        args.chunk_size = FETCH_CHUNK
    low, _, high = args.body_chars.partition("-")
    body_chars = (int(low), int(high or low))
    if args.worker:
        connection.settings_dict["NAME"] = args.scratch
        print(json.dumps(measure(args.worker, args.chunk_size, args.compress)))
        return

    vendor = connection.vendor
    if vendor != "postgresql":
        # Without COPY the exports are the Python ones.
        args.measures = [m for m in args.measures if m != "copy" and not m.endswith("-python")]
    original_name = connection.settings_dict["NAME"]
    scratch_dir = None
    if vendor == "sqlite":
        scratch_dir = ROOT / "var" if args.keep else Path(tempfile.mkdtemp())
        scratch_dir.mkdir(exist_ok=True)
    bodies = "" if args.body_chars == DEFAULT_BODY_CHARS else f"_{low}_{high}"
    if args.body_compression and vendor == "postgresql":
        bodies += f"_{args.body_compression}"
    results = []
    try:
        for target in sorted(args.rows):
            if scratch_dir is not None:
                name = str(scratch_dir / f"bench_exports_{target}{bodies}.sqlite3")
            else:
                name = f"bench_exports_{original_name}_{target}{bodies}"
            connection.settings_dict["TEST"]["NAME"] = name
            print(f"Scratch database {name} …", flush=True)
            scratch = connection.creation.create_test_db(
                verbosity=0, autoclobber=True, serialize=False, keepdb=args.keep
            )
            try:
                if args.body_compression and vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "ALTER TABLE notices_notice ALTER COLUMN body "
                            f"SET COMPRESSION {args.body_compression}"
                        )
                started = time.perf_counter()
                added = fill(target, body_chars)
                if added:
                    seconds = time.perf_counter() - started
                    print(f"Filled {added} notices in {seconds:.1f} s ({added / seconds:.0f}/s)")
                    if vendor == "postgresql":
                        with connection.cursor() as cursor:
                            cursor.execute("VACUUM ANALYZE notices_notice")
                connection.close()
                for kind in args.measures:
                    result = measure_in_subprocess(args, scratch, kind)
                    result["size"] = target
                    results.append(result)
                    print_row(result, results)
            finally:
                connection.creation.destroy_test_db(original_name, verbosity=0, keepdb=args.keep)
    finally:
        if scratch_dir is not None and not args.keep:
            shutil.rmtree(scratch_dir, ignore_errors=True)

    report = {
        "generated_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": vendor,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "chunk_size": args.chunk_size,
        "deflate_level": DEFLATE_LEVEL if args.compress else 0,
        "body_chars": args.body_chars,
        "body_compression": args.body_compression or "as migrated",
        "results": results,
    }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(f"Written {REPORT.relative_to(ROOT)}")


def print_row(result: dict, results: list[dict]) -> None:
    if len(results) == 1:
        print(
            f"{'rows':>9} {'export':<12} {'seconds':>8} {'rows/s':>9} {'vs read':>8} "
            f"{'CPU µs/row':>10} {'server':>7} {'output MB':>10} {'tracemalloc MB':>15} "
            f"{'peak RSS MB':>12} {'growth':>7} {'load':>5}"
        )
    baseline = next(
        (r for r in results if r["kind"] == "baseline" and r["size"] == result["size"]), None
    )
    ratio = ""
    if baseline and result["kind"] != "baseline" and baseline["rows_per_second"]:
        ratio = f"{result['rows_per_second'] / baseline['rows_per_second']:.0%}"
    server = result["server_cpu_us_per_row"]
    print(
        f"{result['rows']:>9} {result['kind']:<12} {result['seconds']:>8.2f} "
        f"{result['rows_per_second']:>9} {ratio:>8} {result['client_cpu_us_per_row']:>10} "
        f"{'' if server is None else server:>7} {result['output_bytes'] / 2**20:>10.1f} "
        f"{result['tracemalloc_peak_mb']:>15.1f} {result['peak_rss_mb']:>12.1f} "
        f"{result['peak_rss_growth_mb']:>7.1f} {result['load_average']:>5}",
        flush=True,
    )


if __name__ == "__main__":
    main()
