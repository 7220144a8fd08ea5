"""Schema migrations: creating, upgrading with data, refusing newer schemas, racing processes."""

import multiprocessing
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Connection, Integer, Table, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel, select
from sqlmodel.sql.sqltypes import AutoString

import order_tui.store.migrate as migrate
from order_tui.store.archive_queries import include_name
from order_tui.store.engine import Database, make_engines, open_database
from order_tui.store.migrate import (
    MigrationError,
    SchemaTooNew,
    alembic_config,
    autogenerate_revision,
    current_revision,
    ensure_schema,
    ensure_schema_at,
    head_revision,
    upgrade_to,
)
from order_tui.store.migrations import SCRIPT_LOCATION
from order_tui.store.models import AuditEvent, Customer, SalesOrder
from order_tui.store.types import Fen
from tests import pg

GUARD_TRIGGERS = {"audit_event_no_update", "audit_event_no_delete", "sales_order_retention"}
# 0007: the archive search's name dictionary and its trigram index, kept current by triggers.
SEARCH_TRIGGERS = {
    "archive_name_fts_insert",
    "archive_name_fts_delete",
    "archive_name_fts_update",
    "archive_name_customer_insert",
    "archive_name_customer_update",
    "archive_name_product_insert",
    "archive_name_product_update",
}
if pg.on_postgres():
    # PostgreSQL's triggers take several events each; pg_trgm needs none for its index.
    GUARD_TRIGGERS = {"audit_event_no_change", "audit_event_no_truncate", "sales_order_retention"}
    SEARCH_TRIGGERS = {"archive_name_customer", "archive_name_product"}


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """An empty database (no schema): a new file, or a new PostgreSQL database."""
    with pg.blank_database(tmp_path) as database:
        yield database


_insert = pg.insert_row


def _seed(conn: Connection) -> dict[str, int]:
    """One customer, operator, order and audit row, as the old schema would hold them."""
    operator = _insert(
        conn, "operator", username="clerk", display_name="Clerk", roles="sales_clerk"
    )
    customer = _insert(
        conn, "customer", code="C001", legal_name="北京科技", uscc="9111", mnemonic="bjkj"
    )
    order = _insert(
        conn,
        "sales_order",
        order_no="SO20250101001",
        order_day="2025-01-01",
        serial=1,
        customer_id=customer,
        cust_name="北京科技",
        cust_uscc="9111",
        total=123456,  # fen: 1234.56
        status="draft",
        created_by=operator,
        updated_by=operator,
        created_at="2025-01-01 08:30:00.000000",
        updated_at="2025-01-01 08:30:00.000000",
    )
    _insert(conn, "order_counter", day="2025-01-01", last=1)
    audit = _insert(
        conn,
        "audit_event",
        at="2025-01-01 08:30:00.000000",
        operator_id=operator,
        operator_name="clerk",
        entity="order",
        entity_id=order,
        order_no="SO20250101001",
        action="create",
    )
    return {"operator": operator, "customer": customer, "order": order, "audit": audit}


def _triggers(db: Database) -> set[str]:
    query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    if not db.is_sqlite:
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    with db.read_engine.connect() as conn:
        return {name for (name,) in conn.exec_driver_sql(query)}


def _tables(db: Database) -> set[str]:
    with db.read_engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def test_new_file_is_created_at_head(db: Database) -> None:
    assert current_revision(db) is None

    assert ensure_schema(db) == "created"

    assert current_revision(db) == head_revision()
    assert set(SQLModel.metadata.tables) <= _tables(db)
    assert _triggers(db) == GUARD_TRIGGERS | SEARCH_TRIGGERS
    assert ensure_schema(db) == "up-to-date"


def test_upgrade_from_0001_keeps_data_and_adds_the_guards(db: Database) -> None:
    assert upgrade_to(db, "0001") == "0001"
    assert not _triggers(db)
    with db.write_engine.begin() as conn:
        ids = _seed(conn)

    assert ensure_schema(db) == f"migrated 0001 -> {head_revision()}"

    with db.reading() as session:
        order = session.exec(select(SalesOrder)).one()
        assert (order.id, order.order_no, order.total) == (
            ids["order"],
            "SO20250101001",
            Decimal("1234.56"),
        )
        assert session.exec(select(Customer)).one().legal_name == "北京科技"
        assert session.exec(select(AuditEvent)).one().action == "create"

    with pytest.raises(DBAPIError, match="append-only"), db.write_engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET action = 'forged'"))
    with pytest.raises(DBAPIError, match="append-only"), db.write_engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event"))
    with db.read_engine.connect() as conn:
        assert conn.execute(text("SELECT action FROM audit_event")).scalar_one() == "create"


