"""Round trips on real files written by QualCoder, Taguette (through QualCoder), MAXQDA and
ATLAS.ti: import, export again, and compare codes, source texts, codings (span, code,
coder) and memos. Texts may differ only where pseudonymisation put a mark ("[namn]")."""

from __future__ import annotations

import re
import zipfile
from bisect import bisect_right

import pytest
from lxml import etree

from coding.exporting import export
from corpus.project import open_project
from refi.importer import import_qdpx

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


@pytest.mark.parametrize("sample", SAMPLES)
def test_a_real_file_comes_back_through_import_and_export(sample, tmp_path):
    original = refi_dir() / "samples" / sample
    import_qdpx(original, tmp_path / "p")
    project = open_project(tmp_path / "p")
    try:
        export(project, "qdpx", out=tmp_path / "again.qdpx")
    finally:
        project.close()
    codes, sources, codings, memos = _read(original)
    codes2, sources2, codings2, memos2 = _read(tmp_path / "again.qdpx")

    # codes: the tree, descriptions and colours
    for path, (description, colour) in codes.items():
        assert path in codes2, path
        assert codes2[path][0] == description, path
        assert codes2[path][1] == colour or not re.fullmatch(r"#[0-9A-F]{6}", colour), path

    # sources: the same texts but for pseudonym marks
    assert set(sources2) == set(sources)
    align = {}
    for name, text in sources.items():
        align[name] = _aligner(text, sources2[name])
        assert align[name] is not None, f"{name}: the text changed beyond pseudonyms"

    # codings: each original one comes back with its code and coder, on a span that holds
    # the original one (a part of a sentence is coded as the whole sentence)
    back: dict = {}
    for name, (start, end), code, user in codings2:
        back.setdefault((name, code, user), []).append(
            (align[name](start, False), align[name](end, True)))
    for name, (start, end), code, user in codings:
        spans = _joined(back.get((name, code, user or "importerad"), []), sources[name])
        assert any(s <= start and end <= e for s, e in spans), (name, start, end, code, user)

    # memos: every coding memo, annotation and journal entry, pseudonymised as any text
    for memo in memos:
        assert any(re.fullmatch("(.*?)".join(re.escape(p) for p in MARK.split(kept)), memo,
                                re.S) for kept in memos2), memo


def test_the_aligner_refuses_a_changed_text():
    assert _aligner("Anna ringde igår.", "[namn] ringde igår.")(7, False) == 5
    assert _aligner("Anna ringde igår.", "[namn] ringde idag.") is None
