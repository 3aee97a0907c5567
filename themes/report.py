"""The report template: one Word document an author opens and starts editing, with the
method text (material, codebook, coding and agreement), Tabell 1, the results chapter
draft and bilaga 2 (on landscape pages), under the report's Swedish headings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from . import chapter, tables, word
from .layers import Layer
from .metodbilaga import Method


def report_docx(path: Path, method: Method, dossiers: Sequence[chapter.Dossier],
                layer: Layer, tabell1: pd.DataFrame,
                bilaga2: Mapping[int, pd.DataFrame], questions: Mapping[int, str]) -> Path:
    doc = word.new_document("Rapport – utkast")
    doc.add_paragraph(
        "Ett utkast sammanställt av workshop-qda ur projektet: metodtexten, Tabell 1, "
        "ett underlag för resultatkapitlet och bilaga 2. Skriv vidare direkt i dokumentet; "
        "siffror inom hakparentes är till för kontroll.").runs[0].italic = True
    doc.add_heading("Metod", level=1)
    doc.add_paragraph(method.material)
    if len(tabell1):
        word.add_captioned(doc, tables.tabell1_printed(tabell1), tables.TABELL1_CAPTION,
                           tables.tabell1_comment(tabell1))
    doc.add_paragraph(method.summary(table="se metodbilagan"))
    doc.add_heading("Resultat", level=1)
    chapter.add_to(doc, dossiers, layer, level=2)
    word.landscape_section(doc)
    doc.add_heading("Bilaga 2", level=1)
    word.add_bilaga2(doc, bilaga2, questions, level=2)
    return word.save(doc, path)
