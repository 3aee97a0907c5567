"""A Delphi study and its candidate indicators: taken from the analysis (the merged rows
of bilaga 2, each linked to the notes behind it) or written by hand, then selected,
merged, reworded and described by the lead. Nothing is deleted and every wording is
kept as a version, so answers always point at the words they rated; every change is
audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coding import access
from corpus import audit
from corpus.errors import QdaError
from corpus.models import DelphiItem, DelphiItemNote, DelphiItemVersion, DelphiStudy, Segment
from corpus.roles import Can
from corpus.vocabulary import Action
from people.accounts import Actor, checked

from .statistics import ConsensusRule


def lead(session: Session, actor: Actor) -> str:
    """The name an actor's change is audited under, once their role lets them run the
    Delphi study (a system actor, the command line or a notebook, may)."""
    access.require(session, actor, Can.MANAGE_DELPHI)
    return checked(actor).login


def create_study(session: Session, name: str, actor: Actor, description: str = "",
                 rule: ConsensusRule | None = None, ask_feasibility: bool = False
                 ) -> DelphiStudy:
    rule = rule or ConsensusRule()
    who = lead(session, actor)
    name = " ".join(name.split())
    if not name:
        raise QdaError("a Delphi study needs a name", None, "E701")
    if session.scalar(select(DelphiStudy.id).where(DelphiStudy.name == name)) is not None:
        raise QdaError(f"a Delphi study named {name!r} exists", None, "E701")
    study = DelphiStudy(name=name, description=description, ask_feasibility=ask_feasibility,
                        consensus_share=rule.share, include_median=rule.include_median,
                        exclude_median=rule.exclude_median, created_by=who,
                        rule=rule.kind, min_ratings=rule.min_ratings,
                        quorum_share=rule.quorum_share, disagreement=rule.disagreement)
    session.add(study)
    session.flush()
    audit.record(session, who, Action.DELPHI_STUDY_CREATE, "delphi_study", study.id,
                 after={"name": name, "rule": [rule.share, rule.include_median,
                                               rule.exclude_median],
                        "kind": rule.kind, "min_ratings": rule.min_ratings,
                        "quorum_share": rule.quorum_share,
                        "disagreement": rule.disagreement,
                        "feasibility": ask_feasibility})
    return study


def study(session: Session, name_or_id: str | int) -> DelphiStudy:
    found = session.get(DelphiStudy, name_or_id) if isinstance(name_or_id, int) else \
        session.scalar(select(DelphiStudy).where(DelphiStudy.name == name_or_id))
    if found is None:
        raise QdaError(f"no Delphi study {name_or_id!r}", None, "E700")
    return found


def studies(session: Session) -> list[DelphiStudy]:
    return list(session.scalars(select(DelphiStudy).order_by(DelphiStudy.id)))


def rule_of(study: DelphiStudy) -> ConsensusRule:
    return ConsensusRule(study.consensus_share, study.include_median, study.exclude_median,
                         study.min_ratings, study.rule or "share",
                         study.quorum_share or 0.5, study.disagreement or "ipras")


@dataclass(frozen=True)
class ItemView:
    id: int
    position: int
    question: int | None
    theme: str
    subtheme: str
    wording: str
    description: str
    version: int
    version_id: int
    notes: int
    areas: tuple[str, ...]
    origin: str
    removed: bool


def current_version(session: Session, item_id: int) -> DelphiItemVersion:
    return session.scalars(select(DelphiItemVersion).where(DelphiItemVersion.item_id == item_id)
                           .order_by(DelphiItemVersion.version.desc()).limit(1)).one()


def _item(session: Session, item_id: int) -> DelphiItem:
    item = session.get(DelphiItem, item_id)
    if item is None:
        raise QdaError(f"no Delphi item {item_id}", None, "E702")
    return item


def _wording(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise QdaError("an item needs a wording", None, "E703")
    return text


def add_item(session: Session, study_id: int, wording: str, actor: Actor,
             theme: str = "",
             subtheme: str = "", description: str = "", question: int | None = None,
             segment_ids: list[int] | tuple[int, ...] = (), origin: str = "hand"
             ) -> DelphiItem:
    """An item at the end of the study's list, linked to the notes it stands for."""
    name = lead(session, actor)
    wording = _wording(wording)
    position = (session.scalar(select(func.max(DelphiItem.position))
                               .where(DelphiItem.study_id == study_id)) or 0) + 1
    item = DelphiItem(study_id=study_id, position=position, question=question, theme=theme,
                      subtheme=subtheme, origin=origin, removed=False)
    session.add(item)
    session.flush()
    session.add(DelphiItemVersion(item_id=item.id, version=1, wording=wording,
                                  description=description, author=name))
    session.add_all(DelphiItemNote(item_id=item.id, segment_id=s)
                    for s in dict.fromkeys(segment_ids))
    audit.record(session, name, Action.DELPHI_ITEM_ADD, "delphi_item", item.id,
                 after={"wording": wording, "theme": theme, "subtheme": subtheme,
                        "origin": origin, "notes": list(dict.fromkeys(segment_ids))})
    return item


