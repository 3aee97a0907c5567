"""The study's dimensions in the project store: loaded for every table, learned from the
material at ingest, edited by the lead (add, rename, merge, order), every change audited.

One owner for the seam: tables, quotes, Tabell 1, the Delphi panel, the .qdpx and the
app's filters read a `Study` from `load`; nothing else knows which areas a study has.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import audit
from .actors import LIBRARY, Actor, actor_name
from .dimensions import (
    DIMENSIONS,
    NAMES_SV,
    Dimension,
    Profile,
    Study,
    Value,
    fold,
    read_profile,
    tidy_label,
)
from .errors import InputError, QdaError
from .models import (
    DelphiPanelist,
    Segment,
    Source,
    StudyDimension,
    StudyValue,
    Workshop,
    WorkshopCount,
)
from .vocabulary import Action

if TYPE_CHECKING:
    from .prepare import Batch


def load(session: Session) -> Study:
    """The project's areas, groups and formats, in the project's order."""
    rows = session.scalars(select(StudyValue).order_by(StudyValue.dimension,
                                                       StudyValue.sort_order,
                                                       StudyValue.id)).all()
    flags = {d.name: d for d in session.scalars(select(StudyDimension))}
    dims = {}
    for name in DIMENSIONS:
        values = tuple(Value(name, r.key, r.label, r.long_name, tuple(r.aliases or ()),
                             r.sort_order) for r in rows if r.dimension == name)
        flag = flags.get(name)
        dims[name] = Dimension(name, values, bool(flag and flag.fixed),
                               bool(flag and flag.all_columns))
    return Study(dims["area"], dims["group"], dims["format"])


def load_project(project) -> Study:
    with project.session() as session:
        return load(session)


def _check(dimension: str) -> None:
    if dimension not in DIMENSIONS:
        raise QdaError(f"unknown dimension {dimension!r}; use {', '.join(DIMENSIONS)}",
                       None, "E182")


def _row(session: Session, dimension: str, key: str) -> StudyValue | None:
    return session.scalar(select(StudyValue).where(StudyValue.dimension == dimension,
                                                   StudyValue.key == key))


def _find(session: Session, dimension: str, text: str) -> StudyValue:
    """A value by key, label or alias; an error naming the known ones otherwise."""
    study = load(session)
    key = study[dimension].key_of(text)
    if key is None:
        known = ", ".join(study[dimension].labels().values()) or "none yet"
        raise QdaError(f"no {dimension} {text!r} in this project (known: {known})",
                       None, "E183")
    found = _row(session, dimension, key)
    assert found is not None        # the study knows the key
    return found


def _as_dict(row: StudyValue) -> dict:
    return {"dimension": row.dimension, "key": row.key, "label": row.label,
            "long_name": row.long_name, "aliases": list(row.aliases or []),
            "order": row.sort_order}


def add_value(session: Session, dimension: str, label: str, *, long_name: str | None = None,
              aliases: list[str] | tuple[str, ...] = (), key: str | None = None,
              actor: Actor = LIBRARY, memo: str | None = None) -> StudyValue:
    """A new area, group or format at the end of its list."""
    _check(dimension)
    label = tidy_label(label)
    if not fold(label):
        raise QdaError(f"a {dimension} needs a label", None, "E184")
    dim = load(session)[dimension]
    taken = dim.key_of(label)
    if taken is not None:
        raise QdaError(f"{label!r} is already the {dimension} {dim.label(taken)!r}", None,
                       "E185")
    key = key or dim.new_key(label)
    if key in dim.key_list():
        raise QdaError(f"the key {key!r} is taken", None, "E185")
    order = (session.scalar(select(func.max(StudyValue.sort_order)).where(
        StudyValue.dimension == dimension)) or 0) + 1 if dim.values else 0
    row = StudyValue(dimension=dimension, key=key, label=label, long_name=long_name or None,
                     aliases=list(aliases), sort_order=order)
    session.add(row)
    session.flush()
    audit.record(session, actor_name(actor),
                 Action.STUDY_ADD, "study_value", row.id, after=_as_dict(row),
                 memo=memo)
    return row


def rename_value(session: Session, dimension: str, old: str, new: str, actor: Actor = LIBRARY
                 ) -> StudyValue:
    """A new label; the old one stays an alias, so material written the old way still
    finds it. The key (what units store) does not change: every table shows the new label
    at once."""
    _check(dimension)
    row = _find(session, dimension, old)
    new = tidy_label(new)
    other = load(session)[dimension].key_of(new)
    if other is not None and other != row.key:
        raise QdaError(f"{new!r} is already the {dimension} {other!r}; merge instead", None,
                       "E185")
    before = _as_dict(row)
    if fold(row.label) != fold(new):
        row.aliases = [*(row.aliases or []), row.label]
    row.label = new
    session.flush()
    audit.record(session, actor_name(actor),
                 Action.STUDY_RENAME, "study_value", row.id, before=before,
                 after=_as_dict(row))
    return row


def set_long_name(session: Session, dimension: str, text: str, long_name: str | None,
                  actor: Actor = LIBRARY) -> StudyValue:
    _check(dimension)
    row = _find(session, dimension, text)
    before = _as_dict(row)
    row.long_name = " ".join((long_name or "").split()) or None
    session.flush()
    audit.record(session, actor_name(actor),
                 Action.STUDY_UPDATE, "study_value", row.id, before=before,
                 after=_as_dict(row))
    return row


def add_alias(session: Session, dimension: str, text: str, alias: str, actor: Actor = LIBRARY
              ) -> StudyValue:
    _check(dimension)
    row = _find(session, dimension, text)
    other = load(session)[dimension].key_of(alias)
    if other is not None and other != row.key:
        raise QdaError(f"{alias!r} is already the {dimension} {other!r}; merge instead", None,
                       "E185")
    before = _as_dict(row)
    row.aliases = [*(row.aliases or []), " ".join(alias.split())]
    session.flush()
    audit.record(session, actor_name(actor),
                 Action.STUDY_UPDATE, "study_value", row.id, before=before,
                 after=_as_dict(row))
    return row


def reorder(session: Session, dimension: str, labels: list[str], actor: Actor = LIBRARY) -> None:
    """The order of tables' columns and rows: the values named first, in that order, then
    the rest as they were."""
    _check(dimension)
    rows = [_find(session, dimension, text) for text in labels]
    if len({r.key for r in rows}) != len(rows):
        raise QdaError("a value is named twice", None, "E186")
    rest = [r for r in session.scalars(select(StudyValue).where(
        StudyValue.dimension == dimension).order_by(StudyValue.sort_order, StudyValue.id))
        if r.key not in {x.key for x in rows}]
    before = [r.key for r in sorted([*rows, *rest], key=lambda r: (r.sort_order, r.id))]
    for i, row in enumerate([*rows, *rest]):
        row.sort_order = i
    session.flush()
    audit.record(session, actor_name(actor), Action.STUDY_ORDER, "study_dimension", None,
                 before={"dimension": dimension, "order": before},
                 after={"dimension": dimension, "order": [r.key for r in [*rows, *rest]]})


# where each dimension's keys are stored: (table, column)
_USES = {
    "area": [(Segment.__table__, "area"), (Source.__table__, "area"),
             (Workshop.__table__, "area"), (DelphiPanelist.__table__, "area")],
    "group": [(Segment.__table__, "participant_group"),
              (DelphiPanelist.__table__, "panel_group")],
    "format": [(Workshop.__table__, "format")],
}


# what uses a value, as `uses` names it (English: the CLI) and as the app says it
USE_NAMES = {"note": "notes", "turn": "turns", "sentence": "sentences",
             Source.__tablename__: "sources", Workshop.__tablename__: "workshops",
             DelphiPanelist.__tablename__: "Delphi panelists",
             WorkshopCount.__tablename__: "participant counts"}
USE_NAMES_SV = {"notes": "lappar", "turns": "repliker", "sentences": "meningar",
                "sources": "källor", "workshops": "workshops",
                "Delphi panelists": "Delphi-deltagare",
                "participant counts": "deltagarantal i workshops"}
# the same, one of each ("1 source", "1 källa")
USE_NAME_ONE = {"notes": "note", "turns": "turn", "sentences": "sentence",
                "sources": "source", "workshops": "workshop",
                "Delphi panelists": "Delphi panelist", "participant counts": "participant count"}
USE_NAME_ONE_SV = {"notes": "lapp", "turns": "replik", "sentences": "mening",
                   "sources": "källa", "workshops": "workshop",
                   "Delphi panelists": "Delphi-deltagare",
                   "participant counts": "deltagarantal i en workshop"}


def said_uses(counts: dict[str, int], swedish: bool = False) -> str:
    """`uses` as a line: '5 notes, 1 source' ('5 lappar, 1 källa')."""
    many, one = (USE_NAMES_SV, USE_NAME_ONE_SV) if swedish else ({}, USE_NAME_ONE)
    return ", ".join(f"{n} {one.get(t, t) if n == 1 else many.get(t, t)}"
                     for t, n in counts.items())


def uses(session: Session, dimension: str, key: str) -> dict[str, int]:
    """How many notes, turns, sentences, sources, workshops, panelists (and workshop
    participant counts) name this value: what a merge or delete moves."""
    counts: dict[str, int] = {}
    for table, column in _USES[dimension]:
        if table is Segment.__table__:
            for kind, n in session.execute(select(table.c.kind, func.count()).where(
                    table.c[column] == key).group_by(table.c.kind).order_by(table.c.kind)):
                counts[USE_NAMES.get(kind, kind)] = n
            continue
        n = session.scalar(select(func.count()).select_from(table).where(
            table.c[column] == key))
        if n:
            counts[USE_NAMES[table.name]] = n
    if dimension == "group":
        n = session.scalar(select(func.count()).select_from(WorkshopCount).where(
            WorkshopCount.group_key == key))
        if n:
            counts[USE_NAMES[WorkshopCount.__tablename__]] = n
    return counts


def merge_values(session: Session, dimension: str, sources: list[str], target: str,
                 actor: Actor = LIBRARY, memo: str | None = None) -> dict[str, int]:
    """Fold values into one: every note, turn, source, workshop and Delphi panelist moves
    to the target at once, the merged labels become its aliases, the merged values go.
    Returns the rows moved per table."""
    _check(dimension)
    into = _find(session, dimension, target)
    gone = [_find(session, dimension, s) for s in sources]
    if any(g.key == into.key for g in gone):
        raise QdaError("a value cannot be merged into itself", None, "E186")
    moved: Counter[str] = Counter()
    before = {"into": _as_dict(into), "merged": [_as_dict(g) for g in gone]}
    for row in gone:
        moved.update(uses(session, dimension, row.key))     # named as the user reads them
        for table, column in _USES[dimension]:
            session.execute(update(table).where(table.c[column] == row.key)
                            .values({column: into.key}))
        if dimension == "group":
            _merge_counts(session, row.key, into.key)
        into.aliases = [*(into.aliases or []), row.label, *([row.long_name] if row.long_name
                                                            else []), *(row.aliases or [])]
        session.delete(row)
    session.flush()
    audit.record(session, actor_name(actor),
                 Action.STUDY_MERGE, "study_value", into.id, before=before,
                 after={"into": _as_dict(into), "moved": dict(moved)}, memo=memo)
    return {k: v for k, v in moved.items() if v}


def _merge_counts(session: Session, old: str, new: str) -> int:
    """A workshop's count of the merged group is added to the target group's."""
    rows = session.scalars(select(WorkshopCount).where(WorkshopCount.group_key == old)).all()
    for row in rows:
        target = session.get(WorkshopCount, (row.workshop_id, new))
        if target is None:
            session.add(WorkshopCount(workshop_id=row.workshop_id, group_key=new,
                                      count=row.count))
        else:
            target.count += row.count
        session.delete(row)
    session.flush()
    return len(rows)


def delete_value(session: Session, dimension: str, text: str, actor: Actor = LIBRARY) -> None:
    """Only a value nothing uses (a mistaken learned label is merged instead)."""
    _check(dimension)
    row = _find(session, dimension, text)
    used = uses(session, dimension, row.key)
    if used:
        counts = ", ".join(f"{n} {t}" for t, n in used.items())
        raise QdaError(f"{row.label!r} is in use ({counts}); merge it into another instead",
                       None, "E187")
    audit.record(session, actor_name(actor), Action.STUDY_DELETE, "study_value", row.id,
                 before=_as_dict(row))
    session.delete(row)
    session.flush()


def set_flags(session: Session, dimension: str, *, fixed: bool | None = None,
              all_columns: bool | None = None, actor: Actor = LIBRARY) -> None:
    """Close or open a dimension's list; show or hide columns of values with no units."""
    _check(dimension)
    row = session.get(StudyDimension, dimension)
    if row is None:
        row = StudyDimension(name=dimension, fixed=False, all_columns=False)
        session.add(row)
    before = {"fixed": row.fixed, "all_columns": row.all_columns}
    if fixed is not None:
        row.fixed = fixed
    if all_columns is not None:
        row.all_columns = all_columns
    session.flush()
    audit.record(session, actor_name(actor), Action.STUDY_SETTINGS, "study_dimension", None,
                 before={"dimension": dimension, **before},
                 after={"dimension": dimension, "fixed": row.fixed,
                        "all_columns": row.all_columns})


