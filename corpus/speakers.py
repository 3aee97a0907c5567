"""Participant groups of a transcript's speakers, where the material or the researcher
says them: a speaker list (speaker as written -> group), a note after the name ("Anna
(politiker)") or a label that names a group of the project ("Politiker 2", "Tjänsteperson
A"). Applied to the labels as written, before they are pseudonymised (`corpus.prepare`),
so that counts by group count each turn by its speaker's group. The list is read into
memory and never stored: it names people, and no message about it repeats a name."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from .dimensions import Dimension, fold
from .errors import InputError
from .notes import note
from .readers.grid import detect_delimiter
from .readers.textfile import decode_text
from .readers.units import SpeakerList, Turn

__all__ = ["SUFFIXES", "Assigned", "SpeakerList", "assign", "named_group",
           "read_speaker_list", "speaker_key"]

SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
# a header row: both cells say what their column holds (in either order)
_SPEAKER_HEADERS = frozenset({"talare", "speaker", "namn", "name", "deltagare",
                              "participant", "person"})
_GROUP_HEADERS = frozenset({"grupp", "group", "deltagargrupp", "participant group", "roll",
                            "role", "yrkesgrupp", "yrkesroll", "yrke"})
# a label's last word that tells people of one group apart: "Politiker 2", "Tjänsteperson A"
_TAG = re.compile(r"^(?:\d{1,3}|[a-z])$")
_NOTE = re.compile(r"\s*\([^()]*\)\s*$")
LIST_WHERE = "speaker list"      # how a group's origin is named in an error (`corpus.study`)


@dataclass
class Assigned:
    """What `assign` found: the groups as written (each with where it was written, for an
    error about it), the labels that name a group and no one, and the report's notes."""

    groups: dict[str, str] = field(default_factory=dict)
    no_one: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)


def speaker_key(label: str) -> str:
    """A speaker label compared as written, but for case, spacing and a note in
    parentheses ("Anna Berg (politiker)" is "anna berg")."""
    return " ".join(_NOTE.sub("", label).split()).casefold()


def _bad(path: Path, reason: str, detail_sv: str) -> InputError:
    return InputError(reason, path, "E124", detail_sv=detail_sv)


def read_speaker_list(path: Path | str, data: bytes | None = None) -> SpeakerList:
    """A speaker list from a .csv, .tsv, .txt (the delimiter detected) or .xlsx file (its
    first sheet), or from `data` read from an upload named `path`: two columns, the
    speaker as written in the transcript and the group, an optional header row. Raises
    InputError (E124) naming the file and the row."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise _bad(path, f"a speaker list is a {', '.join(SUFFIXES)} file of two columns "
                   "(speaker, group), not " + (suffix or "a file without an extension"),
                   "talarlistan ska vara en .csv-, .tsv-, .txt- eller .xlsx-fil med två "
                   "kolumner: talare och grupp")
    if data is None:
        if not path.is_file():
            raise InputError("no such file", path, "E100")
        data = path.read_bytes()
    table = _xlsx_rows(data, path) if suffix == ".xlsx" else _text_rows(data, path)
    rows: list[tuple[str, str, int]] = []
    seen: dict[str, tuple[str, int]] = {}
    group_first, header_checked = False, False
    for number, cells in table:
        filled = [c for c in cells if c]
        if not filled:
            continue
        if not header_checked:
            header_checked = True
            order = _header(filled) if len(filled) == 2 else None
            if order is not None:
                group_first = order
                continue
        if len(filled) > 2:
            raise _bad(path, f"row {number} has {len(filled)} filled cells; a speaker list "
                       "has two columns: the speaker as written in the transcript, the group",
                       f"rad {number} har {len(filled)} ifyllda celler; talarlistan har två "
                       "kolumner: talaren som i transkriptet och gruppen")
        if len(filled) < 2:
            raise _bad(path, f"row {number} has a speaker without a group, or a group "
                       "without a speaker",
                       f"rad {number} saknar talaren eller gruppen")
        speaker, group = reversed(filled) if group_first else filled
        key = speaker_key(speaker)
        if key in seen:
            if fold(seen[key][0]) != fold(group):
                raise _bad(path, f"row {number} gives the speaker of row {seen[key][1]} "
                           "another group", f"rad {number} ger talaren på rad "
                           f"{seen[key][1]} en annan grupp")
            continue
        seen[key] = (group, number)
        rows.append((speaker, group, number))
    if not rows:
        raise _bad(path, "no speakers in the list", "listan innehåller inga talare")
    return SpeakerList(path.name, tuple(rows))


def _header(cells: list[str]) -> bool | None:
    """Whether a first row is a header ("Talare;Grupp", "Grupp;Namn"): None if not, else
    whether the group's column comes first."""
    def said(cell: str, names: frozenset[str]) -> bool:
        words = fold(cell)
        return words in names or (" " in words and words.split()[0] in names
                                  and not _TAG.match(words.split()[-1]))
    first, second = cells
    if said(first, _SPEAKER_HEADERS) and said(second, _GROUP_HEADERS):
        return False
    if said(first, _GROUP_HEADERS) and said(second, _SPEAKER_HEADERS):
        return True
    return None


