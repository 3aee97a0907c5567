"""Writers for the report tables: xlsx (openpyxl), csv (UTF-8 with BOM) and markdown.

Every text cell is neutralised: in xlsx a text that begins like a formula is stored as
text with Excel's quote prefix (shown unchanged, never evaluated); in csv, which has no
types, it gets a leading apostrophe.
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import copy
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from corpus import numbers
from corpus.files import atomic_write
from corpus.tabular import FORMULA_START, neutralise

from .tables import BILAGA2_HEAD, bilaga2_columns

WIDTHS = {"Huvudtema": 22, "Subtema": 26, "Inlägg": 70}
HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")
THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def heading(question: int, questions: Mapping[int, str] | None = None) -> str:
    """'Fråga N: text', or 'Fråga N' where the project states no text (themes.questions)."""
    text = (questions or {}).get(question)
    return f"Fråga {question}: {text}" if text else f"Fråga {question}"


def _set(ws, row: int, col: int, value: object):
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.value = value
        cell.data_type = "s"       # openpyxl would otherwise store "=..." as a formula
        cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def _header(ws, row: int, columns: list[str]) -> None:
    for col, name in enumerate(columns, start=1):
        cell = _set(ws, row, col, name)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(vertical="center", wrap_text=True,
                                   horizontal="center" if col > 3 else "left")


def _sheet_title(question: int) -> str:
    return f"Fråga {question}"


def bilaga2_xlsx(tables: Mapping[int, pd.DataFrame], path: Path,
                 questions: Mapping[int, str] | None = None) -> Path:
    """One sheet per question: a title row, the header, the rows with each main theme
    and sub-theme printed once in a merged cell over its rows, "x" centred."""
    wb = Workbook()
    assert wb.active is not None        # a new workbook has one sheet
    wb.remove(wb.active)
    for question, frame in sorted(tables.items()):
        ws = wb.create_sheet(_sheet_title(question))
        columns = bilaga2_columns(frame)
        _set(ws, 1, 1, heading(question, questions)).font = Font(bold=True, size=12)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
        _header(ws, 2, columns)
        ws.freeze_panes = "A3"
        first = 3
        starts = {col: {start for start, _ in _runs(frame, keys)}
                  for col, keys in ((1, ["Huvudtema"]), (2, ["Huvudtema", "Subtema"]))}
        left, centred = _templates(ws)
        for offset, values in enumerate(frame[columns].itertuples(index=False)):
            for col, value in enumerate(values, start=1):
                if col in starts and offset not in starts[col]:
                    value = None   # inside a merged group: the text is in its first cell
                cell = _set(ws, first + offset, col, value)
                # one shared style, copied: assigning style objects per cell hashes them
                # every time and costs seconds on a 10 000-row appendix
                cell._style = copy(centred._style if col > 3 else left._style)
        for col, keys in ((1, ["Huvudtema"]), (2, ["Huvudtema", "Subtema"])):
            for start, end in _runs(frame, keys):
                if end > start:   # added as a range: openpyxl's merge_cells restyles
                    ws.merged_cells.add(CellRange(min_col=col, min_row=first + start,
                                                  max_col=col, max_row=first + end))
        for col, name in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(col)].width = \
                WIDTHS.get(name, 11) if col <= 3 else max(11, len(name) + 2)
        ws.print_title_rows = "2:2"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToHeight = 0
    if not tables:
        ws = wb.create_sheet("Bilaga 2")
        _header(ws, 1, BILAGA2_HEAD)
    return _save(wb, path)


def _templates(ws):
    """Two styled cells (left and centred) whose styles every body cell copies; they sit
    far outside the table and are removed again."""
    left, centred = ws.cell(row=1, column=200), ws.cell(row=1, column=201)
    for cell, horizontal in ((left, "left"), (centred, "center")):
        cell.border = BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal=horizontal)
    styles = (copy(left), copy(centred))
    for cell in (left, centred):
        del ws._cells[(cell.row, cell.column)]
    return styles


def _runs(frame: pd.DataFrame, keys: list[str]) -> list[tuple[int, int]]:
    """(first, last) row positions of each run of equal `keys` values."""
    runs, start = [], 0
    values = [tuple(row) for row in frame[keys].itertuples(index=False)]
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            runs.append((start, i - 1))
            start = i
    return runs


def printed_once(frame: pd.DataFrame) -> pd.DataFrame:
    """Blank a main theme / sub-theme where it repeats the row above (as printed)."""
    out = frame[bilaga2_columns(frame)].copy()
    same_main = out["Huvudtema"].eq(out["Huvudtema"].shift())
    same_sub = same_main & out["Subtema"].eq(out["Subtema"].shift())
    out.loc[same_main, "Huvudtema"] = ""
    out.loc[same_sub, "Subtema"] = ""
    return out


def bilaga2_csv(tables: Mapping[int, pd.DataFrame], path: Path) -> Path:
    """All questions in one sheet-like file with a leading Fråga column."""
    columns = list(dict.fromkeys(c for f in tables.values() for c in bilaga2_columns(f))) \
        or BILAGA2_HEAD
    parts = [frame[bilaga2_columns(frame)].assign(**{"Fråga": q})
             for q, frame in sorted(tables.items())]
    frame = pd.concat(parts, ignore_index=True).fillna("") if parts else pd.DataFrame(
        columns=["Fråga", *columns])
    return frame_csv(frame[["Fråga", *columns]], path)


def bilaga2_md(tables: Mapping[int, pd.DataFrame], path: Path,
               questions: Mapping[int, str] | None = None) -> Path:
    blocks = ["# Bilaga 2", ""]
    for question, frame in sorted(tables.items()):
        blocks += [f"## {heading(question, questions)}", "", markdown(printed_once(frame)),
                   ""]
    return write_text(path, "\n".join(blocks))


def markdown(frame: pd.DataFrame) -> str:
    """A GitHub-style pipe table, numbers as a Swedish report prints them
    (`corpus.numbers`); pipes and line breaks inside cells are escaped."""
    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\r", " ").replace("\n", "<br>")
    shown = numbers.shown(frame)
    lines = ["| " + " | ".join(cell(c) for c in frame.columns) + " |",
             "|" + "|".join("---" for _ in frame.columns) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |"
              for row in shown.itertuples(index=False)]
    return "\n".join(lines)


def frame_xlsx(frames: Mapping[str, pd.DataFrame], path: Path,
               percent: tuple[str, ...] = ()) -> Path:
    """Plain tables, one sheet each: bold header, frozen, wrapped, sensible widths; shares
    (columns named Andel…, and those in `percent`) shown as percentages."""
    wb = Workbook()
    assert wb.active is not None        # a new workbook has one sheet
    wb.remove(wb.active)
    for name, frame in frames.items():
        ws = wb.create_sheet(name[:31])
        _header(ws, 1, [str(c) for c in frame.columns])
        ws.freeze_panes = "A2"
        for r, values in enumerate(frame.itertuples(index=False), start=2):
            for c, value in enumerate(values, start=1):
                if isinstance(value, float) and pd.isna(value):
                    value = None
                cell = _set(ws, r, c, value)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                column = str(frame.columns[c - 1])
                if (column.startswith("Andel") or column in percent) \
                        and isinstance(value, float):
                    cell.number_format = "0.0%"   # shown as a percentage, kept as a share
        for c, column in enumerate(frame.columns, start=1):
            longest = max([len(str(column)), *(len(str(v)) for v in frame.iloc[:200, c - 1])],
                          default=8)
            ws.column_dimensions[get_column_letter(c)].width = min(max(8, longest + 2), 70)
    return _save(wb, path)


def captioned_markdown(frame: pd.DataFrame, caption: str, comment: str) -> str:
    """One table as a report sets it: caption, table, comment line."""
    return f"**{caption}**\n\n{markdown(frame)}\n\n*{comment}*\n"


def captioned_xlsx(frame: pd.DataFrame, path: Path, sheet: str, caption: str,
                   comment: str) -> Path:
    """One table as a report sets it, ready to copy: the caption in the first row, the
    bold header frozen under it, the comment line two rows below the table."""
    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)        # a new workbook's one sheet
    ws.title = sheet[:31]
    ws.cell(row=1, column=1, value=caption).font = Font(bold=True)
    _header(ws, 2, [str(c) for c in frame.columns])
    ws.freeze_panes = "A3"
    for r, values in enumerate(frame.itertuples(index=False), start=3):
        for c, value in enumerate(values, start=1):
            _set(ws, r, c, None if value == "" else value)
    ws.cell(row=len(frame) + 4, column=1, value=comment).font = Font(italic=True)
    for c, column in enumerate(frame.columns, start=1):
        longest = max([len(str(column)), *(len(str(v)) for v in frame.iloc[:, c - 1])],
                      default=8)
        ws.column_dimensions[get_column_letter(c)].width = min(max(8, longest + 2), 40)
    return _save(wb, path)


def frame_csv(frame: pd.DataFrame, path: Path) -> Path:
    return write_text(path, "\ufeff" + frame.map(neutralise).to_csv(index=False))


def write_text(path: Path, text: str) -> Path:
    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    return atomic_write(path, write)


def _save(wb: Workbook, path: Path) -> Path:
    return atomic_write(path, wb.save)
