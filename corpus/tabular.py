"""Reading and writing plain tables (TSV, CSV, XLSX) that researchers open in Excel.

Written cells that start like a formula are neutralised, so a note can never run as one;
CSV gets a byte-order mark so that Excel reads it as UTF-8.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from .errors import InputError
from .readers.grid import detect_delimiter
from .readers.textfile import decode_text

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMATS = (".tsv", ".csv", ".xlsx")


def neutralise(value: object) -> object:
    """Prefix an apostrophe to text Excel would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_table(frame: pd.DataFrame, path: Path | str, sheet: str = "data") -> Path:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"unknown table format {suffix or '(none)'}; use .tsv, .csv or .xlsx",
                         path, "E340")
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = frame.map(neutralise)
    if suffix == ".xlsx":
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            safe.to_excel(writer, sheet_name=sheet[:31], index=False)
            ws = writer.sheets[sheet[:31]]
            ws.freeze_panes = "A2"
            for col in ws.columns:
                width = max((len(str(c.value or "")) for c in col[:200]), default=8)
                ws.column_dimensions[col[0].column_letter].width = min(max(8, width + 2), 80)
    else:
        safe.to_csv(path, sep="\t" if suffix == ".tsv" else ",", index=False,
                    encoding="utf-8-sig" if suffix == ".csv" else "utf-8")
    return path


def read_table(path: Path | str) -> pd.DataFrame:
    """All cells as text, column names lower-cased and stripped."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path, "E341")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, dtype=str, keep_default_na=False)
        elif suffix in (".tsv", ".csv", ".txt"):
            # the delimiter by consistent field counts, as ingest reads it: Swedish Excel
            # writes ";" into a .csv
            text = decode_text(path.read_bytes(), path)
            frame = pd.read_csv(io.StringIO(text), sep=detect_delimiter(text[:8192]),
                                dtype=str, keep_default_na=False)
        else:
            raise InputError(f"unknown table format {suffix or '(none)'}; use .tsv, .csv or "
                             ".xlsx", path, "E340")
    except InputError:
        raise
    except Exception as exc:  # pandas/openpyxl raise many kinds for a broken file
        raise InputError(f"cannot read the table ({exc.__class__.__name__})", path,
                         "E341") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame
