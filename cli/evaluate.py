"""`qda eval`: how good the suggestions are on labelled data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from corpus.errors import QdaError

from .common import JsonOpt, console, user_errors


def eval_command(
    train: Annotated[Path, typer.Option("--train", help="Labelled TSV to learn from.")],
    test: Annotated[Path, typer.Option("--test", help="Labelled TSV to score.")],
    codebook: Annotated[str | None, typer.Option(help="Bundled name or codebook file, used as "
                                                 "is (default: the bundled färdplan concepts "
                                                 "plus TRAIN's themes, never TEST's).")] = None,
    level: Annotated[str, typer.Option(help="huvudtema, subtema or both.")] = "both",
    curve: Annotated[bool, typer.Option(help="Compute the learning curve.")] = True,
    session: Annotated[bool, typer.Option(
        "--session", help="Replay TEST as a coding session: suggestions before each row "
        "from TRAIN and the rows decided so far, retrained as the app does; where the "
        "right code stood, keystrokes per row, and top-1 over the session.")] = False,
    seeds: Annotated[int, typer.Option(min=1, help="--session: shuffled orders to "
                                       "average.")] = 3,
    embed: Annotated[bool | None, typer.Option(
        "--embed/--no-embed", help="With or without the meaning signal (the embed extra); "
        "default: with it when it is installed.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Measure suggestion quality: top-1/top-3 accuracy, macro-F1, per signal, and a
    learning curve (10, 25, 50, 100, all TRAIN rows; 5 random orders); or, with
    --session, what a coder experiences."""
    from coding.evaluate import LEVELS, SIGNALS, evaluate, read_labelled
    from refi.codebooks import read_any as read_codebook

    if session:
        _session(train, test, codebook, seeds, as_json, embed)
        return

    with user_errors():
        if level not in (*LEVELS, "both"):
            raise QdaError(f"--level must be huvudtema, subtema or both, not {level!r}",
                           None, "E313")
        levels = list(LEVELS) if level == "both" else [level]
        doc = read_codebook(codebook) if codebook else None
        result = evaluate(read_labelled(train), read_labelled(test), doc, levels, curve,
                          embedder=_embedder(embed))
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    console.print(f"codebook {result['codebook']}; {result['n_train']} train rows, "
                  f"{result['n_test']} test rows; {len(result['emergent_codes_added'])} "
                  "emergent codes added from TRAIN", highlight=False)
    table = Table("level", "signal", "top-1", "top-3", "macro-F1", "n")
    for name, entry in result["levels"].items():
        for signal in [s for s in (*SIGNALS, "meaning") if s in entry]:
            m = entry[signal]
            table.add_row(name, signal, *(f"{m[k]:.3f}" if m[k] is not None else "–"
                                          for k in ("top1", "top3", "macro_f1")), str(m["n"]))
    console.print(table)
    if result.get("learning_curve"):
        lc = Table("train rows", *levels, title="Learning curve (top-1, blended)")
        for point in result["learning_curve"]:
            lc.add_row(str(point["n_train"]), *(f"{point[n]:.3f}" if point[n] is not None
                                                else "–" for n in levels))
        console.print(lc)


def _embedder(wanted: bool | None):
    """The meaning signal's embedder as asked: None when not wanted or (by default) not
    installed; asked for and not installed is an error."""
    from coding.suggest import embed

    if wanted is False:
        return None
    if wanted and not embed.available():
        raise QdaError("--embed needs the embed extra: pip install 'workshop-qda[embed]' "
                       "(and QDA_EMBED not 0)", None, "E260")
    return embed.load()


def _session(train: Path, test: Path, codebook: str | None, seeds: int,
             as_json: bool, embed: bool | None = None) -> None:
    from coding.evaluate import read_labelled
    from coding.session_eval import simulate
    from refi.codebooks import read_any as read_codebook

    with user_errors():
        doc = read_codebook(codebook) if codebook else None
        result = simulate(read_labelled(train), read_labelled(test), doc, range(seeds),
                          embedder=_embedder(embed))
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    console.print(f"codebook {result['codebook']}; {result['n_train']} train rows, "
                  f"{result['n_test']} test rows replayed in {len(result['seeds'])} orders, "
                  f"retrained every {result['every']} decisions; "
                  f"{result['keystrokes']:.1f} keystrokes per row", highlight=False)
    for name, label in (("existing", "whose code existed"), ("new", "that needed a new code")):
        if result[f"keystrokes_{name}"] is not None:
            one = (f", {result['one_key_existing']:.0%} of them with one key (a numbered "
                   "suggestion)") if name == "existing" else ""
            console.print(f"  rows {label}: {result[f'share_{name}']:.0%}, "
                          f"{result[f'keystrokes_{name}']:.2f} keystrokes per row{one}",
                          highlight=False)
    table = Table("level", "suggestion 1", "top 3", "shown", "picker", "new code", "n")
    for name, m in result["levels"].items():
        table.add_row(name, *(f"{m[k]:.3f}" for k in ("top1", "top3", "shown", "picker",
                                                      "new_code")), str(m["n"]))
    console.print(table)
    levels = list(result["levels"])
    curve = Table("part of the session", *levels, title="Suggestion 1 right, over the session")
    for point in result["curve"]:
        curve.add_row(point["part"], *(f"{point[n]:.3f}" if point[n] is not None else "–"
                                       for n in levels))
    console.print(curve)


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)
