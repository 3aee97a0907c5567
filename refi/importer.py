"""Read a REFI-QDA .qdpx (from NVivo, ATLAS.ti, MAXQDA, QualCoder or workshop-qda) into a
new project: users become coders, the code tree keeps its hierarchy, descriptions and
colours, text sources become segments, text selections become codings.

Everything happens in one transaction in a new folder: a file that cannot be read leaves
no project behind. Texts are pseudonymised as at any ingest (e-mail addresses, phone and
personal identity numbers; speaker names in our own exports are already pseudonyms).

Segments: a source we exported keeps its notes (with area, question, cell and duplicate
marks) or its turns and sentences. A source from another tool becomes one turn per
paragraph (line) with its sentences; a selection codes the sentences it overlaps.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from sqlalchemy import select

from coding import codes as code_ops
from coding.codebook import CodebookDoc
from coding.codings import accept
from coding.identity import is_suggestion_layer
from corpus import audit
from corpus.errors import InputError
from corpus.ingest import store_key, store_notes, store_transcript
from corpus.models import Memo, Segment, Source, utcnow
from corpus.project import CONFIG_NAME, Project, init_project
from corpus.pseudonymise import Pseudonymiser
from corpus.readers.textfile import decode_text
from corpus.readers.units import Note, ReadResult, Turn
from corpus.study import Resolver
from corpus.vocabulary import Action
from corpus.workshops import normalise_fields, upsert_workshop

from . import mapping as m
from .codebooks import code_specs

NS = {"q": m.PROJECT_NS}


@dataclass
class ImportReport:
    path: str
    project: str
    origin: str = ""
    users: int = 0
    codes: int = 0
    sources: int = 0
    segments: int = 0
    codings: int = 0
    memos: dict[str, int] = field(default_factory=dict)      # kind -> kept as memos
    empty: dict[str, int] = field(default_factory=dict)      # kind -> empty, not kept
    widened: int = 0          # selections on part of a sentence (or several): whole ones
    skipped: list[str] = field(default_factory=list)


@dataclass
class _Selection:
    guid: str
    name: str
    start: int
    end: int
    description: str
    codings: list[tuple[str, str, list[str]]]   # (code guid, user guid, note guids)


def import_qdpx(path: Path | str, target: Path | str, actor: str = "qda") -> ImportReport:
    """A new project at `target` from the .qdpx at `path`."""
    path, target = Path(path), Path(target)
    qde, texts = _read_archive(path)
    if target.exists() and any(target.iterdir()):
        raise InputError("the target folder exists and is not empty; choose a new folder",
                         target, "E423")
    created = not target.exists()
    try:
        project = init_project(target)
        if qde.get("name"):   # the project keeps its name in later exports
            with (project.root / CONFIG_NAME).open("a", encoding="utf-8") as config:
                # a JSON string is a valid TOML basic string
                config.write(f'\n[project]\nname = {json.dumps(qde.get("name"))}\n')
        try:
            report = _import(project, path, qde, texts, actor)
        finally:
            project.close()
    except BaseException:
        shutil.rmtree(target, ignore_errors=True) if created else _empty(target)
        raise
    return report


def _empty(folder: Path) -> None:
    for child in folder.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()


def _read_archive(path: Path) -> tuple[etree._Element, dict[str, bytes]]:
    if not path.exists():
        raise InputError("no such file", path, "E100")
    with path.open("rb") as handle:
        head = handle.read(512).removeprefix(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<") and b"CodeBook" in head or path.suffix.lower() == ".qdc":
        raise InputError("this is a REFI-QDA codebook (.qdc), not a project: import it with "
                         "`qda codebook import` (or on the Kodbok page)", path, "E425")
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            qde_name = next((n for n in names if n.lower().endswith("project.qde")), None)
            if qde_name is None:
                raise InputError("not a REFI-QDA project: the archive has no project.qde",
                                 path, "E421")
            qde = archive.read(qde_name)
            texts = {Path(n).name: archive.read(n) for n in names
                     if n.lower().startswith("sources/") and not n.endswith("/")}
    except zipfile.BadZipFile:
        raise InputError("not a .qdpx: the file is not a zip archive", path, "E420") from None
    try:
        root = etree.fromstring(qde, etree.XMLParser(resolve_entities=False, no_network=True,
                                                     huge_tree=True))
    except etree.XMLSyntaxError as exc:
        raise InputError(f"project.qde is not well-formed XML: {exc}", path, "E422") from None
    if etree.QName(root).namespace != m.PROJECT_NS or etree.QName(root).localname != "Project":
        raise InputError(f"project.qde is not a REFI-QDA project (root {root.tag})", path,
                         "E422")
    return root, texts


def _text_of(el) -> str:
    return (el.text or "").strip() if el is not None else ""


def _variable_values(el, variables: dict[str, str]) -> dict[str, str]:
    out = {}
    for value in el.findall("q:VariableValue", NS):
        ref = value.find("q:VariableRef", NS)
        name = variables.get(ref.get("targetGUID")) if ref is not None else None
        data = [c for c in value if etree.QName(c).localname != "VariableRef"]
        if name and data:
            out[name] = (data[0].text or "").strip()
    return out


def _selections(el) -> list[_Selection]:
    out = []
    for sel in el.findall("q:PlainTextSelection", NS):
        # the coder: on the coding, else on its selection (where QualCoder looks)
        codings = [(c.find("q:CodeRef", NS).get("targetGUID"),
                    c.get("creatingUser") or sel.get("creatingUser") or "",
                    [n.get("targetGUID") for n in c.findall("q:NoteRef", NS)])
                   for c in sel.findall("q:Coding", NS) if c.find("q:CodeRef", NS) is not None]
        out.append(_Selection(sel.get("guid"), sel.get("name") or "",
                              int(sel.get("startPosition")), int(sel.get("endPosition")),
                              _text_of(sel.find("q:Description", NS)), codings))
    return out


def _source_text(el, texts: dict[str, bytes], path: Path) -> str:
    content = el.find("q:PlainTextContent", NS)
    if content is not None and content.text:
        return content.text
    plain = el.get("plainTextPath") or ""
    if plain.startswith("internal://"):
        name = plain[len("internal://"):]
        if name not in texts:
            raise InputError(f"source {el.get('name')!r}: {plain} is missing from the "
                             "archive", path, "E424")
        return decode_text(texts[name], path / "sources" / name)
    if plain:
        raise InputError(f"source {el.get('name')!r}: its text lies outside the archive "
                         f"({plain}); export with sources included", path, "E424")
    return ""


def _units(text: str, ours: bool) -> list[tuple[int, int]]:
    """(start, end) of each note/turn: blank-line separated in our exports, else lines."""
    pattern = re.escape(m.UNIT_SEPARATOR) if ours else r"\r?\n"
    spans, start = [], 0
    for match in re.finditer(pattern, text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _import(project: Project, path: Path, root, texts: dict[str, bytes], actor: str
            ) -> ImportReport:
    report = ImportReport(str(path), str(project.root), origin=root.get("origin") or "")
    users = {u.get("guid"): (u.get("name") or f"user-{u.get('guid')[:8]}").strip()
             for u in root.findall("q:Users/q:User", NS)}
    specs, code_paths = code_specs(root.findall("q:CodeBook/q:Codes/q:Code", NS),
                                   m.PROJECT_NS, root.get("origin") or "",
                                   root.findall("q:Sets/q:Set", NS))
    variables = {v.get("guid"): v.get("name") for v in root.findall("q:Variables/q:Variable", NS)}
    notes = {n.get("guid"): (n.get("name") or "", _note_text(n))
             for n in root.findall("q:Notes/q:Note", NS)}
    annotations, journals = _free_notes(root, users, texts)
    # what cases say about selections and sources: area, question, workshop
    sel_meta: dict[str, dict[str, str]] = {}
    src_meta: dict[str, dict[str, str]] = {}
    workshops: list[tuple[str, dict[str, str], list[str]]] = []
    for case in root.findall("q:Cases/q:Case", NS):
        values = _variable_values(case, variables)
        name = case.get("name") or ""
        refs = [r.get("targetGUID") for r in case.findall("q:SourceRef", NS)]
        if name.startswith(m.WORKSHOP_CASE):
            workshops.append((name[len(m.WORKSHOP_CASE):], values, refs))
            continue
        for ref in refs:
            src_meta.setdefault(ref, {}).update(values)
        for ref in case.findall("q:SelectionRef", NS):
            sel_meta.setdefault(ref.get("targetGUID"), {}).update(values)

    with project.transaction() as session:
        code_ops.import_doc(session, CodebookDoc("qdpx", specs), actor)
        code_ids = {g: code_ops.find_code(session, p).id for g, p in code_paths.items()}
        report.codes = len(code_ids)
        workshop_of: dict[str, int] = {}
        for label, values, refs in workshops:
            # any other Integer variable of a workshop case is a participant group's count
            fields = {"label": label, "area": values.get(m.VAR_AREA),
                      "format": values.get(m.VAR_FORMAT) or None,
                      "date": values.get(m.VAR_DATE) or None,
                      "counts": {k: v for k, v in values.items()
                                 if k not in m.VARIABLES and str(v).strip().isdigit()}}
            ws = upsert_workshop(session, normalise_fields(fields, path), actor)
            for ref in refs:
                workshop_of[ref] = ws.id
        seen_users: set[str] = set()
        for el in root.iter(f"{{{m.PROJECT_NS}}}TextSource"):
            if etree.QName(el.getparent()).localname != "Sources":
                continue
            report.sources += 1
            report.codings += _import_source(session, project, path, el, texts, variables,
                                             src_meta, sel_meta, workshop_of, code_ids, users,
                                             notes, seen_users, report,
                                             annotations.get(el.get("guid"), []))
        _keep_memos(session, "journal", journals, report)
        # annotations whose source the file does not name: kept, but on no unit
        _keep_memos(session, "annotation", annotations.get(None, []), report)
        for tag in ("PictureSource", "PDFSource", "AudioSource", "VideoSource"):
            n = len(root.findall(f"q:Sources/q:{tag}", NS))
            if n:
                report.skipped.append(f"{n} {tag} (only text sources are imported)")
        report.users = len(seen_users)
        report.segments = session.query(Segment).count()
        audit.record(session, actor, Action.IMPORT_QDPX, "project", None, None,
                     {"file": path.name, "origin": report.origin, "codes": report.codes,
                      "sources": report.sources, "codings": report.codings})
    return report


@dataclass
class _FreeNote:
    """A note that is not a coding's memo: a journal entry, or an annotation on a source."""

    title: str
    text: str
    author: str | None
    stamp: dt.datetime | None
    span: tuple[int, int] | None = None


