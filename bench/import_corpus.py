#!/usr/bin/env python
"""How well and how fast legacy files import: the real corpus of tests/importer/corpus/real
(each file's source address in its index.json) and its damaged copies, then 1,000 such files
imported from a folder into a scratch database.

    DJANGO_SETTINGS_MODULE=config.settings.test \\
        python bench/import_corpus.py --database-url postgres://postgres@127.0.0.1:5432/bench_import

Quality (no database): every case is read and parsed as an import does and measured by
tests/importer/corpus_variants.py: files imported (parsed without a refusal); the share of the
body's sentences kept (the 8-character runs of every body line of the source, letters, digits
and Han characters only, found in the draft's title, 文号, 主送机关 and body; lines of garbled
bytes are counted as damage instead); titles, 文号 and 成文日期 right, flagged or wrong; damage
flagged with its fragment. By variant and in total.

Speed: ``--files`` copies of the cases (each made unique, so none is skipped as already
imported) are written to a folder and imported by ``manage.py import_notices`` in its own
process into a scratch database created next to --database-url (dropped unless --keep):
wall time and the process's peak resident memory (ru_maxrss of the child).
Prints a table and writes bench/reports/import.json.
"""

import argparse
import datetime
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "bench" / "reports" / "import.json"
ORGAN_CODE = "BENCH00001"
EDITOR = "bench-importer"


def setup_django(database_url: str | None) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


def quality() -> dict:
    from importer import saving
    from importer.parsed import NotANotice
    from importer.reading import ReadError
    from tests.importer import corpus_variants

    rows: dict[str, Counter] = defaultdict(Counter)
    misses = []
    started = time.perf_counter()
    cases = corpus_variants.all_cases()
    for case in cases:
        row = rows[case.variant]
        row["files"] += 1
        try:
            _source, parsed = saving.read_and_parse(case.data, case.name)
        except (ReadError, NotANotice) as error:
            misses.append(f"{case.name}: refused ({error})")
            continue
        row["imported"] += 1
        measured = corpus_variants.measure(case, parsed)
        row["runs"] += measured.runs
        row["kept"] += measured.kept
        for field in ("title", "number", "date"):
            row[f"{field}_{getattr(measured, field)}"] += 1
        row["damage"] += measured.damage
        row["damage_flagged"] += measured.damage_flagged
        row["flags"] += len(parsed.flags)
        if measured.missed:
            misses.append(f"{case.name}: missed {measured.missed[:3]}")
    seconds = time.perf_counter() - started
    total = Counter()
    for row in rows.values():
        total.update(row)
    return {
        "cases": len(cases),
        "originals": len(corpus_variants.index()),
        "parse_seconds": round(seconds, 2),
        "by_variant": {name: dict(row) for name, row in rows.items()},
        "total": dict(total),
        "misses": misses,
    }


def print_quality(result: dict) -> None:
    def pct(a: int, b: int) -> str:
        return f"{100 * a / b:.2f} %" if b else "–"

    print(f"{result['originals']} real files, {result['cases']} cases with their damaged copies")
    head = f"{'variant':<12}{'files':>6}{'imported':>9}{'kept':>9}"
    head += f"{'title ok/flag/wrong':>21}{'文号 ok/flag/wrong':>20}{'date ok/flag/wrong':>20}"
    head += f"{'damage flagged':>16}"
    print(head)
    for name, counts in [*result["by_variant"].items(), ("total", result["total"])]:
        row = Counter(counts)
        title, number, date = (
            f"{row[f + '_right']}/{row[f + '_flagged']}/{row[f + '_wrong']}"
            for f in ("title", "number", "date")
        )
        print(
            f"{name:<12}{row['files']:>6}{row['imported']:>9}{pct(row['kept'], row['runs']):>9}"
            f"{title:>21}{number:>20}{date:>20}{row['damage_flagged']:>7}/{row['damage']:<8}"
        )


def write_folder(folder: Path, count: int) -> None:
    """``count`` files cycled from the cases, each unique (a numbered line, a 文号 of its own)."""
    import opencc

    from tests.importer import corpus_variants

    traditional = opencc.OpenCC("s2t").convert
    cases = corpus_variants.all_cases()
    for index in range(count):
        case = cases[index % len(cases)]
        encoding = "gb18030" if case.variant == "gbk" else "utf-8"
        text = case.data.decode(encoding)
        number = case.entry["document_number"]
        if number:
            serial = 1000 * (index + 1)
            unique = re.sub(r"(\d+)号$", lambda m, n=serial: f"{int(m.group(1)) + n}号", number)
            text = text.replace(traditional(number), traditional(unique))
            text = text.replace(number, unique).replace(
                number.replace("〔", "[").replace("〕", "]"), unique
            )
        if case.name.endswith(".html"):
            text = text.replace("</body>", f"<p>（副本 {index}）</p></body>")
        else:
            text += f"\n（副本 {index}）\n"
        (folder / f"{index:04d}-{case.name}").write_bytes(text.encode(encoding))


def prepare_database(keep: bool):
    from django.db import connection

    from notices.models import Organ
    from tests import factories

    original = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = "bench_import"
    scratch = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=keep
    )
    organ = Organ.objects.filter(code=ORGAN_CODE).first() or factories.make_organ(
        name="示例导入机构", code=ORGAN_CODE
    )
    editor = factories.make_editor(organ)
    connection.close()
    return original, scratch, editor.username


def import_folder(folder: Path, database_url: str, scratch: str, username: str) -> dict:
    parts = urlsplit(database_url)
    url = urlunsplit(parts._replace(path=f"/{scratch}"))
    env = {**os.environ, "DATABASE_URL": url}
    command = [sys.executable, str(ROOT / "manage.py"), "import_notices", str(folder)]
    command += ["--organ", ORGAN_CODE, "--as", username]
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"import_notices failed:\n{done.stderr[-3000:]}")
    summary = done.stdout.strip().splitlines()[-1]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "seconds": round(seconds, 1),
        # The command's own CPU (PostgreSQL's is not counted): on a machine shared with other
        # work the wall time says more about the others than about the import.
        "cpu_seconds": round(cpu, 1),
        "load_before": round(load, 1),
        "load_after": round(os.getloadavg()[0], 1),
        "peak_rss_mb": round(after.ru_maxrss / 1024),
        "summary": summary,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: $DATABASE_URL")
    parser.add_argument("--files", type=int, default=1000, help="files to import (0: quality only)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    setup_django(args.database_url)
    report = {
        "generated_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "quality": quality(),
    }
    print_quality(report["quality"])
    for miss in report["quality"]["misses"][:20]:
        print("  ", miss)
    if args.files:
        from django.db import connection

        database_url = args.database_url or os.environ.get("DATABASE_URL", "")
        if connection.vendor != "postgresql" or not database_url:
            sys.exit("The speed bench needs PostgreSQL: give --database-url.")
        original, scratch, username = prepare_database(args.keep)
        try:
            with tempfile.TemporaryDirectory() as folder:
                write_folder(Path(folder), args.files)
                speed = import_folder(Path(folder), database_url, scratch, username)
        finally:
            connection.creation.destroy_test_db(original, verbosity=0, keepdb=args.keep)
        speed["files"] = args.files
        report["speed"] = speed
        print(
            f"{args.files} files from a folder: {speed['seconds']} s "
            f"({speed['cpu_seconds']} s CPU; load {speed['load_before']} → {speed['load_after']}), "
            f"peak {speed['peak_rss_mb']} MB — {speed['summary']}"
        )
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
