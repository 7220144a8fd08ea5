"""The engine factory: one recipe for SQLite shared by several processes, same code on PostgreSQL.

SQLite: WAL, synchronous=FULL (a power loss must not re-issue an order number), foreign keys
on, a busy timeout, and BEGIN IMMEDIATE for every write transaction: a deferred BEGIN lets
"database is locked" escape at once whatever the timeout (notes/data-layer.md section 1).
Reads use plain deferred transactions on the same pool.
"""

import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

BUSY_TIMEOUT_MS = 5000


@dataclass
class Database:
    """The handle every service receives: a read engine, a write engine and the data dir."""

    url: str
    read_engine: Engine
    write_engine: Engine
    data_dir: Path
    timezone: str = "Asia/Shanghai"
    retention_years: int = 3

    @property
    def is_sqlite(self) -> bool:
        return self.read_engine.dialect.name == "sqlite"

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A short read session; objects stay usable after it closes."""
        with Session(self.read_engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction: commits on success, rolls back on any exception."""
        with Session(self.write_engine, expire_on_commit=False) as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.read_engine.dispose()
        self.write_engine.dispose()


def _sqlite_engine(url: str, *, busy_ms: int, foreign_keys: bool, synchronous: str) -> Engine:
    connect_args: dict[str, Any] = {"timeout": busy_ms / 1000}
    if sys.version_info >= (3, 12):
        # Keep legacy mode explicitly: with autocommit=False the driver would issue its own
        # deferred BEGIN and ignore ours; Python 3.16 flips the default.
        connect_args["autocommit"] = sqlite3.LEGACY_TRANSACTION_CONTROL
    is_memory = make_url(url).database in (None, "", ":memory:")
    engine = create_engine(
        url,
        connect_args=connect_args,
        # A pool of file connections is cheap and safe; in-memory needs one shared connection.
        poolclass=None if not is_memory else NullPool,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.isolation_level = None  # the driver never BEGINs; the begin hook does
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def make_engines(
    url: str,
    *,
    busy_ms: int = BUSY_TIMEOUT_MS,
    foreign_keys: bool = True,
    synchronous: str = "FULL",
) -> tuple[Engine, Engine]:
    """(read_engine, write_engine) for a database URL."""
    if url.startswith("sqlite"):
        base = _sqlite_engine(
            url, busy_ms=busy_ms, foreign_keys=foreign_keys, synchronous=synchronous
        )
        return base, base.execution_options(sqlite_begin="IMMEDIATE")
    base = create_engine(url, pool_pre_ping=True)
    return base, base


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def prepare_sqlite_file(path: Path, *, shared: bool = False) -> None:
    """Create the directory (and, for a shared database, a group-writable file).

    SQLite creates its -wal and -shm side files with the main file's mode; a 0644 file makes
    every other OS user's write fail with "attempt to write a readonly database".
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if shared:
        os.chmod(path.parent, 0o2770)  # setgid: side files keep the group
        if not path.exists():
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o660)
            os.close(fd)
        os.chmod(path, 0o660)


def open_database(
    url: str,
    data_dir: Path,
    *,
    timezone: str = "Asia/Shanghai",
    retention_years: int = 3,
    busy_ms: int = BUSY_TIMEOUT_MS,
) -> Database:
    """Engines for an existing or new database; the schema is the migrator's job."""
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    read, write = make_engines(url, busy_ms=busy_ms)
    return Database(
        url=url,
        read_engine=read,
        write_engine=write,
        data_dir=data_dir,
        timezone=timezone,
        retention_years=retention_years,
    )
