"""Round trips on real files written by QualCoder, Taguette (through QualCoder), MAXQDA and
ATLAS.ti: import, export again, and compare codes, source texts, codings (span, code,
coder) and memos exactly, and per file the counts of sources, codes, codings, users, notes
and sets in the original XML, in our import's report and in our re-export. With
`pseudonymise` the texts may differ only where a mark ("[namn]") stands."""

from __future__ import annotations

import re
import zipfile
from bisect import bisect_right

import pytest
from lxml import etree

from corpus.project import open_project
from refi.importer import import_qdpx
from refi.schema import project_errors
from reports.run import export

from .devdata import refi_dir

NS = {"q": "urn:QDA-XML:project:1.0"}
MARK = re.compile(r"\[[^\[\]\n]{1,60}\]")
SAMPLES = ["qualcoder-native.qdpx", "qualcoder-from-taguette.qdpx", "maxqda24-export.qdpx",
           "atlas-target-project.qdpx", "atlas-blank-project.qdpx"]


def _read(path):
    """Codes, source texts, codings and memos of a .qdpx, as plain data."""
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        root = etree.fromstring(archive.read(next(n for n in names
                                                  if n.endswith("project.qde"))))

        def text_of(el):
            plain = (el.get("plainTextPath") or "").removeprefix("internal://")
            inside = [n for n in names if plain and n.endswith(plain)]
            if inside:
                return archive.read(inside[0]).decode("utf-8-sig")
            return el.findtext("q:PlainTextContent", "", NS)

        users = {u.get("guid"): u.get("name") for u in root.findall("q:Users/q:User", NS)}
        codes, paths = {}, {}

        def walk(el, parent):
            name = el.get("name")
            path = (*parent, *(name.split(".") if dotted else [name]))
            paths[el.get("guid")] = path
            codes[path] = ((el.findtext("q:Description", "", NS) or "").strip(),
                           (el.get("color") or "").upper())
            for kid in el.findall("q:Code", NS):
                walk(kid, path)

        top = root.findall("q:CodeBook/q:Codes/q:Code", NS)
        names_ = {c.get("name") for c in top}
        dotted = not any(c.find("q:Code", NS) is not None for c in top) and any(
            "." in n and n.split(".")[0] in names_ for n in names_)
        for el in top:
            walk(el, ())
        sources, codings, memos = {}, set(), set()
        for source in root.iter("{urn:QDA-XML:project:1.0}TextSource"):
            name = source.get("name")
            sources[name] = text_of(source)
            for sel in source.findall("q:PlainTextSelection", NS):
                span = (int(sel.get("startPosition")), int(sel.get("endPosition")))
                memo = (sel.findtext("q:Description", "", NS) or "").strip()
                for coding in sel.findall("q:Coding", NS):
                    user = users.get(coding.get("creatingUser") or sel.get("creatingUser"))
                    code = paths[coding.find("q:CodeRef", NS).get("targetGUID")]
                    codings.add((name, span, code, user))
                    memo = re.sub(r"\n*(Citat: ja|Antal: \d+)$", "", memo).strip()
                    if memo and not re.fullmatch(r"(Citat: ja|Antal: \d+)", memo):
                        memos.add(memo)
        for note in root.findall("q:Notes/q:Note", NS):
            text = text_of(note).strip() or (note.findtext("q:Description", "", NS) or "")
            if text.strip() and not re.fullmatch(r"(Antal: \d+|Markerat som citat.*)",
                                                 text.strip()):
                memos.add(text.strip())
    return codes, sources, codings, memos


