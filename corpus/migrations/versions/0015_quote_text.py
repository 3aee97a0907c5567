"""how a unit is printed as a quote in the report: shortened with "[...]" and clarified
in brackets, beside the unit's own text (which stays as it is)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 23:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quote_text",
        sa.Column("segment_id", sa.Integer(),
                  sa.ForeignKey("segment.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("edited_by", sa.String(100), nullable=True),
        sa.Column("edited_at", sa.DateTime(), nullable=False))


def downgrade() -> None:
    op.drop_table("quote_text")
