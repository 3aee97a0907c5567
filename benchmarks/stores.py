"""A fresh database on the PostgreSQL server $QDA_TEST_PG_URL names, for the benchmarks
that measure both stores (scripts/pg.sh starts a throw-away server)."""

from __future__ import annotations

import uuid


def pg_database(server: str, prefix: str = "qda_bench") -> str:
    """A new database; the server's password goes into PGPASSWORD, where a project
    reopened from its qda.toml (which names the server without it) and the `qda`
    processes a benchmark starts find it, as on a team server."""
    import os

    import psycopg
    from sqlalchemy.engine import make_url

    password = make_url(server).password
    if password is not None:
        os.environ.setdefault("PGPASSWORD", str(password))

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + f"/{name}"


def drop_database(url: str) -> None:
    """Drop a database `pg_database` made (a trial's, no longer needed)."""
    import psycopg

    server, name = url.replace("+psycopg", "").rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')   # a worker may linger
