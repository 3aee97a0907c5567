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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

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



def _memo_guid(kind: str, memo: Memo) -> str:
    """A memo's id is only its row number: with its creation time, two projects' first
    memos are two GUIDs (a tool holding both exports would take them for one note); the
    same project still exports the same GUID every time."""
    return m.guid(kind, memo.id, memo.created_at.isoformat())

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


_QUOTE_TEXT = "Markerat som citat för rapporten."     # a quote mark's Note


class _Mark(NamedTuple):
    """What one selection stands for besides its place: who coded, the memo, the quote mark.
    Tools such as QualCoder read the coder from the selection and a coding's memo from the
    selection's Description, so each mark gets a selection of its own."""

    coder: str
    memo: str
    quote: bool


@dataclass
class _Qde:
    """What the parts of project.qde share as it is written: the GUIDs of users, codes and
    variables, the memos, and what each source leaves for the parts after it (the cases
    need its selections, the Notes its codings' memos and its annotations' places)."""

    root: etree._Element
    users: dict[str, str]                  # coder or memo author -> user GUID
    guids: dict[int, str]                  # code id -> GUID
    variables: dict[str, str]              # variable name -> GUID
    memos: Sequence[Memo]
    members: _Members
    selection_of: dict[int, list[str]] = field(
        default_factory=lambda: defaultdict(list))   # segment id -> selections
    notes: list[tuple[str, str, str, Coding]] = field(
        default_factory=list)                          # (guid, name, text, coding)
    memo_spans: dict[int, tuple[tuple[int, int] | None, str]] = field(
        default_factory=dict)                          # memo on a source -> (span, source)


def project_xml(session: Session, name: str, renamed: dict[int, str] | None = None,
                on_text: Callable[[str, str], None] | None = None,
                progress: Progress | None = None) -> tuple[bytes, dict[str, str]]:
    """project.qde and the texts to put beside it (file name inside sources/ -> text).

    One source at a time: its units are laid out, placed in the XML and let go, so that a
    large project is not held whole as ORM objects (gigabytes at 100x: BENCHMARKS.md). `on_text`
    takes each source's text as it is made (then it is not kept); `progress(done, total,
    what)` is told after each source."""
    qde = _start(session, name, renamed)
    codings = _accepted_codings(session)
    sources = session.scalars(select(Source).order_by(Source.id)).all()
    cases_at = len(qde.root)           # the Cases go before the Sources (the schema's order)
    node = _el(qde.root, "Sources") if sources else None
    files: dict[str, str] = {}
    for done, source in enumerate(sources, 1):
        layout = _layout(session, source)
        qde.members.add(layout)
        if on_text is None:
            files[f"{layout.guid}.txt"] = layout.text
        else:
            on_text(f"{layout.guid}.txt", layout.text)
        _text_source(qde, node, layout, codings)
        if progress:
            progress(done, len(sources), source.original_name)
    _cases(qde.root, cases_at, session, qde.members, qde.variables)
    _fill_selection_refs(qde.root, qde.selection_of)
    _notes(qde)
    if qde.guids:
        _origin_sets(qde.root, session, qde.guids, "targetGUID")
    _source_sets(qde.root, qde.members.sets)
    for memo in qde.memos:      # journal entries and notes on no source: the project's
        if memo.id not in qde.memo_spans:
            _el(qde.root, "NoteRef", {"targetGUID": _memo_guid("memo-note", memo)})
    return etree.tostring(qde.root, xml_declaration=True, encoding="utf-8",
                          pretty_print=True), files


def _start(session: Session, name: str, renamed: dict[int, str] | None) -> _Qde:
    """The Project element with its users (coders, then other memo authors), codebook and
    variables."""
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
    return _Qde(root, users, guids, _variables(root, session), memos, _Members())


def _variables(root, session: Session) -> dict[str, str]:
    """Our variables and one Integer variable per participant group; name -> GUID."""
    study = load_study(session)
    declared = {**m.VARIABLES, **{label: "Integer" for label in study.groups.labels().values()
                                  if label not in m.VARIABLES}}
    variables = {name: m.guid("variable", name) for name in declared}
    node = _el(root, "Variables")
    for var, kind in declared.items():
        _el(node, "Variable", {"guid": variables[var], "name": var, "typeOfVariable": kind})
    return variables


def _accepted_codings(session: Session) -> dict[int, list[Coding]]:
    """The decisions that travel: accepted codings of people, per segment id."""
    codings: dict[int, list[Coding]] = defaultdict(list)
    rows = session.execute(select(Coding).where(Coding.status == Status.ACCEPTED,
                                                human(Coding.coder))
                           .order_by(Coding.segment_id, Coding.code_id, Coding.coder)).scalars()
    for coding in rows:
        codings[coding.segment_id].append(coding)
    return codings


