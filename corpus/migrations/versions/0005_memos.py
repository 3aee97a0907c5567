"""memos: journal entries, project notes and annotations kept from other tools

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "memo",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("source_id", sa.Integer(),
                  sa.ForeignKey("source.id", ondelete="CASCADE",
                                name="fk_memo_source_id_source"), nullable=True),
        sa.Column("segment_id", sa.Integer(),
                  sa.ForeignKey("segment.id", ondelete="SET NULL",
                                name="fk_memo_segment_id_segment"), nullable=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("memo")
