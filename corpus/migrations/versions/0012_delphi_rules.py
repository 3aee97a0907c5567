"""delphi rules: the study's rule (RAND/UCLA or the share rule), its quorum and
disagreement definition; each round's response rates frozen when it closes

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-05 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a study made before keeps the share rule it was created with; its quorum is the
    # default share of the panel
    with op.batch_alter_table("delphi_study") as batch:
        batch.add_column(sa.Column("rule", sa.String(20), nullable=False,
                                   server_default="share"))
        batch.add_column(sa.Column("min_ratings", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("quorum_share", sa.Float(), nullable=False,
                                   server_default="0.5"))
        batch.add_column(sa.Column("disagreement", sa.String(10), nullable=False,
                                   server_default="ipras"))
    with op.batch_alter_table("delphi_round") as batch:
        batch.add_column(sa.Column("response", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("delphi_round") as batch:
        batch.drop_column("response")
    with op.batch_alter_table("delphi_study") as batch:
        for column in ("disagreement", "quorum_share", "min_ratings", "rule"):
            batch.drop_column(column)