def _text_source(qde: _Qde, parent, layout: SourceText,
                 codings: dict[int, list[Coding]]) -> None:
    """A TextSource with its selections, codings, annotations' NoteRefs and kind."""
    source = layout.source
    el = _el(parent, "TextSource", {"guid": layout.guid, "name": _source_name(source),
                                    "plainTextPath": f"internal://{layout.guid}.txt",
                                    "creationDateTime": _stamp(source.imported_at)})
    # codings on exact spans (from another tool): one selection per span, coder, memo
    # and quote mark, however many units the span overlaps
    on_spans: dict[tuple[int, int, _Mark], dict[int, Coding]] = {}
    for unit in layout.units:
        own = []
        for coding in codings.get(unit.segment.id, []):
            if coding.spans:
                for start, end, memo, quote in coding.spans:
                    on_spans.setdefault((start, end, _Mark(coding.coder, memo or "",
                                                           bool(quote))), {}).setdefault(
                        coding.code_id, coding)
            else:
                own.append(coding)
        _unit_selections(qde, el, layout.guid, unit, own)
    for (start, end, mark), by_code in sorted(on_spans.items()):
        sel_guid = m.guid("selection", layout.guid, start, end, "span", *mark)
        _coded_selection(qde, el, {"guid": sel_guid, "startPosition": start,
                                   "endPosition": end},
                         mark, sorted(by_code.values(), key=lambda c: c.code_id))
    spans = {unit.segment.id: (unit.start, unit.end) for unit in layout.units}
    for memo in qde.memos:      # annotations: a Note on a stretch of this source
        if memo.source_id == source.id:
            _el(el, "NoteRef", {"targetGUID": _memo_guid("memo-note", memo)})
            qde.memo_spans[memo.id] = spans.get(memo.segment_id), layout.guid
    _value(el, qde.variables[m.VAR_KIND], "TextValue", source.kind)


def _unit_selections(qde: _Qde, el, source_guid: str, unit: Unit, own: list[Coding]) -> None:
    """The selections of one unit: one per mark of its codings on the whole unit; an
    uncoded note gets one too (its cell and marks, for the cases)."""
    seg = unit.segment
    if seg.kind != "note" and not own:
        return
    count = seg.duplicate_count if seg.kind == "note" else None
    name = seg.location or f"{seg.kind} {seg.position + 1}"
    if not own:
        sel_guid = m.guid("selection", source_guid, unit.start, unit.end, seg.kind)
        qde.selection_of[seg.id].append(sel_guid)
        sel = _el(el, "PlainTextSelection", {
            "guid": sel_guid, "name": name, "startPosition": unit.start,
            "endPosition": unit.end})
        if count and count > 1:
            _el(sel, "Description", text=m.describe_selection(None, False, count))
        return
    groups: dict[_Mark, list[Coding]] = defaultdict(list)
    for coding in own:
        groups[_Mark(coding.coder, coding.memo or "", coding.is_quote)].append(coding)
    for mark, group in groups.items():
        sel_guid = m.guid("selection", source_guid, unit.start, unit.end, seg.kind, *mark)
        qde.selection_of[seg.id].append(sel_guid)
        _coded_selection(qde, el, {"guid": sel_guid, "name": name,
                                   "startPosition": unit.start, "endPosition": unit.end},
                         mark, group, count)


def _coded_selection(qde: _Qde, el, place: dict, mark: _Mark, group: list[Coding],
                     count: int | None = None) -> None:
    """One PlainTextSelection (`place`: its guid, name and positions) with a Coding per
    code of `group`; the memo and the quote mark travel as each coding's Notes."""
    sel = _el(el, "PlainTextSelection", {
        **place, "creatingUser": qde.users[mark.coder],
        "creationDateTime": _stamp(max(c.updated_at for c in group))})
    described = m.describe_selection(mark.memo, mark.quote, count)
    if described:
        _el(sel, "Description", text=described)
    for coding in group:
        coding_guid = m.guid("coding", place["guid"], qde.guids[coding.code_id], mark.coder)
        c = _el(sel, "Coding", {"guid": coding_guid, "creatingUser": qde.users[mark.coder],
                                "creationDateTime": _stamp(coding.updated_at)})
        _el(c, "CodeRef", {"targetGUID": qde.guids[coding.code_id]})
        if mark.memo:
            qde.notes.append((m.guid("memo", coding_guid), m.MEMO_NOTE, mark.memo, coding))
            _el(c, "NoteRef", {"targetGUID": qde.notes[-1][0]})
        if mark.quote:
            qde.notes.append((m.guid("quote", coding_guid), m.QUOTE_NOTE, _QUOTE_TEXT, coding))
            _el(c, "NoteRef", {"targetGUID": qde.notes[-1][0]})


def _notes(qde: _Qde) -> None:
    """The codings' memos and quote marks, then the memos (an annotation with its span)."""
    if not (qde.notes or qde.memos):
        return
    node = _el(qde.root, "Notes")
    for note_guid, note_name, text, coding in qde.notes:
        note = _el(node, "Note", {"guid": note_guid, "name": note_name,
                                  "creatingUser": qde.users[coding.coder],
                                  "creationDateTime": _stamp(coding.updated_at)})
        _el(note, "PlainTextContent", text=text)
    for memo in qde.memos:
        note = _el(node, "Note", {"guid": _memo_guid("memo-note", memo),
                                  "name": memo.title or None,
                                  "creatingUser": qde.users.get(memo.author or ""),
                                  "creationDateTime": _stamp(memo.created_at)})
        _el(note, "PlainTextContent", text=memo.text)
        span, _ = qde.memo_spans.get(memo.id, (None, None))
        if span:
            _el(note, "PlainTextSelection", {
                "guid": _memo_guid("memo-selection", memo), "startPosition": span[0],
                "endPosition": span[1]})


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
