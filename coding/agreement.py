"""How far independent coders agreed, per code and overall, with bootstrap intervals.

Units: a note is a unit; in a transcript the unit is a sentence (a coding of a whole turn
counts for each of its sentences). Each unit x code is a yes/no decision per coder, for
every code at the level (codes nobody applied too: agreeing that a code is absent is a
decision). A coder has decided a unit once it is marked done (in any round) or the coder
has decided any code on it:
- in a round (see `rounds`), the units are those two or more of the round's coders
  decided; a coder's value is missing where they did not;
- without a round (codings imported from another tool or coded freely), the units are
  those every compared coder decided: a unit nobody looked at is not an agreement.

Point estimates come from scikit-learn (`cohen_kappa_score`, two coders) and the
`krippendorff` package (nominal alpha, any number of coders, missing values allowed);
Fleiss' kappa (three or more coders, the units every one of them decided) is the closed
form, checked against statsmodels in the tests. The bootstrap resamples units (not
unit x code pairs, which are not independent) and uses the closed forms for binary data.

The pooled figure over all codes measures how the codes differ from one another as much
as how the coders agree: it is labelled as pooled, carries no reading, and is shown with
the range of the per-code figures. Figures are cut (not rounded) to the shown decimals,
so a printed figure never reaches a reading's threshold its value does not.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import ROUND_FLOOR, Decimal

import krippendorff
import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score
from sqlalchemy import select
from sqlalchemy.orm import Session

from corpus import numbers
from corpus.errors import QdaError
from corpus.models import Assignment, Coding, NotRelevant, Round, Segment
from corpus.models import Code as CodeRow
from corpus.vocabulary import DECISIONS, Status
from people.accounts import Actor, Can
from people.identity import known_people

from . import access

LEVELS = ("huvudtema", "subtema", "kod")
BOTH = "both"                   # main themes and sub-themes side by side (the default)
POOLED = "Sammanvägt, alla koder"
UNIT_KINDS = ("note", "sentence")
GOOD, TENTATIVE = 0.800, 0.667
BOOTSTRAP = 1000


def reading(alpha: float | None) -> str:
    """Krippendorff's usual reading of alpha, in the report's language, of alpha as
    printed (cut to three decimals): 0.7996 is shown as 0,799 and read as preliminär."""
    if alpha is None:
        return "kan inte beräknas"
    alpha = numbers.rounded(alpha)
    if alpha >= GOOD:
        return "god"
    if alpha >= TENTATIVE:
        return "preliminär"
    return "otillräcklig"


def cut(x: float | None, digits: int = 3) -> float | None:
    """`x` cut (towards minus infinity) to `digits` decimals: 0.7996 is 0.799, never 0.8,
    so the figure beside a reading never contradicts it."""
    if x is None:
        return None
    return float(Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-digits), ROUND_FLOOR))


def shown(x: float | None, digits: int = 3) -> str:
    """A figure as printed in tables and text (cut, fixed decimals); "–" when undefined."""
    return "–" if x is None else f"{cut(x, digits):.{digits}f}".replace(".", ",")


@dataclass
class Data:
    """Reliability data: values[k, c, u] is 1 when coder c applied code k to unit u, 0
    when c coded u without it, and observed[c, u] says whether c coded u at all."""

    coders: list[str]
    units: list[int]                   # segment ids
    codes: list[int]                   # code ids at the level
    labels: dict[int, str]             # code id -> "Huvudtema / Subtema"
    observed: np.ndarray               # bool, coders x units
    values: np.ndarray                 # uint8, codes x coders x units
    level: str
    round: str | None = None

    def matrix(self, k: int) -> np.ndarray:
        """Code k as krippendorff's reliability data: coders x units, NaN = missing."""
        out = self.values[k].astype(float)
        out[~self.observed] = np.nan
        return out


