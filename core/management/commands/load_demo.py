from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand


def demo_loaders() -> list:
    """Each installed app's ``demo_loader`` module, in the order of INSTALLED_APPS (an app's
    demo data may need that of an app before it). A module has ``load()``, which loads its demo
    data idempotently, and may have ``describe(base_url)``, the lines that tell a new user
    where to look."""
    found = []
    for app in apps.get_app_configs():
        name = f"{app.name}.demo_loader"
        if find_spec(name) is not None:
            found.append(import_module(name))
    return found


class Command(BaseCommand):
    help = "Load every app's demo data and one account per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, base_url: str, **options):
        loaders = demo_loaders()
        for loader in loaders:
            loader.load()
        base_url = base_url.rstrip("/")
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
        self.stdout.write(f"门户网站：  {base_url}/")
        self.stdout.write(f"管理后台：  {base_url}/admin/")
        for loader in loaders:
            describe = getattr(loader, "describe", None)
            for line in describe(base_url) if describe else ():
                self.stdout.write(line)
