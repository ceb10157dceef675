from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from audit.database_roles import grant_app_role


class Command(BaseCommand):
    help = (
        "Grant the application's database role what it needs: every table but the audit "
        "history, which it may only read and append to. Run as the tables' owner after migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="the application's PostgreSQL role")

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("只有 PostgreSQL 区分数据库角色。")
        grant_app_role(role)
        self.stdout.write(self.style.SUCCESS(f"已授予角色 {role}：审计记录只可读取和追加。"))
