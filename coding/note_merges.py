"""The author's decisions on bilaga 2 rows: notes on the same topic printed as one row, or
kept apart though their wording is alike. The report merges by topic, which wording alone
cannot tell (themes.merges proposes; the author decides here). Decisions are pairs of
units; a row of bilaga 2 is a connected group of merged pairs."""

from __future__ import annotations

from itertools import combinations

from sqlalchemy import delete, or_, select, tuple_
from sqlalchemy.orm import Session

from corpus.actors import Actor, actor_name
from corpus.audit import record
from corpus.errors import QdaError
from corpus.models import NoteMerge, Segment
from corpus.roles import Can
from corpus.vocabulary import Action

from . import access

Pair = tuple[int, int]


def pairs(segment_ids: list[int]) -> list[Pair]:
    """Every pair of the units, lower id first (as stored)."""
    return list(combinations(sorted(set(segment_ids)), 2))


def _checked(session: Session, segment_ids: list[int]) -> list[int]:
    """The units, if they are two or more notes of one question (what bilaga 2 prints)."""
    ids = sorted({int(i) for i in segment_ids})
    found = {i: (kind, q) for i, kind, q in session.execute(
        select(Segment.id, Segment.kind, Segment.question).where(Segment.id.in_(ids)))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise QdaError(f"no segment {missing[0]}", None, "E332",
                       detail_sv=f"enhet {missing[0]} finns inte")
    questions = {q for _, q in found.values()}
    not_notes = [i for i, (kind, q) in found.items() if kind != "note" or q is None]
    if len(ids) < 2 or len(questions) > 1 or not_notes:
        raise QdaError("choose at least two notes of the same question (units "
                       f"{', '.join(map(str, ids))}: {len(questions)} question(s)"
                       + (f"; {not_notes[0]} is no note with a question" if not_notes else "")
                       + ")", None, "E368")
    return ids


def merged_rows(found: dict[Pair, bool]) -> dict[int, int]:
    """Unit -> a representative of the notes its merged pairs join it to (a union-find
    over the merged decisions), for the units in any merged pair."""
    parent: dict[int, int] = {}

    def root(i: int) -> int:
        while parent.setdefault(i, i) != i:
            i = parent[i]
        return i

    for (a, b), merged in found.items():
        if merged:
            parent[root(a)] = root(b)
    return {unit: root(unit) for unit in list(parent)}


def _consistent(session: Session) -> None:
    """Refuse a state where two notes kept apart would print as one row because merges
    join them through others (A with C, C with B, A apart from B): the author undoes one
    of them first. Wording alone never overrides a refusal (`themes.tables`)."""
    found = decisions(session)
    row = merged_rows(found)
    clash = next(((a, b) for (a, b), merged in found.items()
                  if not merged and a in row and b in row and row[a] == row[b]), None)
    if clash is not None:
        raise QdaError(f"notes {clash[0]} and {clash[1]} are kept apart, yet the merges would "
                       "print them as one row: undo one of the decisions first", None, "E369",
                       detail_sv=f"lapparna {clash[0]} och {clash[1]} hålls isär men "
                                 "sammanslagningarna skulle ge dem samma rad; ångra ett av "
                                 "besluten först")


def decide(session: Session, segment_ids: list[int], merged: bool, actor: Actor,
           only: list[Pair] | None = None) -> int:
    """Print the notes as one row of bilaga 2 (`merged`) or keep each pair of them apart;
    `only`: just these pairs of them (a proposal's notes from different rows). A new
    decision on a pair replaces the old; a merge that would put two notes kept apart in
    one row is refused (E369). Returns the pairs decided."""
    access.require(session, actor, Can.CODE)
    ids = _checked(session, segment_ids)
    wanted = pairs(ids) if only is None else sorted(
        {(min(a, b), max(a, b)) for a, b in only if a != b and a in ids and b in ids})
    if not wanted:
        return 0
    before = _decided(session, wanted)
    session.execute(delete(NoteMerge).where(
        tuple_(NoteMerge.segment_a, NoteMerge.segment_b).in_(wanted)))
    who = actor_name(actor)
    session.add_all(NoteMerge(segment_a=a, segment_b=b, merged=merged, decided_by=who)
                    for a, b in wanted)
    session.flush()
    _consistent(session)
    record(session, who, Action.MERGE_ACCEPT if merged else Action.MERGE_REFUSE,
           "note_merge", ids[0], {"pairs": [[a, b, m] for (a, b), m in before.items()]}
           if before else None, {"segments": ids} if only is None
           else {"pairs": [list(p) for p in wanted]})
    return len(wanted)


def forget(session: Session, segment_ids: list[int], actor: Actor) -> int:
    """Undo the decisions on every pair of these notes, or with a single note, every
    decision that names it: bilaga 2 goes back to merging them by wording."""
    access.require(session, actor, Can.CODE)
    ids = sorted({int(i) for i in segment_ids})
    if len(ids) == 1:
        where = or_(NoteMerge.segment_a == ids[0], NoteMerge.segment_b == ids[0])
    else:
        where = tuple_(NoteMerge.segment_a, NoteMerge.segment_b).in_(pairs(ids))
    before = {(r.segment_a, r.segment_b): r.merged
              for r in session.scalars(select(NoteMerge).where(where))}
    if not before:
        return 0
    session.execute(delete(NoteMerge).where(where))
    record(session, actor_name(actor), Action.MERGE_FORGET, "note_merge", ids[0],
           {"pairs": [[a, b, m] for (a, b), m in before.items()]}, None)
    return len(before)


def _decided(session: Session, wanted: list[Pair]) -> dict[Pair, bool]:
    if not wanted:
        return {}
    rows = session.execute(select(NoteMerge.segment_a, NoteMerge.segment_b,
                                  NoteMerge.merged).where(
        tuple_(NoteMerge.segment_a, NoteMerge.segment_b).in_(wanted)))
    return {(a, b): m for a, b, m in rows}


def decisions(session: Session, segment_ids: list[int] | None = None) -> dict[Pair, bool]:
    """Pair -> merged (True) or kept apart (False), for pairs among `segment_ids` (all
    when None)."""
    query = select(NoteMerge.segment_a, NoteMerge.segment_b, NoteMerge.merged)
    if segment_ids is not None:
        ids = sorted({int(i) for i in segment_ids})
        query = query.where(NoteMerge.segment_a.in_(ids), NoteMerge.segment_b.in_(ids))
    return {(a, b): m for a, b, m in session.execute(query)}


def decided_groups(session: Session) -> list[tuple[bool, list[int], list[str]]]:
    """The decisions as an author reads them: each group of notes merged into one row
    (connected merged pairs), then each pair kept apart; with the notes' texts."""
    found = decisions(session)
    row = merged_rows(found)
    groups: dict[int, list[int]] = {}
    for unit in sorted(row):
        groups.setdefault(row[unit], []).append(unit)
    out: list[tuple[bool, list[int]]] = [(True, ids) for ids in groups.values()]
    out += [(False, [a, b]) for (a, b), merged in sorted(found.items()) if not merged]
    texts = dict(session.execute(select(Segment.id, Segment.text).where(
        Segment.id.in_({i for _, ids in out for i in ids}))).all())
    return [(merged, ids, [texts[i] for i in ids]) for merged, ids in out]
