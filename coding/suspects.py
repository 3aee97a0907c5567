"""Words ingest left in place that may be a person's name ("Per", "Lund" when a speaker
is Per Lund): a lead masks or keeps each, per source, and the decision is audited. Masking
rewrites the source's units (and a transcript's full text, moving every offset after a
change) in one transaction."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from corpus import audit
from corpus.errors import QdaError
from corpus.models import PseudonymKey, Segment, Source
from corpus.pseudonymise import NAME_TOKEN
from corpus.vocabulary import Action
from people.accounts import Actor, Can, actor_name

from . import access


@dataclass
class Suspect:
    source_id: int
    file: str
    word: str
    count: int
    example: str


def suspects(session: Session) -> list[Suspect]:
    """Every undecided suspect, by source."""
    out = []
    for source_id, name, report in session.execute(
            select(Source.id, Source.original_name, Source.report).order_by(Source.id)):
        for word, (count, example) in sorted((report or {}).get("suspects", {}).items()):
            out.append(Suspect(source_id, name, word, count, example))
    return out


def _pattern(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w\[-]){re.escape(word)}(s)?(?![\w\]-])")


def _fingerprint(word: str) -> str:
    """The audit log names a suspect by a hash: the log is exported, the name must not be."""
    return hashlib.sha256(word.encode("utf-8")).hexdigest()[:12]


def decide(session: Session, source_id: int, word: str, mask: bool,
           actor: Actor) -> int:
    """Mask (replace by [namn] everywhere in the source) or keep a suspect; returns how
    many places changed. Any word of the source can be masked, listed or not: a name
    ingest did not recognise at all must not have to wait for a new import."""
    access.require(session, actor, Can.INGEST)
    source = session.get(Source, source_id)
    if source is None:
        raise QdaError(f"no source {source_id} (qda status lists them)", None, "E172")
    word = " ".join(word.split())
    listed = dict((source.report or {}).get("suspects", {}))
    if word not in listed and not mask:
        raise QdaError(f"no suspect {word!r} in source {source_id}", None, "E170")
    if word not in listed and (len(word) < 2 or "[" in word or "]" in word):
        raise QdaError(f"{word!r} is not a word to mask", None, "E171")
    changed = _mask(session, source, word) if mask else 0
    if word not in listed and not changed and " " in word:
        # a full name part of which is masked already ("Jouni [namn]"): its words one by one
        changed = sum(_mask(session, source, part) for part in word.split()
                      if len(part) >= 2 and "[" not in part and "]" not in part)
    if word not in listed and not changed:
        raise QdaError(f"{word!r} does not occur in source {source_id}", None, "E171")
    listed.pop(word, None)
    source.report = {**(source.report or {}), "suspects": listed}
    if mask:
        session.add(PseudonymKey(source_id=source_id, real_name=word, pseudonym=NAME_TOKEN))
    audit.record(session, actor_name(actor),
                 Action.PSEUDONYM_MASK if mask else Action.PSEUDONYM_KEEP,
                 "source", source_id, None, {"suspect": _fingerprint(word), "places": changed})
    session.flush()
    return changed


def _mask(session: Session, source: Source, word: str) -> int:
    pattern = _pattern(word)

    def replace(m: re.Match[str]) -> str:
        return NAME_TOKEN + (m.group(1) or "")

    segments = list(session.scalars(select(Segment).where(Segment.source_id == source.id)))
    if source.text is None:                               # notes: each text on its own
        changed = 0
        for seg in segments:
            seg.text, n = pattern.subn(replace, seg.text)
            changed += n
        return changed
    shifts: list[tuple[int, int]] = []                    # (old end of a match, delta)
    delta = 0
    for m in pattern.finditer(source.text):
        delta += len(replace(m)) - (m.end() - m.start())
        shifts.append((m.end(), delta))

    def moved(pos: int) -> int:
        shift = 0
        for end, total in shifts:
            if end > pos:
                break
            shift = total
        return pos + shift

    source.text = pattern.sub(replace, source.text)
    for seg in segments:
        if seg.start_char is not None and seg.end_char is not None:
            seg.start_char, seg.end_char = moved(seg.start_char), moved(seg.end_char)
            seg.text = source.text[seg.start_char:seg.end_char]
        else:
            seg.text = pattern.sub(replace, seg.text)
    return len(shifts)
