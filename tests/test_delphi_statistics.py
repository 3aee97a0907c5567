"""The Delphi statistics against worked examples and as properties."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from delphi.statistics import ConsensusRule, Outcome, disagreement_index, item_statistics, stability

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
    assert s.outcome == Outcome.INCLUDED          # median 7 and 80 % rated 7-9


def test_a_split_panel_disagrees():
    """Nine panellists split between the ends: the 30th percentile is 2 and the 70th 8
    (IPR 6), their centre is the scale's middle, so IPRAS is the symmetric 2.35 and the
    disagreement index 6 / 2.35."""
    ipr, ipras, di = disagreement_index([1, 1, 2, 2, 5, 8, 8, 9, 9])
    assert (ipr, ipras) == (6.0, 2.35)
    assert di == pytest.approx(6 / 2.35)
    s = item_statistics([1, 1, 2, 2, 5, 8, 8, 9, 9])
    assert s.disagreement and s.outcome == Outcome.NONE


def test_the_default_rule_needs_three_in_four_in_the_top_third():
    assert item_statistics([7, 8, 9, 2]).outcome == Outcome.INCLUDED        # 75 %
    assert item_statistics([7, 8, 9, 2, 3]).outcome == Outcome.NONE         # 60 %
    assert item_statistics([1, 2, 3, 9]).outcome == Outcome.EXCLUDED
    assert item_statistics([7, 8, 9, 2, 3], ConsensusRule(share=0.6)).outcome \
        == Outcome.INCLUDED
    assert item_statistics([7, 7, 7, 7], ConsensusRule(min_ratings=5)).outcome == Outcome.NONE


def test_cannot_judge_is_counted_apart_and_never_rated():
    s = item_statistics([None, 8, None, 8])
    assert (s.n, s.cannot_judge, s.median) == (2, 2, 8.0)
    empty = item_statistics([None, None])
    assert (empty.n, empty.median, empty.outcome) == (0, None, Outcome.NONE)


@pytest.mark.parametrize("bad", [0, 10, 7.5, True, "7"])
def test_a_rating_off_the_scale_is_refused(bad):
    with pytest.raises(ValueError, match="1-9"):
        item_statistics([5, bad])


@given(st.integers(1, 9), st.integers(1, 40))
def test_a_unanimous_panel_is_always_consensus(value, size):
    s = item_statistics([value] * size)
    assert s.outcome != Outcome.NONE
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
