"""Each item's rating distribution across the rounds, as PNG or SVG: one bar per item and
round, split into the shares rating 1-3, 4-6 and 7-9, with the median written beside it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")   # files only

import matplotlib.pyplot as plt  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from corpus.errors import QdaError  # noqa: E402
from themes.heatmap import figure_format, save_figure  # noqa: E402

from . import rounds as rounds_mod  # noqa: E402

THIRDS = (("1–3", "#c0504d"), ("4–6", "#bfbfbf"), ("7–9", "#4f81bd"))


def rows(session: Session, study_id: int) -> list[tuple[str, int, tuple[float, float, float],
                                                          float | None, int]]:
    """(item wording, round, shares per third, median, answers), items in list order and
    each item's rounds together."""
    found = []
    for r in rounds_mod.rounds(session, study_id):
        for res in rounds_mod.results(session, r.id):
            s = res.stats
            shares = (s.share_low or 0.0, s.share_middle or 0.0, s.share_high or 0.0)
            found.append((res.item_id, res.wording, r.number, shares, s.median, s.n))
    order = {item_id: k for k, (item_id, *_rest) in reversed(list(enumerate(found)))}
    found.sort(key=lambda row: (order[row[0]], row[2]))
    return [row[1:] for row in found]


def figure(data: list, title: str):
    height = 0.32 * max(len(data), 2) + 1.5
    fig, ax = plt.subplots(figsize=(10, height))
    labels = []
    for y, (wording, number, shares, median, n) in enumerate(data):
        left = 0.0
        for share, (name, colour) in zip(shares, THIRDS, strict=True):
            ax.barh(y, share, left=left, color=colour, label=name if y == 0 else None,
                    height=0.8)
            left += share
        ax.text(1.01, y, f"median {median:g}, n = {n}" if median is not None else "inga svar",
                va="center", fontsize=7)
        labels.append(f"{textwrap.shorten(wording, 60, placeholder=' …')} · runda {number}")
    ax.set_yticks(range(len(data)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_title(title, fontsize=11)
    ax.legend(title="Betyg", loc="upper center", bbox_to_anchor=(0.5, -0.6 / height),
              ncol=3, fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def write(session: Session, study_id: int, path: Path, title: str) -> Path:
    figure_format(path, "the chart")
    data = rows(session, study_id)
    if not data:
        raise QdaError("no round yet: open a round first", path, "E707")
    return save_figure(figure(data, title), path)
