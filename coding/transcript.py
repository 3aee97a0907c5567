"""A transcript as the reader sees it: turns, their sentences, and each one's codes in a
coder's layer; coding a run of sentences inside a turn."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from corpus.errors import QdaError
from corpus.models import Coding, Segment, Source
from corpus.vocabulary import Status
from people.accounts import Actor, Can

from . import access
from .review_actions import Action, accept_code


@dataclass
class Sentence:
    segment_id: int
    start: int            # offsets inside the turn's text
    end: int
    codes: list[int] = field(default_factory=list)


@dataclass
class TurnView:
    segment_id: int
    position: int
    speaker: str | None
    location: str | None
    text: str
    sentences: list[Sentence]
    codes: list[int] = field(default_factory=list)     # codings of the whole turn

    def all_codes(self) -> list[int]:
        """The turn's codes for the margin: its own and its sentences', first seen first."""
        seen = dict.fromkeys(self.codes)
        for s in self.sentences:
            seen.update(dict.fromkeys(s.codes))
        return list(seen)


def transcripts(session: Session) -> list[tuple[int, str, str | None]]:
    return [(r.id, r.original_name, r.area) for r in session.execute(
        select(Source.id, Source.original_name, Source.area)
        .where(Source.kind == "transcript").order_by(Source.id))]


def transcript_view(session: Session, source_id: int, layer: str | None,
                    actor: Actor | None = None) -> list[TurnView]:
    """Every turn of the source in order with its sentences; codes accepted in `layer`
    (another coder's layer only for an actor who may read every coder's codings)."""
    access.require(session, actor, Can.READ_SEGMENTS)
    if layer and isinstance(actor, Actor) and layer != actor.login:
        access.require(session, actor, Can.READ_CODINGS)
    segments = session.scalars(select(Segment).where(Segment.source_id == source_id)
                               .order_by(Segment.position)).all()
    coded: dict[int, list[int]] = {}
    if layer:
        for segment_id, code_id in session.execute(
                select(Coding.segment_id, Coding.code_id)
                .join(Segment, Segment.id == Coding.segment_id)
                .where(Segment.source_id == source_id, Coding.coder == layer,
                       Coding.status == Status.ACCEPTED).order_by(Coding.id)):
            coded.setdefault(segment_id, []).append(code_id)
    turns = {s.id: TurnView(s.id, s.position, s.speaker, s.location, s.text, [],
                            coded.get(s.id, [])) for s in segments if s.kind == "turn"}
    starts = {s.id: s.start_char or 0 for s in segments if s.kind == "turn"}
    for s in segments:
        if s.kind == "sentence" and s.parent_id in turns:
            turn = turns[s.parent_id]
            base = starts[s.parent_id]
            assert s.start_char is not None and s.end_char is not None  # a sentence's place
            turn.sentences.append(Sentence(s.id, s.start_char - base, s.end_char - base,
                                           coded.get(s.id, [])))
    return sorted(turns.values(), key=lambda t: t.position)


def code_sentences(session: Session, turn: TurnView, first: int, last: int, code_id: int,
                   coder: str, actor: Actor | None = None) -> list[Action]:
    """Code sentences first..last (0-based, inclusive) of one turn: a span is a run of
    sentences, so every unit inside it carries the code."""
    if not 0 <= first <= last < len(turn.sentences):
        raise QdaError(f"sentences {first + 1}–{last + 1} are not inside the turn "
                       f"({len(turn.sentences)} sentences)", None, "E335")
    ids: Sequence[int] = [s.segment_id for s in turn.sentences[first:last + 1]]
    return [accept_code(session, sid, code_id, coder, actor) for sid in ids]


def code_span(session: Session, turn: TurnView, start: int, end: int, code_id: int,
              coder: str, turn_offset: int, actor: Actor | None = None
              ) -> list[Action]:
    """Code characters start..end of one turn's text: a part of a sentence, or a stretch
    over several. Every sentence it overlaps carries the code (the turn itself if it has
    no sentences), and each of those codings keeps the exact span, in the coordinates of
    the source's exported text (where the turn's text starts at `turn_offset`), so that a
    REFI-QDA export writes it once with its own start and end. A sentence the coder has
    already coded whole with this code stays coded whole."""
    if not 0 <= start < end <= len(turn.text):
        raise QdaError(f"characters {start}–{end} are not inside the turn "
                       f"({len(turn.text)} characters)", None, "E431")
    who = access.require_coder(session, actor, coder)
    ids = [s.segment_id for s in turn.sentences if s.start < end and s.end > start] \
        or [turn.segment_id]
    span = [turn_offset + start, turn_offset + end, None, False]
    done = []
    for segment_id in ids:
        old = session.scalars(select(Coding).where(
            Coding.segment_id == segment_id, Coding.code_id == code_id,
            Coding.coder == who)).first()
        whole = old is not None and old.status == Status.ACCEPTED and not old.spans
        spans = list(old.spans) if old is not None and old.spans else []
        done.append(accept_code(session, segment_id, code_id, coder, actor))
        if not whole:
            coding = session.scalars(select(Coding).where(
                Coding.segment_id == segment_id, Coding.code_id == code_id,
                Coding.coder == who)).one()
            coding.spans = spans + ([span] if span not in spans else [])
    session.flush()
    return done
