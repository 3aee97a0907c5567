"""Word writers (python-docx): bilaga 2 on landscape pages, and a theme summary with counts
and chosen quotes, both in a plain grid style that prints cleanly.

Tables are built as one XML string and parsed once: python-docx's per-cell calls walk the
table's elements again and again and made a 10 000-row appendix take seconds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm, Pt
from docx.table import Table

from corpus import numbers
from corpus.files import atomic_write

from .tables import bilaga2_columns
from .writers import heading

TABLE_STYLE_ID = "TableGrid"   # the default template's "Table Grid"
BILAGA2_WIDTH_CM = 27.1      # A4 landscape inside the margins
BILAGA2_THEME_CM = (3.5, 4.0)
HEADER_SHADE = "D9E2F3"
FONT_PT = 9
MIN_FONT_PT = 6.5      # a table whose longest words cannot fit at 9 pt is set smaller


LANDSCAPE_CM = 25.5     # the text width of a landscape A4 page with the margins used here


def _new_document(title: str, landscape: bool, heading: bool = True) -> DocxDocument:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.3 if landscape else 2.0))
    doc.core_properties.title = title
    doc.core_properties.author = "workshop-qda"
    doc.styles["Normal"].font.size = Pt(10)
    if heading:
        doc.add_heading(title, level=1)
    return doc


def new_document(title: str) -> DocxDocument:
    """A portrait A4 document under its title, in the exports' style."""
    return _new_document(title, landscape=False)


