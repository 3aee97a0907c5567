"""text vectors: the optional embedding signal's vectors, kept by the hash of the text

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-05 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "text_vector",
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("model", sa.String(60), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("text_hash", "model", name="pk_text_vector"),
    )


def downgrade() -> None:
    op.drop_table("text_vector")
