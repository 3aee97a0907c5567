"""Where the shared development data lives; tests read it there and never copy it."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]


def dev_dir() -> Path:
    candidates = [os.environ.get("QDA_DEV_DATA"), REPO.parent / "shared" / "data",
                  "/work/shared/data"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "postits_dev.tsv").is_file():
            return Path(candidate)
    raise FileNotFoundError("development data not found: set QDA_DEV_DATA to the folder "
                            "holding postits_dev.tsv")


def dev_frame() -> pd.DataFrame:
    return pd.read_csv(dev_dir() / "postits_dev.tsv", sep="\t", dtype=str,
                       keep_default_na=False)


def refi_dir() -> Path:
    """The REFI-QDA schema and sample exports (../shared/refi-qda)."""
    candidates = [os.environ.get("QDA_REFI_DIR"), REPO.parent / "shared" / "refi-qda",
                  "/work/shared/refi-qda"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "Project-mrt2019.xsd").is_file():
            return Path(candidate)
    raise FileNotFoundError("REFI-QDA material not found: set QDA_REFI_DIR to the folder "
                            "holding Project-mrt2019.xsd")