def landscape_section(doc) -> None:
    """Continue `doc` on a new page in landscape (for bilaga 2 after portrait text)."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.3))


_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _run(text: str, bold: bool, size: float = FONT_PT) -> str:
    if not text:
        return ""
    lines = [escape(_INVALID_XML.sub("", line)) for line in text.split("\n")]
    body = '</w:t><w:br/><w:t xml:space="preserve">'.join(lines)
    return (f'<w:r><w:rPr>{"<w:b/>" if bold else ""}<w:sz w:val="{round(size * 2)}"/></w:rPr>'
            f'<w:t xml:space="preserve">{body}</w:t></w:r>')


def _cell(text: str, width: int, centred: bool, bold: bool = False, shade: bool = False,
          merge: str | None = None, size: float = FONT_PT, upright: bool = False) -> str:
    props = (f'<w:tcW w:w="{width}" w:type="dxa"/>'
             + (f'<w:vMerge w:val="{merge}"/>' if merge else "")
             + (f'<w:shd w:val="clear" w:color="auto" w:fill="{HEADER_SHADE}"/>'
                if shade else "")
             + ('<w:textDirection w:val="btLr"/><w:vAlign w:val="bottom"/>' if upright
                else ""))
    align = '<w:pPr><w:jc w:val="center"/></w:pPr>' if centred else ""
    return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p>{align}{_run(text, bold, size)}</w:p></w:tc>"


# a word's width is measured in a wide font (DejaVu Sans Bold, bundled with matplotlib),
# with room to spare: Word's Calibri is narrower, LibreOffice's fallback (DejaVu Serif) a
# few per cent wider; plus a cell's side margins. Swedish compounds are long, and a
# header broken mid-word ("Områ de", "Överensstämmel se") is what this keeps out.
MEASURE_FONT = "DejaVu Sans"
WIDE_FONT = 1.08
CELL_PAD_CM = 0.45
CANDIDATES = 12        # the longest words (by letters) of a column that are measured


@lru_cache(maxsize=1)
def _font():
    from matplotlib import font_manager, ft2font

    path = font_manager.findfont(font_manager.FontProperties(family=MEASURE_FONT,
                                                             weight="bold"))
    font = ft2font.FT2Font(path)
    font.set_size(FONT_PT, 72)          # at 72 dpi a pixel is a point
    return font


@lru_cache(maxsize=4096)
def word_cm(word: str) -> float:
    """How wide `word` prints in the table font, bold, in cm (generously)."""
    font = _font()
    font.set_text(word)
    return font.get_width_height()[0] / 64 / 72 * 2.54 * WIDE_FONT


def _longest_word_cm(values) -> float:
    words = {w for v in values if isinstance(v, str) for w in v.split()}
    longest = sorted(words, key=len, reverse=True)[:CANDIDATES]
    return max((word_cm(w) for w in longest), default=0.0)


def _words_cm(frame: pd.DataFrame, upright_from: int | None = None) -> list[float]:
    """Each column's longest word (header included, unless it is set upright), in cm at
    9 pt."""
    return [_longest_word_cm([*([] if upright_from is not None and k >= upright_from
                                else [str(c)]), *frame[c].tolist()])
            for k, c in enumerate(frame.columns)]


def table_font(frame: pd.DataFrame, widths_cm: list[float],
               words_cm: list[float] | None = None) -> float:
    """The table's font size: 9 pt, or smaller (in half points, down to 6,5 pt) when the
    longest words of all columns side by side are wider than the table."""
    words = sum(words_cm if words_cm is not None else _words_cm(frame))
    room = sum(widths_cm) - CELL_PAD_CM * len(widths_cm)
    if words <= room:
        return FONT_PT
    return max(MIN_FONT_PT, math.floor(FONT_PT * room / words * 2) / 2)


def fit_widths(frame: pd.DataFrame, widths_cm: list[float], size: float = FONT_PT,
               words_cm: list[float] | None = None) -> list[float]:
    """Widen each column to its longest word (header included) at font `size`, taking the
    room from the columns with the most to spare, so no word is broken inside a narrow
    column; the table keeps its total width."""
    widths = list(widths_cm)
    need = [w * size / FONT_PT + CELL_PAD_CM
            for w in (words_cm if words_cm is not None else _words_cm(frame))]
    for col in range(len(widths)):
        short = need[col] - widths[col]
        while short > 1e-6:
            spare = [(widths[k] - need[k], k) for k in range(len(widths)) if k != col]
            room, donor = max(spare, default=(0.0, -1))
            if room <= 1e-6:
                break
            take = min(short, room)
            widths[donor] -= take
            widths[col] += take
            short -= take
    return widths


def _table(doc, frame: pd.DataFrame, widths_cm: list[float], centred_from: int,
           merges: dict[tuple[int, int], str] | None = None, upright_from: int | None = None):
    """A grid table with a shaded, repeating bold header and the frame's rows, built as
    one XML string: python-docx's per-cell calls walk the table and cost seconds on a
    10 000-row appendix. `merges` maps (row, column) to "restart"/"continue"; the headers
    of the columns from `upright_from` on are set upright (read bottom to top), so that
    many narrow mark columns leave the text its room."""
    merges = merges or {}
    frame = numbers.shown(frame)      # "6,3 %", "0,800": as a Swedish report prints them
    words = _words_cm(frame, upright_from)
    size = table_font(frame, widths_cm, words)
    widths = [int(w / 2.54 * 1440) for w in fit_widths(frame, widths_cm, size, words)]  # twips
    columns = [str(c) for c in frame.columns]
    # an upright header needs the row as tall as it is long (Word does not grow it)
    tall = max((word_cm(columns[c]) * size / FONT_PT for c in range(len(columns))
                if upright_from is not None and c >= upright_from), default=0.0)
    height = f'<w:trHeight w:val="{int((tall + 0.4) / 2.54 * 1440)}" w:hRule="atLeast"/>' \
        if tall else ""
    rows = [f"<w:tr><w:trPr><w:tblHeader/>{height}</w:trPr>" + "".join(
        _cell(name, w, c >= centred_from, bold=True, shade=True, size=size,
              upright=upright_from is not None and c >= upright_from)
        for c, (name, w) in enumerate(zip(columns, widths, strict=True))) + "</w:tr>"]
    for r, values in enumerate(frame.itertuples(index=False)):
        cells = []
        for c, (value, w) in enumerate(zip(values, widths, strict=True)):
            merge = merges.get((r, c))
            text = "" if value is None or (isinstance(value, float) and pd.isna(value)) \
                or merge == "continue" else str(value)
            cells.append(_cell(text, w, c >= centred_from, merge=merge, size=size))
        # a row is never split over two pages: its note would start on one, end on the next
        rows.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>" + "".join(cells) + "</w:tr>")
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    xml = (f"<w:tbl {nsdecls('w')}><w:tblPr><w:tblStyle w:val=\"{TABLE_STYLE_ID}\"/>"
           '<w:tblW w:w="0" w:type="auto"/><w:tblLayout w:type="fixed"/>'
           '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
           'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
           f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>")
    tbl = parse_xml(xml)
    doc.element.body.sectPr.addprevious(tbl)
    return Table(tbl, doc._body)


def _merges(frame: pd.DataFrame) -> dict[tuple[int, int], str]:
    """Print each main theme and sub-theme once: a vertical merge over its rows."""
    from .writers import _runs

    out: dict[tuple[int, int], str] = {}
    for col, keys in ((0, ["Huvudtema"]), (1, ["Huvudtema", "Subtema"])):
        for start, end in _runs(frame, keys):
            if end > start:
                for offset in range(start, end + 1):
                    out[(offset, col)] = "restart" if offset == start else "continue"
    return out


NOTES_MIN_CM = 11.0   # the notes' column, at least, before mark headers are set upright
UPRIGHT_MARK_CM = 1.0


def bilaga2_widths(marks: list[str]) -> tuple[list[float], bool]:
    """Column widths (cm) of a bilaga 2 table: the themes' fixed, each mark column as wide
    as its header needs at the table's font (about 0.19 cm a character, 1.3 cm at least),
    and the notes the rest; and whether the mark headers are set upright, as they are
    when written across they would leave the notes under NOTES_MIN_CM (four participant
    groups took 14 cm and left the notes 6)."""
    widths = [max(1.3, round(0.19 * len(name) + 0.6, 1)) for name in marks]
    room = BILAGA2_WIDTH_CM - sum(BILAGA2_THEME_CM)
    upright = room - sum(widths) < NOTES_MIN_CM
    if upright:
        widths = [UPRIGHT_MARK_CM] * len(marks)
    notes = max(6.0, room - sum(widths))
    return [*BILAGA2_THEME_CM, notes, *widths], upright


def bilaga2_docx(tables: Mapping[int, pd.DataFrame], path: Path,
                 questions: Mapping[int, str] | None = None) -> Path:
    """Landscape pages; per question a "Fråga N: …" heading above its table, main theme
    and sub-theme merged over their rows, "x" centred under each area."""
    doc = _new_document("Bilaga 2", landscape=True)
    add_bilaga2(doc, tables, questions)
    return save(doc, path)


def add_bilaga2(doc, tables: Mapping[int, pd.DataFrame],
                questions: Mapping[int, str] | None = None, level: int = 2) -> None:
    """Bilaga 2's tables into `doc` (a landscape section), one per question."""
    for question, frame in sorted(tables.items()):
        doc.add_heading(heading(question, questions), level=level)
        columns = bilaga2_columns(frame)
        widths, upright = bilaga2_widths(columns[3:])
        _table(doc, frame[columns], widths, centred_from=3, merges=_merges(frame),
               upright_from=3 if upright else None)
    if not tables:
        doc.add_paragraph("Inga kodade inlägg.")


