"""The checks before publication, timed (issue 27's targets):

1. a 20,000-character body against a 5,000-entry word list and the personal-data patterns:
   under 50 ms (editorial_checks.scanning: one Aho–Corasick pass for the words, one regular
   expression per kind of personal data). For comparison, the same words as one compiled
   regular-expression alternation.
2. 10,000 links checked with bounded concurrency against a local server (a ThreadingHTTPServer
   in this process, never the internet): under a minute (editorial_checks.links.Checker).

No database. Run from the repository root: ``.venv/bin/python bench/content_checks.py``.
"""

import argparse
import random
import re
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from editorial_checks import links, scanning
from editorial_checks.word_list import STARTER

PROSE = (
    "为深入贯彻落实党中央、国务院关于全面推进政务公开工作的决策部署，进一步提高政府工作透明度，"
    "现就做好本年度政务公开工作通知如下。各地各部门要坚持以公开为常态、不公开为例外，"
    "围绕群众关切加强政策解读和回应，推进决策、执行、管理、服务、结果公开。"
    "对涉及群众切身利益的重要政策，要通过新闻发布会、政策吹风会等方式及时解读。"
)
CJK_START, CJK_END = 0x4E00, 0x9FA5


def word_list(entries: int, rng: random.Random) -> tuple[scanning.WordList, list[str]]:
    rules = [scanning.Rule(*row) for row in STARTER]
    seen = {rule.wrong for rule in rules}
    while len(rules) < entries:
        wrong = "".join(chr(rng.randint(CJK_START, CJK_END)) for _ in range(rng.randint(2, 6)))
        if wrong not in seen:
            seen.add(wrong)
            rules.append(scanning.Rule(wrong, "正确写法", "miswriting", "serious"))
    leaders = [scanning.LeaderEntry(f"王{chr(0x5C0F + n)}明", ("副省长",)) for n in range(20)]
    return scanning.WordList(rules[: entries - len(leaders)], leaders), [r.wrong for r in rules]


def body(characters: int) -> str:
    """Government prose with a few things to find: wrong forms, a leader, personal data."""
    extras = [
        "要坚持不泄抓好落实。",
        "省长王小明出席。",
        "联系人手机13812345678，办公电话0931-8928517，邮箱 ban.gong@example.com。",
        "申请人身份证号11010519491231002X，住城关区庆阳路123号3单元502室。",
    ]
    text = ""
    while len(text) < characters:
        text += PROSE + "\n"
        if len(text) // 2000 % 3 == 0:
            text += extras[len(text) % len(extras)]
    return text[:characters]


def time_it(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def bench_words(args) -> None:
    rng = random.Random(args.seed)
    start = time.perf_counter()
    words, wrongs = word_list(args.entries, rng)
    built = (time.perf_counter() - start) * 1000
    text = body(args.characters)

    def check():
        return words.find(text), scanning.personal_data(text)

    found = check()
    times = time_it(check, args.repeat)
    words_only = time_it(lambda: words.find(text), args.repeat)
    personal_only = time_it(lambda: scanning.personal_data(text), args.repeat)
    alternation = re.compile("|".join(re.escape(w) for w in sorted(wrongs, key=len, reverse=True)))
    regex_times = time_it(lambda: alternation.findall(text), max(3, args.repeat // 10))
    print(
        f"body {len(text):,} characters, word list {words.size:,} entries "
        f"(automaton built in {built:.0f} ms); found {len(found[0])} wordings, "
        f"{len(found[1])} personal data"
    )
    for label, series in [
        ("words + personal data", times),
        ("words only (Aho–Corasick)", words_only),
        ("personal data only", personal_only),
        ("words as one regex alternation", regex_times),
    ]:
        print(
            f"  {label:32} median {statistics.median(series):7.2f} ms, "
            f"max {max(series):7.2f} ms ({len(series)} runs)"
        )
    verdict = "met" if statistics.median(times) < 50 else "NOT met"
    print(f"  target < 50 ms: {verdict}")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        status = 404 if self.path.startswith("/gone") else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format, *args):
        pass


class QuietServer(ThreadingHTTPServer):
    """The checker's pool drops idle keep-alive connections, which the server would report as a
    traceback each (hundreds per run, burying the figures)."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def bench_links(args) -> None:
    server = QuietServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 1024
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    urls = [f"{base}/{'gone' if n % 10 == 0 else 'page'}/{n}" for n in range(args.links)]
    checker = links.Checker(concurrency=args.concurrency, timeout=10, allow_private=True)
    start = time.perf_counter()
    outcomes = checker.check(urls)
    elapsed = time.perf_counter() - start
    server.shutdown()
    dead = sum(1 for outcome in outcomes.values() if outcome.problem)
    print(
        f"links: {len(outcomes):,} checked with {args.concurrency} at a time in {elapsed:.1f} s "
        f"({len(outcomes) / elapsed:,.0f}/s); {dead:,} dead (expected {args.links // 10:,})"
    )
    print(f"  target < 60 s: {'met' if elapsed < 60 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--characters", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--links", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-links", action="store_true")
    args = parser.parse_args()
    bench_words(args)
    if not args.skip_links:
        bench_links(args)


if __name__ == "__main__":
    main()
