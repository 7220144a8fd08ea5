"""The audit log as a hash chain (domain/audit_chain.py): a `chain` column, filled in for the
entries already written, in id order.

The append-only triggers refuse the UPDATE that fills the column, so they are set aside for
this one transaction and put back before it commits.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 01:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from order_tui.domain import audit_chain

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDIT_MESSAGE = "audit log is append-only"  # as in 0002
SQLITE_TRIGGER = f"""
    CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
    BEGIN
        SELECT RAISE(ABORT, '{AUDIT_MESSAGE}');
    END
    """

_audit = sa.table(
    "audit_event",
    sa.column("id", sa.Integer()),
    sa.column("chain", sa.String()),
    *(
        sa.column(name, sqlmodel.sql.sqltypes.UTCDateTime() if name == "at" else sa.String())
        for name in audit_chain.FIELDS
    ),
)


def _fill() -> None:
    bind = op.get_bind()
    previous = audit_chain.GENESIS
    after = 0
    while True:
        rows = bind.execute(
            sa.select(_audit.c.id, *(_audit.c[name] for name in audit_chain.FIELDS))
            .where(_audit.c.id > after)
            .order_by(_audit.c.id)
            .limit(5000)
        ).all()
        if not rows:
            return
        for row in rows:
            previous = audit_chain.link(previous, list(row[1:]))
            bind.execute(sa.update(_audit).where(_audit.c.id == row[0]).values(chain=previous))
        after = rows[-1][0]


def upgrade() -> None:
    # Not batch mode: recreating the table would drop its triggers.
    op.add_column(
        "audit_event",
        sa.Column(
            "chain",
            sqlmodel.sql.sqltypes.AutoString(length=64),
            nullable=False,
            server_default="",
        ),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER audit_event_no_update")
        _fill()
        op.execute(SQLITE_TRIGGER)
    else:
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change")
        _fill()
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change")


def downgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("chain")
