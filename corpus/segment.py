"""Sentences inside transcript turns, with character offsets, from spaCy's sentencizer."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy
from spacy.attrs import IDX
from spacy.language import Language
from spacy.pipeline import Sentencizer

PIPE_BATCH = 256


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
