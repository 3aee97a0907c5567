"""Keyword and phrase matching, compound-aware, with the spans that justify each hit.

A keyword word matches a token when the lower-cased forms or the lemmas are equal, when
the token is the word plus an inflection ("kostnad" ~ "kostnaderna"), or when the word sits
inside the token as part of a compound ("vårdtyngd" in "vårdtyngdsmätningen"). Words of
fewer than five letters only match whole, inflected, or as the head or tail of a compound,
so that "vård" alone does not light up every note.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.lang.sv.stop_words import STOP_WORDS

from ..codebook import Codebook
from ..text import Token, lemma, tokens

INFLECTIONS = frozenset([
    "a", "ar", "arna", "ande", "e", "en", "ens", "er", "erna", "et", "ets", "isk", "iska",
    "n", "na", "ns", "or", "orna", "r", "s", "t", "ts"])
MIN_INNER = 5        # shortest word that may match inside a compound
WORD_WEIGHT = 0.45   # one matched single-word keyword
PHRASE_WEIGHT = 0.6  # one matched multi-word keyword or code name


@dataclass
class LexicalHit:
    score: float
    keywords: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class _Keyword:
    text: str
    words: tuple[int, ...]   # word ids
    code_id: int
    weight: float


def _key(token_lower: str) -> str:
    return token_lower.replace(":", "").replace("’", "").replace("'", "")


class LexicalMatcher:
    """Compiled keyword tables for one codebook; matching caches per distinct token."""

    def __init__(self, codebook: Codebook) -> None:
        self._words: dict[str, int] = {}
        self.keywords: list[_Keyword] = []
        by_text: dict[str, list[tuple[int, tuple[int, ...], float]]] = {}
        for code in codebook.codes.values():
            entries = [(kw, False) for kw in code.keywords] + [(code.name, True)]
            seen = set()
            for text, is_name in entries:
                toks = tokens([text])[0]
                words = tuple(self._word_id(_key(t.lower)) for t in toks if _key(t.lower))
                if not words or words in seen:
                    continue
                seen.add(words)
                weight = PHRASE_WEIGHT if (len(words) > 1 or is_name) else WORD_WEIGHT
                by_text.setdefault(text.lower(), []).append((code.id, words, weight))
        for text, owners in by_text.items():
            share = len({code_id for code_id, _, _ in owners}) ** 0.5
            for code_id, words, weight in owners:
                self.keywords.append(_Keyword(text, words, code_id, weight / share))
        self._by_first: dict[int, list[int]] = {}
        for i, kw in enumerate(self.keywords):
            self._by_first.setdefault(kw.words[0], []).append(i)
        self._exact: dict[str, set[int]] = {}
        self._inner: dict[str, set[int]] = {}
        self._short: dict[str, set[int]] = {}
        for word, wid in self._words.items():
            # the lemma only matches whole tokens: "hemmet" -> "hem" must not match "hembesök"
            for form in {word, lemma(word)}:
                self._exact.setdefault(form, set()).add(wid)
            if len(word) >= MIN_INNER:
                self._inner.setdefault(word, set()).add(wid)
            elif len(word) >= 3:
                self._short.setdefault(word, set()).add(wid)
        self._cache: dict[str, frozenset[int]] = {}
        self._starts: dict[frozenset[int], tuple[int, ...]] = {}

    def _word_id(self, word: str) -> int:
        return self._words.setdefault(word, len(self._words))

    def _token_words(self, tok: Token) -> frozenset[int]:
        """Keyword words this token matches (the lemma is a function of the lower form, so
        the lower form is the cache key)."""
        found = self._cache.get(tok.lower)
        if found is not None:
            return found
        low = _key(tok.lower)
        hits: set[int] = set()
        hits |= self._exact.get(low, set())
        if low not in STOP_WORDS:
            # the lookup table takes function words to content words they could inflect
            # ("ska" -> "skola", "när" -> "nära", "vill" -> "villa"): no evidence of either
            hits |= self._exact.get(tok.lemma, set())
        n = len(low)
        for i in range(n - MIN_INNER + 1):
            for j in range(i + MIN_INNER, n + 1):
                hits |= self._inner.get(low[i:j], set())
        for k in (3, 4):
            if n > k:
                rest = low[k:]
                if rest in INFLECTIONS or n - k >= 3:
                    hits |= self._short.get(low[:k], set())
        if n >= 7:
            hits |= self._short.get(low[-4:], set())
        result = frozenset(hits)
        if len(self._cache) < 500_000:
            self._cache[tok.lower] = result
        return result

    def _starting(self, words: frozenset[int]) -> tuple[int, ...]:
        """Keywords (indices) whose first word is among `words`."""
        found = self._starts.get(words)
        if found is None:
            found = tuple(k for wid in words for k in self._by_first.get(wid, ()))
            if len(self._starts) < 100_000:
                self._starts[words] = found
        return found

    def match(self, toks: list[Token]) -> dict[int, LexicalHit]:
        """Code id -> hit for one tokenised text."""
        cache = self._cache
        words = [cache[t.lower] if t.lower in cache else self._token_words(t) for t in toks]
        n_toks = len(words)
        found: dict[int, dict[str, tuple[float, tuple[int, int]]]] = {}
        for i, here in enumerate(words):
            if not here:
                continue
            for k in self._starting(here):
                kw = self.keywords[k]
                n = len(kw.words)
                if n > 1 and (i + n > n_toks or any(
                        kw.words[m] not in words[i + m] for m in range(1, n))):
                    continue
                span = (toks[i].start, toks[i + n - 1].end)
                found.setdefault(kw.code_id, {}).setdefault(kw.text, (kw.weight, span))
        out = {}
        for code_id, kws in found.items():
            best: dict[tuple[int, int], float] = {}  # one span counts once, at its best weight
            for weight, span in kws.values():
                best[span] = max(weight, best.get(span, 0.0))
            miss = 1.0
            for weight in best.values():
                miss *= 1.0 - weight
            out[code_id] = LexicalHit(1.0 - miss, list(kws), sorted(best))
        return out

    def match_texts(self, texts: list[str]) -> list[dict[int, LexicalHit]]:
        return [self.match(t) for t in tokens(texts)]
