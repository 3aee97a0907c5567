"""Suggestion quality on the shared development data, through `qda eval` itself.

Runs: train on fråga 1 / test on fråga 2, the reverse, and grouped 5-fold cross-validation
over both questions (a group is one sub-theme of one question, so the notes of a cluster
are never split between train and test). Writes the figures into BENCHMARKS.md.

    .venv/bin/python benchmarks/suggest_quality.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from report import ROOT, write_section
from sklearn.model_selection import GroupKFold

# the shared development data beside the repository, or where QDA_DEV_DATA says
DATA = Path(os.environ.get("QDA_DEV_DATA", ROOT.parent / "shared" / "data")) / "postits_dev.tsv"
QDA = [sys.executable, "-m", "qda"]


def run_eval(train: pd.DataFrame, test: pd.DataFrame, folder: Path, curve: bool,
             codebook: str | None = None) -> dict:
    train.to_csv(folder / "train.tsv", sep="\t", index=False)
    test.to_csv(folder / "test.tsv", sep="\t", index=False)
    cmd = [*QDA, "eval", "--train", str(folder / "train.tsv"), "--test",
           str(folder / "test.tsv"), "--json", "--no-embed"] + ([] if curve else ["--no-curve"]) + (
        ["--codebook", codebook] if codebook else [])
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout)


def rows(name: str, result: dict) -> list[str]:
    out = []
    for level, entry in result["levels"].items():
        for signal in ("blended", "lexical", "statistical"):
            m = entry[signal]
            out.append(f"| {name} | {level} | {signal} | {m['top1']:.3f} | {m['top3']:.3f} | "
                       f"{m['macro_f1']:.3f} | {m['n']} |")
    return out


def main() -> None:
    data = pd.read_csv(DATA, sep="\t", dtype=str, keep_default_na=False)
    q1, q2 = data[data.question == "1"], data[data.question == "2"]
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        forward = run_eval(q1, q2, folder, curve=True)
        backward = run_eval(q2, q1, folder, curve=False)
        # the old figures: a bundled codebook written with both questions' rows in view
        leaky_forward = run_eval(q1, q2, folder, False, "forstudie-postits")
        leaky_backward = run_eval(q2, q1, folder, False, "forstudie-postits")
        groups = data["question"] + "|" + data["huvudtema"] + "|" + data["subtema"]
        folds = []
        for train_idx, test_idx in GroupKFold(n_splits=5).split(data, groups=groups):
            folds.append(run_eval(data.iloc[train_idx], data.iloc[test_idx], folder, False))
    cv: dict = {"levels": {}}
    for level in forward["levels"]:
        cv["levels"][level] = {}
        for signal in ("blended", "lexical", "statistical"):
            ms = [f["levels"][level][signal] for f in folds]
            n = sum(m["n"] for m in ms)
            cv["levels"][level][signal] = {
                k: float(np.sum([m[k] * m["n"] for m in ms]) / n)
                for k in ("top1", "top3", "macro_f1")} | {"n": n}
    lines = [
        "## Suggestion quality (development data, `qda eval`)",
        "",
        "Command: `.venv/bin/python benchmarks/suggest_quality.py` (calls `qda eval --json "
        "--no-embed`: the engine alone; with the embed extra see the meaning-signal section).",
        "",
        f"Codebook: `{forward['codebook']}`, the default of `qda eval`: the bundled färdplan",
        "concepts plus the training rows' themes with their notes as examples; the test rows",
        "never shape it. In 5-fold CV a group is one sub-theme of one question; macro-F1 in",
        "CV is the n-weighted mean over folds.",
        "",
        "| split | level | signal | top-1 | top-3 | macro-F1 | n |",
        "|---|---|---|---|---|---|---|",
        *rows("fråga 1 → 2", forward),
        *rows("fråga 2 → 1", backward),
        *rows("grouped 5-fold CV", cv),
        "",
        "The figures reported before this change, for comparison only: the same splits with",
        "`--codebook forstudie-postits`, a bundled codebook written with both questions'",
        "rows in view (the test question's sub-themes, keywords and examples are in it), so",
        "they flatter the engine:",
        "",
        "| split (leaky codebook) | level | signal | top-1 | top-3 | macro-F1 | n |",
        "|---|---|---|---|---|---|---|",
        *[r for r in rows("fråga 1 → 2", leaky_forward) if "| blended |" in r],
        *[r for r in rows("fråga 2 → 1", leaky_backward) if "| blended |" in r],
        "",
        "Learning curve (fråga 1 → 2, blended top-1, mean of 5 random orders):",
        "",
        "| train rows | huvudtema | subtema |",
        "|---|---|---|",
        *[f"| {p['n_train']} | {p['huvudtema']:.3f} | {p['subtema']:.3f} |"
          for p in forward["learning_curve"]],
    ]
    print(write_section("suggest-quality", lines))


if __name__ == "__main__":
    main()
