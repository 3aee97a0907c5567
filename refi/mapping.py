"""What both directions agree on: namespaces, GUIDs, variable names, the text layout of an
exported source, and how a code's keywords and examples ride in its Description."""

from __future__ import annotations

import re
import uuid

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ORIGIN = "workshop-qda"
_GUIDS = uuid.UUID("5b0c1e0e-4a1d-4f5e-9a57-7f3c2d9b8a11")

UNIT_SEPARATOR = "\n\n"            # between notes / turns in an exported source text
NOTE_KINDS = ("postits", "padlet", "survey")
QUOTE_NOTE = "Citat"               # a Note of this name on a coding marks it as a quote
MEMO_NOTE = "Memo"
ORIGIN_SET = "Ursprung: "          # a Set of codes per non-emergent origin ("Ursprung: fardplan")

# variables (REFI typeOfVariable)
VAR_AREA, VAR_QUESTION, VAR_KIND, VAR_FORMAT, VAR_DATE = (
    "Område", "Fråga", "Källtyp", "Format", "Datum")
# besides these, one Integer variable per participant group of the project (its label):
# a workshop case's participants of that group
VARIABLES: dict[str, str] = {VAR_AREA: "Text", VAR_QUESTION: "Integer", VAR_KIND: "Text",
                             VAR_FORMAT: "Text", VAR_DATE: "Date"}
WORKSHOP_CASE = "Workshop: "
QUESTION_CASE = "Fråga "

# "[00:01:05] Deltagare 2: text": the time and speaker of an exported turn (use .match)
TURN_HEAD = re.compile(r"(?:\[(\d{2}):(\d{2}):(\d{2})\] )?([^:\n\[\]]{1,80}): ")

DESCRIPTION_FIELDS = (("inclusion", "Inkludera"), ("exclusion", "Exkludera"),
                      ("keywords", "Nyckelord"), ("examples", "Exempel"))


def qde_entry(names: list[str]) -> str | None:
    """The archive entry holding the project: `project.qde` (at the root or below), else
    the one `*.qde` at the root (ATLAS.ti names it after the project)."""
    exact = [n for n in names if n.rsplit("/", 1)[-1].lower() == "project.qde"]
    if exact:
        return min(exact, key=lambda n: n.count("/"))
    at_root = [n for n in names if "/" not in n and n.lower().endswith(".qde")]
    return at_root[0] if len(at_root) == 1 else None


def guid(*key: object) -> str:
    """A stable GUID for a thing: the same project exports the same ids every time."""
    return str(uuid.uuid5(_GUIDS, "\x1f".join(str(k) for k in key))).upper()


def turn_head(speaker: str | None, location: str | None) -> str:
    time = f"[{location}] " if location and re.fullmatch(r"\d{2}:\d{2}:\d{2}", location) \
        else ""
    return f"{time}{speaker}: " if speaker else time


def describe_code(definition: str | None, inclusion: str | None, exclusion: str | None,
                  keywords: list[str], examples: list[str]) -> str:
    """The definition, then one labelled line per field other tools have no place for."""
    lines = [definition.strip()] if definition and definition.strip() else []
    extra = []
    if inclusion:
        extra.append(f"Inkludera: {' '.join(inclusion.split())}")
    if exclusion:
        extra.append(f"Exkludera: {' '.join(exclusion.split())}")
    if keywords:
        extra.append("Nyckelord: " + "; ".join(keywords))
    extra += [f"Exempel: {' '.join(e.split())}" for e in examples]
    if extra:
        lines += ["", *extra] if lines else extra
    return "\n".join(lines)


def read_description(text: str | None) -> dict:
    """The inverse of `describe_code`; a plain description is all definition."""
    fields: dict = {"definition": "", "inclusion": "", "exclusion": "", "keywords": [],
                    "examples": []}
    if not text:
        return fields
    labels = {label: key for key, label in DESCRIPTION_FIELDS}
    lines = text.strip().split("\n")
    tail = len(lines)
    while tail > 0 and re.match(r"^(Inkludera|Exkludera|Nyckelord|Exempel): ", lines[tail - 1]):
        tail -= 1
    for line in lines[tail:]:
        label, value = line.split(": ", 1)
        key = labels[label]
        if key == "keywords":
            fields[key] = [k.strip() for k in value.split(";") if k.strip()]
        elif key == "examples":
            fields[key].append(value.strip())
        else:
            fields[key] = value.strip()
    fields["definition"] = "\n".join(lines[:tail]).strip()
    return fields


QUOTE_LINE = "Citat: ja"
_COUNT_LINE = re.compile(r"^Antal: (\d+)$")


def describe_selection(memo: str | None, quote: bool, count: int | None) -> str:
    """A selection's Description: the coding memo (QualCoder reads it there), then a line
    for a quote and one for a note marked more than once, which other tools show too."""
    lines = [memo.strip()] if memo and memo.strip() else []
    marks = ([QUOTE_LINE] if quote else []) + ([f"Antal: {count}"] if count and count > 1
                                               else [])
    if marks:
        lines += ["", *marks] if lines else marks
    return "\n".join(lines)


def read_selection(text: str | None) -> tuple[str, bool, int | None]:
    """The inverse of `describe_selection`: (memo, quote, count); any other tool's
    Description is all memo."""
    lines = (text or "").strip().split("\n")
    quote, count = False, None
    while lines and (lines[-1] == QUOTE_LINE or _COUNT_LINE.match(lines[-1])):
        line = lines.pop()
        if line == QUOTE_LINE:
            quote = True
        else:
            counted = _COUNT_LINE.match(line)
            assert counted is not None      # the loop's condition matched it
            count = int(counted.group(1))
    return "\n".join(lines).strip(), quote, count