@pytest.mark.parametrize(
    ("retention", "deletable"),
    [
        (date.today() + timedelta(days=365), False),
        (date.today(), False),  # the last day of retention still counts
        (None, False),  # no date means keep
        (date.today() - timedelta(days=1), True),
    ],
)
def test_archived_order_cannot_be_deleted_during_retention(
    db: Database, retention: date | None, deletable: bool
) -> None:
    ensure_schema(db)
    with db.write_engine.begin() as conn:
        ids = _seed(conn)
        conn.execute(
            text("UPDATE sales_order SET status = 'archived', retention_until = :r WHERE id = :id"),
            {"r": retention, "id": ids["order"]},
        )

    delete = text("DELETE FROM sales_order WHERE id = :id")
    if deletable:
        with db.write_engine.begin() as conn:
            assert conn.execute(delete, {"id": ids["order"]}).rowcount == 1
    else:
        with pytest.raises(DBAPIError, match="retention"), db.write_engine.begin() as conn:
            conn.execute(delete, {"id": ids["order"]})


def test_orders_that_are_not_archived_can_still_be_deleted(db: Database) -> None:
    ensure_schema(db)
    with db.write_engine.begin() as conn:
        ids = _seed(conn)
        conn.execute(
            text("UPDATE sales_order SET status = 'cancelled', retention_until = :r"),
            {"r": date.today() + timedelta(days=30)},
        )
    with db.write_engine.begin() as conn:
        deleted = conn.execute(text("DELETE FROM sales_order WHERE id = :id"), {"id": ids["order"]})
        assert deleted.rowcount == 1


def test_a_newer_schema_is_refused_with_a_clear_message(db: Database) -> None:
    ensure_schema(db)
    with db.write_engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))

    with pytest.raises(SchemaTooNew) as caught:
        ensure_schema(db)

    assert str(caught.value) == (
        f"database schema 0099 is newer than this program (knows up to {head_revision()}); "
        "please update order-tui"
    )
    assert (caught.value.revision, caught.value.head) == ("0099", head_revision())
    assert current_revision(db) == "0099"


def test_tables_without_a_revision_are_not_touched(db: Database) -> None:
    with db.write_engine.begin() as conn:
        conn.execute(text("CREATE TABLE something_else (id INTEGER PRIMARY KEY)"))

    with pytest.raises(MigrationError, match="something_else"):
        ensure_schema(db)

    assert _tables(db) == {"something_else"}


