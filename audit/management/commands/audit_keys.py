from django.core.management.base import BaseCommand

from audit import keys


class Command(BaseCommand):
    help = (
        "Print this site's public key for audit checkpoints (to publish for auditors), or with "
        "--new fresh values for AUDIT_SEAL_KEY and AUDIT_SIGNING_KEY."
    )

    def add_arguments(self, parser):
        parser.add_argument("--new", action="store_true", help="print new keys for the environment")

    def handle(self, *args, **options):
        if options["new"]:
            fresh = keys.new_keys()
            self.stdout.write(f"AUDIT_SEAL_KEY={fresh['AUDIT_SEAL_KEY']}")
            self.stdout.write(f"AUDIT_SIGNING_KEY={fresh['AUDIT_SIGNING_KEY']}")
            self.stdout.write(f"# 公钥（供审计人员核验）：{fresh['public_key']}")
            return
        self.stdout.write(f"公钥编号：{keys.key_id()}")
        self.stdout.write(f"公钥（Ed25519，base64）：{keys.public_key_base64()}")
        self.stdout.write(keys.public_key_pem())
