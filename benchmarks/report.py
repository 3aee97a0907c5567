"""Write one marked section of BENCHMARKS.md, leaving the other sections as they are."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "BENCHMARKS.md"


def write_section(mark: str, lines: list[str]) -> str:
    tag = f"<!-- {mark} -->"
    section = "\n".join([tag, *lines, tag])
    old = OUT.read_text(encoding="utf-8") if OUT.exists() else "# Benchmarks\n\n"
    if tag in old:
        head, _, rest = old.partition(tag)
        _, _, tail = rest.partition(tag)
        new = head + section + tail
    else:
        new = old.rstrip("\n") + "\n\n" + section + "\n"
    OUT.write_text(new, encoding="utf-8")
    return section
