"""Django's `flush`, which the transactional tests call after each test: where the tests'
backend puts back the rows of the migrated database (tests/postgresql/base.py), post_migrate is
not sent, since its receivers would only make again (seconds of queries and audit events per
test) what those rows already hold."""

from django.core.management.commands import flush
from django.db import connections


class Command(flush.Command):
    def handle(self, **options):
        ops = connections[options["database"]].ops
        puts_back = getattr(ops, "puts_back_initial_rows", None)
        if puts_back and puts_back(options["reset_sequences"], options["allow_cascade"]):
            options["inhibit_post_migrate"] = True
        super().handle(**options)
