"""The codebook as data: a tree of code specs, its YAML form, and the bundled codebooks.

Everything here is free of the database so that `qda eval`, notebooks and tests can use a
codebook without a project; `coding.codes` stores and edits it inside a project.

YAML schema (documented in docs/codebook.md)::

    codebook: fardplan            # short name
    title: Färdplanens begrepp    # optional
    description: ...              # optional
    codes:
      - name: Samverkan           # required; unique among its siblings
        origin: fardplan          # fardplan | emergent (inherited by children)
        colour: "#1f77b4"         # optional
        definition: ...
        inclusion: ...            # what belongs here
        exclusion: ...            # what does not, and where it goes instead
        keywords: [samverkan, "mellan huvudmännen"]   # words or phrases
        examples: ["Antal SIP per 1000 invånare"]
        children: [...]           # sub-themes, same fields
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from corpus.errors import InputError
from corpus.readers.textfile import decode_text

PATH_SEP = " > "
ORIGINS = ("fardplan", "emergent")
BUNDLED = Path(__file__).parent / "codebooks"
_FIELDS = ("definition", "inclusion", "exclusion")


@dataclass
class CodeSpec:
    """One code and its sub-codes, as written in YAML."""

    name: str
    definition: str = ""
    inclusion: str = ""
    exclusion: str = ""
    keywords: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    origin: str = "emergent"
    colour: str | None = None
    children: list[CodeSpec] = field(default_factory=list)

    def walk(self, parents: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], CodeSpec]]:
        path = (*parents, self.name)
        yield path, self
        for child in self.children:
            yield from child.walk(path)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "origin": self.origin}
        if self.colour:
            out["colour"] = self.colour
        for key in _FIELDS:
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.keywords:
            out["keywords"] = list(self.keywords)
        if self.examples:
            out["examples"] = list(self.examples)
        if self.children:
            out["children"] = [c.to_dict() for c in self.children]
        return out


@dataclass
class CodebookDoc:
    """A whole codebook file: a name, a title and the top-level codes."""

    name: str
    codes: list[CodeSpec]
    title: str = ""
    description: str = ""

    def walk(self) -> Iterator[tuple[tuple[str, ...], CodeSpec]]:
        for code in self.codes:
            yield from code.walk()

    def to_yaml(self) -> str:
        data: dict[str, Any] = {"codebook": self.name}
        if self.title:
            data["title"] = self.title
        if self.description:
            data["description"] = self.description
        data["codes"] = [c.to_dict() for c in self.codes]
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def split_path(path: str) -> tuple[str, ...]:
    """'Huvudtema > Subtema' -> ('Huvudtema', 'Subtema'); '>' with or without spaces."""
    parts = tuple(p.strip() for p in str(path).split(">"))
    return tuple(p for p in parts if p)


def join_path(path: Iterable[str]) -> str:
    return PATH_SEP.join(path)


def _text_list(value: Any, where: str, source: Path | str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise InputError(f"{where}: expected a list of texts", source, "E301")
    return [str(v).strip() for v in value if str(v).strip()]


def _spec(data: Any, where: str, source: Path | str, origin: str) -> CodeSpec:
    if not isinstance(data, dict) or not str(data.get("name") or "").strip():
        raise InputError(f"{where}: every code needs a name", source, "E301")
    name = str(data["name"]).strip()
    if ">" in name:
        raise InputError(f"{where}: code name {name!r} may not contain '>'", source, "E301")
    here = f"{where} {name!r}"
    unknown = set(data) - {"name", "origin", "colour", "color", "keywords", "examples",
                           "children", *_FIELDS}
    if unknown:
        raise InputError(f"{here}: unknown field(s) {', '.join(sorted(unknown))}", source, "E301")
    origin = str(data.get("origin") or origin).strip().lower()
    if origin not in ORIGINS:
        raise InputError(f"{here}: origin must be one of {', '.join(ORIGINS)}", source, "E301")
    children_data = data.get("children") or []
    if not isinstance(children_data, list):
        raise InputError(f"{here}: children must be a list", source, "E301")
    children = [_spec(c, f"{here} >", source, origin) for c in children_data]
    names = [c.name for c in children]
    if len(set(names)) != len(names):
        raise InputError(f"{here}: two sub-codes share a name", source, "E301")
    return CodeSpec(
        name=name,
        definition=str(data.get("definition") or "").strip(),
        inclusion=str(data.get("inclusion") or "").strip(),
        exclusion=str(data.get("exclusion") or "").strip(),
        keywords=_text_list(data.get("keywords"), f"{here} keywords", source),
        examples=_text_list(data.get("examples"), f"{here} examples", source),
        origin=origin,
        colour=(str(data.get("colour") or data.get("color") or "").strip() or None),
        children=children,
    )


def parse_codebook(text: str, source: Path | str = "codebook.yaml") -> CodebookDoc:
    """Read codebook YAML; a malformed file is a one-line InputError naming the problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise InputError(f"not valid YAML{at}", source, "E300") from None
    if isinstance(data, list):
        data = {"codes": data}
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise InputError("a codebook needs a 'codes' list", source, "E301")
    codes = [_spec(c, "code", source, "emergent") for c in data["codes"]]
    names = [c.name for c in codes]
    if len(set(names)) != len(names):
        raise InputError("two top-level codes share a name", source, "E301")
    name = str(data.get("codebook") or Path(str(source)).stem)
    return CodebookDoc(name=name, codes=codes, title=str(data.get("title") or ""),
                       description=str(data.get("description") or ""))


