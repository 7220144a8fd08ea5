"""The F4 prompt, by keys: type initials, move, pick; Esc gives nothing back."""

import shutil
from pathlib import Path

import pytest
from textual.app import App

from order_tui.services.demo import build_demo
from order_tui.store.engine import Database, open_database
from order_tui.store.migrate import ensure_schema
from order_tui.widgets.lookup import LookupDialog
from tests.reader import READER


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lookup-demo")
    db = open_database(f"sqlite:///{folder}/orders.db", folder)
    ensure_schema(db)
    build_demo(db)
    db.dispose()
    return folder / "orders.db"


@pytest.fixture
def db(demo_file: Path, tmp_path: Path) -> Database:
    shutil.copy(demo_file, tmp_path / "orders.db")
    return open_database(f"sqlite:///{tmp_path}/orders.db", tmp_path)


class Host(App[None]):
    def __init__(self, db: Database, kind: str, initial: str = "") -> None:
        super().__init__()
        self.db, self.kind, self.initial = db, kind, initial
        self.picked: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(
            LookupDialog(self.db, READER, "zh", self.kind, self.initial), self.picked.append
        )


async def settle(pilot: object) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


async def test_customer_by_pinyin_initials(db: Database) -> None:
    app = Host(db, "customer")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"hxjm")
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
    assert app.picked == ["C0003"]


async def test_product_move_down_and_pick(db: Database) -> None:
    app = Host(db, "product", "伺服")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
    assert app.picked == ["P0003"]


async def test_escape_picks_nothing(db: Database) -> None:
    app = Host(db, "customer", "no such customer")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "escape")
        await pilot.pause()
    assert app.picked == [None]


async def test_enter_typed_ahead_of_the_results_waits_for_them(db: Database) -> None:
    app = Host(db, "customer")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"bjhy", "enter")  # one burst, as a fast typist or scanner sends
        await settle(pilot)
        await pilot.pause()
    assert app.picked == ["C0001"]