def apply_profile(session: Session, profile: Profile | str | Path, actor: Actor = LIBRARY
                  ) -> int:
    """A study profile's values added to the project (those it has are left as they are)
    and its closed lists closed. Returns the values added."""
    if not isinstance(profile, Profile):
        profile = read_profile(profile)
    added = 0
    for value in profile.values:
        if load(session)[value.dimension].key_of(value.label) is not None \
                or _row(session, value.dimension, value.key) is not None:
            continue
        add_value(session, value.dimension, value.label, long_name=value.long_name,
                  aliases=value.aliases, key=value.key, actor=actor,
                  memo=f"study profile {profile.name}")
        added += 1
    for dimension in profile.fixed:
        set_flags(session, dimension, fixed=True, actor=actor)
    return added


# --- learning from the material --------------------------------------------------------

@dataclass
class Learned:
    """What an import said of a dimension: values it added (label -> units), labels folded
    into a known value through a variant ("Lerums kommun" -> "Lerum"), and new labels that
    look like a known one ("Lerm" ~ "Lerum"), listed for the team, never guessed."""

    dimension: str
    noun: tuple[str, str] = ("enhet", "enheter")     # what the counts count
    new: dict[str, int] = field(default_factory=dict)
    folded: dict[str, str] = field(default_factory=dict)
    near: dict[str, str] = field(default_factory=dict)

    def lines(self, english: bool = False) -> list[str]:
        """The ingest report's lines, one per label: in Swedish as the app shows them, or
        in English as the CLI prints them."""
        if english:
            return self._lines_en()
        one, _ = NAMES_SV[self.dimension]
        new = "ny" if self.dimension == "group" else "nytt"
        out = [f"{new} {one}: {label} ({units} {self.noun[0] if units == 1 else self.noun[1]})"
               for label, units in self.new.items()]
        out += [f"{one} {written!r} räknas som {label}" for written, label in
                self.folded.items()]
        own = "egen" if self.dimension == "group" else "eget"
        out += [f"kontrollera: {label!r} liknar {other} men lades till som {own} {one}; "
                f"slå ihop med `qda study merge {self.dimension} \"{label}\" \"{other}\"` "
                "(eller under Projekt → Områden och grupper) om det är samma"
                for label, other in self.near.items()]
        return out

    def _lines_en(self) -> list[str]:
        one = NAMES_EN[self.dimension]
        nouns = NOUNS_EN.get(self.noun[0], ("unit", "units"))
        out = [f"new {one}: {label} ({units} {nouns[0] if units == 1 else nouns[1]})"
               for label, units in self.new.items()]
        out += [f"{one} {written!r} counted as {label}" for written, label in
                self.folded.items()]
        article = "an" if one[0] in "aeiou" else "a"
        out += [f"check: {label!r} looks like {other} but was added as {article} {one} of its "
                f"own; merge with `qda study merge {self.dimension} \"{label}\" \"{other}\"` "
                "(or on Projekt → Områden och grupper) if they are the same"
                for label, other in self.near.items()]
        return out


