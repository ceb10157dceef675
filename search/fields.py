"""The gram-code column: ``int4[]`` on PostgreSQL, unused (NULL) elsewhere."""

from django.db import models


class CodesField(models.Field):
    description = "character gram codes (int4[] on PostgreSQL)"

    def db_type(self, connection):
        return "int4[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        if connection.vendor != "postgresql" or value is None:
            return None
        return list(value)

    def from_db_value(self, value, expression, connection):
        return value
