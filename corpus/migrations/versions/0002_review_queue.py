"""review queue columns: coding.rank and coding.priority, audit index per entity

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table("coding") as batch:
        batch.add_column(sa.Column("rank", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("priority", sa.Float(), nullable=True))
    op.create_index("ix_coding_segment_coder", "coding", ["segment_id", "coder", "rank"])
    op.create_index("ix_coding_queue", "coding", ["coder", "rank", "priority", "segment_id"])
    op.create_index("ix_audit_event_entity", "audit_event", ["entity", "id"])
    # Suggestions stored before this revision carry rank and priority in their evidence.
    coding = sa.table("coding", sa.column("id", sa.Integer), sa.column("status", sa.String),
                      sa.column("evidence", sa.JSON), sa.column("rank", sa.Integer),
                      sa.column("priority", sa.Float))
    conn = op.get_bind()
    rows = conn.execute(sa.select(coding.c.id, coding.c.evidence)
                        .where(coding.c.status == "suggested")).all()
    updates = []
    for coding_id, evidence in rows:
        rank = (evidence or {}).get("rank")
        if rank is None:
            continue
        updates.append({"cid": coding_id, "r": int(rank),
                        "p": float(evidence.get("priority", 0.0)) if rank == 1 else None})
    stmt = (sa.update(coding).where(coding.c.id == sa.bindparam("cid"))
            .values(rank=sa.bindparam("r"), priority=sa.bindparam("p")))
    for start in range(0, len(updates), BATCH):
        conn.execute(stmt, updates[start:start + BATCH])


def downgrade() -> None:
    op.drop_index("ix_audit_event_entity", table_name="audit_event")
    op.drop_index("ix_coding_queue", table_name="coding")
    op.drop_index("ix_coding_segment_coder", table_name="coding")
    with op.batch_alter_table("coding") as batch:
        batch.drop_column("priority")
        batch.drop_column("rank")
