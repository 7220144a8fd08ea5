"""Database-level guards: the audit log is append-only, archived orders outlive their retention.

The services already refuse these changes; the triggers make sure a bug, a script or a hand
edit with the sqlite3 shell cannot either.

The SQL avoids '%' and ':' on purpose: op.execute() wraps it in text(), where ':name' is a bind
parameter and '%' is doubled for the psycopg paramstyle.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDIT_MESSAGE = "audit log is append-only"
RETENTION_MESSAGE = "archived order is under retention and cannot be deleted"

SQLITE_UP = [
    f"""
    CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
    BEGIN
        SELECT RAISE(ABORT, '{AUDIT_MESSAGE}');
    END
    """,
    f"""
    CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
    BEGIN
        SELECT RAISE(ABORT, '{AUDIT_MESSAGE}');
    END
    """,
    # date('now') is the UTC date, so the guard's day turns at UTC midnight (08:00 in Shanghai),
    # not on the company calendar; the archive service applies the calendar itself.
    f"""
    CREATE TRIGGER sales_order_retention BEFORE DELETE ON sales_order
    WHEN OLD.status = 'archived'
        AND (OLD.retention_until IS NULL OR OLD.retention_until >= date('now'))
    BEGIN
        SELECT RAISE(ABORT, '{RETENTION_MESSAGE}');
    END
    """,
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS sales_order_retention",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
    "DROP TRIGGER IF EXISTS audit_event_no_update",
]

POSTGRESQL_UP = [
    f"""
    CREATE FUNCTION audit_event_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{AUDIT_MESSAGE}' USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    """
    CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
    """,
    # Row triggers do not fire for TRUNCATE.
    """
    CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()
    """,
    # A BEFORE DELETE row trigger must return OLD to let the delete go ahead; NULL would skip
    # the row silently.
    f"""
    CREATE FUNCTION sales_order_keep_archived() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.status = 'archived'
            AND (OLD.retention_until IS NULL OR OLD.retention_until >= current_date) THEN
            RAISE EXCEPTION '{RETENTION_MESSAGE}'
                USING ERRCODE = 'restrict_violation',
                      DETAIL = 'order ' || OLD.order_no || ' is kept until '
                               || COALESCE(CAST(OLD.retention_until AS text), 'further notice');
        END IF;
        RETURN OLD;
    END;
    $$
    """,
    """
    CREATE TRIGGER sales_order_retention BEFORE DELETE ON sales_order
    FOR EACH ROW EXECUTE FUNCTION sales_order_keep_archived()
    """,
]

POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS sales_order_retention ON sales_order",
    "DROP FUNCTION IF EXISTS sales_order_keep_archived()",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
]


def _statements(sqlite: list[str], postgresql: list[str]) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return sqlite
    if dialect == "postgresql":
        return postgresql
    raise RuntimeError(f"order-tui runs on SQLite and PostgreSQL, not {dialect}")


def upgrade() -> None:
    for statement in _statements(SQLITE_UP, POSTGRESQL_UP):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(SQLITE_DOWN, POSTGRESQL_DOWN):
        op.execute(statement)
