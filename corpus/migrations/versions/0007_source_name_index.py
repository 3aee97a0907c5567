"""source name index: an import looks for an earlier file of the same name

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 17:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # without it every import read the whole source table, transcripts' texts and all
    # (a cost per file that grows with the project: BENCHMARKS.md)
    op.create_index("ix_source_original_name", "source", ["original_name"])


def downgrade() -> None:
    op.drop_index("ix_source_original_name", table_name="source")
