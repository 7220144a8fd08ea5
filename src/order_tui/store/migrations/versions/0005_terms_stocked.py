"""Payment terms in numbers on the order (prepayment percent, credit days) and products
that are not stocked (services: nothing to lock or pick).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 21:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stocked", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("sales_order", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("prepay_pct", sa.Integer(), nullable=False, server_default="100")
        )
        batch_op.add_column(
            sa.Column("credit_days", sa.Integer(), nullable=False, server_default="0")
        )
    # Orders entered before: derive the numbers from the term code they were entered with.
    op.execute(
        "UPDATE sales_order SET prepay_pct = CASE WHEN payment_terms = 'prepaid' THEN 100"
        " ELSE 0 END, credit_days = CASE payment_terms WHEN 'net30' THEN 30"
        " WHEN 'net60' THEN 60 WHEN 'net90' THEN 90 ELSE 0 END"
    )


def downgrade() -> None:
    with op.batch_alter_table("sales_order", schema=None) as batch_op:
        batch_op.drop_column("credit_days")
        batch_op.drop_column("prepay_pct")
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_column("stocked")
