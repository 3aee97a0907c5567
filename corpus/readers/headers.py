"""Recognising column headers and question labels as Swedish spreadsheets write them."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from ..dimensions import fold
from .marks import NUMBER_WORDS, mark_only

NOTE_HEADERS = (
    "inlagg", "text", "notering", "anteckning", "lapp", "post it", "postit", "kommentar",
    "svar", "forslag", "innehall", "note", "synpunkt", "fritext", "citat", "body",
)
AREA_HEADERS = ("omrade", "region", "kommunalforbund", "delregion", "area", "delomrade",
                "kommun", "kommunnamn", "stadsdel", "ort", "lan")
COUNT_HEADERS = ("antal", "dubblett", "count", "ggr", "forekomst")
QUESTION_HEADERS = ("fraga", "question", "fragenummer")
WORKSHOP_HEADERS = ("workshop", "tillfalle")
GROUP_HEADERS = ("grupp", "deltagargrupp", "roll", "yrkesroll", "yrkesgrupp", "malgrupp",
                 "deltagarkategori", "group", "role")
# Short headers that are never an area's name, though a row of them looks like one
NOT_AREAS = ("summa", "totalt", "total", "tema", "kategori", "nr", "id", "ovrigt", "datum",
             "kolumn", "rubrik", "namn", "name", "typ", "kod", "subtema", "huvudtema")

PADLET_HEADERS = {
    "subject": ("subject", "amne", "rubrik"),
    "body": ("body", "innehall", "brodtext"),
    "author": ("author", "forfattare", "skapare"),
    "section": ("section", "avsnitt", "kolumn", "column"),
    "created": ("created at", "skapad", "created", "datum"),
}
SURVEY_HINTS = (
    "tidstampel", "timestamp", "starttid", "start time", "completion time", "slutford",
    "svarstid", "respondent", "svars id", "response id",
)

# how a misspelled header is told apart from an area's name: a header the readers know
# differs from it by a letter or two
NEAR = 0.8
_SPELLED = {"omrade": "Område", "inlagg": "Inlägg", "fraga": "Fråga", "forslag": "Förslag",
            "innehall": "Innehåll", "lan": "Län", "tillfalle": "Tillfälle",
            "fragenummer": "Frågenummer", "kommunalforbund": "Kommunalförbund",
            "delomrade": "Delområde"}

_ENDINGS = ("en", "n", "et", "t", "ar", "arna", "er", "erna", "na", "s", "ens")

_QUESTION_NAME = re.compile(r"^(?:fraga|question|q|f)\s*(?:nr\s*)?(\d{1,2})\b")
_QUESTION_ANYWHERE = re.compile(r"\b(?:fraga|question)\s*(?:nr\s*)?(\d{1,2})\b")


def header_is(value: str | None, names: tuple[str, ...], inflected: bool = False) -> bool:
    """True if a header cell reads as one of `names` (exactly, or as its first words), or
    with `inflected` also as one of them inflected ("Lappar", "Frågan", "Kommunen"): a
    long sheet's columns, where an area's name is no header anyway."""
    if not value:
        return False
    folded = fold(value)
    if len(folded.split()) > 4:  # a header is a label, not a sentence
        return False
    if inflected:
        first = folded.split()[0] if folded.split() else ""
        if any(first.startswith(n) and first[len(n):] in _ENDINGS for n in names):
            return True
    return any(folded == n or folded.startswith(n + " ") for n in names)


def near_header(value: str | None) -> str | None:
    """The known header a cell seems to misspell ("Komun": "Kommun", "Lap": "Lapp"), or
    None: a column named so would otherwise be read as an area and its cells as notes."""
    folded = fold(value or "")
    if len(folded) < 3 or len(folded.split()) > 2:
        return None
    names = list(dict.fromkeys(n for group in (
        NOTE_HEADERS, AREA_HEADERS, COUNT_HEADERS, QUESTION_HEADERS, WORKSHOP_HEADERS,
        GROUP_HEADERS) for n in group))
    # the name itself, or inflected ("Kommunen", "Lappar"): a word, not a misspelling
    if any(folded == n or (folded.startswith(n) and folded[len(n):] in _ENDINGS)
           for n in names):
        return None
    best = max(names, key=lambda n: SequenceMatcher(None, folded, n).ratio())  # first wins
    if SequenceMatcher(None, folded, best).ratio() < NEAR:
        return None
    return _SPELLED.get(best, best.capitalize())


def question_from_sheet_name(name: str) -> int | None:
    folded = fold(name)
    if folded.isdigit() and len(folded) <= 2:
        return int(folded)
    match = _QUESTION_NAME.match(folded) or _QUESTION_NAME.match(folded.replace(" ", ""))
    return int(match.group(1)) if match else None


def question_in_text(text: str | None) -> int | None:
    if not text:
        return None
    match = _QUESTION_ANYWHERE.search(fold(text))
    return int(match.group(1)) if match else None


def plain_number(value: str | None) -> int | None:
    """A cell holding just a whole number ("2", " 2.0", "2,0": Excel and CSV write it so)."""
    match = re.fullmatch(r"\s*(\d{1,4})(?:[.,]0+)?\s*", value or "")
    return int(match.group(1)) if match else None


def parse_count(value: str | None) -> int | None:
    """A count column's value: a plain number or one written out ("två"), else any mark a
    note's own cell may carry ("x2", "2 st", "(2)", "[3]", "(dubblett)"), read by the same
    rules."""
    if not value:
        return None
    word = NUMBER_WORDS.get(value.strip().lower())   # alone in a count column: a count
    return plain_number(value) or word or mark_only(value)
