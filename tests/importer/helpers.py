import io
import json
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
SEED = CORPUS / "gansu-2016-notice.raw.txt"


def seed_bytes() -> bytes:
    return SEED.read_bytes()


def expected() -> dict:
    return json.loads((CORPUS / "gansu-2016-notice.expected.json").read_text(encoding="utf-8"))


def corpus_bytes(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def fold_brackets(text: str) -> str:
    """The importer writes full-width parentheses in Chinese text; expected.json has ASCII."""
    return text.replace("(", "（").replace(")", "）")


def make_docx(lines: list[str], table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
