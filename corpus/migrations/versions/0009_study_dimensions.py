"""study dimensions: the project's areas, participant groups and formats in the store

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 13:00:00

A project made before this revision knew only the first study's five areas, five roles and
two formats (constants of the code). It gets exactly those values, with the same keys,
labels and long names, from the bundled preset of that study, and tables that keep a column
for every one of them, so its exports do not change. A new project starts empty and learns
its own.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE_COLUMNS = ("politicians", "second_line_managers", "first_line_managers", "officials",
                "care_staff")

# A project made before this revision was a project of the first study, whose values are
# the bundled preset `vgr-forstudie` (corpus/studies/): the migration seeds from it and
# holds no study's names itself. tests/test_second_study.py checks that the preset still
# gives such a project exactly the values the code had at 0008 (keys, labels, long names).
FIRST_STUDY = "vgr-forstudie"


def upgrade() -> None:
    value = op.create_table(
        "study_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("long_name", sa.String(length=200), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_value")),
        sa.UniqueConstraint("dimension", "key", name=op.f("uq_study_value_dimension")),
        sqlite_autoincrement=True,
    )
    dimension = op.create_table(
        "study_dimension",
        sa.Column("name", sa.String(length=10), nullable=False),
        sa.Column("fixed", sa.Boolean(), nullable=False),
        sa.Column("all_columns", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_study_dimension")),
    )
    counts = op.create_table(
        "workshop_count",
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("group_key", sa.String(length=40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], ondelete="CASCADE",
                                name=op.f("fk_workshop_count_workshop_id_workshop")),
        sa.PrimaryKeyConstraint("workshop_id", "group_key", name=op.f("pk_workshop_count")),
    )
    op.add_column("segment", sa.Column("participant_group", sa.String(length=40),
                                       nullable=True))
    bind = op.get_bind()
    existing = any(bind.execute(sa.text(f'SELECT 1 FROM "{t}" LIMIT 1')).first()
                   for t in ("source", "workshop", "delphi_panelist"))
    rows = bind.execute(sa.text(
        f"SELECT id, {', '.join(ROLE_COLUMNS)} FROM workshop")).all()
    op.bulk_insert(counts, [{"workshop_id": r[0], "group_key": key, "count": n}
                            for r in rows for key, n in zip(ROLE_COLUMNS, r[1:], strict=True)
                            if n is not None])
    for column in ROLE_COLUMNS:
        op.execute(f'ALTER TABLE workshop DROP COLUMN "{column}"')
    if not existing:
        return
    from corpus.dimensions import read_profile

    now = sa.func.now()
    values = [dict(dimension=v.dimension, key=v.key, label=v.label, long_name=v.long_name,
                   aliases=list(v.aliases), sort_order=v.order)
              for v in read_profile(FIRST_STUDY).values]
    bind.execute(value.insert().values(created_at=now), values)
    op.bulk_insert(dimension, [{"name": n, "fixed": False, "all_columns": True}
                               for n in ("area", "group", "format")])


def downgrade() -> None:
    for column in ROLE_COLUMNS:
        op.add_column("workshop", sa.Column(column, sa.Integer(), nullable=True))
    bind = op.get_bind()
    for workshop_id, key, n in bind.execute(sa.text(
            "SELECT workshop_id, group_key, count FROM workshop_count")).all():
        if key in ROLE_COLUMNS:
            bind.execute(sa.text(f'UPDATE workshop SET "{key}" = :n WHERE id = :w'),
                         {"n": n, "w": workshop_id})
    op.drop_column("segment", "participant_group")
    op.drop_table("workshop_count")
    op.drop_table("study_dimension")
    op.drop_table("study_value")
