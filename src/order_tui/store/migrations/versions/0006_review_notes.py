"""The monthly review's notes, saved with their month.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_note",
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["operator.id"], name=op.f("fk_review_note_updated_by_operator")
        ),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_review_note")),
    )


def downgrade() -> None:
    op.drop_table("review_note")
