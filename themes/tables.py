"""The report's tables as DataFrames, each a function of a session and a coding layer:
bilaga 2, theme counts, quotes and Tabell 1. Writers (xlsx, docx, csv, md) only format."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sqlalchemy import select
from sqlalchemy.orm import Session

from coding import note_merges, quote_texts
from coding.codes import ordered_paths
from corpus.dimensions import UNKNOWN_SV, Dimension, Study
from corpus.models import Workshop
from corpus.study import load as load_study
from corpus.study import workshop_counts

from .choices import NEAR_DUPLICATE  # noqa: F401 (the default of bilaga2)
from .layers import Layer, coded_units

BILAGA2_HEAD = ["Huvudtema", "Subtema", "Inlägg"]
BY = ("area", "group", "format")   # the study's dimensions a table can put in its columns
KIND_LABELS = {"note": "Inlägg", "turn": "Transkript", "sentence": "Transkript"}


def _themes(session: Session) -> tuple[dict[int, tuple[str, str]], dict[tuple[str, str], int]]:
    """Code id -> (huvudtema, subtema) it counts under (deeper codes roll up to their
    sub-theme), and the codebook order of each (huvudtema, subtema) pair."""
    theme: dict[int, tuple[str, str]] = {}
    order: dict[tuple[str, str], int] = {}
    for rank, (code_id, path) in enumerate(ordered_paths(session)):
        pair = (path[0], path[1] if len(path) > 1 else "")
        theme[code_id] = pair
        order.setdefault(pair, rank)
    return theme, order


def themed_units(session: Session, layer: Layer) -> pd.DataFrame:
    """Coded units with their Huvudtema and Subtema, one row per unit x theme pair, in
    codebook order then document order. A main-theme coding is dropped where the same
    unit also has one of that theme's sub-themes (the sub-theme implies it)."""
    units = coded_units(session, layer)
    theme, order = _themes(session)
    if units.empty:
        return units.assign(Huvudtema=[], Subtema=[], theme_order=[])
    pairs = units["code_id"].map(theme)
    units["Huvudtema"] = pairs.str[0]
    units["Subtema"] = pairs.str[1]
    units = units.drop_duplicates(["segment_id", "Huvudtema", "Subtema"])
    with_sub = set(zip(units.loc[units.Subtema != "", "segment_id"],
                       units.loc[units.Subtema != "", "Huvudtema"], strict=True))
    main_only = units.Subtema == ""
    implied = [(s, h) in with_sub for s, h in zip(units.segment_id, units.Huvudtema,
                                                  strict=True)]
    units = units[~(main_only & np.array(implied, dtype=bool))].copy()
    units["theme_order"] = [order[(h, s)] for h, s in zip(units.Huvudtema, units.Subtema,
                                                          strict=True)]
    units["doc_order"] = range(len(units))
    return units.sort_values(["theme_order", "doc_order"], kind="stable").reset_index(drop=True)


def normalise(text: str) -> str:
    """What must match for two notes to be the same note: their words, case, spacing,
    punctuation ("Korta beslutsvägar, alla känner alla" and "… – alla känner alla") and
    Unicode forms aside."""
    text = unicodedata.normalize("NFC", text).casefold()
    return re.sub(r"[\s.,;:!?\-–—\"'”’“()/]+", " ", text).strip()


def note_vectors(keys: list[str]) -> sp.csr_matrix:
    """TF-IDF of the character n-grams (3-5, inside words, as scikit-learn's `char_wb`) of
    normalised notes, one row per key, idf over the distinct keys. N-grams are counted once
    per distinct word and summed per note: words repeat, so this is several times faster
    than n-gramming every note."""
    if not keys:
        return sp.csr_matrix((0, 0))
    words = [key.split() or ["-"] for key in keys]
    types = {w: i for i, w in enumerate(sorted({w for row in words for w in row}))}
    grams = CountVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit_transform(list(types))
    cols = [types[w] for row in words for w in row]
    indptr = np.cumsum([0, *map(len, words)])
    per_note = sp.csr_matrix((np.ones(len(cols)), cols, indptr), shape=(len(keys), len(types)))
    counts = (per_note @ grams).tocsr()
    distinct = sorted(set(keys))
    first = {key: i for i, key in reversed(list(enumerate(keys)))}
    idf = TfidfTransformer().fit(counts[[first[k] for k in distinct]])
    return idf.transform(counts)


