"""Importing files into a project: read, pseudonymise, segment, store — one transaction each."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from dataclasses import replace as changed
from pathlib import Path
from typing import Any, cast

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from . import audit, originals
from .actors import LIBRARY, Actor, actor_name, checked
from .errors import DuplicateSourceError, InputError, QdaError
from .helpers import Helpers
from .models import PseudonymKey, Segment, Source, Workshop
from .notes import note
from .prepare import (
    SENTENCE_COLUMNS,
    TURN_SEPARATOR,
    Batch,
    Prepared,
    note_rows,
    prepare,
    sentence_rows,
    sha256_of,
    transcript_batches,
)
from .project import Project, configured_questions
from .pseudonymise import Pseudonymiser
from .question_texts import known_texts
from .readers import SUFFIXES, ReadOptions, ReadResult, unreadable
from .replace import put_back, take_out
from .store import (
    bulk_insert,
    bulk_insert_batches,
    is_postgresql,
    quick_handoffs,
    refresh_statistics,
    reserve_ids,
    sync,
)
from .study import Resolver, load_project, resolve_rows, resolve_turns
from .vocabulary import Action

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
    # what the file taught the project's study: new areas, groups or formats, labels
    # folded into known ones, new labels like known ones (Swedish, one line per label)
    learned: list[str] = field(default_factory=list)
    learned_en: list[str] = field(default_factory=list)     # the same, as the CLI says it
    area_label: str | None = None       # the area as the project prints it
    title: str | None = None   # a transcript's heading line, pseudonymised: not a unit


@dataclass(frozen=True)
class StoreOptions:
    """How a file is stored, beside how it is read (`ReadOptions`).

    `workshop`: the label of the workshop its source belongs to. `replace`: the file
    replaces the source with its bytes or its name, and is refused when there is none
    (imported beside the old one, a corrected file under a new name would count every
    unit twice); `replaces` names that source (its id or file name). What a folder's
    import already has of the file: `digest`, its SHA-256; `prepared`, the file read and
    split (`corpus.prepare`); `synced=False` leaves the commit's flush to disk to the
    caller's `store.sync` (one for a whole folder)."""

    workshop: str | None = None
    replace: bool = False
    replaces: int | str | None = None
    digest: str | None = None
    prepared: Prepared | None = None
    synced: bool = True


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
                 *, store: StoreOptions | None = None, actor: Actor = LIBRARY,
                 on_file: Callable[[Path], None] | None = None,
                 helpers: Helpers | None = None) -> list[IngestReport]:
    """Import each file in its own transaction; a failed file leaves no trace. `store`
    says into which workshop the files go and what they replace (`replaces` takes one
    file); a file's digest, its prepared rows and the flush are set here, per file.

    With `helpers` (see `corpus.helpers`) the files are read, pseudonymised and split in
    helper processes while this one writes the files before them. On PostgreSQL IN_FLIGHT
    files are written at once, each in its own transaction on its own connection: while
    one waits for the server (the foreign-key checks of its bulk load, its commit), the
    next is prepared or written.

    Several files are committed without waiting for the disk each time, and flushed to it
    together before this returns (or stops on an error or Ctrl-C); on SQLite a wait for
    the disk per file cost as much as the rest of a small file's write (BENCHMARKS.md).
    Each file is still all or nothing, and visible as soon as it is committed; a crash of
    the process loses nothing committed; a power cut in the middle of the folder could
    lose files of it committed since the last flush, each whole, never half a file."""
    checked(actor)      # a plain name is no actor (E614): refused before anything
    options = with_study(project, options)
    store = store or StoreOptions()

    def one(path: Path, prepared: Prepared | QdaError | None, digest: str | None = None
            ) -> IngestReport:
        try:
            if isinstance(prepared, QdaError):
                raise prepared
            return ingest_file(project, path, options, actor=actor, store=changed(
                store, digest=digest, prepared=prepared, synced=synced))
        except DuplicateSourceError as exc:
            return IngestReport(str(path), "refused", error=exc.line())
        except QdaError as exc:
            return IngestReport(str(path), "failed", error=exc.line())

    files = expand_paths(paths)
    if store.replaces is not None and len(files) != 1:
        raise QdaError(f"--replaces names one source, so it takes one file, not {len(files)}",
                       code="E134")
    synced = len(files) < 2
    ahead: Iterator[Prepared | QdaError | None] = (
        helpers.prepared(files, options, project.sources_dir)
        if helpers is not None and not synced
        else iter([None] * len(files)))
    try:
        if is_postgresql(project.engine) and not store.replace and not synced:
            reports = _in_flight(files, ahead, one, on_file)
        else:
            reports = []
            for path, prepared in zip(files, ahead, strict=True):
                if on_file:
                    on_file(path)
                reports.append(one(path, prepared))
    finally:
        if not synced:
            sync(project.engine)
    if sum(sum(r.segments.values()) for r in reports) >= ANALYZE_AFTER:
        refresh_statistics(project.engine, ("source", "segment"))
    return reports


