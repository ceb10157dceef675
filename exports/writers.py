"""How the files are written: CSV, JSON and XLSX into a ZIP on a non-seekable pipe, each file
hashed and measured while it is written.

Rows are formatted here in batches, or, on PostgreSQL, CSV and JSON files whose every column
PostgreSQL can write come from ``COPY (…) TO STDOUT`` (exports/pgcopy.py), the same bytes several
times faster. XLSX goes through a temporary file first.
"""

import datetime
import hashlib
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Case, Expression, Func, TextField, Value, When
from django.db.models.functions import Concat, Substr
from django.db.models.lookups import In
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from core.text import FORMULA_START, formula_guarded
from exports.columns import Column
from exports.pgcopy import CopyOut
from exports.tables import Table

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CELL_CHARS = 32_767
WRITE_BATCH = 500
STREAM_CHUNK_BYTES = 256 * 1024
COPY_CHUNK_BYTES = 1024 * 1024
# Data files are stored in the ZIP as they are unless compression is asked for: deflate, even at
# level 1 (a fraction of the CPU of the default 6, for files only slightly larger), is the largest
# single cost of a CSV or JSON export and halves its speed (see bench/README.md). The manifest,
# a few kilobytes, is always deflated.
DEFLATE_LEVEL = 1


class Archive:
    """The export's ZIP, written into a pipe that ``write`` and ``close`` empty as they go.

    ``format`` is the data files' format; every member is dated ``generated_at`` in local time.
    ``compress_level`` deflates the CSV and JSON files (0 stores them), ``chunk_size`` is how many
    rows are fetched at a time, ``sheet_rows`` the most rows a worksheet holds, header included,
    and ``use_copy`` lets PostgreSQL write the files it can.
    """

    def __init__(
        self,
        format: str,
        generated_at: datetime.datetime,
        *,
        compress_level: int,
        chunk_size: int,
        sheet_rows: int,
        use_copy: bool,
    ):
        self.pipe = _Pipe()
        self.zip = zipfile.ZipFile(self.pipe, "w")
        self.format = format
        self.generated_at = generated_at
        self.compress_level = compress_level
        self.chunk_size = chunk_size
        self.sheet_rows = sheet_rows
        self.use_copy = use_copy

    def write(self, table: Table, report: "FileReport") -> Iterator[bytes]:
        """Write the table's file, yielding what the pipe holds whenever it holds enough."""
        writer = {"csv": self._csv, "json": self._json, "xlsx": self._xlsx}[self.format]
        # Closed on the way out, however it is left, so that a COPY stops before anything else
        # uses the connection.
        with closing(writer(table, report)) as steps:
            for _ in steps:
                if self.pipe.size >= STREAM_CHUNK_BYTES:
                    yield self.pipe.drain()

    def _csv(self, table: Table, report: "FileReport") -> Iterator[None]:
        member = self._member(report.name)
        header = ",".join(_csv_quoted(column.label) for column in table.columns)
        # The byte-order mark tells Excel the file is UTF-8.
        member.write(f"\ufeff{header}\r\n".encode())
        copied = self._copied(table, "table_sql")
        lines = csv_copied(table, copied) if copied else self._csv_formatted(table)
        with closing(lines):
            for text, rows in lines:
                member.write(text)
                report.rows += rows
                yield
        self._finish(member, report)

    def _copied(self, table: Table, form: str) -> list[tuple[Column, Expression]] | None:
        """The columns' SQL when PostgreSQL is to write the file (see Table.sql)."""
        if self.use_copy and connection.vendor == "postgresql":
            return table.sql(form)
        return None

    def _csv_formatted(self, table: Table) -> Iterator[tuple[bytes, int]]:
        """The CSV lines formatted here, in batches, with their number."""
        cells = [_csv_cell(column) for column in table.columns]
        for batch in table.batches(self.chunk_size, WRITE_BATCH):
            lines = [
                ",".join([cell(value) for cell, value in zip(cells, row, strict=True)])
                for row in batch
            ]
            lines.append("")
            yield "\r\n".join(lines).encode(), len(batch)

    def _json(self, table: Table, report: "FileReport") -> Iterator[None]:
        member = self._member(report.name)
        copied = self._copied(table, "json_sql")
        lines = json_copied(table, copied) if copied else self._json_formatted(table)
        separator = b"[\n"
        with closing(lines):
            for text, rows in lines:
                member.write(separator)
                member.write(text)
                separator = b",\n"
                report.rows += rows
                yield
        member.write(b"[\n]\n" if report.rows == 0 else b"\n]\n")
        self._finish(member, report)

    def _json_formatted(self, table: Table) -> Iterator[tuple[bytes, int]]:
        """The JSON objects, one a line, made here, in batches, with their number."""
        convert = _converter(
            [(index, column.json) for index, column in enumerate(table.columns) if column.json]
        )
        keys = [column.key for column in table.columns]
        for batch in table.batches(self.chunk_size, WRITE_BATCH):
            lines = [
                json.dumps(dict(zip(keys, convert(row), strict=True)), ensure_ascii=False)
                for row in batch
            ]
            yield ",\n".join(lines).encode(), len(batch)

    def _xlsx(self, table: Table, report: "FileReport") -> Iterator[None]:
        convert = _converter(
            [
                (index, column.excel or column.table)
                for index, column in enumerate(table.columns)
                if column.excel or column.table
            ]
        )
        formats = [
            (index, column.excel_format)
            for index, column in enumerate(table.columns)
            if column.excel_format
        ]
        workbook = Workbook(write_only=True)
        sheets, sheet, sheet_rows, truncated = 0, None, 0, 0

        def new_sheet():
            nonlocal sheets, sheet, sheet_rows
            sheets += 1
            title = table.label if sheets == 1 else f"{table.label}（{sheets}）"
            sheet = workbook.create_sheet(title)
            sheet.freeze_panes = "A2"
            header = []
            for column in table.columns:
                cell = WriteOnlyCell(sheet, column.label)
                cell.font = Font(bold=True)
                header.append(cell)
            sheet.append(header)
            sheet_rows = 1

        with tempfile.NamedTemporaryFile(suffix=".xlsx") as spool:
            for batch in table.batches(self.chunk_size, WRITE_BATCH):
                for fetched in batch:
                    if sheet is None or sheet_rows >= self.sheet_rows:
                        new_sheet()
                    row = list(convert(fetched))
                    for index, value in enumerate(row):
                        if value and isinstance(value, str):
                            row[index], cut = _excel_text(value, sheet)
                            truncated += cut
                    for index, number_format in formats:
                        if row[index] is not None:
                            row[index] = WriteOnlyCell(sheet, row[index])
                            row[index].number_format = number_format
                    sheet.append(row)
                    sheet_rows += 1
                report.rows += len(batch)
                yield
            if sheet is None:
                new_sheet()
            workbook.save(spool)
            spool.seek(0)
            member = self._member(report.name, level=0)
            while chunk := spool.read(COPY_CHUNK_BYTES):
                member.write(chunk)
                yield
        report.extra = {"sheets": sheets}
        if truncated:
            report.extra["truncated_cells"] = truncated
        self._finish(member, report)

    def _member(self, name: str, level: int | None = None) -> "_Member":
        when = timezone.localtime(self.generated_at, timezone.get_default_timezone())
        return _Member(self.zip, name, self.compress_level if level is None else level, when)

    def _finish(self, member: "_Member", report: "FileReport") -> None:
        member.close()
        report.bytes = member.bytes
        report.sha256 = member.sha256.hexdigest()

    def write_manifest(self, text: str) -> str:
        """Write manifest.json, always deflated, and return its SHA-256."""
        member = self._member("manifest.json", level=DEFLATE_LEVEL)
        member.write(text.encode())
        member.close()
        return member.sha256.hexdigest()

    def close(self) -> bytes:
        """End the ZIP and return the rest of its bytes."""
        self.zip.close()
        return self.pipe.drain()


