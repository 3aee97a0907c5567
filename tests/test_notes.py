"""The ingest notes' registry (corpus.notes), checked both ways like the errors: every
note the library gives is registered with an English and a Swedish text, every
registered note is given somewhere, and the app shows each in Swedish."""

from __future__ import annotations

import ast
import pickle
import re
from copy import deepcopy
from pathlib import Path

from corpus.notes import NOTES, Notice, note

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("corpus", "people", "coding", "themes", "refi", "delphi", "reports", "app", "cli")
CODE = re.compile(r"N\d{3}")


def _given() -> dict[str, list[str]]:
    """N-codes written as string constants anywhere in the packages but the registry."""
    found: dict[str, list[str]] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if path == ROOT / "corpus" / "notes.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                        and CODE.fullmatch(node.value):
                    found.setdefault(node.value, []).append(
                        f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_given_note_is_registered_and_every_registered_note_given():
    given = _given()
    assert len(given) >= 10
    assert sorted(set(given) - set(NOTES)) == []
    assert sorted(set(NOTES) - set(given)) == []


def test_every_note_has_two_different_texts():
    for code, (english, swedish) in NOTES.items():
        assert english and swedish and english != swedish, code


def test_a_note_is_its_english_text_and_survives_pickling_and_copying():
    found = note("N123", sheet="Fråga 1", refs=["A7", "A9"], delimiter=";")
    assert found == "sheet 'Fråga 1', A7, A9: the note held a ';' without quotes; its parts " \
        "were joined"
    for copy in (pickle.loads(pickle.dumps(found)), deepcopy(found)):
        assert isinstance(copy, Notice) and copy.code == "N123" and copy == found
        assert copy.swedish() == found.swedish()
    many = note("N121", sheet="F1", refs=[f"C{i}" for i in range(2, 10)])
    assert many.endswith("C2, C3, C4, C5, C6 and 3 more cells: outside the area columns")
    assert "C2, C3, C4, C5, C6 och 3 celler till" in many.swedish()
