"""The engine factory: one recipe for SQLite shared by several processes, same code on PostgreSQL.

SQLite: WAL, synchronous=FULL (a power loss must not re-issue an order number), foreign keys
on, a busy timeout, and BEGIN IMMEDIATE for every write transaction: a deferred BEGIN lets
"database is locked" escape at once whatever the timeout (notes/data-layer.md section 1).
Reads use plain deferred transactions on the same pool.

PostgreSQL (`postgresql+psycopg://...`): READ COMMITTED with real row locks, so the same guarded
UPDATEs and the counter upsert serialise writers row by row. `lock_timeout` plays SQLite's busy
timeout: a write that waits longer for another operator's row lock fails, and so does a
serialization failure or a deadlock; `writing()` turns all three into the coded `store.busy`
Conflict the screens already show ("try again"), never a driver message.
"""

import contextlib
import fcntl
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError, OperationalError
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

from order_tui.domain import messages
from order_tui.domain.errors import Conflict

if TYPE_CHECKING:
    import sqlite3

messages.register(
    {
        "store.busy": (
            "数据库忙：其他操作员正在保存，请稍后重试",
            "the database is busy with another operator's save: try again in a moment",
        ),
    }
)

BUSY_TIMEOUT_MS = 5000
# Session.info key marking a write transaction's session (Database.writing): on PostgreSQL the
# store reads the order such a transaction loads under its row lock at once (repo.get_order).
WRITING = "order_tui.writing"
# PostgreSQL: a session left idle inside a transaction (a hung or stopped client) would hold
# its row locks for everyone; the server ends it after this long. Our transactions are short.
PG_IDLE_IN_TRANSACTION_MS = 300_000
# SQLSTATEs of a write that lost a race for a lock rather than hit bad data: lock_timeout,
# serialization failure, deadlock. Retrying later is the answer, as with SQLite's busy.
PG_BUSY_STATES = frozenset({"55P03", "40001", "40P01"})
# A pooled PostgreSQL connection idle longer than this is pinged before use (_ping_when_idle).
PG_PING_AFTER_IDLE_S = 1.0
_IDLE_SINCE = "order_tui.idle_since"
# Set to "0" to leave writers to SQLite's busy handler alone (benchmarks compare the two).
WRITER_QUEUE_ENV = "ORDER_TUI_WRITER_QUEUE"
LOCK_SUFFIX = ".writer-lock"


class WriterQueue:
    """Writers of one SQLite file take turns on a lock file before BEGIN IMMEDIATE.

    SQLite's busy handler sleeps and retries with growing sleeps (up to 100 ms), so a writer
    that commits often (an import) re-takes the lock while an operator's write is asleep: the
    operator waits seconds (notes/data-layer.md 1.5). Waiting here instead, on a kernel lock
    polled every half millisecond, hands the lock over within a millisecond of its release.

    `flock` on `<db>.writer-lock`: per open file, so each acquisition opens its own
    descriptor (threads of one process exclude each other too), and the kernel drops it when
    a process dies. The file gets the database file's mode, so operators who share the
    database as different OS users (0660, see prepare_sqlite_file) share the lock file too.
    Nothing depends on it for correctness: SQLite's own lock still decides, so a file that
    cannot be opened, or a wait past the busy timeout, just goes on without the queue.
    """

    POLL = 0.0005
    NESTED = -1

    def __init__(self, db_path: Path, timeout: float) -> None:
        self.path = Path(f"{db_path}{LOCK_SUFFIX}")
        self.db_path = db_path
        self.timeout = timeout
        self._held = threading.local()
        # id(driver connection) -> the token of its turn
        self.turns: dict[int, int | None] = {}

    def _open(self) -> int | None:
        try:
            return os.open(self.path, os.O_RDONLY)  # flock needs no write access
        except FileNotFoundError:
            pass
        except OSError:
            return None
        try:
            mode = self.db_path.stat().st_mode & 0o666
        except OSError:
            mode = 0o644
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CREAT | os.O_EXCL, mode)
        except FileExistsError:
            return self._open()
        except OSError:
            return None
        with contextlib.suppress(OSError):
            os.fchmod(fd, mode)  # the umask must not take the group's access away
        return fd

    def acquire(self) -> int | None:
        """Wait for our turn. Returns the token for `release`: the descriptor holding the
        lock, NESTED for a second write in a thread that has the turn, None when not queued."""
        if getattr(self._held, "depth", 0):
            # A second write session in the same thread: queuing would wait for ourselves
            # forever; SQLite's busy timeout reports that mistake instead.
            self._held.depth += 1
            return self.NESTED
        fd = self._open()
        if fd is None:
            return None
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)  # go on without the queue; SQLite's lock still decides
                    return None
                time.sleep(self.POLL)
        self._held.depth = 1
        return fd

    def release(self, token: int | None) -> None:
        """End a turn; None (no turn was taken, e.g. a pool's reset rollback) does nothing."""
        if token is None:
            return
        self._held.depth = max(0, getattr(self._held, "depth", 0) - 1)
        if token >= 0:
            os.close(token)  # closing the only descriptor drops the flock


