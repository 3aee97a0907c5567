"""Writing a file so that a failure never leaves half of it behind."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .errors import QdaError


def atomic_write(path: Path, write: Callable[[Path], object]) -> Path:
    """Write through a temporary file beside `path`, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    try:
        write(tmp)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise QdaError(f"cannot write: {exc.strerror or exc}", path, "E410") from None
    except BaseException:          # Ctrl-C or a failing writer: no half file stays
        tmp.unlink(missing_ok=True)
        raise
    return path
