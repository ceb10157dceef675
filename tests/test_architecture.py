"""The rules of docs/ARCHITECTURE.md that a reader can check mechanically: no two apps import
each other (directly or around a loop), ``core`` imports no app, and no module imports a private
name of Django or a database driver."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The project's packages; ``config`` is the project itself (settings, root URLs), which may
# name every app, and which no app imports.
APPS = [
    "core",
    "notices",
    "assessments",
    "audit",
    "importer",
    "search",
    "exports",
    "applications",
    "annual_reports",
    "editorial_checks",
    "portal",
]
PACKAGES = [*APPS, "config"]
FRAMEWORKS = ("django", "psycopg2", "redis", "jinja2")


def modules(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imported(tree: ast.AST):
    """(module, names) of every import in the tree, at any depth (also inside functions)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module, [alias.name for alias in node.names]


def app_imports() -> dict[str, dict[str, list[str]]]:
    """For each package, the other packages it imports and from where."""
    found: dict[str, dict[str, list[str]]] = {package: {} for package in PACKAGES}
    for package in PACKAGES:
        if not (ROOT / package).is_dir():
            continue
        for path, tree in modules(package):
            for module, _names in imported(tree):
                target = module.split(".")[0]
                if target in PACKAGES and target != package:
                    where = str(path.relative_to(ROOT))
                    found[package].setdefault(target, []).append(where)
    return found


def test_no_app_imports_the_project_package():
    graph = app_imports()
    offenders = {app: graph[app]["config"] for app in APPS if "config" in graph[app]}
    assert offenders == {}


def test_core_imports_no_app():
    assert app_imports()["core"] == {}


def test_the_audit_history_imports_no_app_but_core():
    # Every app writes to the history; it learns their models and labels by registration.
    assert set(app_imports()["audit"]) <= {"core"}


def test_no_import_cycle_between_apps():
    graph = {app: set(targets) - {"config"} for app, targets in app_imports().items()}
    graph.pop("config")

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for target in graph.get(start, ()):
            if target == goal or (target not in seen and reaches(target, goal, seen | {target})):
                return True
        return False

    cycles = sorted(app for app in graph if reaches(app, app, {app}))
    assert cycles == [], f"apps on an import cycle: {cycles} ({app_imports()})"


@pytest.mark.parametrize("package", PACKAGES)
def test_no_private_name_of_a_framework_is_imported(package):
    if not (ROOT / package).is_dir():
        pytest.skip(f"{package} is not here")
    private = []
    for path, tree in modules(package):
        for module, names in imported(tree):
            if module.split(".")[0] not in FRAMEWORKS:
                continue
            parts = [*module.split("."), *names]
            if any(part.startswith("_") and not part.startswith("__") for part in parts):
                private.append(f"{path.relative_to(ROOT)}: {module} {names}")
    assert private == []