WHOLE_THEME = "Hela temat"   # the summary's row for a main theme with all its units


def summary_docx(counts: pd.DataFrame, quotes: pd.DataFrame, path: Path,
                 layer: str = "") -> Path:
    """Per main theme: how often it occurs, a table of it and its sub-themes per area, the
    quotes chosen for it, attributed by area only."""
    doc = _new_document("Temasammanfattning", landscape=False)
    if layer:
        doc.add_paragraph(f"Kodningslager: {layer}.").runs[0].italic = True
    area_columns = [c for c in counts.columns
                    if c not in ("Huvudtema", "Subtema", "Totalt", "Andel")]
    for main, group in counts.groupby("Huvudtema", sort=False):
        doc.add_heading(str(main), level=2)
        head = group[group.Subtema == ""].iloc[0] if (group.Subtema == "").any() \
            else group.iloc[0]
        doc.add_paragraph(f"{numbers.coded_units(int(head.Totalt))} "
                          f"({numbers.percent(head.Andel)} av alla kodade).")
        # the theme as a whole first: its units per area, those coded with the main
        # theme alone included, so that every theme has its areas and the table's first
        # row is the count above (a unit may carry two sub-themes: they need not add up)
        whole = group[group.Subtema == ""].assign(Subtema=WHOLE_THEME)
        frame = pd.concat([whole, group[group.Subtema != ""]])[
            ["Subtema", *area_columns, "Totalt"]]
        if len(frame):
            rest = (17.0 - 3.8) / (len(area_columns) + 1)
            _table(doc, frame, [3.8, *[rest] * (len(area_columns) + 1)], centred_from=1)
        chosen = quotes[quotes.Huvudtema == main]
        if len(chosen):
            doc.add_heading("Citat", level=3)
            # attributed as the report prints them ("Deltagare <område>"); the sub-theme a
            # quote shows is a heading above it, never part of the attribution
            for sub, rows in chosen.groupby("Subtema", sort=False):
                if sub:
                    doc.add_heading(str(sub), level=4)
                for row in rows.itertuples(index=False):
                    block_quote(doc, row.Citat, row.Källa)
    if counts.empty:
        doc.add_paragraph("Inga kodade enheter.")
    return save(doc, path)


