"""The only engine-specific part of search: how a list of terms becomes a WHERE clause.

Both engines return exactly the entries in which every term occurs as a substring of the folded
title or body (``search.text.matches``). PostgreSQL first selects candidates through the GIN
index on character grams — the unigram of a one-character term, the AND of the bigrams of a
longer one — and then checks the substrings, since bigrams in any order are not adjacency. A
term of one or two characters needs no check: its gram is present exactly when it is.
SQLite checks the substrings directly (LIKE over the folded columns).
"""

from django.db import connection
from django.db.models import Q

from search import text
from search.fields import tsquery_literal


def _contains(column: str, term: str) -> Q:
    return Q(**{f"{column}__contains": term})


def match_filter(terms: tuple[str, ...], *, title_only: bool = False) -> Q:
    """Entries where every term occurs in the title (``title_only``) or in title or body."""
    exact = Q()
    for term in terms:
        in_title = _contains("title", term)
        exact &= in_title if title_only else in_title | _contains("body", term)
    if connection.vendor != "postgresql":
        return exact
    grams = list(dict.fromkeys(gram for term in terms for gram in text.term_grams(term)))
    candidates = Q(
        **{("title_grams" if title_only else "grams") + "__matches": tsquery_literal(grams)}
    )
    long_terms = [term for term in terms if len(term) > 2]
    if not long_terms:
        return candidates
    check = Q()
    for term in long_terms:
        in_title = _contains("title", term)
        check &= in_title if title_only else in_title | _contains("body", term)
    return candidates & check
