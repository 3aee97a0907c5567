"""Numbers as a Swedish report prints them: decimal comma, "6,3 %", agreement figures to
three decimals (the precision of the readings' bounds, 0,667 and 0,800), and a count
with its noun in the right number ("1 kodad enhet"). One place, so that every export
and page writes a figure the same way; xlsx keeps numbers (Excel shows them in the
reader's locale), csv keeps a point for the programs that read it. In corpus, the
bottom layer, so that coding's tables and the app use it too."""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

import pandas as pd

AGREEMENT_DIGITS = 3      # the readings' bounds (0,667, 0,800) have three decimals
PERCENT_DIGITS = 1
# columns of a report table whose values are shares (0–1) or already percentages
SHARE_PREFIX = "Andel"
PERCENT_SUFFIX = "(%)"
FIGURE_WORDS = ("kappa", "alfa", "alpha")     # agreement figures: always three decimals


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def _half_up(x: float, digits: int) -> Decimal:
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)


def _cut(x: float, digits: int) -> Decimal:
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-digits), ROUND_FLOOR)


def rounded(x: float, digits: int = AGREEMENT_DIGITS) -> float:
    """`x` as `decimal` prints it, as a number (to judge a figure as it is read)."""
    return float(_cut(x, digits))


def decimal(x: float | None, digits: int = AGREEMENT_DIGITS, missing: str = "–") -> str:
    """"0,800", "-0,121": an agreement figure cut (towards minus infinity) to three
    decimals, so that 0,7996 prints 0,799 beside its reading "preliminär" and never 0,800;
    `missing` for an undefined figure."""
    if _missing(x):
        return missing
    assert x is not None
    text = f"{_cut(x, digits):.{digits}f}".replace(".", ",")
    return "0" + text[2:] if text.startswith("-0") and not text.strip("-0,") else text


def percent(share: float | None, digits: int = PERCENT_DIGITS, missing: str = "–") -> str:
    """A share (0–1) as "6,3 %" (a non-breaking space before the sign, as in print)."""
    if _missing(share):
        return missing
    assert share is not None
    text = f"{_half_up(100 * float(share), digits):.{digits}f}".replace(".", ",")
    return f"{text}\u00a0%"      # rounded half up, as a report rounds: 6,25 → 6,3


def count(n: int, one: str, many: str) -> str:
    """"1 kodad enhet", "3 kodade enheter"."""
    return f"{n} {one if n == 1 else many}"


def coded_units(n: int) -> str:
    return count(n, "kodad enhet", "kodade enheter")


def cell(value: object, column: str = "", fractions: bool = False) -> str:
    """A table cell as printed: shares in Andel… columns as percentages, figures in "(%)"
    columns with one decimal, agreement figures (kappa, alfa) and the numbers of a column
    holding `fractions` to three decimals, whole numbers as they are; an empty cell for
    nothing."""
    if _missing(value):
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if column.startswith(SHARE_PREFIX):
        return percent(value)
    if column.endswith(PERCENT_SUFFIX):
        return decimal(value, PERCENT_DIGITS)
    if float(value).is_integer() and not fractions \
            and not any(w in column.lower() for w in FIGURE_WORDS):
        return str(int(value))
    return decimal(value)


def shown(frame: pd.DataFrame, shares: Iterable[str] = ()) -> pd.DataFrame:
    """The frame with every number written as `cell` writes it (for Word, Markdown and
    the app's tables); `shares` names more columns that hold shares."""
    extra = set(shares)
    out = frame.copy()
    for column in out.columns:
        name = f"{SHARE_PREFIX} {column}" if column in extra else str(column)
        values = out[column].tolist()
        if all(type(v) is str for v in values):
            continue                  # text (a bilaga's notes): nothing to write anew
        fractions = any(isinstance(v, float) and not _missing(v) and not v.is_integer()
                        for v in values)
        out[column] = [cell(v, name, fractions) for v in values]
    return out
