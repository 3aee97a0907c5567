"""Spreadsheets (xlsx and csv) as plain grids of cleaned strings, merged cells resolved."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

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
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InputError("not a readable .xlsx workbook (the file is corrupt or not Excel)",
                         path, "E104") from exc
    grids = []
    for sheet in workbook.worksheets:
        rows = [[clean(v) for v in row] for row in sheet.iter_rows(values_only=True)]
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


def _delimiter(sample: str) -> str:
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
    delimiter = _delimiter(text[:8192])
    dialect = type("Dialect", (csv.excel,), {"delimiter": delimiter})
    try:
        rows = [[clean(v) for v in row] for row in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", path, "E107") from exc
    return Grid(path.stem, _trim(rows))
