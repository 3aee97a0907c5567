"""REFI-QDA: our .qdpx and .qdc validate against the schema, the real MAXQDA and ATLAS.ti
exports import, and our own export survives export -> import -> export unchanged."""

import zipfile

import pytest
from lxml import etree
from sqlalchemy import func, select

from coding import codes, codings
from coding.exporting import ExportOptions
from corpus import study
from corpus.errors import QdaError
from corpus.ingest import StoreOptions, ingest_file
from corpus.models import Code, Coding, Segment, Source, Workshop
from corpus.project import open_project
from corpus.readers import ReadOptions
from corpus.workshops import add_workshop
from refi.importer import import_qdpx
from refi.schema import codebook_errors, project_errors
from reports.run import export

from .conftest import acting
from .devdata import refi_dir
from .refi_support import canonical as _canonical

TRANSCRIPT = """Moderator: Välkomna. Vi börjar med nyckeltal för samverkan.
Anna Berg: Vi följer antal SIP per månad. Det räcker inte. Mejla mig på anna.berg@example.se.
Moderator: Vad saknas då?
Anna Berg: Uppföljning av om SIP:en faktiskt genomförs. Och väntetider till vårdcentralen.
"""


@pytest.fixture
def full(coded, tmp_path):
    """Notes coded by konsensus, plus a transcript coded by a coder on a sentence and on
    a whole turn's sentences, with a memo and a quote, and a workshop in the register."""
    add_workshop(coded, label="GR fysisk", area="GR", format="fysisk", officials=6,
                 care_staff=3, date="2026-03-04")
    path = tmp_path / "gr_fysisk.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    ingest_file(coded, path, ReadOptions(question=1), store=StoreOptions(workshop="GR fysisk"))
    with coded.transaction() as s:
        sentences = s.scalars(select(Segment).where(Segment.kind == "sentence")
                              .order_by(Segment.position)).all()
        turns = s.scalars(select(Segment).where(Segment.kind == "turn")
                          .order_by(Segment.position)).all()
        sip = codes.find_code(s, "Samverkan > SIP").id
        codings.accept(s, sentences[2].id, sip, "anna", memo="Antal, inte kvalitet.")
        for sentence in s.scalars(select(Segment).where(Segment.parent_id == turns[3].id)):
            codings.accept(s, sentence.id, codes.find_code(s, "Samverkan").id, "anna",
                           is_quote=True)       # the turn's sentences: the turn is no unit
        codings.accept(s, 2, sip, "anna")   # a note coded by a second coder too
    return coded


def test_qdpx_and_qdc_validate_against_the_refi_schema(full, tmp_path):
    xsd = refi_dir() / "Project-mrt2019.xsd"
    qdpx = export(full, "qdpx", out=tmp_path / "p.qdpx").path
    with zipfile.ZipFile(qdpx) as archive:
        qde = archive.read("project.qde")
        assert len([n for n in archive.namelist() if n.startswith("sources/")]) == 2
    assert project_errors(qde, xsd) == []
    root = etree.fromstring(qde)
    ns = {"q": "urn:QDA-XML:project:1.0"}
    assert {u.get("name") for u in root.findall("q:Users/q:User", ns)} == {"anna", "konsensus"}
    assert {c.get("name") for c in root.findall("q:Cases/q:Case", ns)} >= {
        "GR", "Borås", "Fråga 2", "Fråga 1", "Workshop: GR fysisk"}
    text = qde.decode()
    assert "Anna Berg" not in text and "anna.berg@example.se" not in text
    with zipfile.ZipFile(qdpx) as archive:
        transcript = next(archive.read(n).decode() for n in archive.namelist()
                          if n.startswith("sources/") and "Deltagare" in archive.read(n).decode())
    assert "Anna" not in transcript and "Deltagare 1: Vi följer antal SIP" in transcript
    assert "Moderator: Välkomna." in transcript     # a label that names no one, as it was
    qdc = export(full, "qdc", out=tmp_path / "book.qdc").path
    assert codebook_errors(qdc.read_bytes(), xsd) == []
    assert etree.fromstring(qdc.read_bytes()).tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    # an invalid document is reported, so the check can fail
    broken = qde.replace(b'isCodable="true"', b'isCodable="perhaps"', 1)
    assert project_errors(broken, xsd)


