"""Codebook YAML: schema errors are one line, round trips keep everything, bundled books."""

import pytest

from coding.codebook import Codebook, bundled_names, parse_codebook, read_codebook
from corpus.errors import InputError

from .devdata import dev_frame


def test_round_trip_keeps_every_field():
    doc = read_codebook("forstudie-postits")
    again = parse_codebook(doc.to_yaml())
    assert [(p, s) for p, s in again.walk()] == [(p, s) for p, s in doc.walk()]


@pytest.mark.parametrize("text, reason", [
    ("codes: [", "not valid YAML"),
    ("name: x", "needs a 'codes' list"),
    ("codes:\n  - definition: no name", "every code needs a name"),
    ("codes:\n  - name: A\n    origin: elsewhere", "origin must be one of"),
    ("codes:\n  - name: A\n  - name: A", "share a name"),
    ("codes:\n  - name: A\n    colour: red\n    weight: 2", "unknown field(s) weight"),
    ("codes:\n  - name: A > B", "may not contain '>'"),
    # each names its line
    ("codes:\n  - name: A\n    definition: x\n    definition: y",
     "at line 4: the key 'definition' is written twice (first at line 3)"),
    ("codes:\n  - name: A\n  - name: [oj]", "line 3: code name must be a text"),
    ("codes:\n  - name: A\n    keywords: tillit", "line 2: code 'A' keywords must be a list, "
     "e.g. [tillit]"),
    ("codes:\n  - &a\n    name: A\n    children: [*a]", "line 2: a YAML alias refers to a "
     "mapping that contains it"),
    ("codes:\n  - name: A\n    definition: {x: 1}", "line 2: code 'A' definition must be a "
     "text"),
])
def test_bad_codebook_yaml_is_a_one_line_error(text, reason):
    with pytest.raises(InputError) as info:
        parse_codebook(text, "mine.yaml")
    line = info.value.line()
    assert line.startswith("mine.yaml: ") and reason in line and "\n" not in line


def test_bundled_fardplan_has_the_14_concepts_with_definitions_and_keywords():
    doc = read_codebook("fardplan")
    assert len(doc.codes) == 14
    names = {c.name.lower() for c in doc.codes}
    for concept in ("personcentrering", "kontinuitet", "samordning", "samverkan", "tillit",
                    "digitalisering", "tillgänglighet", "öppen vård", "mobila team",
                    "egenvård", "egenmonitorering", "fast vård- och omsorgskontakt"):
        assert concept in names
    for code in doc.codes:
        assert code.origin == "fardplan" and len(code.definition) > 40
        assert len(code.keywords) >= 5


def test_forstudie_codebook_covers_every_label_of_the_development_data():
    book = Codebook.from_doc(read_codebook("forstudie-postits"))
    frame = dev_frame()
    missing = {(h, s) for h, s in zip(frame.huvudtema, frame.subtema, strict=True)
               if book.find((h, s) if s else (h,)) is None}
    assert missing == set()
    for code in book.codes.values():
        assert code.definition, code.label
        assert code.keywords, code.label


def test_bundled_names_and_unknown_name():
    assert bundled_names() == ["fardplan", "forstudie-postits"]
    with pytest.raises(InputError, match="no bundled codebook 'nope'"):
        read_codebook("nope")
