"""Given codings equal to the labelled bilaga 2 table of the pre-study (read from
../shared/data, never copied), the bilaga 2 table reproduces its rows: group order, the
notes of each row (each area's copy merged back into one row) and the area marks."""

import csv

import pytest

from coding import codes
from coding.codebook import CodebookDoc, CodeSpec
from corpus.ingest import ingest_file
from corpus.readers import ReadOptions
from tests.conftest import BILAGA2_COLUMNS, agreed
from themes import tables
from themes.layers import resolve_layer

from .conftest import acting
from .devdata import dev_frame

AREA_COLUMNS = {"boras": "Borås", "fyrbodal": "Fyrbodal", "gr": "GR", "skaraborg": "Skaraborg",
                "vgr": "VGR"}


def _codebook(frame) -> CodebookDoc:
    """Main and sub-themes in the order the table prints them."""
    mains: dict[str, list[str]] = {}
    for main, sub in zip(frame.huvudtema, frame.subtema, strict=True):
        subs = mains.setdefault(main, [])
        if sub and sub not in subs:
            subs.append(sub)
    return CodebookDoc("dev", [CodeSpec(m, children=[CodeSpec(s) for s in subs])
                               for m, subs in mains.items()])


@pytest.mark.parametrize("question", ["1", "2"])
def test_bilaga2_reproduces_the_labelled_table(project, tmp_path, question):
    frame = dev_frame()
    table = frame[frame.question == question].reset_index(drop=True)
    marked = table[table[list(AREA_COLUMNS)].ne("0").any(axis=1)].reset_index(drop=True)
    # one note per area that wrote the row; a 2 is a note marked "x2"; the second
    # area's copy differs in case and end punctuation, as copies typed by hand do
    notes, themes = [], []
    for row in marked.itertuples(index=False):
        for n, (key, label) in enumerate((k, v) for k, v in AREA_COLUMNS.items()
                                         if getattr(row, k) != "0"):
            text = row.text if n == 0 else row.text[0].lower() + row.text[1:].rstrip(".") + "."
            if getattr(row, key) == "2":
                text += " x2"
            notes.append((label, text))
            themes.append((row.huvudtema, row.subtema))
    path = tmp_path / f"q{question}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Område", "Inlägg"])
        writer.writerows(notes)
    ingest_file(project, path, ReadOptions(question=int(question)))
    with project.transaction() as s:
        codes.import_doc(s, _codebook(table), acting("test"))   # in the order this table prints
        for segment_id, (main, sub) in enumerate(themes, start=1):
            code = codes.find_code(s, [main, sub] if sub else [main])
            agreed(s, segment_id, code.id)
    with project.session() as s:
        got = tables.bilaga2(s, resolve_layer(s))[int(question)]
    expected = [[r.huvudtema, r.subtema, r.text.strip(),
                 *("x" if getattr(r, k) != "0" else "" for k in AREA_COLUMNS)]
                for r in marked.itertuples(index=False)]
    assert got[BILAGA2_COLUMNS].values.tolist() == expected
    marks = marked[list(AREA_COLUMNS)].astype(int).sum(axis=1).tolist()
    assert got["antal"].tolist() == marks   # "x2" notes count twice
    assert len(marked) >= len(table) - 1   # at most the one row with no marks left out
