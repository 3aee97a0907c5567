"""Importing files into a project: read, pseudonymise, segment, store — one transaction each."""

from __future__ import annotations

import hashlib
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from . import audit
from .areas import area_in_name
from .errors import DuplicateSourceError, InputError, QdaError
from .models import PseudonymKey, Segment, Source, Workshop
from .project import Project
from .pseudonymise import Pseudonymiser
from .readers import SUFFIXES, ReadOptions, ReadResult, read_file, unreadable
from .replace import put_back, take_out
from .segment import sentence_spans
from .store import (
    bulk_insert,
    bulk_insert_batches,
    quick_handoffs,
    refresh_statistics,
    reserve_ids,
)
from .vocabulary import Action

TURN_SEPARATOR = "\n\n"
BATCH_CHARS = 100_000   # transcript text pseudonymised, split and written at a time
ANALYZE_AFTER = 5000   # segments imported by one call: refresh PostgreSQL's statistics
IN_FLIGHT = 2          # files imported at once on PostgreSQL


@dataclass
class IngestReport:
    path: str
    status: str  # imported, replaced, refused, failed; skipped (in a folder, not read)
    source_id: int | None = None
    kind: str | None = None
    file_format: str | None = None
    area: str | None = None
    question: int | None = None
    segments: dict[str, int] = field(default_factory=dict)
    sheets: list[dict[str, Any]] = field(default_factory=list)
    pseudonymised: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    replaced: dict[str, int] = field(default_factory=dict)   # units and codings carried over
    suspects: dict[str, list] = field(default_factory=dict)  # word -> [times, example]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _in_folder(folder: Path) -> list[Path]:
    """The files of a folder, recursive and sorted, without hidden files and Office's
    lock files ("~$Bok1.xlsx"), which nobody means to import."""
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and not any(part.startswith((".", "~$"))
                                             for part in p.relative_to(folder).parts))


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and the readable files inside given folders (sorted, recursive)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in _in_folder(path) if p.suffix.lower() in SUFFIXES)
        else:
            found.append(path)
    return found


def skipped_in_folders(paths: Iterable[Path]) -> list[IngestReport]:
    """The files inside given folders that are not read, each with why: an old .xls
    workbook or a PDF left among the material must not go missing from the analysis
    unnoticed."""
    return [IngestReport(str(p), "skipped", error=InputError(reason, p, "E100").line())
            for path in paths if path.is_dir()
            for p in _in_folder(path) if (reason := unreadable(p)) is not None]


def ingest_paths(project: Project, paths: Iterable[Path], options: ReadOptions | None = None,
                 workshop: str | None = None, replace: bool = False, actor: str = "qda",
                 on_file: Callable[[Path], None] | None = None) -> list[IngestReport]:
    """Import each file in its own transaction; a failed file leaves no trace.

    On PostgreSQL IN_FLIGHT files are imported at once, each in its own transaction on its
    own connection: while one waits for the server (the foreign-key checks of its bulk
    load, its commit), the next is read, pseudonymised and split."""

    def one(path: Path, digest: str | None = None) -> IngestReport:
        try:
            return ingest_file(project, path, options, workshop, replace, actor, digest)
        except DuplicateSourceError as exc:
            return IngestReport(str(path), "refused", error=exc.line())
        except QdaError as exc:
            return IngestReport(str(path), "failed", error=exc.line())

    files = expand_paths(paths)
    if project.engine.dialect.name == "postgresql" and not replace and len(files) > 1:
        reports = _in_flight(files, one, on_file)
    else:
        reports = []
        for path in files:
            if on_file:
                on_file(path)
            reports.append(one(path))
    if sum(sum(r.segments.values()) for r in reports) >= ANALYZE_AFTER:
        refresh_statistics(project.engine, ("source", "segment"))
    return reports


def _in_flight(files: list[Path], one: Callable[[Path, str | None], IngestReport],
               on_file: Callable[[Path], None] | None) -> list[IngestReport]:
    """`one` over the files, IN_FLIGHT at a time, reports in the files' order. A file with
    the bytes or the name of one before it waits until those are committed, so that it is
    refused or warned about exactly as it would be one file at a time."""
    reports: list[IngestReport] = []
    pending: deque[Future] = deque()
    digests: set[str] = set()
    names: set[str] = set()
    with ThreadPoolExecutor(IN_FLIGHT, thread_name_prefix="qda-ingest") as pool, \
            quick_handoffs():
        for path in files:
            digest = sha256_of(path) if path.is_file() else None
            if digest in digests or path.name in names:
                while pending:
                    reports.append(pending.popleft().result())
            digests.add(digest)
            names.add(path.name)
            while len(pending) >= IN_FLIGHT:
                reports.append(pending.popleft().result())
            if on_file:
                on_file(path)
            pending.append(pool.submit(one, path, digest))
        while pending:
            reports.append(pending.popleft().result())
    return reports


