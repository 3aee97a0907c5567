"""Duplicate marks on post-its ("x2", "(2)", "2 st", "(dubblett)"): a count, not part of
the text."""

from __future__ import annotations

import re

_BRACKETED_NUMBER = re.compile(r"\s*[(\[]\s*(\d{1,2})\s*(?:st|ggr|gånger|x)?\.?\s*[)\]]\s*$",
                               re.I)  # (2) (2 st)
_TRAILING = [
    re.compile(r"\s*[(\[]\s*[x×]\s*(\d{1,2})\s*[)\]]\s*$", re.I),  # (x2)
    _BRACKETED_NUMBER,
    re.compile(r"(?:\s+|(?<=[.!?,;:]))[x×]\s?(\d{1,2})\s*$", re.I),  # ... x2 / ...x 2
    re.compile(r"\s+(\d{1,2})\s?[x×]\s*$", re.I),  # ... 2x
    re.compile(r"(?:\s+|(?<=[.!?,;:]))(\d{1,2})\s?(?:st|ggr|gånger)\.?\s*$", re.I),  # 2 st
]
# a word for the copies, in brackets only ("dubbel" ends many a sentence): how many notes
# the marked one stands for
_WORDS = {"dubblett": 2, "dubbletter": 2, "dubbel": 2, "dubbelt": 2, "duplikat": 2,
          "duplicate": 2, "trippel": 3, "triplett": 3, "tripplett": 3}
# a count written out, "(två)", "tre st": in brackets or with its unit, never alone, since
# a note may be the word alone ("Sex" on a sheet about young people's health)
NUMBER_WORDS = {"två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7, "åtta": 8,
                "nio": 9, "tio": 10}
_BRACKET_WORDS = {**_WORDS, **NUMBER_WORDS}
_WORD_MARK = re.compile(rf"\s*[(\[]\s*({'|'.join(_BRACKET_WORDS)})\s*(?:st|ggr|gånger)?\.?"
                        rf"\s*[)\]]\s*$", re.I)   # (dubblett) (två) (tre st)
# a whole cell without brackets: "dubblett", "två st"
_WORD_ONLY = re.compile(rf"^\s*(?:({'|'.join(_WORDS)})|({'|'.join(NUMBER_WORDS)})\s+"
                        rf"(?:st|ggr|gånger)\.?)\s*$", re.I)
# "minst 2 st", "högst 3 ggr", "ca 2 st": a quantity the note states, not a count of copies
_QUANTIFIED = re.compile(r"\b(?:minst|högst|max|maximalt|minimum|ca|cirka|ungefär|runt|"
                         r"över|under|upp till|mer än|fler än|mindre än|färre än|"
                         r"per|à|varje)\s*$", re.I)
_LEADING = re.compile(r"^\s*[(\[]?\s*[x×]\s?(\d{1,2})\s*[)\]]?\s*[:\-–]?\s+", re.I)  # x2: text
_ONLY = re.compile(r"^\s*[(\[]?\s*(?:[x×]\s?(\d{1,2})|(\d{1,2})\s?(?:[x×]|st|ggr|gånger))"
                   r"\.?\s*[)\]]?\s*$", re.I)


def split_mark(text: str) -> tuple[str, int | None]:
    """Return the text without its duplicate mark, and the count the mark gave (or None)."""
    match = _WORD_MARK.search(text)
    if match and match.start() > 0 and text[: match.start()].strip():
        return text[: match.start()].rstrip(" ,;-–"), _BRACKET_WORDS[match.group(1).lower()]
    for pattern in _TRAILING:
        match = pattern.search(text)
        if match and match.start() > 0:
            rest = text[: match.start()].rstrip(" ,;-–")
            if rest and not _QUANTIFIED.search(text[: match.start()]):
                return rest, int(match.group(1))
    match = _LEADING.match(text)
    if match and text[match.end():].strip():
        return text[match.end():].strip(), int(match.group(1))
    return text, None


def mark_only(text: str) -> int | None:
    """The count of a cell that holds nothing but a mark, like "x3", "(2)", "(2 st)" or
    "(två)"; the one reader of such marks, for a note sheet's mark cells and a count
    column alike."""
    for words in (_WORD_MARK, _WORD_ONLY):
        match = words.match(text)
        if match:
            return _BRACKET_WORDS[_found(match).lower()]
    match = _BRACKETED_NUMBER.match(text) or _ONLY.match(text)
    return int(_found(match)) if match else None


def _found(match: re.Match[str]) -> str:
    """The group that matched, of a pattern's alternatives."""
    return next(group for group in match.groups() if group)
