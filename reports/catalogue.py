"""The export registry as plain data: every export declared once with its name, formats,
Swedish title, English help, the permission it needs and the choices (ExportOptions
fields) it reads. Its builder is the function of the same name in `reports.run.BUILDERS`.

The command line (`qda export`), the app's Export page and the download buttons on other
pages are generated from these declarations. Light on purpose: no builder is imported, so
listing the exports (`qda export --help`) loads neither pandas nor lxml.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from coding.exporting import Export
from corpus.errors import QdaError
from corpus.roles import Can

MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "csv": "text/csv", "md": "text/markdown", "png": "image/png", "svg": "image/svg+xml",
        "qdpx": "application/zip", "qdc": "application/xml", "zip": "application/zip"}

TABLE_FORMATS = ("xlsx", "docx", "csv", "md")

EXPORTS = (
    # the report's tables and figures (themes.builders)
    Export("bilaga2", TABLE_FORMATS, "Bilaga 2",
           "En tabell per fråga: huvudtema, subtema, inlägg och områden (eller grupper, "
           "format); liknande lappar sammanslagna.",
           "the appendix: per question, main theme, sub-theme, notes and an x per area (--by "
           "group or format instead)",
           Can.READ_THEMES, reads=("layer", "threshold", "by")),
    Export("themes", TABLE_FORMATS, "Tematabeller",
           "Antal och andel per tema × område (eller grupp, format), fråga och källa; som "
           "Word en temasammanfattning med citat.",
           "theme counts per area (--by group or format instead), question and source "
           "(docx: a summary with quotes)",
           Can.READ_THEMES, reads=("layer", "by")),
    Export("quotes", TABLE_FORMATS, "Citat",
           "Alla segment markerade som citat, per tema, \"Deltagare <område>\".",
           "every unit marked as a quote, per theme, attributed 'Deltagare <område>'",
           Can.READ_THEMES, reads=("layer",)),
    Export("chapter", ("docx", "md"), "Kapitelutkast",
           "Per huvudtema och subtema ett underlag att skriva resultatkapitlet från: vilka "
           "områden, grupper och diskussioner som tog upp det (flera, några, majoriteten, "
           "med antalen för kontroll), definitioner, citatförslag spridda över områden och "
           "de kodade avsnitten per diskussion. Mallmeningar, inget påhittat.",
           "a draft of the results chapter: per main theme and sub-theme the areas, groups, "
           "discussions and workbooks that raised it in the report's quantifiers (counts "
           "beside them), definitions, quotes spread across areas, the coded passages by "
           "discussion",
           Can.READ_SEGMENTS, reads=("layer",)),     # it quotes coded passages in full
    Export("report", ("docx",), "Rapportutkast",
           "Ett Word-dokument att skriva vidare i: metodtexten, Tabell 1, kapitelutkastet "
           "och bilaga 2 med rapportens rubriker.",
           "the report template: one Word file with the method text, Tabell 1, the chapter "
           "draft and bilaga 2, under the report's headings",
           Can.READ_AUDIT, reads=("layer", "threshold", "round")),
    Export("tabell1", TABLE_FORMATS, "Tabell 1",
           "Deltagare per område, format och deltagargrupp.",
           "participants per area, format and participant group",
           Can.READ_THEMES),
    Export("heatmap", ("png", "svg"), "Värmekarta",
           "Huvudtema × område, grupp, format eller fråga.",
           "main themes against area, participant group, format or question (--by)",
           Can.READ_THEMES, reads=("layer", "by")),
    Export("agreement", ("xlsx", "csv", "md"), "Samstämmighet",
           "Per kod och totalt, huvudtema och subtema: överensstämmelse, kappa, alfa med "
           "95 % KI.",
           "agreement per code and overall, main and sub-themes, for a round and coders",
           Can.READ_AGREEMENT, reads=("round", "coders", "all_units")),
    Export("audit", ("xlsx", "csv", "md"), "Granskningslogg",
           "Varje ändring av koder och kodningar: vem, när, före, efter, memo.",
           "the audit log: every change, who, when, before, after, memo",
           Can.READ_AUDIT),
    Export("metodbilaga", ("docx", "md"), "Metodbilaga",
           "Kodare, dubbelkodade enheter, samstämmighet före konsensus per huvudtema, lösta "
           "oenigheter, kodbokens ändringar.",
           "the method appendix: coders, double-coded units, agreement before consensus",
           Can.READ_AUDIT, reads=("round", "all_units")),
    # exchange with other QDA tools (refi.writer)
    Export("qdpx", ("qdpx",), "REFI-QDA-projekt (.qdpx)",
           "Hela projektet till NVivo, ATLAS.ti, MAXQDA, QualCoder.",
           "the whole project for NVivo, ATLAS.ti, MAXQDA, QualCoder",
           Can.READ_CODINGS, reads=("unique_names",)),
    Export("qdc", ("qdc",), "REFI-QDA-kodbok (.qdc)", "Kodboken till andra verktyg.",
           "the codebook for other QDA tools",
           Can.READ_THEMES, reads=("unique_names",)),
    # a Delphi study (delphi.builders)
    Export("delphi-results", ("xlsx", "docx", "md"), "Delphi: resultat per runda",
           "Per indikator och runda: svar, median, kvartilavstånd, andel 7–9 och 1–3, "
           "oenighetsindex och utfall.",
           "a Delphi study's results per round (median, IQR, shares, disagreement, outcome)",
           Can.READ_THEMES, reads=("study",)),
    Export("delphi-final", ("xlsx", "docx", "md"), "Delphi: inkluderade indikatorer",
           "Indikatorerna panelen inkluderade, per tema, med runda, median och områden.",
           "the indicators a Delphi panel included, by theme",
           Can.READ_THEMES, reads=("study",)),
    Export("delphi-chart", ("png", "svg"), "Delphi: fördelning per runda",
           "Varje indikators fördelning av betyg (1–3, 4–6, 7–9) i varje runda.",
           "each item's rating distribution across the rounds",
           Can.READ_THEMES, reads=("study",)),
    Export("delphi-method", ("docx", "md"), "Delphi: metodtext",
           "Metodstycke för rapporten: panel per grupp och område, svarsfrekvens per runda, "
           "konsensusregel, antal rundor.",
           "the method paragraph: panel by group and area, response rates, rule, rounds",
           Can.READ_THEMES, reads=("study",)),
)


def check(declared: Iterable[Export]) -> dict[str, Export]:
    """The declarations by name; a name declared twice or a format without a MIME type is
    refused."""
    found: dict[str, Export] = {}
    for spec in declared:
        if spec.name in found:
            raise ValueError(f"export {spec.name!r} declared twice")
        if not spec.formats or any(f not in MIME for f in spec.formats):
            raise ValueError(f"export {spec.name!r}: formats must be among {', '.join(MIME)}")
        found[spec.name] = spec
    return found


_DECLARED = check(EXPORTS)


def exports() -> dict[str, Export]:
    """Every declared export, in the order declared."""
    return dict(_DECLARED)


def get(name: str) -> Export:
    if name not in _DECLARED:
        raise QdaError(f"unknown export {name!r}; choose one of {', '.join(_DECLARED)}",
                       None, "E402")
    return _DECLARED[name]


def choose_format(what: str, fmt: str | None, out: Path | None) -> str:
    """The format asked for, else the output file's suffix, else the export's first. A
    file name whose suffix is another format than the one asked for is refused (E406):
    "bilaga2.docx" holding a workbook, or "bilaga2.docx.xlsx", is no file anyone wants."""
    spec = get(what)
    named = out.suffix.lstrip(".").lower() if out and out.suffix else ""
    if out is not None and fmt and named in MIME and named != fmt.lower():
        raise QdaError(f"the file name {out.name!r} says {named}, the format asked for is "
                       f"{fmt.lower()}: give one of them", out, "E406")
    fmt = (fmt or (out.suffix.lstrip(".").lower() if out and out.suffix else "")
           or spec.formats[0]).lower()
    if fmt not in spec.formats:
        raise QdaError(f"{what} can be written as {', '.join(spec.formats)}, not {fmt!r}",
                       out, "E403")
    return fmt
