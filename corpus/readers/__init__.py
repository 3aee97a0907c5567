"""One reader per file format; `read_file` picks it by extension."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import InputError
from .sheets import read_sheets
from .transcripts import read_docx, read_subtitles, read_txt
from .units import Note, ReadOptions, ReadResult, SheetReport, Turn

__all__ = ["Note", "ReadOptions", "ReadResult", "SheetReport", "Turn", "read_file", "SUFFIXES",
           "unreadable"]

READERS: dict[str, Callable[..., ReadResult]] = {
    ".xlsx": read_sheets,
    ".xlsm": read_sheets,
    ".csv": read_sheets,
    ".txt": lambda path, options: read_txt(path),
    ".docx": lambda path, options: read_docx(path),
    ".vtt": lambda path, options: read_subtitles(path),
    ".srt": lambda path, options: read_subtitles(path),
}
SUFFIXES = tuple(READERS)
_ADVICE = {
    ".xls": "old .xls workbooks are not read; open it in Excel and save it as .xlsx",
    ".doc": "old .doc files are not read; open it in Word and save it as .docx",
    ".pdf": "PDF is not read; export the text from the PDF as .txt or .docx",
}


def unreadable(path: Path) -> str | None:
    """Why a file's type is not read (with what to do for the common ones), or None."""
    suffix = path.suffix.lower()
    if suffix in READERS:
        return None
    return _ADVICE.get(suffix, f"unknown file type {suffix or '(no extension)'!r}; "
                       f"supported: {', '.join(SUFFIXES)}")


def read_file(path: Path, options: ReadOptions | None = None) -> ReadResult:
    options = options or ReadOptions()
    reason = unreadable(path)
    if reason is not None:
        raise InputError(reason, path, "E100")
    if not path.is_file():
        raise InputError("no such file", path, "E100")
    if path.stat().st_size == 0:
        raise InputError("the file is empty", path, "E101")
    return READERS[path.suffix.lower()](path, options)