def alike(vectors: sp.csr_matrix, threshold: float, ids: list[int] | None = None,
          decided: dict[tuple[int, int], bool] | None = None) -> sp.csr_matrix:
    """The "alike" graph of notes: equal after `normalise` (equal vectors, cosine 1), or
    near-duplicates by the cosine of their character n-grams, weighted by how rare each is
    among the question's notes, so "över 65" added to a common phrase still makes a
    different note; then the author's decisions on pairs of units `ids` (merged: an edge,
    kept apart: none)."""
    sims = (vectors @ vectors.T).tocsr()
    sims.data = (sims.data >= threshold - 1e-9).astype(np.int8)
    if decided and ids is not None:
        where = {unit: i for i, unit in enumerate(ids)}
        sims = sims.tolil()
        for (a, b), merged in decided.items():
            if a in where and b in where:
                i, j = where[a], where[b]
                sims[i, j] = sims[j, i] = 1 if merged else 0
        sims = sims.tocsr()
    sims.eliminate_zeros()   # a stored zero would still count as an edge
    return sims


def note_clusters(vectors: sp.csr_matrix, threshold: float, ids: list[int] | None = None,
              decided: dict[tuple[int, int], bool] | None = None) -> np.ndarray:
    """Cluster label per note: the connected components of the `alike` graph, except that
    two notes the author kept apart never share one (`_kept_apart`)."""
    if vectors.shape[0] < 2:
        return np.zeros(vectors.shape[0], dtype=int)
    graph = alike(vectors, threshold, ids, decided)
    where = {unit: i for i, unit in enumerate(ids or [])}
    apart = {(where[a], where[b]) for (a, b), merged in (decided or {}).items()
             if not merged and a in where and b in where}
    if not apart:
        return connected_components(graph, directed=False)[1]
    merged_pairs = {(where[a], where[b]) for (a, b), merged in (decided or {}).items()
                    if merged and a in where and b in where}
    return _kept_apart(graph, vectors, apart, merged_pairs)


def _kept_apart(graph: sp.csr_matrix, vectors: sp.csr_matrix, apart: set[tuple[int, int]],
                merged: set[tuple[int, int]]) -> np.ndarray:
    """Components built edge by edge, the author's merges first, then the most alike
    wording, never joining two groups that hold a pair kept apart: a refusal holds even
    where other notes' wording would link the two (A like C, C like B, A apart from B)."""
    sims = (vectors @ vectors.T).tocsr()
    upper = sp.triu(graph, k=1).tocoo()
    edges = sorted(((2.0 if (i, j) in merged or (j, i) in merged else float(sims[i, j]),
                     int(i), int(j)) for i, j in zip(upper.row, upper.col, strict=True)),
                   key=lambda e: (-e[0], e[1], e[2]))
    cannot = apart | {(j, i) for i, j in apart}
    n = graph.shape[0]
    parent = list(range(n))
    members = {i: {i} for i in range(n)}

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for _, i, j in edges:
        a, b = root(i), root(j)
        if a == b or any((x, y) in cannot for x in members[a] for y in members[b]):
            continue
        parent[b] = a
        members[a] |= members.pop(b)
    return np.array([root(i) for i in range(n)])


def theme_groups(theme_order: list[int]) -> list[list[int]]:
    """Positions of a question's notes per theme row of bilaga 2 (notes in theme, then
    note order), in theme order."""
    groups: dict[int, list[int]] = {}
    for i, order in enumerate(theme_order):
        groups.setdefault(order, []).append(i)
    return [groups[order] for order in sorted(groups)]


def bilaga2_columns(frame: pd.DataFrame) -> list[str]:
    """The printed columns of a bilaga 2 table: Huvudtema, Subtema, Inlägg and the
    study's columns it was built with (not the bookkeeping columns)."""
    return [c for c in frame.columns if c not in ("antal", "segment_ids")]


