"""Sentences inside transcript turns, with character offsets, from spaCy's sentencizer."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy
from spacy.attrs import IDX
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


def _tokenizer_and_sentencizer() -> tuple[Language, Sentencizer]:
    nlp = sentence_pipeline()
    return nlp, nlp.get_pipe("sentencizer")


def sentence_spans(texts: Iterable[str]) -> Iterator[list[tuple[int, int]]]:
    """For each text, the (start, end) character offsets of its sentences.

    Asks the sentencizer for its per-token decisions and reads token offsets as one array:
    iterating `doc.sents` (or checking its annotation) builds a Python object per token
    and costs more than the tokenizer itself.
    """
    nlp, sentencizer = _tokenizer_and_sentencizer()
    for doc in nlp.pipe(texts, batch_size=PIPE_BATCH, disable=["sentencizer"]):
        if len(doc) == 0:
            yield []
            continue
        starts = sentencizer.predict([doc])[0]
        offsets = doc.to_array(IDX)
        bounds = [0] + [int(offsets[i]) for i, is_start in enumerate(starts) if is_start and i]
        if "[" in doc.text:
            bounds = _outside_marks(doc.text, bounds)
        bounds.append(len(doc.text))
        spans = []
        for start, end in zip(bounds, bounds[1:], strict=False):
            # trim whitespace so every span starts and ends on text
            while start < end and doc.text[start].isspace():
                start += 1
            while end > start and doc.text[end - 1].isspace():
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

