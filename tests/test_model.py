"""The statistical model and its features: same numbers as the library estimators they
stand in for, and the engine's text cache changes nothing but speed."""

import random

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.multiclass import OneVsRestClassifier
from sklearn.naive_bayes import MultinomialNB

from coding.suggest import engine as engine_module
from coding.suggest.engine import Engine
from coding.suggest.model import Features, MultiLabelModel
from coding.text import _pipeline, lemma, tokens

from .engine_data import BOOK, ID, labelled

TEXTS = ["Kostnaden för hemsjukvården ökar, sa hon.", "SIP-möten med anhöriga (ibland).",
         "Vårdtyngdsmätningen: 12 % av brukarna!", "Utskrivningsklara dagar\nför äldre",
         "e-post till a.b@example.se – ring 08-123 45 67", "  dubbla  mellanslag\toch tab"]


def test_tokens_are_spacys_word_tokens_with_offsets_and_lemmas():
    nlp = _pipeline()[0]
    for text, got in zip(TEXTS, tokens(TEXTS), strict=True):
        want = [(t.idx, t.idx + len(t.text), t.text.lower().strip("-:"))
                for t in nlp.tokenizer(text) if any(ch.isalnum() for ch in t.text)]
        assert [(t.start, t.end, t.lower) for t in got] == want
        assert all(text[t.start:t.end].lower().strip("-:") == t.lower for t in got)
        assert all(t.lemma == lemma(t.lower) for t in got)
    assert tokens(TEXTS) == tokens(TEXTS)  # the chunk cache gives the same answer


def test_a_pseudonym_s_mark_is_no_word_of_the_text():
    """"[namn]" made notes alike by whom they named: the top suggestion for a note with
    two masked names was the code of another note with one, "liknar … Som [namn] sa"."""
    text = "Som [namn] sa: ring [telefonnummer] eller [Deltagare 3]s kurs [sic]."
    got = tokens([text])[0]
    assert [t.lower for t in got] == ["som", "sa", "ring", "eller", "s", "kurs", "sic"]
    assert all(text[t.start:t.end].lower() == t.lower for t in got)   # offsets as they were


def test_character_ngrams_equal_char_wb_over_the_words():
    toks = tokens(TEXTS)
    features = Features().fit(toks)
    ours = features.transform(toks)[:, features.n_words:].toarray() * 2 ** 0.5
    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                                lowercase=False, vocabulary=features.grams.vocabulary_)
    reference.fit([" ".join(t.lower for t in row) for row in toks])
    reference.idf_ = features.char_idf.idf_
    want = reference.transform([" ".join(t.lower for t in row) for row in toks]).toarray()
    assert np.allclose(ours, want, atol=1e-5)
    assert np.allclose(np.linalg.norm(features.transform(toks).toarray(), axis=1), 1.0,
                       atol=1e-5)


def test_word_features_equal_the_vectorizer_over_the_lemma_texts():
    """The word columns are built from the tokens straight to the vocabulary (for speed):
    the same matrix as the fitted TfidfVectorizer reading the lemma texts, words it never
    saw, repeats, bigrams over a dropped token and a text without a word included."""
    from coding.text import lemma_text

    fitted = tokens(TEXTS[:4])
    features = Features().fit(fitted)
    unseen = tokens([*TEXTS, "Kostnaden kostnaden KOSTNADEN ökar ökar", "", "!!", "SIP ökar"])
    want = features.words.transform([lemma_text(row) for row in unseen])
    got = features.transform(unseen)[:, :features.n_words] * np.float32(2 ** 0.5)
    assert got.shape == want.shape and want.nnz > 20
    assert np.allclose(got.toarray(), want.toarray(), atol=1e-6)
    assert (got.toarray() != 0).sum(axis=1).tolist() == (want.toarray() != 0).sum(
        axis=1).tolist()


def test_model_equals_one_vs_rest_multinomial_naive_bayes_without_priors():
    examples = labelled(80, seed=3)
    toks = tokens([e.text for e in examples])
    x = Features().fit(toks).transform(toks)
    codes = [ID["Resursfördelning > Kostnader"], ID["Samverkan > SIP"],
             ID["Samverkan > Utskrivning"]]
    labels = [e.codes & set(codes) for e in examples]
    ours = MultiLabelModel(alpha=0.1).fit(x, labels, [set()] * len(labels),
                                          np.ones(len(labels)), codes).predict(x)
    y = np.array([[c in lab for c in codes] for lab in labels])
    ref = OneVsRestClassifier(MultinomialNB(alpha=0.1, fit_prior=False)).fit(x, y)
    assert np.allclose(np.column_stack([ours[c] for c in codes]), ref.predict_proba(x),
                       atol=1e-4)


def test_a_rejection_lowers_the_code_for_texts_like_the_rejected_one():
    examples = labelled(60, seed=5)
    toks = tokens([e.text for e in examples] + ["Kostnad per dag för boende"])
    x = Features().fit(toks).transform(toks)
    code = ID["Resursfördelning > Kostnader"]
    labels = [e.codes for e in examples] + [set()]
    plain = MultiLabelModel().fit(x, labels, [set()] * len(labels), np.ones(len(labels)),
                                  [code]).predict(x[-1:])[code][0]
    taught = MultiLabelModel().fit(x, labels, [set()] * (len(labels) - 1) + [{code}],
                                   np.ones(len(labels)), [code]).predict(x[-1:])[code][0]
    assert taught < plain


def test_cached_and_uncached_scoring_agree(monkeypatch):
    train, test = labelled(60, seed=7), labelled(30, seed=8)
    texts = list(dict.fromkeys(e.text for e in test))
    cached = Engine(BOOK).fit(train)
    first = cached.score(texts)
    again = cached.score(list(reversed(texts)))[::-1]
    monkeypatch.setattr(engine_module, "MAX_CACHED", 0)
    uncached = Engine(BOOK).fit(train).score(texts)
    for a, b, c in zip(first, again, uncached, strict=True):
        assert [(s.code_id, round(s.score, 6), s.reasons) for s in a.suggestions] \
            == [(s.code_id, round(s.score, 6), s.reasons) for s in b.suggestions] \
            == [(s.code_id, round(s.score, 6), s.reasons) for s in c.suggestions]


def test_similar_counts_coded_texts_that_share_distinctive_words():
    rng = random.Random(9)
    sip = ID["Samverkan > SIP"]
    train = [*labelled(60, seed=10),
             *(f"Samordnad individuell plan för {w}" for w in rng.sample(range(100), 5))]
    train = [e if not isinstance(e, str) else engine_module.Example(e, {sip}) for e in train]
    engine = Engine(BOOK).fit(train)
    result = engine.score(["Samordnad individuell plan för boende i hemtjänsten"])[0]
    found = {s.code_id: s for s in result.suggestions}
    assert sip in found and found[sip].score > 0.5
    similar = [r for r in found[sip].reasons if r.startswith("liknar ")]
    assert similar and similar[0].endswith("kodade inlägg")
    assert int(similar[0].split()[1]) >= 5  # the five phrase examples at least


@pytest.mark.parametrize("text", ["", "!!! ???", "12 34"])
def test_texts_without_words_score_without_error(text):
    engine = Engine(BOOK).fit(labelled(30, seed=11))
    result = engine.score([text])[0]
    assert result.flagged and all(0 <= s.score <= 1 for s in result.suggestions)