def dimension_columns(dim: Dimension, present: list) -> dict[str | None, str]:
    """The columns a table has for a dimension: key -> label, in the project's order; only
    values that occur unless the project shows every column; a key the project does not
    know (left by an old import) by itself; a column for units without a value last, where
    there are any, so that every unit is in a column."""
    found = {v for v in present if isinstance(v, str) and v}
    keys = dim.key_list() if dim.all_columns else [k for k in dim.key_list() if k in found]
    keys += sorted(found - set(dim.key_list()))
    columns: dict[str | None, str] = {k: dim.label(k) for k in keys}
    if any(not (isinstance(v, str) and v) for v in present):
        columns[None] = UNKNOWN_SV[dim.name]
    return columns


def _check_by(by: str) -> None:
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}")


def bilaga2(session: Session, layer: Layer, threshold: float = NEAR_DUPLICATE,
            by: str = "area", decided: bool = True) -> dict[int, pd.DataFrame]:
    """Per question: Huvudtema | Subtema | Inlägg | one column per area of the project
    ("x" marks; or per participant group or format, `by`), in codebook order; notes
    saying the same within a sub-theme merged into one row ("; "), and notes the authors
    merged or kept apart (`coding.note_merges`) as they decided unless not `decided`.
    Extra columns `antal` (notes merged, counting duplicate marks) and `segment_ids`."""
    _check_by(by)
    units = themed_units(session, layer)
    notes = units[(units.kind == "note") & units.question.notna()] if len(units) else units
    columns = dimension_columns(load_study(session)[by], notes[by].tolist() if len(notes)
                                else [])
    out: dict[int, pd.DataFrame] = {}
    for question, part in notes.groupby("question", sort=True):
        texts = [str(t).strip() for t in part.text]
        keys = [normalise(t) or "-" for t in texts]
        vectors = note_vectors(keys)
        main, sub = part.Huvudtema.tolist(), part.Subtema.tolist()
        area = [v if isinstance(v, str) and v else None for v in part[by]]
        counts = part.duplicate_count.fillna(1).astype(int).tolist()
        ids = [int(i) for i in part.segment_id]
        pairs = note_merges.decisions(session, ids) if decided else {}
        rows = []
        for members in theme_groups(part.theme_order.tolist()):
            labels = note_clusters(vectors[members], threshold, [ids[i] for i in members], pairs)
            clusters: dict[int, list[int]] = {}
            for i, label in zip(members, labels, strict=True):
                clusters.setdefault(label, []).append(i)
            for cluster in clusters.values():   # in order of each cluster's first note
                shown = list(dict.fromkeys(keys[i] for i in cluster))
                text_of: dict[str, str] = {}
                for i in cluster:
                    text_of.setdefault(keys[i], texts[i])
                marked = {area[i] for i in cluster}
                rows.append({"Huvudtema": main[cluster[0]], "Subtema": sub[cluster[0]],
                             "Inlägg": "; ".join(text_of[k] for k in shown),
                             **{name: "x" if key in marked else ""
                                for key, name in columns.items()},
                             "antal": sum(counts[i] for i in cluster),
                             "segment_ids": [ids[i] for i in cluster]})
        out[int(question)] = pd.DataFrame(rows, columns=[*BILAGA2_HEAD, *columns.values(),
                                                         "antal", "segment_ids"])
    return out


UNKNOWN = {"question": "Ingen fråga", **UNKNOWN_SV}


