"""Write a project as REFI-QDA: project.qde (users, codebook, variables, cases, sources with
their text selections and codings, notes) zipped with the source texts as a .qdpx, or the
codebook alone as a .qdc.

Only decisions travel: accepted codings of people (and the konsensus layer), never the
engine's suggestions or rejections. Speaker names never travel: the texts are the
pseudonymised ones, with "Deltagare N" as speaker.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from coding.codebook import join_path
from coding.codes import hidden_codes, ordered_paths
from coding.exporting import Export, ExportOptions, ExportReport, Progress
from corpus.actors import Actor
from corpus.files import atomic_write
from corpus.models import Code, Coding, Memo, Segment, Source, Workshop
from corpus.project import Project, read_config
from corpus.study import load as load_study
from corpus.study import workshop_counts
from corpus.vocabulary import Status
from people.identity import human, is_suggestion_layer

from . import mapping as m

# what the export reads of a segment: rows, not ORM objects (building them was a large
# share of a 100x project's export: BENCHMARKS.md)
_UNIT_COLUMNS = (Segment.id, Segment.kind, Segment.parent_id, Segment.position,
                 Segment.question, Segment.area, Segment.speaker, Segment.location,
                 Segment.start_char, Segment.duplicate_count, Segment.text)


@dataclass
class Unit:
    """A segment placed in its source's exported text."""
    segment: Row     # the _UNIT_COLUMNS of one segment
    start: int
    end: int


@dataclass
class SourceText:
    source: Source
    guid: str
    text: str
    units: list[Unit] = field(default_factory=list)


def _stamp(value: dt.datetime | None) -> str:
    value = value or dt.datetime(2000, 1, 1)
    return value.replace(microsecond=0).isoformat() + "Z"


def _el(parent, tag: str, attrib: dict | None = None, text: str | None = None,
        ns: str = m.PROJECT_NS):
    node = etree.SubElement(parent, f"{{{ns}}}{tag}", {k: str(v) for k, v in (attrib or {}).items()
                                               if v is not None and v != ""})
    if text is not None:
        node.text = text
    return node


def _layout(session: Session, source: Source) -> SourceText:
    """The source's text as exported: its notes or turns, one after another, each turn
    headed by time and speaker; the offsets of every segment in that text. A text from
    another tool keeps its own line breaks and blank lines between the units."""
    segments = session.execute(select(*_UNIT_COLUMNS).where(Segment.source_id == source.id)
                               .order_by(Segment.position, Segment.id)).all()
    units = [seg for seg in segments if seg.kind != "sentence"]
    gaps = (source.report or {}).get("gaps")
    if not (isinstance(gaps, list) and len(gaps) == len(units) + 1):
        gaps = ["", *[m.UNIT_SEPARATOR] * (len(units) - 1), ""] if units else [""]
    out = SourceText(source, m.guid("source", source.sha256), "")
    parts: list[str] = [gaps[0]]
    cursor = len(gaps[0])
    turn_start: dict[int, tuple[int, int]] = {}   # turn id -> (export start, stored start)
    for i, seg in enumerate(units):
        if i:
            parts.append(gaps[i])
            cursor += len(gaps[i])
        head = m.turn_head(seg.speaker, seg.location) if seg.kind == "turn" else ""
        parts.append(head + seg.text)
        start = cursor + len(head)
        out.units.append(Unit(seg, start, start + len(seg.text)))
        if seg.kind == "turn":
            turn_start[seg.id] = (start, seg.start_char or 0)
        cursor += len(head) + len(seg.text)
    parts.append(gaps[-1])
    for seg in segments:
        if seg.kind == "sentence" and seg.parent_id in turn_start:
            export_start, stored_start = turn_start[seg.parent_id]
            start = export_start + (seg.start_char or 0) - stored_start
            out.units.append(Unit(seg, start, start + len(seg.text)))
    out.text = "".join(parts)
    return out


def source_layout(session: Session, source: Source) -> SourceText:
    """The source's text as the export writes it, and every unit's place in it (the
    import places other tools' selections with it)."""
    return _layout(session, source)


