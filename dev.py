#!/usr/bin/env python3
"""Set up and run the project with nothing but Python 3.11+.

    python3 dev.py demo    create .venv, install, migrate, load demo content, and serve :8000
                           as production does (DEBUG off, gunicorn, static files by WhiteNoise)
                           with the task queue's worker (manage.py db_worker) and the
                           schedule of periodic jobs (manage.py run_schedule) beside it
    python3 dev.py test    create .venv, install with test tools, run the whole suite, one
                           pytest-xdist worker per CPU (pass -n 0 to run in one process;
                           --quick leaves out the tests marked slow)
    python3 dev.py setup   only create .venv with the test tools (used by .ci/run)

Both create (or refresh) a virtual environment in .venv from pyproject.toml. Without
DATABASE_URL they use the embedded SQLite database in var/; with it, that database.
"""

import hashlib
import os
import secrets
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


def secret_key(var_dir: Path) -> str:
    """The demo's secret key: made once, kept in var/secret_key (readable by its owner only)
    and read again on every run, so that sessions and sealed texts outlive a restart."""
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another run made it meanwhile
            pass
        else:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def demo_env(address: str) -> dict:
    """The environment of the demo: production settings (DEBUG off), served over plain HTTP on
    this machine, with the secret key kept in var/."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    env.setdefault("DEBUG", "0")
    var_dir = Path(env.get("VAR_DIR") or ROOT / "var")
    if not env.get("SECRET_KEY"):
        env["SECRET_KEY"] = secret_key(var_dir)
    host = address.rpartition(":")[0] or "127.0.0.1"
    env.setdefault("ALLOWED_HOSTS", ",".join(dict.fromkeys([host, "127.0.0.1", "localhost"])))
    # Plain HTTP: no redirect to HTTPS, cookies sent over HTTP, no HSTS.
    env.setdefault("SECURE_SSL_REDIRECT", "0")
    env.setdefault("SECURE_COOKIES", "0")
    env.setdefault("SECURE_HSTS_SECONDS", "0")
    return env


def server_command(address: str) -> list[str]:
    """gunicorn, the production server; where it cannot run (Windows), Django's own server,
    which with DEBUG off serves the same pages (static files still come from WhiteNoise)."""
    if os.name == "nt":
        return [str(PYTHON), "manage.py", "runserver", "--noreload", address]
    return [
        str(BIN / "gunicorn"),
        "config.wsgi",
        "--bind",
        address,
        "--workers",
        "2",
        "--access-logfile",
        "-",
    ]


def background_commands() -> list[list[str]]:
    """What runs beside the server: the task queue's worker (imports, mail, view counts, the
    scheduled jobs' tasks) and the schedule, which queues the periodic jobs when they fall due
    (core/schedule.py: audit checkpoints, pruning, retention, link checks), so no cron is
    needed."""
    manage = [str(PYTHON), "manage.py"]
    return [
        [*manage, "db_worker", "--no-reload", "--interval", "1"],
        [*manage, "run_schedule"],
    ]


def demo(args: list[str]) -> None:
    ensure_venv("")
    address = args[0] if args else "127.0.0.1:8000"
    env = demo_env(address)
    manage = [str(PYTHON), "manage.py"]
    run(*manage, "migrate", "--noinput", env=env)
    run(*manage, "collectstatic", "--noinput", "--verbosity", "0", env=env)
    run(*manage, "load_demo", "--base-url", f"http://{address}", env=env)
    # The task queue's worker and the schedule run beside the server, as in production, and
    # stop with it: SIGTERM ends the demo as Ctrl+C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    processes = [
        subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
        for command in background_commands()
    ]
    try:
        server = subprocess.Popen(server_command(address), cwd=ROOT, env=env)  # noqa: S603
        processes.append(server)
        sys.exit(server.wait())
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait()


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
