"""A draft of the report's results chapter: per main theme and sub-theme, a dossier an
author writes from. Which areas, participant groups, discussions and workbooks raised it,
in the report's quantifiers (*ett par*, *några*, *flera*, *många*, *majoriteten*) with the
counts beside them for checking; the codes' definitions; candidate quotes spread across
areas; and the coded passages behind it, grouped by discussion.

Every sentence is a template filled from the figures: nothing is invented, and the draft
says so at its head."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from coding import quote_texts
from coding.codes import load_codebook
from coding.text import has_content
from corpus.dimensions import Study
from corpus.models import Source, Workshop
from corpus.pseudonymise import MARK
from corpus.study import load as load_study

from . import tables, writers
from .layers import Layer

WORKBOOK_KINDS = ("postits", "padlet", "survey")
QUOTES_PER_THEME = 3


@dataclass(frozen=True)
class Noun:
    """A noun in the forms the quantifiers need: "ett område", "några områden",
    "majoriteten av områdena"."""

    singular: str
    plural: str
    definite_plural: str
    neuter: bool


AREA = Noun("område", "områden", "områdena", True)
DISCUSSION = Noun("diskussion", "diskussioner", "diskussionerna", False)
WORKBOOK = Noun("arbetsbok", "arbetsböcker", "arbetsböckerna", False)
UNIT = Noun("kodad enhet", "kodade enheter", "de kodade enheterna", False)

# the thresholds, stated once: a count becomes a word by the first rule that holds
THRESHOLDS = (
    "alla av minst två: samtliga; fler än hälften av minst tre: majoriteten; "
    "1: en/ett; 2: ett par; 3–5: några; 6–9: flera; 10 eller fler: många")


def quantified(n: int, noun: Noun, of: int | None = None) -> str:
    """How many, in the report's words (`THRESHOLDS`), with the count beside it in
    brackets for checking: "flera områden [4 av 5]"."""
    check = f"[{n} av {of}]" if of else f"[{n}]"
    if of and n == of and of >= 2:
        words = f"samtliga {noun.plural}"
    elif of and of >= 3 and n > of / 2:
        words = f"majoriteten av {noun.definite_plural}"
    elif n == 1:
        words = f"{'ett' if noun.neuter else 'en'} {noun.singular}"
    elif n == 2:
        words = f"ett par {noun.plural}"
    elif n <= 5:
        words = f"några {noun.plural}"
    elif n <= 9:
        words = f"flera {noun.plural}"
    else:
        words = f"många {noun.plural}"
    return f"{words} {check}"


@dataclass
class Quote:
    text: str
    attribution: str          # "Deltagare Göteborgsregionen"
    source: str               # the discussion or workbook it comes from
    marked: bool              # a coder marked it as a quote


@dataclass
class Dossier:
    main: str
    sub: str                               # "" for the main theme's own dossier
    definition: str
    sentences: list[str]
    quotes: list[Quote]
    passages: dict[str, list[str]] = field(default_factory=dict)   # source -> texts
    areas: list[str] = field(default_factory=list)                 # long names, in order
    units: int = 0                                                 # distinct coded units

    @property
    def title(self) -> str:
        return self.sub or self.main


def _sources(session: Session) -> dict[int, tuple[str, str]]:
    """Source id -> (kind, name as the author knows it: its workshop and file)."""
    out = {}
    for sid, kind, name, label in session.execute(
            select(Source.id, Source.kind, Source.original_name, Workshop.label)
            .outerjoin(Workshop, Workshop.id == Source.workshop_id)):
        out[sid] = (kind, f"{label} ({name})" if label else name)
    return out


def _score(text: str, marked: bool) -> float:
    """How telling a passage is as a quote: one a coder marked first, then one of a
    quotable length (about 8 to 60 words) over a fragment or a monologue, and one that
    names no one masked ("Ring [namn] på [telefonnummer]" says nothing in a report) over
    one that does; fillers never."""
    if not has_content(text):
        return float("-inf")
    words = len(text.split())
    fit: float = min(words, 60) if words >= 8 else words - 20
    if words > 120:
        fit -= (words - 120) / 4
    if MARK.search(text):
        fit -= 200
    return fit + (1000 if marked else 0)


def pick_quotes(candidates: pd.DataFrame, k: int = QUOTES_PER_THEME) -> pd.DataFrame:
    """Up to `k` quotes spread across areas: round by round each area gives its most
    telling passage not from a source already quoted (while another is left), the areas
    with the best passages first. So a set spans min(k, areas with passages) areas and no
    single discussion dominates. `candidates` has Text, Område, Citat, source_id."""
    if candidates.empty:
        return candidates
    pool = candidates.assign(_score=[_score(t, bool(m)) for t, m in
                                     zip(candidates.Text, candidates.Citat, strict=True)])
    pool = pool[pool._score > float("-inf")]
    by_area = {area: part.sort_values("_score", ascending=False, kind="stable")
               for area, part in pool.groupby(pool["Område"].fillna(""), sort=False)}
    by_area = {a: rows for a, rows in by_area.items() if len(rows)}
    order = sorted(by_area, key=lambda a: -by_area[a]._score.iloc[0])
    chosen: list[int] = []
    used_sources: set[int] = set()
    said: set[str] = set()      # one note written twice is quoted once
    while len(chosen) < k and any(len(by_area[a]) for a in order):
        for area in order:
            rows = by_area[area]
            if not len(rows) or len(chosen) >= k:
                continue
            fresh = rows[~rows.source_id.isin(used_sources)]
            pick = (fresh if len(fresh) else rows).index[0]
            by_area[area] = rows.drop(index=pick)
            words = tables.normalise(str(rows.loc[pick, "Text"]))
            if words in said:
                continue
            said.add(words)
            chosen.append(pick)
            used_sources.add(int(rows.loc[pick, "source_id"]))
    return pool.loc[chosen].drop(columns="_score")


def build(session: Session, layer: Layer) -> list[Dossier]:
    """A dossier per main theme and per sub-theme, in the codebook's order."""
    units = tables.report_units(session, layer)
    if units.empty:
        return []
    keyed = tables.themed_units(session, layer)
    units["source_id"] = keyed.source_id.to_numpy()
    units["area_key"] = [a if isinstance(a, str) and a else None for a in keyed.area]
    sources = _sources(session)
    units["Källa"] = [sources.get(int(s), ("", ""))[1] for s in units.source_id]
    units["Källtyp"] = [sources.get(int(s), ("", ""))[0] for s in units.source_id]
    study = load_study(session)
    area_order = study.areas.key_list()
    scope = _Scope(
        study,
        sorted({a for a in keyed.area.dropna() if a},
               key=lambda a: area_order.index(a) if a in area_order else len(area_order)),
        {s for s, (kind, _) in sources.items() if kind == "transcript"},
        {s for s, (kind, _) in sources.items() if kind in WORKBOOK_KINDS},
        quote_texts.printed(session))      # quotes as the authors cut them
    definitions = {c.path: c.definition for c in load_codebook(session).codes.values()}
    out = []
    for main, group in units.groupby("Huvudtema", sort=False):
        parts = [("", group), *((sub, part) for sub, part in group.groupby("Subtema", sort=False)
                                if sub)]
        for sub, part in parts:
            if sub == "" and not len(part):
                continue
            definition = definitions.get((main, sub) if sub else (main,), "") or ""
            out.append(_dossier(main, sub, definition, part, scope))
    return out


