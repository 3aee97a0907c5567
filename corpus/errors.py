"""Errors a researcher can act on: one line, naming the file and the reason."""

from __future__ import annotations

from pathlib import Path


class QdaError(Exception):
    """A user-facing error. `str()` is the one line the CLI prints."""

    def __init__(self, reason: str, path: Path | str | None = None, code: str = "E000"):
        self.reason = reason
        self.path = Path(path) if path is not None else None
        self.code = code
        super().__init__(self.line())

    def line(self) -> str:
        where = f"{self.path.name}: " if self.path is not None else ""
        return f"{where}{self.reason} [{self.code}]"


class InputError(QdaError):
    """A file cannot be read as the material it claims to be."""


class DuplicateSourceError(QdaError):
    """The same bytes were imported before."""