def unique_names(rows: list[Code]) -> dict[int, str]:
    """Names for tools that need every code name unique in the whole tree (QualCoder merges
    same-named codes): a sub-code whose name repeats elsewhere gets its parent's name,
    "SIP (Samverkan)", or its whole path if that still repeats. Code id -> new name."""
    by_id: dict[int | None, Code] = {r.id: r for r in rows}

    def path(row: Code | None) -> list[str]:
        names = []
        while row is not None:
            names.append(row.name)
            row = by_id.get(row.parent_id)
        return names[::-1]

    counts = Counter(r.name.casefold() for r in rows)
    names = {r.id: (f"{r.name} ({by_id[r.parent_id].name})"
                    if counts[r.name.casefold()] > 1 and r.parent_id in by_id else r.name)
             for r in rows}
    taken = Counter(n.casefold() for n in names.values())
    for r in rows:
        if taken[names[r.id].casefold()] > 1 and r.parent_id in by_id:
            names[r.id] = f"{r.name} ({' > '.join(path(r)[:-1])})"
    return {i: n for i, n in names.items() if n != by_id[i].name}


def _codebook(parent, session: Session, ns: str = m.PROJECT_NS,
              renamed: dict[int, str] | None = None,
              hidden: frozenset[int] = frozenset()) -> dict[int, str]:
    """Codes as nested <Code> elements in codebook order (without `hidden`); returns code
    id -> GUID. GUIDs come from the real path, whatever name `renamed` gives a code."""
    rows = [r for r in session.scalars(select(Code)).all() if r.id not in hidden]
    kids: dict[int | None, list[Code]] = defaultdict(list)
    for row in rows:
        kids[row.parent_id].append(row)
    guids: dict[int, str] = {}
    renamed = renamed or {}

    def add(node, row: Code, path: tuple[str, ...]) -> None:
        path = (*path, row.name)
        guids[row.id] = m.guid("code", *path)
        el = _el(node, "Code", {"guid": guids[row.id], "name": renamed.get(row.id, row.name),
                                "isCodable": "true",
                                "color": _colour(row.colour)}, ns=ns)
        description = m.describe_code(row.definition, row.inclusion, row.exclusion,
                                      list(row.keywords or []), list(row.examples or []))
        if description:
            _el(el, "Description", text=description, ns=ns)
        for kid in sorted(kids[row.id], key=lambda r: (r.sort_order, r.id)):
            add(el, kid, path)

    codes = _el(parent, "Codes", ns=ns)
    for root in sorted(kids[None], key=lambda r: (r.sort_order, r.id)):
        add(codes, root, ())
    return guids


def _colour(value: str | None) -> str | None:
    if value and len(value) in (4, 7) and value.startswith("#"):
        return value
    return None


def _origin_sets(parent, session: Session, guids: dict[int, str], member: str,
                 ns: str = m.PROJECT_NS) -> None:
    """A set of codes per origin other than emergent: the färdplan concepts stay marked."""
    by_origin: dict[str, list[int]] = defaultdict(list)
    for row in session.scalars(select(Code).order_by(Code.id)):
        if row.origin and row.origin != "emergent":
            by_origin[row.origin].append(row.id)
    if not by_origin:
        return
    sets = _el(parent, "Sets", ns=ns)
    for origin, ids in sorted(by_origin.items()):
        node = _el(sets, "Set", {"guid": m.guid("set", origin), "name": m.ORIGIN_SET + origin},
                   ns=ns)
        for code_id in ids:
            if code_id in guids:
                _el(node, "MemberCode", {member: guids[code_id]}, ns=ns)


def _source_sets(root, sets: dict[str, list[str]]) -> None:
    """Sets of sources another tool made (MAXQDA's document sets), as they came in."""
    if not sets:
        return
    node = root.find(f"{{{m.PROJECT_NS}}}Sets")
    if node is None:
        node = _el(root, "Sets")
    for name, members in sets.items():
        el = _el(node, "Set", {"guid": m.guid("source-set", name), "name": name})
        for source_guid in members:
            _el(el, "MemberSource", {"targetGUID": source_guid})