def _level_map(session: Session, level: str) -> tuple[dict[int, int | None], dict[int, str]]:
    """Each code -> the code it counts as at `level` (None: not at this level)."""
    if level not in LEVELS:
        raise QdaError(f"level must be one of {', '.join(LEVELS)}, not {level!r}", None,
                       "E350")
    rows = {r.id: r for r in session.scalars(select(CodeRow))}

    def chain(code_id: int) -> list[int]:
        out = [code_id]
        while (parent := rows[out[-1]].parent_id) is not None:
            out.append(parent)
        return out[::-1]                              # root first

    mapping: dict[int, int | None] = {}
    for code_id in rows:
        path = chain(code_id)
        if level == "huvudtema":
            mapping[code_id] = path[0]
        elif level == "subtema":
            mapping[code_id] = path[1] if len(path) > 1 else None
        else:
            mapping[code_id] = code_id
    labels = {code_id: " / ".join(rows[i].name for i in chain(code_id)) for code_id in rows}
    return mapping, labels


def human_coders(session: Session) -> list[str]:
    """Coders with accepted codings or units assigned in a round (a coder may have left
    every unit without a code); never the suggestion layers nor the consensus."""
    return known_people(session)


def _round_row(session: Session, ref: int | str | None) -> Round | None:
    if ref is None:
        return None
    row = session.get(Round, ref) if isinstance(ref, int) else \
        session.scalars(select(Round).where(Round.name == ref)).first()
    if row is None:
        raise QdaError(f"no round {ref!r}", None, "E364")
    return row


@dataclass
class Collected:
    """Who coded which units (coverage) and which codes each applied (at the level)."""

    coders: list[str]
    coverage: dict[str, set[int]]
    applied: dict[tuple[str, int], set[int]]      # (coder, unit) -> codes at the level
    quotes: set[tuple[int, int]]                  # (unit, code) some coder marked citat
    labels: dict[int, str]
    round: str | None
    level_codes: list[int] = field(default_factory=list)   # every code at the level
    # units each coder decided (coded, or marked done): agreement's units. `coverage`
    # (disagreements, consensus) still takes a coder without a round to have read every
    # unit of a source they coded in
    decided: dict[str, set[int]] = field(default_factory=dict)


def collect(session: Session, coders: Sequence[str] | None = None, level: str = "subtema",
            round: int | str | None = None) -> Collected:
    mapping, labels = _level_map(session, level)
    chosen_round = _round_row(session, round)
    if chosen_round is not None and not coders:
        coders = sorted(set(session.scalars(select(Assignment.coder).where(
            Assignment.round_id == chosen_round.id))))
    coders = list(dict.fromkeys(coders or human_coders(session)))
    unit_kind = dict(session.execute(select(Segment.id, Segment.kind)
                                     .where(Segment.kind.in_(UNIT_KINDS))).all())
    sentences: dict[int | None, list[int]] = defaultdict(list)    # turn -> its sentences
    for seg_id, parent in session.execute(select(Segment.id, Segment.parent_id)
                                          .where(Segment.kind == "sentence")):
        sentences[parent].append(seg_id)

    def units_of(segment_id: int) -> list[int]:
        return [segment_id] if segment_id in unit_kind else sentences.get(segment_id, [])

    applied: dict[tuple[str, int], set[int]] = defaultdict(set)
    touched: dict[str, set[int]] = defaultdict(set)               # decided anything on
    quotes: set[tuple[int, int]] = set()
    for seg_id, code_id, coder, status, quote in session.execute(
            select(Coding.segment_id, Coding.code_id, Coding.coder, Coding.status,
                   Coding.is_quote)
            .where(Coding.coder.in_(coders), Coding.status.in_(DECISIONS))):
        for unit in units_of(seg_id):
            touched[coder].add(unit)
            if status == Status.ACCEPTED and (mapped := mapping.get(code_id)) is not None:
                applied[(coder, unit)].add(mapped)
                if quote:
                    quotes.add((unit, mapped))
    # a unit marked not relevant is decided too: "no" for every code
    for seg_id, coder in session.execute(select(NotRelevant.segment_id, NotRelevant.coder)
                                         .where(NotRelevant.coder.in_(coders))):
        for unit in units_of(seg_id):
            touched[coder].add(unit)

    coverage: dict[str, set[int]] = {coder: set() for coder in coders}
    all_rounds = chosen_round is None
    # "done with no code" (the key 0) is a decision too; outside a round, a done mark in
    # any round counts (a "not relevant" mark made outside rounds would join here)
    done_anywhere: dict[str, set[int]] = defaultdict(set)
    if all_rounds:
        for seg_id, coder in session.execute(
                select(Assignment.segment_id, Assignment.coder)
                .where(Assignment.coder.in_(coders), Assignment.done_at.is_not(None))):
            done_anywhere[coder].update(units_of(seg_id))
    if chosen_round is not None:
        assigned: dict[str, set[int]] = defaultdict(set)
        for seg_id, coder, done in session.execute(
                select(Assignment.segment_id, Assignment.coder, Assignment.done_at)
                .where(Assignment.round_id == chosen_round.id,
                       Assignment.coder.in_(coders))):
            assigned[coder].update(units_of(seg_id))
            if done is not None:
                coverage[coder].update(units_of(seg_id))
        for coder in coders:
            coverage[coder].update(touched[coder] & assigned[coder])
    else:
        source_of = dict(session.execute(select(Segment.id, Segment.source_id)
                                         .where(Segment.kind.in_(UNIT_KINDS))).all())
        by_source: dict[int, list[int]] = defaultdict(list)
        for unit, source in source_of.items():
            by_source[source].append(unit)
        for coder in coders:
            sources = {source_of[u] for u in touched[coder] if u in source_of}
            coverage[coder] = {u for s in sources for u in by_source[s]}
    decided = coverage if chosen_round is not None else \
        {coder: touched[coder] | done_anywhere[coder] for coder in coders}
    return Collected(coders, coverage, dict(applied), quotes, labels,
                     chosen_round.name if chosen_round is not None else None,
                     sorted({k for k in mapping.values() if k is not None}), decided)


