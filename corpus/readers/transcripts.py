"""Transcripts: speaker turns with timestamps from .txt, .docx, .vtt and .srt files.

Speaker lines recognised (alone on a line, or followed by the first words of the turn):
    Talare 2  00:14:31          Speaker 1 (00:01:23): text      [00:01:23] Talare 1: text
    Anna Svensson   0:03        Anna Svensson: [00:12:31] text  Anna Svensson: 00:12:31 text
    Anna Svensson: text  (untimed: if the label recurs, or is a full name or a generic label)
    Anna (politiker): text      Anna Svensson (tjänsteperson)  00:14:31
A note in parentheses after the name is kept apart from the speaker (`Turn.label_note`):
`corpus.speakers` takes it as the speaker's participant group if it names one.
The time is the turn's start, never part of its text (a line inside a turn that starts
with a bracketed time loses it too). Every other line belongs to the current turn; a
short line alone before the first speaker line (a .docx heading, "Gruppdiskussion – nära
vård") is the transcript's title, not a unit; other lines before the first speaker line
form a turn without a speaker, so no text is ever dropped.

A line of its own starting "Fråga 2" ("Fråga 2: Vilka hinder ser ni?", a heading in a
.docx), or a moderator's turn starting so ("Moderator: Fråga 2 …"), starts question 2:
that line is a turn of its own (without a speaker, or the moderator's), and it and the
turns after it answer question 2 until the next such line (`Turn.question`).
"""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import webvtt
from docx import Document
from webvtt.errors import MalformedCaptionError, MalformedFileError

from ..errors import InputError
from ..names import is_first_name
from ..notes import note
from ..pseudonymise import GENERIC_LABEL
from .textfile import decode_text
from .units import ReadResult, Turn

_TS = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_WORD = r"[A-ZÅÄÖÉÜ0-9][\wÅÄÖåäöéÉüÜ.'’\-]*"
# a noble surname's particles between two capitalised words: "Maria von Essen"
_PARTICLES = ("von", "af", "de", "van", "der", "la")
_PARTICLE = rf"(?:{'|'.join(_PARTICLES)})[ \t]+"
_LABEL = rf"{_WORD}(?:[ \t]+(?:{_PARTICLE}){{0,2}}{_WORD}){{0,3}}"
# a note in parentheses after the name: "Anna (politiker)"; no digits or colon, so that
# "Speaker 1 (00:01:23)" stays a time
_NOTE = r"(?:[ \t]*\((?P<note>[^()\[\]\d:\n]{2,40})\))?"

SPEAKER_LINES = [
    # Anna Svensson: [00:12:31] text | Deltagare 3: (00:12:31) text | Moderator: 0:12:31 text
    re.compile(rf"^\s*(?P<label>{_LABEL}){_NOTE}\s*:\s*(?:[(\[](?P<ts>{_TS})[)\]]|"
               rf"(?P<ts2>\d{{1,2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,3}})?))(?:\s+(?P<rest>.*))?$"),
    # Talare 2  00:14:31 | Speaker 1 (00:01:23): text | Anna Svensson   0:03
    re.compile(rf"^\s*(?P<label>{_LABEL}){_NOTE}[ \t]+[(\[]?(?P<ts>{_TS})[)\]]?\s*"
               rf"(?::\s*(?P<rest>.*))?$"),
    # [00:01:23] Talare 1: text | 00:01:23 - Talare 1: text
    re.compile(rf"^\s*[(\[]?(?P<ts>{_TS})[)\]]?\s*[-–]?\s*(?P<label>{_LABEL}){_NOTE}\s*:\s*"
               rf"(?P<rest>.*)$"),
]
# a time at the start of a line inside a turn: "[00:13:02] och sen …", "(00:13:02) …";
# "(14:00) var mötet" may be said, so a clock in parentheses needs its seconds
_LEADING_TS = re.compile(rf"^(?:\[{_TS}\]|\(\d{{1,2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,3}})?\))\s*")
_TITLE_MAX_CHARS = 100
_UNTIMED = re.compile(rf"^\s*(?P<label>{_LABEL}){_NOTE}\s*:\s*(?P<rest>.*)$")
_MAX_UNTIMED_LABEL_WORDS = 3
# lines like "Paus 00:06:00" or "Lunch 12:00" mark the recording, not a speaker
_MARKERS = {"paus", "pausen", "rast", "lunch", "lunchpaus", "fika", "fikapaus", "avbrott",
            "uppehåll", "slut", "start", "inspelningen", "inspelning", "tystnad", "break",
            "pause", "end", "ohörbart"}


