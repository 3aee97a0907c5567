"""A heatmap of main themes × area (or × question) as PNG or SVG, for the report and the
app's Teman page. Cells show the number of coded units; colour is scaled per figure."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")   # no screen, no GUI toolkit: files only

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FormatStrFormatter, MaxNLocator  # noqa: E402

from corpus.errors import QdaError  # noqa: E402
from corpus.files import atomic_write  # noqa: E402

DPI = 200


def main_theme_matrix(counts: pd.DataFrame) -> pd.DataFrame:
    """Main-theme rows of a `theme_counts` table, indexed by theme, one column per area /
    question (Totalt and Andel dropped)."""
    mains = counts[counts.Subtema == ""] if len(counts) else counts
    value_columns = [c for c in counts.columns
                     if c not in ("Huvudtema", "Subtema", "Totalt", "Andel")]
    return mains.set_index("Huvudtema")[value_columns].astype(int)


def figure(matrix: pd.DataFrame, title: str):
    """The heatmap as a matplotlib Figure (the app shows it; `write` saves it)."""
    rows, cols = matrix.shape
    fig, ax = plt.subplots(figsize=(1.3 * max(cols, 3) + 3.5, 0.45 * max(rows, 2) + 1.6))
    values = matrix.to_numpy(dtype=float) if rows and cols else np.zeros((1, 1))
    image = ax.imshow(values, cmap="Blues", aspect="auto", vmin=0,
                      vmax=max(values.max(), 1))
    ax.set_xticks(range(cols), [str(c) for c in matrix.columns])
    ax.set_yticks(range(rows), [str(i) for i in matrix.index])
    ax.tick_params(top=True, bottom=False, labeltop=True, labelbottom=False, length=0)
    top = max(values.max(), 1)
    for r in range(rows):
        for c in range(cols):
            value = int(values[r, c])
            ax.text(c, r, str(value), ha="center", va="center", fontsize=9,
                    color="white" if value > 0.6 * top else "black")
    ax.set_title(title, fontsize=11, pad=28)
    # counts are whole units: ticks at integers only (a scale up to 3 read 0.5, 1.5 …)
    bar = fig.colorbar(image, ax=ax, fraction=0.03, pad=0.02, label="Antal kodade enheter",
                       ticks=MaxNLocator(nbins=6, integer=True, min_n_ticks=1))
    bar.ax.yaxis.set_major_formatter(FormatStrFormatter("%d"))
    fig.tight_layout()
    return fig


def write(matrix: pd.DataFrame, path: Path, title: str) -> Path:
    """PNG or SVG by the file's suffix; written through a temporary file."""
    figure_format(path, "a heatmap")
    return save_figure(figure(matrix, title), path)


def figure_format(path: Path, what: str) -> str:
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in ("png", "svg"):
        raise QdaError(f"{what} is written as png or svg, not {fmt!r}", path, "E403")
    return fmt


def save_figure(fig, path: Path) -> Path:
    """PNG or SVG by the file's suffix, through a temporary file; the figure is closed.
    No dates or random ids in the file: the same figure gives the same bytes."""
    fmt = figure_format(path, "a figure")
    metadata = {"Date": None} if fmt == "svg" else {"Software": "workshop-qda"}
    try:
        with plt.rc_context({"svg.hashsalt": "workshop-qda"}):
            return atomic_write(path, lambda tmp: fig.savefig(tmp, format=fmt, dpi=DPI,
                                                              metadata=metadata))
    finally:
        plt.close(fig)
