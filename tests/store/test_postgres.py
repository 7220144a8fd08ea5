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


def _submitted(db: Database, cast: DemoCast) -> str:
    from order_tui.services import review
    from order_tui.services.demo import new_order

    no = new_order(db, cast, "C0002", [("P0001", "2")])
    review.submit(db, cast["zhao"], no)
    return no


@needs_postgres
def test_a_write_holds_the_row_lock_of_the_order_it_loads_until_commit(
    db: Database, cast: DemoCast
) -> None:
    """The order a write transaction loads by number is locked by that very read (one
    statement, SELECT ... FOR UPDATE): another operator's change of it waits, so what this
    write decided from (status, version, hold) and audits is still true at COMMIT. Without the
    lock the second approval below goes through while the first write still holds its view."""
    from order_tui.domain.errors import Conflict
    from order_tui.services import review

    no = _submitted(db, cast)
    impatient = open_database(db.url, db.data_dir, busy_ms=200)
    try:
        with db.writing() as session:
            order = repo.get_order(session, no)
            with pytest.raises(Conflict) as caught:
                review.approve(impatient, cast["zhang"], no)
            assert caught.value.code == "store.busy"
            assert order.status == "in_review"
        # Committed, the lock is gone; a read never takes it.
        with db.reading() as session:
            repo.get_order(session, no)
            assert review.approve(impatient, cast["zhang"], no).order_no == no
    finally:
        impatient.dispose()


@needs_postgres
def test_an_order_loaded_otherwise_is_locked_by_authorize(db: Database, cast: DemoCast) -> None:
    """lock_order takes the row lock (re-reading the order) for an order the write did not load
    by number, and sends nothing more for one it did."""
    from sqlalchemy import event

    no = _submitted(db, cast)
    with db.reading() as session:
        order_id = repo.get_order(session, no).id
    assert order_id is not None
    probe = create_engine(db.url, connect_args={"options": "-c lock_timeout=100"})
    seen: list[str] = []

    def before(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        seen.append(statement)

    def locked_elsewhere() -> bool:
        with probe.connect() as conn:
            try:
                conn.execute(
                    text("SELECT 1 FROM sales_order WHERE id = :i FOR UPDATE NOWAIT"),
                    {"i": order_id},
                )
            except Exception as exc:  # lock_not_available
                assert getattr(exc.orig, "sqlstate", None) == "55P03", exc  # type: ignore[attr-defined]
                return True
            conn.rollback()
            return False

    try:
        with db.writing() as session:
            order = repo.get_order_by_id(session, order_id)
            assert not locked_elsewhere()
            repo.lock_order(session, order)
            assert locked_elsewhere()
        with db.writing() as session:
            order = repo.get_order(session, no)
            assert locked_elsewhere()
            event.listen(db.write_engine, "before_cursor_execute", before)
            try:
                repo.lock_order(session, order)
            finally:
                event.remove(db.write_engine, "before_cursor_execute", before)
            assert seen == []
    finally:
        probe.dispose()


@needs_postgres
def test_a_pooled_connection_is_pinged_only_after_sitting_idle(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Back-to-back transactions reuse their connection without a ping (a round trip each);
    one idle longer than PG_PING_AFTER_IDLE_S is pinged, and one the server dropped meanwhile
    is replaced instead of failing the operator's next action."""
    from order_tui.store import engine as engine_module

    pings: list[object] = []
    dialect = db.read_engine.dialect
    real_ping = dialect.do_ping

    def counting_ping(dbapi_connection: object) -> bool:
        pings.append(dbapi_connection)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counting_ping)

    def backend_pid() -> int:
        with db.reading() as session:
            return int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())

    first = backend_pid()
    for _ in range(3):
        assert backend_pid() == first
    assert pings == []
    monkeypatch.setattr(engine_module, "PG_PING_AFTER_IDLE_S", 0.0)
    assert backend_pid() == first
    assert len(pings) == 1
    killer = create_engine(db.url)
    try:
        with killer.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": first}).scalar()
    finally:
        killer.dispose()
    assert backend_pid() != first  # the dead one failed its ping and was replaced


@needs_postgres
def test_the_lazy_cursor_description_is_psycopgs_own(db: Database) -> None:
    """The engine's cursors describe a result only when asked (store/pg_cursor.py); what they
    give then is exactly psycopg's description of that result, even after the cursor has run
    another statement, and SQLAlchemy reads rows and names through it as before."""
    import psycopg

    from order_tui.store.pg_cursor import LazyDescription, LazyDescriptionCursor

    conninfo = pg_conninfo(db.url)
    queries = [
        "SELECT * FROM sales_order ORDER BY id LIMIT 2",
        "SELECT 1 AS one, 'x'::varchar(5) AS v, 1.5::numeric(10, 2) AS n, now() AS t, NULL",
        "SELECT",  # a result with rows and no columns
    ]
    with psycopg.connect(conninfo) as plain, psycopg.connect(conninfo) as lazy_conn:
        lazy_conn.cursor_factory = LazyDescriptionCursor
        for query in queries:
            eager, lazy = plain.cursor(), lazy_conn.cursor()
            eager.execute(query)
            lazy.execute(query)
            described = lazy.description
            assert isinstance(described, LazyDescription)
            expected = eager.description
            assert expected is not None
            lazy.execute("SELECT 42 AS other")  # the description keeps its own result
            assert len(described) == len(expected)
            assert [tuple(c) for c in described] == [tuple(c) for c in expected]
            assert [c.name for c in described[:2]] == [c.name for c in expected[:2]]
        for cursor in (plain.cursor(), lazy_conn.cursor()):
            cursor.execute("UPDATE sales_order SET version = version WHERE false")
            assert cursor.description is None
    with db.reading() as session:
        dbapi = session.connection().connection.dbapi_connection
        assert dbapi is not None and dbapi.cursor_factory is LazyDescriptionCursor
        row = session.execute(text("SELECT 7 AS seven, 'z' AS zed")).one()
        assert (row.seven, row.zed) == (7, "z")


def pg_conninfo(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
