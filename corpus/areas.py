"""The study's areas (kommunalförbund and the region) and how people write their names."""

from __future__ import annotations

import re
import unicodedata

# key -> label used in every table (bilaga 2 column order follows this dict)
AREAS: dict[str, str] = {
    "boras": "Borås",
    "fyrbodal": "Fyrbodal",
    "gr": "GR",
    "skaraborg": "Skaraborg",
    "vgr": "VGR",
}

# Long names used when quoting: "Deltagare Göteborgsregionen".
AREA_LONG_NAMES: dict[str, str] = {
    "boras": "Boråsregionen",
    "fyrbodal": "Fyrbodal",
    "gr": "Göteborgsregionen",
    "skaraborg": "Skaraborg",
    "vgr": "Västra Götalandsregionen",
}

_ALIASES: dict[str, str] = {
    "boras": "boras",
    "borasregionen": "boras",
    "sjuharad": "boras",
    "sjuharads kommunalforbund": "boras",
    "borasregionen sjuharads kommunalforbund": "boras",
    "fyrbodal": "fyrbodal",
    "fyrbodals kommunalforbund": "fyrbodal",
    "gr": "gr",
    "goteborgsregionen": "gr",
    "goteborgsregionens kommunalforbund": "gr",
    "goteborg": "gr",
    "skaraborg": "skaraborg",
    "skaraborgs kommunalforbund": "skaraborg",
    "vgr": "vgr",
    "vg": "vgr",
    "vastra gotalandsregionen": "vgr",
    "regionen": "vgr",
    "region vastra gotaland": "vgr",
}

ROLES: dict[str, str] = {
    "politicians": "Politiker",
    "second_line_managers": "2:a linjens chefer",
    "first_line_managers": "1:a linjens chefer",
    "officials": "Tjänstepersoner",
    "care_staff": "Vårdpersonal",
}

FORMATS: dict[str, str] = {"digital": "Digital", "fysisk": "Fysisk"}


def fold(text: str) -> str:
    """Lower-case, strip accents and punctuation, collapse spaces: for matching labels."""
    text = unicodedata.normalize("NFKD", str(text).lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return text.strip()


def area_key(text: object) -> str | None:
    """The area key for a label as people write it, or None if it is not an area."""
    if text is None:
        return None
    folded = fold(str(text))
    if not folded:
        return None
    if folded in _ALIASES:
        return _ALIASES[folded]
    return None


def require_area(text: object) -> str:
    key = area_key(text)
    if key is None:
        known = ", ".join(AREAS.values())
        raise ValueError(f"unknown area {text!r} (known: {known})")
    return key


def area_in_name(name: str) -> str | None:
    """Guess an area from a file name such as 'gr_grupp3.docx' (whole tokens only)."""
    tokens = fold(name).split()
    for size in (3, 2, 1):
        for i in range(len(tokens) - size + 1):
            key = area_key(" ".join(tokens[i : i + size]))
            if key and " ".join(tokens[i : i + size]) != "regionen":
                return key
    return None
