"""The report exports this package builds, declared for the registry (coding.exporting).

Light on purpose: the builders in themes.export are named, not imported.
"""

from __future__ import annotations

from coding.exporting import Export, declare
from corpus.roles import Can

NEAR_DUPLICATE = 0.85   # cosine of character n-grams above which two notes say the same
# what a table's columns (a heatmap's too) can be: the study's dimensions, or the question
BY = {"area": "område", "group": "deltagargrupp", "format": "format", "question": "fråga"}
HEATMAP_BY = BY
TABLE_FORMATS = ("xlsx", "docx", "csv", "md")
_B = "themes.export:"

declare(Export(
    "bilaga2", TABLE_FORMATS, "Bilaga 2",
    "En tabell per fråga: huvudtema, subtema, inlägg och områden (eller grupper, format); "
    "liknande lappar sammanslagna.",
    "the appendix: per question, main theme, sub-theme, notes and an x per area (--by "
    "group or format instead)",
    Can.READ_THEMES, _B + "bilaga2", layer=True, threshold=True, by=True))
declare(Export(
    "themes", TABLE_FORMATS, "Tematabeller",
    "Antal och andel per tema × område (eller grupp, format), fråga och källa; som Word en "
    "temasammanfattning med citat.",
    "theme counts per area (--by group or format instead), question and source (docx: a "
    "summary with quotes)",
    Can.READ_THEMES, _B + "theme_counts", layer=True, by=True))
declare(Export(
    "quotes", TABLE_FORMATS, "Citat",
    "Alla segment markerade som citat, per tema, \"Deltagare <område>\".",
    "every unit marked as a quote, per theme, attributed 'Deltagare <område>'",
    Can.READ_THEMES, _B + "quotes", layer=True))
declare(Export(
    "tabell1", TABLE_FORMATS, "Tabell 1", "Deltagare per område, format och deltagargrupp.",
    "participants per area, format and participant group",
    Can.READ_THEMES, _B + "tabell1"))
declare(Export(
    "heatmap", ("png", "svg"), "Värmekarta", "Huvudtema × område, grupp, format eller fråga.",
    "main themes against area, participant group, format or question (--by)",
    Can.READ_THEMES, _B + "heatmap", layer=True, by=True))
declare(Export(
    "agreement", ("xlsx", "csv", "md"), "Samstämmighet",
    "Per kod och totalt, huvudtema och subtema: överensstämmelse, kappa, alfa med 95 % KI.",
    "agreement per code and overall, main and sub-themes, for a round and coders",
    Can.READ_AGREEMENT, _B + "agreement", round=True, coders=True))
declare(Export(
    "audit", ("xlsx", "csv", "md"), "Granskningslogg",
    "Varje ändring av koder och kodningar: vem, när, före, efter, memo.",
    "the audit log: every change, who, when, before, after, memo",
    Can.READ_AUDIT, _B + "audit"))
declare(Export(
    "metodbilaga", ("docx", "md"), "Metodbilaga",
    "Kodare, dubbelkodade enheter, samstämmighet före konsensus per huvudtema, lösta "
    "oenigheter, kodbokens ändringar.",
    "the method appendix: coders, double-coded units, agreement before consensus",
    Can.READ_AUDIT, _B + "metodbilaga", round=True))