class _SqlJsonObject(Func):
    """A row as ``json.dumps(dict, ensure_ascii=False)`` writes it: the keys in column order,
    ", " and ": " between, the values as to_json writes them (it escapes text as Python does)."""

    output_field = TextField()

    def __init__(self, copied: list[tuple[Column, Expression]]):
        self.keys = [column.key for column, _ in copied]
        super().__init__(*[expression for _, expression in copied])

    def as_sql(self, compiler, connection, **extra_context):
        parts, params, opening = [], [], "{"
        for key, expression in zip(self.keys, self.get_source_expressions(), strict=True):
            value, value_params = compiler.compile(expression)
            parts.append(f"%s || coalesce(to_json({value})::text, 'null')")
            params += [f"{opening}{json.dumps(key)}: ", *value_params]
            opening = ", "
        return "(" + " || ".join(parts) + " || '}')", params


def _sql_formula_guarded(expression: Expression) -> Expression:
    """``formula_guarded`` in PostgreSQL, for what ``_csv_cell`` guards: an apostrophe before
    a text that starts with a character of FORMULA_START.
    (substr, unlike left, decompresses only the start of a long stored text.)"""
    return Case(
        When(
            In(Substr(expression, 1, 1), sorted(FORMULA_START)),
            then=Concat(Value("'"), expression, output_field=TextField()),
        ),
        default=expression,
        output_field=TextField(),
    )


