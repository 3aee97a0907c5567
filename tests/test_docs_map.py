"""docs/packages.md, the map of the house: each package's own row names every one of its
modules (a subpackage, such as `readers/` or `suggest/`, is named by its folder)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("corpus", "people", "coding", "themes", "refi", "delphi", "reports", "app", "cli")


def _rows() -> dict[str, str]:
    rows = {}
    for line in (ROOT / "docs" / "packages.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) >= 3:
            rows[cells[0].strip("`")] = cells[-1]
    return rows


def _own_modules(package: str) -> list[str]:
    folder = ROOT / package
    names = [path.stem for path in folder.glob("*.py") if path.stem != "__init__"]
    names += [path.name for path in folder.iterdir()
              if path.is_dir() and (path / "__init__.py").exists()]
    return sorted(names)


def test_every_package_has_a_row():
    assert sorted(_rows()) == sorted(PACKAGES)


def test_each_package_row_names_every_one_of_its_modules():
    rows = _rows()
    missing = {}
    for package in PACKAGES:
        named = set(re.findall(r"`([A-Za-z_][\w.]*)/?`", rows.get(package, "")))
        absent = [name for name in _own_modules(package) if name not in named]
        if absent:
            missing[package] = absent
    assert missing == {}, (
        f"docs/packages.md: these modules are not named (in backticks) in their package's "
        f"row: {missing}")
