"""Snapshots of the customer profile (北京华宇科技有限公司, a year of orders, hand-worked
figures in tests/services/test_profile_service.py) at 80x24 and 120x40, zh and en, reached by
`c` from one of its orders, with a frozen clock. Update with
`pytest tests/ui/test_profile_snapshots.py --snapshot-update -n 0`."""

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from order_tui.app import OrderApp
from order_tui.services.demo import load_master_data
from order_tui.store.engine import open_database
from order_tui.store.migrate import ensure_schema
from tests.profile_data import year_of_history
from tests.ui.pilot import frozen_services, settle

SIZES = [(80, 24), (120, 40)]
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("profile-snapshots")
    db = open_database(f"sqlite:///{folder}/orders.db", folder)
    ensure_schema(db)
    with frozen_services(NOW):
        load_master_data(db)
    names = year_of_history(db)
    db.dispose()
    return folder / "orders.db", names["o4"]


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_snapshot_profile(
    snap_compare: object,
    template: tuple[Path, str],
    tmp_path: Path,
    lang: str,
    size: tuple[int, int],
) -> None:
    path, order_no = template
    shutil.copy(path, tmp_path / "orders.db")
    db = open_database(f"sqlite:///{tmp_path}/orders.db", tmp_path)
    app = OrderApp(db, demo=True, lang=lang, clock=lambda: NOW)

    async def profile(pilot: Pilot[None]) -> None:
        await pilot.press(*"zhang", "enter", *"1234", "enter")
        await settle(pilot)
        app.open_order(order_no)  # Ctrl+P with the number
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)

    try:
        assert snap_compare(app, terminal_size=size, run_before=profile)  # type: ignore[operator]
    finally:
        db.dispose()
