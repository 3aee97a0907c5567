"""Post-it workbooks, Padlet exports and survey comments: layout detection per sheet.

Layouts:
- wide: a header row of area names with notes below each (names the project knows, or
  a row of short labels over columns of longer texts: the areas of a new study);
- long: a header row with a note column, optionally area, count, question columns;
- list: notes in any cells, one area for the whole sheet (given with --area);
- padlet: Padlet's Subject/Body/Author/Section/Created at columns;
- survey: a free-text column beside form columns (timestamp, respondent ...).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from pathlib import Path

from ..dimensions import Dimension, fold, tidy_label
from ..errors import InputError
from ..notes import note
from . import headers as h
from .grid import Grid, read_csv, read_xlsx
from .marks import mark_only, split_mark
from .units import Note, ReadOptions, ReadResult, SheetReport

LAYOUTS = ("wide", "long", "list", "padlet", "survey", "questions")
HEADER_SCAN_ROWS = 15
_LETTER = re.compile(r"[^\W\d_]")


def read_sheets(path: Path, options: ReadOptions) -> ReadResult:
    suffix = path.suffix.lower()
    grids = [read_csv(path)] if suffix == ".csv" else read_xlsx(path)
    if options.layout and options.layout not in LAYOUTS:
        raise InputError(f"unknown layout {options.layout!r} (use {', '.join(LAYOUTS)})",
                         path, "E110")
    result = ReadResult(kind=options.kind or "postits", file_format=suffix.lstrip("."))
    kinds: Counter[str] = Counter()
    for grid in grids:
        if grid.hidden:
            result.sheets.append(SheetReport(grid.name, "skipped", skipped=[note("N130")]))
            continue
        if not any(any(row) for row in grid.rows):
            result.sheets.append(SheetReport(grid.name, "skipped", skipped=[note("N131")]))
            continue
        try:
            report, notes = read_grid(grid, options, path, single=len(grids) == 1)
        except InputError as exc:
            # a sheet of instructions or a summary beside the question sheets
            if exc.code != "E114" or len(grids) == 1 or h.question_from_sheet_name(grid.name):
                raise
            result.sheets.append(SheetReport(grid.name, "skipped", skipped=[note("N132")]))
            continue
        kinds[report.layout] += 1
        result.sheets.append(report)
        result.warnings += report.warnings
        result.notes.extend(notes)
    if not result.notes:
        raise InputError("no notes found in any sheet", path, "E111")
    if options.kind is None:
        if kinds["padlet"]:
            result.kind = "padlet"
        elif kinds["survey"]:
            result.kind = "survey"
    return result


def read_grid(grid: Grid, options: ReadOptions, path: Path, single: bool
              ) -> tuple[SheetReport, list[Note]]:
    header_row, layout = detect_layout(grid, options, path)
    question = options.question or h.question_from_sheet_name(grid.name)
    question_text = None
    for r in range(0, header_row if header_row is not None else min(3, len(grid.rows))):
        for value in grid.rows[r]:
            found = h.question_in_text(value)
            if found is not None:
                question = question or found
                question_text = question_text or value
    if question is None and single:
        question = h.question_in_text(path.stem)
    report = SheetReport(grid.name, layout, question, question_text)
    readers = {"wide": _read_wide, "long": _read_long, "list": _read_list,
               "padlet": _read_padlet, "survey": _read_survey, "questions": _read_questions}
    notes = readers[layout](grid, header_row, options, report, path)
    report.warnings = _grouped(report.warnings, grid.name)
    report.skipped = _grouped(report.skipped, grid.name)
    if not notes:
        raise InputError(f"sheet {grid.name!r} has no notes below its headers", path, "E112")
    report.questions = sorted({n.question for n in notes if n.question is not None})
    missing_q = [n for n in notes if n.question is None]
    if missing_q and layout not in ("padlet", "survey"):
        raise InputError(
            f"cannot tell which question sheet {grid.name!r} answers; name the sheet "
            "'Fråga N', add a 'Fråga N' heading, or pass --question N", path, "E113")
    if path.suffix.lower() != ".csv":       # a CSV's "sheet" is its file name
        _from_sheet_name(grid.name, notes, options.areas, "area", "N128", report)
        _from_sheet_name(grid.name, notes, options.groups, "group", "N124", report)
    if options.area:
        for n in notes:
            n.area = n.area or options.area
    blank = [n.area_left_out for n in notes if not n.area and n.area_left_out]
    if blank:
        report.warnings.append(note("N133", sheet=grid.name, refs=blank))
    without = sum(not n.area for n in notes) - len(blank)
    if without and layout not in ("padlet", "survey"):
        report.warnings.append(note("N127", sheet=grid.name, n=without))
    for n in notes:
        n.sheet = grid.name
        report.duplicate_marks += n.duplicate_count > 1
    known = _known(options)
    report.notes_per_area = dict(Counter(known.label(known.key_of(n.area), n.area)
                                         if n.area else "okänt" for n in notes))
    return report, notes


def _from_sheet_name(name: str, notes: list[Note], values: Dimension | None, attr: str,
                     code: str, report: SheetReport) -> None:
    """A sheet named for one of the project's areas ("Östersund", "Fråga 2 Berg": a sheet
    per kommun) or participant groups ("Politiker", "Fråga 1 - tjänstepersoner") gives it
    to its notes without one of their own (a column wins; a whole-file --area or --group
    is the default for the rest). Only values the project knows (`qda study add`): a sheet
    name ("Synpunkter") is no new area or group."""
    if values is None or not values.values:
        return
    key = values.key_of(name) or values.in_name(name)
    if key is None:
        return
    label = values.label(key)
    named = [n for n in notes if not getattr(n, attr)]
    for n in named:
        setattr(n, attr, label)
    if named:
        report.warnings.append(note(code, sheet=name, n=len(named), **{attr: label}))


def _known(options: ReadOptions) -> Dimension:
    return options.areas if options.areas is not None else Dimension("area")


_OTHER_HEADERS = (h.NOTE_HEADERS, h.COUNT_HEADERS, h.QUESTION_HEADERS, h.WORKSHOP_HEADERS,
                  h.GROUP_HEADERS, h.SURVEY_HINTS, h.AREA_HEADERS, h.NOT_AREAS,
                  *h.PADLET_HEADERS.values())


def could_be_area(value: str | None) -> bool:
    """A header cell that may name an area the project does not know yet: a short label,
    not a number, a question or any header the readers know."""
    if not value or len(value.strip()) > 40:
        return False
    folded = fold(value)
    if not folded or folded.replace(" ", "").isdigit() or len(folded.split()) > 4:
        return False
    if h.question_in_text(value) is not None:
        return False
    return not any(h.header_is(value, names) for names in _OTHER_HEADERS)


def _unknown_area_header(grid: Grid) -> int | None:
    """The first row of two or more short labels, each over a column of longer texts: the
    header of a wide sheet whose areas the project does not know yet."""
    for r, row in enumerate(grid.rows[:HEADER_SCAN_ROWS]):
        cols = [c for c, value in enumerate(row) if value and grid.is_anchor(r, c)]
        if len(cols) < 2:
            continue
        if not all(could_be_area(row[c]) for c in cols):
            return None
        below = {c: [v for i in range(r + 1, len(grid.rows)) if (v := grid.cell(i, c))]
                 for c in cols}
        filled = [c for c in cols if below[c]]
        texts = [v for c in filled for v in below[c]]
        if len(filled) >= 2 and sum(map(len, texts)) / len(texts) > \
                sum(len(row[c] or "") for c in cols) / len(cols):      # cols are filled
            return r
        return None
    return None


# a cell's note, as a reader finds it: (code, cell, value); `_grouped` makes one note of
# each kind per sheet, naming the cells
PerCell = tuple[str, str, str]
SAME_KIND_BY_VALUE = {"N123": "delimiter", "N125": "area"}   # a note per delimiter, area
SHOWS_VALUES = ("N122", "N126", "N129")                      # a note naming the values
VALUES_SHOWN = 3


def _grouped(found: list, sheet: str) -> list[str]:
    """One note per kind (and per unknown area) for the sheet, naming its cells, instead
    of a note per cell."""
    groups: dict[tuple[str, str], list[PerCell]] = {}
    for code, ref, value in found:
        groups.setdefault((code, value if code in SAME_KIND_BY_VALUE else ""), []).append(
            (code, ref, value))
    out: list[str] = []
    for (code, value), items in groups.items():
        refs = [ref for _, ref, _ in items]
        if code in SAME_KIND_BY_VALUE:
            out.append(note(code, sheet=sheet, refs=refs, **{SAME_KIND_BY_VALUE[code]: value}))
        elif code in SHOWS_VALUES:
            shown = ", ".join(repr(v[:40]) for _, _, v in items[:VALUES_SHOWN])
            out.append(note(code, sheet=sheet, refs=refs,
                            values=shown + (", …" if len(items) > VALUES_SHOWN else "")))
        else:
            out.append(note(code, sheet=sheet, refs=refs))
    return out


def detect_layout(grid: Grid, options: ReadOptions, path: Path | None = None
                  ) -> tuple[int | None, str]:
    """Find the header row and the layout, honouring --layout."""
    for r, row in enumerate(grid.rows[:HEADER_SCAN_ROWS]):
        cells = [c for c in row if c]
        if not cells:
            continue
        found = _layout_of_header(row, _known(options))
        if found in (None, "long") and len(_question_columns(grid, r, options)) >= 2:
            found = "questions"           # a column per question, a row per group or person
        if found and (options.layout is None or options.layout == found):
            if found in ("long", "survey", "questions") and options.layout is None:
                _refuse_misspelled(grid, r, options, path)    # its column would be lost
            return r, found
    if options.layout in (None, "wide") and not options.area:
        at = _unknown_area_header(grid)
        if at is not None:
            if options.layout is None:     # --layout wide: the columns are areas, as said
                _refuse_misspelled(grid, at, options, path)
            return at, "wide"
    if options.layout == "list" or (options.layout is None and options.area):
        return None, "list"
    if options.layout:
        raise InputError(f"sheet {grid.name!r} has no header row for layout {options.layout!r}",
                         path, "E114")
    first = next((r for r, row in enumerate(grid.rows) if any(row)), None)
    if first is not None:                   # the header row, as the user meant it
        _refuse_misspelled(grid, first, options, path)
    raise InputError(
        f"sheet {grid.name!r}: no header row with area names or a note column (Inlägg, "
        "Text ...); give --area for a plain list of notes", path, "E114")


def _refuse_misspelled(grid: Grid, r: int, options: ReadOptions, path: Path | None) -> None:
    """A header row with a misspelled column name ("Komun", "Lap") is refused, naming the
    cell: read as it stands, its columns would be areas and its areas notes."""
    known = _known(options)
    found = [(grid.ref(r, c), value, meant) for c, value in enumerate(grid.rows[r])
             if value and known.key_of(value) is None
             and (meant := h.near_header(value)) is not None]
    if found:                       # all of them: one round of corrections, not one each
        many = len(found) > 1
        cells = ", ".join(cell for cell, _, _ in found)
        said = ", ".join(repr(value) for _, value, _ in found)
        meant = ", ".join(repr(meant) for _, _, meant in found)
        raise InputError(
            f"sheet {grid.name!r}, cell{'s' if many else ''} {cells}: the header"
            f"{'s' if many else ''} {said} read{'' if many else 's'} like {meant} misspelled; "
            "correct it (or give --layout wide if the columns are areas)", path, "E117")


def _layout_of_header(row: list[str | None], known: Dimension) -> str | None:
    padlet = sum(any(h.header_is(c, names) for c in row) for names in h.PADLET_HEADERS.values())
    if padlet >= 3 or (padlet >= 2 and any(h.header_is(c, ("subject", "amne")) for c in row)):
        return "padlet"
    areas = sum(known.key_of(c) is not None for c in row)
    if areas >= 2 or (areas == 1 and all(known.key_of(c) for c in row if c)):
        return "wide"
    if any(h.header_is(c, h.SURVEY_HINTS) for c in row):
        return "survey"
    if any(h.header_is(c, h.NOTE_HEADERS, inflected=True) for c in row):
        return "long"
    return None


def _read_wide(grid, header_row, options, report, path) -> list[Note]:
    known = _known(options)
    areas = {}
    for c in range(grid.width):
        label = grid.cell(header_row, c)
        if label and (known.key_of(label) is not None or could_be_area(label)):
            areas[c] = tidy_label(label)
    notes: list[Note] = []
    for r in range(header_row + 1, len(grid.rows)):
        last_in_row: Note | None = None
        for c in range(grid.width):
            value = grid.cell(r, c)
            if not value or not grid.is_anchor(r, c):
                continue
            only = mark_only(value)
            if only is not None:
                if last_in_row is not None:
                    last_in_row.duplicate_count = max(last_in_row.duplicate_count, only)
                else:
                    report.skipped.append(("N120", grid.ref(r, c), ""))
                continue
            if areas.get(c) is None:
                if known.key_of(value) is None:
                    report.skipped.append(("N121", grid.ref(r, c), ""))
                continue
            text, count = split_mark(value)
            last_in_row = Note(text, areas[c], report.question, cell=grid.ref(r, c),
                               duplicate_count=max(count or 1, 1),
                               area_cell=grid.ref(header_row, c))
            notes.append(last_in_row)
    return notes


def _columns(header: list[str | None], names: tuple[str, ...]) -> list[int]:
    """The columns headed by one of `names`, inflected too ("Lappar", "Kommunen"): in a
    sheet with a note column an area's name heads no column."""
    exact = [c for c, value in enumerate(header) if h.header_is(value, names)]
    return exact or [c for c, value in enumerate(header)
                     if h.header_is(value, names, inflected=True)]


