"""Projects from other tools come in whole: texts as the file has them (pseudonymised only
when asked), a source that cannot be read skipped and named (all or nothing with
`strict`), entry names and paths as tools write them, and every kind the schema carries
kept or counted in the report."""

from __future__ import annotations

import zipfile

import pytest
from lxml import etree
from sqlalchemy import select
from typer.testing import CliRunner

from corpus.errors import QdaError
from corpus.models import Memo, PseudonymKey, Segment, Source
from corpus.project import open_project
from refi.codebooks import read_qdpx_codebook
from refi.importer import import_qdpx

HEAD = '<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" '
USERS = ('<Users><User guid="U1" name="maja"/><User guid="U2" name="olle"/>'
         '<User guid="U3" name="tyst"/></Users>')
CODES = ('<CodeBook><Codes><Code guid="C1" name="Kontinuitet" isCodable="true">'
         '<Code guid="C2" name="Fast kontakt" isCodable="true"/></Code>'
         '<Code guid="C3" name="Rubrik" isCodable="false"/></Codes></CodeBook>')
TEXT = ("Vi ringde Anna Svensson på 070-123 45 67 och skrev till anna.svensson@example.se.\n"
        "Studien finns på 10.1080/14616688.2020.1796799 hos Dr. Berg.\n")