def reliability_data(session: Session, coders: Sequence[str] | None = None,
                     level: str = "subtema", round: int | str | None = None) -> Data:
    """The units the coders decided (in a round two or more of them, without a round every
    one of them), and what each applied at `level`, for every code at the level."""
    found = collect(session, coders, level, round)
    coders, coverage, applied, labels = found.coders, found.decided, found.applied, \
        found.labels
    if len(coders) < 2:
        raise QdaError("agreement needs at least two coders with codings; found "
                       f"{', '.join(coders) or 'none'}", None, "E351")
    count: dict[int, int] = defaultdict(int)
    for coder in coders:
        for unit in coverage[coder]:
            count[unit] += 1
    needed = 2 if found.round is not None else len(coders)
    units = sorted(u for u, n in count.items() if n >= needed)
    index = {u: i for i, u in enumerate(units)}
    used = sorted(set(found.level_codes) | {code for (c, u), codes in applied.items()
                                            if u in index for code in codes},
                  key=lambda k: labels[k])
    code_index = {k: i for i, k in enumerate(used)}
    observed = np.zeros((len(coders), len(units)), dtype=bool)
    values = np.zeros((len(used), len(coders), len(units)), dtype=np.uint8)
    for ci, coder in enumerate(coders):
        for unit in coverage[coder]:
            if unit in index:
                observed[ci, index[unit]] = True
                for code in applied.get((coder, unit), ()):
                    values[code_index[code], ci, index[unit]] = 1
    return Data(coders, units, used, {k: labels[k] for k in used}, observed, values, level,
                found.round)


# ---- the figures -------------------------------------------------------------------

@dataclass
class Figures:
    n_units: int                         # units decided by at least two of the coders
    percent_agreement: float | None      # share of agreeing pairs of coders' decisions
    kappa: float | None                  # Cohen's, two coders only
    alpha: float | None
    ci: dict[str, tuple[float, float] | None] = field(default_factory=dict)
    yes: dict[str, int] = field(default_factory=dict)   # units each coder applied it to
    fleiss: float | None = None          # three or more coders, units all of them decided
    n_complete: int = 0                  # units every coder decided


@dataclass
class CodeFigures(Figures):
    code_id: int = 0
    code: str = ""


