"""The Delphi statistics against worked examples and as properties."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from delphi.statistics import (
    COUNT,
    SHARE,
    ConsensusRule,
    Outcome,
    disagreement_index,
    item_statistics,
    stability,
)

SHARE_RULE = ConsensusRule(kind=SHARE)

ratings = st.lists(st.integers(1, 9), min_size=1, max_size=60)


def test_the_published_rand_ucla_example():
    """BMJ Open 2012;2:e001431, table 1 (RAND/UCLA method, one criterion, 15 panellists):
    one each rated 4, 5 and 6, five rated 7, five rated 8, two rated 9. Published: median
    7.0, 30th percentile 7.0, 70th 8.0, IPR 1.0, IPRCP 7.5, asymmetry 2.5, IPRAS 6.1, no
    disagreement."""
    panel = [4, 5, 6] + [7] * 5 + [8] * 5 + [9] * 2
    s = item_statistics(panel)
    assert s.median == 7.0
    assert s.ipr == 1.0
    assert round(s.ipras, 1) == 6.1
    assert s.disagreement_index == pytest.approx(1.0 / 6.1)
    assert not s.disagreement
    assert s.distribution == (0, 0, 0, 1, 1, 1, 5, 5, 2)
    assert s.share_high == pytest.approx(12 / 15)
    assert s.outcome == Outcome.APPROPRIATE       # median 7, no disagreement
    assert item_statistics(panel, SHARE_RULE).outcome == Outcome.INCLUDED   # 80 % in 7-9


def test_a_split_panel_disagrees():
    """Nine panellists split between the ends: the 30th percentile is 2 and the 70th 8
    (IPR 6), their centre is the scale's middle, so IPRAS is the symmetric 2.35 and the
    disagreement index 6 / 2.35."""
    ipr, ipras, di = disagreement_index([1, 1, 2, 2, 5, 8, 8, 9, 9])
    assert (ipr, ipras) == (6.0, 2.35)
    assert di == pytest.approx(6 / 2.35)
    s = item_statistics([1, 1, 2, 2, 5, 8, 8, 9, 9])
    assert s.disagreement and s.outcome == Outcome.UNCERTAIN
    assert item_statistics([1, 1, 2, 2, 5, 8, 8, 9, 9], SHARE_RULE).outcome == Outcome.NONE


def test_the_share_rule_needs_three_in_four_in_the_top_third():
    assert item_statistics([7, 8, 9, 2], SHARE_RULE).outcome == Outcome.INCLUDED    # 75 %
    assert item_statistics([7, 8, 9, 2, 3], SHARE_RULE).outcome == Outcome.NONE     # 60 %
    assert item_statistics([1, 2, 3, 9], SHARE_RULE).outcome == Outcome.EXCLUDED
    assert item_statistics([7, 8, 9, 5, 6], ConsensusRule(share=0.6, kind=SHARE)).outcome \
        == Outcome.INCLUDED
    # 60 % too, but 2 and 3 against 7-9 is disagreement: the share rule never decides then
    assert item_statistics([7, 8, 9, 2, 3], ConsensusRule(share=0.6, kind=SHARE)).outcome \
        == Outcome.NONE
    assert item_statistics([7, 7, 7, 7], ConsensusRule(min_ratings=5)).outcome \
        == Outcome.TOO_FEW


def test_cannot_judge_is_counted_apart_and_never_rated():
    s = item_statistics([None, 8, None, 8])
    assert (s.n, s.cannot_judge, s.median) == (2, 2, 8.0)
    empty = item_statistics([None, None])
    assert (empty.n, empty.median, empty.outcome) == (0, None, Outcome.TOO_FEW)


@pytest.mark.parametrize("bad", [0, 10, 7.5, True, "7"])
def test_a_rating_off_the_scale_is_refused(bad):
    with pytest.raises(ValueError, match="1-9"):
        item_statistics([5, bad])


@given(st.integers(1, 9), st.integers(1, 40))
def test_a_unanimous_panel_is_always_consensus(value, size):
    s = item_statistics([value] * size, SHARE_RULE)
    assert s.outcome in (Outcome.INCLUDED, Outcome.EXCLUDED, Outcome.EQUIVOCAL)
    assert s.disagreement_index == 0 and s.iqr == 0 and s.median == value


@given(ratings, st.randoms())
def test_permuting_panelists_changes_nothing(panel, rnd):
    shuffled = list(panel)
    rnd.shuffle(shuffled)
    assert item_statistics(shuffled) == item_statistics(panel)


@given(ratings)
def test_the_shares_add_up_and_the_median_lies_between_the_quartiles(panel):
    s = item_statistics(panel)
    assert s.share_low + s.share_middle + s.share_high == pytest.approx(1.0)
    assert sum(s.distribution) == s.n == len(panel)
    assert s.q1 <= s.median <= s.q3


def test_stability_between_rounds():
    first = {f"P{i}": r for i, r in enumerate([5, 5, 6, 7, 8, 8, 9, 4])}
    same = stability(first, dict(first))
    assert (same.change, same.stable, same.changed, same.median_shift) == (0.0, True, 0.0, 0.0)
    moved = {p: 8 for p in first}
    s = stability(first, moved)
    assert s.change == pytest.approx(1 - 2 / 8)         # the two 8s needed no move
    assert not s.stable
    assert s.changed == pytest.approx(6 / 8)
    assert s.moved_two_or_more == pytest.approx(4 / 8)   # 5, 5, 6 and 4 moved two or more
    newcomer = stability({"A": 7}, {"A": 7, "B": None, "C": 9})
    assert newcomer.panelists_both == 1


def test_stability_ignores_who_is_who_for_the_group_measure():
    before = {f"P{i}": random.Random(i).randint(1, 9) for i in range(20)}
    after = {f"P{i}": random.Random(100 + i).randint(1, 9) for i in range(20)}
    renamed = {f"X{k}": v for k, v in enumerate(after.values())}
    assert stability(before, after).change == stability(before, renamed).change


# ---- the rules a methods reviewer checks (issue 43) --------------------------------------

def test_one_rating_among_nine_is_too_few_and_never_included():
    """One panelist rates 9, eight cannot judge: below the default quorum (half the panel
    of nine, rounded up: 5) under both rules; the lead may set the quorum."""
    answers = [9] + [None] * 8
    for rule in (ConsensusRule(), SHARE_RULE):
        s = item_statistics(answers, rule, panel=9)
        assert (s.quorum, s.outcome, s.rand_ucla) == (5, Outcome.TOO_FEW, Outcome.TOO_FEW)
    assert item_statistics([8, 9], panel=9).outcome == Outcome.TOO_FEW     # 2 of 9 answered
    assert item_statistics([8, 9] + [8] * 3, panel=9).outcome == Outcome.APPROPRIATE
    assert item_statistics([8, 9], ConsensusRule(min_ratings=2), panel=9).outcome \
        == Outcome.APPROPRIATE
    assert ConsensusRule(quorum_share=0.75).quorum(9) == 7


def test_disagreement_keeps_the_share_rule_from_including():
    """1,1,1,1,7,7,7,8,9,9 with share 0.6: by hand (definition 7) the 30th percentile is
    x3 + 0.7 (x4 - x3) = 1, the 70th x7 + 0.3 (x8 - x7) = 7.3: IPR 6.3; centre 4.15,
    asymmetry 0.85, IPRAS 2.35 + 1.5 x 0.85 = 3.625: disagreement."""
    panel = [1, 1, 1, 1, 7, 7, 7, 8, 9, 9]
    s = item_statistics(panel, ConsensusRule(share=0.6, kind=SHARE))
    assert s.ipr == pytest.approx(6.3) and s.ipras == pytest.approx(3.625)
    assert s.disagreement and s.share_high == 0.6 and s.median == 7.0
    assert s.outcome == Outcome.NONE and s.rand_ucla == Outcome.UNCERTAIN


def test_rand_ucla_classifies_what_the_share_rule_leaves_undecided():
    """4,5,6,7,7,8,8,9,9: median 7, 30th 6.4, 70th 8 (IPR 1.6, IPRAS 2.35 + 1.5 x 2.2 =
    5.65): appropriate; only 67 % in 7-9, so the share rule (75 %) decides nothing.
    1,1,2,2,3,3,4,5,6 is inappropriate the same way."""
    s = item_statistics([4, 5, 6, 7, 7, 8, 8, 9, 9])
    assert (s.ipr, s.ipras) == (pytest.approx(1.6), pytest.approx(5.65))
    assert s.outcome == s.rand_ucla == Outcome.APPROPRIATE
    assert item_statistics([4, 5, 6, 7, 7, 8, 8, 9, 9], SHARE_RULE).outcome == Outcome.NONE
    low = item_statistics([1, 1, 2, 2, 3, 3, 4, 5, 6])
    assert low.outcome == Outcome.INAPPROPRIATE and not low.disagreement
    assert item_statistics([3, 4, 4, 5, 5, 5, 6, 6, 7]).outcome == Outcome.UNCERTAIN
    assert item_statistics([6, 6, 6, 7, 7, 7]).median == 6.5
    assert item_statistics([6, 6, 6, 7, 7, 7]).outcome == Outcome.UNCERTAIN   # 6.5 is not 7-9


@pytest.mark.parametrize("panel, p7, p6", [
    # hand: definition 7 at (n - 1) p, definition 6 at (n + 1) p (1-based ranks)
    ([1, 2, 3, 7, 7, 7, 8, 9, 9], (4.6, 7.6, 4.0), (3.0, 8.0, 3.1)),
    ([1, 1, 1, 2, 3, 3, 7, 9, 9], (1.4, 5.4, 4.75), (1.0, 7.0, 3.85)),
])
def test_the_percentile_definitions_disagree_and_both_are_shown(panel, p7, p6):
    """Where the definitions differ, definition 7 finds no disagreement, definition 6 and
    the classic count rule (three or more in 1-3 and in 7-9) do; Python's
    statistics.quantiles ('inclusive' is definition 7, 'exclusive' definition 6) is the
    independent reference."""
    import statistics

    inclusive = statistics.quantiles(panel, n=10, method="inclusive")
    exclusive = statistics.quantiles(panel, n=10, method="exclusive")
    assert (inclusive[2], inclusive[6]) == (pytest.approx(p7[0]), pytest.approx(p7[1]))
    assert (exclusive[2], exclusive[6]) == (pytest.approx(p6[0]), pytest.approx(p6[1]))
    s = item_statistics(panel)
    assert s.ipr == pytest.approx(p7[1] - p7[0]) and s.ipras == pytest.approx(p7[2])
    assert s.ipr_alt == pytest.approx(p6[1] - p6[0]) and s.ipras_alt == pytest.approx(p6[2])
    assert not s.disagreement and s.disagreement_alt and s.disagreement_count
    counted = item_statistics(panel, ConsensusRule(disagreement=COUNT))
    assert counted.disagreement and counted.disagreement_by == COUNT
    assert counted.outcome == Outcome.UNCERTAIN


def test_the_count_rule_applies_to_nine_ratings_only():
    ten = item_statistics([1, 1, 1, 5, 5, 5, 5, 9, 9, 9], ConsensusRule(disagreement=COUNT))
    assert ten.disagreement_count is None and ten.disagreement_by == "ipras"


def test_the_figures_are_plain_python_for_json():
    import json
    from dataclasses import asdict

    json.dumps(asdict(item_statistics([1, 2, 3, 7, 7, 7, 8, 9, 9])))
    assert type(item_statistics([5, 6]).disagreement) is bool
