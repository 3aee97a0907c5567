"""The statistical signal: TF-IDF over lemmas and character n-grams, one logistic
regression per code (multi-label), probabilities from a proper loss.

The vectoriser is fitted once on the texts the project holds (plus the codebook), so a
retrain after a batch of decisions only refits the linear models: that is what keeps it
well under a second.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

C = 4.0


class Features:
    """Word (lemma uni- and bigram) and character n-gram TF-IDF, stacked side by side."""

    def __init__(self) -> None:
        self.words = TfidfVectorizer(analyzer="word", token_pattern=r"\S+", ngram_range=(1, 2),
                                     sublinear_tf=True, min_df=1, max_features=60_000,
                                     dtype=np.float32)
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                                     min_df=1, max_features=60_000, lowercase=True,
                                     dtype=np.float32)

    def fit(self, lemma_texts: list[str], lower_texts: list[str]) -> Features:
        self.words.fit(lemma_texts)
        self.chars.fit(lower_texts)
        return self

    def transform(self, lemma_texts: list[str], lower_texts: list[str]) -> sp.csr_matrix:
        words = self.words.transform(lemma_texts)
        chars = self.chars.transform(lower_texts)
        return sp.hstack([words, chars], format="csr") * np.float32(2 ** -0.5)


class MultiLabelModel:
    """One binary logistic regression per code that has at least one positive example."""

    def __init__(self, c: float = C) -> None:
        self.c = c
        self.models: dict[int, LogisticRegression] = {}
        self.constant: dict[int, float] = {}

    def fit(self, x: sp.csr_matrix, labels: list[set[int]], negatives: list[set[int]],
            weights: np.ndarray, code_ids: list[int]) -> MultiLabelModel:
        self.models, self.constant = {}, {}
        n = x.shape[0]
        for code_id in code_ids:
            y = np.fromiter((code_id in lab for lab in labels), dtype=bool, count=n)
            if not y.any():
                continue
            if y.all():
                self.constant[code_id] = 1.0
                continue
            w = weights.copy()
            rejected = np.fromiter((code_id in neg for neg in negatives), dtype=bool, count=n)
            w[rejected] *= 2.0  # an explicit "no" says more than silence
            model = LogisticRegression(C=self.c, solver="liblinear", max_iter=200)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(x, y, sample_weight=w)
            self.models[code_id] = model
        return self

    def predict(self, x: sp.csr_matrix) -> dict[int, np.ndarray]:
        """Code id -> probability per row; one sparse product for all codes at once."""
        out: dict[int, np.ndarray] = {}
        if self.models:
            ids = list(self.models)
            coef = np.vstack([self.models[i].coef_[0] for i in ids]).astype(np.float32)
            bias = np.array([self.models[i].intercept_[0] for i in ids], dtype=np.float32)
            logits = np.asarray(x @ coef.T) + bias
            probs = 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))
            out = {code_id: probs[:, k] for k, code_id in enumerate(ids)}
        for code_id, value in self.constant.items():
            out[code_id] = np.full(x.shape[0], value)
        return out
