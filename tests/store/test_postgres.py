"""Concurrency on a real server: migrations under the advisory lock; per-day numbers, audit
entries and stock changes from several connections. (Run with ORDER_TUI_TEST_DB set; all but
the migration race run on SQLite too.)"""

import multiprocessing
import random
import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from order_tui.services.demo import DemoCast
from order_tui.store import repo
from order_tui.store.engine import Database, make_engines, open_database
from order_tui.store.maintenance import check
from order_tui.store.migrate import (
    PG_MIGRATION_LOCK_KEY,
    current_revision,
    ensure_schema_at,
    head_revision,
)
from tests import pg

needs_postgres = pytest.mark.skipif(
    not pg.on_postgres(),
    reason="PostgreSQL's advisory lock; test_migrations races four processes on SQLite",
)


def _waiting_for_the_lock(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    )
                ).scalar_one()
            )
    finally:
        engine.dispose()


@needs_postgres
def test_four_processes_starting_together_migrate_once_on_postgresql(tmp_path) -> None:
    name, url = pg.fresh_url("race")
    gate_engine = create_engine(url)
    try:
        # Hold the migration lock so that all four are inside the server, waiting for it, when
        # it is released: they race for real instead of finding each other's finished work.
        with gate_engine.connect() as gate:
            gate.execute(text("SELECT pg_advisory_lock(:k)"), {"k": PG_MIGRATION_LOCK_KEY})
            gate.commit()
            context = multiprocessing.get_context("spawn")
            with context.Pool(4, maxtasksperchild=1) as pool:
                pending = pool.map_async(ensure_schema_at, [url] * 4)
                deadline = time.monotonic() + 60
                while _waiting_for_the_lock(url) < 4:
                    assert time.monotonic() < deadline, "the four never all waited for the lock"
                    time.sleep(0.05)
                gate.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_MIGRATION_LOCK_KEY})
                gate.commit()
                results = pending.get(timeout=120)
        assert sorted(results) == ["created", "up-to-date", "up-to-date", "up-to-date"]
        database = open_database(url, tmp_path)
        try:
            assert current_revision(database) == head_revision()
        finally:
            database.dispose()
    finally:
        gate_engine.dispose()
        pg.drop_database(name)


def test_numbers_from_several_connections_are_unique_and_gap_free(empty_db: Database) -> None:
    """Four threads, each with its own engine (its own connections), take numbers for one
    day at once; a third of the transactions roll back. What was committed is 1..n."""
    day = date(2026, 11, 27)
    committed: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)
    lock = threading.Lock()

    def take(seed: int) -> None:
        rng = random.Random(seed)
        _read, write = make_engines(empty_db.url)
        try:
            start.wait()
            for _ in range(25):
                try:
                    with Session(write) as session, session.begin():
                        serial = repo.next_serial(session, day)
                        if rng.random() < 1 / 3:
                            raise LookupError("roll back")  # the user cancelled, say
                except LookupError:
                    continue
                with lock:
                    committed.append(serial)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            write.dispose()

    threads = [threading.Thread(target=take, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sorted(committed) == list(range(1, len(committed) + 1))
    with empty_db.reading() as session:
        last = session.execute(
            text("SELECT last FROM order_counter WHERE day = :d"), {"d": day}
        ).scalar_one()
    assert last == len(committed)


def test_audit_entries_from_several_connections_keep_one_chain(
    db: Database, cast: DemoCast
) -> None:
    """Four threads, each with its own Database (own connections), append audit entries at
    once. On PostgreSQL, where writers do not exclude each other, two entries linked to the
    same predecessor would break the chain; check must find every link holding."""
    from order_tui.services.common import audit

    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def append(n: int) -> None:
        mine = open_database(db.url, db.data_dir)
        try:
            start.wait()
            for i in range(20):
                with mine.writing() as session:
                    audit(session, cast["zhao"], "probe", n * 100 + i, "probe")
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            mine.dispose()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    [(detail, passed)] = [(d, p) for name, d, p in check(db).lines if name == "audit chain"]
    assert passed, detail


def test_stock_changes_from_several_connections_are_not_lost(db: Database) -> None:
    """Four threads with their own connections each lock 25 units of one product, one unit
    per transaction: all 100 arrive (a read-modify-write without the row lock loses some)."""
    from order_tui.store.models import Product

    with db.reading() as session:
        product = session.exec(select(Product).where(Product.code == "P0001")).one()
        assert product.id is not None
        product_id = product.id
        before = repo.peek_stock(session, product_id).locked
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def take() -> None:
        mine = open_database(db.url, db.data_dir)
        try:
            start.wait()
            for _ in range(25):
                with mine.writing() as session:
                    stock = repo.stock_for(session, product_id)
                    stock.locked += Decimal(1)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            mine.dispose()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    with db.reading() as session:
        assert repo.peek_stock(session, product_id).locked == before + 100


@pytest.mark.skipif(
    not pg.on_postgres(),
    reason="PostgreSQL's lock_timeout; SQLite's busy timeout is the writer queue's tests'",
)
def test_a_save_that_waits_too_long_for_a_row_is_the_coded_busy_conflict(db: Database) -> None:
    """lock_timeout plays SQLite's busy timeout: the waiting save fails as store.busy (which
    the screens show as "busy, try again"), not as a driver error, and writes nothing."""
    from order_tui.domain.errors import Conflict

    impatient = open_database(db.url, db.data_dir, busy_ms=200)
    holder = create_engine(db.url)
    try:
        with holder.connect() as conn:
            conn.execute(text("UPDATE stock SET location = 'held' WHERE product_id = 1"))
            with pytest.raises(Conflict) as caught, impatient.writing() as session:
                session.execute(text("UPDATE stock SET location = 'mine' WHERE product_id = 1"))
            conn.rollback()
    finally:
        holder.dispose()
        impatient.dispose()
    assert caught.value.code == "store.busy"
    with db.reading() as session:
        location = session.execute(text("SELECT location FROM stock WHERE product_id = 1"))
        assert location.scalar_one() not in ("held", "mine")
