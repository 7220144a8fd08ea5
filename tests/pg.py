"""The PostgreSQL switch of the test suite: one env var, read here and by tests/conftest.py.

ORDER_TUI_TEST_DB=postgresql+psycopg://postgres@/postgres?host=/socket/dir points the `db` and
`empty_db` fixtures (and the tests that build their own databases through `fresh_url`) at a
PostgreSQL server. Unset, everything is SQLite as before. `scripts/pg-throwaway start` prints a
suitable URL (a superuser on a throwaway cluster: the reset below switches triggers off).

Per-test databases: CREATE DATABASE ... TEMPLATE costs 0.2-0.7 s here (it copies the catalogs
too), more than many tests. So each xdist worker migrates ONE database once, keeps what a kind
of fixture starts from ("empty", "master") as copies in a schema of its own, and resets the
tables to that copy before each test: DELETE, INSERT ... SELECT and setval in one round trip,
about 30 ms, with triggers off (session_replication_role = replica) so the audit log's guard
and the search index's triggers stay out of it. Tests that change the schema itself
(migrations) take a fresh database from `fresh_url` instead.

Imported as `from tests.pg import ...` (pytest puts the project root on the path).
"""

import itertools
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from order_tui.store.engine import Database

TEST_DB_ENV = "ORDER_TUI_TEST_DB"

_counter = itertools.count(1)


def server_url() -> str | None:
    """The PostgreSQL server the suite runs against, or None for SQLite."""
    url = os.environ.get(TEST_DB_ENV, "").strip()
    return url or None


def on_postgres() -> bool:
    return server_url() is not None


def sqlite_only(reason: str) -> pytest.MarkDecorator:
    """Skip on PostgreSQL; `reason` says why the behaviour is SQLite's alone."""
    return pytest.mark.skipif(on_postgres(), reason=f"SQLite only: {reason}")


def _prefix() -> str:
    # xdist workers share the server: each gets its own names (gw0, gw1, ...), and the pid
    # keeps two runs on one server apart.
    return f"t_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


def url_for(name: str) -> str:
    base = server_url()
    assert base is not None
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def _admin(statement: str) -> None:
    base = server_url()
    assert base is not None
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def new_name(kind: str = "db") -> str:
    return f"{_prefix()}_{kind}_{next(_counter)}"


def create_database(name: str) -> str:
    """CREATE DATABASE as README tells operators to (UTF8; C collation so text sorts by code
    point as SQLite's does; a UTF-8 ctype so pg_trgm indexes Chinese); returns its URL."""
    _admin(
        f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
        "LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
    )
    return url_for(name)


def drop_database(name: str) -> None:
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def fresh_url(kind: str = "db") -> tuple[str, str]:
    """A new empty PostgreSQL database: (name, url). The caller drops it."""
    name = new_name(kind)
    return name, create_database(name)


@dataclass
class Snapshot:
    """What one kind of test database starts from, kept in schema `snap_<kind>`."""

    reset_sql: str


def _tables(conn: object) -> list[str]:
    rows = conn.execute(  # type: ignore[attr-defined]
        text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    )
    return [str(name) for (name,) in rows]


def take_snapshot(engine: Engine, kind: str) -> Snapshot:
    """Copy the public tables' rows and the sequences' positions into schema snap_<kind>,
    and build the SQL that puts them back."""
    schema = f"snap_{kind}"
    with engine.begin() as conn:
        tables = _tables(conn)
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
        filled = []
        for table in tables:
            if conn.execute(text(f"SELECT EXISTS (SELECT 1 FROM public.{table})")).scalar():
                conn.execute(text(f"CREATE TABLE {schema}.{table} AS TABLE public.{table}"))
                filled.append(table)
        sequences = conn.execute(
            text(
                "SELECT sequencename, last_value FROM pg_sequences "
                "WHERE schemaname = 'public' ORDER BY sequencename"
            )
        ).all()
    statements = ["SET session_replication_role = replica"]
    statements += [f"DELETE FROM public.{table}" for table in tables]
    statements += [f"INSERT INTO public.{t} SELECT * FROM {schema}.{t}" for t in filled]
    for name, last in sequences:
        # setval(seq, 1, false): the next value is 1, as for a sequence never used.
        value, called = (int(last), "true") if last is not None else (1, "false")
        statements.append(f"SELECT setval('public.{name}', {value}, {called})")
    statements.append("SET session_replication_role = DEFAULT")
    # A test may have switched a trigger off (to tamper with the audit log, say).
    statements += [f"ALTER TABLE public.{table} ENABLE TRIGGER USER" for table in tables]
    return Snapshot(";\n".join(statements))