def _most_text(grid: Grid, header_row: int, columns: list[int]) -> int:
    return max(columns, key=lambda c: sum(len(grid.cell(r, c) or "")
                                          for r in range(header_row + 1, len(grid.rows))))


def _read_long(grid, header_row, options, report, path, text_col=None) -> list[Note]:
    header = grid.rows[header_row]
    if text_col is None:
        text_col = _most_text(grid, header_row, _columns(header, h.NOTE_HEADERS))
    area_col = next(iter(_columns(header, h.AREA_HEADERS)), None)
    count_col = next(iter(_columns(header, h.COUNT_HEADERS)), None)
    question_col = next(iter(_columns(header, h.QUESTION_HEADERS)), None)
    group_col = next(iter(_columns(header, h.GROUP_HEADERS)), None)
    notes: list[Note] = []
    width = max((c + 1 for c, v in enumerate(header) if v), default=0)
    labels = _row_labels(grid, header_row, area_col, group_col, question_col)
    question = None
    for r in range(header_row + 1, len(grid.rows)):
        area, area_cell, group, group_cell = labels[r]
        if question_col is not None and grid.cell(r, question_col):
            raw_q = grid.cell(r, question_col)
            question = h.plain_number(raw_q) or h.question_in_text(raw_q) \
                or h.question_from_sheet_name(raw_q) \
                or _question_of_text(raw_q, options, options.question,
                                     f"sheet {grid.name!r}, cell {grid.ref(r, question_col)}",
                                     path)
            if question is not None and question not in report.question_texts \
                    and h.plain_number(raw_q) is None and h.question_in_text(raw_q):
                report.question_texts[question] = " ".join(str(raw_q).split())
        value = grid.cell(r, text_col)
        if not value or not grid.is_anchor(r, text_col):
            continue
        value = _overflow(grid, r, width, text_col, value, report)
        if area is not None and area_col is not None and not grid.cell(r, area_col):
            # filled down, said: a forgotten area is seen, not silently someone else's
            report.warnings.append(("N125", grid.ref(r, area_col), area))
        text, count = split_mark(value)
        written = grid.cell(r, count_col) if count_col is not None else None
        column_count = h.parse_count(written)
        if written and not column_count:
            report.warnings.append(("N126", grid.ref(r, count_col), written))
        notes.append(Note(text, area, question or report.question, cell=grid.ref(r, text_col),
                          duplicate_count=max(column_count or count or 1, 1), group=group,
                          area_cell=area_cell, group_cell=group_cell,
                          area_left_out=grid.ref(r, area_col)
                          if area is None and area_col is not None else None))
    return notes