def _in_flight(files: list[Path], ahead: Iterator[Prepared | QdaError | None],
               one: Callable[[Path, Prepared | QdaError | None, str | None], IngestReport],
               on_file: Callable[[Path], None] | None) -> list[IngestReport]:
    """`one` over the files, IN_FLIGHT at a time, reports in the files' order. A file with
    the bytes or the name of one before it waits until those are committed, so that it is
    refused or warned about exactly as it would be one file at a time."""
    reports: list[IngestReport] = []
    pending: deque[Future] = deque()
    digests: set[str | None] = set()
    names: set[str] = set()
    with ThreadPoolExecutor(IN_FLIGHT, thread_name_prefix="qda-ingest") as pool, \
            quick_handoffs():
        for path, prepared in zip(files, ahead, strict=True):
            digest = prepared.digest if isinstance(prepared, Prepared) else \
                sha256_of(path) if prepared is None and path.is_file() else None
            if (digest is not None and digest in digests) or path.name in names:
                while pending:
                    reports.append(pending.popleft().result())
            digests.add(digest)
            names.add(path.name)
            while len(pending) >= IN_FLIGHT:
                reports.append(pending.popleft().result())
            if on_file:
                on_file(path)
            pending.append(pool.submit(one, path, prepared, digest))
        while pending:
            reports.append(pending.popleft().result())
    return reports


# what a dropped report decision was, in the app's Swedish (corpus.replace)
_WHAT_SV = {"quote (shortened)": "ett förkortat citat",
            "bilaga 2 merge": "en sammanslagning i bilaga 2",
            "bilaga 2 keep-apart": "ett beslut att hålla isär lappar i bilaga 2"}