NAMES_EN = {"area": "area", "group": "participant group", "format": "format"}
# what the counts of `Learned.noun` count, in English
NOUNS_EN = {"lapp": ("note", "notes"), "transkript": ("transcript", "transcripts"),
            "workshop": ("workshop", "workshops"), "enhet": ("unit", "units")}


class Resolver:
    """Labels as written -> keys of the project, learning new values unless the list is
    fixed (then an unknown label is an error naming where it stood and the known values).
    Used inside the import's transaction: what it adds rolls back with a failed file."""

    def __init__(self, session: Session, actor: Actor = LIBRARY,
                 noun: tuple[str, str] = ("enhet", "enheter")):
        self.session = session
        self.actor = actor
        self.study = load(session)
        self.learned = {d: Learned(d, noun) for d in DIMENSIONS}

    def key(self, dimension: str, text: str | None, where: str = "",
            path: Path | None = None, units: int = 1) -> str | None:
        if text is None or not fold(str(text)):
            return None
        dim = self.study[dimension]
        match = dim.match(text)
        learned = self.learned[dimension]
        if match.key is not None:
            value = dim.get(match.key)
            assert value is not None        # the key it matched
            if match.folded and fold(str(text)) != fold(value.label):
                learned.folded.setdefault(" ".join(str(text).split()), value.label)
            if value.label in learned.new:
                learned.new[value.label] += units
            return match.key
        if dim.fixed:
            known = ", ".join(dim.labels().values()) or "none"
            one = NAMES_EN[dimension]
            one_sv = {"area": "området", "group": "deltagargruppen",
                      "format": "formatet"}[dimension]
            raise InputError(f"{where + ': ' if where else ''}unknown {one} {str(text)!r}; "
                             f"this project's list is fixed (known: {known}); add it with "
                             f"`qda study add {dimension} …` or correct the file",
                             path, "E188",
                             detail_sv=f"{one_sv} ”{text}”"
                             + (f" ({_where_sv(where)})" if where else "")
                             + f" finns inte i listan. Kända: {known}. Lägg till det under "
                             "Projekt → Områden och grupper, eller rätta filen")
        try:
            # a savepoint: another import learning the same label at once (PostgreSQL
            # writes two files in parallel) commits first, and this one then finds it
            with self.session.begin_nested():
                row = add_value(self.session, dimension, str(text), actor=self.actor,
                                memo="learned from the material")
        except IntegrityError:
            self.study = load(self.session)
            found = self.study[dimension].key_of(text)
            if found is None:
                raise
            return found
        self.study = load(self.session)
        learned.new[row.label] = units
        if match.near is not None:
            learned.near[row.label] = self.study[dimension].label(match.near)
        return row.key

    def lines(self, english: bool = False) -> list[str]:
        return [line for d in DIMENSIONS for line in self.learned[d].lines(english)]