def _question_of_text(value: str, options: ReadOptions, given: int | None, where: str,
                      path: Path) -> int | None:
    """The question whose whole text a Fråga column's cell holds, by the project's
    [questions] (case, spacing and end punctuation aside). A text that is none of them is
    --question's where it is given (None), else refused, naming the cell: the note would
    otherwise take another row's question, or one its file's name seemed to give."""
    said = _plain(value)
    for number, text in (options.questions or {}).items():
        if _plain(text) == said:
            return number
    if given is not None:
        return None
    known = "; qda.toml's [questions] has no such text" if options.questions else (
        "; qda.toml has no [questions] to match it with")
    raise InputError(f"{where}: the Fråga column says {value[:60]!r}, no question "
                     f"number{known}; write 'Fråga N: …' or N there, or give the texts "
                     "under [questions]", path, "E116")


def _plain(text: str) -> str:
    return " ".join(fold(text).split()).strip(" ?.!:;")


Labels = tuple[str | None, str | None, str | None, str | None]   # area, its cell, group, its


def _row_labels(grid: Grid, header_row: int, area_col: int | None, group_col: int | None,
                question_col: int | None = None) -> dict[int, Labels]:
    """Each row's area and group (and the cells that gave them) as written, or filled
    down from the rows above where a blank means "same as above" (`_left_out`). As
    written: the ingest knows the project's areas, learns a new one or refuses."""
    keys = [c for c in (area_col, group_col, question_col) if c is not None]
    repeats = _repeating(grid, header_row, keys)
    area = group = area_cell = group_cell = None
    out: dict[int, Labels] = {}
    for r in range(header_row + 1, len(grid.rows)):
        if _left_out(grid, r, area_col, keys, repeats):
            area = area_cell = None
        if _left_out(grid, r, group_col, keys, repeats):
            group = group_cell = None
        if area_col is not None and (written := grid.cell(r, area_col)):
            area, area_cell = tidy_label(written), grid.ref(r, area_col)
        if group_col is not None and (written := grid.cell(r, group_col)):
            group, group_cell = tidy_label(written), grid.ref(r, group_col)
        out[r] = (area, area_cell, group, group_cell)
    return out


