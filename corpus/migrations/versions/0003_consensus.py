"""consensus: assignment rounds for (blind) double coding; the audit log made append-only

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSE = "audit_event is append-only"


def upgrade() -> None:
    op.create_table(
        "assignment_round",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("blind", sa.Boolean(), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(),
                  sa.ForeignKey("assignment_round.id", ondelete="CASCADE",
                                name="fk_assignment_round_id_assignment_round"),
                  nullable=False),
        sa.Column("segment_id", sa.Integer(),
                  sa.ForeignKey("segment.id", ondelete="CASCADE",
                                name="fk_assignment_segment_id_segment"),
                  nullable=False),
        sa.Column("coder", sa.String(100), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("round_id", "segment_id", "coder",
                            name="uq_assignment_round_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_assignment_coder", "assignment", ["coder", "round_id", "segment_id"])
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON "
                       f"audit_event BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END")
    else:
        op.execute("CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
                   f"BEGIN RAISE EXCEPTION '{REFUSE}'; END $$ LANGUAGE plpgsql")
        op.execute("CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON "
                   "audit_event FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_event_no_update")
        op.execute("DROP TRIGGER audit_event_no_delete")
    else:
        op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION audit_event_append_only()")
    op.drop_index("ix_assignment_coder", "assignment")
    op.drop_table("assignment")
    op.drop_table("assignment_round")
