"""Codings on exact spans: a selection of another tool keeps its span, memo and quote mark,
codes (counts for) each unit it overlaps, and is written back once; a decision on the
unit, or a merge of codes, settles the spans."""

from __future__ import annotations

import zipfile

import pytest
from lxml import etree
from sqlalchemy import select

from coding import codes as code_ops
from coding.codings import accept
from corpus.models import Coding, Segment
from corpus.project import open_project
from refi.importer import import_qdpx
from reports.run import export

from .conftest import acting

NS = {"q": "urn:QDA-XML:project:1.0"}
LINE1 = "Vi träffas varje vecka. Samma sköterska kommer alltid hem till oss. Det känns tryggt."
LINE2 = "Telefontiden är för kort."
TEXT = f"{LINE1}\n\n{LINE2}\n"


def _at(part: str, line: str = LINE1, offset: int = 0) -> tuple[int, int]:
    start = TEXT.index(line) + line.index(part)
    return start + offset, start + len(part)


# (guid, (start, end), code, user, memo)
SELECTIONS = [
    ("A", _at("Samma sköterska"), "C2", "U1", "vem som kommer"),
    ("B", _at("alltid hem"), "C2", "U1", "var"),
    ("C", _at("Det känns tryggt."), "C1", "U1", None),           # a whole sentence
    ("D", (_at("vecka.")[0], _at("Samma")[1]), "C1", "U2", None),   # over two sentences
    ("E", (_at("tryggt.")[0], _at("Telefontiden", LINE2)[1]), "C2", "U1", None),  # 2 lines
    ("F", _at("kommer alltid"), "C2", "U2", None),
]


def _qdpx(path, chosen=SELECTIONS):
    selections = "".join(
        f'<PlainTextSelection guid="{g}" startPosition="{s}" endPosition="{e}" '
        f'creatingUser="{u}">' + (f"<Description>{memo}</Description>" if memo else "")
        + f'<Coding guid="{g}c" creatingUser="{u}"><CodeRef targetGUID="{c}"/></Coding>'
        "</PlainTextSelection>" for g, (s, e), c, u, memo in chosen)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", (
            '<Project xmlns="urn:QDA-XML:project:1.0" name="spann" origin="Prov">'
            '<Users><User guid="U1" name="maja"/><User guid="U2" name="olle"/></Users>'
            '<CodeBook><Codes><Code guid="C1" name="Kontinuitet" isCodable="true"/>'
            '<Code guid="C2" name="Trygghet" isCodable="true"/></Codes></CodeBook>'
            '<Sources><TextSource guid="S1" name="Intervju" plainTextPath="internal://S1.txt">'
            f"{selections}</TextSource></Sources></Project>").encode())
        archive.writestr("sources/S1.txt", TEXT.encode())
    return path


def _selections(path) -> set[tuple[int, int, str, str, str]]:
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{{{NS['q']}}}User")}
    codes = {c.get("guid"): c.get("name") for c in root.iter(f"{{{NS['q']}}}Code")}
    return {(int(sel.get("startPosition")), int(sel.get("endPosition")),
             codes[c.find("q:CodeRef", NS).get("targetGUID")], users[sel.get("creatingUser")],
             sel.findtext("q:Description", "", NS))
            for sel in root.iter(f"{{{NS['q']}}}PlainTextSelection")
            for c in sel.findall("q:Coding", NS)}


EXPECTED = {(s, e, {"C1": "Kontinuitet", "C2": "Trygghet"}[c], {"U1": "maja", "U2": "olle"}[u],
             memo or "") for _, (s, e), c, u, memo in SELECTIONS}


@pytest.fixture
def imported(tmp_path):
    report = import_qdpx(_qdpx(tmp_path / "in.qdpx"), tmp_path / "p")
    project = open_project(tmp_path / "p")
    yield report, project
    project.close()


def _rows(project) -> dict[tuple[str, str, str], list | None]:
    """(unit text, code, coder) -> the coding's spans."""
    with project.session() as s:
        return {(seg.text, code, c.coder): c.spans for c, seg, code in s.execute(
            select(Coding, Segment, code_ops.CodeRow.name)
            .join(Segment, Segment.id == Coding.segment_id)
            .join(code_ops.CodeRow, code_ops.CodeRow.id == Coding.code_id))}


