"""Review tasks: the approval inbox's own small table, one row per pending department.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 19:28:39.705271
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import order_tui.store.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("round_no", sa.Integer(), nullable=False),
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("order_no", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("cust_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("cust_mnemonic", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("total", order_tui.store.types.ScaledDecimal(2), nullable=False),
        sa.Column("wanted_date", sa.Date(), nullable=True),
        sa.Column("submitted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("flags", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_order.id"], name=op.f("fk_review_task_order_id_sales_order")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["review_round.id"], name=op.f("fk_review_task_round_id_review_round")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_task")),
        sa.UniqueConstraint("round_id", "department", name="uq_review_task_department"),
    )
    with op.batch_alter_table("review_task", schema=None) as batch_op:
        batch_op.create_index(
            "ix_review_task_age", ["department", "submitted_at", "id"], unique=False
        )
        batch_op.create_index("ix_review_task_age_all", ["submitted_at", "id"], unique=False)
        batch_op.create_index("ix_review_task_amount", ["department", "total", "id"], unique=False)
        batch_op.create_index(
            "ix_review_task_customer", ["department", "cust_mnemonic", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_review_task_order_id"), ["order_id"], unique=False)
    _backfill()


def _backfill() -> None:
    """Tasks for the departments still to decide in every open round of an order in review."""
    bind = op.get_bind()
    rounds = bind.execute(
        sa.text(
            "SELECT r.id, r.order_id, r.round_no, r.required_departments, r.submitted_at, "
            "o.order_no, o.cust_name, o.cust_mnemonic, o.total, o.wanted_date "
            "FROM review_round r JOIN sales_order o ON o.id = r.order_id "
            "WHERE r.outcome = 'open' AND o.status = 'in_review'"
        )
    ).all()
    for rnd in rounds:
        decided = {
            row[0]
            for row in bind.execute(
                sa.text("SELECT department FROM review_verdict WHERE round_id = :r"),
                {"r": rnd.id},
            )
        }
        for department in [d for d in rnd.required_departments.split(";") if d]:
            if department in decided:
                continue
            bind.execute(
                sa.text(
                    "INSERT INTO review_task (order_id, round_id, round_no, department, "
                    "order_no, cust_name, cust_mnemonic, total, wanted_date, submitted_at, "
                    "flags) VALUES (:o, :r, :n, :d, :no, :name, :mn, :total, :wanted, :at, '')"
                ),
                {
                    "o": rnd.order_id,
                    "r": rnd.id,
                    "n": rnd.round_no,
                    "d": department,
                    "no": rnd.order_no,
                    "name": rnd.cust_name,
                    "mn": rnd.cust_mnemonic,
                    "total": rnd.total,
                    "wanted": rnd.wanted_date,
                    "at": rnd.submitted_at,
                },
            )


def downgrade() -> None:
    with op.batch_alter_table("review_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_task_order_id"))
        batch_op.drop_index("ix_review_task_customer")
        batch_op.drop_index("ix_review_task_age_all")
        batch_op.drop_index("ix_review_task_amount")
        batch_op.drop_index("ix_review_task_age")

    op.drop_table("review_task")