def _note_text(note, texts: dict[str, bytes] | None = None) -> str:
    """A Note's text: its PlainTextContent, the archive file its plainTextPath names
    (QualCoder's journals), else its Description."""
    plain = note.get("plainTextPath") or ""
    name = plain[len("internal://"):] if plain.startswith("internal://") else ""
    if texts and name in texts:
        return decode_text(texts[name], Path(name)).strip()
    return _text_of(note.find("q:PlainTextContent", NS)) or _text_of(
        note.find("q:Description", NS))


def _stamp(value: str | None) -> dt.datetime | None:
    """An xs:dateTime, or None for what some tools write instead ("20261123_2TZ")."""
    try:
        parsed = dt.datetime.fromisoformat((value or "").replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(dt.UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _free_notes(root, users: dict[str, str], texts: dict[str, bytes]
                ) -> tuple[dict[str | None, list[_FreeNote]], list[_FreeNote]]:
    """Notes no coding refers to: annotations (a note on a text selection) per source GUID
    (None: the file does not say which source), and journal entries and project notes."""
    by_coding = {r.get("targetGUID") for c in root.iter(f"{{{m.PROJECT_NS}}}Coding")
                 for r in c.findall("q:NoteRef", NS)}
    source_of = {r.get("targetGUID"): r.getparent().get("guid")
                 for r in root.iter(f"{{{m.PROJECT_NS}}}NoteRef")
                 if etree.QName(r.getparent()).localname.endswith("Source")}
    annotations: dict[str | None, list[_FreeNote]] = {}
    journals: list[_FreeNote] = []
    for note in root.findall("q:Notes/q:Note", NS):
        guid = note.get("guid")
        if guid in by_coding:
            continue
        sel = note.find("q:PlainTextSelection", NS)
        free = _FreeNote(" ".join((note.get("name") or "").split())[:300],
                         _note_text(note, texts),
                         users.get(note.get("creatingUser") or ""),
                         _stamp(note.get("creationDateTime")))
        if sel is not None:
            free.span = (int(sel.get("startPosition") or 0), int(sel.get("endPosition") or 0))
            annotations.setdefault(source_of.get(guid), []).append(free)
        else:
            journals.append(free)
    project_note = _text_of(root.find("q:Description", NS))
    if project_note:
        journals.append(_FreeNote("Projektbeskrivning", project_note, None, None))
    return annotations, journals


def _keep_memos(session, kind: str, found: list[_FreeNote], report: ImportReport,
                source_id: int | None = None, anchor=None) -> None:
    """Store the notes that say something as memos (pseudonymised as any text); count the
    empty ones in the report."""
    empty = 0
    for note in found:
        if not m.read_selection(note.text)[0]:   # nothing, or only our own marks
            empty += 1
            continue
        session.add(Memo(kind=kind, source_id=source_id,
                         segment_id=anchor(note.span) if anchor and note.span else None,
                         title=note.title, text=Pseudonymiser().text(note.text),
                         author=note.author, created_at=note.stamp or utcnow()))
        report.memos[kind] = report.memos.get(kind, 0) + 1
    if empty:
        report.empty[kind] = report.empty.get(kind, 0) + empty


def _import_source(session, project, path, el, texts, variables, src_meta, sel_meta,
                   workshop_of, code_ids, users, notes, seen_users, report,
                   annotations) -> int:
    guid = el.get("guid")
    values = {**src_meta.get(guid, {}), **_variable_values(el, variables)}
    ours = m.VAR_KIND in values
    kind = values.get(m.VAR_KIND) or "document"
    text = _source_text(el, texts, path)
    selections = _selections(el)
    if el.findall("q:Coding", NS):
        report.skipped.append(f"codings of the whole source {el.get('name')!r}")
    data = text.encode("utf-8")
    digest = hashlib.sha256(data + guid.encode()).hexdigest()   # one text may come twice
    name = f"{el.get('name') or guid}.txt"
    safe = re.sub(r"[^\w.-]+", "_", name)
    stored = project.sources_dir / f"{digest[:12]}-{safe}"
    stored.write_bytes(data)
    # an area as the file names it: one of the project's, or learned
    area = Resolver(session, "qdpx").key("area", values.get(m.VAR_AREA), name, path)
    question = int(values[m.VAR_QUESTION]) if values.get(m.VAR_QUESTION) else None
    spans = _units(text, ours)
    layout = {} if ours or not spans else {"gaps": [
        text[:spans[0][0]], *(text[e:s] for (_, e), (s, _) in zip(spans, spans[1:], strict=False)),
        text[spans[-1][1]:]]}      # the text between the units, so an export gives it back
    source = Source(kind=kind, file_format="qdpx", original_name=name, stored_name=stored.name,
                    sha256=digest, workshop_id=workshop_of.get(guid), question=question,
                    area=area, report={"imported_from": path.name, **layout})
    session.add(source)
    session.flush()
    pseudonymiser = Pseudonymiser()
    by_span = {(s.start, s.end): s for s in selections}
    if kind in m.NOTE_KINDS:
        result = ReadResult(kind, "qdpx")
        for start, end in spans:
            sel = by_span.get((start, end))
            meta = sel_meta.get(sel.guid, {}) if sel else {}
            count = m.read_selection(sel.description)[2] if sel else None
            result.notes.append(Note(text[start:end], area=meta.get(m.VAR_AREA) or area,
                                     question=int(meta[m.VAR_QUESTION])
                                     if meta.get(m.VAR_QUESTION) else question,
                                     cell=sel.name if sel and sel.name else None,
                                     duplicate_count=count or 1))
        store_notes(session, source, result, pseudonymiser, area)
    else:
        result = ReadResult("transcript", "qdpx")
        times: list[float | None] = []
        for start, end in spans:
            head = m.TURN_HEAD.match(text, start, end) if ours else None
            if head:
                h, mi, s, speaker = head.groups()
                times.append(int(h) * 3600 + int(mi) * 60 + int(s) if h else None)
                result.turns.append(Turn(speaker, text[head.end():end], times[-1]))
            else:
                result.turns.append(Turn(None, text[start:end]))
        store_transcript(session, source, result, pseudonymiser, area, question)
        source.kind = kind
    store_key(session, source.id, pseudonymiser)
    session.flush()
    n = _import_codings(session, source, text, spans, ours, selections, code_ids, users,
                        notes, seen_users, report)
    units = session.scalars(select(Segment).where(Segment.source_id == source.id,
                                                  Segment.kind != "sentence")
                            .order_by(Segment.position)).all()

    def anchor(span: tuple[int, int]) -> int | None:
        """The unit the annotation starts in."""
        hit = next((i for i, (s, e) in enumerate(spans) if s <= span[0] < e), None)
        return units[hit].id if hit is not None and hit < len(units) else None

    _keep_memos(session, "annotation", annotations, report, source.id, anchor)
    return n


def _import_codings(session, source, text, spans, ours, selections, code_ids, users, notes,
                    seen_users, report) -> int:
    """Each selection codes the note it is, the turn it spans, or the sentences it overlaps.
    Offsets are mapped unit by unit from the file's text to the stored (pseudonymised) one."""
    units = session.scalars(select(Segment).where(Segment.source_id == source.id,
                                                  Segment.kind != "sentence")
                            .order_by(Segment.position)).all()
    sentences = session.scalars(select(Segment).where(Segment.source_id == source.id,
                                                      Segment.kind == "sentence")
                                .order_by(Segment.start_char)).all()
    n = 0
    for sel in selections:
        if not sel.codings:
            continue
        targets, widened = _targets(sel, spans, units, sentences, text, ours)
        report.widened += widened
        described, marked, _ = m.read_selection(sel.description)
        for code_guid, user_guid, note_refs in sel.codings:
            if code_guid not in code_ids:
                continue
            coder = users.get(user_guid) or "importerad"
            if is_suggestion_layer(coder):          # not a person here: keep it apart
                coder = f"importerad {coder}"
            seen_users.add(coder)
            # a memo as a Note (ours, NVivo) or in the selection's Description (QualCoder)
            memo = "\n\n".join(notes[r][1] for r in note_refs
                               if r in notes and notes[r][0] != m.QUOTE_NOTE) or described \
                or None
            quote = marked or any(notes.get(r, ("",))[0] == m.QUOTE_NOTE for r in note_refs)
            for segment in targets:
                accept(session, segment.id, code_ids[code_guid], coder, memo=memo,
                       is_quote=quote, actor="import", imported_consensus=True)
                n += 1
    return n


def _targets(sel: _Selection, spans, units, sentences, text: str, ours: bool
             ) -> tuple[list[Segment], bool]:
    """The segments a selection codes, and whether it had to widen to whole sentences
    (part of a sentence, or several sentences coded as each of them)."""
    # find the unit(s) the selection falls in, in the file's coordinates
    end = max(sel.end, sel.start + 1)
    hits = [i for i, (s, e) in enumerate(spans) if s < end and e > sel.start]
    if not hits:
        return [], False
    if units and units[0].kind == "note":
        return [units[i] for i in hits], False
    out: list[Segment] = []
    widened = False
    for i in hits:
        unit_start, unit_end = spans[i]
        turn = units[i]
        head = m.TURN_HEAD.match(text, unit_start, unit_end) if ours else None
        body_start = head.end() if head else unit_start
        if (sel.start, sel.end) == (body_start, unit_end):
            out.append(turn)
            continue
        # selection in the turn's own coordinates, scaled if pseudonymising changed its length
        scale = len(turn.text) / max(unit_end - body_start, 1)
        lo = turn.start_char + (max(sel.start, body_start) - body_start) * scale
        hi = turn.start_char + (min(sel.end, unit_end) - body_start) * scale
        covered = [s for s in sentences if s.parent_id == turn.id
                   and s.start_char < max(hi, lo + 1) and s.end_char > lo]
        if covered and (abs(covered[0].start_char - lo) > 1 or abs(covered[-1].end_char - hi) > 1
                        or len(covered) > 1):
            widened = True
        out += covered
    return out, widened