def test_export_import_export_gives_the_same_project(full, tmp_path):
    first = export(full, "qdpx", out=tmp_path / "a.qdpx").path
    report = import_qdpx(first, tmp_path / "copy")
    assert report.codings == 8 + 4 and report.sources == 2
    copy = open_project(tmp_path / "copy")
    second = export(copy, "qdpx", out=tmp_path / "b.qdpx").path
    assert _canonical(first) == _canonical(second)
    with full.session() as a, copy.session() as b:
        def facts(s):
            return (
                sorted(s.execute(select(Segment.kind, Segment.question, Segment.area,
                                        Segment.location, Segment.duplicate_count,
                                        Segment.speaker, Segment.text)).all(), key=str),
                sorted(s.execute(select(Coding.coder, Coding.memo, Coding.is_quote,
                                        Segment.text, Code.name)
                                 .join(Segment, Segment.id == Coding.segment_id)
                                 .join(Code, Code.id == Coding.code_id)
                                 .where(Coding.status == "accepted",
                                        ~Coding.coder.startswith("förslag"))).all(), key=str),
                sorted(s.execute(select(Code.name, Code.definition, Code.keywords,
                                        Code.examples, Code.origin, Code.colour)).all(),
                       key=str),
                s.execute(select(Workshop.label, Workshop.area, Workshop.format,
                                 Workshop.date)).all(),
                {w: {study.load(s).groups.label(k): n for k, n in c.items()}
                 for w, c in study.workshop_counts(s).items()},
                list(study.load(s).groups.labels().values()),
                {v.key: (v.label, v.long_name) for v in study.load(s).areas.values
                 if v.key == "gr"})
        assert facts(a) == facts(b)
    copy.close()


def test_the_maxqda_export_imports_with_its_whole_code_tree(tmp_path):
    sample = refi_dir() / "samples" / "maxqda24-export.qdpx"
    with zipfile.ZipFile(sample) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    ns = {"q": "urn:QDA-XML:project:1.0"}

    def tree(el, depth=0):
        return [(depth, c.get("name"), c.get("color"),
                 (c.findtext("q:Description", namespaces=ns) or "").strip(),
                 tree(c, depth + 1)) for c in el.findall("q:Code", ns)]
    expected = tree(root.find("q:CodeBook/q:Codes", ns))
    report = import_qdpx(sample, tmp_path / "mx")
    assert report.codes == 307 and report.sources == 10
    project = open_project(tmp_path / "mx")
    with project.session() as s:
        rows = {r.id: r for r in s.scalars(select(Code))}

        def ours(parent):
            kids = sorted((r for r in rows.values() if r.parent_id == parent),
                          key=lambda r: (r.sort_order, r.id))
            return [(r.name, r.colour, r.definition or "", ours(r.id)) for r in kids]

        def strip(items):
            return [(n, c, d, strip(k)) for _, n, c, d, k in items]
        assert ours(None) == strip(expected)   # names, colours, descriptions, hierarchy
        names = sorted(s.scalars(select(Source.original_name)))
        assert names == sorted(f"{t.get('name')}.txt"
                               for t in root.findall("q:Sources/q:TextSource", ns))
        assert s.scalar(select(func.count()).select_from(Segment)
                        .where(Segment.kind == "sentence")) > 1000
    project.close()


def test_the_atlas_codebook_project_imports(tmp_path):
    report = import_qdpx(refi_dir() / "samples" / "atlas-target-project.qdpx", tmp_path / "at")
    assert report.codes == 3 and report.sources == 0
    project = open_project(tmp_path / "at")
    with project.session() as s:
        assert codes.find_code(s, "Commits > 2022-05-10T02:05:59Z 19e4dce") is not None
    project.close()


def test_bad_archives_fail_with_one_line_and_leave_no_project(tmp_path):
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(QdaError, match="bad.qdpx: not a .qdpx"):
        import_qdpx(bad, tmp_path / "p1")
    assert not (tmp_path / "p1").exists()
    with zipfile.ZipFile(tmp_path / "x.qdpx", "w") as archive:
        archive.writestr("project.qde", "<Project")
    with pytest.raises(QdaError, match="not well-formed XML"):
        import_qdpx(tmp_path / "x.qdpx", tmp_path / "p2")
    with zipfile.ZipFile(tmp_path / "y.qdpx", "w") as archive:   # a source text missing
        archive.writestr("project.qde", (
            '<Project xmlns="urn:QDA-XML:project:1.0" name="y"><Sources>'
            '<TextSource guid="11111111-2222-3333-4444-555555555555" name="t" '
            'plainTextPath="internal://11111111-2222-3333-4444-555555555555.txt"/>'
            '</Sources></Project>'))
    with pytest.raises(QdaError, match="source 't': its text file internal://11111111-2222-"
                       "3333-4444-555555555555.txt is missing from the archive.*E424"):
        import_qdpx(tmp_path / "y.qdpx", tmp_path / "p3", strict=True)
    assert not (tmp_path / "p3").exists()   # created, failed, removed


def test_import_cli(tmp_path, full):
    from typer.testing import CliRunner

    from qda import app

    qdpx = export(full, "qdpx", out=tmp_path / "a.qdpx").path
    result = CliRunner().invoke(app, ["import-qdpx", str(qdpx), str(tmp_path / "new")])
    assert result.exit_code == 0, result.output
    assert "2 sources" in result.output and "12 codings by 2 coders" in result.output
    result = CliRunner().invoke(app, ["import-qdpx", str(qdpx), str(tmp_path / "new")])
    assert result.exit_code == 1 and "not empty" in result.output


