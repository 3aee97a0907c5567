"""What an export is: its declaration (`Export`), the choices a user makes (`ExportOptions`,
the one options object the CLI and the app build and the runner passes on) and what a
builder reports back (`ExportReport`). The declarations themselves and the runner live
above every builder, in `reports`; the builders (themes.builders, refi.writer,
delphi.builders) import these types from here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

from corpus.roles import Can

Progress = Callable[[int, int | None, str | None], None]   # (done, total, what)


@dataclass(frozen=True)
class Export:
    """One export, as plain data: the builder is found by `name` in reports.run.BUILDERS."""

    name: str                      # `qda export NAME`
    formats: tuple[str, ...]       # the first is the default
    title: str                     # Swedish, for the app
    about: str                     # Swedish, one line under the title
    help: str                      # English, for the CLI
    needs: Can                     # what the actor must be allowed (checked before building)
    # the ExportOptions fields its builder reads; the others reach it at their defaults
    reads: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = set(self.reads) - OPTIONS
        if unknown:
            raise ValueError(f"export {self.name!r} reads no such option: "
                             f"{', '.join(sorted(unknown))}")


@dataclass(frozen=True)
class ExportOptions:
    """The choices a user can make, built once by the CLI from its flags and by the app from
    its widgets; each export reads those its declaration names (`Export.reads`)."""

    layer: str | None = None
    threshold: float | None = None       # None: the builder's default
    by: str = "area"
    round: str | None = None
    coders: Sequence[str] | None = None
    all_units: bool = False              # agreement without a round: every double-coded unit
    unique_names: bool = False           # "SIP (Samverkan)" for a name that repeats
    study: str | None = None             # a Delphi study's name
    progress: Progress | None = None     # told as a long export goes (the qdpx: per source)

    def for_export(self, spec: Export) -> ExportOptions:
        """The choices `spec` reads; the others back at their defaults (progress stays)."""
        blank = ExportOptions()
        return ExportOptions(**{f.name: getattr(self if f.name in spec.reads
                                                or f.name == "progress" else blank, f.name)
                                for f in fields(self)})


# the choices a declaration can say it reads (progress is not a choice: every export gets it)
OPTIONS = frozenset(f.name for f in fields(ExportOptions)) - {"progress"}


@dataclass
class ExportReport:
    what: str
    path: Path
    layer: str = ""
    layer_sv: str = ""             # the same in Swedish, for the app
    extra_paths: list[Path] = field(default_factory=list)
    rows: int = 0
    unit: str = "rows"             # what `rows` counts, plural: "sources" for the .qdpx
    details: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    untitled: list[int] = field(default_factory=list)     # questions headed "Fråga N" only
    renamed: dict[str, str] = field(default_factory=dict)  # code path -> name written
    given: dict[str, int] = field(default_factory=dict)    # layer drawn on -> its units
    # the layer's units by state: coded, not relevant, unresolved, uncoded (final layer)
    units: dict[str, int] = field(default_factory=dict)
    unresolved: list[int] = field(default_factory=list)   # units left out, undecided
    left_out: dict[str, int] = field(default_factory=dict)  # layers not drawn on: units
