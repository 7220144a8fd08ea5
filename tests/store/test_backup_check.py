"""Backups while others write, and the consistency check catching broken data."""

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_mock_engine, text
from sqlalchemy.engine import make_url

from order_tui.store.engine import Database, open_database
from order_tui.store.maintenance import CheckReport, MaintenanceError, backup, check
from order_tui.store.migrate import ensure_schema, head_revision
from tests import pg


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    with pg.blank_database(tmp_path) as database:
        ensure_schema(database)
        yield database


_insert = pg.insert_row

BACKUP_IS_A_FILE_COPY = pg.sqlite_only(
    "backup copies the SQLite file; PostgreSQL is backed up with pg_dump, which backup "
    "names instead (test_backup_of_postgresql_points_to_pg_dump)"
)


class Seed:
    """A small, consistent data set: two days of orders, numbered without gaps, and stock."""

    def __init__(self, conn: Connection) -> None:
        self.operator = _insert(conn, "operator", username="clerk", display_name="C", roles="")
        self.customer = _insert(conn, "customer", code="C1", legal_name="L", uscc="U", mnemonic="")
        self.product = _insert(conn, "product", code="P1", name="Bolt", unit="pc", mnemonic="")
        _insert(conn, "stock", product_id=self.product, on_hand=100_0000, locked=30_0000)
        for day, count, status in [("2025-03-01", 3, "approved"), ("2025-03-02", 1, "draft")]:
            for serial in range(1, count + 1):
                _order(conn, self, day, serial, status)
            _insert(conn, "order_counter", day=day, last=count)


def _order(conn: Connection, seed: Seed, day: str, serial: int, status: str = "draft") -> int:
    return _insert(
        conn,
        "sales_order",
        order_no=f"SO{day.replace('-', '')}{serial:03d}",
        order_day=day,
        serial=serial,
        customer_id=seed.customer,
        status=status,
        created_by=seed.operator,
        updated_by=seed.operator,
    )


@pytest.fixture
def seeded(db: Database) -> Seed:
    with db.write_engine.begin() as conn:
        return Seed(conn)


def _line(report: CheckReport, name: str) -> tuple[str, str, bool]:
    matches = [line for line in report.lines if line[0] == name]
    assert len(matches) == 1, report.lines
    return matches[0]


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


@BACKUP_IS_A_FILE_COPY
def test_backup_while_another_thread_writes(db: Database, seeded: Seed, tmp_path: Path) -> None:
    # Some bulk first, so that the copy takes long enough for commits to land during it.
    with db.write_engine.begin() as conn:
        # Stock movements, not audit entries: those must carry their hash-chain link.
        conn.execute(
            text(
                "INSERT INTO stock_movement (product_id, kind, qty, at, note) VALUES "
                "(:product, 'bulk', 0, '2025-01-01 00:00:00.000000', :note)"
            ),
            [{"product": seeded.product, "note": "x" * 200} for _ in range(20_000)],
        )
    stop = threading.Event()
    committed = [0]  # counted after each COMMIT returns
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            while not stop.is_set():
                with db.write_engine.begin() as conn:
                    _insert(conn, "stock_movement", product_id=seeded.product, kind="t", qty=0)
                committed[0] += 1
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while committed[0] < 20 and thread.is_alive():
            stop.wait(0.01)
        before = committed[0]
        dest = backup(db, tmp_path / "backups" / "orders-copy.db")
        after_backup = committed[0]
        while committed[0] < after_backup + 20 and thread.is_alive():
            stop.wait(0.01)  # the writer keeps going after the backup, too
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not errors
    assert committed[0] >= after_backup + 20

    assert dest == (tmp_path / "backups" / "orders-copy.db").absolute()
    assert not dest.with_name(dest.name + ".tmp").exists()
    assert _integrity(dest) == "ok"
    copy = open_database(f"sqlite:///{dest}", tmp_path)
    try:
        with copy.read_engine.connect() as conn:
            copied = conn.execute(
                text("SELECT COUNT(*) FROM stock_movement WHERE kind = 't'")
            ).scalar_one()
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        # One snapshot taken during the backup: everything committed before it, nothing after.
        assert before <= copied <= after_backup
        assert version == head_revision()
        assert check(copy, full=True).ok
    finally:
        copy.dispose()


@BACKUP_IS_A_FILE_COPY
def test_backup_refuses_to_overwrite(db: Database, tmp_path: Path) -> None:
    dest = tmp_path / "existing.db"
    dest.write_bytes(b"precious")

    with pytest.raises(MaintenanceError, match="already exists"):
        backup(db, dest)

    assert dest.read_bytes() == b"precious"
    assert not (tmp_path / "existing.db.tmp").exists()


@BACKUP_IS_A_FILE_COPY
def test_backup_leaves_a_foreign_temporary_file_alone(db: Database, tmp_path: Path) -> None:
    busy = tmp_path / "orders-copy.db.tmp"
    busy.write_bytes(b"another backup in progress")

    with pytest.raises(MaintenanceError, match="another backup is running"):
        backup(db, tmp_path / "orders-copy.db")

    assert busy.read_bytes() == b"another backup in progress"
    assert not (tmp_path / "orders-copy.db").exists()


@BACKUP_IS_A_FILE_COPY
def test_backup_handles_quotes_in_the_path(db: Database, tmp_path: Path) -> None:
    dest = backup(db, tmp_path / 'it\'s "quoted"; DROP TABLE x.db')
    assert _integrity(dest) == "ok"


