"""Sentences inside transcript turns, with character offsets, from spaCy's sentencizer."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:   # spaCy (half a second) is imported where it is first used: a folder
    # import's main process never needs it, and its helper imports it while the main
    # process opens the project
    from spacy.language import Language
    from spacy.tokenizer import Tokenizer

# a pseudonym or redaction mark ("[Deltagare 2]", "[namn]s", "[e-post]"): never cut inside
MARK = re.compile(r"\[[^\[\]\n]{1,60}\]")
# a whitespace-delimited chunk holding punctuation (or "_", which Unicode counts as such);
# possessive, as giving back letters can never find punctuation: a word without any is
# left at once (faster over the 100x material: BENCHMARKS.md)
PUNCTUATED = re.compile(r"(?<!\S)[^\W_]*+(?:[^\w\s]|_)\S*+")
BATCH_CHARS = 50_000    # text split at a time: bounded memory, rows written meanwhile


@lru_cache(maxsize=1)
def sentence_pipeline() -> Language:
    """Blank Swedish with a rule-based sentencizer: no model download, fast, deterministic."""
    import spacy

    nlp = spacy.blank("sv")
    nlp.add_pipe("sentencizer")
    return nlp


@lru_cache(maxsize=1)
def _punct_ids() -> frozenset[int]:
    """The sentencizer's sentence-ending characters as ORTH ids."""
    nlp = sentence_pipeline()
    sentencizer = nlp.get_pipe("sentencizer")
    return frozenset(nlp.vocab.strings.add(c)
                     for c in sentencizer.punct_chars)  # type: ignore[attr-defined]  # typed as any pipe


# what a punctuated chunk does to the sentencizer's rule, for each state it is entered in
# (after a sentence end or not): the offsets in it where a sentence starts, and whether
# it leaves a sentence ending
Effect = tuple[tuple[tuple[int, ...], bool], tuple[tuple[int, ...], bool]]
MAX_KNOWN_CHUNKS = 200_000   # a few tens of MB at most


@lru_cache(maxsize=1)
def _known_chunks() -> dict[str, Effect]:
    """Chunk effects by chunk, kept for the process: most punctuated chunks ("det." "och,")
    recur, and spaCy does not cache the tokens of chunks its special cases touch."""
    return {}


def _chunk_effects(chunks: set[str], tokenizer: Tokenizer, ends: frozenset[int]
                   ) -> dict[str, Effect]:
    import numpy as np
    from spacy.attrs import IDX, IS_PUNCT, ORTH

    known = _known_chunks()
    effects = {chunk: known.get(chunk) for chunk in chunks}
    new = sorted(chunk for chunk, effect in effects.items() if effect is None)
    if not new:
        return cast(dict[str, Effect], effects)     # no None left
    if len(known) + len(new) > MAX_KNOWN_CHUNKS:
        known.clear()
    # one string, one chunk per line: the newline keeps spaCy's special-case matcher from
    # reaching across chunks, so each is tokenized as if alone
    array = tokenizer("\n".join(new)).to_array([IDX, ORTH, IS_PUNCT])
    array = array[array[:, 1] != tokenizer.vocab.strings.add("\n")]
    idx = array[:, 0].astype(np.int64)
    at = np.cumsum([0] + [len(chunk) + 1 for chunk in new[:-1]])
    owner = (np.searchsorted(at, idx, side="right") - 1).tolist()
    rows = zip(owner, (idx - at[owner]).tolist(),
               np.isin(array[:, 1], np.fromiter(ends, dtype=array.dtype)).tolist(),
               (array[:, 2] != 0).tolist(), strict=True)
    tokens: list[list[tuple[int, bool, bool]]] = [[] for _ in new]
    for k, offset, is_end, is_punct in rows:
        tokens[k].append((offset, is_end, is_punct))
    for chunk, chunk_tokens in zip(new, tokens, strict=True):
        effects[chunk] = known[chunk] = (_run_rule(chunk_tokens, False),
                                         _run_rule(chunk_tokens, True))
    return cast(dict[str, Effect], effects)         # every None filled in


def _run_rule(tokens: list[tuple[int, bool, bool]], seen_end: bool
              ) -> tuple[tuple[int, ...], bool]:
    """The sentencizer's rule: a sentence ends after a token in its punct_chars ("." "!"
    "?" …) and any punctuation right after it; the next other token starts one."""
    starts = []
    for offset, is_end, is_punct in tokens:
        if seen_end and not is_punct and not is_end:
            starts.append(offset)
            seen_end = False
        elif is_end:
            seen_end = True
    return tuple(starts), seen_end


def sentence_bounds(texts: list[str], tokenizer: Tokenizer, ends: frozenset[int]
                    ) -> list[list[int]]:
    """For each text, the character offsets where the sentencizer starts a sentence (0
    first), from the tokens of its punctuated chunks only.

    A chunk of word characters alone gives tokens that are neither punctuation nor an end,
    and only its first token can matter (it starts a sentence after an end), so only the
    chunks holding punctuation go through the tokenizer: about a tenth of the words, and
    tokenizing is most of the cost of ingest. Between two chunks the next token is where
    spaCy would put it: a single space is no token; a longer run of whitespace, or a word
    chunk, is.
    """
    found = [[(m.start(), m.end(), m.group()) for m in PUNCTUATED.finditer(text)]
             for text in texts]
    effects = _chunk_effects({chunk for chunks in found for _, _, chunk in chunks},
                             tokenizer, ends)
    bounds = []
    for text, chunks in zip(texts, found, strict=True):
        starts, seen_end = [0], False
        for k, (start, stop, chunk) in enumerate(chunks):
            inside, seen_end = effects[chunk][seen_end]
            starts.extend(start + offset for offset in inside)
            if seen_end:
                following = chunks[k + 1][0] if k + 1 < len(chunks) else len(text)
                after = stop + 1 if stop < len(text) and text[stop] == " " else stop
                if after < following:
                    starts.append(after)
                    seen_end = False
        bounds.append(starts)
    return bounds


def sentence_spans(texts: Iterable[str]) -> Iterator[list[tuple[int, int]]]:
    """For each text, the (start, end) character offsets of its sentences: spaCy's
    sentencizer, without building a Doc of every token (see `sentence_bounds`)."""
    tokenizer, ends = sentence_pipeline().tokenizer, _punct_ids()
    batch: list[str] = []
    size = 0
    for text in texts:
        batch.append(text)
        size += len(text)
        if size >= BATCH_CHARS:
            yield from _spans(batch, tokenizer, ends)
            batch, size = [], 0
    yield from _spans(batch, tokenizer, ends)


def _spans(texts: list[str], tokenizer: Tokenizer, ends: frozenset[int]
           ) -> Iterator[list[tuple[int, int]]]:
    for text, bounds in zip(texts, sentence_bounds(texts, tokenizer, ends), strict=True):
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
    moved: list[int] = []
    for bound in bounds:
        i = bisect_right(starts, bound - 1) - 1   # the last mark starting before `bound`
        if i >= 0 and marks[i][0] < bound < marks[i][1]:
            bound = marks[i][0]
        if not moved or bound > moved[-1]:
            moved.append(bound)
    return moved

