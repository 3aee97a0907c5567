"""What a Delphi round's ratings say about one item: median and spread, the shares in each
third of the 1-9 scale, the RAND/UCLA disagreement index and classification, the lead's
share rule, and how much the answers moved since the previous round.

Pure functions over plain lists, so the app, the exports, the method paragraph and a
notebook compute the same figures. A rating is an int 1-9; None is "kan inte bedöma",
counted apart and left out of every figure.

Two rules decide an item, named apart so an export never calls one by the other's name:
- RAND/UCLA (Fitch et al. 2001, the RAND/UCLA Appropriateness Method User's Manual,
  ch. 8): median 7-9 without disagreement is appropriate, median 1-3 without disagreement
  inappropriate, anything else (a median of 3.5-6.5, or disagreement) uncertain.
  Disagreement is IPR > IPRAS (the 30th-70th interpercentile range against the range
  that means disagreement at this asymmetry) or, as an option for panels of nine, the
  classic count rule: at least three ratings in 1-3 and at least three in 7-9.
- the share rule (the lead's): at least `share` of the ratings in one third of the scale
  with the median there too, and no disagreement.
Under both, an item with fewer ratings than the quorum has "too few ratings" and is never
decided.

Percentiles: Hyndman & Fan (1996) definition 7, linear interpolation between the sorted
ratings (R's and NumPy's default, Excel's PERCENTILE.INC), chosen so a reader can check
every figure in a spreadsheet. The manual names the 30th and 70th percentiles without
fixing a definition, and the definitions differ on small panels: definition 6 (Excel's
PERCENTILE.EXC, SPSS) is computed beside it and every export shows both where the
disagreement verdicts differ. Over all 24,310 possible sets of nine ratings, definition 7
agrees with the classic count rule on 92.5 % and definition 6 on 86.8 %
(`python benchmarks/delphi_percentiles.py`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

SCALE = range(1, 10)
# RAND/UCLA Appropriateness Method User's Manual (Fitch et al. 2001), chapter 8: the
# interpercentile range (30th-70th) that means disagreement when ratings are symmetric
# about the scale's middle, and how much wider it may be per point of asymmetry
IPR_REQUIRED = 2.35
ASYMMETRY_CORRECTION = 1.5
MIDDLE = 5.0
STABLE_CHANGE = 0.15     # Scheibe, Skutsch & Schofer (1975): under 15 % change is stable
PERCENTILE = "linear"            # Hyndman & Fan definition 7 (NumPy's method name)
PERCENTILE_ALT = "weibull"       # Hyndman & Fan definition 6
PERCENTILE_NAMES = {PERCENTILE: "Hyndman & Fan typ 7 (linjär; Excel PERCENTIL.INK)",
                    PERCENTILE_ALT: "Hyndman & Fan typ 6 (Excel PERCENTIL.EXK, SPSS)"}
RAND_UCLA, SHARE = "rand-ucla", "share"
RULES = (RAND_UCLA, SHARE)
IPRAS, COUNT = "ipras", "count"
DISAGREEMENTS = (IPRAS, COUNT)
COUNT_PANEL = 9                  # the classic count rule is defined for panels of nine
QUORUM_SHARE = 0.5               # default quorum: half the panel of the round


class Outcome:
    """What the study's rule decides for an item (values stored and exported)."""

    # the share rule
    INCLUDED = "included"
    EXCLUDED = "excluded"
    EQUIVOCAL = "equivocal"          # agreement on the middle of the scale (4-6)
    NONE = "no consensus"
    # RAND/UCLA
    APPROPRIATE = "appropriate"
    UNCERTAIN = "uncertain"
    INAPPROPRIATE = "inappropriate"
    # either rule: fewer ratings than the quorum
    TOO_FEW = "too few ratings"


DECIDED = (Outcome.INCLUDED, Outcome.EXCLUDED, Outcome.EQUIVOCAL, Outcome.APPROPRIATE,
           Outcome.INAPPROPRIATE)        # reached consensus: leaves the next round
