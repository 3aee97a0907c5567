"""accounts against a hostile team member: who added a code in which open blind round
(hidden from the other coders until it closes), and the client of each login attempt
(failed logins are slowed per login and client, not locked for everyone), and on each
audit event the channel it came by (app, cli, import, library) and, from the command
line, the operating-system user at the terminal

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("code", sa.Column("created_by", sa.String(100), nullable=True))
    op.add_column("code", sa.Column("blind_round_id", sa.Integer(), nullable=True))
    op.add_column("login_attempt", sa.Column("client", sa.String(64), nullable=True))
    op.add_column("audit_event", sa.Column("channel", sa.String(10), nullable=True))
    op.add_column("audit_event", sa.Column("os_user", sa.String(100), nullable=True))


def downgrade() -> None:
    # plain ALTER TABLE … DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch copy of
    # audit_event would lose the triggers that keep it append-only
    for table, column in (("audit_event", "os_user"), ("audit_event", "channel"),
                          ("login_attempt", "client"), ("code", "blind_round_id"),
                          ("code", "created_by")):
        op.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