def _left_out(grid: Grid, r: int, col: int | None, keys: list[int], repeats: set[int]
              ) -> bool:
    """Whether row r's blank cell in `col` is a value left out, not "same as above". A
    grouped sheet writes a block's area and group once ("GR", blank, blank, "VGR"); a
    row continuing a block leaves all of them blank. A column that repeats a value on the
    next row ("Örebro", "Örebro", …) writes every row's, so its blank on a row that
    writes another of them (a Fråga, a Grupp) belongs to no one."""
    if col is None or grid.cell(r, col):
        return False
    if not any(grid.cell(r, c) for c in keys if c != col):
        return False                        # a bare continuation row
    return col in repeats


def _repeating(grid: Grid, header_row: int, cols: list[int]) -> set[int]:
    """The columns whose hand-written value is ever the same as the one written above it
    (merged cells aside: their copies are not written)."""
    out = set()
    for col in cols:
        written = [fold(v) for r in range(header_row + 1, len(grid.rows))
                   if (v := grid.cell(r, col)) and grid.is_anchor(r, col)]
        if any(a == b for a, b in itertools.pairwise(written)):
            out.add(col)
    return out


def _overflow(grid, r: int, width: int, text_col: int, value: str, report) -> str:
    """Cells to the right of the header's last column. In a CSV whose note column is the
    last, they are the rest of a note an unquoted delimiter split ("Antal SIP; följs upp"):
    joined back, and said. Anywhere else they are reported as skipped, never lost unseen."""
    extra = [(c, grid.cell(r, c)) for c in range(width, len(grid.rows[r])) if grid.cell(r, c)]
    if not extra:
        return value
    if grid.delimiter and text_col == width - 1:
        report.warnings.append(("N123", grid.ref(r, text_col), grid.delimiter))
        return f"{grid.delimiter} ".join([value, *(v for _, v in extra)])
    report.skipped += [("N122", grid.ref(r, c), v) for c, v in extra]
    return value


