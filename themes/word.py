"""Word writers (python-docx): bilaga 2 on landscape pages, and a theme summary with counts
and chosen quotes, both in a plain grid style that prints cleanly.

Tables are created at their full size in one call and filled cell by cell through the XML
elements: python-docx's `table.cell()` and `row.cells` walk the whole table on every call,
which makes a 10 000-row appendix quadratic.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell

from corpus.errors import QdaError

from .tables import BILAGA2_COLUMNS
from .writers import heading

TABLE_STYLE = "Table Grid"
BILAGA2_WIDTHS_CM = [3.5, 4.0, 10.8, 1.6, 2.1, 1.3, 2.5, 1.3]   # 27.1 cm: A4 landscape
HEADER_SHADE = "D9E2F3"
FONT_PT = 9


def _new_document(title: str, landscape: bool) -> Document:
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
    doc.add_heading(title, level=1)
    return doc


def _fill(tc, text: str, bold: bool = False, centred: bool = False) -> None:
    cell = _Cell(tc, None)
    paragraph = cell.paragraphs[0]
    if text:
        run = paragraph.add_run(text)
        run.font.size = Pt(FONT_PT)
        run.bold = bold or None
    if centred:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _shade(tc, colour: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), colour)
    tc.get_or_add_tcPr().append(shd)


def _repeat_header(tr) -> None:
    """The header row repeats at the top of every page the table runs over."""
    mark = OxmlElement("w:tblHeader")
    mark.set(qn("w:val"), "true")
    tr.get_or_add_trPr().append(mark)


def _table(doc, frame: pd.DataFrame, widths_cm: list[float], centred_from: int):
    """A grid table with a shaded, repeating bold header and the frame's rows."""
    columns = [str(c) for c in frame.columns]
    table = doc.add_table(rows=len(frame) + 1, cols=len(columns))
    table.style = doc.styles[TABLE_STYLE]
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    rows = table._tbl.tr_lst
    _repeat_header(rows[0])
    for col, (tc, name) in enumerate(zip(rows[0].tc_lst, columns, strict=True)):
        _fill(tc, name, bold=True, centred=col >= centred_from)
        _shade(tc, HEADER_SHADE)
    for tr, values in zip(rows[1:], frame.itertuples(index=False), strict=True):
        for col, (tc, value) in enumerate(zip(tr.tc_lst, values, strict=True)):
            text = "" if value is None or (isinstance(value, float) and pd.isna(value)) \
                else str(value)
            _fill(tc, text, centred=col >= centred_from)
    for tr in rows:
        for tc, width in zip(tr.tc_lst, widths_cm, strict=True):
            tc.width = Cm(width)
    return table


def _merge_runs(table, frame: pd.DataFrame) -> None:
    """Print each main theme and sub-theme once: a vertical merge over its rows."""
    from .writers import _runs

    rows = table._tbl.tr_lst
    for col, keys in ((0, ["Huvudtema"]), (1, ["Huvudtema", "Subtema"])):
        for start, end in _runs(frame, keys):
            if end == start:
                continue
            for offset in range(start, end + 1):
                tc = rows[1 + offset].tc_lst[col]
                tc.get_or_add_tcPr().vMerge_val = "restart" if offset == start else "continue"
                if offset > start:   # the text lives in the first cell of the merge
                    for paragraph in tc.p_lst[1:]:
                        tc.remove(paragraph)
                    for run in tc.p_lst[0].r_lst:
                        tc.p_lst[0].remove(run)


def bilaga2_docx(tables: Mapping[int, pd.DataFrame], path: Path,
                 questions: Mapping[int, str] | None = None) -> Path:
    """Landscape pages; per question a "Fråga N: …" heading above its table, main theme
    and sub-theme merged over their rows, "x" centred under each area."""
    doc = _new_document("Bilaga 2", landscape=True)
    for question, frame in sorted(tables.items()):
        doc.add_heading(heading(question, questions), level=2)
        table = _table(doc, frame[BILAGA2_COLUMNS], BILAGA2_WIDTHS_CM, centred_from=3)
        _merge_runs(table, frame)
    if not tables:
        doc.add_paragraph("Inga kodade inlägg.")
    return save(doc, path)


def summary_docx(counts: pd.DataFrame, quotes: pd.DataFrame, path: Path,
                 layer: str = "") -> Path:
    """Per main theme: how often it occurs, a table of its sub-themes per area, and the
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
        doc.add_paragraph(f"{int(head.Totalt)} kodade enheter "
                          f"({head.Andel * 100:.1f} % av alla kodade).")
        subs = group[group.Subtema != ""]
        if len(subs):
            frame = subs[["Subtema", *area_columns, "Totalt"]]
            rest = (17.0 - 3.8) / (len(area_columns) + 1)
            _table(doc, frame, [3.8, *[rest] * (len(area_columns) + 1)], centred_from=1)
        chosen = quotes[quotes.Huvudtema == main]
        if len(chosen):
            doc.add_heading("Citat", level=3)
            for row in chosen.itertuples(index=False):
                paragraph = doc.add_paragraph(style="Quote")
                paragraph.add_run(f"”{row.Citat}”")
                paragraph.add_run(f" ({row.Källa}"
                                  + (f", {row.Subtema}" if row.Subtema else "") + ")").italic \
                    = False
    if counts.empty:
        doc.add_paragraph("Inga kodade enheter.")
    return save(doc, path)


def save(doc, path: Path) -> Path:
    """Through a temporary file, so a failed export never leaves half a document."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    try:
        doc.save(str(tmp))
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise QdaError(f"cannot write: {exc.strerror or exc}", path, "E410") from None
    return path


def tables_docx(frames: Mapping[str, pd.DataFrame], path: Path) -> Path:
    """Plain tables (Tabell 1 and the like), each under its own heading."""
    doc = _new_document(next(iter(frames)) if len(frames) == 1 else "Tabeller",
                        landscape=False)
    for name, frame in frames.items():
        if len(frames) > 1:
            doc.add_heading(name, level=2)
        first = 6.0 if len(frame.columns) else 0
        rest = (17.0 - first) / max(len(frame.columns) - 1, 1)
        _table(doc, frame, [first, *[rest] * (len(frame.columns) - 1)], centred_from=2)
    return save(doc, path)
