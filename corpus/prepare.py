"""A file read, pseudonymised and split into unit rows before its transaction opens:
none of it needs the store, so a folder's files can be prepared in helper processes
while the main process writes the ones before (see `helpers`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .pseudonymise import Pseudonymiser, place_words
from .readers import ReadOptions, ReadResult, read_file
from .segment import sentence_spans
from .speakers import assign

TURN_SEPARATOR = "\n\n"
BATCH_CHARS = 100_000   # transcript text pseudonymised, split and written at a time

# A batch of a transcript: its turns' rows, and for each turn its sentences' (start, end)
# in the turn's text. A turn's "id" holds its index in the transcript until the store
# gives ids; "source_id" and "area" are filled in there too (they come from the store),
# "participant_group" turned from a label as written into the project's key (`corpus.study`),
# and the sentences' rows made there (`sentence_rows`): sent from a helper process as
# rows, they made the data to pickle and send twice as large, and the helper the busier
# of the two processes.
Batch = tuple[list[dict], list[list[tuple[int, int]]]]
SENTENCE_COLUMNS = ("source_id", "kind", "parent_id", "position", "question", "area",
                    "participant_group", "speaker", "location", "start_char", "end_char",
                    "start_time", "end_time", "duplicate_count", "text")


@dataclass
class Prepared:
    """What a file becomes before it is written. `units` is a list of note rows, or the
    transcript's batches: a list when made in a helper, a generator when made in line
    (so that on PostgreSQL one batch is written while the next is made)."""

    path: Path
    digest: str
    result: ReadResult            # kind, format, warnings, sheets; turns and notes dropped
    pseudonymiser: Pseudonymiser
    units: Iterable[Batch] | list[dict] = field(default_factory=list)
    turns: int = 0
    ahead: Path | None = None     # the original's copy written ahead (`originals`)
    # a transcript's speakers' participant groups as written, each with where it was
    # written; the turns' rows hold these labels until the store resolves them
    groups: dict[str, str] = field(default_factory=dict)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def prepare(path: Path, options: ReadOptions | None = None, digest: str | None = None,
            whole: bool = False) -> Prepared:
    """Read and hash a file and make its unit rows; `whole` makes every batch now (for a
    helper to send back) instead of as they are written. Raises QdaError."""
    path = Path(path)
    options = options or ReadOptions()
    if not path.exists():
        raise InputError("no such file", path, "E100")
    digest = digest or sha256_of(path)
    result = read_file(path, options)
    # the study's places are not names: the project's areas and those the file names
    known = [name for v in (options.areas.values if options.areas else ())
             for name in v.names()]
    places = place_words([*known, options.area, *(n.area for n in result.notes)])
    prepared = Prepared(path, digest, result, Pseudonymiser(places=places))
    if result.kind == "transcript":
        # the speakers' groups from their labels as written, before any is pseudonymised
        found = assign(result.turns, options.groups, options.speakers, path)
        result.warnings += found.warnings
        prepared.groups = found.groups
        prepared.pseudonymiser.no_one |= found.no_one
        prepared.units = transcript_batches(result, prepared.pseudonymiser, options.question)
        prepared.turns = len(result.turns)
        if whole:
            prepared.units = list(prepared.units)
    else:
        prepared.units = note_rows(result, prepared.pseudonymiser, options.question)
    if whole:
        result.turns, result.notes = [], []
    return prepared


def note_rows(result: ReadResult, pseudonymiser: Pseudonymiser, question: int | None
              ) -> list[dict]:
    """A source's notes as unit rows, pseudonymised; "area" holds the note's own or None."""
    for note in result.notes:  # authors first, so their names are known inside any note
        pseudonymiser.speaker(note.author)
    return [
        {"source_id": None, "kind": "note", "position": i,
         "question": note.question or question, "area": note.area,
         "speaker": pseudonymiser.speaker(note.author), "sheet": note.sheet,
         "location": note.cell, "duplicate_count": note.duplicate_count,
         "text": pseudonymiser.text(note.text), "participant_group": note.group,
         "area_cell": note.area_cell or note.cell, "group_cell": note.group_cell or note.cell}
        for i, note in enumerate(result.notes)
    ]


def transcript_batches(result: ReadResult, pseudonymiser: Pseudonymiser,
                       question: int | None) -> Iterator[Batch]:
    """A transcript's turns as unit rows, with offsets into the pseudonymised full text
    (the turns joined by TURN_SEPARATOR), and their sentences' spans, about BATCH_CHARS
    of text a batch."""
    turns = result.turns
    pseudonymiser.reserve(turn.speaker for turn in turns)
    for turn in turns:
        pseudonymiser.speaker(turn.speaker)      # pseudonyms numbered in order of speaking
    start, i = 0, 0
    while i < len(turns):
        turn_rows: list[dict[str, Any]] = []
        size = 0
        while i < len(turns) and size < BATCH_CHARS:
            turn = turns[i]
            text = pseudonymiser.text(turn.text)
            turn_rows.append({
                "id": i, "source_id": None, "kind": "turn", "position": i,
                "question": turn.question or question, "area": None,
                "participant_group": turn.group,
                "speaker": pseudonymiser.speaker(turn.speaker),
                "location": _clock(turn.start_time), "start_char": start,
                "end_char": start + len(text), "start_time": turn.start_time,
                "end_time": turn.end_time, "duplicate_count": 1, "text": text})
            start += len(text) + len(TURN_SEPARATOR)
            size += len(text)
            i += 1
        yield turn_rows, list(sentence_spans([row["text"] for row in turn_rows]))


def sentence_rows(turn_rows: list[dict], spans: list[list[tuple[int, int]]],
                  position: int) -> list[tuple]:
    """The sentences of turns whose rows are complete (ids, source, area, question), as
    SENTENCE_COLUMNS tuples numbered from `position` (the store gives their ids)."""
    rows = []
    for turn, turn_spans in zip(turn_rows, spans, strict=True):
        text, offset, parent = turn["text"], turn["start_char"], turn["id"]
        head = (turn["source_id"], "sentence", parent)
        tail = (turn["question"], turn["area"], turn["participant_group"], turn["speaker"],
                turn["location"])
        times = (turn["start_time"], turn["end_time"], 1)
        for a, b in turn_spans:
            rows.append((*head, position, *tail, offset + a, offset + b, *times,
                         text[a:b]))
            position += 1
    return rows


def _clock(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
