"""A coding session, simulated: what a coder experiences on new material.

The test rows are replayed in a shuffled order (one per seed). Before each row the engine
suggests from the training rows plus the test rows already decided; it is refitted after
every `every` decisions, as the app's background retrainer does, and at once when the
coder has had to create a code, which then exists for later rows. Per row and level the
outcome is where the right code stood: first, in the top three, among the suggestions
shown, or only in the picker (or nowhere: a new code). For a sub-theme the codebook
lacks, a *passar ingen befintlig kod* flag in that place counts as right.

Keystrokes follow the app: the unit's code among the suggestions it shows (the engine's
KEEP best as `qda suggest` stores them, sub-themes before the main themes they imply) is
one key, its number; otherwise the fewer of two ways: the letter of the code's theme
among the shown suggestions' themes and the code's number in that theme's list (two keys,
`unit_view.sub_theme_lists`, `THEME_KEYS`); or the picker: "k", letters of the code's name and "↓"
down the filtered list to it, the fewest such keys (the picker lists the coder's most
recently used codes first, and "↓" opens it without letters), Enter. A new code: "k", Tab
to the new-code field, the whole path as "Huvudtema > Subtema", Enter.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
import pandas as pd

from . import unit_view
from .background import EVERY
from .codebook import Codebook, CodebookDoc
from .evaluate import LEVELS, _paths, default_codebook, prepare, rankings
from .suggest.embed import Embedder
from .suggest.engine import NO_FIT, Engine, Example
from .suggestions import KEEP, ranked

PARTS = 5     # the session curve: first 20 %, …, last 20 %


def picker_keys(codebook: Codebook, code_id: int, recent: Sequence[int] = ()) -> int:
    """'k', letters of the code's name, '↓' down the filtered list to the code, and Enter:
    the fewest such keys. The picker lists the coder's most recently used codes first
    (`recent`, most recent first, as `unit_view.recent_codes`), then the codebook's order,
    and filters by substring; without letters '↓' opens the list on its first code. A main
    theme's name is in each of its sub-themes' labels, so letters alone may never put it
    first: the arrows reach it."""
    order = unit_view.picker_order(codebook, list(recent)[:unit_view.RECENT])
    labels = [(i, " > ".join(codebook.codes[i].path).casefold()) for i in order]
    name = codebook.codes[code_id].name.casefold()
    best = len(labels) + 2
    for n in range(len(name) + 1):
        listed = [i for i, label in labels if name[:n] in label]
        best = min(best, max(n, 1) + listed.index(code_id) + 2)
        if listed[0] == code_id:
            break     # more letters cannot do better
    return best


def sub_theme_keys(codebook: Codebook, shown: list[int], code_id: int) -> int:
    """A theme's letter and the code's number in its list (`unit_view.sub_theme_lists`,
    the themes of the shown suggestions, one letter of `THEME_KEYS` each): 2; a large
    number when no such list holds the code."""
    themes = unit_view.sub_theme_lists(shown, codebook, KEEP)[:len(unit_view.THEME_KEYS)]
    return 2 if any(code_id in choices for _, choices in themes) else 10**6


def simulate(train: pd.DataFrame, test: pd.DataFrame, doc: CodebookDoc | None = None,
             seeds: Sequence[int] = (0, 1, 2), every: int = EVERY,
             embedder: Embedder | None = None) -> dict:
    """Figures of one simulated session per seed, averaged: per level the share of rows
    whose right code was suggestion 1, within the top 3, shown at all, only in the picker,
    or new; keystrokes per row; and top-1 over the session in fifths."""
    doc = doc or default_codebook()
    runs = [_session(train, test, doc, seed, every, embedder) for seed in seeds]
    levels = {}
    for name in LEVELS:
        rows = [r for run in runs for r in run if r[name] is not None]
        if not rows:
            continue
        ranks = np.array([r[name] for r in rows], dtype=float)   # 0: absent
        levels[name] = {
            "top1": round(float(np.mean(ranks == 1)), 4),
            "top3": round(float(np.mean((ranks >= 1) & (ranks <= 3))), 4),
            "shown": round(float(np.mean((ranks >= 1) & (ranks <= KEEP))), 4),
            "picker": round(float(np.mean([r[f"{name}_new"] is False and not
                                           1 <= r[name] <= KEEP for r in rows])), 4),
            "new_code": round(float(np.mean([r[f"{name}_new"] for r in rows])), 4),
            "n": len(rows) // len(runs)}
    curve = []
    for part in range(PARTS):
        point: dict = {"part": f"{part * 100 // PARTS}–{(part + 1) * 100 // PARTS} %"}
        for name in levels:
            hits = [r[name] == 1 for run in runs
                    for r in run[len(run) * part // PARTS:len(run) * (part + 1) // PARTS]
                    if r[name] is not None]
            point[name] = round(float(np.mean(hits)), 4) if hits else None
        curve.append(point)
    return {"codebook": doc.name, "n_train": len(train), "n_test": len(test),
            "seeds": list(seeds), "every": every, "levels": levels,
            "embedding": embedder is not None,
            "keystrokes": round(float(np.mean([r["keys"] for run in runs for r in run])), 3),
            **keystroke_split([r for run in runs for r in run]), "curve": curve}


def keystroke_split(rows: Sequence[dict]) -> dict:
    """Keystrokes per row apart for rows whose code existed when the coder reached them
    and rows that needed a new code, and the share of each: the mean alone mixes how good
    the suggestions are with how much typing new names takes."""
    out = {}
    for name, new in (("existing", False), ("new", True)):
        part = [r["keys"] for r in rows if r["created"] is new]
        out[f"keystrokes_{name}"] = round(float(np.mean(part)), 3) if part else None
        out[f"share_{name}"] = round(len(part) / len(rows), 4) if rows else None
    # of the rows whose code existed, the share coded with one key (a numbered suggestion)
    existing = [r["keys"] for r in rows if not r["created"]]
    out["one_key_existing"] = round(float(np.mean([k == 1 for k in existing])), 4) \
        if existing else None
    return out


def _session(train: pd.DataFrame, test: pd.DataFrame, doc: CodebookDoc, seed: int,
             every: int, embedder: Embedder | None = None) -> list[dict]:
    codebook, examples, _ = prepare(doc, train)
    corpus = [*train["text"], *test["text"]]
    order = list(range(len(test)))
    random.Random(seed).shuffle(order)
    decided: list[Example] = []
    recent: list[int] = []      # the coder's codes, most recently used first
    engine = Engine(codebook, corpus=corpus, seed=seed, embedder=embedder).fit(examples)
    since = 0
    out = []
    for i in order:
        text = test["text"].iloc[i]
        path = _paths(test.iloc[[i]])[0]
        row: dict = {}
        by_level = {name: rankings(engine, [text], level)["blended"][0]
                    for name, level in LEVELS.items()}
        created = False
        for name, level in LEVELS.items():
            if len(path) <= level:
                row[name], row[f"{name}_new"] = None, None
                continue
            gold = codebook.find(path[:level + 1])
            if gold is None:        # the flag's place among the candidates
                row[name] = by_level[name].index(NO_FIT) + 1 if NO_FIT in by_level[name] else 0
            else:                   # the code's place among the numbered suggestions
                codes = [c for c in by_level[name] if c != NO_FIT]
                row[name] = codes.index(gold.id) + 1 if gold.id in codes else 0
            row[f"{name}_new"] = gold is None
        # what the coder does: a shown suggestion, the picker, or a new code
        gold = codebook.find(path)
        if gold is None:        # "k", Tab, the whole path, Enter
            row["keys"] = 3 + len(" > ".join(path))
            gold = codebook.add(path)
            created = True
        else:                   # what the app shows: the stored suggestions
            shown = ranked(engine, [text], explain=False)[0]
            shown_ids = [s.code_id for s in shown.suggestions]
            if gold.id in shown_ids:
                row["keys"] = 1
            else:
                row["keys"] = min(picker_keys(codebook, gold.id, recent),
                                  sub_theme_keys(codebook, shown_ids, gold.id))
        row["created"] = created
        out.append(row)
        recent = [gold.id, *(c for c in recent if c != gold.id)]
        decided.append(Example(text, {gold.id}))
        since += 1
        if created or since >= every:
            engine = Engine(codebook, corpus=corpus, seed=seed, embedder=embedder).fit(
                [*examples, *decided])
            since = 0
    return out
