"""The character-gram column: a ``tsvector`` on PostgreSQL, unused (NULL) elsewhere."""

from django.db import models


class GramsField(models.TextField):
    description = "character unigrams and bigrams (tsvector on PostgreSQL)"

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        if connection.vendor != "postgresql":
            return None
        return super().get_db_prep_value(value, connection, prepared)


@GramsField.register_lookup
class GramsMatch(models.Lookup):
    """``grams__matches=<tsquery text>``: ``grams @@ '<tsquery>'::tsquery`` (PostgreSQL only)."""

    lookup_name = "matches"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @@ ({rhs})::tsquery", [*lhs_params, *rhs_params]


def tsvector_literal(grams) -> str:
    """A tsvector written as its literal, parsed by no dictionary. Grams are letters and digits
    only, so they need no escaping."""
    return "'" + "' '".join(grams) + "'" if grams else ""


def tsquery_literal(grams) -> str:
    return "'" + "' & '".join(grams) + "'"
