"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 07:25:00.643469
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("entity", sa.String(length=30), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("memo", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("definition", sa.Text(), nullable=True),
        sa.Column("inclusion", sa.Text(), nullable=True),
        sa.Column("exclusion", sa.Text(), nullable=True),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("examples", sa.JSON(), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("colour", sa.String(length=9), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["code.id"], name=op.f("fk_code_parent_id_code")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code")),
        sa.UniqueConstraint("parent_id", "name", name=op.f("uq_code_parent_id")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "workshop",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("area", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=True),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("politicians", sa.Integer(), nullable=True),
        sa.Column("second_line_managers", sa.Integer(), nullable=True),
        sa.Column("first_line_managers", sa.Integer(), nullable=True),
        sa.Column("officials", sa.Integer(), nullable=True),
        sa.Column("care_staff", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop")),
        sa.UniqueConstraint("label", name=op.f("uq_workshop_label")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("file_format", sa.String(length=10), nullable=False),
        sa.Column("original_name", sa.String(length=500), nullable=False),
        sa.Column("stored_name", sa.String(length=600), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=True),
        sa.Column("question", sa.Integer(), nullable=True),
        sa.Column("area", sa.String(length=20), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshop.id"], name=op.f("fk_source_workshop_id_workshop")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        sa.UniqueConstraint("sha256", name=op.f("uq_source_sha256")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "pseudonym_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("real_name", sa.String(length=200), nullable=False),
        sa.Column("pseudonym", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_pseudonym_key_source_id_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pseudonym_key")),
        sa.UniqueConstraint("source_id", "real_name", name=op.f("uq_pseudonym_key_source_id")),
    )
    op.create_table(
        "segment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("question", sa.Integer(), nullable=True),
        sa.Column("area", sa.String(length=20), nullable=True),
        sa.Column("speaker", sa.String(length=100), nullable=True),
        sa.Column("sheet", sa.String(length=200), nullable=True),
        sa.Column("location", sa.String(length=50), nullable=True),
        sa.Column("start_char", sa.Integer(), nullable=True),
        sa.Column("end_char", sa.Integer(), nullable=True),
        sa.Column("start_time", sa.Float(), nullable=True),
        sa.Column("end_time", sa.Float(), nullable=True),
        sa.Column("duplicate_count", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["segment.id"],
            name=op.f("fk_segment_parent_id_segment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_segment_source_id_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segment")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("segment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_segment_kind_question_area", ["kind", "question", "area"], unique=False
        )
        batch_op.create_index("ix_segment_parent", ["parent_id"], unique=False)
        batch_op.create_index("ix_segment_source_position", ["source_id", "position"], unique=False)

    op.create_table(
        "coding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("coder", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.Column("memo", sa.Text(), nullable=True),
        sa.Column("is_quote", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["code_id"], ["code.id"], name=op.f("fk_coding_code_id_code"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segment.id"],
            name=op.f("fk_coding_segment_id_segment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coding")),
        sa.UniqueConstraint("segment_id", "code_id", "coder", name=op.f("uq_coding_segment_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("coding", schema=None) as batch_op:
        batch_op.create_index("ix_coding_code", ["code_id"], unique=False)
        batch_op.create_index("ix_coding_coder_status", ["coder", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("coding", schema=None) as batch_op:
        batch_op.drop_index("ix_coding_coder_status")
        batch_op.drop_index("ix_coding_code")

    op.drop_table("coding")
    with op.batch_alter_table("segment", schema=None) as batch_op:
        batch_op.drop_index("ix_segment_source_position")
        batch_op.drop_index("ix_segment_parent")
        batch_op.drop_index("ix_segment_kind_question_area")

    op.drop_table("segment")
    op.drop_table("pseudonym_key")
    op.drop_table("source")
    op.drop_table("workshop")
    op.drop_table("code")
    op.drop_table("audit_event")
