"""The REFI-QDA exports, declared for the registry (coding.exporting)."""

from __future__ import annotations

from coding.exporting import Export, declare
from corpus.roles import Can

declare(Export(
    "qdpx", ("qdpx",), "REFI-QDA-projekt (.qdpx)",
    "Hela projektet till NVivo, ATLAS.ti, MAXQDA, QualCoder.",
    "the whole project for NVivo, ATLAS.ti, MAXQDA, QualCoder",
    Can.READ_CODINGS, "refi.export:write_project", unique_names=True))
declare(Export(
    "qdc", ("qdc",), "REFI-QDA-kodbok (.qdc)", "Kodboken till andra verktyg.",
    "the codebook for other QDA tools",
    Can.READ_THEMES, "refi.export:write_codebook", unique_names=True))
