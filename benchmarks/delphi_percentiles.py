"""How often each percentile definition's RAND/UCLA disagreement verdict (IPR > IPRAS)
agrees with the classic count rule for a panel of nine (at least three ratings in 1-3
and three in 7-9), over every possible set of nine ratings 1-9. The figures quoted in
delphi/statistics.py and the README come from this script:

    PYTHONPATH=. python benchmarks/delphi_percentiles.py
"""

from __future__ import annotations

import itertools

from delphi.statistics import count_disagreement, disagreement_index

# NumPy's names of Hyndman & Fan's definitions 5-9 and the nearest rank (definition 1)
METHODS = {"inverted_cdf": 1, "hazen": 5, "weibull": 6, "linear": 7, "median_unbiased": 8,
           "normal_unbiased": 9}


def main() -> None:
    sets = list(itertools.combinations_with_replacement(range(1, 10), 9))
    agree = dict.fromkeys(METHODS, 0)
    for ratings in sets:
        classic = count_disagreement(ratings)
        for method in METHODS:
            agree[method] += (disagreement_index(ratings, method)[2] > 1.0) == classic
    print(f"{len(sets):,} sets of nine ratings")
    for method, type_ in METHODS.items():
        print(f"Hyndman & Fan definition {type_} ({method}): agrees with the count rule "
              f"on {agree[method]:,} ({agree[method] / len(sets):.1%})")


if __name__ == "__main__":
    main()