def test_backup_of_postgresql_points_to_pg_dump(tmp_path: Path) -> None:
    engine = create_mock_engine("postgresql+psycopg://u@localhost/orders", lambda *a, **k: None)
    pg = Database(
        url="postgresql+psycopg://u@localhost/orders",
        read_engine=engine,  # type: ignore[arg-type]  # only the dialect is looked at
        write_engine=engine,  # type: ignore[arg-type]
        data_dir=tmp_path,
    )
    with pytest.raises(MaintenanceError, match="pg_dump"):
        backup(pg, tmp_path / "pg.db")


@pytest.mark.skipif(not pg.on_postgres(), reason="needs a PostgreSQL server (ORDER_TUI_TEST_DB)")
def test_backup_on_postgresql_names_the_commands_without_the_password(
    db: Database, tmp_path: Path
) -> None:
    url = make_url(db.url).set(password="s3cret").render_as_string(hide_password=False)
    with_password = Database(url, db.read_engine, db.write_engine, tmp_path)
    with pytest.raises(MaintenanceError) as caught:
        backup(with_password, tmp_path / "orders-20261127.dump")
    message = str(caught.value)
    assert f"pg_dump --format=custom --file={tmp_path / 'orders-20261127.dump'} " in message
    assert "pg_restore" in message
    assert "s3cret" not in message and "postgresql://" in message


def test_check_passes_on_a_good_database(db: Database, seeded: Seed) -> None:
    report = check(db)
    assert report.ok, report.lines
    integrity = ["quick_check", "foreign keys"] if db.is_sqlite else ["integrity", "search index"]
    assert [name for name, _detail, _passed in report.lines] == [
        "schema",
        *integrity,
        "order status",
        "stock",
        "order numbers",
        "audit chain",
    ]
    if db.is_sqlite:
        assert _line(check(db, full=True), "integrity_check") == ("integrity_check", "ok", True)


def _raw(db: Database, sql: str) -> None:
    """A change made outside the app (SQLite: foreign keys off, no triggers skipped)."""
    if not db.is_sqlite:
        with db.write_engine.begin() as pg_conn:
            pg_conn.execute(text(sql))
        return
    conn = sqlite3.connect(db.read_engine.url.database or "")
    try:
        conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


def _order_with_gap(db: Database, seed: Seed) -> None:
    with db.write_engine.begin() as conn:
        _order(conn, seed, "2025-03-02", 5)
        conn.execute(text("UPDATE order_counter SET last = 5 WHERE day = '2025-03-02'"))


# case -> (the check that must fail, how to break the data, part of the expected detail)
CORRUPTIONS: dict[str, tuple[str, Callable[[Database, Seed], None], str]] = {
    "locked above on hand": (
        "stock",
        lambda db, seed: _raw(db, "UPDATE stock SET locked = on_hand + 1"),
        "product 1",
    ),
    "negative locked": (
        "stock",
        lambda db, seed: _raw(db, "UPDATE stock SET locked = -1"),
        "product 1",
    ),
    "gap in serials": ("order numbers", _order_with_gap, "2025-03-02: serial 2, 3, 4 missing"),
    "counter ahead of orders": (
        "order numbers",
        lambda db, seed: _raw(db, "UPDATE order_counter SET last = 4 WHERE day = '2025-03-01'"),
        "2025-03-01: serial 4 missing",
    ),
    "orders without counter": (
        "order numbers",
        lambda db, seed: _raw(db, "DELETE FROM order_counter WHERE day = '2025-03-02'"),
        "2025-03-02: orders but no counter",
    ),
    "bogus status": (
        "order status",
        lambda db, seed: _raw(db, "UPDATE sales_order SET status = 'teleported' WHERE serial = 2"),
        "'teleported' (1)",
    ),
    "broken reference": (
        "foreign keys",
        lambda db, seed: _raw(db, "UPDATE sales_order SET customer_id = 999 WHERE serial = 3"),
        "sales_order row",
    ),
    "schema too new": (
        "schema",
        lambda db, seed: _raw(db, "UPDATE alembic_version SET version_num = '0099'"),
        "revision 0099",
    ),
}


@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_check_reports_the_broken_invariant(db: Database, seeded: Seed, case: str) -> None:
    if case == "broken reference" and not db.is_sqlite:
        pytest.skip("PostgreSQL refuses a broken reference when it is written")
    name, corrupt, detail = CORRUPTIONS[case]
    corrupt(db, seeded)

    report = check(db)

    assert not report.ok
    failed = [line for line in report.lines if not line[2]]
    assert [line[0] for line in failed] == [name], report.lines
    assert detail in failed[0][1]


def test_check_of_an_empty_file_says_not_created(tmp_path: Path) -> None:
    with pg.blank_database(tmp_path / "new") as empty:
        report = check(empty)
    assert not report.ok
    assert _line(report, "schema")[1].startswith("not created")
    assert _line(report, "quick_check" if pg.server_url() is None else "integrity")[2]


@pytest.mark.skipif(not pg.on_postgres(), reason="needs a PostgreSQL server (ORDER_TUI_TEST_DB)")
def test_check_on_postgresql_fails_a_ctype_that_leaves_chinese_out_of_the_index(
    db: Database,
) -> None:
    assert _line(check(db), "search index")[2]
    name = pg.new_name("ctype_c")
    pg._admin(
        f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
    )
    try:
        other = open_database(pg.url_for(name), db.data_dir)
        try:
            ensure_schema(other)
            detail = _line(check(other), "search index")
        finally:
            other.dispose()
    finally:
        pg.drop_database(name)
    assert detail[2] is False and "C.UTF-8" in detail[1]
