"""Read a REFI-QDA .qdpx (from NVivo, ATLAS.ti, MAXQDA, QualCoder or workshop-qda) into a
new project: users become coders, the code tree keeps its hierarchy, descriptions and
colours, text sources become segments, text selections become codings.

Everything happens in one transaction in a new folder: a file that cannot be read leaves
no project behind. A source inside it that cannot be read is skipped and reported (all or
nothing with `strict`). Texts come in as the file has them: another tool's project is
finished work; `pseudonymise` runs the same pass as ingest (names, e-mail addresses, phone
and personal identity numbers) and reports it.

Segments: a source we exported keeps its notes (with area, question, cell and duplicate
marks) or its turns and sentences. A source from another tool becomes one turn per
paragraph (line) with its sentences. A selection that is exactly one unit codes it; any
other keeps its exact span on the codings of the units it overlaps (docs/refi-qda.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import zipfile
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from lxml import etree
from sqlalchemy import select

from coding import codes as code_ops
from coding.codebook import CodebookDoc, CodeSpec
from coding.codings import accept
from corpus import audit
from corpus.actors import LIBRARY, Actor, actor_name, checked, system_actor
from corpus.errors import InputError
from corpus.ingest import store_key, store_notes, store_transcript
from corpus.models import Coding, Memo, Segment, Source, utcnow
from corpus.project import CONFIG_NAME, Project, init_project
from corpus.pseudonymise import Pseudonymiser, place_words
from corpus.readers.textfile import decode_text
from corpus.readers.units import Note, ReadResult, Turn
from corpus.study import Resolver, set_long_name
from corpus.study import load as load_study
from corpus.vocabulary import Action
from corpus.workshops import normalise_fields, upsert_workshop
from people.identity import is_suggestion_layer

from . import mapping as m
from .codebooks import code_specs
from .writer import source_layout

NS = {"q": m.PROJECT_NS}
ATTRIBUTION = "Deltagare "      # an area case's description: "Deltagare <long name>"

# A coding the file carries is recorded as the import's (the stored name "import").
IMPORTER = system_actor("import", channel="import")


@dataclass
class Tally:
    """One kind of thing in the file: how many it holds, how many came in, and why the
    others did not (reason -> how many)."""

    in_file: int = 0
    imported: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str, n: int = 1) -> None:
        if n:
            self.skipped[reason] = self.skipped.get(reason, 0) + n


# the kinds an import report counts, in the order it lists them
KINDS = ("sources", "codes", "codings", "users", "notes", "selections", "sets", "cases",
         "variables")


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
    on_spans: int = 0         # selections kept on their exact span (not one whole unit)
    skipped: list[str] = field(default_factory=list)
    tally: dict[str, Tally] = field(default_factory=lambda: {k: Tally() for k in KINDS})
    # sources not imported: (document name, reason); sources without their text
    skipped_sources: list[tuple[str, str]] = field(default_factory=list)
    textless: list[tuple[str, str]] = field(default_factory=list)   # (name, where it is)
    # what the pseudonymisation replaced (kind -> times); None: the texts were kept as
    # they are in the file
    pseudonymised: dict[str, int] | None = None
    not_codable: list[str] = field(default_factory=list)   # codes isCodable="false"


@dataclass
class _Selection:
    guid: str
    name: str
    start: int
    end: int
    description: str
    codings: list[tuple[str, str, list[str]]]   # (code guid, user guid, note guids)


def import_qdpx(path: Path | str, target: Path | str, actor: Actor = LIBRARY, *,
                pseudonymise: bool = False, strict: bool = False) -> ImportReport:
    """A new project at `target` from the .qdpx at `path`. The texts are kept as the file
    has them unless `pseudonymise`; a source that cannot be read is skipped and reported,
    or with `strict` stops the import (nothing is written)."""
    checked(actor)      # a plain name is no actor (E614): refused before anything
    path, target = Path(path), Path(target)
    qde, texts = _read_archive(path)
    if target.exists() and any(target.iterdir()):
        raise InputError("the target folder exists and is not empty; choose a new folder",
                         target, "E423")
    created = not target.exists()
    try:
        project = init_project(target)
        project.channel = "import"       # every event it writes came from the file
        if qde.get("name"):   # the project keeps its name in later exports
            with (project.root / CONFIG_NAME).open("a", encoding="utf-8") as config:
                # a JSON string is a valid TOML basic string
                config.write(f'\n[project]\nname = {json.dumps(qde.get("name"))}\n')
        try:
            report = _import(project, path, qde, texts, actor,
                             _Options(pseudonymise, strict))
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
            qde_name = m.qde_entry(names)
            if qde_name is None:
                raise InputError("not a REFI-QDA project: the archive has no project.qde "
                                 "(nor one .qde file at its root)", path, "E421")
            qde = archive.read(qde_name)
            texts = {n: archive.read(n) for n in names
                     if n != qde_name and not n.endswith("/")}
    except zipfile.BadZipFile:
        raise InputError("not a .qdpx: the file is not a zip archive", path, "E420") from None
    try:
        root = etree.fromstring(qde, etree.XMLParser(resolve_entities=False, no_network=True,
                                                     huge_tree=True))
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{qde_name} is not well-formed XML: {exc}", path, "E422") from None
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


@dataclass
class _Options:
    pseudonymise: bool = False
    strict: bool = False


class _Verbatim(Pseudonymiser):
    """Keeps texts and speaker labels as they are: another tool's project is finished work."""

    def speaker(self, label: str | None) -> str | None:
        return label or None

    def text(self, text: str) -> str:
        return text


class _Unreadable(Exception):
    """A source whose text cannot be read; the reason names what is wrong; `missing`: the
    archive does not hold it (else it cannot be decoded)."""

    def __init__(self, reason: str, missing: bool):
        super().__init__(reason)
        self.missing = missing


def document_name(el) -> str:
    """How messages name a source: its name in the other tool, else its GUID."""
    return " ".join((el.get("name") or "").split()) or el.get("guid") or "(unnamed)"


def archive_file(texts: dict[str, bytes], ref: str) -> str | None:
    """The archive entry a path in project.qde means: as written, under sources/, or the
    one entry of that file name (tools write "internal://x.txt", "x.txt", "sources/x.txt")."""
    ref = ref.replace("\\", "/").removeprefix("internal://").lstrip("/")
    ref = ref.removeprefix("./")
    for key in (ref, f"sources/{ref}"):
        if key in texts:
            return key
    base = ref.rsplit("/", 1)[-1].casefold()
    hits = [n for n in texts if n.rsplit("/", 1)[-1].casefold() == base]
    return hits[0] if len(hits) == 1 else None


def _source_text(el, texts: dict[str, bytes], path: Path) -> tuple[str, str | None]:
    """A TextSource's text and, when the text is not in the file, where it is (then the
    text is ""). Raises _Unreadable for a text the archive should hold and does not, or
    one that cannot be decoded."""
    content = el.find("q:PlainTextContent", NS)
    if content is not None and content.text:
        return content.text, None
    plain = (el.get("plainTextPath") or "").strip()
    if not plain:
        return "", None
    scheme = plain.split("://", 1)[0].lower() if "://" in plain else ""
    if scheme not in ("", "internal"):      # relative://, absolute://, file://
        return "", plain
    key = archive_file(texts, plain)
    if key is None:
        if scheme:
            raise _Unreadable(f"its text file {plain} is missing from the archive", True)
        return "", plain         # a bare path the archive does not hold: outside it
    try:
        return decode_text(texts[key], Path(key)), None
    except InputError as exc:
        raise _Unreadable(f"its text file {key}: {exc.reason} [{exc.code}]", False) from None


