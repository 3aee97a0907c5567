"""Render the demo discussions (plain "Name: text" files) in the shapes services deliver.

- talare: `Talare 2  00:14:31` lines, names never written (a transcription service's .txt)
- bracket: `[00:01:23] Name: text` (.txt)
- name_clock: `Name   0:03` paragraphs in a .docx
- vtt: Teams-style WebVTT with short cues and `<v Name>` voice tags
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document

WORDS_PER_SECOND = 2.6
PAUSE_SECONDS = 1.5
CUE_WORDS = 12


@dataclass
class Talk:
    meta: dict[str, str]
    turns: list[tuple[str, str]] = field(default_factory=list)  # (speaker, text)


def read_talk(path: Path) -> Talk:
    talk = Talk(meta={})
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            if value:
                talk.meta[key.strip()] = value.strip()
        elif line.strip():
            speaker, _, text = line.partition(":")
            talk.turns.append((speaker.strip(), text.strip()))
    return talk


def timed(turns: list[tuple[str, str]], start: float = 4.0):
    """(speaker, text, start, end) with a plausible speaking pace."""
    clock = start
    for speaker, text in turns:
        duration = len(text.split()) / WORDS_PER_SECOND
        yield speaker, text, clock, clock + duration
        clock += duration + PAUSE_SECONDS


def hms(seconds: float, fraction: bool = False) -> str:
    whole = int(seconds)
    base = f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    return f"{base}.{int(round((seconds - whole) * 1000)) % 1000:03d}" if fraction else base


def ms(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def render_talare(talk: Talk, out: Path) -> Path:
    numbers: dict[str, int] = {}
    lines = [talk.meta.get("title", ""), ""]
    for speaker, text, start, _ in timed(talk.turns):
        n = numbers.setdefault(speaker, len(numbers) + 1)
        lines += [f"Talare {n}  {hms(start)}", text, ""]
    out.write_text("\n".join(lines), encoding="utf-8")
    return out


def render_bracket(talk: Talk, out: Path) -> Path:
    lines = [f"[{hms(start)}] {speaker}: {text}" for speaker, text, start, _ in timed(talk.turns)]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def render_name_clock(talk: Talk, out: Path) -> Path:
    doc = Document()
    doc.add_heading(talk.meta.get("title", "Transkribering"), level=1)
    for speaker, text, start, _ in timed(talk.turns):
        doc.add_paragraph(f"{speaker}   {ms(start)}")
        doc.add_paragraph(text)
        doc.add_paragraph("")
    doc.save(str(out))
    return out


def _cues(text: str) -> list[str]:
    """Split a turn into short cues at sentence or comma boundaries, as Teams does."""
    parts = re.split(r"(?<=[.,?!])\s+", text)
    cues: list[str] = []
    current: list[str] = []
    for part in parts:
        words = part.split()
        if current and len(current) + len(words) > CUE_WORDS:
            cues.append(" ".join(current))
            current = []
        current.extend(words)
    if current:
        cues.append(" ".join(current))
    return cues


def render_vtt(talk: Talk, out: Path) -> Path:
    lines = ["WEBVTT", ""]
    n = 0
    for speaker, text, start, end in timed(talk.turns):
        cues = _cues(text)
        total = sum(len(c.split()) for c in cues)
        clock = start
        for cue in cues:
            length = (end - start) * len(cue.split()) / total
            n += 1
            lines += [f"{n}-0", f"{hms(clock, True)} --> {hms(clock + length, True)}",
                      f"<v {speaker}>{cue}</v>", ""]
            clock += length
    out.write_text("\n".join(lines), encoding="utf-8")
    return out


RENDERERS = {"talare": render_talare, "bracket": render_bracket,
             "name_clock": render_name_clock, "vtt": render_vtt}


def render(path: Path, folder: Path) -> tuple[Path, Talk]:
    talk = read_talk(path)
    out = folder / talk.meta["file"]
    return RENDERERS[talk.meta["render"]](talk, out), talk