def bundled_names() -> list[str]:
    return sorted(p.name[:-5] for p in BUNDLED.iterdir() if p.name.endswith(".yaml"))


def read_codebook(name_or_path: str | Path) -> CodebookDoc:
    """A bundled codebook by name ('fardplan'), or a YAML file by path."""
    path = Path(name_or_path)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise InputError("no such codebook file", path, "E302")
        return parse_codebook(decode_text(path.read_bytes(), path), path)
    name = str(name_or_path)
    if name not in bundled_names():
        raise InputError(f"no bundled codebook {name!r} (bundled: {', '.join(bundled_names())})",
                         None, "E302")
    return parse_codebook((BUNDLED / f"{name}.yaml").read_text(encoding="utf-8"), f"{name}.yaml")


@dataclass(frozen=True)
class Code:
    """A code as the suggestion engine sees it: flat, with its place in the tree."""

    id: int
    parent_id: int | None
    name: str
    path: tuple[str, ...]
    definition: str = ""
    inclusion: str = ""
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    origin: str = "emergent"

    @property
    def label(self) -> str:
        return join_path(self.path)

    @property
    def depth(self) -> int:
        return len(self.path) - 1


@dataclass
class Codebook:
    """A flat, id-keyed view of a code tree (ids from the project, or synthetic)."""

    codes: dict[int, Code]

    @classmethod
    def from_doc(cls, doc: CodebookDoc) -> Codebook:
        codes: dict[int, Code] = {}
        ids: dict[tuple[str, ...], int] = {}
        for path, spec in doc.walk():
            code_id = len(ids) + 1
            ids[path] = code_id
            codes[code_id] = Code(code_id, ids.get(path[:-1]), spec.name, path,
                                  spec.definition, spec.inclusion, tuple(spec.keywords),
                                  tuple(spec.examples), spec.origin)
        return cls(codes)

    def by_path(self) -> dict[tuple[str, ...], int]:
        return {c.path: c.id for c in self.codes.values()}

    def find(self, path: str | tuple[str, ...]) -> Code | None:
        key = split_path(path) if isinstance(path, str) else tuple(path)
        found = self.by_path().get(key)
        return self.codes[found] if found is not None else None

    def add(self, path: tuple[str, ...], origin: str = "emergent") -> Code:
        """Add a code (and any missing ancestors) with no keywords: an emergent label."""
        existing = self.find(path)
        if existing is not None:
            return existing
        parent = self.add(path[:-1], origin) if len(path) > 1 else None
        code_id = max(self.codes, default=0) + 1
        code = Code(code_id, parent.id if parent else None, path[-1], tuple(path), origin=origin)
        self.codes[code_id] = code
        return code

    def ancestors(self, code_id: int) -> list[int]:
        out = []
        parent = self.codes[code_id].parent_id
        while parent is not None:
            out.append(parent)
            parent = self.codes[parent].parent_id
        return out

    def roots(self) -> list[Code]:
        return [c for c in self.codes.values() if c.parent_id is None]

    def at_depth(self, depth: int) -> list[Code]:
        return [c for c in self.codes.values() if c.depth == depth]