@dataclass
class Agreement:
    coders: list[str]
    level: str
    round: str | None
    overall: Figures
    codes: list[CodeFigures]

    def alpha_range(self) -> tuple[float, float] | None:
        """The lowest and highest per-code alpha (codes where it is defined)."""
        found = [c.alpha for c in self.codes if c.alpha is not None]
        return (min(found), max(found)) if found else None

    def pooled_note(self) -> str:
        """What the pooled row is, with the per-code range it is never shown without."""
        found = self.alpha_range()
        defined = sum(c.alpha is not None for c in self.codes)
        span = "ingen kod beräkningsbar" if found is None else \
            f"per kod alfa {shown(found[0])}–{shown(found[1])}"
        return (f"sammanvägt mått, ingen bedömning ({span}; {defined} av {len(self.codes)} "
                "koder beräkningsbara)")

    def units_note(self) -> str:
        """How many units the figures rest on, and which."""
        n = self.overall.n_units
        if self.round:
            return (f"{n} enheter i {self.round} som minst två av kodarna bedömt "
                    "(kodat eller markerat klar)")
        return (f"{n} enheter som alla jämförda kodare ({', '.join(self.coders)}) bedömt "
                "(kodat eller markerat klar)")

    def to_json(self) -> dict:
        def clean(fig: Figures, pooled: bool = False) -> dict:
            out = asdict(fig)
            out["ci"] = {k: list(v) if v else None for k, v in fig.ci.items()}
            out["reading"] = None if pooled else reading(fig.alpha)
            return out

        found = self.alpha_range()
        return {"coders": self.coders, "level": self.level, "round": self.round,
                "units": self.units_note(),
                "overall": {**clean(self.overall, pooled=True), "pooled": True,
                            "code_alpha_range": list(found) if found else None},
                "codes": [clean(c) for c in self.codes]}

    def frame(self, decimal: str = ",") -> pd.DataFrame:
        """The table for the report (Swedish headings), the pooled row first, labelled as
        pooled and carrying the per-code range instead of a reading. The interval is text:
        written with the `decimal` mark its file prints the figures with ("." in a CSV and
        the CLI, whose numbers are plain)."""
        rows = []
        for label, fig in [(POOLED, self.overall), *[(c.code, c) for c in self.codes]]:
            ci = fig.ci.get("alpha")
            pooled = fig is self.overall
            row = {
                "Nivå": self.level, "Kod": label, "Enheter": fig.n_units,
                "Överensstämmelse (%)": cut(None if fig.percent_agreement is None
                                            else 100 * fig.percent_agreement, 1),
                "Cohens kappa": cut(fig.kappa), "Krippendorffs alfa": cut(fig.alpha),
                "95 % KI (alfa)": (f"{shown(ci[0])}–{shown(ci[1])}".replace(",", decimal)
                                   if ci else ""),
                "Bedömning": self.pooled_note() if pooled else
                ("ingen kodare använde koden" if not any(fig.yes.values())
                 else reading(fig.alpha)),
                **{f"Kodat av {c}": fig.yes.get(c, 0) for c in self.coders}}
            if len(self.coders) >= 3:
                row["Fleiss kappa"] = cut(fig.fleiss)
            rows.append(row)
        return pd.DataFrame(rows)


def levels_frame(results: Sequence[Agreement], decimal: str = ",") -> pd.DataFrame:
    """Several levels side by side: the pooled rows first, then each main theme followed
    by its sub-themes (labels "Huvudtema / Subtema" sort under their main theme)."""
    frames = [r.frame(decimal) for r in results]
    pooled = [f.iloc[:1].assign(Kod=f"{POOLED} ({f.loc[0, 'Nivå']})") for f in frames]
    rest = pd.concat([f.iloc[1:] for f in frames], ignore_index=True)
    rest = rest.sort_values("Kod", kind="stable", key=lambda k: k.str.casefold())
    return pd.concat([*pooled, rest], ignore_index=True)


