"""Exports for auditors: notices, assessments or the audit history, as one ZIP per export.

An export streams. Rows come from ``values_list(...).iterator()`` in batches, are formatted and
written into a ZIP opened on a non-seekable pipe, which the generator empties chunk by chunk; XLSX
goes through a temporary file first. On PostgreSQL, CSV and JSON files whose every column
PostgreSQL can write come from ``COPY (…) TO STDOUT`` instead (exports/pgcopy.py), several times
faster and byte for byte the same. Memory therefore stays flat however many rows there are.

The ZIP ends with manifest.json: what was asked, who asked and when, the rows, size and SHA-256 of
every data file (computed while it is written), and the head of the audit chain when the export
began. The export is itself recorded in the audit history, from the web and from the command line.

The web page, the command and the benchmark all go through ``Export``; ``can_export`` says who may.

- ``columns``: the columns of the files and each dataset's column specs;
- ``tables``: which rows each dataset exports, within the organs a user sees;
- ``writers``: CSV, JSON and XLSX written into the ZIP, each file hashed as it is written;
- ``export``: the selection, who may export, the manifest and the record in the history.
"""