def _read_list(grid, header_row, options, report, path) -> list[Note]:
    notes = []
    for r, row in enumerate(grid.rows):
        for c, value in enumerate(row):
            if not value or not grid.is_anchor(r, c) or h.question_in_text(value):
                continue
            text, count = split_mark(value)
            notes.append(Note(text, options.area, report.question, cell=grid.ref(r, c),
                              duplicate_count=max(count or 1, 1)))
    return notes


def _read_padlet(grid, header_row, options, report, path) -> list[Note]:
    header = grid.rows[header_row]
    col = {key: next(iter(_columns(header, names)), None)
           for key, names in h.PADLET_HEADERS.items()}
    notes = []
    for r in range(header_row + 1, len(grid.rows)):
        def get(key, r=r):
            return grid.cell(r, col[key]) if col[key] is not None else None

        subject, body = get("subject"), get("body")
        if not subject and not body:
            continue
        if subject and body:
            text = body if fold(body).startswith(fold(subject)) else f"{subject}. {body}"
        else:
            text = subject or body
        section = get("section")
        question = report.question or h.question_in_text(section)
        # a section is an area only where it names one the project knows: Padlet's
        # sections are as often the questions or free headings
        area = section if _known(options).key_of(section) is not None else None
        text, count = split_mark(text)
        notes.append(Note(text, area, question, cell=grid.ref(r, col["body"] or 0),
                          duplicate_count=max(count or 1, 1), author=get("author")))
    return notes