def _finite(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def kappa_of(a: np.ndarray, b: np.ndarray) -> float | None:
    """Cohen's kappa by scikit-learn; None when it is undefined (one category only)."""
    if len(a) == 0 or (len(set(a.tolist()) | set(b.tolist())) < 2):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _finite(cohen_kappa_score(a, b, labels=[0, 1]))


def alpha_of(matrix: np.ndarray) -> float | None:
    """Nominal Krippendorff's alpha by the krippendorff package; None when undefined."""
    pairable = (~np.isnan(matrix)).sum(axis=0) >= 2
    seen = matrix[:, pairable]
    values = set(np.unique(seen[~np.isnan(seen)]).tolist())
    if len(values) < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _finite(krippendorff.alpha(reliability_data=matrix,
                                          level_of_measurement="nominal",
                                          value_domain=[0, 1]))


def unit_stats(values: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Per unit (rows) the sums the closed forms need, for one code (values: coders x
    units) or several summed (values: codes x coders x units): pairable values m, ones
    n1, disagreement coincidences o = n0*n1/(m-1), agreeing pairs of coders and all
    pairs, for the first two coders the 2x2 table a (1,1) b (1,0) c (0,1) d (0,0), and
    for Fleiss' kappa (units every coder decided) the decisions f, rows r, ones f1 and
    the sum of the rows' agreement P_i."""
    if values.ndim == 2:
        values = values[None]
    obs = observed[None].astype(float)
    n1 = (values * obs).sum(axis=1)                            # codes x units
    # every code is its own decision on a unit: the pairable values and pairable units
    # count once per code, or pooled figures would add up per-code shares
    m = np.broadcast_to(obs.sum(axis=1), n1.shape)
    pair = m >= 2
    n0 = m - n1
    safe = np.where(pair, m - 1, 1)
    o = np.where(pair, n0 * n1 / safe, 0.0)
    agree = np.where(pair, (n1 * (n1 - 1) + n0 * (n0 - 1)) / 2, 0.0)
    pairs = np.where(pair, m * (m - 1) / 2, 0.0)
    both = obs[:, 0] * obs[:, 1]
    x, y = values[:, 0], values[:, 1]
    a, b = both * x * y, both * x * (1 - y)
    c, d = both * (1 - x) * y, both * (1 - x) * (1 - y)
    k = observed.shape[0]
    full = (m == k) & (k >= 3)
    p_i = np.where(full, (n1 * (n1 - 1) + n0 * (n0 - 1)) / (k * max(k - 1, 1)), 0.0)
    stats = [np.where(pair, m, 0), np.where(pair, n1, 0), o, agree, pairs,
             a, b, c, d, np.where(full, m, 0), full.astype(float), np.where(full, n1, 0),
             p_i]
    return np.stack([s.sum(axis=0) for s in stats], axis=1)     # units x 13


def closed_forms(sums: np.ndarray) -> dict[str, np.ndarray]:
    """Percent agreement (agreeing pairs over all pairs), Cohen's kappa (first two
    coders), alpha and Fleiss' kappa from summed unit stats (last axis the 13 stats); NaN
    where undefined."""
    m, n1, o, agree, p, a, b, c, d, f, r, f1, p_i = np.moveaxis(sums, -1, 0)
    n0 = m - n1
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1 - (m - 1) * o / (n0 * n1)
        n = a + b + c + d
        po = (a + d) / n
        pe = ((a + b) * (a + c) + (c + d) * (b + d)) / (n * n)
        kappa = (po - pe) / (1 - pe)
        percent = agree / p
        ones = f1 / f
        chance = ones ** 2 + (1 - ones) ** 2
        fleiss = (p_i / r - chance) / (1 - chance)
    return {"alpha": alpha, "kappa": kappa, "percent_agreement": percent, "fleiss": fleiss}


def bootstrap(stats: np.ndarray, reps: int = BOOTSTRAP, seed: int = 7,
              chunk: int = 200) -> dict[str, tuple[float, float] | None]:
    """95 % percentile intervals, resampling units with replacement."""
    n = stats.shape[0]
    if n < 2 or reps <= 0:
        return {}
    rng = np.random.default_rng(seed)
    draws: dict[str, list[np.ndarray]] = defaultdict(list)
    for start in range(0, reps, chunk):
        weights = rng.multinomial(n, np.full(n, 1 / n), size=min(chunk, reps - start))
        for name, values in closed_forms(weights @ stats).items():
            draws[name].append(values)
    out: dict[str, tuple[float, float] | None] = {}
    for name, parts in draws.items():
        values = np.concatenate(parts)
        values = values[np.isfinite(values)]
        out[name] = (float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))) \
            if len(values) >= reps // 2 else None
    return out