def theme_counts(session: Session, layer: Layer, by: str = "area",
                 shares: bool = False) -> pd.DataFrame:
    """Coded units per theme (a main-theme row, then its sub-themes) across areas,
    participant groups, formats, questions or source kinds, with the total and its share
    of all coded units. `shares`: each cell as a share of its column's coded units (what
    "many of the notes from Lerum" rests on), not a count."""
    if by not in (*BY, "question", "kind"):
        raise ValueError(f"by must be one of {', '.join((*BY, 'question', 'kind'))}")
    units = themed_units(session, layer)
    if units.empty:
        return pd.DataFrame(columns=["Huvudtema", "Subtema", "Totalt", "Andel"])
    units["kind_label"] = units.kind.map(KIND_LABELS).fillna(units.kind)
    field = "kind_label" if by == "kind" else by
    unknown = None
    if by in BY:
        units[field] = [v if isinstance(v, str) and v else None for v in units[field]]
        labels = dimension_columns(load_study(session)[by], units[field].tolist())
        # units without a value get their own column, so that the columns add up
        unknown = labels.pop(None, None)
    else:
        values = sorted(units[field].dropna().unique())
        labels = {v: (f"Fråga {int(v)}" if by == "question" else str(v)) for v in values}
        # units without a question (a transcript given none) get their own column
        unknown = UNKNOWN.get(by) if units[field].isna().any() else None
    total_units = units.segment_id.nunique()
    base = {label: units.loc[units[field] == key, "segment_id"].nunique()
            for key, label in labels.items()}
    if unknown:
        base[unknown] = units.loc[units[field].isna(), "segment_id"].nunique()
    rows = []
    for main, group in units.groupby("Huvudtema", sort=False):
        for sub, part in [("", group), *group.groupby("Subtema", sort=False)]:
            if sub == "" and part is not group:
                continue
            counts = {label: part.loc[part[field] == key, "segment_id"].nunique()
                      for key, label in labels.items()}
            if unknown:
                counts[unknown] = part.loc[part[field].isna(), "segment_id"].nunique()
            if shares:
                counts = {label: round(n / base[label], 4) if base[label] else None
                          for label, n in counts.items()}
            n = part.segment_id.nunique()
            rows.append({"Huvudtema": main, "Subtema": sub, **counts, "Totalt": n,
                         "Andel": round(n / total_units, 4)})
    return pd.DataFrame(rows, columns=["Huvudtema", "Subtema", *labels.values(),
                                       *([unknown] if unknown else []), "Totalt", "Andel"])


def report_units(session: Session, layer: Layer) -> pd.DataFrame:
    """For notebooks: one row per coded unit and theme, in the report's words: the area,
    participant group and format by their labels (and the area's long name, as quotes
    attribute it), the question as an integer (empty for a transcript's turns), the kind
    as the tables name it. `themed_units` is the same with the store's keys."""
    units = themed_units(session, layer)
    study = load_study(session)
    columns = ["segment_id", "Huvudtema", "Subtema", "Text", "Typ", "Fråga", "Område",
               "Område (långt namn)", "Grupp", "Format", "Citat", "Antal", "Memo"]
    if units.empty:
        return pd.DataFrame(columns=columns)

    def named(dim: Dimension, keys: pd.Series) -> list[str | None]:
        return [dim.label(k) if isinstance(k, str) and k else None for k in keys]

    return pd.DataFrame({
        "segment_id": units.segment_id, "Huvudtema": units.Huvudtema,
        "Subtema": units.Subtema, "Text": units.text,
        "Typ": units.kind.map(KIND_LABELS).fillna(units.kind),
        "Fråga": pd.array([None if pd.isna(q) else int(q) for q in units.question],
                          dtype="Int64"),
        "Område": named(study.areas, units.area),
        "Område (långt namn)": [study.areas.long_name(a) if isinstance(a, str) and a
                                else None for a in units.area],
        "Grupp": named(study.groups, units.group), "Format": named(study.formats, units.format),
        "Citat": units.is_quote.astype(bool), "Antal": units.duplicate_count.fillna(1)
        .astype(int), "Memo": units.memo}, columns=columns).reset_index(drop=True)


def attribution(area: str | None, study: Study) -> str:
    """How a quote is attributed: never a name, only the participant's area (its long
    name, "Deltagare Göteborgsregionen")."""
    return study.attribution(area)


