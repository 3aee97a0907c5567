"""`qda eval`: how well the suggestion engine places held-out notes, per level and signal.

TRAIN rows become examples exactly as accepted codings in a project would (the sub-theme,
which implies its main theme); TEST rows are scored. A test row whose sub-theme is not in
the codebook is answered correctly only by "passar ingen befintlig kod".
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from corpus.errors import InputError
from corpus.tabular import read_table

from .codebook import Codebook, CodebookDoc, read_codebook
from .suggest.embed import Embedder
from .suggest.engine import MEANING_LEVELS, NO_FIT, STRONG, Engine, Example, no_fit_score

LEVELS = {"huvudtema": 0, "subtema": 1}
CURVE_SIZES = (10, 25, 50, 100)
CURVE_ORDERS = 5
SIGNALS = ("blended", "lexical", "statistical")


def read_labelled(path: Path | str) -> pd.DataFrame:
    """A table (.tsv, .csv from any Excel, .xlsx; read as every table the tool accepts)
    with at least text and huvudtema columns, and subtema where the coding has them (a
    table of main themes only is scored at that level)."""
    path = Path(path)
    frame = read_table(path)
    missing = [c for c in ("text", "huvudtema") if c not in frame.columns]
    if missing:
        raise InputError(f"missing column(s): {', '.join(missing)}", path, "E312")
    if "subtema" not in frame.columns:
        frame = frame.assign(subtema="")
    frame = frame.assign(text=frame["text"].str.strip(), huvudtema=frame["huvudtema"].str.strip(),
                         subtema=frame["subtema"].str.strip())
    frame = frame[(frame["text"] != "") & (frame["huvudtema"] != "")].reset_index(drop=True)
    if frame.empty:
        raise InputError("no rows with both text and huvudtema", path, "E312")
    return frame


def _paths(frame: pd.DataFrame) -> list[tuple[str, ...]]:
    return [(h, s) if s else (h,) for h, s in zip(frame["huvudtema"], frame["subtema"],
                                                   strict=True)]


PRIOR = "fardplan"          # concepts known before any note is coded
DEFAULT_NAME = "fardplan + TRAIN"


def default_codebook() -> CodebookDoc:
    """What a new study starts from: the bundled färdplan concepts. `prepare` adds the
    training rows' themes with their notes as examples, so the test rows never shape the
    codebook they are scored with (a bundled codebook written from the same material
    would: give it with --codebook to see how much that flatters)."""
    doc = read_codebook(PRIOR)
    return CodebookDoc(DEFAULT_NAME, doc.codes, doc.title, doc.description)


def prepare(doc: CodebookDoc, train: pd.DataFrame) -> tuple[Codebook, list[Example], list[str]]:
    """The codebook with TRAIN's missing labels added as emergent codes, and the examples."""
    codebook = Codebook.from_doc(doc)
    added = []
    examples = []
    for text, path in zip(train["text"], _paths(train), strict=True):
        if codebook.find(path) is None:
            added.append(" > ".join(path))
        examples.append(Example(text, {codebook.add(path).id}))
    return codebook, examples, sorted(set(added))


def _gold(codebook: Codebook, frame: pd.DataFrame, level: int) -> list[object | None]:
    out: list[object | None] = []
    for h, s in zip(frame["huvudtema"], frame["subtema"], strict=True):
        path = (h,) if level == 0 else ((h, s) if s else None)
        if path is None:
            out.append(None)
            continue
        code = codebook.find(path)
        out.append(code.id if code is not None else NO_FIT)
    return out


def _metrics(ranked: list[list[object]], gold: list[object | None]) -> dict:
    pairs = [(r, g) for r, g in zip(ranked, gold, strict=True) if g is not None]
    if not pairs:
        return {"top1": None, "top3": None, "macro_f1": None, "n": 0}
    top1 = float(np.mean([r[:1] == [g] for r, g in pairs]))
    top3 = float(np.mean([g in r[:3] for r, g in pairs]))
    truth = [str(g) for _, g in pairs]
    pred = [str(r[0]) if r else "" for r, _ in pairs]
    f1 = f1_score(truth, pred, labels=sorted(set(truth)), average="macro", zero_division=0)
    return {"top1": round(top1, 4), "top3": round(top3, 4), "macro_f1": round(float(f1), 4),
            "n": len(pairs)}


