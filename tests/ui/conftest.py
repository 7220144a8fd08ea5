"""The demo database every screen test starts from: built once per test worker (about 1.5 s;
once per module cost the suite a minute and a half) and copied for each test, so tests never
see each other's changes. Modules that need another demo (a frozen clock) define their own."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from order_tui.services import Database
from order_tui.services.demo import build_demo
from order_tui.store.engine import open_database
from order_tui.store.migrate import ensure_schema


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo-template")
    db = open_database(f"sqlite:///{folder}/orders.db", folder)
    ensure_schema(db)
    build_demo(db)
    db.dispose()
    return folder / "orders.db"


@pytest.fixture
def db(demo_template: Path, tmp_path: Path) -> Iterator[Database]:
    shutil.copy(demo_template, tmp_path / "orders.db")
    database = open_database(f"sqlite:///{tmp_path}/orders.db", tmp_path)
    yield database
    database.dispose()
