"""How far words alone can go: the engine's main-theme ranking against standard text
classifiers on the same splits, and how well any signal at hand tells a note that needs a
new sub-theme from one that has a code.

The classifiers (scikit-learn's logistic regression, linear SVM, complement naive Bayes and
ridge) see the same lemmas as the engine, as word (1-2) and character (3-5) TF-IDF, and
are fitted on the training rows' main themes only: no codebook, no keywords, no blend.
They rank the main themes they were trained on; a test row whose main theme the training
rows lack is wrong for them, as it is for the engine unless its no-fit option comes first.
The engine's figures are `qda eval`'s (blended, the default codebook). Splits as in
`suggest_quality.py`: fråga 1 -> 2, 2 -> 1, and grouped 5-fold cross-validation on the
post-its and on the discussion themes (a group is one sub-theme of one question).

Novelty: per test row with a sub-theme, whether the training rows have that sub-theme,
against the engine's best blended, statistical and keyword score for a sub-theme and the
highest cosine similarity to a training note; ROC AUC 0.5 is a coin. And the main-theme
top-1 on a question with four fifths of its own rows coded: where a session can end.

    .venv/bin/python benchmarks/lexical_ceiling.py
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from report import ROOT, write_section
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold, KFold
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

from coding.evaluate import _paths, default_codebook, evaluate, prepare
from coding.suggest.engine import Engine
from coding.text import lemma_text, tokens

DATA = ROOT.parent / "shared" / "data"
CLASSIFIERS = {
    "logistic regression": lambda: LogisticRegression(C=10, max_iter=2000),
    "linear SVM": lambda: LinearSVC(C=1.0),
    "complement naive Bayes": lambda: ComplementNB(alpha=0.3),
    "ridge": lambda: RidgeClassifier(alpha=1.0),
}


def splits() -> dict[str, list[tuple[pd.DataFrame, pd.DataFrame]]]:
    postits = pd.read_csv(DATA / "postits_dev.tsv", sep="\t", dtype=str, keep_default_na=False)
    talk = pd.read_csv(DATA / "discussion_themes_dev.tsv", sep="\t", dtype=str,
                       keep_default_na=False)
    q1 = postits[postits.question == "1"].reset_index(drop=True)
    q2 = postits[postits.question == "2"].reset_index(drop=True)

    def folds(frame: pd.DataFrame, groups: pd.Series) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
        return [(frame.iloc[a].reset_index(drop=True), frame.iloc[b].reset_index(drop=True))
                for a, b in GroupKFold(n_splits=5).split(frame, groups=groups)]

    return {
        "post-its fråga 1 → 2": [(q1, q2)],
        "post-its fråga 2 → 1": [(q2, q1)],
        "post-its, grouped 5-fold CV": folds(
            postits, postits.question + "|" + postits.huvudtema + "|" + postits.subtema),
        "discussion themes, grouped 5-fold CV": folds(talk, talk.huvudtema + "|" + talk.subtema),
    }


def lemmas(texts: pd.Series) -> list[str]:
    return [lemma_text(row) for row in tokens(list(texts))]


def classifier_hits(make, train: pd.DataFrame, test: pd.DataFrame) -> tuple[list, list]:
    """Per test row: main theme first, and within the first three."""
    features = make_union(
        TfidfVectorizer(analyzer="word", token_pattern=r"\S+", ngram_range=(1, 2),
                        sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True))
    pipe = make_pipeline(features, make()).fit(lemmas(train.text), train.huvudtema)
    model = pipe[-1]
    if hasattr(model, "predict_proba"):
        scores = pipe.predict_proba(lemmas(test.text))
    else:
        scores = pipe.decision_function(lemmas(test.text))
    if scores.ndim == 1:   # two classes: one column for the second
        scores = np.column_stack([-scores, scores])
    order = np.argsort(-scores, axis=1)
    classes = np.asarray(model.classes_)
    top1 = [classes[o[0]] == g for o, g in zip(order, test.huvudtema, strict=True)]
    top3 = [g in classes[o[:3]] for o, g in zip(order, test.huvudtema, strict=True)]
    return top1, top3


def engine_hits(train: pd.DataFrame, test: pd.DataFrame) -> tuple[float, float, int]:
    result = evaluate(train, test, levels=("huvudtema",), curve=False)
    m = result["levels"]["huvudtema"]["blended"]
    return m["top1"] * m["n"], m["top3"] * m["n"], m["n"]


def novelty(train: pd.DataFrame, test: pd.DataFrame) -> tuple[list[bool], dict[str, list]]:
    """Per test row with a sub-theme: is it new, and each signal (higher: more novel)."""
    codebook, examples, _ = prepare(default_codebook(), train)
    engine = Engine(codebook, corpus=[*train.text, *test.text]).fit(examples)
    matrices, ids = engine.signal_matrices(list(test.text))
    leaf = np.array([codebook.codes[i].depth == 1 for i in ids])
    x_test, _ = engine._read(list(test.text))
    x_train, _ = engine._read(list(train.text))
    cosine = (normalize(x_test) @ normalize(x_train).T).toarray()
    new, signals = [], {"best blended score": [], "best statistical score": [],
                        "best keyword score": [], "closest training note (cosine)": []}
    for r, path in enumerate(_paths(test)):
        if len(path) < 2 or not leaf.any():
            continue
        new.append(codebook.find(path) is None)
        signals["best blended score"].append(-matrices["blended"][r, leaf].max())
        signals["best statistical score"].append(-matrices["statistical"][r, leaf].max())
        signals["best keyword score"].append(-matrices["lexical"][r, leaf].max())
        signals["closest training note (cosine)"].append(-cosine[r].max())
    return new, signals


def within_question() -> list[str]:
    """Main-theme top-1 on each question's rows with four fifths of that question's own
    rows coded (random 5-fold), with and without the other question's rows: where a
    coding session's curve can climb to at most."""
    postits = pd.read_csv(DATA / "postits_dev.tsv", sep="\t", dtype=str, keep_default_na=False)
    out = []
    for a, b in (("1", "2"), ("2", "1")):
        other = postits[postits.question == a]
        own = postits[postits.question == b].reset_index(drop=True)
        for label, with_other in (("fråga " + a + " and 4/5 of fråga " + b, True),
                                  ("4/5 of fråga " + b + " only", False)):
            hits = n = 0.0
            for train_idx, test_idx in KFold(n_splits=5, shuffle=True,
                                             random_state=0).split(own):
                train = pd.concat([other, own.iloc[train_idx]]) if with_other \
                    else own.iloc[train_idx]
                a1, _, k = engine_hits(train.reset_index(drop=True),
                                       own.iloc[test_idx].reset_index(drop=True))
                hits, n = hits + a1, n + k
            out.append(f"| fråga {b} | {label} | {hits / n:.3f} | {int(n)} |")
    return out


