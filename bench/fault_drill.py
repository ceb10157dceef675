#!/usr/bin/env python
"""Faults under load: Redis stopped and restarted, PostgreSQL read-only and back, while editors
publish and withdraw and readers read.

    python bench/fault_drill.py            # 165 s of load: each fault twice, then both at once
    python bench/fault_drill.py --small    # 28 s of load: each fault once, as CI runs it

Sets up (loopback only) a fresh database (--database-url, dropped and created), a Redis of its
own on a private port (--redis-port; the shared Redis is never touched), and two gunicorn servers
with production settings, the page cache on, and audit checkpoints every 10 events into a
temporary folder. Then, phase after phase (a fault is applied as its phase begins: Redis shut
down or started again; the database's default_transaction_read_only set, and its sessions ended
so that new ones take it):
- --readers threads read the home page, the catalogue, demo notices, the drill's notices and
  /healthz on both servers, recording every answer;
- two editor and reviewer pairs (the demo accounts, one pair per server), each a person in the
  admin over HTTP, create a notice, submit it, approve it and withdraw it, again and again; an
  action refused by the fault must be refused with the 503 page, and is sent again as it was
  (the add form with its token), once a second, until it goes through.
The drill fails unless: no reader got a 500 or no answer; a reader got a 503 (the documented
page, or /healthz naming the database) only while the database was being switched and
SWITCH_GRACE_SECONDS after, when requests find the connections it ended, and never the
read-only page (a read that writes); no reader request begun after a withdrawal's answer got
the notice's body, nor a list naming it; every editor action went through or was refused with
the 503 page; each notice's audit events, and its workflow events, are exactly the actions
whose answers said they were done, in order (none lost, none doubled); and ``manage.py
verify_audit_chain`` finds the chain intact and matching the newest checkpoint.
Report: bench/reports/fault_drill.md and .json; the servers' log: fault_drill-servers.log.
"""

import argparse
import contextlib
import json
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import psycopg2
from multi_server import Browser
from suite import PYTHON, REPORTS, ROOT, server_env

# (editor, reviewer, organ code): two pairs on disjoint organs, one pair per server.
PAIRS = [("editor", "reviewer", "000014349"), ("editor2", "reviewer2", None)]
CHECKPOINT_EVERY = 10
# A fault phase: (name, seconds, what to do at its start).
SMALL_PHASES = [
    ("baseline", 5, None),
    ("redis stopped", 5, "stop redis"),
    ("redis back", 6, "start redis"),
    ("read-only", 5, "read-only"),
    ("read-write", 7, "read-write"),
]
FULL_PHASES = [
    ("baseline", 20, None),
    *[
        phase
        for round_ in range(1, 3)
        for phase in (
            (f"redis stopped {round_}", 12, "stop redis"),
            (f"redis back {round_}", 15, "start redis"),
            (f"read-only {round_}", 12, "read-only"),
            (f"read-write {round_}", 15, "read-write"),
        )
    ],
    ("redis stopped, read-only", 12, "stop redis, read-only"),
    ("both back", 25, "start redis, read-write"),
]
# After the database is switched, how long a 503 to a reader is still the switch's doing: the
# connections it ended are found dead by the next request that uses them.
SWITCH_GRACE_SECONDS = 3.0
# The 503 page's titles (templates/503.html): the database unreachable, or refusing writes.
UNAVAILABLE_TEXTS = ("服务暂时不可用", "数据库暂时只读")
SUCCESS_TEXT = "已完成："
ERROR_MESSAGE = re.compile(r'<li class="error">([^<]*)</li>')
CHANGE_URL = re.compile(r"/admin/notices/notice/(\d+)/change/")
# The state a notice shows on its admin page after each step (Notice.Status).
AFTER = {"submit": "待审核", "approve": "已发布", "withdraw": "已撤回"}
# An audit event's status change, named as the workflow's step that makes it.
STEPS = {
    ("draft", "in_review"): "submit",
    ("in_review", "published"): "approve",
    ("published", "withdrawn"): "withdraw",
}


@dataclass
class Answer:
    status: int  # 0: no answer
    location: str = ""
    text: str = ""
    error: str = ""


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 itself is the answer