def _where_sv(where: str) -> str:
    for english, swedish in (("sheet ", "blad "), ("speaker list ", "talarlistan "),
                             (", row ", ", rad "), ("speaker label", "talaretiketten")):
        where = where.replace(english, swedish)
    return where


def resolve_rows(resolver: Resolver, rows: list[dict], path: Path | None,
                 area: str | None, group: str | None) -> None:
    """Note rows' area and group labels (as read) turned into keys in place; `area` and
    `group` (keys) fill what a row lacks."""
    counts: Counter[tuple[str, str]] = Counter()
    first_cell: dict[tuple[str, str], str] = {}
    for row in rows:
        cells = {"area": row.pop("area_cell", None), "group": row.pop("group_cell", None)}
        for dimension, column in (("area", "area"), ("group", "participant_group")):
            label = row.get(column)
            if label:
                counts[(dimension, label)] += 1
                cell = cells[dimension] or row.get("location")
                where = [f"sheet {row['sheet']!r}"] if row.get("sheet") else []
                first_cell.setdefault((dimension, label),
                                      ", ".join(where + ([f"cell {cell}"] if cell else [])))
    keys = {pair: resolver.key(pair[0], pair[1], first_cell[pair], path, n)
            for pair, n in counts.items()}
    for row in rows:
        row["area"] = keys[("area", row["area"])] if row.get("area") else area
        label = row.get("participant_group")
        row["participant_group"] = keys[("group", label)] if label else group