def ingest_file(project: Project, path: Path, options: ReadOptions | None = None, *,
                store: StoreOptions | None = None, actor: Actor = LIBRARY) -> IngestReport:
    """One file in one transaction, read as `options` say and stored as `store` says
    (`StoreOptions`: its workshop, the source it replaces, what the caller has of it)."""
    checked(actor)      # a plain name is no actor (E614): refused before anything
    path = Path(path)
    options = with_study(project, options)
    store = store or StoreOptions()
    prepared = store.prepared
    if prepared is None:
        # all reading happens before the transaction opens; the rows are made as written
        prepared = prepare(path, options, store.digest)
    result, pseudonymiser, digest = prepared.result, prepared.pseudonymiser, prepared.digest
    stored = project.sources_dir / originals.stored_name(digest, path.name)
    created_copy = False
    try:
        with project.transaction(store.synced) as session:
            previous, same_name = _previous(session, path, digest, store.replace, store.replaces)
            # a corrected file keeps what was said of the one it replaces (its question,
            # area and workshop) unless said anew: forgotten, every unit would differ from
            # its old self, and no decision would move to the new units
            kept = (previous.question, previous.area, previous.workshop_id) \
                if previous is not None else (None, None, None)
            carried = take_out(session, previous) if previous is not None else None
            replaced = {"source_id": carried.source_id, "file": carried.name} \
                if carried else None
            ws = _workshop(session, store.workshop, path)
            workshop_id = ws.id if ws else kept[2]
            question = options.question if options.question is not None else kept[0]
            resolver = Resolver(session, actor, ("lapp", "lappar") if result.kind != "transcript"
                                else ("transkript", "transkript"))
            given = resolver.key("area", options.area, "--area", path)
            group = resolver.key("group", options.group, "--group", path)
            area = given or (ws.area if ws else None) or kept[1] \
                or resolver.study.areas.in_name(path.stem)
            report = IngestReport(str(path), "replaced" if replaced else "imported",
                                  kind=result.kind, file_format=result.file_format, area=area,
                                  question=question, warnings=list(result.warnings))
            if same_name:
                report.warnings.append(same_name)
            if area and not given and not ws and not kept[1]:
                report.warnings.append(note("N101", area=resolver.study.areas.label(area)))
            created_copy = originals.keep(path, stored, prepared.ahead)
            # Core statements on the connection, not ORM objects: the unit of work cost
            # as much again as the units' rows (BENCHMARKS.md)
            connection = session.connection()
            source_id = connection.execute(
                _NEW_SOURCE,
                {"kind": result.kind, "file_format": result.file_format,
                 "original_name": path.name, "stored_name": stored.name, "sha256": digest,
                 "workshop_id": workshop_id, "question": question,
                 "area": area, "report": {}}).inserted_primary_key[0]  # type: ignore[index]  # an insert has its key
            text = None
            if result.kind == "transcript":
                # a transcript's batches, each turn with its speaker's group or the file's
                batches = resolve_turns(resolver, cast(Iterable[Batch], prepared.units),
                                        prepared.groups, path, group)
                report.segments, text = write_transcript(session, source_id, batches,
                                                         prepared.turns, area, question)
            else:
                rows = cast(list[dict], prepared.units)     # notes: a list of rows
                resolve_rows(resolver, rows, path, area, group)
                report.segments = write_notes(session, source_id, rows, area, question)
                _per_area(result, rows, resolver)
            report.learned, report.learned_en = resolver.lines(), resolver.lines(english=True)
            report.area_label = resolver.study.areas.label(area) if area else None
            store_key(session, source_id, pseudonymiser)
            if carried is not None:
                moved = put_back(session, source_id, carried)
                report.replaced = moved.summary()
                report.warnings += [
                    note("N104", source=carried.source_id, coder=c["coder"],
                         status=c["status"], code_name=c["code"], text=c["text"][:60])
                    for c in moved.codings_dropped]
                report.warnings += [
                    note("N105", source=carried.source_id, what=d["what"],
                         what_sv=_WHAT_SV[d["what"]], text=d["text"][:60])
                    for d in moved.report_dropped]
                assert replaced is not None     # set with `carried`
                replaced["dropped codings"] = moved.codings_dropped
                if moved.report_dropped:
                    replaced["dropped report decisions"] = moved.report_dropped
            report.source_id = source_id
            report.sheets = [asdict(s) for s in result.sheets]
            report.pseudonymised = {k: v for k, v in pseudonymiser.counts.items() if v}
            report.suspects = {w: list(v) for w, v in pseudonymiser.suspects.items()}
            if result.meta.get("title"):
                report.title = pseudonymiser.text(result.meta["title"])
            if result.kind == "transcript" and not area:
                report.warnings.append(note("N102"))
            connection.execute(
                _SOURCE_DONE,
                {"source": source_id, "text": text,
                 "report": {k: v for k, v in asdict(report).items()
                            if k in ("sheets", "segments", "pseudonymised", "warnings",
                                     "suspects", "learned", "title")}})
            audit.record(session, actor_name(actor),
                         Action.SOURCE_REPLACE if replaced else Action.SOURCE_INGEST,
                         "source", source_id,
                         before=replaced, after={"file": path.name, "kind": result.kind,
                                                 "segments": report.segments,
                                                 **({"carried": report.replaced}
                                                    if replaced else {})},
                         channel="import")
    except BaseException:
        # not when the import committed after all: Ctrl-C can land after the commit, while
        # the session closes (found as a source without its original, in a folder's import
        # interrupted by hand)
        if created_copy and not _kept_by_a_source(project, stored.name):
            stored.unlink(missing_ok=True)
        raise
    finally:
        if prepared.ahead is not None:   # not taken: the file was refused or failed
            prepared.ahead.unlink(missing_ok=True)
    return report


