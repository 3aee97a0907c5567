"""Swedish tokens with lower-case forms and lemmas, shared by the matcher and the model.

Uses only `spacy.blank("sv")`'s tokenizer and the lookup table of spacy-lookups-data:
no trained pipeline exists for Swedish here, and a table lookup per token is fast.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.attrs import IDX
from spacy.language import Language

PIPE_BATCH = 512


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    lower: str
    lemma: str


@lru_cache(maxsize=1)
def _pipeline() -> tuple[Language, object]:
    nlp = spacy.blank("sv")
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
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


def _is_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def tokens(texts: Iterable[str]) -> list[list[Token]]:
    """Word tokens (punctuation dropped) of each text, with character offsets."""
    nlp = _pipeline()[0]
    out = []
    for doc in nlp.tokenizer.pipe((t or "" for t in texts), batch_size=PIPE_BATCH):
        starts = doc.to_array(IDX)
        row = []
        for i, tok in enumerate(doc):
            text = tok.text
            if not _is_word(text):
                continue
            low = text.lower().strip("-:")
            start = int(starts[i])
            row.append(Token(start, start + len(text), low, lemma(low)))
        out.append(row)
    return out


def lemma_text(toks: list[Token]) -> str:
    """The text as space-joined lemmas: what the word-level model reads."""
    return " ".join(t.lemma for t in toks)
