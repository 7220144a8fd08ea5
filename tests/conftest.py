"""Shared fixtures: a migrated database in a temp dir, and the demo cast in it."""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import textual._wait

from order_tui.services.demo import DemoCast, load_master_data
from order_tui.store.engine import Database, open_database
from order_tui.store.migrate import ensure_schema
from tests import pg

# Textual's pilot waits for the app to go idle twice after every key, sampling CPU time every
# SLEEP_GRANULARITY (20 ms): 40 ms a key, which made typing a file path cost seconds and the
# suite most of CI's budget. 5 ms samples still see a busy process (the tests also wait for
# their workers explicitly, see tests/ui/pilot.settle) and cut the key-driven tests by half.
textual._wait.SLEEP_GRANULARITY = 0.005

# The suite's databases are thrown away: no fsync per commit (the hostile-input tests alone
# commit thousands of times). Subprocesses inherit it. The crash test stays meaningful: a
# killed process loses no committed transaction under any setting in WAL mode (only a power
# loss could), and the benchmarks run outside pytest keep FULL.
os.environ.setdefault("ORDER_TUI_SQLITE_SYNC", "OFF")

_TEMPLATES: dict[str, Path] = {}


def _build(db: Database, kind: str) -> None:
    ensure_schema(db)
    if kind == "master":
        load_master_data(db)
    db.dispose()


def _template(tmp_path_factory: pytest.TempPathFactory, kind: str) -> Path:
    """Build each kind of database once per session and copy it per test (migrations and
    scrypt PIN hashes are the slow part)."""
    if kind not in _TEMPLATES:
        folder = tmp_path_factory.mktemp(f"template-{kind}")
        _build(open_database(f"sqlite:///{folder}/orders.db", folder), kind)
        _TEMPLATES[kind] = folder / "orders.db"
    return _TEMPLATES[kind]


@contextmanager
def _database(
    tmp_path_factory: pytest.TempPathFactory, kind: str, target: Path
) -> Iterator[Database]:
    """A database of `kind` for one test, on SQLite or (ORDER_TUI_TEST_DB) PostgreSQL."""
    target.mkdir(parents=True, exist_ok=True)
    if not pg.on_postgres():
        shutil.copy(_template(tmp_path_factory, kind), target / "orders.db")
        database = open_database(f"sqlite:///{target}/orders.db", target)
        yield database
        database.dispose()
        return
    worker = pg.worker()
    if kind == "master":
        folder = tmp_path_factory.getbasetemp()
        worker.prepare(kind, lambda url: _build(open_database(url, folder), kind))
    worker.reset(kind)
    database = open_database(worker.url, target)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture(scope="session", autouse=True)
def _drop_pg_databases() -> Iterator[None]:
    yield
    pg.drop_worker()


@pytest.fixture
def empty_db(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    with _database(tmp_path_factory, "empty", tmp_path / "db") as db:
        yield db


@pytest.fixture
def db(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A migrated database with the demo operators, customers, products and stock."""
    with _database(tmp_path_factory, "master", tmp_path / "db") as database:
        yield database


@pytest.fixture
def cast(db: Database) -> DemoCast:
    from order_tui.services import operators

    names = ["wang", "zhao", "zhang", "chen", "liu", "sun", "zhou", "wu", "admin"]
    return DemoCast({n: operators.find_actor(db, n) for n in names})
