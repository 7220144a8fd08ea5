"""Form drafts (typed input saved every few seconds and on hang-up) and the technical
parameters of a requirement line.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 19:25:07.877542
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("form_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("payload", sqlmodel.sql.sqltypes.AutoString(length=1000000), nullable=False),
        sa.Column("saved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operator.id"], name=op.f("fk_form_draft_operator_id_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_draft")),
        sa.UniqueConstraint("operator_id", "form_key", name="uq_form_draft_key"),
    )
    with op.batch_alter_table("form_draft", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_form_draft_operator_id"), ["operator_id"], unique=False
        )

    # Existing lines get an empty text; the model supplies "" for new ones.
    with op.batch_alter_table("requirement_line", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "parameters",
                sqlmodel.sql.sqltypes.AutoString(length=2000),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("requirement_line", schema=None) as batch_op:
        batch_op.drop_column("parameters")

    with op.batch_alter_table("form_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_draft_operator_id"))

    op.drop_table("form_draft")