def parse_timestamp(value: str) -> float:
    parts = value.replace(",", ".").split(":")
    seconds = float(parts[-1])
    minutes = int(parts[-2]) if len(parts) >= 2 else 0
    hours = int(parts[-3]) if len(parts) >= 3 else 0
    return hours * 3600 + minutes * 60 + seconds


# "Fråga 2", "FRÅGA 2:", "Fråga nr 2 –", "## Fråga 2", "Question 2": the start of a
# question's part of the discussion
_QUESTION_LINE = re.compile(r"^[\W_]*(?:fr[åa]ga|question)\s*(?:nr\.?\s*)?(\d{1,2})\b",
                            re.IGNORECASE)
_QUESTION_LINE_MAX = 300
# who puts the questions: a participant's turn starting "Fråga 2 tycker jag …" is no
# question's start
MODERATORS = {"moderator", "samtalsledare", "intervjuare", "facilitator", "processledare",
              "processtödjare", "mötesledare", "ordförande", "interviewer"}


def question_of_line(line: str) -> int | None:
    """The question a line starts ("Fråga 2: …" -> 2), or None."""
    if len(line) > _QUESTION_LINE_MAX:
        return None
    found = _QUESTION_LINE.match(line)
    return int(found.group(1)) if found else None


def lines_to_turns(lines: list[str]) -> list[Turn]:
    """Group lines into turns at each speaker line."""
    untimed: Counter[str] = Counter()
    noted: set[str] = set()
    for line in lines:
        # every speaker line has a colon (in its label's end or its time): most lines,
        # the turns' text, are passed over without trying the patterns
        match = _UNTIMED.match(line) if ":" in line else None
        if match and len(_names_in(match.group("label"))) <= _MAX_UNTIMED_LABEL_WORDS:
            label = match.group("label").strip()
            untimed[label] += 1
            if match.group("note") and is_first_name(label.split()[0]):
                noted.add(label)    # "Anna (politiker): …" is a speaker, even once
    recurring = {label for label, n in untimed.items()
                 if n >= 2 or _person_label(label) or label in noted}

    turns: list[Turn] = []
    current: Turn | None = None
    body: list[str] = []
    question: int | None = None

    def close() -> None:
        if current is not None and (body or current.speaker is not None):
            current.text = "\n".join(body)
            turns.append(current)

    for raw in lines:
        line = raw.strip()
        speaker = _speaker_line(line, recurring) if ":" in line else None
        if speaker is not None and speaker[0].split()[0].casefold() in _MARKERS:
            close()
            current, body = None, []
            continue
        if speaker is not None:
            close()
            label, start, rest, label_note = speaker
            if rest and label.split()[0].casefold() in MODERATORS:
                question = question_of_line(rest) or question
            current, body = Turn(label, "", start, label_note=label_note,
                                 question=question), []
            if rest:
                body.append(rest)
            continue
        if not line:
            continue
        stamp = _LEADING_TS.match(line)
        if stamp:
            line = line[stamp.end():]
            if current is not None and current.start_time is None and not body:
                current.start_time = parse_timestamp(stamp.group(0).strip(" ()[]"))
            if not line:
                continue
        asked = question_of_line(line)
        if asked is not None:               # a question's heading: a turn of its own
            close()
            question = asked
            current, body = Turn(None, "", None, question=question), []
        if current is None:
            current, body = Turn(None, "", None, question=question), []
        body.append(line)
    close()
    for turn, following in zip(turns, turns[1:], strict=False):
        if turn.end_time is None and following.start_time is not None:
            turn.end_time = following.start_time
    return [t for t in turns if t.text.strip()]     # a speaker line with nothing said


