"""accounts against a hostile team member: who added a code in which open blind round
(hidden from the other coders until it closes), and the client of each login attempt
(failed logins are slowed per login and client, not locked for everyone)

Revision ID: 0014
Revises: 0008
Create Date: 2026-12-05 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("code", sa.Column("created_by", sa.String(100), nullable=True))
    op.add_column("code", sa.Column("blind_round_id", sa.Integer(), nullable=True))
    op.add_column("login_attempt", sa.Column("client", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("login_attempt") as batch:
        batch.drop_column("client")
    with op.batch_alter_table("code") as batch:
        batch.drop_column("blind_round_id")
        batch.drop_column("created_by")
