"""Which coder's codings a table counts: the consensus layer by default, or one coder's.

Until a project has a consensus layer (the consensus meeting's decisions), the default
falls back to the only human coder, so a one-coder project exports without a
switch; with several coders and no consensus, the user must say which layer they mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coding import access
from coding.accounts import Actor, Can
from coding.identity import CONSENSUS, human
from corpus.errors import QdaError
from corpus.models import Code, Coding, Segment, Source, Workshop
from corpus.vocabulary import Status


@dataclass(frozen=True)
class Layer:
    coder: str
    fallback: bool = False   # the default layer was not konsensus but the only coder

    def describe(self) -> str:
        return f"{self.coder} (only coder; no konsensus layer yet)" if self.fallback \
            else self.coder

    def describe_sv(self) -> str:
        """For the report's files and the app, which speak Swedish."""
        return f"{self.coder} (enda kodaren; inget konsensuslager ännu)" if self.fallback \
            else self.coder


def coders(session: Session) -> dict[str, int]:
    """Human coders with accepted codings, and how many each has."""
    rows = session.execute(select(Coding.coder, func.count()).where(
        Coding.status == Status.ACCEPTED, human(Coding.coder)
    ).group_by(Coding.coder))
    return dict(sorted(rows.all()))


def readable_layers(session: Session, actor: Actor | str | None = None) -> list[str]:
    """The layers with accepted codings this actor may count: the consensus, their own,
    and every coder's for those who may read all codings."""
    known = list(coders(session))
    if not isinstance(actor, Actor) or access.allowed(session, actor, Can.READ_CODINGS):
        return known
    return [k for k in known if k in (CONSENSUS, actor.login)]


def resolve_layer(session: Session, layer: str | None = None,
                  actor: Actor | str | None = None) -> Layer:
    """The layer to count; a clear error when the choice is not obvious or not there. An
    authenticated actor reads their own layer, or any if they may read every coding."""
    access.require_layer(session, actor, layer)
    known = coders(session)
    if layer and layer != CONSENSUS:
        if layer not in known:
            raise QdaError(f"no accepted codings by {layer!r}; coders: "
                           f"{', '.join(known) or 'none'}", None, "E400")
        return Layer(layer)
    if CONSENSUS in known:
        return Layer(CONSENSUS)
    if layer == CONSENSUS or len(known) > 1:
        raise QdaError(f"no {CONSENSUS} layer yet; choose a coder with --layer "
                       f"({', '.join(known)})" if known else "no accepted codings yet",
                       None, "E401")
    if not known:
        raise QdaError("no accepted codings yet: code segments first (qda code, the app, "
                       "or qda codings import)", None, "E401")
    return Layer(next(iter(known)), fallback=True)


def coded_units(session: Session, layer: Layer) -> pd.DataFrame:
    """One row per accepted coding of the layer with its segment: the input of every
    theme table. Columns: segment_id, code_id, kind, question, area, text, source_id,
    position, duplicate_count, is_quote, memo, group (the unit's participant group) and
    format (its source's workshop's)."""
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
    return pd.DataFrame(rows, columns=["segment_id", "code_id", "kind", "question", "area",
                                       "text", "source_id", "position", "duplicate_count",
                                       "is_quote", "memo", "group", "format"])
