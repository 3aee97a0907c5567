"""an author's decisions on merging bilaga 2 notes on the same topic into one row (or
keeping them apart), as pairs of units

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 03:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "note_merge",
        sa.Column("segment_a", sa.Integer(),
                  sa.ForeignKey("segment.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("segment_b", sa.Integer(),
                  sa.ForeignKey("segment.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("merged", sa.Boolean(), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=False))
    op.create_index("ix_note_merge_segment_b", "note_merge", ["segment_b"])


def downgrade() -> None:
    op.drop_index("ix_note_merge_segment_b", table_name="note_merge")
    op.drop_table("note_merge")
