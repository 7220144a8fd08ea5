"""The archive search: a dictionary of the names orders were entered under, its substring
index, and indexes for searching archived orders by customer and by amount.

`archive_name` holds one row per distinct (customer, snapshot name) and (product, line name);
triggers on sales_order and order_line add new names as orders are written, so every writer
(services, seed, imports, hand edits) keeps it current. On SQLite an FTS5 table with the
trigram tokenizer indexes the names for substrings of three characters or more; on PostgreSQL
a pg_trgm GIN index does the same. Existing rows are indexed here, once.

As in 0002, the SQL avoids '%' and ':' (op.execute wraps it in text()).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# New names only: a name already known is skipped by the unique constraint.
_CUSTOMER_NAME = """
    INSERT INTO archive_name (kind, ref_id, name, code, mnemonic)
    VALUES ('customer', NEW.customer_id, NEW.cust_name,
            COALESCE((SELECT code FROM customer WHERE id = NEW.customer_id), ''),
            NEW.cust_mnemonic)
    ON CONFLICT (kind, ref_id, name) DO NOTHING
"""
_PRODUCT_NAME = """
    INSERT INTO archive_name (kind, ref_id, name, code, mnemonic)
    VALUES ('product', NEW.product_id, NEW.name, NEW.product_code,
            COALESCE((SELECT mnemonic FROM product WHERE id = NEW.product_id), ''))
    ON CONFLICT (kind, ref_id, name) DO NOTHING
"""

SQLITE_UP = [
    # External content: the names are stored once, in archive_name; the index holds trigrams.
    """
    CREATE VIRTUAL TABLE archive_name_fts USING fts5(
        name, content='archive_name', content_rowid='id', tokenize='trigram'
    )
    """,
    """
    CREATE TRIGGER archive_name_fts_insert AFTER INSERT ON archive_name
    BEGIN
        INSERT INTO archive_name_fts (rowid, name) VALUES (NEW.id, NEW.name);
    END
    """,
    """
    CREATE TRIGGER archive_name_fts_delete AFTER DELETE ON archive_name
    BEGIN
        INSERT INTO archive_name_fts (archive_name_fts, rowid, name)
        VALUES ('delete', OLD.id, OLD.name);
    END
    """,
    """
    CREATE TRIGGER archive_name_fts_update AFTER UPDATE OF name ON archive_name
    BEGIN
        INSERT INTO archive_name_fts (archive_name_fts, rowid, name)
        VALUES ('delete', OLD.id, OLD.name);
        INSERT INTO archive_name_fts (rowid, name) VALUES (NEW.id, NEW.name);
    END
    """,
    f"""
    CREATE TRIGGER archive_name_order_insert AFTER INSERT ON sales_order
    BEGIN {_CUSTOMER_NAME}; END
    """,
    f"""
    CREATE TRIGGER archive_name_order_update AFTER UPDATE OF customer_id, cust_name ON sales_order
    BEGIN {_CUSTOMER_NAME}; END
    """,
    f"""
    CREATE TRIGGER archive_name_line_insert AFTER INSERT ON order_line
    BEGIN {_PRODUCT_NAME}; END
    """,
    f"""
    CREATE TRIGGER archive_name_line_update AFTER UPDATE OF product_id, name ON order_line
    BEGIN {_PRODUCT_NAME}; END
    """,
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS archive_name_line_update",
    "DROP TRIGGER IF EXISTS archive_name_line_insert",
    "DROP TRIGGER IF EXISTS archive_name_order_update",
    "DROP TRIGGER IF EXISTS archive_name_order_insert",
    "DROP TRIGGER IF EXISTS archive_name_fts_update",
    "DROP TRIGGER IF EXISTS archive_name_fts_delete",
    "DROP TRIGGER IF EXISTS archive_name_fts_insert",
    "DROP TABLE IF EXISTS archive_name_fts",
]

POSTGRESQL_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_archive_name_trgm ON archive_name USING gin (name gin_trgm_ops)",
    f"""
    CREATE FUNCTION archive_name_of_order() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN {_CUSTOMER_NAME}; RETURN NEW; END;
    $$
    """,
    """
    CREATE TRIGGER archive_name_order AFTER INSERT OR UPDATE OF customer_id, cust_name
    ON sales_order FOR EACH ROW EXECUTE FUNCTION archive_name_of_order()
    """,
    f"""
    CREATE FUNCTION archive_name_of_line() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN {_PRODUCT_NAME}; RETURN NEW; END;
    $$
    """,
    """
    CREATE TRIGGER archive_name_line AFTER INSERT OR UPDATE OF product_id, name
    ON order_line FOR EACH ROW EXECUTE FUNCTION archive_name_of_line()
    """,
]

POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS archive_name_line ON order_line",
    "DROP FUNCTION IF EXISTS archive_name_of_line()",
    "DROP TRIGGER IF EXISTS archive_name_order ON sales_order",
    "DROP FUNCTION IF EXISTS archive_name_of_order()",
    "DROP INDEX IF EXISTS ix_archive_name_trgm",
]

# The names of the orders already there, once (the triggers index them as they go in).
BACKFILL = [
    """
    INSERT INTO archive_name (kind, ref_id, name, code, mnemonic)
    SELECT 'customer', o.customer_id, o.cust_name, COALESCE(c.code, ''), MAX(o.cust_mnemonic)
    FROM sales_order o LEFT JOIN customer c ON c.id = o.customer_id
    GROUP BY o.customer_id, o.cust_name, c.code
    """,
    """
    INSERT INTO archive_name (kind, ref_id, name, code, mnemonic)
    SELECT 'product', l.product_id, l.name, MAX(l.product_code), COALESCE(p.mnemonic, '')
    FROM order_line l LEFT JOIN product p ON p.id = l.product_id
    GROUP BY l.product_id, l.name, p.mnemonic
    """,
]


def _statements(sqlite: list[str], postgresql: list[str]) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return sqlite
    if dialect == "postgresql":
        return postgresql
    raise RuntimeError(f"order-tui runs on SQLite and PostgreSQL, not {dialect}")


def upgrade() -> None:
    op.create_table(
        "archive_name",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("mnemonic", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_name")),
        sa.UniqueConstraint("kind", "ref_id", "name", name="uq_archive_name"),
    )
    op.create_index("ix_archive_name_mnemonic", "archive_name", ["kind", "mnemonic"])
    op.create_index("ix_archive_name_code", "archive_name", ["kind", "code"])
    op.create_index(
        "ix_order_customer_status",
        "sales_order",
        ["customer_id", "status", "order_day", "serial"],
    )
    op.create_index("ix_order_status_total", "sales_order", ["status", "total"])
    for statement in _statements(SQLITE_UP, POSTGRESQL_UP):
        op.execute(statement)
    for statement in BACKFILL:
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(SQLITE_DOWN, POSTGRESQL_DOWN):
        op.execute(statement)
    op.drop_index("ix_order_status_total", table_name="sales_order")
    op.drop_index("ix_order_customer_status", table_name="sales_order")
    op.drop_index("ix_archive_name_code", table_name="archive_name")
    op.drop_index("ix_archive_name_mnemonic", table_name="archive_name")
    op.drop_table("archive_name")
