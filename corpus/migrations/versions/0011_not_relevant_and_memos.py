"""not relevant: a coder's "no code at all" on a unit outside rounds; memos on workshops

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 12:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "not_relevant",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("segment_id", sa.Integer(),
                  sa.ForeignKey("segment.id", ondelete="CASCADE",
                                name="fk_not_relevant_segment_id_segment"), nullable=False),
        sa.Column("coder", sa.String(100), nullable=False),
        sa.Column("memo", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("segment_id", "coder", name="uq_not_relevant_segment_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_not_relevant_coder", "not_relevant", ["coder", "segment_id"])
    with op.batch_alter_table("memo") as batch:
        batch.add_column(sa.Column("workshop_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_memo_workshop_id_workshop", "workshop", ["workshop_id"],
                                 ["id"], ondelete="CASCADE")


def downgrade() -> None:
    with op.batch_alter_table("memo") as batch:
        batch.drop_constraint("fk_memo_workshop_id_workshop", type_="foreignkey")
        batch.drop_column("workshop_id")
    op.drop_index("ix_not_relevant_coder", "not_relevant")
    op.drop_table("not_relevant")