def _raw_id(connection: Any) -> int:
    # SQLAlchemy passes the pool's proxy or the driver's connection, depending on the path.
    return id(getattr(connection, "dbapi_connection", connection))


def _queue_writers(engine: Engine, queue: "WriterQueue") -> None:
    """Hand the turn on only once COMMIT or ROLLBACK has returned.

    The engine's commit and rollback events fire before the statement; releasing there would
    send the next writer into SQLite's busy handler (sleeping 1 ms and more) while this one
    still syncs its commit. So the dialect's own commit and rollback of this engine (its
    dialect is its own) release the turn after the driver returns.
    """
    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(dbapi_connection: Any) -> None:
        try:
            commit(dbapi_connection)
        finally:
            queue.release(queue.turns.pop(_raw_id(dbapi_connection), None))

    def do_rollback(dbapi_connection: Any) -> None:
        try:
            rollback(dbapi_connection)
        finally:
            queue.release(queue.turns.pop(_raw_id(dbapi_connection), None))

    dialect.do_commit = do_commit  # type: ignore[method-assign]
    dialect.do_rollback = do_rollback  # type: ignore[method-assign]

    @event.listens_for(engine, "invalidate")
    def _on_invalidate(dbapi_connection: Any, _record: object, _exc: object) -> None:
        queue.release(queue.turns.pop(_raw_id(dbapi_connection), None))


def _queue_wanted(writer_queue: bool | None) -> bool:
    if writer_queue is not None:
        return writer_queue
    return os.environ.get(WRITER_QUEUE_ENV, "1") != "0"


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
        """One write transaction: commits on success, rolls back on any exception.

        On PostgreSQL, a lock wait past the timeout, a serialization failure or a deadlock
        becomes Conflict(code="store.busy"), as nothing was written.
        """
        try:
            with (
                Session(self.write_engine, expire_on_commit=False, info={WRITING: True}) as session,
                session.begin(),
            ):
                yield session
        except OperationalError as exc:
            if not self.is_sqlite and is_busy(exc):
                raise Conflict(code="store.busy") from exc
            raise

    def dispose(self) -> None:
        self.read_engine.dispose()
        self.write_engine.dispose()


def _sqlite_engine(
    url: str,
    *,
    busy_ms: int,
    foreign_keys: bool,
    synchronous: str,
    writer_queue: bool | None = None,
) -> Engine:
    import sqlite3  # here: a PostgreSQL process need not load it

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
    def _on_connect(dbapi_conn: "sqlite3.Connection", _record: object) -> None:
        dbapi_conn.isolation_level = None  # the driver never BEGINs; the begin hook does
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cur.close()

    path = sqlite_path(url)
    queue = WriterQueue(path, busy_ms / 1000) if path and _queue_wanted(writer_queue) else None
    if queue is not None:
        _queue_writers(engine, queue)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        if queue is None or mode != "IMMEDIATE":
            conn.exec_driver_sql(f"BEGIN {mode}")
            return
        key = _raw_id(conn.connection)
        queue.release(queue.turns.pop(key, None))  # never two turns on one connection
        queue.turns[key] = queue.acquire()
        try:
            conn.exec_driver_sql(f"BEGIN {mode}")
        except BaseException:
            queue.release(queue.turns.pop(key, None))
            raise

    return engine