def _text_rows(data: bytes, path: Path) -> list[tuple[int, list[str]]]:
    text = decode_text(data, path)
    dialect = type("Dialect", (csv.excel,), {
        "delimiter": "\t" if path.suffix.lower() == ".tsv" else detect_delimiter(text[:8192]),
        "strict": True})
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text), dialect)
    start = 1           # the line a row starts on (a quoted cell may span lines)
    try:
        for row in reader:
            rows.append((start, [" ".join(c.split()) for c in row]))
            start = reader.line_num + 1
    except csv.Error as exc:
        reason = "is never closed" if "end of data" in str(exc) else "is in the wrong place"
        raise _bad(path, f'row {start}: a quote (") {reason}',
                   f"rad {start}: ett citattecken (\") "
                   + ("stängs aldrig" if "closed" in reason else "står på fel ställe")
                   ) from None
    return rows


def _xlsx_rows(data: bytes, path: Path) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = [(number, [_cell(v) for v in row]) for number, row
                in enumerate(sheet.iter_rows(values_only=True), start=1)]
        book.close()
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors
        raise _bad(path, "not a readable .xlsx workbook",
                   "arbetsboken går inte att läsa") from exc
    return rows


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _names_someone(note: str) -> bool:
    """Whether a note after a speaker's name may be more of the name: capitalised words
    ("Svensson", "Berg Lind"), not a remark ("via länk", "moderator")."""
    words = note.split()
    return bool(words) and all(w[:1].isupper() for w in words)


def named_group(label: str, groups: Dimension) -> str | None:
    """The group a label names, as "Politiker 2", "Tjänsteperson A" or "Vårdpersonal"
    do (any form of the group's name, a number or a letter after it), or None."""
    words = fold(label).split()
    if len(words) > 1 and _TAG.match(words[-1]):
        words = words[:-1]
    return groups.key_inflected(" ".join(words)) if words else None


def assign(turns: list[Turn], groups: Dimension | None, speakers: SpeakerList | None,
           transcript: Path) -> Assigned:
    """Each turn's `group` (a label as the resolver reads it) from its speaker: the
    speaker list first, then a note after the name in any of the speaker's turns, then the
    label itself; a speaker none of them names keeps none (the file's --group, if given).
    Notes: list rows whose speaker does not speak here, labels' notes that name no group.
    A group in the list must be one the project knows (add new groups to the study first):
    a list whose second column holds names ("Talare 1;Anna Berg") would otherwise make a
    person a participant group, printed in every table by group. The refusal names the
    row, never the value. A group that is a speaker of this transcript is refused too."""
    found = Assigned()
    spoken: dict[str, str] = {}         # speaker key -> label as written
    for turn in turns:
        if turn.speaker:
            spoken.setdefault(speaker_key(turn.speaker), turn.speaker)
    listed = {speaker_key(s): (g, n) for s, g, n in speakers.rows} if speakers else {}
    if speakers is not None:
        for _, group, number in speakers.rows:
            if speaker_key(group) in spoken:
                raise _bad(Path(speakers.name),
                           f"row {number}: the group is a speaker of {transcript.name}; the "
                           "first column is the speaker as written, the second the group",
                           f"rad {number}: gruppen är en talare i {transcript.name}; första "
                           "kolumnen är talaren, andra gruppen")
            if groups is None or groups.key_inflected(group) is None:
                raise _bad(Path(speakers.name),
                           f"row {number}: the group is not one of the project's participant "
                           "groups (add it first: `qda study add group NAME`)",
                           f"rad {number}: gruppen är inte någon av projektets deltagargrupper "
                           "(lägg till den under Områden och grupper först)")
    notes: dict[str, str] = {}           # speaker key -> a note that names a group
    unnamed: set[str] = set()            # speakers whose notes name no group
    for turn in turns:
        if turn.speaker and turn.label_note:
            key = speaker_key(turn.speaker)
            value = groups.key_inflected(turn.label_note) if groups is not None else None
            if value is not None:
                notes.setdefault(key, value)
            else:
                unnamed.add(key)
    chosen: dict[str, str] = {}
    for key, label in spoken.items():
        named = named_group(label, groups) if groups is not None else None
        if named is not None:
            found.no_one.add(" ".join(label.split()))
        if key in listed:
            group, number = listed[key]
            where = f"{LIST_WHERE} {speakers.name if speakers else ''}, row {number}"
        elif (value := notes.get(key) or named) is not None:
            assert groups is not None       # a note or a label named one of them
            group, where = groups.label(value), "speaker label"
        else:
            continue
        chosen[key] = group
        found.groups.setdefault(group, where)
    for turn in turns:
        if turn.speaker:
            turn.group = chosen.get(speaker_key(turn.speaker))
            if turn.label_note and _names_someone(turn.label_note) and (
                    groups is None or groups.key_inflected(turn.label_note) is None):
                # "Anna (Svensson)": the note is part of the name, and the pseudonymiser
                # must look for it in the text too
                turn.speaker = f"{turn.speaker} {turn.label_note}"
    if speakers is not None:
        absent = [str(n) for s, _, n in speakers.rows if speaker_key(s) not in spoken]
        if absent:
            found.warnings.append(note("N111", name=speakers.name, rows=", ".join(absent)))
    unnamed -= set(notes) | set(chosen)
    if unnamed:
        found.warnings.append(note("N112", n=len(unnamed)))
    return found
