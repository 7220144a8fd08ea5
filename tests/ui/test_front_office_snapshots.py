"""Snapshots of the intake form, the master-data screens, the customer form, help and the
command palette, 80x24 and 120x40, zh and en,
on the sample master data (no orders, so nothing depends on the day the tests run).
Update with `pytest tests/ui/test_front_office_snapshots.py --snapshot-update`."""

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from order_tui.app import OrderApp
from order_tui.services.demo import load_master_data
from order_tui.store.engine import open_database
from order_tui.store.migrate import ensure_schema
from tests.ui.pilot import settle, steady

VIEWED_AT = datetime(2026, 11, 21, 6, 30, tzinfo=UTC)
SIZES = [(80, 24), (120, 40)]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("front-office-snapshots")
    db = open_database(f"sqlite:///{folder}/orders.db", folder)
    ensure_schema(db)
    load_master_data(db)
    db.dispose()
    return folder / "orders.db"


def _login(user: str, *keys: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.press(*user, "enter", *"1234", "enter")
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await steady(pilot)

    return run_before


def _app(template: Path, tmp_path: Path, lang: str) -> OrderApp:
    shutil.copy(template, tmp_path / "orders.db")
    database = open_database(f"sqlite:///{tmp_path}/orders.db", tmp_path)
    return OrderApp(database, lang=lang, clock=lambda: VIEWED_AT)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_snapshot_intake_form(
    snap_compare: object, template: Path, tmp_path: Path, lang: str, size: tuple[int, int]
) -> None:
    app = _app(template, tmp_path, lang)
    try:
        assert snap_compare(app, terminal_size=size, run_before=_login("wang", "i"))  # type: ignore[operator]
    finally:
        app.db.dispose()


# (who logs in, the keys from home) for each screen of the front office without orders.
SCREENS = {
    "master_data_menu": ("zhang", ("f7",)),
    "master_data_customers": ("zhang", ("f7", "1")),
    "master_data_products": ("zhang", ("f7", "2")),
    "master_data_stock": ("zhang", ("f7", "3")),
    "master_data_operators": ("admin", ("f7", "4")),
    "customer_form": ("zhang", ("f7", "1", "a")),
    "help": ("zhao", ("f1",)),
    "palette": ("zhao", ("ctrl+p",)),
}


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_snapshot_screen(
    snap_compare: object,
    template: Path,
    tmp_path: Path,
    screen: str,
    lang: str,
    size: tuple[int, int],
) -> None:
    user, keys = SCREENS[screen]
    app = _app(template, tmp_path, lang)
    try:
        assert snap_compare(app, terminal_size=size, run_before=_login(user, *keys))  # type: ignore[operator]
    finally:
        app.db.dispose()