def with_study(project: Project, options: ReadOptions | None) -> ReadOptions:
    """The options with the project's areas, by which readers tell area headers apart,
    its participant groups, which speaker labels may name (`corpus.speakers`), and its
    question texts (qda.toml's, and those earlier workbooks stated), which a Fråga
    column or a column's heading may hold."""
    options = options or ReadOptions()
    if options.areas is None or options.groups is None:
        study = load_project(project)
        options = changed(
            options, areas=study.areas if options.areas is None else options.areas,
            groups=study.groups if options.groups is None else options.groups)
    if options.questions is None:
        with project.session() as session:
            options = changed(options, questions=known_texts(
                session, configured_questions(project.root)))
    return options


def _per_area(result: ReadResult, rows: list[dict], resolver: Resolver) -> None:
    """Each sheet's notes per area by the project's labels, once the labels are known."""
    areas = resolver.study.areas
    for sheet in result.sheets:
        if sheet.layout == "skipped":
            continue
        sheet.notes_per_area = dict(Counter(
            areas.label(row["area"]) if row["area"] else "okänt"
            for row in rows if row.get("sheet") == sheet.name))


def _kept_by_a_source(project: Project, stored_name: str) -> bool:
    """Whether a committed source names this kept original; True when that cannot be
    told (a file too many is harmless, a source without its original is not)."""
    try:
        with project.session() as session:
            return session.scalar(select(Source.id).where(
                Source.stored_name == stored_name).limit(1)) is not None
    except Exception:   # the store itself failed: keep the file
        return True


# built once: made anew for every file of a folder, with the ORM's execution around it,
# this lookup was a visible share of the main process's time (BENCHMARKS.md)
_SOURCES = Source.__table__
_SAME_BYTES_OR_NAME = (
    select(_SOURCES.c.id, _SOURCES.c.sha256, _SOURCES.c.original_name)
    .where(or_(_SOURCES.c.sha256 == bindparam("digest"),
               _SOURCES.c.original_name == bindparam("name")))
    .order_by(_SOURCES.c.id))
_NEW_SOURCE = insert(_SOURCES)
_SOURCE_DONE = update(_SOURCES).where(_SOURCES.c.id == bindparam("source"))


def _previous(session: Session, path: Path, digest: str, replace: bool,
              replaces: int | str | None = None) -> tuple[Source | None, str | None]:
    """The source this file replaces (same bytes, else with --replace the same name, or
    the one --replaces names), and a warning when a file of the same name is added beside
    an older one."""
    if replaces is not None:
        return _named_source(session, path, digest, replaces), None
    found = session.connection().execute(
        _SAME_BYTES_OR_NAME, {"digest": digest, "name": path.name}).all()
    old = next((row for row in found if row.sha256 == digest), None)
    if old is not None and not replace:
        raise DuplicateSourceError(
            f"already imported as source {old.id} ({old.original_name}); "
            "use --replace to import it again", path, "E130")
    if old is not None:
        return session.get(Source, old.id), None
    named = [row for row in found if row.original_name == path.name]
    if not named and replace:
        raise QdaError(f"--replace: no source has the name {path.name} or these bytes, so "
                       "nothing would be replaced; name the source it replaces with "
                       "--replaces SOURCE (`qda status` lists them), or import it without "
                       "--replace", path, "E133")
    if not named:
        return None, None
    ids = ", ".join(str(s.id) for s in named)
    if not replace:
        return None, note("N103", name=path.name, ids=ids)
    if len(named) > 1:
        raise QdaError(f"--replace: several sources are named {path.name} ({ids}); cannot "
                       "tell which one this file replaces", path, "E131")
    return session.get(Source, named[0].id), None


