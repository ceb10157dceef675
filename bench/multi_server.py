#!/usr/bin/env python
"""Two app servers, one PostgreSQL, one Redis, one file store: do they agree?

    python bench/multi_server.py [--database-url postgres://postgres@127.0.0.1:5432/multi_server]

Starts two gunicorn instances (ports 8311 and 8312, or --ports) with production settings, the
page cache and view counters in Redis (database 13, or --redis-db, emptied first), and a shared
media folder standing in for S3-compatible storage.
Then, over HTTP only:
- a reviewer publishes a notice through server A; server B shows it on the next request;
- anonymous readers view it N times on each server; after a flush the database holds 2N;
- an editor uploads an attachment through A; B serves the same bytes.
Exits non-zero with a message if any of these fails.
"""

import argparse
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
VIEWS_PER_SERVER = 40


class Browser:
    """A cookie-keeping HTTP client that logs in to the admin like a person."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def get_bytes(self, path: str) -> bytes:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read()

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def post(self, path: str, fields: dict, files: dict | None = None) -> str:
        if files:
            boundary = "----bench" + uuid.uuid4().hex
            body = b""
            for name, value in fields.items():
                header = f'Content-Disposition: form-data; name="{name}"'
                body += f"--{boundary}\r\n{header}\r\n\r\n".encode()
                body += str(value).encode() + b"\r\n"
            for name, (filename, content) in files.items():
                body += (
                    (
                        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                        f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
                    ).encode()
                    + content
                    + b"\r\n"
                )
            body += f"--{boundary}--\r\n".encode()
            content_type = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            content_type = "application/x-www-form-urlencoded"
        request = urllib.request.Request(
            self.base + path,
            data=body,
            headers={"Content-Type": content_type, "Referer": self.base + path},
        )
        with self.opener.open(request, timeout=30) as response:
            return response.read().decode()

    def login(self, username: str, password: str) -> None:
        self.get("/admin/login/")
        self.post(
            "/admin/login/?next=/admin/",
            {"csrfmiddlewaretoken": self.csrf(), "username": username, "password": password},
        )


def start(port: int, env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not start on port {port}")


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"FAILED: {message}")
    print(f"ok: {message}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/multi_server")
    parser.add_argument("--redis-db", type=int, default=13, help="emptied first")
    parser.add_argument("--ports", type=int, nargs=2, default=[8311, 8312])
    args = parser.parse_args()
    a, b = (f"http://127.0.0.1:{port}" for port in args.ports)
    shared = tempfile.mkdtemp(prefix="multi-server-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": args.database_url,
        "DEBUG": "0",
        "SECRET_KEY": "multi-server-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": f"{a},{b}",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "PORTAL_PAGE_CACHE_SECONDS": "300",
        "MEDIA_ROOT": f"{shared}/media",
        "STATIC_ROOT": f"{shared}/static",
        "LOG_LEVEL": "WARNING",
    }
    name = args.database_url.rsplit("/", 1)[-1]
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name])
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    subprocess.run(
        ["redis-cli", "-n", str(args.redis_db), "flushdb"], check=True, capture_output=True
    )
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["load_demo"],
        ["collectstatic", "--noinput", "-v0"],
    ):
        subprocess.run(
            [PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )

    servers = [start(port, env) for port in args.ports]
    try:
        public_b = Browser(b)
        editor, reviewer = Browser(a), Browser(a)
        editor.login("editor", "demo-pass-2026")
        reviewer.login("reviewer", "demo-pass-2026")

        page = editor.get("/admin/notices/notice/?q=2027")
        pk = int(re.search(r"/admin/notices/notice/(\d+)/change/", page)[1])
        title = re.search(
            r'name="title"[^>]*value="([^"]+)"', editor.get(f"/admin/notices/notice/{pk}/change/")
        )[1]
        check(title not in public_b.get("/notices/"), "the draft is not on server B")

        change = editor.get(f"/admin/notices/notice/{pk}/change/")
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', change))
        fields.update(
            {
                "csrfmiddlewaretoken": editor.csrf(),
                "organ": re.search(r'<option value="(\d+)" selected>', change)[1],
                "title": title,
                "genre": "plan",
                "disclosure": "proactive",
                "validity": "valid",
                "body": "<p>多服务器测试正文。</p>",
                "attachments-0-position": "1",
                "attachments-0-title": "多服务器附件",
                "attachments-TOTAL_FORMS": "1",
                "attachments-INITIAL_FORMS": "0",
                "citations-TOTAL_FORMS": "0",
                "citations-INITIAL_FORMS": "0",
            }
        )
        editor.post(
            f"/admin/notices/notice/{pk}/change/",
            fields,
            files={"attachments-0-file": ("scores.pdf", PDF)},
        )
        workflow = f"/admin/notices/notice/{pk}/workflow/"
        editor.post(workflow, {"csrfmiddlewaretoken": editor.csrf(), "transition": "submit"})
        reviewer.get(f"/admin/notices/notice/{pk}/change/")
        reviewer.post(workflow, {"csrfmiddlewaretoken": reviewer.csrf(), "transition": "approve"})
        check(title in public_b.get("/notices/"), "published through A, listed by B at once")

        detail = public_b.get(f"/notices/{pk}/")
        link = re.search(rf'href="(/notices/{pk}/attachments/\d+/)"', detail)
        check(link is not None, "B shows the attachment uploaded through A")
        check(public_b.get_bytes(link[1]) == PDF, "B serves the bytes uploaded through A")

        for base in (a, b):
            reader = Browser(base)
            for _ in range(VIEWS_PER_SERVER):
                reader.get(f"/notices/{pk}/")
        subprocess.run([PYTHON, "manage.py", "flush_view_counts"], cwd=ROOT, env=env, check=True)
        count = subprocess.run(
            [
                PYTHON,
                "-c",
                "import django; django.setup(); from notices.models import Notice;"
                f"print(Notice.objects.get(pk={pk}).view_count)",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        # One more view was the page read above to find the attachment link.
        check(int(count) == 2 * VIEWS_PER_SERVER + 1, f"views on both servers add up ({count})")
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