def main() -> None:
    table = ["| split | method | top-1 | top-3 | n |", "|---|---|---|---|---|"]
    new_all: list[bool] = []
    signals_all: dict[str, list] = {}
    for name, parts in splits().items():
        e1 = e3 = en = 0.0
        for train, test in parts:
            a, b, n = engine_hits(train, test)
            e1, e3, en = e1 + a, e3 + b, en + n
        table.append(f"| {name} | the engine (`qda eval`, blended) | {e1 / en:.3f} | "
                     f"{e3 / en:.3f} | {int(en)} |")
        for label, make in CLASSIFIERS.items():
            top1, top3 = [], []
            for train, test in parts:
                a, b = classifier_hits(make, train, test)
                top1 += a
                top3 += b
            table.append(f"| {name} | {label} | {np.mean(top1):.3f} | {np.mean(top3):.3f} | "
                         f"{len(top1)} |")
        if name.startswith("post-its"):
            for train, test in parts:
                new, signals = novelty(train, test)
                new_all += new
                for key, values in signals.items():
                    signals_all.setdefault(key, []).extend(values)
    auc = ["| signal | ROC AUC (new sub-theme vs one the training rows have) |", "|---|---|"]
    auc += [f"| {key} | {roc_auc_score(new_all, values):.3f} |"
            for key, values in signals_all.items()]
    lines = [
        "## Suggestion quality against standard text classifiers (main themes)",
        "",
        "Command: `.venv/bin/python benchmarks/lexical_ceiling.py`",
        "",
        "The same splits as `qda eval` above; the classifiers are scikit-learn's, on the",
        "same lemmas as word and character TF-IDF, trained on the training rows' main",
        "themes only. A test row whose main theme the training rows lack counts as wrong.",
        "",
        *table,
        "",
        f"Telling a note that needs a new sub-theme from one that has a code (post-its, "
        f"all splits pooled; {len(new_all)} rows, {np.mean(new_all):.0%} of them new):",
        "",
        *auc,
        "",
        "Main themes with most of the question's own rows coded (random 5-fold within the",
        "question): the most a coding session's curve can climb to with these signals.",
        "",
        "| test rows | trained on | the engine's top-1 | n |",
        "|---|---|---|---|",
        *within_question(),
    ]
    print(write_section("lexical-ceiling", lines))


if __name__ == "__main__":
    main()