def codebook_xml(session: Session, renamed: dict[int, str] | None = None,
                 hidden: frozenset[int] = frozenset()) -> bytes:
    """The codebook as a REFI-QDA .qdc document (codebook namespace), without `hidden`
    (codes the reader may not see yet, `coding.codes.hidden_codes`)."""
    ns = m.CODEBOOK_NS
    root = etree.Element(f"{{{ns}}}CodeBook", {"origin": m.ORIGIN}, nsmap={None: ns})
    guids = _codebook(root, session, ns, renamed, hidden)
    _origin_sets(root, session, guids, "guid", ns)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def project_xml(session: Session, name: str, renamed: dict[int, str] | None = None,
                on_text: Callable[[str, str], None] | None = None,
                progress: Progress | None = None) -> tuple[bytes, dict[str, str]]:
    """project.qde and the texts to put beside it (file name inside sources/ -> text).

    One source at a time: its units are laid out, placed in the XML and let go, so that a
    large project is not held whole as ORM objects (gigabytes at 100x: BENCHMARKS.md). `on_text`
    takes each source's text as it is made (then it is not kept); `progress(done, total,
    what)` is told after each source."""
    coders = sorted(c for c in session.scalars(select(Coding.coder).distinct())
                    if not is_suggestion_layer(c))
    memos = session.scalars(select(Memo).order_by(Memo.id)).all()
    authors = sorted({memo.author for memo in memos if memo.author} - set(coders))
    users = {c: m.guid("user", c) for c in [*coders, *authors]}
    root = etree.Element(f"{{{m.PROJECT_NS}}}Project", {"name": name, "origin": m.ORIGIN},
                         nsmap={None: m.PROJECT_NS, "xsi": m.XSI})
    root.set(f"{{{m.XSI}}}schemaLocation", f"{m.PROJECT_NS} "
             "http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd")
    if users:
        node = _el(root, "Users")
        for coder, user_guid in users.items():
            _el(node, "User", {"guid": user_guid, "name": coder})
    book = _el(root, "CodeBook")
    guids = _codebook(book, session, renamed=renamed)
    if not guids:
        root.remove(book)
    study = load_study(session)
    declared = {**m.VARIABLES, **{label: "Integer" for label in study.groups.labels().values()
                                  if label not in m.VARIABLES}}
    variables = {name: m.guid("variable", name) for name in declared}
    node = _el(root, "Variables")
    for var, kind in declared.items():
        _el(node, "Variable", {"guid": variables[var], "name": var, "typeOfVariable": kind})

    sources = session.scalars(select(Source).order_by(Source.id)).all()
    selection_of: dict[int, list[str]] = defaultdict(list)   # segment id -> selections
    codings = defaultdict(list)
    rows = session.execute(select(Coding).where(Coding.status == Status.ACCEPTED,
                                                human(Coding.coder))
                           .order_by(Coding.segment_id, Coding.code_id, Coding.coder)).scalars()
    for coding in rows:
        codings[coding.segment_id].append(coding)
    notes: list[tuple[str, str, str, Coding]] = []   # (guid, name, text, coding)
    memo_spans: dict[int, tuple[tuple[int, int] | None, str]] = {}   # memo on a source

    cases_at = len(root)               # the Cases go before the Sources (the schema's order)
    members = _Members()
    node = _el(root, "Sources") if sources else None
    files: dict[str, str] = {}
    for done, source in enumerate(sources, 1):
        layout = _layout(session, source)
        members.add(layout)
        if on_text is None:
            files[f"{layout.guid}.txt"] = layout.text
        else:
            on_text(f"{layout.guid}.txt", layout.text)
        el = _el(node, "TextSource", {"guid": layout.guid, "name": _source_name(source),
                                      "plainTextPath": f"internal://{layout.guid}.txt",
                                      "creationDateTime": _stamp(source.imported_at)})
        # codings on exact spans (from another tool): one selection per span, coder, memo
        # and quote mark, however many units the span overlaps
        on_spans: dict[tuple[int, int, str, str, bool], dict[int, Coding]] = {}
        for unit in layout.units:
            seg = unit.segment
            own = []
            for coding in codings.get(seg.id, []):
                if coding.spans:
                    for start, end, memo, quote in coding.spans:
                        on_spans.setdefault((start, end, coding.coder, memo or "",
                                             bool(quote)), {}).setdefault(
                            coding.code_id, coding)
                else:
                    own.append(coding)
            if seg.kind != "note" and not own:
                continue
            count = seg.duplicate_count if seg.kind == "note" else None
            name = seg.location or f"{seg.kind} {seg.position + 1}"
            if not own:     # an uncoded note: its cell and marks, for the cases
                sel_guid = m.guid("selection", layout.guid, unit.start, unit.end, seg.kind)
                selection_of[seg.id].append(sel_guid)
                sel = _el(el, "PlainTextSelection", {
                    "guid": sel_guid, "name": name, "startPosition": unit.start,
                    "endPosition": unit.end})
                if count and count > 1:
                    _el(sel, "Description", text=m.describe_selection(None, False, count))
                continue
            # one selection per coder, memo and quote mark: tools such as QualCoder read the
            # coder from the selection and a coding's memo from the selection's Description
            groups: dict[tuple[str, str, bool], list[Coding]] = defaultdict(list)
            for coding in own:
                groups[(coding.coder, coding.memo or "", coding.is_quote)].append(coding)
            for (coder, memo, quote), group in groups.items():
                sel_guid = m.guid("selection", layout.guid, unit.start, unit.end, seg.kind,
                                  coder, memo, quote)
                selection_of[seg.id].append(sel_guid)
                stamp = _stamp(max(c.updated_at for c in group))
                sel = _el(el, "PlainTextSelection", {
                    "guid": sel_guid, "name": name, "startPosition": unit.start,
                    "endPosition": unit.end, "creatingUser": users[coder],
                    "creationDateTime": stamp})
                described = m.describe_selection(memo, quote, count)
                if described:
                    _el(sel, "Description", text=described)
                for coding in group:
                    coding_guid = m.guid("coding", sel_guid, guids[coding.code_id], coder)
                    c = _el(sel, "Coding", {"guid": coding_guid,
                                            "creatingUser": users[coder],
                                            "creationDateTime": _stamp(coding.updated_at)})
                    _el(c, "CodeRef", {"targetGUID": guids[coding.code_id]})
                    if coding.memo:
                        notes.append((m.guid("memo", coding_guid), m.MEMO_NOTE, coding.memo,
                                      coding))
                        _el(c, "NoteRef", {"targetGUID": notes[-1][0]})
                    if coding.is_quote:
                        notes.append((m.guid("quote", coding_guid), m.QUOTE_NOTE,
                                      "Markerat som citat för rapporten.", coding))
                        _el(c, "NoteRef", {"targetGUID": notes[-1][0]})
        for (start, end, coder, memo, quote), by_code in sorted(on_spans.items()):
            _span_selection(el, layout.guid, start, end, coder, memo, quote,
                            list(by_code.values()), users, guids, notes)
        spans = {unit.segment.id: (unit.start, unit.end) for unit in layout.units}
        for memo in memos:      # annotations: a Note on a stretch of this source
            if memo.source_id == source.id:
                _el(el, "NoteRef", {"targetGUID": m.guid("memo-note", memo.id)})
                memo_spans[memo.id] = spans.get(memo.segment_id), layout.guid
        _value(el, variables[m.VAR_KIND], "TextValue", source.kind)
        if progress:
            progress(done, len(sources), source.original_name)
    _cases(root, cases_at, session, members, variables)
    _fill_selection_refs(root, selection_of)
    if notes or memos:
        node = _el(root, "Notes")
        for note_guid, note_name, text, coding in notes:
            note = _el(node, "Note", {"guid": note_guid, "name": note_name,
                                      "creatingUser": users[coding.coder],
                                      "creationDateTime": _stamp(coding.updated_at)})
            _el(note, "PlainTextContent", text=text)
        for memo in memos:
            note = _el(node, "Note", {"guid": m.guid("memo-note", memo.id),
                                      "name": memo.title or None,
                                      "creatingUser": users.get(memo.author or ""),
                                      "creationDateTime": _stamp(memo.created_at)})
            _el(note, "PlainTextContent", text=memo.text)
            span, source_guid = memo_spans.get(memo.id, (None, None))
            if span:
                _el(note, "PlainTextSelection", {
                    "guid": m.guid("memo-selection", memo.id), "startPosition": span[0],
                    "endPosition": span[1]})
    if guids:
        _origin_sets(root, session, guids, "targetGUID")
    _source_sets(root, members.sets)
    for memo in memos:          # journal entries and notes on no source: the project's
        if memo.id not in memo_spans:
            _el(root, "NoteRef", {"targetGUID": m.guid("memo-note", memo.id)})
    return etree.tostring(root, xml_declaration=True, encoding="utf-8",
                          pretty_print=True), files


