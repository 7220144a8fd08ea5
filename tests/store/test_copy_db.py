"""`order-tui migrate-db`: SQLite into an empty PostgreSQL database, verified, all or nothing.

Needs a PostgreSQL server: ORDER_TUI_TEST_DB names a database on it (CI starts a throwaway
cluster, see scripts/pg-throwaway); each test copies into a database of its own there.
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from order_tui.cli import main
from order_tui.services import operators
from order_tui.services.demo import DemoCast, build_demo, new_order
from order_tui.store import copy_db
from order_tui.store.copy_db import CopyError, copy_database, table_sum, tables
from order_tui.store.engine import Database, open_database
from order_tui.store.maintenance import check
from order_tui.store.migrate import ensure_schema

SERVER = os.environ.get("ORDER_TUI_TEST_DB", "")
pytestmark = pytest.mark.skipif(
    not SERVER.startswith("postgresql"), reason="needs ORDER_TUI_TEST_DB=postgresql+psycopg://..."
)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The demo database: orders in every status, reviews, shipments, holds, attachments."""
    folder = tmp_path_factory.mktemp("source")
    db = open_database(f"sqlite:///{folder}/orders.db", folder)
    ensure_schema(db)
    build_demo(db)
    yield db
    db.dispose()


@pytest.fixture
def target_url() -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards."""
    name = f"copy_{uuid.uuid4().hex[:12]}"
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in tables()
            }
    finally:
        engine.dispose()


def test_copy_is_complete_verified_and_usable(source: Database, target_url: str) -> None:
    report = copy_database(source, target_url)

    expected = counts(source.url)
    assert counts(target_url) == expected
    assert {t.name: t.rows for t in report.tables} == expected
    assert expected["sales_order"] >= 10 and expected["audit_event"] > 0
    assert report.attachments == expected["attachment"] > 0
    with source.read_engine.connect() as a:
        engine = create_engine(target_url)
        with engine.connect() as b:
            for table in tables():
                assert table_sum(a, table).hex == table_sum(b, table).hex, table.name
        engine.dispose()

    target = open_database(target_url, source.data_dir)
    try:
        report_lines = check(target)
        assert report_lines.ok, report_lines.lines  # audit chain, numbering, statuses, stock
        # the sequences continue after the copied ids: a new order and its audit row go in
        cast = DemoCast({"zhao": operators.find_actor(target, "zhao")})
        before = counts(target_url)
        new_order(target, cast, "C0001", [("P0001", "1")])
        after = counts(target_url)
        assert after["sales_order"] == before["sales_order"] + 1
        assert after["audit_event"] == before["audit_event"] + 1
    finally:
        target.dispose()


def test_refuses_a_target_that_is_not_empty(source: Database, target_url: str) -> None:
    copy_database(source, target_url)
    filled = counts(target_url)
    with pytest.raises(CopyError, match="not empty: archive_name"):
        copy_database(source, target_url)
    assert counts(target_url) == filled


def test_an_interrupted_copy_leaves_the_target_empty(
    source: Database, target_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server ends the copying session half-way (as when the program is killed or the
    network drops): the copy's one transaction goes with it."""
    killer = create_engine(target_url, isolation_level="AUTOCOMMIT")

    def cut(table: str, rows: int) -> None:
        if table == "sales_order":
            with killer.connect() as conn:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )

    with pytest.raises(Exception, match=r"terminat|closed|connection"):
        copy_database(source, target_url, progress=cut)
    killer.dispose()
    assert set(counts(target_url).values()) == {0}


def test_a_copy_that_does_not_verify_is_rolled_back(
    source: Database, target_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = copy_db._copy_table

    def lossy(sconn: Any, tconn: Any, table: Any) -> Any:
        summed = real(sconn, tconn, table)
        if table.name == "order_line":
            tconn.execute(
                text("DELETE FROM order_line WHERE id = (SELECT MAX(id) FROM order_line)")
            )
        return summed

    monkeypatch.setattr(copy_db, "_copy_table", lossy)
    with pytest.raises(CopyError, match=r"did not verify.*order_line"):
        copy_database(source, target_url)
    assert set(counts(target_url).values()) == {0}


def test_a_write_to_the_source_during_the_copy_rolls_it_back(
    source: Database, target_url: str
) -> None:
    def someone_writes(table: str, rows: int) -> None:
        if table == "customer":
            with source.writing() as session:
                session.connection().execute(
                    text("UPDATE customer SET bank_name = bank_name || '.' WHERE id = 1")
                )

    with pytest.raises(CopyError, match="while it was being copied"):
        copy_database(source, target_url, progress=someone_writes)
    assert set(counts(target_url).values()) == {0}


def test_refuses_wrong_kinds_of_database(source: Database, tmp_path: Path) -> None:
    with pytest.raises(CopyError, match="needs a PostgreSQL URL"):
        copy_database(source, f"sqlite:///{tmp_path}/other.db")


def test_command_line(
    source: Database, target_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make_url(source.url).database
    assert main(["--db", str(path), "migrate-db", "--to", target_url]) == 0
    out = capsys.readouterr().out
    assert "copied and verified" in out and "checksums match" in out
    assert "sales_order" in out and "attachment record(s) copied" in out

    assert main(["--db", str(path), "migrate-db", "--to", target_url]) == 1
    assert "is not empty" in capsys.readouterr().err