def _coded(guid: str, start: int, end: int, code: str = "C2", user: str = "U1") -> str:
    return (f'<PlainTextSelection guid="{guid}" startPosition="{start}" endPosition="{end}" '
            f'creatingUser="{user}"><Coding guid="{guid}c" creatingUser="{user}">'
            f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>')


def _qdpx(path, sources: str, files: dict[str, bytes], extra: str = "",
          entry: str = "project.qde", before_sources: str = ""):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(entry, (f'{HEAD}name="prov" origin="Prov 1.0">{USERS}{CODES}'
                                 f'{before_sources}<Sources>{sources}</Sources>{extra}'
                                 '</Project>').encode())
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def _texts(root) -> dict[str, str]:
    """Each source's turns joined by line breaks, by source name."""
    project = open_project(root)
    try:
        with project.session() as s:
            out = {}
            for source in s.scalars(select(Source)):
                turns = s.scalars(select(Segment.text).where(
                    Segment.source_id == source.id, Segment.kind == "turn")
                    .order_by(Segment.position)).all()
                out[source.original_name.removesuffix(".txt")] = "\n".join(turns)
            return out
    finally:
        project.close()


def test_imported_texts_are_kept_as_the_file_has_them(tmp_path):
    qdpx = _qdpx(tmp_path / "a.qdpx",
                 '<TextSource guid="S1" name="Intervju 1" plainTextPath="internal://S1.txt">'
                 + _coded("L1", 3, 9) + "</TextSource>", {"sources/S1.txt": TEXT.encode()})
    report = import_qdpx(qdpx, tmp_path / "p")
    assert report.pseudonymised is None
    assert _texts(tmp_path / "p")["Intervju 1"] == TEXT.strip()
    project = open_project(tmp_path / "p")
    with project.session() as s:
        assert s.scalars(select(PseudonymKey)).all() == []
    project.close()


def test_pseudonymise_masks_as_ingest_does_and_says_what(tmp_path):
    qdpx = _qdpx(tmp_path / "a.qdpx",
                 '<TextSource guid="S1" name="Intervju 1" plainTextPath="internal://S1.txt"/>',
                 {"sources/S1.txt": TEXT.encode()})
    report = import_qdpx(qdpx, tmp_path / "p", pseudonymise=True)
    text = _texts(tmp_path / "p")["Intervju 1"]
    assert "070-123 45 67" not in text and "anna.svensson@example.se" not in text
    assert report.pseudonymised["emails"] == 1 and report.pseudonymised["phone_numbers"] == 1


def test_pseudonymising_an_import_keeps_the_study_s_own_places(tmp_path):
    """An area whose name has a surname's shape ("Laholm") stayed at ingest but became
    [namn] when the project came back through a .qdpx with --pseudonymise."""
    from corpus.ingest import ingest_file
    from corpus.project import init_project
    from corpus.readers import ReadOptions
    from reports.run import export

    project = init_project(tmp_path / "a")
    (tmp_path / "n.csv").write_text("Område,Inlägg\nLaholm,Unga i Laholm åker buss\n"
                                    "Laholm,Ring Anna Laholm om bussen\n", encoding="utf-8")
    ingest_file(project, tmp_path / "n.csv", ReadOptions(question=1))
    export(project, "qdpx", out=tmp_path / "a.qdpx")
    project.close()
    import_qdpx(tmp_path / "a.qdpx", tmp_path / "b", pseudonymise=True)
    back = open_project(tmp_path / "b")
    with back.session() as s:
        texts = sorted(s.scalars(select(Segment.text)))
    back.close()
    assert texts == ["Ring [namn] om bussen", "Unga i Laholm åker buss"]


def test_an_unreadable_source_is_skipped_by_name_and_the_rest_comes_in(tmp_path):
    sources = ('<TextSource guid="S1" name="Tom intervju" plainTextPath="internal://S1.txt">'
               + _coded("L1", 0, 3) + "</TextSource>"
               '<TextSource guid="S2" name="Intervju 2" plainTextPath="internal://S2.txt">'
               + _coded("L2", 3, 9, "C1", "U2") + "</TextSource>")
    files = {"sources/S1.txt": b"", "sources/S2.txt": TEXT.encode()}
    report = import_qdpx(_qdpx(tmp_path / "a.qdpx", sources, files), tmp_path / "p")
    assert report.skipped_sources == [
        ("Tom intervju", "its text file sources/S1.txt: the file is empty [E101]")]
    assert set(_texts(tmp_path / "p")) == {"Intervju 2"}
    assert report.codes == 3 and report.codings == 1
    sources_tally, codings_tally = report.tally["sources"], report.tally["codings"]
    assert (sources_tally.in_file, sources_tally.imported) == (2, 1)
    assert sources_tally.skipped == {"its text cannot be read": 1}
    assert (codings_tally.in_file, codings_tally.imported) == (2, 1)
    assert codings_tally.skipped == {"on a source that was skipped": 1}

    with pytest.raises(QdaError, match="a.qdpx: source 'Tom intervju': its text file "
                       "sources/S1.txt: the file is empty .*E430"):
        import_qdpx(tmp_path / "a.qdpx", tmp_path / "strict", strict=True)
    assert not (tmp_path / "strict").exists()


def test_a_missing_text_file_names_the_document_not_none(tmp_path):
    qdpx = _qdpx(tmp_path / "a.qdpx",
                 '<TextSource guid="S9" plainTextPath="internal://S9.txt"/>', {})
    report = import_qdpx(qdpx, tmp_path / "p")
    assert report.skipped_sources == [
        ("S9", "its text file internal://S9.txt is missing from the archive")]
    with pytest.raises(QdaError, match="source 'S9': its text file internal://S9.txt is "
                       "missing from the archive.*E424"):
        import_qdpx(qdpx, tmp_path / "strict", strict=True)


def test_a_source_whose_text_is_outside_the_archive_comes_in_empty(tmp_path):
    sources = ('<TextSource guid="S1" name="Fältanteckning" '
               'plainTextPath="relative://Fältanteckning.txt">' + _coded("L1", 0, 5)
               + _coded("L2", 5, 9) + "</TextSource>")
    qdpx = _qdpx(tmp_path / "a.qdpx", sources, {})
    report = import_qdpx(qdpx, tmp_path / "p")
    assert report.textless == [("Fältanteckning", "relative://Fältanteckning.txt")]
    assert report.sources == 1 and report.codes == 3
    assert report.tally["codings"].skipped == {
        "unplaceable: the source's text is not in the file": 2}
    project = open_project(tmp_path / "p")
    with project.session() as s:
        source = s.scalars(select(Source)).one()
        assert source.original_name == "Fältanteckning.txt"
        assert source.report["text_outside"] == "relative://Fältanteckning.txt"
    project.close()
    with pytest.raises(QdaError, match="source 'Fältanteckning': its text lies outside the "
                       "archive .*E424"):
        import_qdpx(qdpx, tmp_path / "strict", strict=True)


@pytest.mark.parametrize("written", ["board_2017.txt", "sources/board_2017.txt",
                                     "internal://board_2017.txt"])
def test_paths_as_tools_write_them(tmp_path, written):
    qdpx = _qdpx(tmp_path / "a.qdpx",
                 f'<TextSource guid="S1" name="Styrelse" plainTextPath="{written}"/>',
                 {"sources/board_2017.txt": TEXT.encode()})
    report = import_qdpx(qdpx, tmp_path / "p")
    assert report.textless == [] and report.skipped_sources == []
    assert _texts(tmp_path / "p")["Styrelse"] == TEXT.strip()


def test_a_qde_named_after_the_project_at_the_archive_root(tmp_path):
    qdpx = _qdpx(tmp_path / "a.qdpx", "", {}, entry="Mitt projekt.qde")
    assert import_qdpx(qdpx, tmp_path / "p").codes == 3
    assert [c.name for c in read_qdpx_codebook(qdpx).codes] == ["Kontinuitet", "Rubrik"]
    with zipfile.ZipFile(tmp_path / "two.qdpx", "w") as archive:   # which one? none
        archive.writestr("a.qde", "<x/>")
        archive.writestr("b.qde", "<x/>")
    with pytest.raises(QdaError, match="no project.qde .nor one .qde file at its root.*E421"):
        import_qdpx(tmp_path / "two.qdpx", tmp_path / "p2")


def test_what_the_schema_carries_is_kept_or_reported(tmp_path):
    variables = ('<Variables><Variable guid="V1" name="Kön" typeOfVariable="Text"/>'
                 '<Variable guid="V2" name="Ålder" typeOfVariable="Integer"/></Variables>')
    cases = ('<Cases><Case guid="K1" name="Deltagare A"><VariableValue>'
             '<VariableRef targetGUID="V1"/><TextValue>kvinna</TextValue></VariableValue>'
             '<SourceRef targetGUID="S1"/></Case><Case guid="K2" name="Tomt fall"/></Cases>')
    sources = ('<TextSource guid="S1" name="Intervju 1" plainTextPath="internal://S1.txt">'
               + _coded("L1", 0, 9) +
               '<PlainTextSelection guid="Q1" name="Citat 1" startPosition="10" '
               'endPosition="20"><Description>En kommentar till citatet.</Description>'
               '</PlainTextSelection>'
               '<PlainTextSelection guid="Q2" startPosition="21" endPosition="25"/>'
               '<NoteRef targetGUID="N1"/></TextSource>'
               '<PictureSource guid="P1" name="Whiteboard" path="internal://P1.png"/>')
    extra = ('<Notes><Note guid="N1" name="Om källan"><PlainTextContent>Intervjun gjordes '
             'i mars.</PlainTextContent></Note></Notes>'
             '<Sets><Set guid="G1" name="Vår"><MemberSource targetGUID="S1"/></Set>'
             '<Set guid="G2" name="Kodgrupp"><MemberCode targetGUID="C1"/></Set></Sets>'
             '<Description>Ett projekt om nära vård.</Description>')
    qdpx = _qdpx(tmp_path / "a.qdpx", sources, {"sources/S1.txt": TEXT.encode()}, extra,
                 before_sources=variables + cases)
    report = import_qdpx(qdpx, tmp_path / "p")
    t = report.tally
    assert report.not_codable == ["Rubrik"]
    assert (t["users"].in_file, t["users"].imported) == (3, 1)
    assert sum(t["users"].skipped.values()) == 2
    assert (t["sets"].in_file, t["sets"].imported, sum(t["sets"].skipped.values())) == (2, 1, 1)
    assert (t["cases"].in_file, t["cases"].imported) == (2, 1)
    assert (t["selections"].in_file, t["selections"].imported) == (2, 1)
    assert t["selections"].skipped == {"no code and no description": 1}
    assert (t["notes"].in_file, t["notes"].imported) == (2, 2)    # the note, the project's
    assert t["variables"].in_file == 2 and t["variables"].imported == 1
    assert (t["sources"].in_file, t["sources"].imported) == (2, 1)
    assert report.skipped_sources == [
        ("Whiteboard", "a picture source: only text sources are imported")]
    project = open_project(tmp_path / "p")
    with project.session() as s:
        source = s.scalars(select(Source)).one()
        assert source.report["sets"] == ["Vår"]
        assert source.report["cases"] == {"Deltagare A": {"Kön": "kvinna"}}
        memos = {m.text: (m.kind, m.source_id is not None, m.segment_id is not None)
                 for m in s.scalars(select(Memo))}
    project.close()
    assert memos == {"En kommentar till citatet.": ("annotation", True, True),
                     "Intervjun gjordes i mars.": ("annotation", True, False),
                     "Ett projekt om nära vård.": ("journal", False, False)}


def test_the_cli_says_what_came_in_and_what_did_not(tmp_path):
    from qda import app

    sources = ('<TextSource guid="S1" name="Tom intervju" plainTextPath="internal://S1.txt"/>'
               '<TextSource guid="S2" name="Intervju 2" plainTextPath="internal://S2.txt">'
               + _coded("L2", 3, 9, "C1", "U2") + "</TextSource>")
    qdpx = _qdpx(tmp_path / "a.qdpx", sources, {"sources/S1.txt": b"",
                                                "sources/S2.txt": TEXT.encode()})
    result = CliRunner().invoke(app, ["import-qdpx", str(qdpx), str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.split()) for line in result.output.splitlines()]
    assert "texts kept as they are in the file (not pseudonymised; --pseudonymise masks " \
           "names, e-mail addresses, phone and personal identity numbers)" in lines
    assert "skipped source 'Tom intervju': its text file sources/S1.txt: the file is empty " \
           "[E101]" in lines
    assert "sources: 2 / 1 / 1 (1 its text cannot be read)" in lines
    assert "codings: 1 / 1 / 0" in lines
    result = CliRunner().invoke(app, ["import-qdpx", "--strict", str(qdpx),
                                      str(tmp_path / "q")])
    assert result.exit_code == 1 and "E430" in result.output
    assert not (tmp_path / "q").exists()
    result = CliRunner().invoke(app, ["import-qdpx", "--pseudonymise", str(qdpx),
                                      str(tmp_path / "r")])
    assert "pseudonymised: 1 email, 1 phone number" in " ".join(result.output.split())


def test_the_app_reports_the_import_in_swedish(tmp_path):
    from app.ui import import_report

    sources = ('<TextSource guid="S1" name="Tom intervju" plainTextPath="internal://S1.txt"/>'
               '<TextSource guid="S3" name="Ute" plainTextPath="absolute://C:/x/Ute.txt">'
               + _coded("L3", 0, 2) + '</TextSource>')
    qdpx = _qdpx(tmp_path / "a.qdpx", sources, {"sources/S1.txt": b""})
    lines = import_report(import_qdpx(qdpx, tmp_path / "p"))
    assert "Texterna behölls som i filen (de pseudonymiserades inte)." in lines
    assert "Källan Tom intervju hoppades över: textfilen sources/S1.txt kan inte läsas: " \
           "filen är tom (E101)." in lines
    assert "Källan Ute saknar sin text i filen (absolute://C:/x/Ute.txt): den importerades " \
           "tom och dess kodningar kunde inte placeras." in lines
    assert "Kodningar: 1 i filen, 0 importerade, 1 hoppades över (1 kunde inte placeras: " \
           "källans text finns inte i filen)." in lines
    assert "Källor: 2 i filen, 1 importerade, 1 hoppades över (1 texten kan inte läsas)." \
        in lines


def test_a_selection_outside_its_text_is_skipped_and_named(tmp_path):
    """No tool writes such a span; coding the nearest words would be a guess. The other
    codings come in; the report names the selection, its source and why."""
    end = len(TEXT)
    qdpx = _qdpx(tmp_path / "a.qdpx",
                 '<TextSource guid="S1" name="Intervju 1" plainTextPath="internal://S1.txt">'
                 + _coded("OK", 3, 9) + _coded("BEYOND", end - 5, end + 40)
                 + _coded("BACKWARDS", 20, 10) + "</TextSource>",
                 {"sources/S1.txt": TEXT.encode()})
    report = import_qdpx(qdpx, tmp_path / "p")
    tally = report.tally["codings"]
    assert (tally.in_file, tally.imported) == (3, 1)
    assert tally.skipped == {"impossible span: outside the source's text or ending before "
                             "it starts": 2}
    assert f"selection BEYOND in 'Intervju 1': characters {end - 5}–{end + 40} of a text " \
           f"of {end}" in report.skipped
    assert any(s.startswith("selection BACKWARDS in 'Intervju 1'") for s in report.skipped)


def test_pseudonymising_keeps_each_span_on_its_own_words(tmp_path):
    """Masks change the text's length ("Anna Svensson" is "[namn]"): a span after one
    still selects its words, in the store and in the export."""
    from reports.run import export

    words = ["och skrev till", "Studien finns"]
    spans = [(TEXT.index(w), TEXT.index(w) + len(w)) for w in words]
    qdpx = _qdpx(tmp_path / "a.qdpx",
                 '<TextSource guid="S1" name="Intervju 1" plainTextPath="internal://S1.txt">'
                 + "".join(_coded(f"L{i}", s, e) for i, (s, e) in enumerate(spans))
                 + "</TextSource>", {"sources/S1.txt": TEXT.encode()})
    import_qdpx(qdpx, tmp_path / "p", pseudonymise=True)
    project = open_project(tmp_path / "p")
    try:
        out = export(project, "qdpx", out=tmp_path / "out.qdpx").path
    finally:
        project.close()
    with zipfile.ZipFile(out) as archive:
        root = etree.fromstring(archive.read("project.qde"))
        ns = {"q": "urn:QDA-XML:project:1.0"}
        source = root.find(".//q:TextSource", ns)
        text = archive.read("sources/" + source.get("plainTextPath").split("//")[1]).decode()
    assert "Anna Svensson" not in text
    chosen = sorted(text[int(s.get("startPosition")):int(s.get("endPosition"))]
                    for s in source.findall("q:PlainTextSelection", ns))
    assert chosen == sorted(words)