def rankings(engine: Engine, texts: Sequence[str], level: int) -> dict[str, list[list[object]]]:
    """Per signal, each text's candidates at `level` best first, with the no-fit option."""
    matrices, ids = engine.signal_matrices(texts)
    codes = engine.codebook.codes
    cols = [k for k, code_id in enumerate(ids) if codes[code_id].depth == level]
    out: dict[str, list[list[object]]] = {}
    in_use = engine.in_use(level)
    for signal, matrix in matrices.items():
        full = engine.propagate(matrix)
        sub = full[:, cols]
        # the engine's order for the blend: codes in use first (Engine.demoted)
        later = engine.demoted(full)[:, cols] if signal == "blended" else np.zeros(sub.shape, bool)
        best = sub.max(axis=1) if sub.shape[1] else np.zeros(len(texts))
        no_fit = [no_fit_score(float(b), level) for b in best]
        rows: list[list[object]] = []
        for r in range(len(texts)):
            items: list[tuple[bool, float, int | str]] = [
                (bool(later[r, j]), float(sub[r, j]), ids[cols[j]]) for j in range(len(cols))]
            if signal == "blended":  # the signals alone rank existing codes only
                items.append((in_use and level == 0 and no_fit[r] < STRONG, float(no_fit[r]),
                              NO_FIT))
            items.sort(key=lambda t: (t[0], -t[1]))
            rows.append([code_id for _, _, code_id in items])
        out[signal] = rows
    return out


def evaluate(train: pd.DataFrame, test: pd.DataFrame, doc: CodebookDoc | None = None,
             levels: Sequence[str] = ("huvudtema", "subtema"), curve: bool = True,
             seed: int = 0, embedder: Embedder | None = None) -> dict:
    """All figures `qda eval` prints, as one dict. With an `embedder` the engine has the
    meaning signal too, and the signal alone is scored as "meaning"."""
    doc = doc or default_codebook()
    codebook, examples, added = prepare(doc, train)
    corpus = [*train["text"], *test["text"]]
    engine = Engine(codebook, corpus=corpus, seed=seed, embedder=embedder).fit(examples)
    result: dict = {"codebook": doc.name, "emergent_codes_added": added,
                    "n_train": len(train), "n_test": len(test), "levels": {},
                    "embedding": embedder is not None}
    for name in levels:
        level = LEVELS[name]
        gold = _gold(codebook, test, level)
        ranked = rankings(engine, list(test["text"]), level)
        # the meaning signal alone, at the levels it is used for
        entry: dict[str, Any] = {
            signal: _metrics(ranked[signal], gold) for signal in (*SIGNALS, "meaning")
            if signal in ranked and (signal != "meaning" or level in MEANING_LEVELS)}
        entry["unknown_in_test"] = sum(g == NO_FIT for g in gold)
        result["levels"][name] = entry
    if curve:
        result["learning_curve"] = learning_curve(doc, train, test, levels, seed, embedder)
    return result


def learning_curve(doc: CodebookDoc, train: pd.DataFrame, test: pd.DataFrame,
                   levels: Sequence[str], seed: int = 0,
                   embedder: Embedder | None = None) -> list[dict]:
    """Top-1 accuracy on TEST after the first n TRAIN rows, averaged over random orders."""
    sizes = [n for n in CURVE_SIZES if n < len(train)] + [len(train)]
    points = []
    for n in sizes:
        scores: dict[str, list[float]] = {name: [] for name in levels}
        for order in range(CURVE_ORDERS):
            rows = list(range(len(train)))
            random.Random(seed * 1000 + order).shuffle(rows)
            part = train.iloc[sorted(rows[:n])].reset_index(drop=True)
            codebook, examples, _ = prepare(doc, part)
            engine = Engine(codebook, corpus=[*train["text"], *test["text"]], seed=seed,
                            embedder=embedder)
            engine.fit(examples)
            for name in levels:
                gold = _gold(codebook, test, LEVELS[name])
                ranked = rankings(engine, list(test["text"]), LEVELS[name])["blended"]
                top1 = _metrics(ranked, gold)["top1"]
                if top1 is not None:
                    scores[name].append(top1)
            if n == len(train):
                break  # every order gives the same full set
        points.append({"n_train": n, **{name: round(float(np.mean(v)), 4) if v else None
                                        for name, v in scores.items()}})
    return points
