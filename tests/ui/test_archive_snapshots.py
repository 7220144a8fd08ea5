"""Snapshots of the archive browser (searched by a two-character Chinese name) and of an
archived order read only, at 80x24 and 120x40, zh and en, with orders archived at a frozen
time. Update with `pytest tests/ui/test_archive_snapshots.py --snapshot-update -n 0`."""

import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from order_tui.app import OrderApp
from order_tui.domain.lifecycle import Status
from order_tui.services.demo import DemoCast, drive_to, load_master_data, new_order
from order_tui.store.engine import open_database
from order_tui.store.migrate import ensure_schema
from tests.ui.pilot import frozen_services, steady

SIZES = [(80, 24), (120, 40)]
MADE_AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
VIEWED_AT = datetime(2026, 11, 21, 6, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def snapshot_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("archive-snapshots")
    db = open_database(f"sqlite:///{folder}/orders.db", folder)
    ensure_schema(db)
    with frozen_services(MADE_AT), tempfile.TemporaryDirectory() as work:
        cast: DemoCast = load_master_data(db)
        for customer, lines in (
            ("C0001", [("P0001", "2")]),
            ("C0002", [("P0005", "10"), ("P0009", "4")]),
            ("C0003", [("P0008", "12")]),
        ):
            order_no = new_order(db, cast, customer, lines)
            drive_to(db, cast, order_no, Status.ARCHIVED, Path(work))
    db.dispose()
    return folder / "orders.db"


def _app(template: Path, tmp_path: Path, lang: str) -> OrderApp:
    shutil.copy(template, tmp_path / "orders.db")
    database = open_database(f"sqlite:///{tmp_path}/orders.db", tmp_path)
    return OrderApp(database, demo=True, lang=lang, clock=lambda: VIEWED_AT)


async def _browser(pilot: Pilot[None]) -> None:
    await pilot.press(*"zhang", "enter", *"1234", "enter")
    await steady(pilot)
    await pilot.press("b")
    await steady(pilot)
    await pilot.press("slash", *"精密", "enter")
    await steady(pilot)


async def _read_only(pilot: Pilot[None]) -> None:
    await _browser(pilot)
    await pilot.press("end", "enter")  # 上海浦江精密机械, the older of the two
    await steady(pilot)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_snapshot_archive_browser(
    snap_compare: object, snapshot_template: Path, tmp_path: Path, lang: str, size: tuple[int, int]
) -> None:
    app = _app(snapshot_template, tmp_path, lang)
    try:
        assert snap_compare(app, terminal_size=size, run_before=_browser)  # type: ignore[operator]
    finally:
        app.db.dispose()


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_snapshot_archived_order_read_only(
    snap_compare: object, snapshot_template: Path, tmp_path: Path, lang: str, size: tuple[int, int]
) -> None:
    app = _app(snapshot_template, tmp_path, lang)
    try:
        assert snap_compare(app, terminal_size=size, run_before=_read_only)  # type: ignore[operator]
    finally:
        app.db.dispose()
