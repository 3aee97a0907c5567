"""Which coder's codings a table counts: the final layer (`slutlig`, coding.final) by
default, or a named one (`konsensus`, or one coder's).

The final layer draws on every person's decisions and the consensus layer, so a report
made before, during or after the consensus meeting leaves none of the coding out; units
coded differently with no consensus decision yet are left out and reported. A named
layer is counted as it is, and the export warns about the layers it leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from coding import access
from coding.final import Final, compose
from corpus.errors import QdaError
from corpus.models import Code, Coding, Segment, Source, Workshop
from corpus.vocabulary import FINAL, Status
from people.accounts import Actor, Can
from people.identity import CONSENSUS, human


@dataclass(frozen=True)
class Layer:
    coder: str
    # the final layer's composition (None for a stored layer)
    final: Final | None = field(default=None, compare=False, repr=False)
    # units each layer gave this table; for a stored layer, its own count
    given: dict[str, int] = field(default_factory=dict, compare=False)
    # the layers with accepted codings that this one leaves out, and their units
    left_out: dict[str, int] = field(default_factory=dict, compare=False)

    def describe(self) -> str:
        """The layer and, for the final layer, the units each layer it drew on gave."""
        return self._described("unit", "units")

    def describe_sv(self) -> str:
        """For the report's files and the app, which speak Swedish."""
        return self._described("enhet", "enheter")

    def _described(self, one: str, many: str) -> str:
        if not self.given or self.final is None:
            return self.coder
        return f"{self.coder} (" + ", ".join(f"{k}: {v} {one if v == 1 else many}"
                                             for k, v in self.given.items()) + ")"


def coders(session: Session) -> dict[str, int]:
    """Human coders with accepted codings, and how many each has."""
    rows = session.execute(select(Coding.coder, func.count()).where(
        Coding.status == Status.ACCEPTED, human(Coding.coder)
    ).group_by(Coding.coder))
    return dict(sorted(rows.all()))


def layer_units(session: Session) -> dict[str, int]:
    """Human layers with accepted codings, and how many units each coded."""
    rows = session.execute(select(Coding.coder, func.count(func.distinct(Coding.segment_id)))
                           .where(Coding.status == Status.ACCEPTED, human(Coding.coder))
                           .group_by(Coding.coder))
    return dict(sorted(rows.all()))


def readable_layers(session: Session, actor: Actor | None = None) -> list[str]:
    """The layers this actor may count: the final layer first (once anything is coded),
    the consensus, their own, and every coder's for those who may read all codings."""
    known = list(coders(session))
    if actor is None or access.allowed(session, actor, Can.READ_CODINGS):
        return [FINAL, *known] if known else []
    mine = [k for k in known if k in (CONSENSUS, actor.login)]
    return [FINAL, *mine] if known else []


def resolve_layer(session: Session, layer: str | None = None,
                  actor: Actor | None = None) -> Layer:
    """The layer to count (default: the final layer); a clear error when it is not there.
    An authenticated actor reads the final and consensus layers and their own, or any
    if they may read every coding."""
    access.require_layer(session, actor, layer)
    known = layer_units(session)
    if not known:
        raise QdaError("no accepted codings yet: code segments first (qda code, the app, "
                       "or qda codings import)", None, "E401")
    if layer in (None, FINAL):
        final = compose(session)
        return Layer(FINAL, final, dict(final.given))
    if layer not in known:
        if layer == CONSENSUS:
            raise QdaError(f"no {CONSENSUS} layer yet; the default layer {FINAL} needs "
                           f"none, or choose a coder with --layer ({', '.join(known)})",
                           None, "E401")
        raise QdaError(f"no accepted codings by {layer!r}; layers: {FINAL}, "
                       f"{', '.join(known)}", None, "E400")
    return Layer(layer, None, {layer: known[layer]},
                 {k: v for k, v in known.items() if k != layer})


COLUMNS = ["segment_id", "code_id", "kind", "question", "area", "text", "source_id",
           "position", "duplicate_count", "is_quote", "memo", "group", "format"]


def coded_units(session: Session, layer: Layer) -> pd.DataFrame:
    """One row per accepted coding of the layer with its segment: the input of every
    theme table. Columns: segment_id, code_id, kind, question, area, text, source_id,
    position, duplicate_count, is_quote, memo, group (the unit's participant group) and
    format (its source's workshop's)."""
    if layer.final is not None:
        return _final_units(session, layer.final)
    query = (select(Coding.segment_id, Coding.code_id, Segment.kind, Segment.question,
                    Segment.area, Segment.text, Segment.source_id, Segment.position,
                    Segment.duplicate_count, Coding.is_quote, Coding.memo,
                    Segment.participant_group, Workshop.format)
             .join(Segment, Segment.id == Coding.segment_id)
             .join(Code, Code.id == Coding.code_id)
             .join(Source, Source.id == Segment.source_id)
             .outerjoin(Workshop, Workshop.id == Source.workshop_id)
             .where(Coding.coder == layer.coder, Coding.status == Status.ACCEPTED)
             .order_by(Segment.source_id, Segment.position, Segment.id, Coding.code_id))
    rows = session.execute(query).all()
    return pd.DataFrame(rows, columns=COLUMNS)


def _final_units(session: Session, final: Final) -> pd.DataFrame:
    """`coded_units` for the final layer: its codes joined to their segments, in the same
    order (document order, then code id)."""
    ids = sorted(final.codes)
    known_codes = set(session.scalars(select(Code.id)))
    segments: list[Row] = []
    for start in range(0, len(ids), 900):
        segments += session.execute(
            select(Segment.id, Segment.kind, Segment.question, Segment.area, Segment.text,
                   Segment.source_id, Segment.position, Segment.duplicate_count,
                   Segment.participant_group, Workshop.format)
            .join(Source, Source.id == Segment.source_id)
            .outerjoin(Workshop, Workshop.id == Source.workshop_id)
            .where(Segment.id.in_(ids[start:start + 900]))).all()
    segments.sort(key=lambda r: (r.source_id, r.position, r.id))
    rows = [(s.id, code, s.kind, s.question, s.area, s.text, s.source_id, s.position,
             s.duplicate_count, quote, memo, s.participant_group, s.format)
            for s in segments for code, (quote, memo) in sorted(final.codes[s.id].items())
            if code in known_codes]
    return pd.DataFrame(rows, columns=COLUMNS)
