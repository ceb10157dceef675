from django.core.management.base import BaseCommand

from applications import retention


class Command(BaseCommand):
    help = (
        "删除归档已满保存期限（APPLICATION_IDENTITY_RETENTION_DAYS）的申请人身份证明材料，"
        "并记入办理记录和审计日志。内置的定时任务每天运行一次（manage.py run_schedule）；"
        "此命令供手动运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只统计到期的材料，不删除。")

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            due = retention.expired().count()
            self.stdout.write(f"到期的身份证明材料：{due} 份（未删除）。")
            return
        deleted = retention.delete_expired()
        self.stdout.write(f"已删除到期的身份证明材料：{deleted} 份。")
