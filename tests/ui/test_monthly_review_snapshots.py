"""Snapshots of the monthly review of November 2026 on the fixed data set of
tests/services/monthly_world.py (Chinese customers and products, made on a hand-moved clock),
80x24 and 120x40, zh and en: the counts and trend, the late deliveries with their causes, and
the notes. Update with `pytest tests/ui/test_monthly_review_snapshots.py --snapshot-update -n 0`.
"""

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from order_tui.app import OrderApp
from order_tui.services import monthly_review
from order_tui.store.engine import open_database
from order_tui.store.migrate import ensure_schema
from tests.services.monthly_world import build_world
from tests.ui.pilot import frozen_services, settle

SIZES = [(80, 24), (120, 40)]
VIEWED_AT = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # 10:00 on 28 November in Shanghai


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("monthly-snapshots")
    db = open_database(f"sqlite:///{folder}/orders.db", folder)
    ensure_schema(db)
    cast, _orders = build_world(db, folder)
    with frozen_services(datetime(2026, 11, 27, 9, 0, tzinfo=UTC)):
        monthly_review.save_review_notes(
            db,
            cast["zhang"],
            "2026-11",
            "华宇订单交期偏长：与供应商确认备货周期。\n包装投诉：改用木箱。",
            0,
        )
    db.dispose()
    return folder / "orders.db"


def _review(*keys: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.press(*"zhang", "enter", *"1234", "enter")
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        for area in pilot.app.screen.query(TextArea):
            area.cursor_blink = False

    return run_before


def _app(template: Path, tmp_path: Path, lang: str) -> OrderApp:
    shutil.copy(template, tmp_path / "orders.db")
    database = open_database(f"sqlite:///{tmp_path}/orders.db", tmp_path)
    return OrderApp(database, demo=True, lang=lang, clock=lambda: VIEWED_AT)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_snapshot_monthly_review(
    snap_compare: object, template: Path, tmp_path: Path, lang: str, size: tuple[int, int]
):
    app = _app(template, tmp_path, lang)
    try:
        assert snap_compare(app, terminal_size=size, run_before=_review())  # type: ignore[operator]
    finally:
        app.db.dispose()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_snapshot_monthly_review_late(
    snap_compare: object, template: Path, tmp_path: Path, lang: str
):
    """3 jumps to the cycle times; the late deliveries and rejections follow below them."""
    app = _app(template, tmp_path, lang)
    try:
        assert snap_compare(app, terminal_size=(80, 24), run_before=_review("3"))  # type: ignore[operator]
    finally:
        app.db.dispose()


def test_snapshot_monthly_review_notes(snap_compare: object, template: Path, tmp_path: Path):
    app = _app(template, tmp_path, "zh")
    try:
        assert snap_compare(app, terminal_size=(80, 24), run_before=_review("8"))  # type: ignore[operator]
    finally:
        app.db.dispose()
