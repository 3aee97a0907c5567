"""text compression: PostgreSQL keeps long texts with lz4 instead of pglz

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 22:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# a transcript's full text is compressed as it is stored: pglz took a noticeable share of
# the server's processor time in an ingest (benchmarks/ingest_cpu.py; BENCHMARKS.md),
# lz4 a fraction of it, at the same size. Values already stored keep theirs.
COLUMNS = (("source", "text"), ("segment", "text"))


def _lz4(bind) -> bool:
    """PostgreSQL 14 or later, built with lz4 (Debian's is)."""
    return bind.dialect.name == "postgresql" and bool(bind.exec_driver_sql(
        "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
        "AND 'lz4' = ANY(enumvals)").scalar())


def upgrade() -> None:
    if _lz4(op.get_bind()):
        for table, column in COLUMNS:
            op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET COMPRESSION lz4')


def downgrade() -> None:
    if _lz4(op.get_bind()):
        for table, column in COLUMNS:
            op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET COMPRESSION pglz')
