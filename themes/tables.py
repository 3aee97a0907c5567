"""The report's tables as DataFrames, each a function of a session and a coding layer:
bilaga 2, theme counts, quotes and Tabell 1. Writers (xlsx, docx, csv, md) only format."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sqlalchemy import select
from sqlalchemy.orm import Session

from coding.codes import ordered_paths
from corpus.dimensions import UNKNOWN_SV, Dimension, Study
from corpus.models import Workshop
from corpus.study import load as load_study
from corpus.study import workshop_counts

from .exports import NEAR_DUPLICATE  # noqa: F401 (the default of bilaga2)
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
    """What must match for two notes to be the same note: case, spacing, punctuation at
    the ends and Unicode forms aside."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = re.sub(r"\s+", " ", text).strip()
    return text.strip(" .,;:!?-–—\"'”’")


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


def _clusters(vectors: sp.csr_matrix, threshold: float) -> np.ndarray:
    """Cluster label per note: equal after `normalise` (equal vectors, cosine 1), or
    near-duplicates by the cosine of their character n-grams, weighted by how rare each is
    among the question's notes, so "över 65" added to a common phrase still makes a
    different note. Clusters are the connected components of the "alike" graph."""
    if vectors.shape[0] < 2:
        return np.zeros(vectors.shape[0], dtype=int)
    sims = (vectors @ vectors.T).tocsr()
    sims.data = (sims.data >= threshold - 1e-9).astype(np.int8)
    sims.eliminate_zeros()   # a stored zero would still count as an edge
    return connected_components(sims, directed=False)[1]


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
            by: str = "area") -> dict[int, pd.DataFrame]:
    """Per question: Huvudtema | Subtema | Inlägg | one column per area of the project
    ("x" marks; or per participant group or format, `by`), in codebook order; notes
    saying the same within a sub-theme merged into one row ("; "). Extra columns `antal`
    (notes merged, counting duplicate marks) and `segment_ids`."""
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
        ids = part.segment_id.tolist()
        groups: dict[int, list[int]] = {}
        for i, order in enumerate(part.theme_order):   # part is in theme, then note order
            groups.setdefault(order, []).append(i)
        rows = []
        for order in sorted(groups):
            members = groups[order]
            labels = _clusters(vectors[members], threshold)
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


def theme_counts(session: Session, layer: Layer, by: str = "area") -> pd.DataFrame:
    """Coded units per theme (a main-theme row, then its sub-themes) across areas,
    participant groups, formats, questions or source kinds, with the total and its share
    of all coded units."""
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
    rows = []
    for main, group in units.groupby("Huvudtema", sort=False):
        for sub, part in [("", group), *group.groupby("Subtema", sort=False)]:
            if sub == "" and part is not group:
                continue
            counts = {label: part.loc[part[field] == key, "segment_id"].nunique()
                      for key, label in labels.items()}
            if unknown:
                counts[unknown] = part.loc[part[field].isna(), "segment_id"].nunique()
            n = part.segment_id.nunique()
            rows.append({"Huvudtema": main, "Subtema": sub, **counts, "Totalt": n,
                         "Andel": round(n / total_units, 4)})
    return pd.DataFrame(rows, columns=["Huvudtema", "Subtema", *labels.values(),
                                       *([unknown] if unknown else []), "Totalt", "Andel"])


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
    return pd.DataFrame({
        "Huvudtema": chosen.Huvudtema, "Subtema": chosen.Subtema,
        "Citat": chosen.text.str.strip(),
        "Källa": [attribution(a if isinstance(a, str) else None, study) for a in chosen.area],
        "Fråga": chosen.question.map(lambda q: "" if pd.isna(q) else int(q)),
        "Typ": chosen.kind.map(KIND_LABELS).fillna(chosen.kind),
        "segment_id": chosen.segment_id}, columns=cols).reset_index(drop=True)


def tabell1(session: Session) -> pd.DataFrame:
    """Participants per area and workshop format by participant group, with totals
    (Tabell 1): the project's areas, formats and groups, in its order."""
    study = load_study(session)
    workshops = session.scalars(select(Workshop)).all()
    counts = workshop_counts(session)
    groups = dimension_columns(study.groups, [k for c in counts.values() for k, n in c.items()
                                              if n])
    groups.pop(None, None)
    labels = list(groups.values())
    order = study.areas.key_list()
    rows = []
    for ws in sorted(workshops, key=lambda w: (order.index(w.area) if w.area in order
                                               else len(order), w.format or "", w.label)):
        mine = counts.get(ws.id, {})
        rows.append({"Område": study.areas.label(ws.area),
                     "Workshop": study.formats.label(ws.format) if ws.format else "",
                     **{label: mine.get(key, 0) for key, label in groups.items()
                        if key is not None}})      # None was popped above
    frame = pd.DataFrame(rows, columns=["Område", "Workshop", *labels])
    if frame.empty:
        return frame.assign(Totalt=[])
    frame = frame.groupby(["Område", "Workshop"], sort=False, as_index=False).sum()
    frame["Totalt"] = frame[labels].sum(axis=1)
    total = {"Område": "Totalt", "Workshop": "", **frame[[*labels, "Totalt"]].sum().to_dict()}
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