def quotes_docx(quotes: pd.DataFrame, path: Path, layer: str = "") -> Path:
    """The quotes per main theme and sub-theme, each attributed as the report prints it
    ("Deltagare <område>"), ready to lift into the report; the question of each is in
    the .xlsx."""
    doc = _new_document("Citat", landscape=False)
    if layer:
        doc.add_paragraph(f"Kodningslager: {layer}.").runs[0].italic = True
    for main, group in quotes.groupby("Huvudtema", sort=False):
        doc.add_heading(str(main), level=2)
        for sub, rows in group.groupby("Subtema", sort=False):
            if sub:
                doc.add_heading(str(sub), level=3)
            for row in rows.itertuples(index=False):
                block_quote(doc, row.Citat, row.Källa)
    if quotes.empty:
        doc.add_paragraph("Inga enheter är markerade som citat i det här lagret.")
    return save(doc, path)


def block_quote(doc, text: str, attribution: str) -> None:
    """A quote set as the report sets it: a block (Word's Quote style, no quotation
    marks) with the attribution on its own line below, in the same paragraph so the two
    never part across a page."""
    paragraph = doc.add_paragraph(style="Quote")
    paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = Cm(1)
    paragraph.paragraph_format.space_after = Pt(8)
    paragraph.add_run(_INVALID_XML.sub("", str(text)))
    paragraph.add_run().add_break()
    by = paragraph.add_run(attribution)
    by.italic = False
    by.font.size = Pt(9)


def save(doc, path: Path) -> Path:
    return atomic_write(path, lambda tmp: doc.save(str(tmp)))


def tables_docx(frames: Mapping[str, pd.DataFrame], path: Path) -> Path:
    """Plain tables (Tabell 1 and the like), each under its own heading."""
    doc = _new_document(next(iter(frames)) if len(frames) == 1 else "Tabeller",
                        landscape=False)
    for name, frame in frames.items():
        if len(frames) > 1:
            doc.add_heading(name, level=2)
        # the two label columns (Område, Workshop) 3 cm each, the counts share the rest
        counts = max(len(frame.columns) - 2, 1)
        widths = [3.0, 3.0, *[11.0 / counts] * counts][:len(frame.columns)]
        _table(doc, frame, widths, centred_from=2)
    return save(doc, path)


def captioned_docx(frame: pd.DataFrame, path: Path, caption: str, comment: str) -> Path:
    """One table as a report sets it (Tabell 1): its caption above ("Tabell 1. …", Word's
    Caption style, so a list of tables finds it), its comment line below."""
    doc = _new_document(caption.split(".")[0], landscape=False, heading=False)
    add_captioned(doc, frame, caption, comment)
    return save(doc, path)


def add_captioned(doc, frame: pd.DataFrame, caption: str, comment: str) -> None:
    """A captioned table with its comment line into `doc` (a portrait section)."""
    doc.add_paragraph(caption, style="Caption")
    # the page's width shared by each column's longest word, so none is broken
    need = [w + CELL_PAD_CM for w in _words_cm(numbers.shown(frame))]
    widths = [w * 17.0 / sum(need) for w in need] if need else []
    _table(doc, frame, widths, centred_from=2)
    note = doc.add_paragraph(comment)
    note.runs[0].font.size = Pt(8.5)


def method_docx(summary: str, frames: Mapping[str, pd.DataFrame], path: Path) -> Path:
    """The method appendix: the summary paragraph, then each table under its heading."""
    doc = _new_document("Metodbilaga", landscape=True)
    for paragraph in summary.split("\n\n"):
        doc.add_paragraph(paragraph)
    for name, frame in frames.items():
        doc.add_heading(name, level=2)
        if frame.empty:
            doc.add_paragraph("–")
            continue
        widths = [6.0, *[21.0 / max(len(frame.columns) - 1, 1)] * (len(frame.columns) - 1)]
        _table(doc, frame, widths, centred_from=1)
    return save(doc, path)


def frames_docx(title: str, frames: Mapping[str, pd.DataFrame], path: Path,
                intro: str = "", widths: Mapping[str, float] | None = None) -> Path:
    """Tables in landscape under the document's title, each under its heading. `widths`
    gives columns their share of the page (cm; others by their name's length), scaled to
    fit it."""
    doc = _new_document(title, landscape=True)
    if intro:
        doc.add_paragraph(intro)
    for name, frame in frames.items():
        doc.add_heading(name, level=2)
        if frame.empty:
            doc.add_paragraph("–")
            continue
        # a column not named in `widths` (a study's area or group) as wide as its name
        cm = [(widths or {}).get(str(c), max(1.6, round(0.19 * len(str(c)) + 0.6, 1)))
              for c in frame.columns]
        scale = min(1.0, LANDSCAPE_CM / sum(cm))
        first_figure = next((k for k, c in enumerate(frame.columns)
                             if frame[c].map(lambda v: len(str(v))).max() <= 6),
                            len(frame.columns))
        _table(doc, frame, [w * scale for w in cm], centred_from=first_figure)
    return save(doc, path)
