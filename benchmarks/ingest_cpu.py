"""Where the processor time of a folder ingest goes: the client process, its helper
processes (as `qda ingest` runs them) and the PostgreSQL server, against spaCy's bare
tokenizer over the same transcripts.

On a 2-core machine the ingest cannot finish sooner than (client + server CPU) / 2,
whatever overlaps: this says whether a ratio to the tokenizer is within reach at all.
The server's time is read from /proc: the postmaster's own and its reaped children's
(the connections' backends) plus every live backend. Material as in `scale.py`:

    bash -c 'source scripts/pg.sh; .venv/bin/python benchmarks/ingest_cpu.py --transcripts 230'
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from report import write_section
from scale import make_material, tokenizer_seconds
from stores import pg_database

from corpus.helpers import preparing_helpers
from corpus.ingest import ingest_paths
from corpus.project import init_project, open_project


def server_cpu() -> float:
    """CPU seconds of every postgres process on this machine, reaped children included."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if "(postgres)" in stat:
            fields = stat.rsplit(")", 1)[1].split()
            total += sum(int(f) for f in fields[11:15]) / tick
    return total


def client_cpu(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def measure(files: list[Path], root: Path, url: str | None
            ) -> tuple[float, float, float, float]:
    """(wall, client CPU, helpers' CPU, server CPU) seconds of one in-process ingest of the
    files, with helper processes as `qda ingest` starts them (their CPU is counted once
    they have ended and been reaped)."""
    helpers_before = client_cpu(resource.RUSAGE_CHILDREN)
    with preparing_helpers() as helpers:
        init_project(root, url)
        project = open_project(root)
        server, client, start = server_cpu(), client_cpu(), time.perf_counter()
        ingest_paths(project, files, helpers=helpers)
        wall = time.perf_counter() - start
        client, server = client_cpu() - client, (server_cpu() - server) if url else 0.0
        project.close()
    return wall, client, client_cpu(resource.RUSAGE_CHILDREN) - helpers_before, server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=230)
    args = parser.parse_args()
    url = os.environ.get("QDA_TEST_PG_URL")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "material"
        words = make_material(folder, args.transcripts, 15)
        files = sorted((folder / "transkript").iterdir())
        stores = {"SQLite": None}
        if url:
            stores["PostgreSQL"] = pg_database(url, "qda_cpu")
        # the tokenizer timed just before each store's ingest (the machine's speed drifts)
        tokens, rows = {}, {}
        for store, store_url in stores.items():
            tokens[store] = tokenizer_seconds(folder)
            rows[store] = measure(files, Path(tmp) / store, store_url)
    command = ("bash -c 'source scripts/pg.sh; .venv/bin/python benchmarks/ingest_cpu.py"
               f" --transcripts {args.transcripts}'")
    lines = ["## Processor time of a folder ingest", "", f"Command: `{command}`", "",
             f"{len(files)} transcripts of the 10x trial's kind, {words:,} words; spaCy's "
             "tokenizer timed just before each store's ingest (a ratio of 0.50 needs the "
             "ingest within twice that).", "",
             "| store | tokenizer (s) | wall (s) | client CPU (s) | helpers' CPU (s) | "
             "server CPU (s) | (client + helpers + server) / 2 cores (s) | "
             "ratio to the tokenizer |",
             "|---|---|---|---|---|---|---|---|"]
    for store, (wall, client, helped, server) in rows.items():
        lines.append(f"| {store} | {tokens[store]:.2f} | {wall:.2f} | {client:.2f} | "
                     f"{helped:.2f} | {server:.2f} | {(client + helped + server) / 2:.2f} | "
                     f"{tokens[store] / wall:.2f} |")
    print(write_section("ingest-cpu", lines))


if __name__ == "__main__":
    sys.exit(main())
