"""Swedish tokens with lower-case forms and lemmas, shared by the matcher and the model.

Uses only `spacy.blank("sv")`'s tokenizer and the lookup table of spacy-lookups-data:
no trained pipeline exists for Swedish here, and a table lookup per token is fast.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, NamedTuple

import spacy
from spacy.language import Language

from corpus.pseudonymise import MARK

_WORDLIKE = re.compile(r"[^\W_]")
_CHUNK = re.compile(r"\S+")
MAX_CHUNKS = 500_000


class Token(NamedTuple):
    start: int
    end: int
    lower: str
    lemma: str


@lru_cache(maxsize=1)
def _pipeline() -> tuple[Language, Any]:
    nlp = spacy.blank("sv")
    lemmatizer: Any = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp, lemmatizer.lookups.get_table("lemma_lookup")


@lru_cache(maxsize=200_000)
def lemma(lower: str) -> str:
    """The lookup lemma of a lower-cased word (the word itself when the table lacks it)."""
    table = _pipeline()[1]
    found = table.get(lower)
    if found is None and "-" in lower:
        head, _, tail = lower.rpartition("-")
        found = f"{head}-{table.get(tail, tail)}" if tail else None
    return found if found else lower


# spaCy's tokenizer splits on spaces first and treats each chunk on its own, so a chunk's
# word tokens can be cached: (offset in chunk, length, lower form, lemma) per token.
_CHUNKS: dict[str, tuple[tuple[int, int, str, str], ...]] = {}


def _split(chunk: str) -> tuple[tuple[int, int, str, str], ...]:
    out = []
    for tok in _pipeline()[0].tokenizer(chunk):
        text = tok.text
        if _WORDLIKE.search(text):
            low = text.lower().strip("-:")
            out.append((tok.idx, len(text), low, lemma(low)))
    parts = tuple(out)
    if len(_CHUNKS) < MAX_CHUNKS:
        _CHUNKS[chunk] = parts
    return parts


def tokens(texts: Iterable[str]) -> list[list[Token]]:
    """Word tokens (punctuation dropped) of each text, with character offsets: the same as
    spaCy's tokenizer gives, a test checks, at a fraction of the cost on repeated words;
    a pseudonym's mark ("[namn]") gives none."""
    out = []
    cache = _CHUNKS
    for text in texts:
        row: list[Token] = []
        add = row.append
        if text and "[" in text:    # a pseudonym's mark is no word (offsets kept)
            text = MARK.sub(_blank, text)
        for match in _CHUNK.finditer(text or ""):
            chunk = match.group()
            parts = cache.get(chunk)
            if parts is None:
                parts = _split(chunk)
            base = match.start()
            for offset, size, low, lem in parts:
                start = base + offset
                add(Token(start, start + size, low, lem))
        out.append(row)
    return out


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


def lemma_text(toks: list[Token]) -> str:
    """The text as space-joined lemmas: what the word-level model reads."""
    return " ".join(t.lemma for t in toks)


# what people say to keep a conversation going, beside spaCy's stop words ("ja", "tack",
# "så" are among those): a sentence of these alone says nothing to code
FILLERS = frozenset([
    "jo", "nä", "nää", "nåja", "nja", "mm", "mhm", "mmm", "hm", "hmm", "ehm", "eh", "öh",
    "öhm", "äh", "åh", "ah", "aha", "oj", "jaha", "jaså", "japp", "jepp", "okej", "ok", "okay",
    "precis", "absolut", "exakt", "visst", "sant", "liksom", "typ", "hej", "hejsan",
    "välkomna", "välkommen"])
_WORD = re.compile(r"[^\W\d_]{2,}")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.sv.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | FILLERS


def has_content(text: str) -> bool:
    """Whether a text holds a word that is neither a stop word nor a filler ("Ja.", "Mm,
    precis." and "Tack." do not): coding such a text teaches a model nothing."""
    stop = _stop_words()
    return any(m.group().lower() not in stop for m in _WORD.finditer(text or ""))
