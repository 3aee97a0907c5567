"""delphi: studies, versioned items linked to their notes, panelists, rounds, answers

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str, **kw) -> sa.ForeignKey:
    return sa.ForeignKey(f"{target}.id", name=f"fk_{table}_{column}_{target}", **kw)


def upgrade() -> None:
    op.create_table(
        "delphi_study",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("ask_feasibility", sa.Boolean(), nullable=False),
        sa.Column("consensus_share", sa.Float(), nullable=False),
        sa.Column("include_median", sa.Float(), nullable=False),
        sa.Column("exclude_median", sa.Float(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("name", name="uq_delphi_study_name"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "delphi_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("study_id", sa.Integer(),
                  _fk("delphi_item", "study_id", "delphi_study", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("question", sa.Integer(), nullable=True),
        sa.Column("theme", sa.String(300), nullable=False),
        sa.Column("subtheme", sa.String(300), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("merged_into", sa.Integer(),
                  _fk("delphi_item", "merged_into", "delphi_item"), nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_delphi_item_study", "delphi_item", ["study_id", "position"])
    op.create_table(
        "delphi_item_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(),
                  _fk("delphi_item_version", "item_id", "delphi_item", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("item_id", "version", name="uq_delphi_item_version_item_id"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "delphi_item_note",
        sa.Column("item_id", sa.Integer(),
                  _fk("delphi_item_note", "item_id", "delphi_item", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("segment_id", sa.Integer(),
                  _fk("delphi_item_note", "segment_id", "segment", ondelete="CASCADE"),
                  primary_key=True),
    )
    op.create_table(
        "delphi_panelist",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("study_id", sa.Integer(),
                  _fk("delphi_panelist", "study_id", "delphi_study", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("pseudonym", sa.String(20), nullable=False),
        sa.Column("panel_group", sa.String(40), nullable=False),
        sa.Column("area", sa.String(20), nullable=True),
        sa.Column("contact", sa.String(200), nullable=True),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("study_id", "pseudonym", name="uq_delphi_panelist_study_id"),
        sa.UniqueConstraint("code_hash", name="uq_delphi_panelist_code_hash"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "delphi_round",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("study_id", sa.Integer(),
                  _fk("delphi_round", "study_id", "delphi_study", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("study_id", "number", name="uq_delphi_round_study_id"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "delphi_round_item",
        sa.Column("round_id", sa.Integer(),
                  _fk("delphi_round_item", "round_id", "delphi_round", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("item_version_id", sa.Integer(),
                  _fk("delphi_round_item", "item_version_id", "delphi_item_version"),
                  primary_key=True),
    )
    op.create_table(
        "delphi_answer",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(),
                  _fk("delphi_answer", "round_id", "delphi_round", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("item_version_id", sa.Integer(),
                  _fk("delphi_answer", "item_version_id", "delphi_item_version"),
                  nullable=False),
        sa.Column("panelist_id", sa.Integer(),
                  _fk("delphi_answer", "panelist_id", "delphi_panelist", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("relevance", sa.Integer(), nullable=True),
        sa.Column("feasibility", sa.Integer(), nullable=True),
        sa.Column("cannot_judge", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("round_id", "item_version_id", "panelist_id",
                            name="uq_delphi_answer_round_id"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    for table in ("delphi_answer", "delphi_round_item", "delphi_round", "delphi_panelist",
                  "delphi_item_note", "delphi_item_version"):
        op.drop_table(table)
    op.drop_index("ix_delphi_item_study", "delphi_item")
    op.drop_table("delphi_item")
    op.drop_table("delphi_study")