def _selections(path):
    ns = {"q": "urn:QDA-XML:project:1.0"}
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    users = {u.get("guid"): u.get("name") for u in root.findall("q:Users/q:User", ns)}
    out = []
    for sel in root.iter("{urn:QDA-XML:project:1.0}PlainTextSelection"):
        description = sel.find("q:Description", ns)
        out.append({"span": (int(sel.get("startPosition")), int(sel.get("endPosition"))),
                    "user": users.get(sel.get("creatingUser")),
                    "stamp": sel.get("creationDateTime"),
                    "description": description.text if description is not None else None,
                    "coding_users": [users.get(c.get("creatingUser"))
                                     for c in sel.findall("q:Coding", ns)]})
    return root, out


def test_each_coder_has_a_selection_of_their_own_with_memo_and_quote(full, tmp_path):
    """QualCoder reads the coder from the selection and a coding's memo from the
    selection's Description: one selection per coder and span, never a shared one."""
    out = tmp_path / "p.qdpx"
    export(full, "qdpx", out=out)
    _, selections = _selections(out)
    coded = [s for s in selections if s["coding_users"]]
    assert coded and all(s["user"] and s["stamp"] for s in coded)
    assert all(set(s["coding_users"]) == {s["user"]} for s in coded)
    by_span: dict = {}
    for s in coded:
        by_span.setdefault(s["span"], []).append(s["user"])
    assert any(sorted(users) == ["anna", "konsensus"] for users in by_span.values())
    descriptions = {s["description"] for s in coded if s["user"] == "anna"}
    assert "Antal, inte kvalitet." in descriptions          # the memo, where QualCoder looks
    assert "Citat: ja" in descriptions                      # the quote, visible there too


def test_memo_and_quote_from_a_selection_description_import(full, tmp_path):
    """A file whose memos and quote marks ride only in Descriptions, and whose coders
    only on the selections (as QualCoder reads them), imports with the same coders, memos
    and quotes as our own export gives."""
    out = tmp_path / "p.qdpx"
    export(full, "qdpx", out=out)
    with zipfile.ZipFile(out) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    root = etree.fromstring(files["project.qde"])
    for el in list(root.iter("{urn:QDA-XML:project:1.0}NoteRef")) + list(
            root.iter("{urn:QDA-XML:project:1.0}Notes")):
        el.getparent().remove(el)
    for el in root.iter("{urn:QDA-XML:project:1.0}Coding"):   # the coder on the selection only
        del el.attrib["creatingUser"]
    files["project.qde"] = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    stripped = tmp_path / "stripped.qdpx"
    with zipfile.ZipFile(stripped, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    import_qdpx(stripped, tmp_path / "back")
    project = open_project(tmp_path / "back")
    with project.session() as s:
        anna = s.execute(select(Coding.memo, Coding.is_quote).where(
            Coding.coder == "anna")).all()
    project.close()
    assert ("Antal, inte kvalitet.", False) in anna
    assert any(quote for _, quote in anna)


def test_unique_names_for_tools_that_merge_codes_by_name(coded, tmp_path):
    with coded.transaction() as s:
        codes.add_code(s, "Uppföljning", acting("anna"))
        codes.add_code(s, "Uppföljning > SIP", acting("anna"))      # "SIP" is under Samverkan too
    out = tmp_path / "u.qdpx"
    report = export(coded, "qdpx", out=out, options=ExportOptions(unique_names=True))
    assert report.renamed == {"Samverkan > SIP": "SIP (Samverkan)",
                              "Uppföljning > SIP": "SIP (Uppföljning)"}
    root, _ = _selections(out)
    names = [c.get("name") for c in root.iter("{urn:QDA-XML:project:1.0}Code")]
    assert len(names) == len({n.casefold() for n in names})
    plain = export(coded, "qdpx", out=tmp_path / "plain.qdpx")
    assert plain.renamed == {}
    qdc = export(coded, "qdc", out=tmp_path / "u.qdc",
                 options=ExportOptions(unique_names=True))
    assert qdc.renamed == report.renamed
    assert not codebook_errors((tmp_path / "u.qdc").read_bytes(),
                               refi_dir() / "Project-mrt2019.xsd")


def test_two_projects_memos_are_two_notes_in_a_tool_holding_both(tmp_path):
    """A memo's GUID was its row number alone: every project's first memo was the same
    Note to NVivo or ATLAS.ti; the same project still exports the same GUID."""
    from coding.memos import add_memo
    from corpus.project import init_project

    def memo_guids(name: str, text: str) -> list[str]:
        project = init_project(tmp_path / name, study="vgr-forstudie")
        add_workshop(project, label="GR fysisk", area="GR", format="fysisk")
        with project.transaction() as s:
            add_memo(s, text, acting("lena"), workshop="GR fysisk")
        files = [export(project, "qdpx", out=tmp_path / f"{name}{i}.qdpx").path
                 for i in (1, 2)]
        project.close()
        out = []
        for path in files:
            with zipfile.ZipFile(path) as archive:
                root = etree.fromstring(archive.read("project.qde"))
            out.append([n.get("guid") for n in root.iter("{urn:QDA-XML:project:1.0}Note")])
        assert out[0] == out[1] and len(out[0]) == 1     # stable across exports
        return out[0]

    assert memo_guids("a", "Dagbok") != memo_guids("b", "Intryck")
