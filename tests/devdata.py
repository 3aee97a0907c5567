"""Where the shared development data lives; tests read it there and never copy it."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]


def _shared(env: str, folder: str, marker: str) -> Path:
    """A folder of the shared material: $ENV, else ../shared/FOLDER beside the repo."""
    for candidate in (os.environ.get(env), REPO.parent / "shared" / folder,
                      f"/work/shared/{folder}"):
        if candidate and (Path(candidate) / marker).is_file():
            return Path(candidate)
    raise FileNotFoundError(f"{folder} not found: set {env} to the folder holding {marker}")


def dev_dir() -> Path:
    return _shared("QDA_DEV_DATA", "data", "postits_dev.tsv")


def dev_frame() -> pd.DataFrame:
    return pd.read_csv(dev_dir() / "postits_dev.tsv", sep="\t", dtype=str,
                       keep_default_na=False)


def refi_dir() -> Path:
    """The REFI-QDA schema and sample exports (../shared/refi-qda)."""
    return _shared("QDA_REFI_DIR", "refi-qda", "Project-mrt2019.xsd")