def split_title(turns: list[Turn]) -> tuple[str | None, list[Turn]]:
    """A first turn without a speaker that is one short line without a sentence's end,
    followed by speakers' turns, is the transcript's title ("Gruppdiskussion – nära
    vård"), and so is one followed by a question's heading ("Fråga 1: …"): kept apart,
    so it is never a unit to code nor sampled into a round."""
    if len(turns) < 2 or turns[0].speaker is not None or (
            turns[1].speaker is None and turns[1].question == turns[0].question):
        return None, turns
    text = turns[0].text.strip()
    if "\n" in text or len(text) > _TITLE_MAX_CHARS or text.endswith((".", "!", "?", ":")):
        return None, turns
    return text, turns[1:]


def _names_in(label: str) -> list[str]:
    """A label's words without particles ("Eva de la Gardie" is two names)."""
    return [w for w in label.split() if w not in _PARTICLES]


def _person_label(label: str) -> bool:
    """A label that names a speaker even if it occurs once: a first name and a surname
    ("Anna-Lena Berg: …", someone who spoke once) or a generic label ("Moderator: …",
    "Deltagare 7: …"). "Fråga 1: …" or "Obs: …" stay text, as does a lone first name
    ("Bo: …" may be the verb)."""
    words = _names_in(label)
    if GENERIC_LABEL.match(label):
        return True
    return 2 <= len(words) <= 3 and is_first_name(words[0]) \
        and all(w[0].isupper() and w[1:].replace("-", "").isalpha() for w in words[1:])


def _speaker_line(line: str, recurring: set[str]
                  ) -> tuple[str, float | None, str, str | None] | None:
    """(label, start, the turn's first words, the label's note in parentheses) or None."""
    for pattern in SPEAKER_LINES:
        match = pattern.match(line)
        if match:
            stamp = match.group("ts") or match.groupdict().get("ts2")
            assert stamp is not None        # every pattern has one of the two
            return (match.group("label").strip(), parse_timestamp(stamp),
                    (match.group("rest") or "").strip(), _note_of(match))
    match = _UNTIMED.match(line)
    if match and match.group("label").strip() in recurring:
        return (match.group("label").strip(), None, match.group("rest").strip(),
                _note_of(match))
    return None


def _note_of(match: re.Match[str]) -> str | None:
    note = match.group("note")
    return " ".join(note.split()) if note else None


def read_txt(path: Path) -> ReadResult:
    text = decode_text(path.read_bytes(), path)
    return _result(path, "txt", lines_to_turns(text.splitlines()))


def read_docx(path: Path) -> ReadResult:
    data = path.read_bytes()
    if not data:
        raise InputError("the file is empty", path, "E101")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError("the document is password-protected or an old .doc file; "
                         "save it as .docx without a password", path, "E120")
    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises zipfile, KeyError and its own errors
        raise InputError("not a readable .docx document (the file is corrupt or not Word)",
                         path, "E120") from exc
    lines: list[str] = []
    for paragraph in document.paragraphs:
        lines.extend(paragraph.text.splitlines() or [""])
    for table in document.tables:  # some services put the transcript in a table
        for row in table.rows:
            lines.append("  ".join(cell.text for cell in row.cells))
    return _result(path, "docx", lines_to_turns(lines))


_SRT_SPEAKER = re.compile(rf"^\s*[(\[]?(?P<label>{_LABEL})[)\]]?{_NOTE}\s*:\s*(?P<rest>.*)$",
                          re.S)
