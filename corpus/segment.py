"""Sentences inside transcript turns, with character offsets, from spaCy's sentencizer."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy
from spacy.attrs import IDX, IS_PUNCT, ORTH
from spacy.language import Language
from spacy.pipeline import Sentencizer

PIPE_BATCH = 256
# a pseudonym or redaction mark ("[Deltagare 2]", "[namn]s", "[e-post]"): never cut inside
MARK = re.compile(r"\[[^\[\]\n]{1,60}\]")


@lru_cache(maxsize=1)
def sentence_pipeline() -> Language:
    """Blank Swedish with a rule-based sentencizer: no model download, fast, deterministic."""
    nlp = spacy.blank("sv")
    nlp.add_pipe("sentencizer")
    return nlp


@lru_cache(maxsize=1)
def _punct_ids() -> frozenset[int]:
    """The sentencizer's sentence-ending characters as ORTH ids."""
    nlp = sentence_pipeline()
    sentencizer: Sentencizer = nlp.get_pipe("sentencizer")
    return frozenset(nlp.vocab.strings.add(c) for c in sentencizer.punct_chars)


def sentence_starts(orth: list[int], punct: list[int], ends: frozenset[int]) -> list[int]:
    """Token indices that start a sentence: spaCy's Sentencizer.predict, on arrays instead
    of Token objects (which cost more than tokenizing). A sentence ends after a token in
    `ends` ("." "!" "?" …) and any punctuation right after it."""
    starts = [0]
    start, seen_end = 0, False
    for i, (o, is_punct) in enumerate(zip(orth, punct, strict=True)):
        in_ends = o in ends
        if seen_end and not is_punct and not in_ends:
            if start != starts[-1]:
                starts.append(start)
            start, seen_end = i, False
        elif in_ends:
            seen_end = True
    if start != starts[-1]:
        starts.append(start)
    return starts


def sentence_spans(texts: Iterable[str]) -> Iterator[list[tuple[int, int]]]:
    """For each text, the (start, end) character offsets of its sentences.

    Asks the sentencizer for its per-token decisions and reads token offsets as one array:
    iterating `doc.sents` (or checking its annotation) builds a Python object per token
    and costs more than the tokenizer itself.
    """
    nlp, ends = sentence_pipeline(), _punct_ids()
    texts = list(texts)
    docs = nlp.pipe(texts, batch_size=PIPE_BATCH, disable=["sentencizer"])
    for text, doc in zip(texts, docs, strict=True):
        # `text`, not `doc.text`: spaCy rebuilds doc.text from its tokens on every access
        if len(doc) == 0:
            yield []
            continue
        offsets, orth, punct = doc.to_array([IDX, ORTH, IS_PUNCT]).T.tolist()
        bounds = [0] + [offsets[i] for i in sentence_starts(orth, punct, ends) if i]
        if "[" in text:
            bounds = _outside_marks(text, bounds)
        bounds.append(len(text))
        spans = []
        for start, end in zip(bounds, bounds[1:], strict=False):
            # trim whitespace so every span starts and ends on text
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                spans.append((start, end))
        yield spans


def _outside_marks(text: str, bounds: list[int]) -> list[int]:
    """Sentence starts moved out of any mark they fall inside: the sentencizer keeps a
    "[" after a full stop with the sentence before ("… ordning. [" | "Deltagare 2], …")."""
    marks = [(m.start(), m.end()) for m in MARK.finditer(text)]
    if not marks:
        return bounds
    starts = [start for start, _ in marks]
    moved = []
    for bound in bounds:
        i = bisect_right(starts, bound - 1) - 1   # the last mark starting before `bound`
        if i >= 0 and marks[i][0] < bound < marks[i][1]:
            bound = marks[i][0]
        if not moved or bound > moved[-1]:
            moved.append(bound)
    return moved

