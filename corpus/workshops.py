"""The workshop register: area, format, date and participants per group (Tabell 1's input)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit
from .actors import LIBRARY, Actor, actor_name, checked
from .dimensions import Study, fold
from .errors import InputError
from .models import Workshop
from .project import Project
from .readers.grid import detect_delimiter
from .readers.textfile import decode_text
from .study import Resolver, load, set_workshop_counts, workshop_counts
from .vocabulary import Action

FIELDS = ("label", "area", "format", "date")
_ALIASES: dict[str, str] = {
    "label": "label", "namn": "label", "workshop": "label", "benamning": "label",
    "area": "area", "omrade": "area", "region": "area", "kommunalforbund": "area",
    "format": "format", "form": "format", "typ": "format",
    "date": "date", "datum": "date",
}
# columns of a workshop file that hold numbers but are no participant group
_NOT_GROUPS = frozenset({"id", "nr", "totalt", "total", "summa", "antal", "sum"})


def normalise_fields(raw: dict[str, Any], where: Path | None = None) -> dict[str, Any]:
    """Accept Swedish or English keys; validate the date and the counts. Any other column
    holding a whole number is a participant group's count ("Politiker: 4"): its header is
    matched against the project's groups (or learned) when the workshop is stored. Area and
    format stay as written until then."""
    out: dict[str, Any] = {"counts": {}}
    given_counts = raw.get("counts") or raw.get("participants") or {}
    for key, value in [*raw.items(), *dict(given_counts).items()]:
        if key in ("counts", "participants"):
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        name = _ALIASES.get(fold(str(key)).replace("_", " "), _ALIASES.get(str(key)))
        if name is not None:
            out[name] = value
            continue
        if fold(str(key)) in _NOT_GROUPS or not fold(str(key)):
            continue
        try:
            number = int(str(value).strip())
        except ValueError:
            if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
                continue     # a comment or another column, not a count
            raise InputError(f"{key} must be a whole number, not {value!r}", where,
                             "E144") from None
        if number < 0:
            raise InputError(f"{key} cannot be negative", where, "E144")
        out["counts"][str(key).replace("_", " ") if str(key).islower() and "_" in str(key)
                      else str(key)] = number
    if "label" not in out or "area" not in out:
        raise InputError("each workshop needs a label and an area", where, "E140")
    out["label"] = str(out["label"]).strip()
    out["area"] = str(out["area"]).strip()
    if "format" in out:
        out["format"] = str(out["format"]).strip()
    if "date" in out and not isinstance(out["date"], dt.date):
        try:
            out["date"] = dt.date.fromisoformat(str(out["date"]).strip())
        except ValueError as exc:
            raise InputError(f"date must be YYYY-MM-DD, not {out['date']!r}", where,
                             "E143") from exc
    return out


def upsert_workshop(session: Session, fields: dict[str, Any], actor: Actor = LIBRARY,
                    where: Path | None = None, resolver: Resolver | None = None) -> Workshop:
    """Add a workshop, or update the one with the same label. Its area, format and groups
    are the project's (learned when new, unless the project's list is fixed)."""
    checked(actor)      # a plain name is no actor (E614): refused before anything
    resolver = resolver or Resolver(session, actor, ("workshop", "workshops"))
    area = resolver.key("area", fields["area"], f"workshop {fields['label']!r}", where)
    fmt = resolver.key("format", fields.get("format"), f"workshop {fields['label']!r}", where)
    counts = {resolver.key("group", label, f"workshop {fields['label']!r}", where): n
              for label, n in fields.get("counts", {}).items()}
    ws = session.scalar(select(Workshop).where(Workshop.label == fields["label"]))
    before = _as_dict(session, ws) if ws else None
    if ws is None:
        ws = Workshop(label=fields["label"], area=area)
        session.add(ws)
    ws.area = area  # type: ignore[assignment]  # a blank area fails the NOT NULL column
    if fmt is not None:
        ws.format = fmt
    if "date" in fields:
        ws.date = fields["date"]
    session.flush()
    set_workshop_counts(session, ws.id, counts)  # type: ignore[arg-type]  # as the file gives them
    audit.record(session, actor_name(actor),
                 Action.WORKSHOP_UPDATE if before else Action.WORKSHOP_CREATE,
                 "workshop", ws.id,
                 before=before, after=_as_dict(session, ws))
    return ws


def add_workshop(project: Project, actor: Actor = LIBRARY, **fields: Any) -> Workshop:
    checked(actor)      # a plain name is no actor (E614): refused before anything
    clean = normalise_fields(fields)
    with project.transaction() as session:
        return upsert_workshop(session, clean, actor)


def read_workshop_file(path: Path) -> list[dict[str, Any]]:
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(decode_text(path.read_bytes(), path))
        except yaml.YAMLError as exc:
            raise InputError(f"not valid YAML: {str(exc).splitlines()[0]}", path, "E145") from exc
        if isinstance(data, dict):
            data = data.get("workshops", [])
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise InputError("expected a list of workshops (or a 'workshops:' list)", path,
                             "E145")
        return data
    if suffix == ".csv":
        text = decode_text(path.read_bytes(), path)
        return list(csv.DictReader(io.StringIO(text),
                                   delimiter=detect_delimiter(text[:8192])))
    raise InputError("workshops are read from .csv or .yaml files", path, "E145")


def import_workshops(project: Project, path: Path, actor: Actor = LIBRARY) -> WorkshopImport:
    """All rows or none: one bad row rejects the file."""
    checked(actor)      # a plain name is no actor (E614): refused before anything
    rows = read_workshop_file(path)
    if not rows:
        raise InputError("no workshops in the file", path, "E146")
    cleaned = []
    for i, row in enumerate(rows, start=1):
        try:
            cleaned.append(normalise_fields(row, path))
        except InputError as exc:
            raise InputError(f"row {i}: {exc.reason}", path, exc.code) from exc
    with project.transaction() as session:
        resolver = Resolver(session, actor, ("workshop", "workshops"))
        done = []
        for i, fields in enumerate(cleaned, start=1):
            try:
                done.append(upsert_workshop(session, fields, actor, path, resolver))
            except InputError as exc:
                raise InputError(f"row {i}: {exc.reason}", path, exc.code) from exc
        return WorkshopImport(done, resolver.lines(), resolver.lines(english=True))


@dataclass
class WorkshopImport:
    """The workshops of a file, and what the file taught the study (Swedish lines, and
    the same in English for the CLI)."""

    workshops: list[Workshop]
    learned: list[str] = field(default_factory=list)
    learned_en: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.workshops)

    def __iter__(self):
        return iter(self.workshops)


def workshops_frame(project: Project) -> pd.DataFrame:
    """One row per workshop in the project's area order: label, area, format, date and
    one column per participant group (the project's labels)."""
    with project.session() as session:
        study = load(session)
        order = {k: i for i, k in enumerate(study.areas.key_list())}
        workshops = sorted(session.scalars(select(Workshop)),
                           key=lambda w: (order.get(w.area, len(order)),
                                          w.date or dt.date.max, w.label))
        rows = [_as_dict(session, ws, study) for ws in workshops]
    groups = list(study.groups.labels().values())
    frame = pd.DataFrame(rows, columns=["id", *FIELDS, *groups])
    return frame.astype({g: "Int64" for g in groups})    # a blank is no count, not 0


def _as_dict(session: Session, ws: Workshop, study: Study | None = None) -> dict[str, Any]:
    study = study or load(session)
    data: dict[str, Any] = {"id": ws.id, "label": ws.label,
                            "area": study.areas.label(ws.area), "format":
                            study.formats.label(ws.format) if ws.format else None,
                            "date": ws.date.isoformat() if ws.date else None}
    counts = workshop_counts(session, [ws.id]).get(ws.id, {})
    data.update({study.groups.label(k): n for k, n in counts.items()})
    return data