def _figures(data: Data, rows: Sequence[int], reps: int, seed: int) -> Figures:
    values = data.values[list(rows)]                     # codes x coders x units
    pairable = data.observed.sum(axis=0) >= 2
    n_units = int(pairable.sum())
    stats = unit_stats(values, data.observed)
    two = len(data.coders) == 2
    flat = np.concatenate([data.matrix(k) for k in rows], axis=1) if len(rows) else \
        np.empty((len(data.coders), 0))
    if two:
        both = data.observed[0] & data.observed[1]
        kappa = kappa_of(np.concatenate([data.values[k, 0, both] for k in rows]),
                         np.concatenate([data.values[k, 1, both] for k in rows])) \
            if len(rows) else None
    else:
        kappa = None
    forms = closed_forms(stats.sum(axis=0))
    percent = forms["percent_agreement"]
    n_complete = int(data.observed.all(axis=0).sum())
    fleiss = _finite(float(forms["fleiss"])) if not two and n_complete and len(rows) \
        else None
    ci = bootstrap(stats, reps, seed) if n_units else {}
    ci.pop("fleiss" if two else "kappa", None)
    yes = {coder: int(values[:, ci_].max(axis=0).sum()) if len(rows) else 0
           for ci_, coder in enumerate(data.coders)}
    fig = Figures(n_units, _finite(float(percent)) if n_units and len(rows) else None, kappa,
                  alpha_of(flat), ci, yes, fleiss, n_complete)
    fig.ci = _containing(fig.ci, {"alpha": fig.alpha, "kappa": fig.kappa, "fleiss": fig.fleiss,
                                  "percent_agreement": fig.percent_agreement})
    return fig


def _containing(ci: dict[str, tuple[float, float] | None],
                estimates: dict[str, float | None]) -> dict[str, tuple[float, float] | None]:
    """A percentile interval of a skewed statistic on few units can miss its own point
    estimate; a report cannot print that, so the interval is widened to reach it."""
    out = dict(ci)
    for name, bounds in ci.items():
        value = estimates.get(name)
        if bounds is not None and value is not None:
            out[name] = (min(bounds[0], value), max(bounds[1], value))
    return out


def agreement(data: Data, reps: int = BOOTSTRAP, seed: int = 7) -> Agreement:
    """Figures per code and overall (pooled over every unit x code decision)."""
    codes = []
    for k, code_id in enumerate(data.codes):
        fig = _figures(data, [k], reps, seed)
        codes.append(CodeFigures(**asdict(fig), code_id=code_id, code=data.labels[code_id]))
    return Agreement(data.coders, data.level, data.round,
                     _figures(data, range(len(data.codes)), reps, seed), codes)


def compute(session: Session, coders: Sequence[str] | None = None, level: str = "subtema",
            round: int | str | None = None, reps: int = BOOTSTRAP,
            seed: int = 7, actor: Actor | None = None) -> Agreement:
    access.require(session, actor, Can.READ_AGREEMENT)
    return agreement(reliability_data(session, coders, level, round), reps, seed)


def levels_of(level: str) -> tuple[str, ...]:
    """The levels a requested level stands for: `both` is main themes and sub-themes."""
    return ("huvudtema", "subtema") if level == BOTH else (level,)


def compute_levels(session: Session, coders: Sequence[str] | None = None,
                   level: str = BOTH, round: int | str | None = None, reps: int = BOOTSTRAP,
                   seed: int = 7, actor: Actor | None = None) -> list[Agreement]:
    """Agreement at each level `level` stands for. Sub-themes are left out where no code
    has any (every code then is a main theme, and stays in at that level)."""
    out = [compute(session, coders, one, round, reps, seed, actor)
           for one in levels_of(level)]
    return [r for r in out if r.codes or len(out) == 1] or out[:1]
