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
    # the fields the file wrote for this code (None: all of them); an import into a
    # project keeps whatever a code already has and the file does not give
    given: frozenset[str] | None = field(default=None, compare=False, repr=False)

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


class _Mapping(dict):
    """A YAML mapping that remembers the line it starts on, for error messages."""

    line = 0


class _Loader(yaml.SafeLoader):
    """Safe YAML that refuses a key written twice in one mapping (PyYAML keeps the last
    silently) and notes each mapping's line."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, str | int | float | bool) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is written twice (first at line "
                    f"{seen[key] + 1})", key_node.start_mark)
            if isinstance(key, str | int | float | bool):
                seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)

    def construct_line_mapping(self, node):
        data = _Mapping()
        data.line = node.start_mark.line + 1
        yield data
        data.update(self.construct_mapping(node))


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_line_mapping)


def _at(data: Any) -> str:
    line = getattr(data, "line", 0)
    return f"line {line}: " if line else ""


def _text_list(value: Any, where: str, source: Path | str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        raise InputError(f"{where} must be a list, e.g. [{value.strip()}]", source, "E301")
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise InputError(f"{where}: expected a list of texts", source, "E301")
    return [str(v).strip() for v in value if str(v).strip()]


def _text(value: Any, where: str, source: Path | str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InputError(f"{where} must be a text", source, "E301")
    return str(value).strip()


def _spec(data: Any, where: str, source: Path | str, origin: str) -> CodeSpec:
    at = _at(data)
    if not isinstance(data, dict):
        raise InputError(f"{where}: every code needs a name", source, "E301")
    name = _text(data.get("name"), f"{at}{where} name", source)
    if not name:
        raise InputError(f"{at}{where}: every code needs a name", source, "E301")
    if ">" in name:
        raise InputError(f"{at}{where}: code name {name!r} may not contain '>'", source,
                         "E301")
    here = f"{at}{where} {name!r}"
    unknown = {str(k) for k in data} - {"name", "origin", "colour", "color", "keywords",
                                        "examples", "children", *_FIELDS}
    if unknown:
        raise InputError(f"{here}: unknown field(s) {', '.join(sorted(unknown))}", source, "E301")
    origin = (_text(data.get("origin"), f"{here} origin", source) or origin).lower()
    if origin not in ORIGINS:
        raise InputError(f"{here}: origin must be one of {', '.join(ORIGINS)}", source, "E301")
    children_data = data.get("children") or []
    if not isinstance(children_data, list):
        raise InputError(f"{here}: children must be a list", source, "E301")
    children = [_spec(c, f"{here} >", source, origin) for c in children_data]
    names = [c.name for c in children]
    if len(set(names)) != len(names):
        raise InputError(f"{here}: two sub-codes share a name", source, "E301")
    given = {"colour" if k == "color" else str(k) for k, v in data.items()
             if v not in (None, "", [])} - {"name", "children"}
    return CodeSpec(
        name=name,
        definition=_text(data.get("definition"), f"{here} definition", source),
        inclusion=_text(data.get("inclusion"), f"{here} inclusion", source),
        exclusion=_text(data.get("exclusion"), f"{here} exclusion", source),
        keywords=_text_list(data.get("keywords"), f"{here} keywords", source),
        examples=_text_list(data.get("examples"), f"{here} examples", source),
        origin=origin,
        colour=_text(data.get("colour") or data.get("color"), f"{here} colour", source)
        or None,
        children=children,
        given=frozenset(given),
    )


def _cycle(data: Any, path: tuple[int, ...] = ()) -> Any | None:
    """The first container that contains itself (a YAML alias of an enclosing anchor)."""
    if isinstance(data, dict | list):
        if id(data) in path:
            return data
        inner = data.values() if isinstance(data, dict) else data
        for value in inner:
            found = _cycle(value, (*path, id(data)))
            if found is not None:
                return found
    return None


def parse_codebook(text: str, source: Path | str = "codebook.yaml") -> CodebookDoc:
    """Read codebook YAML; a malformed file is a one-line InputError naming the problem
    and, where it can, the line."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None)
        raise InputError(f"not valid YAML{at}" + (f": {problem}" if problem else ""),
                         source, "E300") from None
    looped = _cycle(data)
    if looped is not None:
        raise InputError(f"{_at(looped)}a YAML alias refers to a mapping that contains it",
                         source, "E300")
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
        from corpus.readers.textfile import decode_text  # the readers load openpyxl & co

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