SYNC_LEVELS = ("OFF", "NORMAL", "FULL", "EXTRA")


def _sync_wanted() -> str:
    wanted = os.environ.get("ORDER_TUI_SQLITE_SYNC", "FULL").strip().upper() or "FULL"
    if wanted not in SYNC_LEVELS:
        raise ValueError(f"ORDER_TUI_SQLITE_SYNC={wanted!r}: use one of {', '.join(SYNC_LEVELS)}")
    return wanted


def make_engines(
    url: str,
    *,
    busy_ms: int = BUSY_TIMEOUT_MS,
    foreign_keys: bool = True,
    synchronous: str | None = None,
    writer_queue: bool | None = None,
) -> tuple[Engine, Engine]:
    """(read_engine, write_engine) for a database URL.

    `synchronous` (SQLite): FULL unless ORDER_TUI_SQLITE_SYNC says otherwise. Only throwaway
    databases (the test suite's) should lower it: a crashed process loses nothing under any
    setting in WAL mode, but a power loss under OFF could forget a committed order number.

    `writer_queue` (SQLite files only; default on unless ORDER_TUI_WRITER_QUEUE=0): writers
    take turns on `<db>.writer-lock` before BEGIN IMMEDIATE, see WriterQueue.
    """
    if url.startswith("sqlite"):
        synchronous = synchronous or _sync_wanted()
        base = _sqlite_engine(
            url,
            busy_ms=busy_ms,
            foreign_keys=foreign_keys,
            synchronous=synchronous,
            writer_queue=writer_queue,
        )
        return base, base.execution_options(sqlite_begin="IMMEDIATE")
    base = _postgres_engine(url, busy_ms=busy_ms)
    return base, base


def _postgres_engine(url: str, *, busy_ms: int) -> Engine:
    # Settings on the connection's start-up packet: they hold for every transaction on it.
    # TimeZone UTC: current_date (the retention guard) is the UTC date, as SQLite's
    # date('now'); business days are computed in the company's zone explicitly anyway.
    options = (
        f"-c lock_timeout={busy_ms} "
        f"-c idle_in_transaction_session_timeout={PG_IDLE_IN_TRANSACTION_MS} "
        "-c timezone=UTC"
    )
    from order_tui.store.pg_cursor import LazyDescriptionCursor  # psycopg: PostgreSQL only

    engine = create_engine(
        url, connect_args={"options": options, "cursor_factory": LazyDescriptionCursor}
    )
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before use only when it sat idle for PG_PING_AFTER_IDLE_S.

    A connection can die while it waits in the pool (the server restarted, a firewall dropped
    an idle TCP connection); pinging it first lets the pool replace it instead of failing the
    operator's next action. SQLAlchemy's pool_pre_ping pings on every checkout: one more
    round trip and about 0.2 ms of CPU per transaction, an eighth of an approval's cost on
    PostgreSQL. A connection that answered moments ago is alive as surely as a ping would
    say (a ping is no guarantee for the next statement either); a pause longer than the
    threshold, an operator's think time, pings as before.
    """
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < PG_PING_AFTER_IDLE_S:
            return  # new, or back in the pool a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool drops this connection and checks out another (a new one if need be).
            raise DisconnectionError(f"pooled connection failed its ping: {exc}") from exc


def is_busy(exc: BaseException) -> bool:
    """Whether a PostgreSQL error means "another session holds what we need": a lock
    timeout, a serialization failure or a deadlock. (SQLite's "database is locked" keeps its
    own path: the screens recognise it by its text.)"""
    orig = getattr(exc, "orig", exc)
    return getattr(orig, "sqlstate", None) in PG_BUSY_STATES


def display_url(url: str) -> str:
    """The URL to show or log: a password in it becomes ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:  # not a URL SQLAlchemy can parse: show nothing that could leak
        return "<unparsable database URL>"


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