@dataclass(frozen=True)
class _Scope:
    """What every theme's counts are out of, and how its quotes print."""

    study: Study
    areas_all: list[str]          # the areas any coded unit comes from, in the study's order
    discussions: set[int]         # source ids of the transcripts
    workbooks: set[int]           # source ids of the workbooks (post-its, Padlet, survey)
    shortened: dict[int, str]     # segment id -> the quote as the authors cut it


def _dossier(main: str, sub: str, definition: str, part: pd.DataFrame,
             scope: _Scope) -> Dossier:
    study, areas_all = scope.study, scope.areas_all
    discussions, workbooks, shortened = scope.discussions, scope.workbooks, scope.shortened
    distinct = part.drop_duplicates("segment_id")
    raised = [a for a in areas_all if a in set(distinct.area_key)]
    long_names = [study.areas.long_name(a) or a for a in raised]
    theme = "Subtemat" if sub else "Temat"
    sentences = [f"{theme} bygger på {quantified(len(distinct), UNIT)}."]
    if areas_all:
        how_many = quantified(len(raised), AREA, len(areas_all))
        sentences.append(f"Det togs upp av deltagare från {how_many}"
                         + (f": {', '.join(long_names)}." if long_names else "."))
    in_talk = set(distinct.source_id) & discussions
    in_books = set(distinct.source_id) & workbooks
    if discussions:
        sentences.append("Det diskuterades i " + (
            f"{quantified(len(in_talk), DISCUSSION, len(discussions))}." if in_talk
            else f"ingen av diskussionerna [0 av {len(discussions)}]."))
    if workbooks:
        sentences.append("Det skrevs på lappar i " + (
            f"{quantified(len(in_books), WORKBOOK, len(workbooks))}." if in_books
            else f"ingen av arbetsböckerna [0 av {len(workbooks)}]."))
    groups = distinct["Grupp"].dropna()
    if len(groups):
        said = [f"{g.lower()} ({quantified(n, UNIT)})" for g, n in groups.value_counts().items()]
        sentences.append("Bland deltagargrupperna: " + "; ".join(said) + ".")
    chosen = pick_quotes(distinct)
    quotes = [Quote(shortened.get(int(row.segment_id), row.Text),
                    study.attribution(row.area_key), row.Källa, bool(row.Citat))
              for row in chosen.itertuples(index=False)]
    passages: dict[str, list[str]] = {}
    # a main theme lists only the passages coded to it alone: its sub-themes list theirs
    own = distinct if sub or not (distinct.Subtema != "").any() else \
        part[part.Subtema == ""].drop_duplicates("segment_id")
    ordered = own.assign(_talk=~own.source_id.isin(discussions))
    for source, rows in ordered.sort_values(["_talk"], kind="stable").groupby("Källa", sort=False):
        passages[str(source)] = [str(t) for t in rows.Text]
    return Dossier(main, sub, definition, sentences, quotes, passages, long_names,
                   len(distinct))