def quotes(session: Session, layer: Layer) -> pd.DataFrame:
    """Every unit the layer marked as a quote (citat), by theme, attributed by area."""
    study = load_study(session)
    units = themed_units(session, layer)
    cols = ["Huvudtema", "Subtema", "Citat", "Källa", "Fråga", "Typ", "segment_id"]
    if units.empty:
        return pd.DataFrame(columns=cols)
    quoted = set(units.loc[units.is_quote.astype(bool), "segment_id"])
    chosen = units[units.segment_id.isin(quoted)]
    shortened = quote_texts.printed(session, sorted(int(i) for i in quoted))
    return pd.DataFrame({
        "Huvudtema": chosen.Huvudtema, "Subtema": chosen.Subtema,
        "Citat": [shortened.get(int(i), t.strip()) for i, t in
                  zip(chosen.segment_id, chosen.text, strict=True)],
        "Källa": [attribution(a if isinstance(a, str) else None, study) for a in chosen.area],
        "Fråga": chosen.question.map(lambda q: "" if pd.isna(q) else int(q)),
        "Typ": chosen.kind.map(KIND_LABELS).fillna(chosen.kind),
        "segment_id": chosen.segment_id}, columns=cols).reset_index(drop=True)


TABELL1_CAPTION = "Tabell 1. Deltagare per område, workshop och deltagargrupp."


def tabell1(session: Session) -> pd.DataFrame:
    """Participants per workshop by participant group, with totals (Tabell 1): one row per
    workshop, as the report prints it (two digital workshops of one area are two rows, so
    a politicians-only workshop keeps its own), areas by their long names, in the
    project's order of areas and formats. The data form: every row names its area and a
    group with no participants counts 0 (`tabell1_printed` is the page's form)."""
    study = load_study(session)
    workshops = session.scalars(select(Workshop)).all()
    counts = workshop_counts(session)
    groups = dimension_columns(study.groups, [k for c in counts.values() for k, n in c.items()
                                              if n])
    groups.pop(None, None)
    labels = list(groups.values())
    areas, formats = study.areas.key_list(), study.formats.key_list()

    def rank(keys: list[str], key: str | None) -> int:
        return keys.index(key) if key in keys else len(keys)

    ordered = sorted(workshops, key=lambda w: (rank(areas, w.area), rank(formats, w.format),
                                               w.date or dt.date.max, w.label))
    shared = Counter((w.area, w.format) for w in ordered)
    rows = []
    for ws in ordered:
        mine = counts.get(ws.id, {})
        kind = study.formats.label(ws.format) if ws.format else ""
        if not kind or shared[(ws.area, ws.format)] > 1:   # which of the area's workshops
            kind = f"{kind} ({ws.label})" if kind else ws.label
        rows.append({"Område": study.areas.long_name(ws.area) or ws.area, "Workshop": kind,
                     **{label: mine.get(key, 0) for key, label in groups.items()
                        if key is not None}})      # None was popped above
    frame = pd.DataFrame(rows, columns=["Område", "Workshop", *labels])
    if frame.empty:
        return frame.assign(Totalt=[])
    frame["Totalt"] = frame[labels].sum(axis=1)
    total = {"Område": "Totalt", "Workshop": "", **frame[[*labels, "Totalt"]].sum().to_dict()}
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)


def tabell1_printed(frame: pd.DataFrame) -> pd.DataFrame:
    """Tabell 1 as the page shows it: each area named once, on the first of its rows, and
    a group with no participants left blank (the report prints no zeros)."""
    shown = frame.astype(object)
    repeat = shown["Område"].eq(shown["Område"].shift()) & shown["Område"].ne("Totalt")
    shown.loc[repeat, "Område"] = ""
    counts = [c for c in shown.columns if c not in ("Område", "Workshop")]
    shown[counts] = shown[counts].map(lambda n: "" if n == 0 else int(n))
    return shown


def tabell1_comment(frame: pd.DataFrame) -> str:
    """The line under Tabell 1: how many workshops, and what a blank cell means."""
    workshops = len(frame) - 1 if len(frame) else 0
    text = (f"Kommentar: {workshops} {'workshop' if workshops == 1 else 'workshoppar'}. "
            "En tom cell: ingen deltagare ur gruppen.")
    empty = frame.iloc[:-1]
    empty = empty[empty["Totalt"] == 0] if len(frame) else empty
    if len(empty):
        names = ", ".join(f"{a} {w}".strip() for a, w in zip(empty["Område"], empty["Workshop"],
                                                                 strict=True))
        text += f" Utan registrerade deltagare: {names}."
    return text