# a VTT voice with a note: <v Anna Svensson (politiker)>
_VOICE_NOTE = re.compile(r"^(?P<label>.*?)\s*\((?P<note>[^()\[\]\d:\n]{2,40})\)\s*$")


def read_subtitles(path: Path) -> ReadResult:
    """VTT/SRT cues merged into turns: consecutive cues of one speaker make one turn."""
    fmt = path.suffix.lower().lstrip(".")
    text = decode_text(path.read_bytes(), path)
    _check_timings(text, fmt, path)
    try:
        captions = webvtt.from_buffer(text.splitlines(), format=fmt)
    except (MalformedCaptionError, MalformedFileError) as exc:
        raise InputError(f"malformed {fmt.upper()} file: {exc}", path, "E121") from exc
    except (ValueError, IndexError) as exc:
        raise InputError(f"malformed {fmt.upper()} file: bad cue timing ({exc})",
                         path, "E121") from exc
    turns: list[Turn] = []
    for caption in captions.captions:
        body = " ".join(line.strip() for line in caption.text.splitlines() if line.strip())
        speaker = getattr(caption, "voice", None)
        label_note = None
        if speaker:
            voiced = _VOICE_NOTE.match(speaker)
            if voiced and voiced.group("label"):
                speaker, label_note = voiced.group("label"), _note_of(voiced)
        else:
            match = _SRT_SPEAKER.match(body)
            if match and len(_names_in(match.group("label"))) <= _MAX_UNTIMED_LABEL_WORDS:
                speaker, body = match.group("label").strip(), match.group("rest").strip()
                label_note = _note_of(match)
        if not body:
            continue
        start = _precise(caption.start, caption.start_in_seconds)
        end = _precise(caption.end, caption.end_in_seconds)
        last = turns[-1] if turns else None
        if last is not None and last.speaker == speaker:
            last.text = f"{last.text} {body}"
            last.end_time = end
            last.label_note = last.label_note or label_note
        else:
            turns.append(Turn(speaker, body, start, end, label_note))
    if not turns:
        raise InputError(f"the {fmt.upper()} file has no captions", path, "E122")
    return _result(path, fmt, turns)


_CUE_TIME = r"(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}"
_TIMING = re.compile(rf"^\s*{_CUE_TIME}\s+-->\s+{_CUE_TIME}(?:\s.*)?$")


def _check_timings(text: str, fmt: str, path: Path) -> None:
    """webvtt-py skips a cue whose timing it cannot read; we refuse rather than lose text."""
    for number, line in enumerate(text.splitlines(), start=1):
        if "-->" in line and not _TIMING.match(line):
            raise InputError(f"malformed {fmt.upper()} file: bad cue timing on line {number}: "
                             f"{line.strip()[:60]!r}", path, "E121")


def _precise(stamp: str, fallback: float) -> float:
    try:
        return parse_timestamp(stamp)
    except (ValueError, IndexError):
        return float(fallback)


def _result(path: Path, fmt: str, turns: list[Turn]) -> ReadResult:
    if not any(t.text.strip() for t in turns):
        raise InputError("no transcript text found", path, "E123")
    title, turns = split_title(turns)
    speakers = sum(1 for label in {t.speaker for t in turns} if label)
    warnings: list[str] = [] if speakers else [note("N110")]
    asked = Counter(t.question for t in turns)
    if any(q is not None for q in asked):
        per_question = ", ".join(f"{q}: {n}" for q, n in sorted(
            (q, n) for q, n in asked.items() if q is not None))
        before = asked.get(None, 0)
        warnings.append(note("N114", per_question=per_question, before=before) if before
                        else note("N113", per_question=per_question))
    return ReadResult(kind="transcript", file_format=fmt, turns=turns, warnings=warnings,
                      meta={"title": title} if title else {})
