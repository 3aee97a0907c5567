"""The Delphi study's exports, declared for the registry (coding.exporting); the builders
in delphi.export are named, not imported."""

from __future__ import annotations

from coding.exporting import Export, declare
from corpus.roles import Can

_B = "delphi.export:"

declare(Export(
    "delphi-results", ("xlsx", "docx", "md"), "Delphi: resultat per runda",
    "Per indikator och runda: svar, median, kvartilavstånd, andel 7–9 och 1–3, "
    "oenighetsindex och utfall.",
    "a Delphi study's results per round (median, IQR, shares, disagreement, outcome)",
    Can.READ_THEMES, _B + "results", study=True))
declare(Export(
    "delphi-final", ("xlsx", "docx", "md"), "Delphi: inkluderade indikatorer",
    "Indikatorerna panelen inkluderade, per tema, med runda, median och områden.",
    "the indicators a Delphi panel included, by theme",
    Can.READ_THEMES, _B + "final", study=True))
declare(Export(
    "delphi-chart", ("png", "svg"), "Delphi: fördelning per runda",
    "Varje indikators fördelning av betyg (1–3, 4–6, 7–9) i varje runda.",
    "each item's rating distribution across the rounds",
    Can.READ_THEMES, _B + "chart_", study=True))
declare(Export(
    "delphi-method", ("docx", "md"), "Delphi: metodtext",
    "Metodstycke för rapporten: panel per grupp och område, svarsfrekvens per runda, "
    "konsensusregel, antal rundor.",
    "the method paragraph: panel by group and area, response rates, rule, rounds",
    Can.READ_THEMES, _B + "method", study=True))