def _named_source(session: Session, path: Path, digest: str, replaces: int | str) -> Source:
    """The source --replaces names, by id or by file name; the file's bytes must not be
    another source's (that one would then be counted twice)."""
    key = str(replaces).strip()
    column = Source.id if key.isdigit() else Source.original_name
    found = session.scalars(select(Source).where(
        column == (int(key) if key.isdigit() else key)).order_by(Source.id)).all()
    if not found:
        raise QdaError(f"--replaces: no source {key!r} (`qda status` lists the sources)",
                       path, "E133")
    if len(found) > 1:
        raise QdaError(f"--replaces: several sources are named {key} "
                       f"({', '.join(str(s.id) for s in found)}); give its id", path, "E131")
    twin = session.scalar(select(Source.id).where(Source.sha256 == digest,
                                                  Source.id != found[0].id))
    if twin is not None:
        raise QdaError(f"already imported as source {twin}; replacing source {key} with "
                       "it would count it twice", path, "E130")
    return found[0]


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
    """A source's notes as units, pseudonymised (the REFI-QDA importer's way in); returns
    the units written per kind. Their areas as written are the project's, or learned."""
    rows = note_rows(result, pseudonymiser, source.question)
    resolve_rows(Resolver(session), rows, None, area, None)
    return write_notes(session, source.id, rows, area)


def write_notes(session: Session, source_id: int, rows: list[dict], area: str | None,
                question: int | None = None) -> dict[str, int]:
    """Rows from `corpus.prepare` given their source, and the area and question of the
    source where a note has none of its own."""
    for row in rows:
        row["source_id"] = source_id
        row["area"] = row["area"] or area
        if row["question"] is None:
            row["question"] = question
    if rows:
        bulk_insert(session, Segment.__table__, rows)
    return {"note": len(rows)} if rows else {}


def store_transcript(session: Session, source: Source, result: ReadResult,
                     pseudonymiser: Pseudonymiser, area: str | None,
                     question: int | None) -> dict[str, int]:
    """A transcript's turns and sentences as units (the REFI-QDA importer's way in);
    returns the units written per kind."""
    counts, source.text = write_transcript(
        session, source.id, transcript_batches(result, pseudonymiser, question),
        len(result.turns), area)
    return counts


def write_transcript(session: Session, source_id: int, batches: Iterable[Batch], turns: int,
                     area: str | None, question: int | None = None
                     ) -> tuple[dict[str, int], str]:
    """Rows from `corpus.prepare` given their ids, source, area and (where the rows have
    none) question, and written batch by batch (PostgreSQL: each while the next is made).
    Returns the units written per kind and the source's text (its turns')."""
    turn_ids = reserve_ids(session, Segment.__table__, turns)
    texts: list[str] = []
    counts = {"turn": 0, "sentence": 0}
    table = Segment.__table__

    def filled() -> Iterator[list[tuple]]:
        for turn_rows, spans in batches:
            for row in turn_rows:
                row["id"] = turn_ids[row["id"]]
                row["source_id"], row["area"] = source_id, area
                texts.append(row["text"])
                if row["question"] is None:
                    row["question"] = question
            # sentences are numbered after every turn, in the order spoken
            sentences = sentence_rows(turn_rows, spans, turns + counts["sentence"])
            counts["turn"] += len(turn_rows)
            counts["sentence"] += len(sentences)
            yield [(table, turn_rows), (table, sentences, SENTENCE_COLUMNS)]

    bulk_insert_batches(session, filled())
    return {kind: n for kind, n in counts.items() if n}, TURN_SEPARATOR.join(texts)


def store_key(session: Session, source_id: int, pseudonymiser: Pseudonymiser) -> None:
    """Who is who: kept in its own table, never exported."""
    bulk_insert(session, PseudonymKey.__table__,
                [{"source_id": source_id, "real_name": real, "pseudonym": pseudonym}
                 for real, pseudonym in pseudonymiser.key.items()])
