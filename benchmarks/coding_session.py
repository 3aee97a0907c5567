"""What a coder experiences on new material: `qda eval --session` on the development data.

Runs fråga 1 -> 2 and 2 -> 1 on the post-its, and grouped 5-fold cross-validation on the
discussion themes (a group is one sub-theme, as in benchmarks/suggest_quality.py),
each over 3 shuffled orders, and writes the figures into BENCHMARKS.md.

    .venv/bin/python benchmarks/coding_session.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
from report import ROOT, write_section
from sklearn.model_selection import GroupKFold

from coding.suggestions import KEEP

# the shared development data beside the repository, or where QDA_DEV_DATA says
DATA = Path(os.environ.get("QDA_DEV_DATA", ROOT.parent / "shared" / "data"))
QDA = [sys.executable, "-m", "qda"]
KEYS = ("top1", "top3", "shown", "picker", "new_code")


def session(train: pd.DataFrame, test: pd.DataFrame, folder: Path) -> dict:
    train.to_csv(folder / "train.tsv", sep="\t", index=False)
    test.to_csv(folder / "test.tsv", sep="\t", index=False)
    done = subprocess.run([*QDA, "eval", "--session", "--train", str(folder / "train.tsv"),
                           "--test", str(folder / "test.tsv"), "--json", "--no-embed"],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout)


def pooled(results: list[dict]) -> dict:
    """Folds pooled by their number of rows."""
    out: dict = {"levels": {}, "curve": [], "keystrokes": 0.0}
    total = sum(r["n_test"] for r in results)
    out["keystrokes"] = sum(r["keystrokes"] * r["n_test"] for r in results) / total
    parts = [(r["one_key_existing"], r["share_existing"] * r["n_test"]) for r in results
             if r["one_key_existing"] is not None]
    weight = sum(w for _, w in parts)
    out["one_key_existing"] = sum(k * w for k, w in parts) / weight if weight else 0.0
    for key in ("existing", "new"):
        parts = [(r[f"keystrokes_{key}"], r[f"share_{key}"] * r["n_test"]) for r in results
                 if r[f"keystrokes_{key}"] is not None]
        weight = sum(w for _, w in parts)
        out[f"keystrokes_{key}"] = sum(k * w for k, w in parts) / weight if weight else 0.0
        out[f"share_{key}"] = weight / total
    for level in results[0]["levels"]:
        parts = [r["levels"][level] for r in results if level in r["levels"]]
        n = sum(p["n"] for p in parts)
        out["levels"][level] = {k: sum(p[k] * p["n"] for p in parts) / n for k in KEYS} | {
            "n": n}
    for i, point in enumerate(results[0]["curve"]):
        out["curve"].append({"part": point["part"], **{
            level: sum((r["curve"][i][level] or 0) * r["n_test"] for r in results) / total
            for level in out["levels"]}})
    return out


def rows(name: str, result: dict) -> list[str]:
    return [f"| {name} | {level} | " + " | ".join(f"{m[k]:.3f}" for k in KEYS)
            + f" | {m['n']} | {result['keystrokes']:.1f} | "
            f"{result['keystrokes_existing']:.2f} ({result['share_existing']:.0%}; "
            f"{result['one_key_existing']:.0%} one key) | "
            f"{result['keystrokes_new']:.1f} ({result['share_new']:.0%}) |"
            for level, m in result["levels"].items()]


def main() -> None:
    postits = pd.read_csv(DATA / "postits_dev.tsv", sep="\t", dtype=str, keep_default_na=False)
    talk = pd.read_csv(DATA / "discussion_themes_dev.tsv", sep="\t", dtype=str,
                       keep_default_na=False)
    q1, q2 = postits[postits.question == "1"], postits[postits.question == "2"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        forward, backward = session(q1, q2, folder), session(q2, q1, folder)
        folds = [session(talk.iloc[a], talk.iloc[b], folder)
                 for a, b in GroupKFold(n_splits=5).split(
                     talk, groups=talk["huvudtema"] + "|" + talk["subtema"])]
    cv = pooled(folds)
    lines = [
        "## Coding session (development data, `qda eval --session`)",
        "",
        "Command: `.venv/bin/python benchmarks/coding_session.py`",
        "",
        "Each test row is replayed in a shuffled order (3 orders): before it the engine has",
        "the training rows and the test rows decided so far, retrained every 10 decisions",
        "as the app does; a sub-theme the codebook lacks is created when first needed.",
        "Codebook: the bundled färdplan concepts plus the training rows' themes. Columns:",
        f"the share of rows whose right code was suggestion 1, in the top 3, among the {KEEP}",
        "suggestions shown, only in the picker, or new (for a new sub-theme, a *passar",
        "ingen befintlig kod* flag in that place counts as right); keystrokes per row: 1",
        f"when the unit's code is among the {KEEP} suggestions the app shows (as `qda suggest`",
        "stores them: sub-themes before the main themes they imply, one such main theme at",
        "most, last), else the fewer of: the letter of the code's theme among the shown",
        "suggestions' themes and its number in that theme's list (two keys,",
        "`unit_view.sub_theme_lists`), or the fewest of 'k', letters, '↓' down to the",
        "code and Enter in the picker,",
        "which lists the coder's most recent codes first and filters by what is typed",
        "('↓' opens it without letters); a new code: 'k',",
        "Tab, its whole path 'Huvudtema > Subtema', Enter. Keystrokes also apart for rows",
        "whose code existed when the coder reached them (their share of the rows, and the",
        "share of those coded with one key) and rows that needed a new code. The level",
        "columns rank each level's codes alone (`qda eval`), so 'shown' there is not what",
        "decides the keys. The engine alone (`--no-embed`); with the embed extra see the",
        "meaning-signal section.",
        "",
        "| split | level | suggestion 1 | top 3 | shown | picker | new code | n | "
        "keys/row | keys/row, code existed | keys/row, new code |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *rows("post-its fråga 1 → 2", forward),
        *rows("post-its fråga 2 → 1", backward),
        *rows("discussion themes, 5 folds by sub-theme", cv),
        "",
        "Suggestion 1 right over the session (fråga 1 → 2; discussion themes pooled):",
        "",
        "| part | huvudtema 1 → 2 | subtema 1 → 2 | huvudtema discussion | "
        "subtema discussion |",
        "|---|---|---|---|---|",
        *[f"| {a['part']} | {a['huvudtema']:.3f} | {a['subtema']:.3f} | "
          f"{b.get('huvudtema', 0):.3f} | {b.get('subtema', 0):.3f} |"
          for a, b in zip(forward["curve"], cv["curve"], strict=True)],
    ]
    print(write_section("coding-session", lines))


if __name__ == "__main__":
    main()
