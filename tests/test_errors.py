"""The error registry: every code the tool raises is registered once with an English
meaning and a Swedish text, every registered code is raised, and the app speaks Swedish."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from corpus.errors import ERRORS, QdaError, swedish

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("corpus", "people", "coding", "themes", "refi", "delphi", "reports", "app", "cli")
CODE = re.compile(r"E\d{3}")
ERROR_CLASSES = {"QdaError", "InputError", "DuplicateSourceError", "CodeError",
                 "AccessError", "LoginRefused", "NotAnActor"}


def _raise_sites() -> tuple[dict[str, list[str]], list[str]]:
    """Codes given to an error class anywhere in the packages; calls that give none."""
    codes: dict[str, list[str]] = {}
    without = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name not in ERROR_CLASSES:
                    continue
                given = [a.value for a in [*node.args, *(k.value for k in node.keywords)]
                         if isinstance(a, ast.Constant) and isinstance(a.value, str)
                         and CODE.fullmatch(a.value)]
                passed_on = any(isinstance(a, ast.Attribute) and a.attr == "code"
                                for a in [*node.args, *(k.value for k in node.keywords)])
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                for code in given:
                    codes.setdefault(code, []).append(where)
                if not given and not passed_on:
                    without.append(where)
    return codes, without


def test_every_raised_code_is_registered_and_every_registered_code_raised():
    raised, without = _raise_sites()
    assert len(raised) > 80                      # the reader found the raise sites
    assert sorted(set(raised) - set(ERRORS)) == []
    assert sorted(set(ERRORS) - set(raised)) == []
    assert without == []                          # no error without a code (E000)


def test_each_code_is_registered_once():
    source = (ROOT / "corpus" / "errors.py").read_text(encoding="utf-8")
    registry = next(node.value for node in ast.walk(ast.parse(source))
                    if isinstance(node, ast.AnnAssign)
                    and getattr(node.target, "id", "") == "ERRORS")
    keys = [k.value for k in registry.keys]
    assert len(keys) == len(set(keys))
    assert keys == sorted(keys)                   # grouped by range, easy to find


def test_every_entry_has_an_english_meaning_and_a_swedish_text():
    for code, (english, text) in ERRORS.items():
        assert CODE.fullmatch(code) and code != "E000"
        assert english and text and english != text, code
    assert "å" in "".join(t for _, t in ERRORS.values())


def test_the_app_sentence_is_swedish_and_names_the_code():
    exc = QdaError("sheet 'Blad1' has no free-text column", "enkät.xlsx", "E115")
    assert swedish(exc) == "bladet saknar en fritextkolumn (E115)"
    assert exc.line() == "enkät.xlsx: sheet 'Blad1' has no free-text column [E115]"
    assert swedish(QdaError("something new", None, "E999")) == "something new (E999)"
