"""The final layer, `slutlig`: what the report counts when nobody names a layer.

Composed when read, never stored, from every person's decisions and the consensus layer
(suggestion layers never count). Per unit (a note or a transcript sentence, as coded):

- the coders of a unit are the people who accepted a code on it, marked it not relevant
  ("inte relevant"), or marked it done with no code in a round of double coding;
- a code all of them applied counts (the *agreed* coding, "samstämmiga" when two or
  more coded the unit; the one coder's own decisions when only one did);
- a code some applied and others did not counts only as the consensus layer decided it
  (`qda consensus resolve`, the Konsensus page); the consensus layer's decisions win
  over the coders' everywhere (a code it rejected is out, a code it chose is in);
- a code some applied and the consensus has not decided is left out, and its unit is
  reported as *unresolved* (with its coders): the tool does not guess. The unit's
  settled codes (agreed, or decided by the consensus) still count;
- a unit every coder marked not relevant, or that the consensus layer decided no code
  applies to (`qda consensus resolve --no-code`), gives no row and is counted apart.

A unit is attributed to the layer that settled it: "konsensus" when that layer holds a
decision on it, "samstämmiga" when two or more coders agreed, else the one coder's name.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from corpus.models import Assignment, Coding, NotRelevant, Segment
from corpus.vocabulary import CONSENSUS, Status
from people.identity import human

AGREED = "samstämmiga"      # units two or more coders coded alike, without the consensus
UNIT_KINDS = ("note", "sentence")


@dataclass
class Final:
    """The composed layer: per unit its codes, with the quote flag and memo of each."""

    codes: dict[int, dict[int, tuple[bool, str | None]]] = field(default_factory=dict)
    given: dict[str, int] = field(default_factory=dict)      # source layer -> units
    # units all coders skipped, or the consensus decided no code applies to
    not_relevant: list[int] = field(default_factory=list)
    # units with a difference nobody decided yet -> their coders (their settled codes,
    # if any, are in `codes` all the same)
    unresolved: dict[int, list[str]] = field(default_factory=dict)


def compose(session: Session) -> Final:
    """The final layer from the store (one query per table; plain Python per unit)."""
    person: dict[int, dict[str, dict[int, tuple[bool, str | None]]]] = defaultdict(dict)
    agreed_by: dict[int, dict[int, tuple[bool, str | None]]] = defaultdict(dict)
    rejected: dict[int, set[int]] = defaultdict(set)
    decided: set[int] = set()
    for seg, code, coder, status, quote, memo in session.execute(
            select(Coding.segment_id, Coding.code_id, Coding.coder, Coding.status,
                   Coding.is_quote, Coding.memo)
            .where(human(Coding.coder),
                   Coding.status.in_((Status.ACCEPTED, Status.REJECTED)))
            .order_by(Coding.id)):
        if coder == CONSENSUS:
            decided.add(seg)
            if status == Status.ACCEPTED:
                agreed_by[seg][code] = (bool(quote), memo)
            else:
                rejected[seg].add(code)
        elif status == Status.ACCEPTED:
            person[seg].setdefault(coder, {})[code] = (bool(quote), memo)
    skipped: dict[int, set[str]] = defaultdict(set)
    for seg, coder in session.execute(select(NotRelevant.segment_id, NotRelevant.coder)):
        skipped[seg].add(coder)
        person[seg].setdefault(coder, {})
    for seg, coder in session.execute(select(Assignment.segment_id, Assignment.coder)
                                      .where(Assignment.done_at.is_not(None))):
        person[seg].setdefault(coder, {})

    out = Final()
    for seg in sorted(set(person) | decided):
        coders = person.get(seg, {})
        sets = [set(c) for c in coders.values()]
        union = set().union(*sets) if sets else set()
        common = set.intersection(*sets) if sets else set()
        settled = set(agreed_by.get(seg, {})) | rejected.get(seg, set())
        if (union - common) - settled:
            out.unresolved[seg] = sorted(coders)
        chosen: dict[int, tuple[bool, str | None]] = {}
        for code in sorted(common - rejected.get(seg, set())):
            marks = [c[code] for c in coders.values()]
            chosen[code] = (any(q for q, _ in marks), next((m for _, m in marks if m), None))
        chosen.update(agreed_by.get(seg, {}))
        if not chosen:
            # every coder skipped it, or the meeting decided that no code applies
            if seg not in out.unresolved and (
                    (coders and skipped.get(seg) == set(coders)) or seg in decided):
                out.not_relevant.append(seg)
            continue
        source = CONSENSUS if seg in decided else AGREED if len(coders) > 1 \
            else next(iter(coders))
        out.codes[seg] = chosen
        out.given[source] = out.given.get(source, 0) + 1
    return out


def units_per_code(final: Final) -> dict[int, int]:
    """How many units the final layer codes with each code (the code itself, not its
    sub-codes): the Kodbok page's count."""
    counts: dict[int, int] = defaultdict(int)
    for codes in final.codes.values():
        for code in codes:
            counts[code] += 1
    return dict(counts)


def codable_units(session: Session) -> int:
    """How many units the project has to code (notes and transcript sentences)."""
    return session.scalar(select(func.count()).select_from(Segment)
                          .where(Segment.kind.in_(UNIT_KINDS))) or 0