def reset(engine: Engine, snapshot: Snapshot) -> None:
    """Put the tables back to the snapshot, in one round trip."""
    with engine.begin() as conn:
        conn.exec_driver_sql(snapshot.reset_sql)


class Worker:
    """This process's one PostgreSQL database, migrated, and its named snapshots."""

    def __init__(self) -> None:
        from order_tui.store.engine import open_database
        from order_tui.store.migrate import ensure_schema

        self.name, self.url = fresh_url("work")
        self.engine = create_engine(self.url)
        db = open_database(self.url, Path(tempfile.gettempdir()))
        try:
            ensure_schema(db)
        finally:
            db.dispose()
        self.snapshots: dict[str, Snapshot] = {"empty": take_snapshot(self.engine, "empty")}

    def prepare(self, kind: str, build: Callable[[str], None], base: str = "empty") -> None:
        """Snapshot `kind` once: reset to `base`, run `build(url)`, keep the result."""
        if kind not in self.snapshots:
            self.reset(base)
            build(self.url)
            self.snapshots[kind] = take_snapshot(self.engine, kind)

    def reset(self, kind: str) -> None:
        reset(self.engine, self.snapshots[kind])

    def drop(self) -> None:
        self.engine.dispose()
        drop_database(self.name)


_WORKER: list[Worker] = []


def worker() -> Worker:
    """The per-process worker database (created on first use, dropped by conftest)."""
    if not _WORKER:
        _WORKER.append(Worker())
    return _WORKER[0]


def drop_worker() -> None:
    while _WORKER:
        _WORKER.pop().drop()


@contextmanager
def blank_database(folder: Path) -> Iterator["Database"]:
    """A database without any schema: a new SQLite file in `folder`, or a new PostgreSQL
    database (dropped afterwards). For tests of migrations and of `check` on nothing."""
    from order_tui.store.engine import open_database

    if not on_postgres():
        database = open_database(f"sqlite:///{folder / 'orders.db'}", folder)
        try:
            yield database
        finally:
            database.dispose()
        return
    name, url = fresh_url("blank")
    database = open_database(url, folder)
    try:
        yield database
    finally:
        database.dispose()
        drop_database(name)


def insert_row(conn: Connection, table: str, **values: Any) -> int:
    """INSERT with raw SQL, filling every other NOT NULL column with a plain value; the new
    id (0 for a table keyed otherwise). Reads the columns from the database itself, so it
    works at any revision and on both backends."""
    filler: dict[str, Any] = {"INTEGER": 0, "BIGINT": 0, "BOOLEAN": False, "DATE": "2025-01-01"}
    stamp = "2025-01-01 00:00:00.000000"
    inspector = inspect(conn)
    keys = set(inspector.get_pk_constraint(table)["constrained_columns"])
    for column in inspector.get_columns(table):
        name = column["name"]
        if name in values or column["nullable"] or column["default"] is not None or name in keys:
            continue
        kind = type(column["type"]).__name__.upper()
        values[name] = filler.get(kind, stamp if "TIME" in kind else "")
    columns = ", ".join(values)
    params = ", ".join(f":{name}" for name in values)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({params})"
    if "id" not in keys:  # order_counter is keyed by its day
        conn.execute(text(sql), values)
        return 0
    return int(conn.execute(text(sql + " RETURNING id"), values).scalar_one())


def demo_for_cli(mp: pytest.MonkeyPatch, folder: Path) -> None:
    """Point ORDER_TUI_DB at a new demo database for a command-line test: `demo --prepare`
    into a file in `folder`, or on PostgreSQL the worker database put back to a demo made
    once the same way (the demo's PIN hashes make it slow)."""
    from order_tui.cli import main

    if not on_postgres():
        mp.setenv("ORDER_TUI_DB", str(folder / "orders.db"))
        assert main(["demo", "--prepare"]) == 0
        return
    work = worker()
    work.prepare("cli_demo", lambda url: _check_zero(main(["demo", "--prepare", "--db", url])))
    work.reset("cli_demo")
    mp.setenv("ORDER_TUI_DB", work.url)


def _check_zero(code: int) -> None:
    assert code == 0