@pytest.fixture
def failing_head(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A copy of the migrations plus a revision "fail" on top that fails after changing the
    schema."""
    below = migrate.head_revision()
    scripts = tmp_path / "migrations"
    shutil.copytree(SCRIPT_LOCATION, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9999_fails.py").write_text(
        '"""A revision that fails halfway."""\n'
        "import sqlalchemy as sa\n"
        "from alembic import op\n"
        'revision = "fail"\n'
        f'down_revision = "{below}"\n'
        "branch_labels = None\n"
        "depends_on = None\n"
        "def upgrade():\n"
        '    with op.batch_alter_table("customer") as batch:\n'
        '        batch.add_column(sa.Column("half_done", sa.Integer(), nullable=True))\n'
        '    op.execute("DROP TABLE order_counter")\n'
        '    raise RuntimeError("boom in the last revision")\n'
        "def downgrade():\n"
        "    pass\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(migrate, "SCRIPT_LOCATION", scripts)
    assert migrate.head_revision() == "fail"
    return "fail"


def test_a_failing_migration_from_scratch_leaves_an_empty_file(
    db: Database, failing_head: str
) -> None:
    with pytest.raises(RuntimeError, match="boom in the last revision"):
        ensure_schema(db)

    # The earlier revisions ran in the same transaction as the failing one: gone too.
    assert current_revision(db) is None
    assert _tables(db) == set()


def test_a_failing_migration_leaves_the_old_schema_and_data(
    db: Database, failing_head: str
) -> None:
    upgrade_to(db, "0001")
    with db.write_engine.begin() as conn:
        _seed(conn)

    with pytest.raises(RuntimeError, match="boom in the last revision"):
        ensure_schema(db)

    assert current_revision(db) == "0001"
    assert not _triggers(db)  # 0002 rolled back with the failing revision
    with db.read_engine.connect() as conn:
        columns = {column["name"] for column in inspect(conn).get_columns("customer")}
        assert "half_done" not in columns
        assert conn.execute(text("SELECT last FROM order_counter")).scalar_one() == 1
        assert conn.execute(text("SELECT legal_name FROM customer")).scalar_one() == "北京科技"


@pg.sqlite_only(
    "PostgreSQL checks every reference as it is written (the migration keeps them on), so "
    "there is no broken reference for the end-of-upgrade check to find"
)
def test_broken_references_roll_the_upgrade_back(db: Database) -> None:
    upgrade_to(db, "0001")
    # The app's connections enforce foreign keys; a raw one (as a hand edit would) does not.
    raw = sqlite3.connect(db.read_engine.url.database or "")
    raw.execute(
        "INSERT INTO customer_contact (customer_id, name, phone, is_default) "
        "VALUES (42, 'x', '', 1)"
    )
    raw.commit()
    raw.close()

    with pytest.raises(MigrationError, match="customer_contact"):
        ensure_schema(db)

    assert current_revision(db) == "0001"
    assert not _triggers(db)


@pg.sqlite_only("the SQLite race; tests/store/test_postgres.py races four on PostgreSQL")
def test_four_processes_starting_together_migrate_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    url = _url(path)
    # Hold the new file locked so that all four workers are inside SQLite, waiting, when it is
    # released: they then race for real instead of finding each other's finished work.
    gate = sqlite3.connect(path, isolation_level=None)
    gate.execute("BEGIN EXCLUSIVE")
    context = multiprocessing.get_context("spawn")
    with context.Pool(4, maxtasksperchild=1) as pool:
        pending = pool.map_async(ensure_schema_at, [url] * 4)
        _wait_until_all_open(path, expected=4, timeout=30)
        gate.execute("ROLLBACK")
        gate.close()
        results = pending.get(timeout=120)

    assert sorted(results) == ["created", "up-to-date", "up-to-date", "up-to-date"]
    database = open_database(url, tmp_path)
    try:
        assert current_revision(database) == head_revision()
    finally:
        database.dispose()


def _wait_until_all_open(path: Path, *, expected: int, timeout: float) -> None:
    """Wait until `expected` child processes have the file open (Linux /proc; else sleep)."""
    if not Path("/proc/self/fd").is_dir():
        time.sleep(5)
        return
    target = str(path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        holders = 0
        for child in multiprocessing.active_children():
            try:
                fds = os.listdir(f"/proc/{child.pid}/fd")
                links = {os.readlink(f"/proc/{child.pid}/fd/{fd}") for fd in fds}
            except OSError:  # the process or one of its fds went away meanwhile
                continue
            holders += target in links
        if holders >= expected:
            time.sleep(0.2)  # let the last one get from open() into the busy wait
            return
        time.sleep(0.05)
    raise AssertionError(f"only {holders} of {expected} workers opened the database")


def test_models_and_migrations_agree(db: Database) -> None:
    """Fails when a model changes without a migration: write a new revision, don't edit this."""
    ensure_schema(db)
    with db.read_engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": include_name}
            ),
            SQLModel.metadata,
        )
    assert diff == []


def test_downgrade_to_base_and_back(db: Database) -> None:
    ensure_schema(db)
    _read, write = make_engines(db.url, foreign_keys=False)
    try:
        cfg = alembic_config()
        with write.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0001")
        assert not _triggers(db)
        with write.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        assert _tables(db) == {"alembic_version"}
    finally:
        write.dispose()

    assert ensure_schema(db) == "created"
    assert _triggers(db) == GUARD_TRIGGERS | SEARCH_TRIGGERS


def test_autogenerate_renders_importable_revisions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scripts = tmp_path / "migrations"
    shutil.copytree(SCRIPT_LOCATION, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(migrate, "SCRIPT_LOCATION", scripts)
    probe = Table(
        "zz_probe",
        SQLModel.metadata,
        Column("id", Integer, primary_key=True),
        Column("amount", Fen(), nullable=False),
        Column("name", AutoString(length=20), nullable=False),
    )
    try:
        path = autogenerate_revision("probe", "9998")
    finally:
        SQLModel.metadata.remove(probe)

    source = path.read_text(encoding="utf-8")
    assert path.parent == scripts / "versions"
    assert "order_tui.store.types.ScaledDecimal(2)" in source
    assert "sqlmodel.sql.sqltypes.AutoString(length=20)" in source
    assert "import order_tui.store.types" in source
    assert "import sqlmodel" in source
    # The revision must run as written: its imports cover every name it uses.
    database = open_database(_url(tmp_path / "probe.db"), tmp_path)
    try:
        assert ensure_schema(database) == "created"
        assert "zz_probe" in _tables(database)
    finally:
        database.dispose()
