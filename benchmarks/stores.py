"""A fresh database on the PostgreSQL server $QDA_TEST_PG_URL names, for the benchmarks
that measure both stores (scripts/pg.sh starts a throw-away server)."""

from __future__ import annotations

import uuid


def pg_database(server: str, prefix: str = "qda_bench") -> str:
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + f"/{name}"
