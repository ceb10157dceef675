"""Rows of a PostgreSQL ``COPY … TO STDOUT``, pulled in batches.

psycopg2's ``copy_expert`` pushes each row into a file's ``write()`` until the COPY is over; an
export, which yields its bytes as a download takes them, needs to pull instead. So the COPY runs
in a thread on the same connection (and so in the same transaction and snapshot) and hands its
rows over through a short queue: when the reader falls behind, the thread waits and so does the
server, and memory holds a few batches at most. Closing the reader early cancels the COPY on the
server, so that the connection is free at once instead of after the rest of the rows.

The connection is the thread's alone until the reader is closed; the caller must not use it
in between.
"""

import queue
import threading
from collections.abc import Iterator

BINARY_HEADER_BYTES = 19  # signature, flags and header extension length of the binary format
BINARY_TUPLE_PREFIX_BYTES = 6  # field count and the one field's length
BINARY_TRAILER = b"\xff\xff"


class _Abandoned(Exception):
    """Raised in the COPY's thread once the reader is gone."""


class CopyOut:
    """Use as ``with CopyOut(raw_connection, statement) as batches: for rows in batches: …``.

    Each batch is a list of rows, each row the bytes of one line without its newline; with
    ``binary=True`` (a COPY of one text column in binary format) the bytes of the value alone.
    PostgreSQL sends a copy-out as one message per row, which is what makes this possible; the
    row count that COPY reports is checked against the rows received all the same.
    """

    def __init__(
        self,
        raw_connection,
        statement: bytes,
        *,
        binary: bool = False,
        batch_rows: int = 500,
        batch_bytes: int = 1024 * 1024,
        batches_ahead: int = 4,
    ):
        self._connection = raw_connection
        self._statement = statement
        self._binary = binary
        self._batch_rows = batch_rows
        self._batch_bytes = batch_bytes
        self._queue: queue.Queue = queue.Queue(maxsize=batches_ahead)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="export-copy", daemon=True)
        self._copying = False
        self._rows: list = []
        self._size = 0
        self._handed_over = 0
        self._first = True

    def __enter__(self) -> Iterator[list[memoryview]]:
        self._thread.start()
        return self._batches()

    def __exit__(self, *exc_info) -> None:
        if self._thread.is_alive():
            self._stop.set()
            if self._copying:
                self._connection.cancel()
            self._thread.join()

    def _batches(self) -> Iterator[list[memoryview]]:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def _run(self) -> None:
        try:
            with self._connection.cursor() as cursor:
                self._copying = True
                try:
                    cursor.copy_expert(self._statement, self)
                finally:
                    self._copying = False
                self._hand_over()
                if cursor.rowcount != self._handed_over:
                    raise RuntimeError(
                        f"COPY sent {cursor.rowcount} rows but {self._handed_over} arrived"
                    )
            self._put(None)
        except _Abandoned:
            pass
        except BaseException as error:  # handed to the reader, which raises it
            if not self._stop.is_set():
                self._put(error)

    def write(self, message: bytes) -> None:
        """Called by copy_expert with each message, i.e. each row."""
        if self._binary:
            if self._first:
                message = memoryview(message)[BINARY_HEADER_BYTES:]
                self._first = False
            if message == BINARY_TRAILER:
                return
            row = memoryview(message)[BINARY_TUPLE_PREFIX_BYTES:]
        else:
            row = memoryview(message)[:-1]
        self._rows.append(row)
        self._size += len(row)
        if len(self._rows) >= self._batch_rows or self._size >= self._batch_bytes:
            self._hand_over()

    def _hand_over(self) -> None:
        if self._rows:
            self._put(self._rows)
            self._handed_over += len(self._rows)
            self._rows, self._size = [], 0

    def _put(self, item) -> None:
        while True:
            if self._stop.is_set():
                raise _Abandoned
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
