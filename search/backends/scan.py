"""The plain backend: every entry that passes the filters is read and its terms checked in
the database (``instr`` on SQLite, ``strpos`` on PostgreSQL). The same results as any other
backend, at the speed of a scan: for SQLite, the embedded default of small sites."""

from search.backends.base import Outcome
from search.backends.entries import EntrySearch, EntryTableBackend
from search.backends.sql import TRUE


class ScanSearch(EntrySearch):
    plan = "scan"

    def run(self, offset: int, limit: int) -> Outcome:
        candidates = self.candidates(self.matches(), TRUE, None)
        return self.from_candidates(candidates, offset, limit)


class ScanSearchBackend(EntryTableBackend):
    search_class = ScanSearch
