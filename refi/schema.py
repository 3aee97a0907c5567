"""Validation against the REFI-QDA project schema (Project-mrt2019.xsd, kept outside the
project; pass its path). A .qdc is checked by placing its codebook in an otherwise empty
project document: the project schema's CodeBook type accepts every codebook we write."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

from . import mapping as m


@lru_cache(maxsize=4)
def _schema(xsd: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(xsd))


def project_errors(qde: bytes, xsd: Path) -> list[str]:
    """Schema violations of a project.qde, as "line N: message" (empty when valid)."""
    schema = _schema(str(xsd))
    if schema.validate(etree.fromstring(qde)):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def codebook_errors(qdc: bytes, xsd: Path) -> list[str]:
    """Schema violations of a .qdc: its root must be the codebook namespace's CodeBook, and
    its Codes must be valid as a project's codebook."""
    root = etree.fromstring(qdc)
    if root.tag != f"{{{m.CODEBOOK_NS}}}CodeBook":
        return [f"root is {root.tag}, not {{{m.CODEBOOK_NS}}}CodeBook"]
    project = etree.Element(f"{{{m.PROJECT_NS}}}Project", {"name": "codebook"},
                            nsmap={None: m.PROJECT_NS})
    book = etree.SubElement(project, f"{{{m.PROJECT_NS}}}CodeBook")
    for child in root:
        if etree.QName(child).localname == "Codes":
            _copy_into(book, child)
    return project_errors(etree.tostring(project), xsd)


def _copy_into(parent, node) -> None:
    """Copy an element tree into the project namespace (renaming tags in place leaves the
    old default namespace declared on the copy)."""
    el = etree.SubElement(parent, f"{{{m.PROJECT_NS}}}{etree.QName(node).localname}",
                          dict(node.attrib))
    el.text = node.text
    for child in node:
        if isinstance(child.tag, str):
            _copy_into(el, child)
