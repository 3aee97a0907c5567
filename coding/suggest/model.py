"""The statistical signal: TF-IDF over lemmas and character n-grams, and a linear
multi-label classifier (one-vs-rest multinomial naive Bayes) over them.

Why naive Bayes and not logistic regression: on the development data it ranks codes
better (codes with a handful of examples are not drowned by codes with hundreds), and it
trains in one sparse product for all codes at once, so retraining on thousands of codings
after each batch of decisions takes milliseconds. Its scores are calibrated afterwards by
the engine's learned blend, on held-out decisions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.preprocessing import normalize
from spacy.lang.sv.stop_words import STOP_WORDS

from ..text import Token, lemma_text

ALPHA = 0.1              # additive smoothing of feature counts
REJECTED_WEIGHT = 2.0    # an explicit "no" says more than silence
MAX_TYPES = 400_000      # word forms whose n-grams are kept between calls
COMMON_SHARE = 0.05      # a word in more of the texts than this says little about likeness
COMMON_MIN = 50


class Features:
    """Word (lemma uni- and bigram) and character n-gram TF-IDF, side by side.

    Character n-grams are those of `char_wb` (3-5 characters inside each word, padded with
    spaces), counted per distinct word form and summed per text by a sparse product: word
    forms repeat, so this is several times faster than n-gramming every text anew.
    """

    def __init__(self) -> None:
        self.words = TfidfVectorizer(analyzer="word", token_pattern=r"\S+", ngram_range=(1, 2),
                                     sublinear_tf=True, max_features=60_000, dtype=np.float32)
        self.grams = CountVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=False,
                                     max_features=60_000, dtype=np.float32)
        self.char_idf = TfidfTransformer(sublinear_tf=True)
        self._types: dict[str, int] = {}
        self._type_grams = sp.csr_matrix((0, 0), dtype=np.float32)
        self._content: np.ndarray | None = None
        self._n_docs = 0

    @property
    def n_words(self) -> int:
        return len(self.words.vocabulary_)

    @property
    def content_words(self) -> np.ndarray:
        """Per word feature: True for single words that are neither stop words nor in more
        than COMMON_SHARE of the texts (and COMMON_MIN of them): what makes texts alike."""
        if self._content is None:
            content = np.zeros(self.n_words, dtype=bool)
            for term, col in self.words.vocabulary_.items():
                content[col] = " " not in term and term not in STOP_WORDS
            # the document frequency, back from the smoothed idf = ln((1+n)/(1+df)) + 1
            df = (1 + self._n_docs) / np.exp(self.words.idf_ - 1) - 1
            content &= df <= max(COMMON_SHARE * self._n_docs, COMMON_MIN) + 0.5
            self._content = content
        return self._content

    @property
    def dim(self) -> int:
        return self.n_words + len(self.grams.vocabulary_)

    def fit(self, toks: Sequence[list[Token]]) -> Features:
        self.words.fit([lemma_text(t) for t in toks])
        self._content, self._n_docs = None, len(toks)
        self.grams.fit(sorted({tok.lower for row in toks for tok in row}) or ["-"])
        self._types, self._type_grams = {}, sp.csr_matrix((0, len(self.grams.vocabulary_)),
                                                          dtype=np.float32)
        self.char_idf.fit(self._char_counts(toks))
        return self

    def _char_counts(self, toks: Sequence[list[Token]]) -> sp.csr_matrix:
        if len(self._types) > MAX_TYPES:
            self._types, self._type_grams = {}, self._type_grams[:0]
        new = sorted({tok.lower for row in toks for tok in row} - self._types.keys())
        if new:
            base = len(self._types)
            self._types.update((form, base + i) for i, form in enumerate(new))
            self._type_grams = sp.vstack([self._type_grams, self.grams.transform(new)],
                                         format="csr")
        cols = [self._types[tok.lower] for row in toks for tok in row]
        indptr = np.cumsum([0, *map(len, toks)])
        per_text = sp.csr_matrix((np.ones(len(cols), dtype=np.float32), cols, indptr),
                                 shape=(len(toks), len(self._types)))
        return per_text @ self._type_grams

    def _word_tfidf(self, toks: Sequence[list[Token]]) -> sp.csr_matrix:
        """`self.words.transform` of the rows' lemma texts, equal to it (a test checks) in
        well under half the time: the tokens are read already, so the lemmas and their
        bigrams go straight to the vocabulary instead of through the vectorizer's
        per-document analyzer, the larger part of scoring texts never seen before."""
        get = self.words.vocabulary_.get
        cols: list[int | None] = []
        indptr = [0]
        for row in toks:
            # as the vectorizer reads a lemma text: lower case, split at white space
            words = " ".join([t.lemma for t in row]).lower().split()
            cols += map(get, words)
            cols += map(get, map(" ".join, zip(words, words[1:], strict=False)))
            indptr.append(len(cols))
        known = np.array([c is not None for c in cols], dtype=bool)
        ids = np.array([c for c in cols if c is not None], dtype=np.int32)
        ends = np.concatenate([[0], np.cumsum(known)])[indptr]
        counts = sp.csr_matrix((np.ones(len(ids), dtype=np.float32), ids, ends),
                               shape=(len(toks), self.n_words))
        counts.sum_duplicates()
        np.log(counts.data, out=counts.data)        # sublinear tf: 1 + ln(count)
        counts.data += 1
        return normalize(counts @ sp.diags(self.words.idf_.astype(np.float32)), copy=False)

    def transform(self, toks: Sequence[list[Token]]) -> sp.csr_matrix:
        words = self._word_tfidf(toks)
        chars = self.char_idf.transform(self._char_counts(toks)).astype(np.float32)
        return sp.hstack([words, chars], format="csr") * np.float32(2 ** -0.5)


class MultiLabelModel:
    """One binary multinomial naive Bayes per code with equal class priors, fitted for all
    codes at once: the same as scikit-learn's
    `OneVsRestClassifier(MultinomialNB(alpha, fit_prior=False))`, a test checks, but one
    sparse product instead of one estimator per code."""

    def __init__(self, alpha: float = ALPHA) -> None:
        self.alpha = alpha
        self.code_ids: list[int] = []
        self.log_ratio = np.zeros((0, 0), dtype=np.float32)

    def fit(self, x: sp.csr_matrix, labels: Sequence[set[int]], negatives: Sequence[set[int]],
            weights: np.ndarray, code_ids: Sequence[int]) -> MultiLabelModel:
        """`labels[i]` are row i's codes, `negatives[i]` its explicitly rejected ones."""
        present = set().union(*labels) if labels else set()
        self.code_ids = [c for c in code_ids if c in present]
        column = {c: k for k, c in enumerate(self.code_ids)}
        n, k = x.shape[0], len(self.code_ids)
        pos = np.zeros((n, k), dtype=np.float32)
        neg = np.repeat(weights.astype(np.float32)[:, None], k, axis=1)
        for row, (codes, rejected) in enumerate(zip(labels, negatives, strict=True)):
            for code in codes:
                if code in column:
                    pos[row, column[code]] = weights[row]
                    neg[row, column[code]] = 0.0
            for code in rejected - codes:
                if code in column:
                    neg[row, column[code]] *= REJECTED_WEIGHT
        pos_counts = np.asarray(x.T @ pos).T + self.alpha
        neg_counts = np.asarray(x.T @ neg).T + self.alpha
        self.log_ratio = (np.log(pos_counts / pos_counts.sum(axis=1, keepdims=True))
                          - np.log(neg_counts / neg_counts.sum(axis=1, keepdims=True))
                          ).astype(np.float32)
        return self

    def decision(self, x: sp.csr_matrix) -> np.ndarray:
        """Log-likelihood ratio per row and code (columns in `code_ids` order)."""
        return np.asarray(x @ self.log_ratio.T)

    def predict(self, x: sp.csr_matrix) -> dict[int, np.ndarray]:
        """Code id -> probability per row, for every code the model has seen."""
        if not self.code_ids:
            return {}
        probs = 1.0 / (1.0 + np.exp(-np.clip(self.decision(x), -30, 30)))
        return {code_id: probs[:, k] for k, code_id in enumerate(self.code_ids)}
