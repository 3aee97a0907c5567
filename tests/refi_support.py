"""What the REFI-QDA tests share: a .qdpx reduced to what must survive a round trip."""

from __future__ import annotations

import re
import zipfile

from lxml import etree


def canonical(path):
    """project.qde with GUIDs numbered by first appearance and timestamps dropped, and
    the source texts under the same numbering."""
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("project.qde"))
        ids: dict[str, str] = {}

        def sub(value):
            return re.sub(r"[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}",
                          lambda m: ids.setdefault(m.group(0), f"ID{len(ids)}"), value)
        for el in root.iter():
            for key in list(el.attrib):
                if key.endswith("DateTime"):
                    del el.attrib[key]
                else:
                    el.set(key, sub(el.get(key)))
        texts = {sub(n): archive.read(n).decode() for n in archive.namelist()
                 if n.startswith("sources/")}
    return etree.tostring(root, encoding="unicode"), texts
