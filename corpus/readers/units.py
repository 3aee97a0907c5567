"""What readers return: notes and turns as read from the file, before pseudonymisation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..dimensions import Dimension


@dataclass
class Note:
    text: str
    area: str | None = None
    question: int | None = None
    sheet: str | None = None
    cell: str | None = None
    duplicate_count: int = 1
    author: str | None = None  # a real name (Padlet); pseudonymised before storing
    group: str | None = None   # the participant group as written (a column), if any
    # where the area and the group were written (a header or an Område cell): an error
    # about an unknown area names that cell, not the note's
    area_cell: str | None = None
    group_cell: str | None = None
    # the blank cell of an area column that writes every row's area: said by name
    area_left_out: str | None = None


@dataclass
class Turn:
    speaker: str | None  # the label as written in the file; pseudonymised before storing
    text: str
    start_time: float | None = None
    end_time: float | None = None
    # what the label said in parentheses after the name ("Anna (politiker)"): a
    # participant group if it names one of the project's (`corpus.speakers`)
    label_note: str | None = None
    group: str | None = None   # the speaker's participant group (`corpus.speakers`)
    # the question the turn answers, from the transcript's "Fråga N" lines (see
    # `corpus.readers.transcripts`); None before the first
    question: int | None = None


@dataclass
class SheetReport:
    """What was detected in one sheet (or one CSV), for the ingest report."""

    name: str
    layout: str  # wide, long, list, padlet, survey, questions, skipped
    question: int | None = None
    question_text: str | None = None
    # the questions its notes answer: a question column may give them, not the sheet
    questions: list[int] = field(default_factory=list)
    # question -> its words as a Fråga column writes them ("Fråga 1: Vad fungerar bra?")
    question_texts: dict[int, str] = field(default_factory=dict)
    notes_per_area: dict[str, int] = field(default_factory=dict)
    duplicate_marks: int = 0
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class ReadResult:
    kind: str  # postits, padlet, survey, transcript
    file_format: str
    notes: list[Note] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    sheets: list[SheetReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SpeakerList:
    """A researcher's list of speakers and their groups, as read (`corpus.speakers`):
    carried to the readers and helpers in the options, never stored (it names people)."""

    name: str                                  # the file's name, for messages
    rows: tuple[tuple[str, str, int], ...]     # (speaker as written, group, row number)


@dataclass
class ReadOptions:
    """Overrides a researcher can give when detection is not what they want."""

    kind: str | None = None
    question: int | None = None
    area: str | None = None            # a label as written; the ingest resolves it
    layout: str | None = None
    group: str | None = None           # a participant group for every unit, as written
    # the project's areas when the file is read (`corpus.study`): area headers are told
    # from other headers by them; None: the material alone decides
    areas: Dimension | None = None
    # the project's participant groups: a speaker label that names one ("Politiker 2",
    # "Anna (politiker)") gives the speaker's turns that group (`corpus.speakers`)
    groups: Dimension | None = None
    # the researcher's speaker list (speaker as written -> group): applied to the labels
    # before they are pseudonymised, never stored (it names people)
    speakers: SpeakerList | None = None
    # the project's question texts (qda.toml [questions]): a Fråga column may hold a
    # question's whole text instead of its number
    questions: dict[int, str] | None = None
