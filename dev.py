#!/usr/bin/env python3
"""Set up and run the project with nothing but Python 3.11+.

    python3 dev.py demo    create .venv, install, migrate, load demo content, serve :8000 with
                           the task queue's worker (manage.py db_worker) beside it
    python3 dev.py test    create .venv, install with test tools, run the whole suite, one
                           pytest-xdist worker per CPU (pass -n 0 to run in one process;
                           --quick leaves out the tests marked slow)
    python3 dev.py setup   only create .venv with the test tools (used by .ci/run)

Both create (or refresh) a virtual environment in .venv from pyproject.toml. Without
DATABASE_URL they use the embedded SQLite database in var/; with it, that database.
"""

import hashlib
import os
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def run(*args: str, env: dict | None = None) -> None:
    result = subprocess.run(args, cwd=ROOT, env=env)  # noqa: S603
    if result.returncode != 0:
        sys.exit(result.returncode)


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs before anything is installed
        sys.exit("Python 3.11 or newer is required.")
    if not PYTHON.exists():
        print("Creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    fingerprint = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = VENV / ".installed"
    if stamp.exists():
        installed_fingerprint, _, installed_extras = stamp.read_text().partition("\n")
        if installed_fingerprint == fingerprint and extras in {"", installed_extras}:
            return
    print("Installing the project into .venv …", flush=True)
    run(str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    target = f".[{extras}]" if extras else "."
    run(str(PYTHON), "-m", "pip", "install", "--quiet", "-e", target)
    stamp.write_text(f"{fingerprint}\n{extras}")


def demo(args: list[str]) -> None:
    ensure_venv("")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    env.setdefault("DEBUG", "1")
    address = args[0] if args else "127.0.0.1:8000"
    manage = [str(PYTHON), "manage.py"]
    run(*manage, "migrate", "--noinput", env=env)
    run(*manage, "load_demo", "--base-url", f"http://{address}", env=env)
    # The task queue's worker runs imports (导入旧稿) beside the server, as in production, and
    # stops with it: SIGTERM ends the demo as Ctrl+C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    worker = subprocess.Popen(  # noqa: S603
        [*manage, "db_worker", "--no-reload", "--interval", "1"], cwd=ROOT, env=env
    )
    try:
        run(*manage, "runserver", "--noreload", address, env=env)
    finally:
        worker.terminate()
        worker.wait()


def test(args: list[str]) -> None:
    ensure_venv("test")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    # Each worker gets a test database of its own (pytest-django) and a Redis database of its
    # own (tests/redis_service.py).
    chosen = any(arg.startswith(("-n", "--numprocesses")) for arg in args)
    workers = [] if chosen else ["-n", "auto"]
    # --quick: the everyday run, without the tests marked slow (CI runs them all).
    quick = ["-m", "not slow"] if "--quick" in args else []
    args = [arg for arg in args if arg != "--quick"]
    run(str(PYTHON), "-m", "pytest", *workers, *quick, *args, env=env)


def setup(args: list[str]) -> None:
    ensure_venv("test")


def main() -> None:
    commands = {"demo": demo, "test": test, "setup": setup}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
