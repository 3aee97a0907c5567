"""Write the demo notes as a messy post-it workbook, the way real ones arrive.

Sheet 1: areas as column headers under a merged question title, blank rows, trailing
spaces, "x2"/"(2)"/"2 st" marks. Sheet 2: a long table with the area merged over each
group and counts stored as text. Sheet 3: areas as headers with a blank column between,
doubled spaces. Plus an instructions sheet that holds no notes.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..dimensions import read_profile

# the demo study's areas (key -> label), from its bundled study profile
AREAS = {v.key: v.label for v in read_profile("vgr-forstudie").values if v.dimension == "area"}

_MARKS = ("{text} x{n}", "{text} ({n})", "{text}  {n} st", "{text} (x{n})")
_HEADER_SPELLING = {"boras": "Borås ", "fyrbodal": "Fyrbodal", "gr": "Göteborgsregionen",
                    "skaraborg": "Skaraborg", "vgr": "VGR"}


def _with_mark(text: str, count: int, i: int) -> str:
    return text if count <= 1 else _MARKS[i % len(_MARKS)].format(text=text, n=count)


def _by_area(notes: list[tuple[str, str, int]]) -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = {key: [] for key in AREAS}
    for area, text, count in notes:
        out[area].append((text, count))
    return out


def write_workbook(path: Path, questions: dict[int, dict]) -> Path:
    """`questions[n]` has 'text' and 'notes' as (area, text, count) tuples."""
    wb = Workbook()
    info = wb.active
    assert isinstance(info, Worksheet)      # a new workbook's one sheet
    info.title = "Instruktioner"
    info["A1"] = "Post-it-lappar från workshopparna, inskrivna av projektgruppen"
    info["A3"] = "En lapp per cell. Samma text på flera lappar markeras med x2, (2) eller 2 st."

    # Fråga 1: wide, merged title, blank column A, blank row after every 6 notes
    ws = wb.create_sheet("Fråga 1")
    ws["A1"] = f"Fråga 1: {questions[1]['text']}"
    ws.merge_cells("A1:F1")
    for col, key in enumerate(AREAS, start=2):
        ws.cell(3, col, _HEADER_SPELLING[key])
        row = 4
        for i, (text, count) in enumerate(_by_area(questions[1]["notes"])[key]):
            value: object = _with_mark(text, count, i)
            if isinstance(value, str) and value.isdigit():
                value = int(value)  # a number typed as a number
            elif i % 3 == 0:
                value = f"{value}  "  # trailing spaces, as typed
            ws.cell(row, col, value)
            row += 2 if i % 6 == 5 else 1

    # Fråga 2: long table, area merged over its group, counts as text
    ws = wb.create_sheet("F2")
    ws["A1"] = f"Fråga 2 – {questions[2]['text']}"
    ws.append([])
    ws.append(["Område", "Inlägg", "Antal"])
    row = 4
    for key, notes in _by_area(questions[2]["notes"]).items():
        first = row
        for text, count in notes:
            ws.cell(row, 2, text)
            ws.cell(row, 3, str(count) if count > 1 else None)
            row += 1
        ws.cell(first, 1, AREAS[key])
        if row - 1 > first:
            ws.merge_cells(start_row=first, start_column=1, end_row=row - 1, end_column=1)
        row += 1  # a blank row between areas

    # Blad3: question in a heading cell, areas with an empty column between
    ws = wb.create_sheet("Blad3")
    ws["A1"] = f"FRÅGA 3  {questions[3]['text']}"
    columns = {key: 1 + 2 * i for i, key in enumerate(AREAS)}
    for key, col in columns.items():
        ws.cell(2, col, AREAS[key] if key != "vgr" else "Västra Götalandsregionen")
        for i, (text, count) in enumerate(_by_area(questions[3]["notes"])[key]):
            typed = text.replace(" ", "  ", 1) if i % 4 == 1 else text
            ws.cell(3 + i + (i // 5), col, _with_mark(typed, count, i + 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
