"""The original files, kept read-only in the project's sources/ folder beside their rows.

A folder's helper processes (`corpus.helpers`) write each copy ahead, under a temporary
name in sources/.incoming/, while the main process writes the files before it; the import's
transaction then only renames it into place. Creating a file costs the kernel far more
than a rename on some machines, and the main process, which writes every row, bounds the
whole import (BENCHMARKS.md)."""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import suppress
from pathlib import Path

INCOMING = ".incoming"    # inside sources/; skipped by backups, swept when its writer is gone
PART = ".part"


def stored_name(digest: str, name: str) -> str:
    safe = re.sub(r"[^\w.\-]+", "_", name)
    return f"{digest[:12]}-{safe}"


def write_ahead(data: bytes, sources_dir: Path) -> Path:
    """A read-only copy of a file's bytes in sources/.incoming/, under a name no other
    writer can take, starting with this process's id (see `sweep`)."""
    incoming = sources_dir / INCOMING
    incoming.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(PART, f"{os.getpid()}-", incoming)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(name, 0o444)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def keep(path: Path, stored: Path, ahead: Path | None = None) -> bool:
    """Put the original in place as `stored`: the copy written ahead, else one written now
    (under a temporary name, then renamed). False when it is there already."""
    if stored.exists():
        return False
    if ahead is not None and ahead.exists():
        ahead.replace(stored)
        return True
    stored.parent.mkdir(parents=True, exist_ok=True)
    tmp = stored.with_name(stored.name + PART)
    tmp.write_bytes(path.read_bytes())
    os.chmod(tmp, 0o444)
    tmp.replace(stored)
    return True


def sweep(sources_dir: Path, pids: set[int] | None = None) -> int:
    """Remove copies written ahead and never taken: those of `pids`, or of processes no
    longer running (a folder's import killed outright). Returns how many went."""
    incoming = sources_dir / INCOMING
    if not incoming.is_dir():
        return 0
    removed = 0
    for entry in incoming.iterdir():
        owner = entry.name.split("-", 1)[0]
        if not owner.isdigit():
            continue
        if (int(owner) in pids) if pids is not None else not _running(int(owner)):
            entry.unlink(missing_ok=True)
            removed += 1
    with suppress(OSError):   # not empty: another import is copying ahead
        incoming.rmdir()
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # another user's process: running
        return True
    return True