def _units(text: str, ours: bool) -> list[tuple[int, int]]:
    """(start, end) of each note/turn: blank-line separated in our exports, else lines."""
    pattern = re.escape(m.UNIT_SEPARATOR) if ours else r"\r?\n"
    spans, start = [], 0
    for match in re.finditer(pattern, text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _import(project: Project, path: Path, root, texts: dict[str, bytes], actor: Actor,
            opts: _Options) -> ImportReport:
    """What the file says of users, codes, variables, notes, cases and sets is read first;
    then one transaction writes the codebook, the study, workshops, sources and memos."""
    report = ImportReport(str(path), str(project.root), origin=root.get("origin") or "")
    tally = report.tally
    users = {u.get("guid"): (u.get("name") or f"user-{u.get('guid')[:8]}").strip()
             for u in root.findall("q:Users/q:User", NS)}
    tally["users"].in_file = len(users)
    specs, code_paths = _read_codebook(root, report)
    variables = {v.get("guid"): v.get("name") for v in root.findall("q:Variables/q:Variable", NS)}
    tally["variables"].in_file = len(variables)
    notes = {n.get("guid"): (n.get("name") or "", _note_text(n, texts))
             for n in root.findall("q:Notes/q:Note", NS)}
    tally["notes"].in_file = len(notes) + bool(_text_of(root.find("q:Description", NS)))
    annotations, journals = _free_notes(root, users, texts)
    imp = _Import(project, path, texts, actor, opts, report, users, notes, variables,
                  annotations)
    imp.coding_notes = {r.get("targetGUID") for c in root.iter(f"{{{m.PROJECT_NS}}}Coding")
                        for r in c.findall("q:NoteRef", NS)} & set(notes)
    workshops, area_cases = _read_cases(root, imp)
    _read_sets(root, imp)

    with project.transaction() as session:
        _import_codebook(session, imp, specs, code_paths)
        _study_of_our_file(session, imp, area_cases, _group_variables(root))
        _import_workshops(session, imp, workshops)
        for el in root.iter(f"{{{m.PROJECT_NS}}}TextSource"):
            if etree.QName(el.getparent()).localname == "Sources":
                _text_source(session, imp, el)
        _other_sources(root, report)
        _keep_memos(session, "journal", journals, imp)
        # annotations whose source the file does not name (or was skipped): kept, but on
        # no unit
        _keep_memos(session, "annotation", imp.annotations.get(None, []), imp)
        _count_rest(imp)
        report.segments = session.query(Segment).count()
        report.codings = session.query(Coding).count()      # unit x code x coder
        audit.record(session, actor_name(actor), Action.IMPORT_QDPX, "project", None, None,
                     {"file": path.name, "origin": report.origin, "codes": report.codes,
                      "sources": report.sources, "codings": report.codings,
                      "skipped_sources": [n for n, _ in report.skipped_sources],
                      "pseudonymised": opts.pseudonymise},
                     channel="import")
    if opts.pseudonymise:
        report.pseudonymised = {k: v for k, v in imp.replaced.items() if v}
    return report


_OTHER_SOURCES = {"PictureSource": "picture", "PDFSource": "PDF", "AudioSource": "audio",
                  "VideoSource": "video"}


@dataclass
class _Import:
    """One file's import: what it is read from, into which project, by whom, what the
    file says that every part needs, what the import learns as it goes (the file's GUIDs
    -> what they became here) and its report. The session goes beside it: it exists only
    inside the transaction, and the file's cases and sets are read before that opens."""

    project: Project
    path: Path
    texts: dict[str, bytes]                        # the archive's other entries
    actor: Actor                                   # who imports: learns new areas
    opts: _Options
    report: ImportReport
    users: dict[str, str]                          # user guid -> name
    notes: dict[str, tuple[str, str]]              # note guid -> (name, text)
    variables: dict[str, str]                      # variable guid -> name
    annotations: dict[str | None, list[_FreeNote]]   # source guid (None: not said) -> notes
    # what cases say about selections and sources: area, question, workshop; other tools'
    # cases and the variables of their sources are kept on each source they name
    sel_meta: dict[str, dict[str, str]] = field(default_factory=dict)
    src_meta: dict[str, dict[str, str]] = field(default_factory=dict)
    case_of: dict[str, dict[str, dict[str, str]]] = field(
        default_factory=dict)                      # source guid -> case -> values
    sets_of: dict[str, list[str]] = field(default_factory=dict)   # source guid -> set names
    code_ids: dict[str, int] = field(default_factory=dict)
    workshop_of: dict[str, int] = field(default_factory=dict)
    seen_users: set[str] = field(default_factory=set)     # names with codings or notes
    used_notes: set[str] = field(default_factory=set)     # coding notes that arrived
    coding_notes: set[str] = field(default_factory=set)   # notes codings refer to
    used_variables: set[str] = field(default_factory=set)
    kept_sources: set[str] = field(default_factory=set)
    cases: dict[str, tuple[list[str], bool]] = field(default_factory=dict)
    sets: dict[str, list[str]] = field(default_factory=dict)
    replaced: Counter = field(default_factory=Counter)

    # the study's areas (the project's and those the file brought) as words: places,
    # never a person's name ("Laholm" has a surname's shape), as at ingest
    places: frozenset[str] = frozenset()

    def new_pseudonymiser(self, session=None) -> Pseudonymiser:
        """One per text: pseudonymising as asked, else keeping the text as it is. With the
        session, the study's areas are read anew (an import learns them as it goes)."""
        if session is not None:
            self.places = place_words(name for value in load_study(session).areas.values
                                      for name in value.names())
        return Pseudonymiser(places=self.places) if self.opts.pseudonymise else _Verbatim()


def _read_codebook(root, report: ImportReport
                   ) -> tuple[list[CodeSpec], dict[str, tuple[str, ...]]]:
    """The codes as specs and each code GUID's path; counted, and those not codable
    named in the report."""
    code_els = root.findall("q:CodeBook/q:Codes//q:Code", NS)
    report.tally["codes"].in_file = len(code_els)
    report.not_codable = [" ".join((el.get("name") or "").split()) for el in code_els
                          if (el.get("isCodable") or "true").strip().lower() == "false"]
    return code_specs(root.findall("q:CodeBook/q:Codes/q:Code", NS), m.PROJECT_NS,
                      root.get("origin") or "", root.findall("q:Sets/q:Set", NS))


def _read_cases(root, imp: _Import
                ) -> tuple[list[tuple[str, dict[str, str], list[str]]], list[tuple[str, str]]]:
    """What the cases say of sources and selections (kept on `imp`); the workshop cases
    (label, values, source GUIDs) and, in a file of ours, the area cases (area,
    description: the long name)."""
    ours_file = root.get("origin") == m.ORIGIN
    workshops: list[tuple[str, dict[str, str], list[str]]] = []
    area_cases: list[tuple[str, str]] = []
    cases = root.findall("q:Cases/q:Case", NS)
    imp.report.tally["cases"].in_file = len(cases)
    for case in cases:
        values = _variable_values(case, imp.variables)
        imp.used_variables |= _variable_refs(case)
        name = " ".join((case.get("name") or "").split()) or case.get("guid") or ""
        refs = [r.get("targetGUID") for r in case.findall("q:SourceRef", NS)]
        if name.startswith(m.WORKSHOP_CASE):
            workshops.append((name[len(m.WORKSHOP_CASE):], values, refs))
            continue
        if ours_file and values.get(m.VAR_AREA):
            area_cases.append((values[m.VAR_AREA], case.findtext("q:Description", "", NS)))
        for ref in refs:
            imp.src_meta.setdefault(ref, {}).update(values)
            imp.case_of.setdefault(ref, {})[name] = values
        selection_refs = case.findall("q:SelectionRef", NS)
        for ref in selection_refs:
            imp.sel_meta.setdefault(ref.get("targetGUID"), {}).update(values)
        imp.cases[name] = (refs, bool(selection_refs) and bool(
            set(values) & {m.VAR_AREA, m.VAR_QUESTION}))
    return workshops, area_cases


def _group_variables(root) -> list[str]:
    """A project we wrote carries its study: its areas as cases (in the study's order, the
    long name in the description) and one Integer variable per participant group."""
    if root.get("origin") != m.ORIGIN:
        return []
    return [v.get("name") for v in root.findall("q:Variables/q:Variable", NS)
            if v.get("typeOfVariable") == "Integer" and v.get("name") not in m.VARIABLES]


def _read_sets(root, imp: _Import) -> None:
    """Sets of sources, kept on each member; sets of codes come in as the codes' origin."""
    tally = imp.report.tally["sets"]
    for node in root.findall("q:Sets/q:Set", NS):
        tally.in_file += 1
        name = " ".join((node.get("name") or "").split()) or node.get("guid") or ""
        members = [r.get("targetGUID") for r in node.findall("q:MemberSource", NS)]
        if name.startswith(m.ORIGIN_SET):
            tally.imported += 1          # as the codes' origin
        elif members:
            for ref in members:
                imp.sets_of.setdefault(ref, []).append(name)
            imp.sets[name] = members
        else:
            tally.skip("a set of codes only (kept only as our origin sets, "
                       f"\"{m.ORIGIN_SET}…\")")


def _import_codebook(session, imp: _Import, specs: list[CodeSpec],
                     code_paths: dict[str, tuple[str, ...]]) -> None:
    """The file's code tree into the project's codebook; each code GUID's id here."""
    code_ops.import_doc(session, CodebookDoc("qdpx", specs), imp.actor)
    imp.code_ids = {g: code_ops.find_code(session, p).id  # type: ignore[union-attr]  # import_doc made every path
                    for g, p in code_paths.items()}
    tally = imp.report.tally["codes"]
    imp.report.codes = tally.imported = len(imp.code_ids)
    tally.skip("the same GUID twice in the file", max(0, tally.in_file - len(imp.code_ids)))


def _import_workshops(session, imp: _Import,
                      workshops: list[tuple[str, dict[str, str], list[str]]]) -> None:
    """Workshop cases as the project's workshops; their sources are placed in them."""
    for label, values, refs in workshops:
        # any other Integer variable of a workshop case is a participant group's count
        fields = {"label": label, "area": values.get(m.VAR_AREA),
                  "format": values.get(m.VAR_FORMAT) or None,
                  "date": values.get(m.VAR_DATE) or None,
                  "counts": {k: v for k, v in values.items()
                             if k not in m.VARIABLES and str(v).strip().isdigit()}}
        ws = upsert_workshop(session, normalise_fields(fields, imp.path), imp.actor)
        imp.report.tally["cases"].imported += 1
        for ref in refs:
            imp.workshop_of[ref] = ws.id


def _text_source(session, imp: _Import, el) -> None:
    """A TextSource: counted, then imported, or skipped (with its codings, selections and
    annotations) when its text cannot be read; with `strict` that stops the import."""
    report, tally, path = imp.report, imp.report.tally, imp.path
    tally["sources"].in_file += 1
    name = document_name(el)
    n_codings = len(el.findall(".//q:Coding", NS))
    n_selections = sum(1 for sel in el.findall("q:PlainTextSelection", NS)
                       if sel.find("q:Coding", NS) is None)
    tally["codings"].in_file += n_codings
    tally["selections"].in_file += n_selections
    try:
        text, outside = _source_text(el, imp.texts, path)
    except _Unreadable as exc:
        if imp.opts.strict and exc.missing:
            raise InputError(f"source {name!r}: {exc}", path, "E424") from None
        if imp.opts.strict:
            raise InputError(f"source {name!r}: {exc}", path, "E430") from None
        report.skipped_sources.append((name, str(exc)))
        tally["sources"].skip("its text cannot be read")
        tally["codings"].skip("on a source that was skipped", n_codings)
        tally["selections"].skip("on a source that was skipped", n_selections)
        imp.annotations.setdefault(None, []).extend(imp.annotations.pop(el.get("guid"), []))
        return
    if outside and imp.opts.strict:
        raise InputError(f"source {name!r}: its text lies outside the archive "
                         f"({outside}); export with sources included", path, "E424")
    if outside:
        report.textless.append((name, outside))
    tally["sources"].imported += 1
    report.sources += 1
    imp.used_variables |= _variable_refs(el)
    imp.kept_sources.add(el.get("guid"))
    _import_source(session, imp, el, text, outside)


def _other_sources(root, report: ImportReport) -> None:
    """Pictures, PDFs, audio and video: counted and reported, not imported."""
    tally = report.tally
    for tag, what in _OTHER_SOURCES.items():
        for el in root.findall(f"q:Sources/q:{tag}", NS):
            tally["sources"].in_file += 1
            tally["sources"].skip(f"a {what} source (only text sources are imported)")
            report.skipped_sources.append((document_name(el), f"a {what} source: only "
                                           "text sources are imported"))
            n_codings = len(el.findall(".//q:Coding", NS))
            tally["codings"].in_file += n_codings
            tally["codings"].skip(f"on a {what} source", n_codings)


def _variable_refs(el) -> set[str]:
    return {r.get("targetGUID") for r in el.findall("q:VariableValue/q:VariableRef", NS)}


def _count_rest(imp: _Import) -> None:
    """Users, notes, cases, sets and variables: what came in, and why the rest did not."""
    report, tally = imp.report, imp.report.tally
    names = set(imp.users.values())
    arrived = names & imp.seen_users
    tally["users"].imported = len(arrived)
    tally["users"].skip("made no codings or notes (a coder exists here through codings)",
                        len(names - arrived))
    report.users = len(imp.seen_users)
    tally["notes"].imported += len(imp.used_notes)
    tally["notes"].skip("the memo of a coding that was not imported",
                        len(imp.coding_notes - imp.used_notes))
    for refs, on_selections in imp.cases.values():
        if on_selections or set(refs) & imp.kept_sources:
            tally["cases"].imported += 1
        elif refs:
            tally["cases"].skip("none of its sources was imported")
        else:
            tally["cases"].skip("names no source (cases of other tools' selections are "
                                "not kept)")
    for members in imp.sets.values():
        if set(members) & imp.kept_sources:
            tally["sets"].imported += 1
        else:
            tally["sets"].skip("none of its sources was imported")
    tally["variables"].imported = len(imp.used_variables)
    tally["variables"].skip("no value on a case or source",
                            tally["variables"].in_file - len(imp.used_variables))


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
    key = archive_file(texts, plain) if texts and plain else None
    if key is not None:
        assert texts is not None        # a key was found in them
        try:
            return decode_text(texts[key], Path(key)).strip()
        except InputError:
            return ""
    return _text_of(note.find("q:PlainTextContent", NS)) or _text_of(
        note.find("q:Description", NS))


def _stamp(value: str | None) -> dt.datetime | None:
    """An xs:dateTime, or None for what some tools write instead ("20261123_2TZ")."""
    try:
        parsed = dt.datetime.fromisoformat((value or "").replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(dt.UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _span(sel) -> tuple[int, int]:
    return int(sel.get("startPosition") or 0), int(sel.get("endPosition") or 0)


def _free_notes(root, users: dict[str, str], texts: dict[str, bytes]
                ) -> tuple[dict[str | None, list[_FreeNote]], list[_FreeNote]]:
    """Notes no coding refers to: annotations (a note on a text selection, or on a source)
    per source GUID (None: the file does not say which source), and journal entries and
    project notes."""
    by_coding = {r.get("targetGUID") for c in root.iter(f"{{{m.PROJECT_NS}}}Coding")
                 for r in c.findall("q:NoteRef", NS)}
    source_of: dict[str, tuple[str, tuple[int, int] | None]] = {}
    for ref in root.iter(f"{{{m.PROJECT_NS}}}NoteRef"):
        parent = ref.getparent()
        kind = etree.QName(parent).localname
        if kind.endswith("Source"):
            source_of[ref.get("targetGUID")] = (parent.get("guid"), None)
        elif kind == "PlainTextSelection" and parent.getparent() is not None:
            source_of[ref.get("targetGUID")] = (parent.getparent().get("guid"), _span(parent))
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
        source, span = source_of.get(guid, (None, None))
        if sel is not None or source is not None:
            free.span = _span(sel) if sel is not None else span
            annotations.setdefault(source, []).append(free)
        else:
            journals.append(free)
    project_note = _text_of(root.find("q:Description", NS))
    if project_note:
        journals.append(_FreeNote("Projektbeskrivning", project_note, None, None))
    return annotations, journals


def _keep_memos(session, kind: str, found: list[_FreeNote], imp: _Import,
                source_id: int | None = None, anchor=None,
                tally: str = "notes") -> None:
    """Store the notes that say something as memos (pseudonymised only when asked); count
    the empty ones in the report."""
    report = imp.report
    empty = 0
    pseudonymiser = imp.new_pseudonymiser(session)
    for note in found:
        if not m.read_selection(note.text)[0]:   # nothing, or only our own marks
            empty += 1
            continue
        session.add(Memo(kind=kind, source_id=source_id,
                         segment_id=anchor(note.span) if anchor and note.span else None,
                         title=note.title, text=pseudonymiser.text(note.text),
                         author=note.author, created_at=note.stamp or utcnow()))
        if note.author:
            imp.seen_users.add(note.author)
        report.memos[kind] = report.memos.get(kind, 0) + 1
        report.tally[tally].imported += 1
    imp.replaced.update(pseudonymiser.counts)
    if empty:
        report.empty[kind] = report.empty.get(kind, 0) + empty
        report.tally[tally].skip("empty, or only the marks of our own export", empty)


def _study_of_our_file(session, imp: _Import, area_cases: list[tuple[str, str]],
                       groups: list[str]) -> None:
    """The areas (with their long names, in order) and participant groups a .qdpx of ours
    carries, so that a round trip gives back the same study."""
    resolver = Resolver(session, imp.actor)
    for label, description in area_cases:
        key = resolver.key("area", label, "case", imp.path)
        long = description.removeprefix(ATTRIBUTION).strip() \
            if description.startswith(ATTRIBUTION) else ""
        known = resolver.study.areas.get(key)
        if known and long and long != known.label and known.long_name is None:
            assert key is not None      # a known area has a key
            set_long_name(session, "area", key, long, imp.actor)
            resolver.study = load_study(session)
    for name in groups:
        resolver.key("group", name, "variable", imp.path)


@dataclass
class _Doc:
    """A TextSource of the file as it comes in."""

    el: etree._Element
    text: str
    outside: str | None              # where its text is, when the file does not hold it
    values: dict[str, str]           # its variables, and those of the cases naming it
    selections: list[_Selection]
    spans: list[tuple[int, int]]     # (start, end) of each note or turn in `text`

    @property
    def guid(self) -> str:
        return self.el.get("guid")

    @property
    def ours(self) -> bool:
        """Exported by workshop-qda: notes, or turns headed by time and speaker."""
        return m.VAR_KIND in self.values

    @property
    def kind(self) -> str:
        return self.values.get(m.VAR_KIND) or "document"


def _import_source(session, imp: _Import, el, text: str, outside: str | None) -> None:
    """A readable TextSource: its text kept as a file, a source with its notes or turns,
    its uncoded selections and annotations as memos, its codings."""
    guid = el.get("guid")
    values = {**imp.src_meta.get(guid, {}), **_variable_values(el, imp.variables)}
    doc = _Doc(el, text, outside, values, _selections(el), _units(text, m.VAR_KIND in values))
    whole = el.findall("q:Coding", NS)
    if whole:
        imp.report.skipped.append(f"codings of the whole source {document_name(el)!r}")
        imp.report.tally["codings"].skip("on a whole source", len(whole))
    source = _new_source(session, imp, doc)
    _store_units(session, imp, doc, source)
    anchor = _anchor(session, source, doc.spans)
    _uncoded_selections(session, imp, doc, source, anchor)
    session.flush()
    _import_codings(session, imp, doc, source)
    _keep_memos(session, "annotation", imp.annotations.get(guid, []), imp, source.id, anchor)


def _new_source(session, imp: _Import, doc: _Doc) -> Source:
    """The source, its text kept in the project's folder; its area as the file names it
    (one of the project's, or learned)."""
    guid, text, spans = doc.guid, doc.text, doc.spans
    data = text.encode("utf-8")
    digest = hashlib.sha256(data + guid.encode()).hexdigest()   # one text may come twice
    name = f"{doc.el.get('name') or guid}.txt"
    safe = re.sub(r"[^\w.-]+", "_", name)
    stored = imp.project.sources_dir / f"{digest[:12]}-{safe}"
    stored.write_bytes(data)
    area = Resolver(session, imp.actor).key("area", doc.values.get(m.VAR_AREA), name, imp.path)
    question = int(doc.values[m.VAR_QUESTION]) if doc.values.get(m.VAR_QUESTION) else None
    layout = {} if doc.ours or not spans else {"gaps": [
        text[:spans[0][0]], *(text[e:s] for (_, e), (s, _) in zip(spans, spans[1:], strict=False)),
        text[spans[-1][1]:]]}      # the text between the units, so an export gives it back
    extra = {"sets": imp.sets_of.get(guid), "cases": imp.case_of.get(guid),
             "variables": _variable_values(doc.el, imp.variables) or None,
             "text_outside": doc.outside}
    source = Source(kind=doc.kind, file_format="qdpx", original_name=name,
                    stored_name=stored.name, sha256=digest,
                    workshop_id=imp.workshop_of.get(guid), question=question, area=area,
                    report={"imported_from": imp.path.name, **layout,
                            **{k: v for k, v in extra.items() if v}})
    session.add(source)
    session.flush()
    return source


def _store_units(session, imp: _Import, doc: _Doc, source: Source) -> None:
    """The source's notes (with a selection's area, question, cell and duplicate marks) or
    turns (with the time and speaker of our heads), pseudonymised as asked, and its key."""
    text, area, question = doc.text, source.area, source.question
    pseudonymiser = imp.new_pseudonymiser(session)
    by_span = {(s.start, s.end): s for s in doc.selections}
    if doc.kind in m.NOTE_KINDS:
        result = ReadResult(doc.kind, "qdpx")
        for start, end in doc.spans:
            sel = by_span.get((start, end))
            meta = imp.sel_meta.get(sel.guid, {}) if sel else {}
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
        for start, end in doc.spans:
            head = m.TURN_HEAD.match(text, start, end) if doc.ours else None
            if head:
                h, mi, s, speaker = head.groups()
                times.append(int(h) * 3600 + int(mi) * 60 + int(s) if h else None)
                result.turns.append(Turn(speaker, text[head.end():end], times[-1]))
            else:
                result.turns.append(Turn(None, text[start:end]))
        store_transcript(session, source, result, pseudonymiser, area, question)
        source.kind = doc.kind
    store_key(session, source.id, pseudonymiser)
    imp.replaced.update(pseudonymiser.counts)
    session.flush()


def _anchor(session, source: Source, spans: list[tuple[int, int]]
            ) -> Callable[[tuple[int, int]], int | None]:
    """From an annotation's span to the unit it starts in."""
    units = session.scalars(select(Segment).where(Segment.source_id == source.id,
                                                  Segment.kind != "sentence")
                            .order_by(Segment.position)).all()

    def anchor(span: tuple[int, int]) -> int | None:
        """The unit the annotation starts in."""
        hit = next((i for i, (s, e) in enumerate(spans) if s <= span[0] < e), None)
        return units[hit].id if hit is not None and hit < len(units) else None

    return anchor


def _uncoded_selections(session, imp: _Import, doc: _Doc, source: Source,
                        anchor: Callable[[tuple[int, int]], int | None]) -> None:
    """A selection without codes that says something (an ATLAS.ti quotation's comment) is
    an annotation; our own uncoded notes are the notes themselves."""
    described = []
    for sel in doc.selections:
        if sel.codings:
            continue
        if doc.ours and doc.kind in m.NOTE_KINDS and (sel.start, sel.end) in set(doc.spans):
            imp.report.tally["selections"].imported += 1
        elif m.read_selection(sel.description)[0]:
            described.append(_FreeNote(sel.name[:300], sel.description, None, None,
                                       (sel.start, sel.end)))
        else:
            imp.report.tally["selections"].skip("no code and no description")
    _keep_memos(session, "annotation", described, imp, source.id, anchor, tally="selections")


def _import_codings(session, imp: _Import, doc: _Doc, source: Source) -> None:
    """Each selection keeps its exact span. One that is exactly a unit (a note, a sentence,
    a turn without sentences) codes that unit; any other codes each unit it overlaps (the
    sentences, or a note or a turn without sentences), and each of those codings carries
    the span, which the export writes once."""
    tally, selections = imp.report.tally["codings"], doc.selections
    textless = bool(doc.outside)
    if not any(sel.codings for sel in selections):
        return
    text, placed_units, to_layout, overlapped = _placement(session, source, doc.spans,
                                                           doc.text)
    # a turn with sentences is no unit: a selection of exactly its words codes the
    # sentences, with the span (coding the turn too would count the words twice)
    split = {u.segment.parent_id for u in placed_units if u.segment.kind == "sentence"}
    by_span: dict[tuple[int, int], Segment] = {}
    for unit in placed_units:
        if unit.segment.id not in split:
            by_span.setdefault((unit.start, unit.end), unit)
    for sel in selections:
        if not sel.codings:
            continue
        if not textless and not 0 <= sel.start <= sel.end <= len(doc.text):
            # no tool writes such a span: coding the nearest words would be a guess
            tally.skip("impossible span: outside the source's text or ending before it "
                       "starts", len(sel.codings))
            imp.report.skipped.append(
                f"selection {sel.guid} in {document_name(doc.el)!r}: characters "
                f"{sel.start}–{sel.end} of a text of {len(doc.text)}")
            continue
        start, end = to_layout(sel.start), to_layout(max(sel.end, sel.start))
        exact = by_span.get((start, end))
        targets = [exact] if exact else overlapped(start, end)
        if start >= len(text) and not exact:
            targets = []
        span = None if exact else [start, end]
        described, marked, _ = m.read_selection(sel.description)
        for code_guid, user_guid, note_refs in sel.codings:
            if code_guid not in imp.code_ids:
                tally.skip("its code is not in the codebook")
                continue
            if not targets:
                tally.skip("unplaceable: the source's text is not in the file" if textless
                           else "unplaceable: its span lies outside the source's text")
                continue
            coder = imp.users.get(user_guid) or "importerad"
            if is_suggestion_layer(coder):          # not a person here: keep it apart
                coder = f"importerad {coder}"
            imp.seen_users.add(coder)
            notes = imp.notes
            # a memo as a Note (ours, NVivo) or in the selection's Description (QualCoder)
            memo = "\n\n".join(notes[r][1] for r in note_refs
                               if r in notes and notes[r][0] != m.QUOTE_NOTE) or described \
                or None
            imp.used_notes.update(r for r in note_refs if r in notes)
            if memo:
                memo = imp.new_pseudonymiser().text(memo)
            quote = marked or any(notes.get(r, ("",))[0] == m.QUOTE_NOTE for r in note_refs)
            for unit in targets:
                _code(session, unit, imp.code_ids[code_guid], coder, memo, quote, span)
            tally.imported += 1
        imp.report.on_spans += span is not None


def _code(session, unit, code_id: int, coder: str, memo: str | None, quote: bool,
          span: list[int] | None) -> None:
    """Accept the code on the unit. A coding on spans keeps each span with its own memo
    and quote mark (a selection that is the whole unit, beside others, becomes one of
    them), and the unit's memo gathers theirs."""
    old = session.scalars(select(Coding).where(
        Coding.segment_id == unit.segment.id, Coding.code_id == code_id,
        Coding.coder == coder)).first()
    spans = None
    if span is not None or (old is not None and old.spans):
        spans = list(old.spans or []) if old is not None and old.spans else (
            [[unit.start, unit.end, old.memo, old.is_quote]] if old is not None else [])
        entry = [*(span or (unit.start, unit.end)), memo, quote]
        spans += [entry] if entry not in spans else []
    unit_memo = memo
    if old is not None and old.memo:
        unit_memo = old.memo if not memo or memo in old.memo.split("\n\n") else \
            f"{old.memo}\n\n{memo}"
    coding = accept(session, unit.segment.id, code_id, coder, memo=unit_memo,
                    is_quote=quote or (old is not None and old.is_quote), actor=IMPORTER,
                    imported_consensus=True)
    coding.spans = spans


def _placement(session, source: Source, spans: list[tuple[int, int]], file_text: str):
    """The source's text as our export writes it, its units placed in it, a function from
    an offset in the file's text to the same place in ours (the same text unless
    pseudonymising changed a unit: then the words around a mask are aligned, so a span
    after "[namn]" still selects its own words), and one from a span in ours to the units it
    overlaps: the sentences of each note or turn it touches, or the note or turn itself
    where none of its sentences is touched. Both by bisection: a project has thousands of
    lines and selections."""
    layout = source_layout(session, source)
    units = [u for u in layout.units if u.segment.kind != "sentence"]
    sentences = sorted((u for u in layout.units if u.segment.kind == "sentence"),
                       key=lambda u: u.start)
    heads = [len(m.turn_head(u.segment.speaker, u.segment.location))
             if u.segment.kind == "turn" else 0 for u in units]
    # (file start, file end, our start, our end) of each note or turn, head included
    pairs = [(start, end, unit.start - head, unit.end) for (start, end), unit, head
             in zip(spans, units, heads, strict=False)]
    file_starts = [p[0] for p in pairs]
    aligned: dict[int, list] = {}       # unit -> SequenceMatcher's opcodes

    def within(i: int, offset: int) -> int:
        """An offset into unit i of the file, in ours: exact in the words both have; in a
        masked stretch, the nearer end of its mask."""
        start, end, ours_start, ours_end = pairs[i]
        mine, theirs = file_text[start:end], layout.text[ours_start:ours_end]
        if mine == theirs or len(mine) == len(theirs):
            return ours_start + offset - start
        if i not in aligned:
            aligned[i] = SequenceMatcher(None, mine, theirs, autojunk=False).get_opcodes()
        at = offset - start
        for tag, i1, i2, j1, j2 in aligned[i]:
            if at < i2:
                if tag == "equal":
                    return ours_start + j1 + at - i1
                return ours_start + (j1 if at - i1 <= (i2 - i1) / 2 else j2)
        return ours_end

    def to_layout(offset: int) -> int:
        i = bisect_right(file_starts, offset) - 1
        if i < 0:
            return offset + pairs[0][2] - pairs[0][0] if pairs else offset
        start, end, ours_start, ours_end = pairs[i]
        if offset <= end:
            return within(i, offset)
        if i + 1 < len(pairs):                  # in the text between two units
            return offset + pairs[i + 1][2] - pairs[i + 1][0]
        return offset + ours_end - end

    sentence_ends = [u.end for u in sentences]
    unit_ends = [u.end for u in units]

    def overlapped(start: int, end: int) -> list:
        end = max(end, start + 1)
        touched: dict[int, list] = {}
        for unit in sentences[bisect_right(sentence_ends, start):]:
            if unit.start >= end:
                break
            touched.setdefault(unit.segment.parent_id, []).append(unit)
        out: list = []
        for i in range(bisect_right(unit_ends, start), len(units)):
            if units[i].start - heads[i] >= end:
                break
            out += touched.get(units[i].segment.id) or [units[i]]
        return out

    return layout.text, layout.units, to_layout, overlapped