class _Pipe:
    """A write-only, non-seekable file: the ZIP writes into it, the generator empties it."""

    def __init__(self):
        self._chunks: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        self.size = 0
        return data


class _Member:
    """One file in the ZIP, hashed and measured as it is written.

    ``level`` 0 stores the file as it is, as for XLSX files, which are compressed already.
    """

    def __init__(self, archive: zipfile.ZipFile, name: str, level: int, when: datetime.datetime):
        info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED if level else zipfile.ZIP_STORED
        # Python 3.13 names it compress_level and keeps this name as an alias.
        info._compresslevel = level or None
        self._file = archive.open(info, "w", force_zip64=True)
        self.name = name
        self.sha256 = hashlib.sha256()
        self.bytes = 0

    def write(self, data: bytes) -> None:
        self.sha256.update(data)
        self.bytes += len(data)
        self._file.write(data)

    def close(self) -> None:
        self._file.close()


@dataclass
class FileReport:
    name: str
    table: Table
    rows: int = 0
    bytes: int = 0
    sha256: str = ""
    extra: dict = field(default_factory=dict)

    def manifest(self) -> dict:
        return {
            "name": self.name,
            "rows": self.rows,
            "bytes": self.bytes,
            "sha256": self.sha256,
            **self.extra,
            "columns": [{"key": c.key, "label": c.label} for c in self.table.columns],
        }


def _converter(pairs: list[tuple[int, Callable]]) -> Callable[[Sequence], Sequence]:
    """A function applying each (column index, function) to a row's non-None values."""
    if not pairs:
        return lambda row: row

    def convert(row: Sequence) -> list:
        row = list(row)
        for index, function in pairs:
            value = row[index]
            if value is not None:
                row[index] = function(value)
        return row

    return convert


def _csv_quoted(value: str) -> str:
    """A field as the csv module's excel dialect quotes it, only much faster on long Chinese
    text, which the module walks through character by character."""
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    if "," in value or "\n" in value or "\r" in value:
        return '"' + value + '"'
    return value


def _csv_cell(column: Column) -> Callable[[object], str]:
    convert, guard = column.table, column.text

    def cell(value) -> str:
        if value is None:
            return ""
        if convert is not None:
            value = convert(value)
        if not isinstance(value, str):
            return str(value)
        if guard:
            value = formula_guarded(value)
        return _csv_quoted(value)

    return cell


def csv_copied(
    table: Table, copied: list[tuple[Column, Expression]]
) -> Iterator[tuple[bytes, int]]:
    """The CSV lines as PostgreSQL writes them, in batches, with their number: the same bytes
    as ``_csv_formatted``, except that COPY ends lines with LF, which become CRLF here."""
    cells = [_sql_formula_guarded(sql) if column.text else sql for column, sql in copied]
    statement = table.copy_statement(cells, "csv")
    with _site_time_zone(), _copy_out(statement) as batches:
        for lines in batches:
            lines.append(b"")
            yield b"\r\n".join(lines), len(lines) - 1


def json_copied(
    table: Table, copied: list[tuple[Column, Expression]]
) -> Iterator[tuple[bytes, int]]:
    """The JSON objects as PostgreSQL writes them, one a line, the same bytes as
    ``_json_formatted``: one text column copied in binary format, which leaves it as it is."""
    statement = table.copy_statement([_SqlJsonObject(copied)], "binary")
    with _site_time_zone(), _copy_out(statement, binary=True) as batches:
        for lines in batches:
            yield b",\n".join(lines), len(lines)


def _copy_out(statement: bytes, binary: bool = False) -> CopyOut:
    return CopyOut(connection.connection, statement, binary=binary, batch_rows=WRITE_BATCH)


@contextmanager
def _site_time_zone():
    """Within the export's transaction, make PostgreSQL's session time zone TIME_ZONE, in which
    the copies write local times, and put it back with a savepoint whatever happens: Django
    reads times right only in the zone it set itself."""
    savepoint = transaction.savepoint()
    try:
        with connection.cursor() as cursor:
            name = timezone.get_default_timezone_name()
            cursor.execute("SELECT set_config('TimeZone', %s, true)", [name])
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


def _excel_text(value: str, sheet) -> tuple[object, int]:
    """Text as Excel can hold it: no control characters, at most 32,767 characters, and never
    read as a formula or an error code. Returns the value or cell, and 1 if it was cut."""
    cut = 0
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(value) > EXCEL_MAX_CELL_CHARS:
        value, cut = value[:EXCEL_MAX_CELL_CHARS], 1
    if value.startswith("=") or value in ERROR_CODES:
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell, cut
    return value, cut