def _read_survey(grid, header_row, options, report, path) -> list[Note]:
    """The free-text column is a named note column, else the one holding the most text."""
    header = grid.rows[header_row]
    named = _columns(header, h.NOTE_HEADERS)
    form = set(_columns(header, h.SURVEY_HINTS + h.AREA_HEADERS + h.COUNT_HEADERS
                        + h.QUESTION_HEADERS + h.WORKSHOP_HEADERS))
    candidates = named or [c for c in range(len(header)) if c not in form]
    if not candidates:
        raise InputError(f"sheet {grid.name!r} has no free-text column", path, "E115")
    if len(_question_columns(grid, header_row, options)) >= 2:
        return _read_questions(grid, header_row, options, report, path)    # every one
    text_col = _most_text(grid, header_row, candidates)
    report.question = report.question or h.question_in_text(header[text_col])
    _unread(grid, header_row, {text_col, *form}, report)
    return _read_long(grid, header_row, options, report, path, text_col=text_col)


_FORM = h.SURVEY_HINTS + h.AREA_HEADERS + h.GROUP_HEADERS + h.COUNT_HEADERS + \
    h.QUESTION_HEADERS + h.WORKSHOP_HEADERS


def _unread(grid: Grid, header_row: int, read: set[int], report) -> None:
    """Columns of a survey or a sheet with a column per question that hold text but are
    not read as notes ("Övriga synpunkter", "Namn"): said, naming them, never lost unseen.
    (`report`'s warnings hold per-cell tuples until `_grouped`, as in every reader.)"""
    header = grid.rows[header_row]
    for c in range(len(header)):
        if c in read or h.header_is(header[c], _FORM):
            continue
        if any((v := grid.cell(r, c)) and grid.is_anchor(r, c) and _LETTER.search(v)
               for r in range(header_row + 1, len(grid.rows))):     # words, not ids or dates
            report.warnings.append(("N129", grid.ref(header_row, c),
                                    str(header[c] or "(utan rubrik)")))


def _asks(value: str) -> bool:
    """A header that is a question put to the participants ("Vad fungerar bra i dag?")."""
    return value.rstrip().endswith("?") and len(value.split()) >= 3


def _question_columns(grid: Grid, r: int, options: ReadOptions) -> dict[int, int | None]:
    """Column -> question number of a header row's questions: "Fråga 2: …", a text of
    qda.toml's [questions], or a question without a number (None)."""
    out: dict[int, int | None] = {}
    for c, value in enumerate(grid.rows[r]):
        if not value or not grid.is_anchor(r, c) or h.header_is(value, h.QUESTION_HEADERS):
            continue
        said = _plain(value)
        number = h.question_in_text(value) or next(
            (n for n, text in (options.questions or {}).items() if _plain(text) == said), None)
        if number is not None or _asks(value):
            out[c] = number
    return out


def _read_questions(grid, header_row, options, report, path) -> list[Note]:
    """A column per question (a survey's free-text questions, a summary sheet with a row
    per kommun or group): each filled cell is a note of its column's question, with the
    row's area and group."""
    header = grid.rows[header_row]
    columns = _question_columns(grid, header_row, options)
    unnumbered = [c for c, number in columns.items() if number is None]
    if unnumbered:                  # all of them: one round of corrections, not one each
        cells = ", ".join(grid.ref(header_row, c) for c in unnumbered)
        said = ", ".join(repr(header[c][:60]) for c in unnumbered)
        many = len(unnumbered) > 1
        raise InputError(
            f"sheet {grid.name!r}, cell{'s' if many else ''} {cells}: the question"
            f"{'s' if many else ''} {said} {'have' if many else 'has'} no number; write "
            "'Fråga N: …' in the heading or give the questions' texts under [questions] in "
            "qda.toml", path, "E116")
    for c, number in columns.items():
        if number is not None and h.question_in_text(header[c]) is not None:
            report.question_texts.setdefault(number, " ".join(str(header[c]).split()))
    area_col = next(iter(_columns(header, h.AREA_HEADERS)), None)
    group_col = next(iter(_columns(header, h.GROUP_HEADERS)), None)
    _unread(grid, header_row, set(columns), report)
    labels = _row_labels(grid, header_row, area_col, group_col)
    notes: list[Note] = []
    for r in range(header_row + 1, len(grid.rows)):
        area, area_cell, group, group_cell = labels[r]
        for c, number in columns.items():
            value = grid.cell(r, c)
            if not value or not grid.is_anchor(r, c) or mark_only(value) is not None:
                continue
            text, count = split_mark(value)
            notes.append(Note(text, area, number, cell=grid.ref(r, c),
                              duplicate_count=max(count or 1, 1), group=group,
                              area_cell=area_cell, group_cell=group_cell))
    return notes
