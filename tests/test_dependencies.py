"""Dependency floors: every dependency in pyproject.toml states a lower bound, and the
versions installed here (where the whole suite passes) satisfy them, so a floor is never
above what we test with. Floors that our code needs are commented where they are set
(streamlit>=1.56 for st.iframe and st.button(shortcut=))."""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def _requirements() -> list[Requirement]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    extras = project.get("optional-dependencies", {})
    return [Requirement(r) for r in [*project["dependencies"], *extras.get("dev", []),
                                     *extras.get("postgres", []), *extras.get("embed", [])]]


def test_every_dependency_has_a_floor():
    without = [str(r) for r in _requirements()
               if not any(s.operator in (">=", "~=", "==") for s in r.specifier)]
    assert without == []


def test_installed_versions_meet_the_floors():
    below = []
    for requirement in _requirements():
        try:
            installed = Version(version(requirement.name))
        except PackageNotFoundError:
            below.append(f"{requirement.name}: not installed")
            continue
        if not requirement.specifier.contains(installed, prereleases=True):
            below.append(f"{requirement}: installed {installed}")
    assert below == []


def test_the_floor_check_can_fail():
    assert not Requirement("streamlit>=99").specifier.contains(Version(version("streamlit")))