def _span_selection(el, source_guid: str, start: int, end: int, coder: str, memo: str,
                    quote: bool, group: list[Coding], users: dict[str, str],
                    guids: dict[int, str], notes: list) -> None:
    """One PlainTextSelection on an exact span, with a Coding per code."""
    sel_guid = m.guid("selection", source_guid, start, end, "span", coder, memo, quote)
    sel = _el(el, "PlainTextSelection", {
        "guid": sel_guid, "startPosition": start, "endPosition": end,
        "creatingUser": users[coder],
        "creationDateTime": _stamp(max(c.updated_at for c in group))})
    described = m.describe_selection(memo, quote, None)
    if described:
        _el(sel, "Description", text=described)
    for coding in sorted(group, key=lambda c: c.code_id):
        coding_guid = m.guid("coding", sel_guid, guids[coding.code_id], coder)
        c = _el(sel, "Coding", {"guid": coding_guid, "creatingUser": users[coder],
                                "creationDateTime": _stamp(coding.updated_at)})
        _el(c, "CodeRef", {"targetGUID": guids[coding.code_id]})
        if memo:
            notes.append((m.guid("memo", coding_guid), m.MEMO_NOTE, memo, coding))
            _el(c, "NoteRef", {"targetGUID": notes[-1][0]})
        if quote:
            notes.append((m.guid("quote", coding_guid), m.QUOTE_NOTE,
                          "Markerat som citat för rapporten.", coding))
            _el(c, "NoteRef", {"targetGUID": notes[-1][0]})


