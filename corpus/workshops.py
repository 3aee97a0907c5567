"""The workshop register: area, format, date and participants per role (Tabell 1's input)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit
from .areas import AREAS, FORMATS, ROLES, fold, require_area
from .errors import InputError
from .models import Workshop
from .project import Project
from .readers.grid import detect_delimiter
from .readers.textfile import decode_text
from .vocabulary import Action

FIELDS = ("label", "area", "format", "date", *ROLES)
_ALIASES: dict[str, str] = {
    "label": "label", "namn": "label", "workshop": "label", "benamning": "label",
    "area": "area", "omrade": "area", "region": "area", "kommunalforbund": "area",
    "format": "format", "form": "format", "typ": "format",
    "date": "date", "datum": "date",
    "politiker": "politicians", "politicians": "politicians",
    "2 a linjens chefer": "second_line_managers", "andra linjens chefer": "second_line_managers",
    "second line managers": "second_line_managers",
    "1 a linjens chefer": "first_line_managers", "forsta linjens chefer": "first_line_managers",
    "first line managers": "first_line_managers",
    "tjanstepersoner": "officials", "tjansteman": "officials", "officials": "officials",
    "vardpersonal": "care_staff", "care staff": "care_staff",
}


def normalise_fields(raw: dict[str, Any], where: Path | None = None) -> dict[str, Any]:
    """Accept Swedish or English keys and values; validate area, format, date, counts."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        name = _ALIASES.get(fold(str(key)).replace("_", " "), _ALIASES.get(str(key)))
        if name is None:
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        out[name] = value
    if "label" not in out or "area" not in out:
        raise InputError("each workshop needs a label and an area", where, "E140")
    out["label"] = str(out["label"]).strip()
    try:
        out["area"] = require_area(out["area"])
    except ValueError as exc:
        raise InputError(str(exc), where, "E141") from exc
    if "format" in out:
        fmt = fold(str(out["format"]))
        if fmt not in FORMATS:
            raise InputError(f"format must be digital or fysisk, not {out['format']!r}",
                             where, "E142")
        out["format"] = fmt
    if "date" in out and not isinstance(out["date"], dt.date):
        try:
            out["date"] = dt.date.fromisoformat(str(out["date"]).strip())
        except ValueError as exc:
            raise InputError(f"date must be YYYY-MM-DD, not {out['date']!r}", where,
                             "E143") from exc
    for role in ROLES:
        if role in out:
            try:
                out[role] = int(str(out[role]).strip())
            except ValueError as exc:
                raise InputError(f"{ROLES[role]} must be a whole number, not {out[role]!r}",
                                 where, "E144") from exc
            if out[role] < 0:
                raise InputError(f"{ROLES[role]} cannot be negative", where, "E144")
    return out


def upsert_workshop(session: Session, fields: dict[str, Any], actor: str = "qda") -> Workshop:
    """Add a workshop, or update the one with the same label."""
    ws = session.scalar(select(Workshop).where(Workshop.label == fields["label"]))
    before = _as_dict(ws) if ws else None
    if ws is None:
        ws = Workshop(label=fields["label"], area=fields["area"])
        session.add(ws)
    for name, value in fields.items():
        setattr(ws, name, value)
    session.flush()
    audit.record(session, actor, Action.WORKSHOP_UPDATE if before else Action.WORKSHOP_CREATE,
                 "workshop", ws.id,
                 before=before, after=_as_dict(ws))
    return ws


def add_workshop(project: Project, actor: str = "qda", **fields: Any) -> Workshop:
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


def import_workshops(project: Project, path: Path, actor: str = "qda") -> list[Workshop]:
    """All rows or none: one bad row rejects the file."""
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
        return [upsert_workshop(session, fields, actor) for fields in cleaned]


def workshops_frame(project: Project) -> pd.DataFrame:
    with project.session() as session:
        rows = [_as_dict(ws) for ws in session.scalars(select(Workshop).order_by(
            Workshop.area, Workshop.date, Workshop.label))]
    frame = pd.DataFrame(rows, columns=["id", *FIELDS])
    frame["area"] = frame["area"].map(AREAS)
    return frame


def _as_dict(ws: Workshop) -> dict[str, Any]:
    data = {"id": ws.id}
    for name in FIELDS:
        value = getattr(ws, name)
        data[name] = value.isoformat() if isinstance(value, dt.date) else value
    return data
