"""Spreadsheets (xlsx and csv) as plain grids of cleaned strings, merged cells resolved."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from .textfile import decode_text

_SPACES = re.compile(r"\s+")


@dataclass
class Grid:
    """A sheet: `rows[r][c]` is the cleaned text or None.

    `copies` holds the (row, col) cells that only repeat a merged range's top-left
    value: they name headers for every column they span but are not notes themselves.
    """

    name: str
    rows: list[list[str | None]]
    copies: set[tuple[int, int]] = field(default_factory=set)
    hidden: bool = False
    delimiter: str | None = None      # a CSV's; None for a workbook sheet

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def cell(self, r: int, c: int) -> str | None:
        row = self.rows[r]
        return row[c] if c < len(row) else None

    def is_anchor(self, r: int, c: int) -> bool:
        return (r, c) not in self.copies

    @staticmethod
    def ref(r: int, c: int) -> str:
        from openpyxl.utils import get_column_letter

        return f"{get_column_letter(c + 1)}{r + 1}"


def clean(value: object) -> str | None:
    """Cell value to text: trimmed, inner whitespace folded, numbers without '.0'."""
    if value is None:
        return None
    if isinstance(value, bool):
        value = "ja" if value else "nej"
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, dt.datetime):
        value = value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    elif isinstance(value, dt.date):
        value = value.isoformat()
    text = _SPACES.sub(" ", str(value).replace("\u00a0", " ")).strip()
    return text or None


def _trim(rows: list[list[str | None]]) -> list[list[str | None]]:
    while rows and not any(rows[-1]):
        rows.pop()
    return rows


def read_xlsx(path: Path) -> list[Grid]:
    data = path.read_bytes()
    if not data:
        raise InputError("the file is empty", path, "E101")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise InputError("the workbook is password-protected; remove the password in "
                             "Excel (File > Info > Protect Workbook) and import again",
                             path, "E105")
        raise InputError("this is an old .xls workbook; open it in Excel and save it as .xlsx",
                         path, "E106")
    workbook = _open_workbook(data, path, data_only=True)
    formulas = _formula_sheets(data, path)
    grids = []
    for sheet in workbook.worksheets:
        rows = [[clean(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        if sheet.title in formulas:
            _formula_text(rows, formulas[sheet.title])
        copies: set[tuple[int, int]] = set()
        for merged in sheet.merged_cells.ranges:
            top = clean(sheet.cell(merged.min_row, merged.min_col).value)
            for r in range(merged.min_row - 1, merged.max_row):
                for c in range(merged.min_col - 1, merged.max_col):
                    if (r, c) == (merged.min_row - 1, merged.min_col - 1):
                        continue
                    while len(rows) <= r:
                        rows.append([])
                    while len(rows[r]) <= c:
                        rows[r].append(None)
                    rows[r][c] = top
                    copies.add((r, c))
        grids.append(Grid(sheet.title, _trim(rows), copies, sheet.sheet_state != "visible"))
    workbook.close()
    return grids


def _open_workbook(data: bytes, path: Path, data_only: bool):
    """openpyxl's workbook of the bytes, or E104. openpyxl is imported only when a
    workbook is read: a folder of transcripts starts sooner without it."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(io.BytesIO(data), data_only=data_only)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InputError("not a readable .xlsx workbook (the file is corrupt or not Excel)",
                         path, "E104") from exc


EXCEL_ERRORS = {"#NAME?", "#REF!", "#VALUE!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!"}


def _formula_sheets(data: bytes, path: Path) -> dict[str, list[list[object]]]:
    """The formulas of sheets that have any, read only when the workbook holds some. A
    note typed as "=Tillit …" becomes a formula in Excel that shows #NAME?; a workbook
    written by a program may have no cached values at all. Either way the note is the
    formula's text, kept as text and never evaluated."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n)
                   for n in archive.namelist() if n.startswith("xl/worksheets/sheet")):
            return {}
    raw = _open_workbook(data, path, data_only=False)
    out = {ws.title: [list(row) for row in ws.iter_rows(values_only=True)]
           for ws in raw.worksheets}
    raw.close()
    return out


def _formula_text(rows: list[list[str | None]], raw: list[list[object]]) -> None:
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            formula = raw[r][c] if r < len(raw) and c < len(raw[r]) else None
            if isinstance(formula, str) and formula.startswith("=") and (
                    value is None or value in EXCEL_ERRORS):
                row[c] = clean(formula)


def detect_delimiter(sample: str) -> str:
    """The delimiter that splits the header into several fields and the most of the
    following lines into as many: csv.Sniffer is fooled by a ";" inside quoted notes."""
    lines = [line for line in sample.splitlines()[:30] if line.strip()]
    best, best_score = ",", (-1, 0)
    for delimiter in (",", ";", "\t"):
        try:
            rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
        except csv.Error:
            continue
        width = len(rows[0]) if rows else 0
        score = (sum(len(r) == width for r in rows) if width > 1 else 0, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(path: Path) -> Grid:
    text = decode_text(path.read_bytes(), path)
    delimiter = detect_delimiter(text[:8192])
    # strict: a quoted note must end at a delimiter, or it has swallowed the next rows
    dialect = type("Dialect", (csv.excel,), {"delimiter": delimiter, "strict": True})
    reader = csv.reader(io.StringIO(text), dialect)
    rows = []
    try:
        for row in reader:
            rows.append([clean(v) for v in row])
    except csv.Error as exc:
        start = len(rows) + 1
        reason = (f'a quote (") in row {start} is never closed' if "end of data" in str(exc)
                  else f"{exc} in row {start} (a quote in the wrong place?)")
        raise InputError(f"malformed CSV: {reason}", path, "E107") from exc
    return Grid(path.stem, _trim(rows), delimiter=delimiter)