def resolve_turns(resolver: Resolver, batches: Iterable[Batch], groups: dict[str, str],
                  path: Path | None, group: str | None) -> Iterator[Batch]:
    """A transcript's batches with each turn's participant group (its speaker's, as
    written: `groups` maps each label to where it was written) turned into the project's
    key, and `group` (a key: the file's --group) for a turn whose speaker has none. The
    labels are resolved now, before any row is written: an unknown group in a fixed list
    refuses the file at once."""
    keys: dict[str, str | None] = {}
    for label, where in groups.items():
        known = resolver.study.groups.key_of(label)
        # the file's group too: counted once in what the import learned
        keys[label] = known if known is not None and known == group else \
            resolver.key("group", label, where, path)

    def resolved() -> Iterator[Batch]:
        for turn_rows, spans in batches:
            for row in turn_rows:
                label = row.get("participant_group")
                row["participant_group"] = keys[label] if label else group
            yield turn_rows, spans

    return resolved()


def workshop_counts(session: Session, workshop_ids: list[int] | None = None
                    ) -> dict[int, dict[str, int]]:
    """Participants per workshop and group key."""
    query = select(WorkshopCount)
    if workshop_ids is not None:
        query = query.where(WorkshopCount.workshop_id.in_(workshop_ids))
    out: dict[int, dict[str, int]] = {}
    for row in session.scalars(query):
        out.setdefault(row.workshop_id, {})[row.group_key] = row.count
    return out


def set_workshop_counts(session: Session, workshop_id: int, counts: dict[str, int]) -> None:
    """A workshop's participants per group key (a group left out keeps its count)."""
    for key, n in counts.items():
        row = session.get(WorkshopCount, (workshop_id, key))
        if n is None:
            continue
        if row is None:
            session.add(WorkshopCount(workshop_id=workshop_id, group_key=key, count=int(n)))
        else:
            row.count = int(n)
    session.flush()


def clear_workshop_counts(session: Session, workshop_id: int) -> None:
    session.execute(delete(WorkshopCount).where(WorkshopCount.workshop_id == workshop_id))