def _source_name(source: Source) -> str:
    return Path(source.original_name).stem or f"source {source.id}"


def _value(parent, variable_guid: str, kind: str, value: object) -> None:
    node = _el(parent, "VariableValue")
    _el(node, "VariableRef", {"targetGUID": variable_guid})
    _el(node, kind, text=str(value))


# Cases: one per area, one per question, one per workshop. Selection refs are filled in
# after the sources are written (the selections' GUIDs are only known then).
_PENDING = "pending-selections"


@dataclass
class _Members:
    """Who belongs to which case, gathered source by source."""

    areas: dict[str, tuple[list[str], list[int]]] = field(
        default_factory=lambda: defaultdict(lambda: ([], [])))
    questions: dict[int, tuple[list[str], list[int]]] = field(
        default_factory=lambda: defaultdict(lambda: ([], [])))
    workshops: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    sets: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, layout: SourceText) -> None:
        source = layout.source
        for name in (source.report or {}).get("sets") or []:   # another tool's sets
            self.sets[name].append(layout.guid)
        if source.workshop_id:
            self.workshops[source.workshop_id].append(layout.guid)
        for unit in layout.units:
            seg = unit.segment
            if seg.kind == "note":
                if seg.area:
                    self.areas[seg.area][1].append(seg.id)
                if seg.question:
                    self.questions[seg.question][1].append(seg.id)
        if source.kind not in m.NOTE_KINDS:
            if source.area:
                self.areas[source.area][0].append(layout.guid)
            if source.question:
                self.questions[source.question][0].append(layout.guid)


