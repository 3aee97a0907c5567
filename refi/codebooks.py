"""Codebooks from other tools: REFI-QDA .qdc files (ours, QualCoder's, Taguette's), the
code tree of a .qdpx (MAXQDA's and ATLAS.ti's codebook-only projects), and Taguette's CSV.

Each becomes a CodebookDoc that `coding.codes.import_doc` merges into a project: a field
the file does not carry (Taguette has no descriptions or colours) leaves what the project
has. Taguette writes its hierarchy into the name with "." ("Tillgänglighet.Primärvården").
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from coding.codebook import CodebookDoc, CodeSpec, read_codebook
from corpus.errors import InputError
from corpus.tabular import read_table

from . import mapping as m

TAGUETTE_SEPARATOR = "."
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def read_any(source: str | Path) -> CodebookDoc:
    """A codebook by bundled name, or from a .yaml, .qdc, .qdpx or Taguette .csv file."""
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix in (".qdc", ".qdpx", ".csv") and not path.is_file():
        raise InputError("no such codebook file", path, "E302")
    if suffix == ".qdc":
        return read_qdc(path)
    if suffix == ".qdpx":
        return read_qdpx_codebook(path)
    if suffix == ".csv":
        return read_taguette_csv(path)
    return read_codebook(source)


def read_qdc(path: Path) -> CodebookDoc:
    data = path.read_bytes()
    if data.startswith(b"PK"):
        raise InputError("this is a zip archive (a .qdpx project?), not a .qdc codebook; "
                         "name it .qdpx to import its codebook", path, "E426")
    root = _xml(data, path)
    tag = etree.QName(root)
    if tag.localname == "Project":
        raise InputError("this is a REFI-QDA project, not a codebook; import the codebook "
                         "from the .qdpx, or the whole project with `qda import-qdpx`",
                         path, "E426")
    if tag.localname != "CodeBook" or tag.namespace not in (m.CODEBOOK_NS, m.PROJECT_NS):
        raise InputError(f"not a REFI-QDA codebook (root {tag.localname})", path, "E422")
    ns = {"q": tag.namespace}
    specs, _ = code_specs(root.findall("q:Codes/q:Code", ns), tag.namespace,
                          root.get("origin") or "", root.findall("q:Sets/q:Set", ns))
    return CodebookDoc(path.stem, specs)


def read_qdpx_codebook(path: Path) -> CodebookDoc:
    """The code tree of a REFI-QDA project (sources and codings are not read)."""
    try:
        with zipfile.ZipFile(path) as archive:
            qde = m.qde_entry(archive.namelist())
            if qde is None:
                raise InputError("not a REFI-QDA project: the archive has no project.qde "
                                 "(nor one .qde file at its root)", path, "E421")
            data = archive.read(qde)
    except zipfile.BadZipFile:
        raise InputError("not a .qdpx: the file is not a zip archive", path, "E420") from None
    root = _xml(data, path)
    ns = {"q": m.PROJECT_NS}
    specs, _ = code_specs(root.findall("q:CodeBook/q:Codes/q:Code", ns), m.PROJECT_NS,
                          root.get("origin") or "", root.findall("q:Sets/q:Set", ns))
    return CodebookDoc(path.stem, specs)


def read_taguette_csv(path: Path) -> CodebookDoc:
    """Taguette's codebook table: the tag in `tag`, `name` or `path`, and `description`."""
    frame = read_table(path)
    column = next((c for c in ("tag", "name", "path") if c in frame.columns), None)
    if column is None:
        raise InputError("a codebook table needs a 'tag', 'name' or 'path' column", path,
                         "E303")
    specs: list[CodeSpec] = []
    for _, row in frame.iterrows():
        name = str(row[column]).strip()
        if not name:
            continue
        description = str(row.get("description", "") or "").strip()
        _place(specs, _split(name, TAGUETTE_SEPARATOR), description or None, None)
    if not specs:
        raise InputError("no codes in the table", path, "E303")
    return CodebookDoc(path.stem, specs)


