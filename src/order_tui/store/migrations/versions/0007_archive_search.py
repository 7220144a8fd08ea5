"""The archive search: a dictionary of the names orders were entered under, its substring
index, and indexes for searching archived orders by customer and by amount.

`archive_name` holds one row per distinct (customer, name) and (product, name): the master
data's names, kept current by triggers on customer and product, and the names orders were
entered under before a rename. On SQLite an FTS5 table with the
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

# Orders copy their names from the master data (a snapshot at entry), so the dictionary
# follows the customer and product tables: a new or renamed customer or product adds its name,
# and the old names stay for the orders entered under them. Order writes (and bulk loads
# such as the seed) cost nothing here; the orders already there are read once below.
_CUSTOMER_NAME = """
    INSERT INTO archive_name (kind, ref_id, name, code, mnemonic)
    VALUES ('customer', NEW.id, NEW.legal_name, NEW.code, NEW.mnemonic)
    ON CONFLICT (kind, ref_id, name) DO UPDATE
    SET code = excluded.code, mnemonic = excluded.mnemonic
"""
_PRODUCT_NAME = """
    INSERT INTO archive_name (kind, ref_id, name, code, mnemonic)
    VALUES ('product', NEW.id, NEW.name, NEW.code, NEW.mnemonic)
    ON CONFLICT (kind, ref_id, name) DO UPDATE
    SET code = excluded.code, mnemonic = excluded.mnemonic
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
    CREATE TRIGGER archive_name_customer_insert AFTER INSERT ON customer
    BEGIN {_CUSTOMER_NAME}; END
    """,
    f"""
    CREATE TRIGGER archive_name_customer_update AFTER UPDATE OF legal_name, code, mnemonic
    ON customer BEGIN {_CUSTOMER_NAME}; END
    """,
    f"""
    CREATE TRIGGER archive_name_product_insert AFTER INSERT ON product
    BEGIN {_PRODUCT_NAME}; END
    """,
    f"""
    CREATE TRIGGER archive_name_product_update AFTER UPDATE OF name, code, mnemonic
    ON product BEGIN {_PRODUCT_NAME}; END
    """,
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS archive_name_product_update",
    "DROP TRIGGER IF EXISTS archive_name_product_insert",
    "DROP TRIGGER IF EXISTS archive_name_customer_update",
    "DROP TRIGGER IF EXISTS archive_name_customer_insert",
    "DROP TRIGGER IF EXISTS archive_name_fts_update",
    "DROP TRIGGER IF EXISTS archive_name_fts_delete",
    "DROP TRIGGER IF EXISTS archive_name_fts_insert",
    "DROP TABLE IF EXISTS archive_name_fts",
]

POSTGRESQL_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_archive_name_trgm ON archive_name USING gin (name gin_trgm_ops)",
    f"""
    CREATE FUNCTION archive_name_of_customer() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN {_CUSTOMER_NAME}; RETURN NEW; END;
    $$
    """,
    """
    CREATE TRIGGER archive_name_customer AFTER INSERT OR UPDATE OF legal_name, code, mnemonic
    ON customer FOR EACH ROW EXECUTE FUNCTION archive_name_of_customer()
    """,
    f"""
    CREATE FUNCTION archive_name_of_product() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN {_PRODUCT_NAME}; RETURN NEW; END;
    $$
    """,
    """
    CREATE TRIGGER archive_name_product AFTER INSERT OR UPDATE OF name, code, mnemonic
    ON product FOR EACH ROW EXECUTE FUNCTION archive_name_of_product()
    """,
]

POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS archive_name_product ON product",
    "DROP FUNCTION IF EXISTS archive_name_of_product()",
    "DROP TRIGGER IF EXISTS archive_name_customer ON customer",
    "DROP FUNCTION IF EXISTS archive_name_of_customer()",
    "DROP INDEX IF EXISTS ix_archive_name_trgm",
]

# The names already there, once: the master data's, then those orders were entered under
# (customers and products renamed since). The triggers index them as they go in.
BACKFILL = [
    """
    INSERT INTO archive_name (kind, ref_id, name, code, mnemonic)
    SELECT 'customer', id, legal_name, code, mnemonic FROM customer
    """,
    """
    INSERT INTO archive_name (kind, ref_id, name, code, mnemonic)
    SELECT 'product', id, name, code, mnemonic FROM product
    """,
    """
    INSERT INTO archive_name (kind, ref_id, name, code, mnemonic)
    SELECT 'customer', o.customer_id, o.cust_name, COALESCE(c.code, ''), MAX(o.cust_mnemonic)
    FROM sales_order o LEFT JOIN customer c ON c.id = o.customer_id
    GROUP BY o.customer_id, o.cust_name, c.code
    ON CONFLICT (kind, ref_id, name) DO NOTHING
    """,
    """
    INSERT INTO archive_name (kind, ref_id, name, code, mnemonic)
    SELECT 'product', l.product_id, l.name, MAX(l.product_code), COALESCE(p.mnemonic, '')
    FROM order_line l LEFT JOIN product p ON p.id = l.product_id
    GROUP BY l.product_id, l.name, p.mnemonic
    ON CONFLICT (kind, ref_id, name) DO NOTHING
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