def items_from_bilaga2(session: Session, study_id: int, actor: Actor,
                       questions: list[int] | None = None, layer: str | None = None,
                       main_themes: list[str] | None = None) -> list[DelphiItem]:
    """One item per merged bilaga 2 row (near-duplicate notes already joined), in the
    table's order, keeping the row's notes; rows already taken are not taken twice.
    `questions` and `main_themes` narrow the rows taken."""
    from themes.layers import resolve_layer
    from themes.tables import bilaga2

    lead(session, actor)     # refused before anything (E600, E614)
    tables = bilaga2(session, resolve_layer(session, layer))
    taken = {frozenset(ids) for ids in _notes_of_items(session, study_id).values()}
    made = []
    for question, table in tables.items():
        if questions and question not in questions:
            continue
        for row in table.itertuples(index=False):
            if main_themes and row.Huvudtema not in main_themes:
                continue
            ids = [int(i) for i in row.segment_ids]
            if frozenset(ids) in taken:
                continue
            made.append(add_item(session, study_id, row.Inlägg, actor, row.Huvudtema,
                                 row.Subtema, question=question, segment_ids=ids,
                                 origin="bilaga2"))
    return made


def _notes_of_items(session: Session, study_id: int) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for item_id, segment_id in session.execute(
            select(DelphiItemNote.item_id, DelphiItemNote.segment_id)
            .join(DelphiItem, DelphiItem.id == DelphiItemNote.item_id)
            .where(DelphiItem.study_id == study_id)):
        out.setdefault(item_id, []).append(segment_id)
    return out


def edit_item(session: Session, item_id: int, actor: Actor,
              wording: str | None = None, description: str | None = None
              ) -> DelphiItemVersion:
    """A new version of the item's wording or description; the old one stays, with the
    answers given to it."""
    name = lead(session, actor)
    _item(session, item_id)
    old = current_version(session, item_id)
    new = DelphiItemVersion(item_id=item_id, version=old.version + 1,
                            wording=_wording(wording) if wording is not None else old.wording,
                            description=old.description if description is None
                            else description.strip(), author=name)
    session.add(new)
    session.flush()
    audit.record(session, name, Action.DELPHI_ITEM_EDIT, "delphi_item", item_id,
                 before={"version": old.version, "wording": old.wording,
                         "description": old.description},
                 after={"version": new.version, "wording": new.wording,
                        "description": new.description})
    return new


def merge_items(session: Session, keep_id: int, other_ids: list[int], actor: Actor,
                wording: str | None = None) -> DelphiItem:
    """Join items that say the same: the kept item gains the others' notes (and, when
    given, a new wording); the others are marked merged, never deleted."""
    name = lead(session, actor)
    keep = _item(session, keep_id)
    notes = set(_notes_of_items(session, keep.study_id).get(keep_id, []))
    for other_id in other_ids:
        other = _item(session, other_id)
        if other.id == keep.id or other.study_id != keep.study_id:
            raise QdaError(f"item {other_id} cannot be merged into item {keep_id}", None,
                           "E702")
        for segment_id in _notes_of_items(session, keep.study_id).get(other_id, []):
            if segment_id not in notes:
                session.add(DelphiItemNote(item_id=keep_id, segment_id=segment_id))
                notes.add(segment_id)
        other.removed, other.merged_into = True, keep_id
    if wording is not None:
        edit_item(session, keep_id, actor, wording)
    audit.record(session, name, Action.DELPHI_ITEM_MERGE, "delphi_item", keep_id,
                 after={"merged": list(other_ids), "notes": sorted(notes)})
    return keep


def remove_item(session: Session, item_id: int, actor: Actor,
                removed: bool = True) -> None:
    """Take an item off the list (or back on it); its answers stay."""
    name = lead(session, actor)
    item = _item(session, item_id)
    before = item.removed
    item.removed = removed
    audit.record(session, name, Action.DELPHI_ITEM_REMOVE, "delphi_item", item_id,
                 before={"removed": before}, after={"removed": removed})


def list_items(session: Session, study_id: int, include_removed: bool = False
               ) -> list[ItemView]:
    notes = _notes_of_items(session, study_id)
    area_of = dict(session.execute(select(Segment.id, Segment.area).where(
        Segment.id.in_([s for ids in notes.values() for s in ids]))).all()) if notes else {}
    out = []
    query = select(DelphiItem).where(DelphiItem.study_id == study_id) \
        .order_by(DelphiItem.position)
    for item in session.scalars(query):
        if item.removed and not include_removed:
            continue
        version = current_version(session, item.id)
        ids = notes.get(item.id, [])
        out.append(ItemView(item.id, item.position, item.question, item.theme, item.subtheme,
                            version.wording, version.description, version.version,
                            version.id, len(ids),
                            tuple(sorted({a for s in ids if (a := area_of.get(s))})),
                            item.origin, item.removed))
    return out