class Person(Browser):
    """The benchmarks' Browser, seeing each answer as it comes: a POST's redirect is its answer,
    and the page it leads to is asked for separately."""

    def __init__(self, base: str):
        super().__init__(base)
        self.direct = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirects
        )

    def send(self, path: str, fields: dict | None = None) -> Answer:
        data, headers = None, {}
        if fields is not None:
            data = urllib.parse.urlencode(fields, doseq=True).encode()
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": self.base + path,
            }
        request = urllib.request.Request(self.base + path, data=data, headers=headers)
        try:
            with self.direct.open(request, timeout=30) as response:
                return Answer(response.status, "", response.read().decode())
        except urllib.error.HTTPError as error:
            location = error.headers.get("Location") or ""
            return Answer(error.code, location, error.read().decode(errors="replace"))
        except OSError as error:
            return Answer(0, error=f"{type(error).__name__}: {error}")

    def reload(self, path: str, seconds: float = 30) -> Answer:
        """A page, asked for again while it answers 503, as a person would."""
        deadline = time.monotonic() + seconds
        answer = self.send(path)
        while answer.status == 503 and time.monotonic() < deadline:
            time.sleep(1)
            answer = self.send(path)
        return answer


@dataclass
class Drill:
    """What every thread records, and when (time.monotonic())."""

    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)
    phase: str = "setup"
    # While the database is switched, and SWITCH_GRACE_SECONDS after: 503s to readers expected.
    switching: bool = False
    switching_until: float = 0.0
    stop: threading.Event = field(default_factory=threading.Event)
    stopped_at: float = 0.0
    # pk → {"marker", "title", "withdrawn_at"}; readers pick from these.
    notices: dict = field(default_factory=dict)
    reads: Counter = field(default_factory=Counter)  # (phase, answer)
    read_log: list = field(default_factory=list)  # drill notice reads
    bad_reads: list = field(default_factory=list)
    actions: list = field(default_factory=list)  # successful editor actions
    attempts: Counter = field(default_factory=Counter)  # (phase, action, outcome)
    bad_actions: list = field(default_factory=list)

    def now(self) -> float:
        return time.monotonic() - self.started


def reader(drill: Drill, bases: list[str], demo_ids: list[int], seed: int) -> None:
    rng = random.Random(seed)
    kinds = ["drill notice", "home", "catalogue", "demo notice", "healthz"]
    weights = [45, 15, 15, 15, 10]
    while not drill.stop.is_set():
        kind = rng.choices(kinds, weights)[0]
        base = rng.choice(bases)
        pk = None
        with drill.lock:
            recent = sorted(drill.notices)[-8:]
        if kind == "drill notice" and recent:
            pk = rng.choice(recent)
            path = f"/notices/{pk}/"
        elif kind in ("drill notice", "demo notice"):
            kind, path = "demo notice", f"/notices/{rng.choice(demo_ids)}/"
        else:
            path = {"home": "/", "catalogue": "/notices/", "healthz": "/healthz"}[kind]
        phase, begun = drill.phase, drill.now()
        try:
            with urllib.request.urlopen(base + path, timeout=20) as response:
                status, text = response.status, response.read().decode()
                retry_after = response.headers.get("Retry-After")
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
            retry_after = error.headers.get("Retry-After")
        except OSError as error:
            status, text, retry_after = 0, f"{type(error).__name__}: {error}", None
        ended = drill.now()
        answer = str(status)
        if status == 503:
            answer += " healthz" if kind == "healthz" else " read-only" if "只读" in text else ""
        elif status != 200:
            answer += f" {kind}"
        with drill.lock:
            drill.reads[(phase, answer)] += 1
            problem = read_problem(drill, kind, path, status, text, retry_after, begun)
            if problem:
                drill.bad_reads.append(
                    {"phase": phase, "at": round(begun, 2), "url": base + path, "problem": problem}
                )
            if pk is not None:
                notice = drill.notices[pk]
                drill.read_log.append(
                    {
                        "pk": pk,
                        "url": base + path,
                        "phase": phase,
                        "begun": begun,
                        "ended": ended,
                        "status": status,
                        "body": notice["marker"] in text,
                        "withdrawn_page": "本信息已撤回" in text,
                    }
                )
            if kind in ("home", "catalogue") and status == 200:
                for listed_pk, notice in drill.notices.items():
                    withdrawn_at = notice["withdrawn_at"]
                    if (
                        withdrawn_at is not None
                        and begun > withdrawn_at
                        and notice["title"] in text
                    ):
                        drill.bad_reads.append(
                            {
                                "phase": phase,
                                "url": base + path,
                                "problem": f"lists notice {listed_pk}, withdrawn "
                                f"{begun - withdrawn_at:.2f} s before the request",
                            }
                        )
        time.sleep(rng.uniform(0.02, 0.08))