def test_each_selection_keeps_its_span_and_codes_the_units_it_overlaps(imported, tmp_path):
    report, project = imported
    assert report.tally["codings"].imported == 6 and report.on_spans == 5
    rows = _rows(project)
    a, b = [[*_at(p), m, False] for p, m in (("Samma sköterska", "vem som kommer"),
                                             ("alltid hem", "var"))]
    assert rows[("Samma sköterska kommer alltid hem till oss.", "Trygghet", "maja")] == [a, b]
    assert rows[("Det känns tryggt.", "Kontinuitet", "maja")] is None       # the whole unit
    d = [*SELECTIONS[3][1], None, False]
    assert rows[("Vi träffas varje vecka.", "Kontinuitet", "olle")] == [d]
    assert rows[("Samma sköterska kommer alltid hem till oss.", "Kontinuitet", "olle")] == [d]
    e = [*SELECTIONS[4][1], None, False]
    assert rows[("Det känns tryggt.", "Trygghet", "maja")] == [e]
    assert rows[("Telefontiden är för kort.", "Trygghet", "maja")] == [e]
    assert rows[("Samma sköterska kommer alltid hem till oss.", "Trygghet", "olle")] == [
        [*_at("kommer alltid"), None, False]]
    assert len(rows) == 7          # no unit coded that a selection does not overlap

    export(project, "qdpx", out=tmp_path / "out.qdpx")
    assert _selections(tmp_path / "out.qdpx") == EXPECTED


def test_the_cli_counts_the_file_s_codings_and_the_unit_codings(tmp_path):
    from typer.testing import CliRunner

    from qda import app

    result = CliRunner().invoke(app, ["import-qdpx", str(_qdpx(tmp_path / "in.qdpx")),
                                      str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "6 codings (as 7 unit codings) by 2 coders" in said
    assert "5 selections cover part of a unit or several: each keeps its exact span and " \
        "counts for the units it overlaps" in said


def test_a_decision_on_the_unit_codes_the_whole_unit(imported, tmp_path):
    _, project = imported
    with project.transaction() as s:
        sentence = s.scalars(select(Segment).where(
            Segment.text == "Samma sköterska kommer alltid hem till oss.")).one()
        accept(s, sentence.id, code_ops.find_code(s, "Trygghet").id, "maja")
    export(project, "qdpx", out=tmp_path / "out.qdpx")
    out = {(s, e, c, u) for s, e, c, u, _ in _selections(tmp_path / "out.qdpx")}
    assert (*_at("Samma sköterska kommer alltid hem till oss."), "Trygghet", "maja") in out
    assert (*_at("Samma sköterska"), "Trygghet", "maja") not in out


def test_merging_codes_gathers_the_spans(imported, tmp_path):
    _, project = imported
    with project.transaction() as s:
        code_ops.merge_codes(s, "Trygghet", "Kontinuitet", acting("lead"))
    rows = _rows(project)
    assert rows[("Samma sköterska kommer alltid hem till oss.", "Kontinuitet", "olle")] == [
        [*SELECTIONS[3][1], None, False], [*_at("kommer alltid"), None, False]]
    merged = rows[("Samma sköterska kommer alltid hem till oss.", "Kontinuitet", "maja")]
    assert [span[:2] for span in merged] == [list(_at("Samma sköterska")),
                                             list(_at("alltid hem"))]
    # the whole sentence stays whole where one of the two coded all of it
    assert rows[("Det känns tryggt.", "Kontinuitet", "maja")] is None
    assert rows[("Telefontiden är för kort.", "Kontinuitet", "maja")] == [
        [*SELECTIONS[4][1], None, False]]


def test_a_selection_of_a_whole_turn_codes_its_sentences_not_the_turn(tmp_path):
    """A turn with sentences is no unit: coding it beside them would count its words twice
    in the theme tables. A whole line (a turn of three sentences) codes the three, with the
    span; a one-sentence line codes its sentence as a whole unit."""
    whole = [("W", _at(LINE1), "C1", "U1", None), ("V", _at(LINE2, LINE2), "C2", "U1", None)]
    import_qdpx(_qdpx(tmp_path / "in.qdpx", whole), tmp_path / "p")
    project = open_project(tmp_path / "p")
    try:
        with project.session() as s:
            kinds = s.execute(select(Segment.kind, Segment.text).join(
                Coding, Coding.segment_id == Segment.id)).all()
        rows = _rows(project)
        export(project, "qdpx", out=tmp_path / "out.qdpx")
    finally:
        project.close()
    assert {kind for kind, _ in kinds} == {"sentence"} and len(kinds) == 4
    w = [[*_at(LINE1), None, False]]
    assert [rows[(t, "Kontinuitet", "maja")] for t in (
        "Vi träffas varje vecka.", "Samma sköterska kommer alltid hem till oss.",
        "Det känns tryggt.")] == [w, w, w]
    assert rows[(LINE2, "Trygghet", "maja")] is None
    assert {(s, e, c) for s, e, c, _, _ in _selections(tmp_path / "out.qdpx")} == {
        (*_at(LINE1), "Kontinuitet"), (*_at(LINE2, LINE2), "Trygghet")}
