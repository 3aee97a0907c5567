"""What a Delphi round's ratings say about one item: median and spread, the shares in each
third of the 1-9 scale, the RAND/UCLA disagreement index, the lead's consensus rule, and
how much the answers moved since the previous round.

Pure functions over plain lists, so the app, the exports, the method paragraph and a
notebook compute the same figures. A rating is an int 1-9; None is "kan inte bedöma",
counted apart and left out of every figure.

Percentiles are linear interpolation between the sorted ratings (NumPy's default, Excel's
PERCENTILE.INC), which reproduces the worked examples published for the RAND/UCLA method.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SCALE = range(1, 10)
# RAND/UCLA Appropriateness Method User's Manual (Fitch et al. 2001), chapter 8: the
# interpercentile range (30th-70th) that means disagreement when ratings are symmetric
# about the scale's middle, and how much wider it may be per point of asymmetry
IPR_REQUIRED = 2.35
ASYMMETRY_CORRECTION = 1.5
MIDDLE = 5.0
STABLE_CHANGE = 0.15     # Scheibe, Skutsch & Schofer (1975): under 15 % change is stable


class Outcome:
    """What the consensus rule decides for an item (values stored and exported)."""

    INCLUDED = "included"
    EXCLUDED = "excluded"
    EQUIVOCAL = "equivocal"          # agreement on the middle of the scale (4-6)
    NONE = "no consensus"


@dataclass(frozen=True)
class ConsensusRule:
    """Consensus when at least `share` of the ratings fall in one third of the scale and
    the median lies there too: 7-9 includes the item, 1-3 excludes it, 4-6 is agreement
    that it is neither. The lead may tighten or loosen it; the defaults are the usual
    Delphi ones (median >= 7 with 75 % rating 7-9 includes)."""

    share: float = 0.75
    include_median: float = 7.0
    exclude_median: float = 3.0
    min_ratings: int = 1            # fewer answers than this: no consensus yet

    def __post_init__(self) -> None:
        if not 0.5 < self.share <= 1.0:
            raise ValueError("the consensus share must be above 0.5 and at most 1")
        if not 1 <= self.exclude_median < self.include_median <= 9:
            raise ValueError("the medians must satisfy 1 <= exclude < include <= 9")


@dataclass(frozen=True)
class ItemStatistics:
    n: int                          # ratings 1-9
    cannot_judge: int               # "kan inte bedöma"
    distribution: tuple[int, ...]   # how many rated 1, 2, …, 9
    median: float | None
    q1: float | None
    q3: float | None
    iqr: float | None
    share_low: float | None         # rated 1-3
    share_middle: float | None      # rated 4-6
    share_high: float | None        # rated 7-9
    ipr: float | None               # 70th minus 30th percentile
    ipras: float | None             # the IPR that would mean disagreement at this asymmetry
    disagreement_index: float | None
    disagreement: bool
    outcome: str


def _ratings(ratings: Sequence[int | None]) -> tuple[np.ndarray, int]:
    given = [r for r in ratings if r is not None]
    wrong = [r for r in given if isinstance(r, bool) or r not in SCALE]
    if wrong:
        raise ValueError(f"ratings must be whole numbers 1-9 (got {wrong[0]!r})")
    return np.array(sorted(given), dtype=float), len(ratings) - len(given)


def disagreement_index(ratings: Sequence[int]) -> tuple[float, float, float]:
    """(IPR, IPRAS, DI = IPR / IPRAS): above 1 the panel disagrees."""
    values = np.asarray(ratings, dtype=float)
    p30, p70 = np.percentile(values, [30, 70])
    ipr = float(p70 - p30)
    asymmetry = abs(MIDDLE - (p30 + p70) / 2)
    ipras = IPR_REQUIRED + ASYMMETRY_CORRECTION * asymmetry
    return ipr, float(ipras), ipr / ipras


def outcome(median: float, low: float, middle: float, high: float, n: int,
            rule: ConsensusRule) -> str:
    if n < rule.min_ratings:
        return Outcome.NONE
    if median >= rule.include_median and high >= rule.share:
        return Outcome.INCLUDED
    if median <= rule.exclude_median and low >= rule.share:
        return Outcome.EXCLUDED
    if rule.exclude_median < median < rule.include_median and middle >= rule.share:
        return Outcome.EQUIVOCAL
    return Outcome.NONE


def item_statistics(ratings: Sequence[int | None],
                    rule: ConsensusRule | None = None) -> ItemStatistics:
    """Every figure for one item in one round; the order of the ratings never matters."""
    rule = rule or ConsensusRule()
    values, cannot = _ratings(ratings)
    counts = tuple(int((values == v).sum()) for v in SCALE)
    n = len(values)
    if n == 0:
        return ItemStatistics(0, cannot, counts, None, None, None, None, None, None, None,
                              None, None, None, False, Outcome.NONE)
    median = float(np.median(values))
    q1, q3 = (float(q) for q in np.percentile(values, [25, 75]))
    low = sum(counts[0:3]) / n
    middle = sum(counts[3:6]) / n
    high = sum(counts[6:9]) / n
    ipr, ipras, di = disagreement_index(values)
    return ItemStatistics(n, cannot, counts, median, q1, q3, q3 - q1, low, middle, high,
                          ipr, ipras, di, di > 1.0,
                          outcome(median, low, middle, high, n, rule))


@dataclass(frozen=True)
class Stability:
    """How much an item's answers moved between two rounds."""

    change: float            # share of the panel that would have to move to turn one
                             # round's distribution into the other's
    stable: bool             # change under STABLE_CHANGE
    panelists_both: int      # panelists who rated the item in both rounds
    changed: float | None    # of those, the share who gave another rating
    moved_two_or_more: float | None
    median_shift: float | None


def stability(previous: dict[str, int | None], current: dict[str, int | None]) -> Stability:
    """Between two rounds, answers keyed by panelist pseudonym. The group measure is
    Scheibe et al.'s net change of the two distributions (half the summed absolute
    differences of the shares per rating); the per-panelist measures use only those who
    rated in both rounds."""
    before, _ = _ratings(list(previous.values()))
    after, _ = _ratings(list(current.values()))
    if not len(before) or not len(after):
        return Stability(1.0, False, 0, None, None, None)
    shares = [np.array([(v == s).mean() for s in SCALE]) for v in (before, after)]
    change = float(np.abs(shares[0] - shares[1]).sum() / 2)
    both = [(previous[p], current[p]) for p in previous
            if p in current and previous[p] is not None and current[p] is not None]
    diffs = np.array([abs(a - b) for a, b in both], dtype=float)
    return Stability(
        change, change < STABLE_CHANGE, len(both),
        float((diffs > 0).mean()) if len(diffs) else None,
        float((diffs >= 2).mean()) if len(diffs) else None,
        float(np.median(after) - np.median(before)))