def unavailable_page(text: str) -> bool:
    return any(f"<h1>{title}</h1>" in text for title in UNAVAILABLE_TEXTS)


def read_problem(drill, kind, path, status, text, retry_after, begun) -> str:
    if status == 0:
        return f"no answer ({text})"
    if status == 500 or status > 503:
        return f"{status}"
    if status == 503:
        if kind == "healthz" and '"unavailable"' not in text:
            return f"503 without a reason: {text[:80]}"
        if kind != "healthz" and (not unavailable_page(text) or not retry_after):
            return "503 that is not the documented page"
        if "只读" in text:
            return "503 read-only: a read that writes"
        if not (drill.switching or begun < drill.switching_until):
            return "503 while the database could be reached"
        return ""
    if status == 200 and kind == "healthz":
        return "" if '"status"' in text else "healthz without a status"
    if status not in (200, 304):
        return f"{status}"
    return ""


class Editor:
    """An editor and a reviewer of the same organs, working through one server's admin."""

    def __init__(self, drill: Drill, base: str, pair: tuple, organ_id: str, number: int):
        self.drill, self.base, self.number = drill, base, number
        self.editor_name, self.reviewer_name, _ = pair
        self.organ_id = organ_id
        self.editor, self.reviewer = Person(base), Person(base)
        self.editor.login(self.editor_name, "demo-pass-2026")
        self.reviewer.login(self.reviewer_name, "demo-pass-2026")
        self.made = 0

    def work(self) -> None:
        while not self.drill.stop.is_set():
            self.cycle()

    def cycle(self) -> None:
        self.made += 1
        run_id = uuid.uuid4().hex[:8]
        title = f"关于故障演练事项的通知（{self.number}-{self.made}-{run_id}）"
        marker = f"故障演练正文{run_id}"
        pk = self.create(title, marker)
        if pk is None:
            return
        for step, person in (("submit", self.editor), ("approve", self.reviewer)):
            if self.transition(pk, step, person) is None:
                return
        with self.drill.lock:
            self.drill.notices[pk] = {"marker": marker, "title": title, "withdrawn_at": None}
        # Let readers see it published, and cache it, before it goes.
        if self.drill.stop.wait(1.5):
            return
        answered = self.transition(pk, "withdraw", self.reviewer, comment="故障演练：撤回")
        if answered is not None:
            with self.drill.lock:
                self.drill.notices[pk]["withdrawn_at"] = answered

    def attempt(self, action: str, send, judge) -> tuple[int, float] | None:
        """Send until it goes through, every refusal clean (sent again as it was, as a person
        would); return the notice's id and when the answer came. None when the action is
        refused otherwise (a failure of the drill) or the drill has stopped."""
        while True:
            phase = self.drill.phase
            answer = send()
            answered = self.drill.now()
            outcome, pk = judge(answer)
            with self.drill.lock:
                self.drill.attempts[(phase, action, outcome)] += 1
                if outcome.startswith("done"):
                    self.drill.actions.append(
                        {"action": action, "pk": pk, "phase": phase, "answered": answered}
                    )
                elif outcome != "503 page":
                    self.drill.bad_actions.append(
                        {
                            "phase": phase,
                            "at": round(answered, 2),
                            "action": action,
                            "problem": outcome,
                            "page": (answer.error or answer.text)[:300],
                        }
                    )
            if outcome.startswith("done"):
                return pk, answered
            if outcome != "503 page" and answer.status != 0:
                return None  # refused for a reason the drill does not expect: next notice
            if self.drill.stop.is_set() and self.drill.now() > self.drill.stopped_at + 30:
                return None
            time.sleep(1)

    def create(self, title: str, marker: str) -> int | None:
        add = "/admin/notices/notice/add/"
        form = self.editor.reload(add, seconds=300)
        if form.status != 200:
            with self.drill.lock:
                self.drill.bad_actions.append(
                    {
                        "phase": self.drill.phase,
                        "action": "open the add form",
                        "problem": f"answered {form.status}",
                        "page": form.error or form.text[:300],
                    }
                )
            return None
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.text))
        fields.update(
            {
                "csrfmiddlewaretoken": self.editor.csrf(),
                "organ": self.organ_id,
                "title": title,
                "genre": "notice",
                "disclosure": "proactive",
                "validity": "valid",
                "body": f"<p>{marker}。本通知为故障演练所建，随即撤回。</p>",
                "attachments-TOTAL_FORMS": "0",
                "attachments-INITIAL_FORMS": "0",
                "citations-TOTAL_FORMS": "0",
                "citations-INITIAL_FORMS": "0",
                "_continue": "1",
            }
        )

        def judge(answer: Answer) -> tuple[str, int | None]:
            created = CHANGE_URL.search(answer.location) if answer.status == 302 else None
            if created:
                return "done", int(created[1])
            if answer.status == 200:
                note = re.search(r'<p class="errornote">\s*([^<]*)', answer.text)
                return f"form refused: {note[1].strip() if note else '?'}", None
            return refusal(answer), None

        done = self.attempt("create", lambda: self.editor.send(add, fields), judge)
        return None if done is None else done[0]

    def transition(self, pk: int, step: str, person: Person, comment: str = "") -> float | None:
        """When the step's answer came, or None if it did not go through."""
        workflow = f"/admin/notices/notice/{pk}/workflow/"
        fields = {"transition": step, "comment": comment}

        def send() -> Answer:
            fields["csrfmiddlewaretoken"] = person.csrf()
            return person.send(workflow, fields)

        def judge(answer: Answer) -> tuple[str, int]:
            if answer.status != 302:
                return refusal(answer), pk
            # Done or refused, the admin says which on the page it leads to.
            page = person.reload(urllib.parse.urlsplit(answer.location).path)
            if SUCCESS_TEXT in page.text:
                return "done", pk
            message = ERROR_MESSAGE.search(page.text)
            if message:
                return f"refused: {message[1]}", pk
            # A message is lost with a page that failed (a 503 on the way, shown again): the
            # state the page shows says whether it went through.
            if f"流程：{AFTER[step]}" in page.text:
                return "done (no message)", pk
            return f"no message on the page after it ({page.status})", pk

        done = self.attempt(step, send, judge)
        return None if done is None else done[1]