def ingest_file(project: Project, path: Path, options: ReadOptions | None = None,
                workshop: str | None = None, replace: bool = False, actor: str = "qda",
                digest: str | None = None) -> IngestReport:
    """One file in one transaction; `digest` is its SHA-256 when the caller has it."""
    path = Path(path)
    options = options or ReadOptions()
    if not path.exists():
        raise InputError("no such file", path, "E100")
    digest = digest or sha256_of(path)
    result = read_file(path, options)  # all parsing happens before the transaction opens
    stored = project.sources_dir / _stored_name(digest, path.name)
    created_copy = False
    try:
        with project.transaction() as session:
            previous, same_name = _previous(session, path, digest, replace)
            carried = take_out(session, previous) if previous is not None else None
            replaced = {"source_id": carried.source_id, "file": carried.name} \
                if carried else None
            ws = _workshop(session, workshop, path)
            area = options.area or (ws.area if ws else None) or area_in_name(path.stem)
            report = IngestReport(str(path), "replaced" if replaced else "imported",
                                  kind=result.kind, file_format=result.file_format, area=area,
                                  question=options.question, warnings=list(result.warnings))
            if same_name:
                report.warnings.append(same_name)
            if area and not options.area and not ws:
                report.warnings.append(f"area {area!r} guessed from the file name")
            created_copy = _keep_original(path, stored)
            source = Source(kind=result.kind, file_format=result.file_format,
                            original_name=path.name, stored_name=stored.name, sha256=digest,
                            workshop_id=ws.id if ws else None, question=options.question,
                            area=area, report={})
            session.add(source)
            session.flush()
            pseudonymiser = Pseudonymiser()
            if result.kind == "transcript":
                report.segments = store_transcript(session, source, result, pseudonymiser,
                                                   area, options.question)
            else:
                report.segments = store_notes(session, source, result, pseudonymiser, area)
            store_key(session, source.id, pseudonymiser)
            if carried is not None:
                moved = put_back(session, source.id, carried)
                report.replaced = moved.summary()
                report.warnings += [
                    f"replaced source {carried.source_id}: {c['coder']}'s {c['status']} "
                    f"coding {c['code']!r} on a unit that changed or went: {c['text'][:60]!r}"
                    for c in moved.codings_dropped]
                replaced["dropped codings"] = moved.codings_dropped
            report.source_id = source.id
            report.sheets = [asdict(s) for s in result.sheets]
            report.pseudonymised = {k: v for k, v in pseudonymiser.counts.items() if v}
            report.suspects = {w: list(v) for w, v in pseudonymiser.suspects.items()}
            if result.kind == "transcript" and not area:
                report.warnings.append("no area known: quotes cannot name the area "
                                       "(give --area or --workshop)")
            source.report = {k: v for k, v in asdict(report).items()
                             if k in ("sheets", "segments", "pseudonymised", "warnings",
                                      "suspects")}
            audit.record(session, actor,
                         Action.SOURCE_REPLACE if replaced else Action.SOURCE_INGEST,
                         "source", source.id,
                         before=replaced, after={"file": path.name, "kind": result.kind,
                                                 "segments": report.segments,
                                                 **({"carried": report.replaced}
                                                    if replaced else {})})
    except BaseException:
        if created_copy:
            stored.unlink(missing_ok=True)
        raise
    return report


def _stored_name(digest: str, name: str) -> str:
    safe = re.sub(r"[^\w.\-]+", "_", name)
    return f"{digest[:12]}-{safe}"


def _keep_original(path: Path, stored: Path) -> bool:
    """Copy the original, read-only, into sources/ (written to a temp name, then renamed)."""
    if stored.exists():
        return False
    stored.parent.mkdir(parents=True, exist_ok=True)
    tmp = stored.with_name(stored.name + ".part")
    tmp.write_bytes(path.read_bytes())
    os.chmod(tmp, 0o444)
    tmp.replace(stored)
    return True