def code_specs(elements, namespace: str, origin: str, sets=()
               ) -> tuple[list[CodeSpec], dict[str, tuple[str, ...]]]:
    """CodeSpecs from <Code> elements (nested, or flat with Taguette's "." in names), and
    each code GUID's path. Sibling codes with the same name get " (2)", " (3)" …"""
    ns = {"q": namespace}
    elements = list(elements)
    flat = origin.lower().startswith("taguette") or _dotted_tree(elements, ns)
    ours = origin == m.ORIGIN
    paths: dict[str, tuple[str, ...]] = {}
    top: list[CodeSpec] = []

    def add(el, parent: tuple[str, ...], siblings: list[CodeSpec]) -> None:
        raw = " ".join((el.get("name") or "namnlös kod").split())[:300]
        parts = _split(raw, TAGUETTE_SEPARATOR) if flat and not parent else [raw]
        if ours and parent and parts[-1].endswith(f" ({parent[-1]})"):
            parts[-1] = parts[-1][:-len(f" ({parent[-1]})")]   # our --unique-names suffix
        description = el.find("q:Description", ns)
        colour = el.get("color")
        spec = _place(siblings, parts, (description.text or "").strip()
                      if description is not None else None,
                      colour if colour and len(colour) <= 9 else None, unique=True)
        path = (*parent, *_path_to(siblings, spec))
        paths[el.get("guid")] = path
        for kid in el.findall("q:Code", ns):
            add(kid, path, spec.children)

    for el in elements:
        add(el, (), top)
    origins = {}
    for s in sets:
        name = s.get("name") or ""
        if name.startswith(m.ORIGIN_SET):
            for member in s.findall("q:MemberCode", ns):
                origins[member.get("targetGUID") or member.get("guid")] = \
                    name[len(m.ORIGIN_SET):]
    by_path = {path: origins[g] for g, path in paths.items() if g in origins}

    def mark(spec: CodeSpec, parent: tuple[str, ...]) -> None:
        path = (*parent, spec.name)
        spec.origin = by_path.get(path, spec.origin)
        for kid in spec.children:
            mark(kid, path)

    for spec in top:
        mark(spec, ())
    return top, paths


def _dotted_tree(elements, ns: dict[str, str]) -> bool:
    """A flat codebook whose names say "Parent.Child" for a Parent it has: Taguette's tree
    after a trip through another tool (QualCoder keeps the names as they are)."""
    if any(el.find("q:Code", ns) is not None for el in elements):
        return False
    names = {" ".join((el.get("name") or "").split()).casefold() for el in elements}
    return any(TAGUETTE_SEPARATOR in n and n.split(TAGUETTE_SEPARATOR)[0].strip() in names
               for n in names)


def _split(name: str, separator: str) -> list[str]:
    parts = [p.strip() for p in name.split(separator)]
    return [p for p in parts if p] or [name]


def _place(siblings: list[CodeSpec], parts: list[str], description: str | None,
           colour: str | None, unique: bool = False) -> CodeSpec:
    """Put a code at `parts` under `siblings`, creating parents that are only named
    ("A.B" before "A"); returns the code's spec. With `unique`, a second code of the same
    name among the same siblings is kept apart as "name (2)"."""
    *parents, leaf = parts
    level = siblings
    for parent in parents:
        found = next((s for s in level if s.name.casefold() == parent.casefold()), None)
        if found is None:
            found = CodeSpec(parent, given=frozenset({"name"}))
            level.append(found)
        level = found.children
    existing = next((s for s in level if s.name.casefold() == leaf.casefold()), None)
    if existing is not None and existing.given == frozenset({"name"}):
        spec = existing           # named as a parent first, now described
    else:
        name, n = leaf, 2
        while unique and any(s.name.casefold() == name.casefold() for s in level):
            name, n = f"{leaf} ({n})", n + 1
        if existing is not None and not unique:
            return existing
        spec = CodeSpec(name)
        level.append(spec)
    given = {"name"}
    if description is not None:
        fields = m.read_description(description)
        spec.definition, spec.inclusion, spec.exclusion = (
            fields["definition"], fields["inclusion"], fields["exclusion"])
        spec.keywords, spec.examples = fields["keywords"], fields["examples"]
        given |= {"definition", "inclusion", "exclusion", "keywords", "examples"}
    if colour:
        spec.colour = colour
        given.add("colour")
    spec.given = frozenset(given)
    return spec


def _path_to(siblings: list[CodeSpec], spec: CodeSpec) -> tuple[str, ...]:
    for s in siblings:
        if s is spec:
            return (s.name,)
        below = _path_to(s.children, spec)
        if below:
            return (s.name, *below)
    return ()


def _xml(data: bytes, path: Path):
    try:
        return etree.fromstring(data.removeprefix(b"\xef\xbb\xbf"), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not well-formed XML: {exc}", path, "E422") from None
