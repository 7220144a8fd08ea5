"""Shared fixtures: a migrated database in a temp dir, and the demo cast in it."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import textual._wait

from order_tui.services.demo import DemoCast, load_master_data
from order_tui.store.engine import Database, open_database
from order_tui.store.migrate import ensure_schema

# Textual's pilot waits for the app to go idle twice after every key, sampling CPU time every
# SLEEP_GRANULARITY (20 ms): 40 ms a key, which made typing a file path cost seconds and the
# suite most of CI's budget. 5 ms samples still see a busy process (the tests also wait for
# their workers explicitly, see tests/ui/pilot.settle) and cut the key-driven tests by half.
textual._wait.SLEEP_GRANULARITY = 0.005

_TEMPLATES: dict[str, Path] = {}


def _template(tmp_path_factory: pytest.TempPathFactory, kind: str) -> Path:
    """Build each kind of database once per session and copy it per test (migrations and
    scrypt PIN hashes are the slow part)."""
    if kind not in _TEMPLATES:
        folder = tmp_path_factory.mktemp(f"template-{kind}")
        db = open_database(f"sqlite:///{folder}/orders.db", folder)
        ensure_schema(db)
        if kind == "master":
            load_master_data(db)
        db.dispose()
        _TEMPLATES[kind] = folder / "orders.db"
    return _TEMPLATES[kind]


def _copy_db(template: Path, target: Path) -> Database:
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, target / "orders.db")
    return open_database(f"sqlite:///{target}/orders.db", target)


@pytest.fixture
def empty_db(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = _copy_db(_template(tmp_path_factory, "empty"), tmp_path / "db")
    yield db
    db.dispose()


@pytest.fixture
def db(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A migrated database with the demo operators, customers, products and stock."""
    database = _copy_db(_template(tmp_path_factory, "master"), tmp_path / "db")
    yield database
    database.dispose()


@pytest.fixture
def cast(db: Database) -> DemoCast:
    from order_tui.services import operators

    names = ["wang", "zhao", "zhang", "chen", "liu", "sun", "zhou", "wu", "admin"]
    return DemoCast({n: operators.find_actor(db, n) for n in names})