KEPT = (Outcome.INCLUDED, Outcome.APPROPRIATE)      # in the final table


@dataclass(frozen=True)
class ConsensusRule:
    """How an item is decided: `kind` RAND/UCLA (the default) or the lead's share rule
    (at least `share` of the ratings in one third of the scale, the median there too:
    7-9 includes, 1-3 excludes, 4-6 is agreement that it is neither). Either way an item
    needs `min_ratings` ratings (by default `quorum_share` of the round's panel, rounded
    up) and no disagreement (`disagreement`: IPR/IPRAS, or the count rule for nine)."""

    share: float = 0.75
    include_median: float = 7.0
    exclude_median: float = 3.0
    min_ratings: int | None = None      # None: quorum_share of the panel
    kind: str = RAND_UCLA
    quorum_share: float = QUORUM_SHARE
    disagreement: str = IPRAS

    def __post_init__(self) -> None:
        if not 0.5 < self.share <= 1.0:
            raise ValueError("the consensus share must be above 0.5 and at most 1")
        if not 1 <= self.exclude_median < self.include_median <= 9:
            raise ValueError("the medians must satisfy 1 <= exclude < include <= 9")
        if self.kind not in RULES:
            raise ValueError(f"the rule is one of {', '.join(RULES)}, not {self.kind!r}")
        if self.disagreement not in DISAGREEMENTS:
            raise ValueError(f"disagreement is one of {', '.join(DISAGREEMENTS)}")
        if self.min_ratings is not None and self.min_ratings < 1:
            raise ValueError("the quorum is at least one rating")
        if not 0 < self.quorum_share <= 1:
            raise ValueError("the quorum share must be above 0 and at most 1")

    def quorum(self, panel: int | None) -> int:
        """The ratings an item needs, for a round whose panel is `panel` members."""
        if self.min_ratings is not None:
            return self.min_ratings
        return max(1, math.ceil(self.quorum_share * panel)) if panel else 1


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
    ipr: float | None               # 70th minus 30th percentile (definition 7)
    ipras: float | None             # the IPR that would mean disagreement at this asymmetry
    disagreement_index: float | None
    disagreement: bool              # by the rule's definition (IPR/IPRAS or the count)
    outcome: str                    # the study's rule
    rand_ucla: str = Outcome.UNCERTAIN  # the RAND/UCLA classification, whatever the rule
    quorum: int = 1
    ipr_alt: float | None = None    # with percentile definition 6
    ipras_alt: float | None = None
    disagreement_alt: bool | None = None
    disagreement_count: bool | None = None   # the classic rule, nine ratings only
    disagreement_by: str = IPRAS    # the definition that decided `disagreement`


def _ratings(ratings: Sequence[int | None]) -> tuple[np.ndarray, int]:
    given = [r for r in ratings if r is not None]
    wrong = [r for r in given if isinstance(r, bool) or r not in SCALE]
    if wrong:
        raise ValueError(f"ratings must be whole numbers 1-9 (got {wrong[0]!r})")
    return np.array(sorted(given), dtype=float), len(ratings) - len(given)


def disagreement_index(ratings: Sequence[float] | np.ndarray, method: str = PERCENTILE
                       ) -> tuple[float, float, float]:
    """(IPR, IPRAS, DI = IPR / IPRAS): above 1 the panel disagrees. `method` is NumPy's
    name of the percentile definition."""
    values = np.asarray(ratings, dtype=float)
    p30, p70 = np.percentile(values, [30, 70],  # type: ignore[call-overload]  # method: any of
                             method=method)     # NumPy's names, a str here, not its Literal
    ipr = float(p70 - p30)
    asymmetry = abs(MIDDLE - (p30 + p70) / 2)
    ipras = IPR_REQUIRED + ASYMMETRY_CORRECTION * asymmetry
    return ipr, float(ipras), ipr / ipras


