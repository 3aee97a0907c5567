"""Sentences inside transcript turns, with character offsets, from spaCy's sentencizer."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy
from spacy.language import Language

PIPE_BATCH = 256


@lru_cache(maxsize=1)
def sentence_pipeline() -> Language:
    """Blank Swedish with a rule-based sentencizer: no model download, fast, deterministic."""
    nlp = spacy.blank("sv")
    nlp.add_pipe("sentencizer")
    return nlp


def sentence_spans(texts: Iterable[str]) -> Iterator[list[tuple[int, int]]]:
    """For each text, the (start, end) character offsets of its sentences."""
    nlp = sentence_pipeline()
    for doc in nlp.pipe(texts, batch_size=PIPE_BATCH):
        spans = []
        for sent in doc.sents:
            start = sent.start_char
            end = sent.end_char
            # trim whitespace so every span starts and ends on text
            while start < end and doc.text[start].isspace():
                start += 1
            while end > start and doc.text[end - 1].isspace():
                end -= 1
            if end > start:
                spans.append((start, end))
        yield spans