def refusal(answer: Answer) -> str:
    if answer.status == 503 and unavailable_page(answer.text):
        return "503 page"
    if answer.status == 0:
        return f"no answer ({answer.error[:80]})"
    return f"answered {answer.status}"


def free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


class PrivateRedis:
    def __init__(self, port: int, folder: str):
        self.port, self.folder = port, folder
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(50):
            if not free(self.port):
                return
            time.sleep(0.1)
        raise SystemExit(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is None:
            return
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True
        )
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


class Database:
    """The drill's database, switched read-only and back from the server's maintenance database."""

    def __init__(self, url: str):
        self.url = url
        self.name = url.rsplit("/", 1)[-1]
        self.admin_url = url.rsplit("/", 1)[0] + "/postgres"

    def connect(self, url: str):
        connection = psycopg2.connect(url)
        connection.autocommit = True
        return contextlib.closing(connection)

    def admin(self, *statements: str) -> None:
        with self.connect(self.admin_url) as connection, connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def recreate(self) -> None:
        self.admin(
            f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)', f'CREATE DATABASE "{self.name}"'
        )

    def set_read_only(self, read_only: bool) -> int:
        """New sessions get the setting; every open one is ended so that none keeps the old."""
        setting = "on" if read_only else "off"
        with self.connect(self.admin_url) as connection, connection.cursor() as cursor:
            cursor.execute(
                f'ALTER DATABASE "{self.name}" SET default_transaction_read_only = {setting}'
            )
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.name],
            )
            return cursor.fetchone()[0]

    def query(self, sql: str, params=()) -> list:
        with self.connect(self.url) as connection, connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


def start_server(port: int, env: dict, log) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            *(PYTHON, "-m", "gunicorn", "config.wsgi", "--workers", "2"),
            *("--bind", f"127.0.0.1:{port}"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"gunicorn did not start on port {port}")


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def apply_fault(what: str, drill: Drill, redis: PrivateRedis, database: Database) -> None:
    for step in what.split(", "):
        if step == "stop redis":
            redis.stop()
        elif step == "start redis":
            redis.start()
        elif step in ("read-only", "read-write"):
            read_only = step == "read-only"
            drill.switching = True
            database.set_read_only(read_only)
            drill.switching_until = drill.now() + SWITCH_GRACE_SECONDS
            drill.switching = False