def count_disagreement(ratings: Sequence[int]) -> bool | None:
    """The classic rule for a panel of nine: at least three ratings in 1-3 and at least
    three in 7-9; None for any other number of ratings."""
    values = list(ratings)
    if len(values) != COUNT_PANEL:
        return None
    return sum(v <= 3 for v in values) >= 3 and sum(v >= 7 for v in values) >= 3


def rand_ucla(median: float, disagreement: bool) -> str:
    """The RAND/UCLA classification."""
    if disagreement:
        return Outcome.UNCERTAIN
    if median >= 7:
        return Outcome.APPROPRIATE
    if median <= 3:
        return Outcome.INAPPROPRIATE
    return Outcome.UNCERTAIN


def share_rule(median: float, low: float, middle: float, high: float, disagreement: bool,
               rule: ConsensusRule) -> str:
    """The lead's share rule; never a decision where the panel disagrees."""
    if disagreement:
        return Outcome.NONE
    if median >= rule.include_median and high >= rule.share:
        return Outcome.INCLUDED
    if median <= rule.exclude_median and low >= rule.share:
        return Outcome.EXCLUDED
    if rule.exclude_median < median < rule.include_median and middle >= rule.share:
        return Outcome.EQUIVOCAL
    return Outcome.NONE


def outcome(median: float, low: float, middle: float, high: float, n: int,
            rule: ConsensusRule, disagreement: bool = False, panel: int | None = None) -> str:
    """The study's rule for one item."""
    if n < rule.quorum(panel):
        return Outcome.TOO_FEW
    if rule.kind == RAND_UCLA:
        return rand_ucla(median, disagreement)
    return share_rule(median, low, middle, high, disagreement, rule)


def item_statistics(ratings: Sequence[int | None], rule: ConsensusRule | None = None,
                    panel: int | None = None) -> ItemStatistics:
    """Every figure for one item in one round (`panel`: the round's panel, for the
    default quorum); the order of the ratings never matters."""
    rule = rule or ConsensusRule()
    values, cannot = _ratings(ratings)
    counts = tuple(int((values == v).sum()) for v in SCALE)
    n = len(values)
    quorum = rule.quorum(panel)
    if n == 0:
        return ItemStatistics(0, cannot, counts, None, None, None, None, None, None, None,
                              None, None, None, False, Outcome.TOO_FEW, Outcome.TOO_FEW,
                              quorum)
    median = float(np.median(values))
    q1, q3 = (float(q) for q in np.percentile(values, [25, 75]))
    low = sum(counts[0:3]) / n
    middle = sum(counts[3:6]) / n
    high = sum(counts[6:9]) / n
    ipr, ipras, di = disagreement_index(values)
    ipr_alt, ipras_alt, di_alt = disagreement_index(values, PERCENTILE_ALT)
    by_count = count_disagreement(values.tolist())
    by = COUNT if rule.disagreement == COUNT and by_count is not None else IPRAS
    disagree = bool(by_count) if by == COUNT else bool(di > 1.0)
    classification = Outcome.TOO_FEW if n < quorum else rand_ucla(median, disagree)
    return ItemStatistics(n, cannot, counts, median, q1, q3, q3 - q1, low, middle, high,
                          ipr, ipras, float(di), disagree,
                          outcome(median, low, middle, high, n, rule, disagree, panel),
                          classification, quorum, ipr_alt, ipras_alt, bool(di_alt > 1.0),
                          by_count, by)


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


def stability(previous: dict[Any, int | None], current: dict[Any, int | None]) -> Stability:
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
    both = [(a, b) for p, a in previous.items()
            if p in current and a is not None and (b := current[p]) is not None]
    diffs = np.array([abs(a - b) for a, b in both], dtype=float)
    return Stability(
        change, change < STABLE_CHANGE, len(both),
        float((diffs > 0).mean()) if len(diffs) else None,
        float((diffs >= 2).mean()) if len(diffs) else None,
        float(np.median(after) - np.median(before)))