def _previous(session: Session, path: Path, digest: str, replace: bool
              ) -> tuple[Source | None, str | None]:
    """The source this file replaces (same bytes, else with --replace the same name), and
    a warning when a file of the same name is added beside an older one."""
    old = session.scalar(select(Source).where(Source.sha256 == digest))
    if old is not None and not replace:
        raise DuplicateSourceError(
            f"already imported as source {old.id} ({old.original_name}); "
            "use --replace to import it again", path, "E130")
    if old is not None:
        return old, None
    named = list(session.scalars(select(Source).where(Source.original_name == path.name)
                                 .order_by(Source.id)))
    if not named:
        return None, None
    ids = ", ".join(str(s.id) for s in named)
    if not replace:
        return None, (f"a different file named {path.name} is already source {ids}; both are "
                      "counted now (use --replace to replace it)")
    if len(named) > 1:
        raise QdaError(f"--replace: several sources are named {path.name} ({ids}); cannot "
                       "tell which one this file replaces", path, "E131")
    return named[0], None


def _workshop(session: Session, label: str | None, path: Path) -> Workshop | None:
    if not label:
        return None
    ws = session.scalar(select(Workshop).where(Workshop.label == label))
    if ws is None:
        raise InputError(f"no workshop labelled {label!r}; add it with `qda workshops add`",
                         path, "E132")
    return ws


def store_notes(session: Session, source: Source, result: ReadResult,
                pseudonymiser: Pseudonymiser, area: str | None) -> dict[str, int]:
    """A source's notes as units, pseudonymised (also used by the REFI-QDA importer);
    returns the units written per kind."""
    for note in result.notes:  # authors first, so their names are known inside any note
        pseudonymiser.speaker(note.author)
    rows = [
        {"source_id": source.id, "kind": "note", "position": i,
         "question": note.question or source.question, "area": note.area or area,
         "speaker": pseudonymiser.speaker(note.author), "sheet": note.sheet,
         "location": note.cell, "duplicate_count": note.duplicate_count,
         "text": pseudonymiser.text(note.text)}
        for i, note in enumerate(result.notes)
    ]
    if rows:
        bulk_insert(session, Segment.__table__, rows)
    return {"note": len(rows)} if rows else {}


def store_transcript(session: Session, source: Source, result: ReadResult,
                     pseudonymiser: Pseudonymiser, area: str | None,
                     question: int | None) -> dict[str, int]:
    """A transcript's turns and sentences as units with offsets into the pseudonymised
    full text (also used by the REFI-QDA importer); returns the units written per kind.
    Turns go in batches of about BATCH_CHARS, each written while the next is
    pseudonymised and split (PostgreSQL)."""
    for turn in result.turns:
        pseudonymiser.speaker(turn.speaker)      # pseudonyms numbered in order of speaking
    turn_ids = reserve_ids(session, Segment.__table__, len(result.turns))
    texts: list[str] = []
    counts = {"turn": 0, "sentence": 0}

    def batches() -> Iterator[list[tuple[Table, list[dict]]]]:
        start, position, i = 0, len(result.turns), 0
        while i < len(result.turns):
            turn_rows, size = [], 0
            while i < len(result.turns) and size < BATCH_CHARS:
                turn = result.turns[i]
                text = pseudonymiser.text(turn.text)
                texts.append(text)
                turn_rows.append({
                    "id": turn_ids[i], "source_id": source.id, "kind": "turn",
                    "position": i, "question": question, "area": area,
                    "speaker": pseudonymiser.speaker(turn.speaker),
                    "location": _clock(turn.start_time), "start_char": start,
                    "end_char": start + len(text), "start_time": turn.start_time,
                    "end_time": turn.end_time, "duplicate_count": 1, "text": text})
                start += len(text) + len(TURN_SEPARATOR)
                size += len(text)
                i += 1
            sentence_rows = []
            spans_of_turns = sentence_spans([row["text"] for row in turn_rows])
            for row, spans in zip(turn_rows, spans_of_turns, strict=True):
                for a, b in spans:
                    sentence_rows.append({
                        "source_id": source.id, "kind": "sentence", "parent_id": row["id"],
                        "position": position, "question": question, "area": area,
                        "speaker": row["speaker"], "location": row["location"],
                        "start_char": row["start_char"] + a, "end_char": row["start_char"] + b,
                        "start_time": row["start_time"], "end_time": row["end_time"],
                        "duplicate_count": 1, "text": row["text"][a:b]})
                    position += 1
            counts["turn"] += len(turn_rows)
            counts["sentence"] += len(sentence_rows)
            yield [(Segment.__table__, turn_rows), (Segment.__table__, sentence_rows)]

    bulk_insert_batches(session, batches())
    source.text = TURN_SEPARATOR.join(texts)
    return {kind: n for kind, n in counts.items() if n}


def _clock(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def store_key(session: Session, source_id: int, pseudonymiser: Pseudonymiser) -> None:
    """Who is who: kept in its own table, never exported."""
    for real, pseudonym in pseudonymiser.key.items():
        session.add(PseudonymKey(source_id=source_id, real_name=real, pseudonym=pseudonym))