def audit_trails(database: Database, pks: list[int]) -> dict[int, list[str]]:
    """Each drill notice's audit events, named as workflow steps, in the chain's order."""
    found: dict[int, list[str]] = defaultdict(list)
    rows = database.query(
        "SELECT e.object_pk, e.action, e.changes FROM audit_auditevent e "
        "JOIN django_content_type t ON t.id = e.content_type_id "
        "WHERE t.app_label = 'notices' AND t.model = 'notice' AND e.object_pk = ANY(%s) "
        "ORDER BY e.sequence",
        [[str(pk) for pk in pks]],
    )
    for object_pk, action, changes in rows:
        changes = changes if isinstance(changes, dict) else json.loads(changes or "{}")
        if action == 0:
            name = "create"
        elif action == 1 and "status" in changes:
            name = STEPS.get(tuple(changes["status"]), f"status {changes['status']}")
        else:
            name = f"action {action}: {sorted(changes)}"
        found[int(object_pk)].append(name)
    return found


def workflow_trails(database: Database, pks: list[int]) -> dict[int, list[str]]:
    names = {"created": "create", "submitted": "submit", "published": "approve"}
    names["withdrawn"] = "withdraw"
    found: dict[int, list[str]] = defaultdict(list)
    for notice_id, action in database.query(
        "SELECT notice_id, action FROM notices_workflowevent WHERE notice_id = ANY(%s) ORDER BY id",
        [pks],
    ):
        found[notice_id].append(names.get(action, action))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/fault_drill")
    parser.add_argument("--small", action="store_true", help="each fault once (CI)")
    parser.add_argument("--readers", type=int, default=3)
    parser.add_argument("--redis-port", type=int, default=6391)
    parser.add_argument("--ports", type=int, nargs=2, default=[8331, 8332])
    args = parser.parse_args()
    phases = SMALL_PHASES if args.small else FULL_PHASES
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is needed: the drill starts and stops a Redis of its own")
    for port in (args.redis_port, *args.ports):
        if not free(port):
            raise SystemExit(f"port {port} is in use: choose another (--redis-port, --ports)")

    folder = tempfile.mkdtemp(prefix="fault-drill-")
    bases = [f"http://127.0.0.1:{port}" for port in args.ports]
    database = Database(args.database_url)
    redis = PrivateRedis(args.redis_port, folder)
    env = server_env(
        args.database_url, f"redis://127.0.0.1:{args.redis_port}/0", 300, f"{folder}/static"
    )
    env.update(
        {
            "CSRF_TRUSTED_ORIGINS": ",".join(bases),
            "MEDIA_ROOT": f"{folder}/media",
            "AUDIT_CHECKPOINT_DIR": f"{folder}/checkpoints",
            "AUDIT_CHECKPOINT_EVERY": str(CHECKPOINT_EVERY),
        }
    )
    servers: list[subprocess.Popen] = []
    log = open(f"{folder}/gunicorn.log", "w")  # noqa: SIM115 (open until the servers stop)
    started = time.monotonic()
    try:
        database.recreate()
        keys = manage(env, "audit_keys", "--new").stdout
        env.update(re.findall(r"^(AUDIT_\w+_KEY)=(\S+)$", keys, re.MULTILINE))
        collecting = subprocess.Popen(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for command in (["migrate", "--noinput", "-v0"], ["load_demo"]):
            done = manage(env, *command)
            if done.returncode:
                raise SystemExit(f"manage.py {command[0]} failed:\n{done.stderr[-2000:]}")
        if collecting.wait():
            raise SystemExit("manage.py collectstatic failed")
        redis.start()
        servers = [start_server(port, env, log) for port in args.ports]
        organs = dict(database.query("SELECT code, id FROM notices_organ"))
        editor2_organ = database.query(
            "SELECT o.id FROM notices_organ_members m JOIN notices_organ o ON o.id = m.organ_id "
            "JOIN auth_user u ON u.id = m.user_id WHERE u.username = 'editor2' ORDER BY o.id"
        )[0][0]
        demo_ids = [
            row[0]
            for row in database.query(
                "SELECT id FROM notices_notice WHERE status = 'published' "
                "AND published_at <= now() ORDER BY id LIMIT 20"
            )
        ]
        setup_seconds = time.monotonic() - started
        print(f"Set up in {setup_seconds:.0f} s; {len(demo_ids)} demo notices.", flush=True)

        drill = Drill()
        drill.phase = "baseline"
        editors = [
            Editor(drill, bases[i], pair, organs[pair[2]] if pair[2] else editor2_organ, i + 1)
            for i, pair in enumerate(PAIRS)
        ]
        threads = [
            threading.Thread(target=reader, args=(drill, bases, demo_ids, seed))
            for seed in range(args.readers)
        ]
        threads += [threading.Thread(target=editor.work) for editor in editors]
        for thread in threads:
            thread.start()
        phase_log = []
        for name, seconds, fault in phases:
            began = drill.now()
            drill.phase = name
            if fault:
                apply_fault(fault, drill, redis, database)
            phase_log.append({"phase": name, "fault": fault, "began": round(began, 1)})
            print(f"{began:6.1f} s  {name}", flush=True)
            time.sleep(seconds)
        # Editors finish the action in hand (the faults are over), then stop.
        drill.stopped_at = drill.now()
        drill.phase = "stopped"
        drill.stop.set()
        for thread in threads:
            thread.join(timeout=120)
        stuck = [thread.name for thread in threads if thread.is_alive()]
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        servers = []
        report = check(drill, database, env, phase_log, setup_seconds, stuck)
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        redis.stop()
        log.close()
        REPORTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(f"{folder}/gunicorn.log", REPORTS / "fault_drill-servers.log")
    write_report(report, args)
    print_summary(report)
    if report["failures"]:
        print(f"The servers' log: {REPORTS / 'fault_drill-servers.log'}", file=sys.stderr)
        raise SystemExit("FAILED:\n- " + "\n- ".join(report["failures"]))
    shutil.rmtree(folder, ignore_errors=True)
    print("ok: no 500, no withdrawn notice served, audit events exact, chain verified")


def check(drill: Drill, database: Database, env: dict, phases, setup_seconds, stuck) -> dict:
    failures = [
        f"reader: {bad['problem']} at {bad['url']} ({bad['phase']})" for bad in drill.bad_reads
    ]
    failures += [
        f"editor: {bad['action']} answered {bad['problem']} ({bad.get('phase', '')}): "
        f"{bad['page'][:120]!r}"
        for bad in drill.bad_actions
    ]
    if stuck:
        failures.append(f"threads still running at the end: {stuck}")

    pks = sorted({action["pk"] for action in drill.actions})
    expected: dict[int, list[str]] = defaultdict(list)
    for action in drill.actions:
        expected[action["pk"]].append(action["action"])
    audited = audit_trails(database, pks)
    recorded = workflow_trails(database, pks)
    for pk in pks:
        if audited.get(pk, []) != expected[pk]:
            failures.append(
                f"notice {pk}: audit events {audited.get(pk, [])}, actions answered {expected[pk]}"
            )
        if recorded.get(pk, []) != expected[pk]:
            failures.append(
                f"notice {pk}: workflow events {recorded.get(pk, [])}, "
                f"actions answered {expected[pk]}"
            )
    kinds = ["create", "submit", "approve", "withdraw"]
    audit_counts = {
        kind: {
            "expected": sum(names.count(kind) for names in expected.values()),
            "found": sum(names.count(kind) for names in audited.values()),
        }
        for kind in kinds
    }
    other_events = sum(1 for names in audited.values() for name in names if name not in kinds)

    verified = manage(env, "verify_audit_chain")
    verification = (verified.stdout + verified.stderr).strip()
    if (
        verified.returncode
        or "审计链完整" not in verification
        or "与最新检查点相符" not in verification
    ):
        failures.append(f"verify_audit_chain: {verification[-400:]}")
    head = database.query("SELECT sequence FROM audit_chainhead WHERE id = 1")[0][0]
    checkpoint = re.search(r"共 (\d+) 条（公钥", verification)
    checkpointed = int(checkpoint[1]) if checkpoint else None

    withdrawals = []
    for pk, notice in sorted(drill.notices.items()):
        if notice["withdrawn_at"] is None:
            continue
        reads = [read for read in drill.read_log if read["pk"] == pk]
        after = [read for read in reads if read["begun"] > notice["withdrawn_at"]]
        bodies = [read for read in reads if read["body"]]
        failures += [
            f"reader: withdrawn notice's body served at {read['url']} ({read['phase']}), "
            f"request begun {read['begun'] - notice['withdrawn_at']:.2f} s after the answer"
            for read in after
            if read["body"]
        ]
        first_gone = min((read["ended"] for read in reads if read["withdrawn_page"]), default=None)
        withdrawals.append(
            {
                "pk": pk,
                "reads_after": len(after),
                "bodies_after": sum(1 for read in after if read["body"]),
                # Negative: the withdrawn page was served before the editor got the answer.
                "first_withdrawn_page_s": (
                    round(first_gone - notice["withdrawn_at"], 3)
                    if first_gone is not None
                    else None
                ),
                "last_body_begun_s": (
                    round(max(read["begun"] for read in bodies) - notice["withdrawn_at"], 3)
                    if bodies
                    else None
                ),
            }
        )
    if not withdrawals:
        failures.append("no notice was withdrawn")

    phase_names = [phase["phase"] for phase in phases]
    return {
        "setup_seconds": round(setup_seconds, 1),
        "phases": phases,
        "reads_by_phase": {
            name: tally((answer, n) for (phase, answer), n in drill.reads.items() if phase == name)
            for name in phase_names
        },
        "actions_by_phase": {
            name: tally(
                (f"{action} {outcome}", n)
                for (phase, action, outcome), n in drill.attempts.items()
                if phase == name
            )
            for name in [*phase_names, "stopped"]
        },
        "notices": len(pks),
        "withdrawals": withdrawals,
        "audit": audit_counts,
        "audit_other_events": other_events,
        "chain_head": head,
        "newest_checkpoint": checkpointed,
        "verification": verification,
        "failures": failures,
    }


def tally(counts) -> dict[str, int]:
    total: Counter = Counter()
    for name, n in counts:
        total[name] += n
    return dict(sorted(total.items()))


def print_summary(report: dict) -> None:
    print("\n".join(summary_lines(report)))


def summary_lines(report: dict) -> list[str]:
    lines = ["", "| phase | began s | reader answers | editor attempts |", "|---|--:|---|---|"]
    for phase in report["phases"]:
        name = phase["phase"]
        reads = ", ".join(f"{s}: {n}" for s, n in sorted(report["reads_by_phase"][name].items()))
        acts = ", ".join(
            f"{k}: {n}" for k, n in sorted(report["actions_by_phase"].get(name, {}).items())
        )
        lines.append(f"| {name} | {phase['began']} | {reads} | {acts or '—'} |")
    stopped = report["actions_by_phase"].get("stopped")
    if stopped:
        lines.append(f"| (finishing) | | | {', '.join(f'{k}: {n}' for k, n in stopped.items())} |")
    withdrawals = report["withdrawals"]
    firsts = [
        w["first_withdrawn_page_s"] for w in withdrawals if w["first_withdrawn_page_s"] is not None
    ]
    lasts = [w["last_body_begun_s"] for w in withdrawals if w["last_body_begun_s"] is not None]
    lines += [
        "",
        f"- notices created {report['notices']}, withdrawn {len(withdrawals)}; reads of them "
        f"begun after their withdrawal: {sum(w['reads_after'] for w in withdrawals)}, "
        f"with the body: {sum(w['bodies_after'] for w in withdrawals)}",
        f"- withdrawn page first served, from the withdrawal's answer: max "
        f"{max(firsts, default=0):.2f} s (min {min(firsts, default=0):.2f} s); last body served "
        f"to a request begun at {max(lasts, default=0):+.2f} s from the answer",
        "- audit events expected / found: "
        + ", ".join(f"{k} {v['expected']}/{v['found']}" for k, v in report["audit"].items())
        + f"; other events on these notices: {report['audit_other_events']}",
        f"- chain head #{report['chain_head']}, newest checkpoint #{report['newest_checkpoint']}; "
        + report["verification"].replace("\n", " "),
    ]
    return lines


def write_report(report: dict, args) -> None:
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "fault_drill.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    title = f"# Fault drill ({'small' if args.small else 'full'}), {args.readers} readers"
    (REPORTS / "fault_drill.md").write_text(
        "\n".join([title, *summary_lines(report), "", *report["failures"]]) + "\n"
    )


if __name__ == "__main__":
    main()