def _cases(root, at: int, session: Session, members: _Members, variables: dict[str, str]):
    area_members, question_members = members.areas, members.questions
    workshop_sources = members.workshops
    workshops = session.scalars(select(Workshop).order_by(Workshop.id)).all()
    if not (area_members or question_members or workshops):
        return
    counts = workshop_counts(session)
    cases = _el(root, "Cases")
    root.insert(at, cases)
    study = load_study(session)
    order = study.areas.key_list()
    for area in sorted(area_members, key=lambda a: (order.index(a) if a in order else 99, a)):
        refs, segments = area_members[area]
        case = _el(cases, "Case", {"guid": m.guid("case", "area", area),
                                   "name": study.areas.label(area)})
        _el(case, "Description", text=study.attribution(area))
        _value(case, variables[m.VAR_AREA], "TextValue", study.areas.label(area))
        _members(case, refs, segments)
    for question in sorted(question_members):
        refs, segments = question_members[question]
        case = _el(cases, "Case", {"guid": m.guid("case", "question", question),
                                   "name": f"{m.QUESTION_CASE}{question}"})
        _value(case, variables[m.VAR_QUESTION], "IntegerValue", question)
        _members(case, refs, segments)
    for ws in workshops:
        case = _el(cases, "Case", {"guid": m.guid("case", "workshop", ws.label),
                                   "name": m.WORKSHOP_CASE + ws.label})
        _value(case, variables[m.VAR_AREA], "TextValue", study.areas.label(ws.area))
        if ws.format:
            _value(case, variables[m.VAR_FORMAT], "TextValue", study.formats.label(ws.format))
        if ws.date:
            _value(case, variables[m.VAR_DATE], "DateValue", ws.date.isoformat())
        for key, n in counts.get(ws.id, {}).items():
            label = study.groups.label(key)
            if label in variables:
                _value(case, variables[label], "IntegerValue", n)
        _members(case, workshop_sources.get(ws.id, []), [])


def _members(case, source_guids: list[str], segment_ids: list[int]) -> None:
    for source_guid in source_guids:
        _el(case, "SourceRef", {"targetGUID": source_guid})
    if segment_ids:
        case.set(_PENDING, " ".join(map(str, segment_ids)))


def _fill_selection_refs(root, selection_of: dict[int, list[str]]) -> None:
    for case in root.iter(f"{{{m.PROJECT_NS}}}Case"):
        pending = case.attrib.pop(_PENDING, None)
        for segment_id in (pending or "").split():
            for sel_guid in selection_of.get(int(segment_id), []):
                _el(case, "SelectionRef", {"targetGUID": sel_guid})


def _renamed(session: Session, options: ExportOptions, report: ExportReport,
             hidden: frozenset[int] = frozenset()) -> dict[int, str]:
    """With unique names asked for: the new names, listed in the report by path."""
    if not options.unique_names:
        return {}
    rows = [r for r in session.scalars(select(Code)).all() if r.id not in hidden]
    renamed = unique_names(rows)
    paths = dict(ordered_paths(session))
    report.renamed = {join_path(paths[i]): name for i, name in renamed.items()}
    return renamed


def write_codebook(project: Project, spec: Export, fmt: str, out: Path,
                   options: ExportOptions, actor: Actor | None = None) -> ExportReport:
    """The codebook as a .qdc; through a temporary file, never half a file."""
    report = ExportReport(spec.name, out)
    with project.session() as session:
        hidden = hidden_codes(session, actor)
        data = codebook_xml(session, _renamed(session, options, report, hidden), hidden)
        report.rows = len(set(session.scalars(select(Code.id))) - hidden)
        report.unit = "codes"
    atomic_write(out, lambda tmp: tmp.write_bytes(data))
    return report


def write_project(project: Project, spec: Export, fmt: str, out: Path,
                  options: ExportOptions, actor: Actor | None = None) -> ExportReport:
    """The whole project as a .qdpx (a zip of project.qde and the sources' text)."""
    report = ExportReport(spec.name, out)
    name = read_config(project.root).get("project", {}).get("name") or project.root.name
    written: list[str] = []

    def write_file(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive, \
                project.session() as session:
            def add_text(file_name: str, text: str) -> None:
                archive.writestr(f"sources/{file_name}", text.encode("utf-8"))
                written.append(file_name)

            data, _ = project_xml(session, str(name), _renamed(session, options, report),
                                  on_text=add_text, progress=options.progress)
            archive.writestr("project.qde", data)

    atomic_write(out, write_file)
    report.rows, report.unit = len(written), "sources"
    return report