def head(layer: Layer) -> list[str]:
    """What the draft is, said before anything else."""
    return [f"Utkast genererat av workshop-qda ur kodningslagret {layer.describe_sv()}.",
            "Meningarna är mallar fyllda med projektets siffror; inget innehåll är påhittat. "
            "Siffrorna inom hakparentes är till för kontroll och stryks i rapporten. "
            f"Kvantifierarna följer trösklarna: {THRESHOLDS}.",
            "Citaten är förslag, valda för spridning över områden och källor; de kodade "
            "avsnitten bakom varje tema står sist, ordnade efter diskussion."]


def write_md(dossiers: Sequence[Dossier], layer: Layer, path: Path) -> Path:
    lines = ["# Resultat – utkast", "", *[f"*{p}*\n" for p in head(layer)]]
    for d in dossiers:
        lines += [f"{'###' if d.sub else '##'} {d.title}", ""]
        if d.definition:
            lines += [f"*Definition:* {d.definition}", ""]
        lines += [" ".join(d.sentences), ""]
        for q in d.quotes:
            lines += [f"> {q.text}", ">", f"> {q.attribution}", ""]
        if d.passages:
            lines += ["<details><summary>Kodade avsnitt</summary>", ""]
            for source, texts in d.passages.items():
                lines += [f"**{source}**", "", *[f"- {t}" for t in texts], ""]
            lines += ["</details>", ""]
    if not dossiers:
        lines.append("Inga kodade enheter i lagret.")
    return writers.write_text(path, "\n".join(lines) + "\n")


def write_docx(dossiers: Sequence[Dossier], layer: Layer, path: Path) -> Path:
    from . import word

    doc = word.new_document("Resultat – utkast")
    add_to(doc, dossiers, layer)
    return word.save(doc, path)


def add_to(doc, dossiers: Sequence[Dossier], layer: Layer, level: int = 2) -> None:
    """The draft into a Word document: its head, then a heading per theme (`level`) and
    per sub-theme (one below)."""
    from . import word

    for paragraph in head(layer):
        doc.add_paragraph(paragraph).runs[0].italic = True
    for d in dossiers:
        doc.add_heading(d.title, level=level + 1 if d.sub else level)
        if d.definition:
            p = doc.add_paragraph()
            p.add_run("Definition: ").bold = True
            p.add_run(d.definition)
        doc.add_paragraph(" ".join(d.sentences))
        for q in d.quotes:
            word.block_quote(doc, q.text, q.attribution)
        if d.passages:
            doc.add_heading("Kodade avsnitt", level=level + 2)
            for source, texts in d.passages.items():
                doc.add_paragraph(source).runs[0].bold = True
                for text in texts:
                    doc.add_paragraph(text, style="List Bullet")
    if not dossiers:
        doc.add_paragraph("Inga kodade enheter i lagret.")