def _joined(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Spans with only white space between them joined: the sentences a selection over
    several sentences became."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and not text[out[-1][1]:start].strip():
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def _aligner(original: str, exported: str):
    """Map offsets in the exported text to the original one, where every pseudonym mark
    in the exported text stands for some text of the original; None if they differ
    anywhere else."""
    pieces = MARK.split(exported)
    pattern = "(.*?)".join(re.escape(p) for p in pieces)
    match = re.fullmatch(pattern, original, re.S)
    if match is None:
        return None
    anchors = []           # (exported offset, original offset) where each piece starts
    e_pos = o_pos = 0
    for i, piece in enumerate(pieces):
        anchors.append((e_pos, o_pos, len(piece)))
        e_pos += len(piece)
        o_pos += len(piece)
        if i < len(pieces) - 1:
            mark = MARK.search(exported, e_pos)
            e_pos = mark.end()
            o_pos = match.end(i + 1)
    starts = [a[0] for a in anchors]

    def to_original(offset: int, end: bool) -> int:
        i = bisect_right(starts, offset) - 1
        e_start, o_start, length = anchors[i]
        if offset - e_start <= length:
            return o_start + offset - e_start
        # inside a mark: its start, or (for an end) the end of what it stands for
        return match.end(i + 1) if end else match.start(i + 1)

    return to_original


def _reexport(sample, tmp_path, **options):
    original = refi_dir() / "samples" / sample
    report = import_qdpx(original, tmp_path / "p", **options)
    project = open_project(tmp_path / "p")
    try:
        export(project, "qdpx", out=tmp_path / "again.qdpx")
    finally:
        project.close()
    return original, report, tmp_path / "again.qdpx"


@pytest.mark.parametrize("sample", SAMPLES)
def test_a_real_file_comes_back_exactly(sample, tmp_path):
    original, _, again = _reexport(sample, tmp_path)
    codes, sources, codings, memos = _read(original)
    codes2, sources2, codings2, memos2 = _read(again)

    # codes: the tree, descriptions and colours
    for path, (description, colour) in codes.items():
        assert path in codes2, path
        assert codes2[path][0] == description, path
        assert codes2[path][1] == colour or not re.fullmatch(r"#[0-9A-F]{6}", colour), path
    # sources: the same texts, character for character
    assert sources2 == sources
    # codings: each with its exact span, code and coder, none added
    assert codings2 == {(name, span, code, user or "importerad")
                        for name, span, code, user in codings}
    # memos: every coding memo, annotation and journal entry, word for word
    assert memos <= memos2


@pytest.mark.parametrize("sample", SAMPLES)
def test_counts_agree_in_the_file_the_import_and_the_reexport(sample, tmp_path):
    original, report, again = _reexport(sample, tmp_path)
    before, after = _counts(original), _counts(again)
    tally = report.tally
    assert tally["sources"].in_file == before["sources"] == tally["sources"].imported \
        == after["sources"]
    assert tally["codes"].in_file == before["codes"] == tally["codes"].imported
    assert after["codes"] == before["tree"]     # Taguette's "A.B" names A, made a code
    assert tally["codings"].in_file == before["codings"] == tally["codings"].imported \
        == after["codings"]
    assert tally["users"].in_file == before["users"]
    assert tally["users"].imported == len(before["coders"]) == len(after["coders"])
    assert after["coders"] == before["coders"]
    assert after["notes"] == before["notes"]
    assert tally["sets"].in_file == before["sets"] == after["sets"]
    assert project_errors(zipfile.ZipFile(again).read("project.qde"),
                          refi_dir() / "Project-mrt2019.xsd") == []


def _counts(path) -> dict:
    """What a .qdpx holds: sources, codes (and the tree they make, with the parents
    Taguette's flat names only name), codings, users, the names of users with codings,
    the distinct texts of notes, selection memos and the project's description, and
    sets."""
    codes, _, codings, memos = _read(path)
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read(next(n for n in archive.namelist()
                                                  if n.endswith(".qde"))))
    project_note = (root.findtext("q:Description", "", NS) or "").strip()
    return {"sources": len(list(root.iter(f"{{{NS['q']}}}TextSource"))),
            "codes": len(list(root.iter(f"{{{NS['q']}}}Code"))),
            "tree": len({path[:i] for path in codes for i in range(1, len(path) + 1)}),
            "codings": len(codings), "users": len(root.findall("q:Users/q:User", NS)),
            "coders": sorted({user or "importerad" for *_, user in codings}),
            "notes": len(memos | ({project_note} if project_note else set())),
            "sets": len(root.findall("q:Sets/q:Set", NS))}


def test_pseudonymised_when_asked_the_texts_differ_only_by_marks(tmp_path):
    original, report, again = _reexport("maxqda24-export.qdpx", tmp_path, pseudonymise=True)
    sources, sources2 = _read(original)[1], _read(again)[1]
    assert report.pseudonymised["other_names"] > 0
    assert sources2 != sources
    for name, text in sources.items():
        assert _aligner(text, sources2[name]) is not None, name


def test_the_aligner_refuses_a_changed_text():
    assert _aligner("Anna ringde igår.", "[namn] ringde igår.")(7, False) == 5
    assert _aligner("Anna ringde igår.", "[namn] ringde idag.") is None
