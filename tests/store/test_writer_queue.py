"""The writer queue: writers of one SQLite file take turns on `<db>.writer-lock`."""

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from order_tui.store.engine import LOCK_SUFFIX, Database, open_database, prepare_sqlite_file
from tests import pg

pytestmark = pg.sqlite_only(
    "the writer queue is a lock file beside a SQLite database; PostgreSQL queues writers on "
    "its row locks"
)


def _lock_is_free(path: Path) -> bool:
    fd = os.open(f"{path}{LOCK_SUFFIX}", os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(f"sqlite:///{tmp_path}/q.db", tmp_path, busy_ms=300)
    with database.writing() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
    yield database
    database.dispose()


def test_a_write_holds_the_turn_until_commit_or_rollback(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    with db.writing() as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        assert not _lock_is_free(path)
    assert _lock_is_free(path)
    with pytest.raises(ValueError), db.writing() as session:
        session.execute(text("INSERT INTO t VALUES (2)"))
        raise ValueError
    assert _lock_is_free(path)
    with db.reading() as session:  # reads never queue
        session.execute(text("SELECT * FROM t")).all()
        assert _lock_is_free(path)


def test_a_second_write_in_one_thread_fails_as_before_instead_of_hanging(db: Database) -> None:
    started = time.monotonic()
    with db.writing() as outer:
        outer.execute(text("INSERT INTO t VALUES (1)"))
        with pytest.raises(OperationalError, match="locked"), db.writing() as inner:
            inner.execute(text("INSERT INTO t VALUES (2)"))
    assert time.monotonic() - started < 3
    with db.writing() as session:  # the thread's turn count is back to zero
        session.execute(text("INSERT INTO t VALUES (3)"))
    with db.reading() as session:
        assert session.execute(text("SELECT x FROM t ORDER BY x")).scalars().all() == [1, 3]


def test_a_waiting_writer_gets_the_turn_when_the_holder_commits(db: Database) -> None:
    holding, waited = threading.Event(), []

    def hold() -> None:
        with db.writing() as session:
            session.execute(text("INSERT INTO t VALUES (1)"))
            holding.set()
            time.sleep(0.2)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait()
    started = time.monotonic()
    with db.writing() as session:
        session.execute(text("INSERT INTO t VALUES (2)"))
    waited.append(time.monotonic() - started)
    holder.join()
    assert 0.05 < waited[0] < 0.3  # waited for the holder, within its own busy timeout
    with db.reading() as session:
        assert session.execute(text("SELECT x FROM t ORDER BY rowid")).scalars().all() == [1, 2]


def test_the_lock_file_shares_the_database_files_mode(tmp_path: Path) -> None:
    path = tmp_path / "shared" / "orders.db"
    prepare_sqlite_file(path, shared=True)
    old = os.umask(0o022)  # an operator's usual umask must not lock the group out
    try:
        database = open_database(f"sqlite:///{path}", path.parent)
        with database.writing() as session:
            session.execute(text("CREATE TABLE t (x INTEGER)"))
        database.dispose()
    finally:
        os.umask(old)
    assert os.stat(f"{path}{LOCK_SUFFIX}").st_mode & 0o777 == 0o660


def test_no_lock_file_in_memory_or_when_switched_off(tmp_path: Path, monkeypatch) -> None:
    memory = open_database("sqlite://", tmp_path)
    with memory.writing() as session:
        session.execute(text("SELECT 1"))
    memory.dispose()
    monkeypatch.setenv("ORDER_TUI_WRITER_QUEUE", "0")
    off = open_database(f"sqlite:///{tmp_path}/off.db", tmp_path)
    with off.writing() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
    off.dispose()
    assert not list(tmp_path.glob(f"*{LOCK_SUFFIX}"))
