"""Snapshots of the approval inbox and the review screen at 80x24 and 120x40, zh and en,
with Chinese data made at a frozen time (order numbers, dates and ages never depend on the day
the tests run). Update with `pytest tests/ui/test_inbox_snapshots.py --snapshot-update`."""

import shutil
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from textual.pilot import Pilot

from order_tui.app import OrderApp
from order_tui.screens.inbox import InboxScreen
from order_tui.services import orders, review
from order_tui.services.demo import DemoCast, load_master_data
from order_tui.store.engine import open_database
from order_tui.store.migrate import ensure_schema
from tests.reader import READER
from tests.ui.pilot import frozen_services, settle

SIZE = (80, 24)
SIZES = [SIZE, (120, 40)]
MADE_AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
VIEWED_AT = datetime(2026, 11, 21, 6, 30, tzinfo=UTC)  # the app's clock: a day later


def _line(code: str, qty: str, price: str | None = None) -> orders.LineInput:
    return orders.LineInput(code, Decimal(qty), Decimal(price) if price else None)


@pytest.fixture(scope="module")
def snapshot_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inbox-snapshots")
    db = open_database(f"sqlite:///{folder}/orders.db", folder)
    ensure_schema(db)
    with frozen_services(MADE_AT):
        cast: DemoCast = load_master_data(db)
        day = MADE_AT.date()

        def submit(customer: str, lines: list[orders.LineInput], days: int = 30) -> str:
            data = orders.OrderInput(
                customer_code=customer,
                lines=lines,
                freight=Decimal("200.00"),
                wanted_date=day + timedelta(days=days),
            )
            order_no = orders.create_order(db, cast["zhao"], data).order_no
            review.submit(db, cast["zhao"], order_no)
            return order_no

        submit("C0002", [_line("P0005", "10")])
        # below the floor price, a stock shortfall, invoice data missing
        submit("C0006", [_line("P0001", "2", "5800"), _line("P0002", "60")])
        submit("C0004", [_line("P0001", "10")], days=1)  # over the credit limit, too early
        submit("C0005", [_line("P0006", "1"), _line("P0001", "1")])  # made to order
        reworked = submit("C0003", [_line("P0001", "1"), _line("P0008", "20")])
        review.reject(db, cast["chen"], reworked, "invoice", "开票地址电话不全")
        detail = orders.get_order(db, READER, reworked)
        data = orders.OrderInput(
            customer_code="C0003",
            lines=[_line("P0001", "2"), _line("P0009", "30")],
            freight=Decimal("300.00"),
            wanted_date=detail.wanted_date,
            remarks="已与客户确认开票信息",
        )
        orders.edit_order(db, cast["zhao"], reworked, data, detail.version)
        review.resubmit(db, cast["zhao"], reworked)
        submit("C0010", [_line("P0013", "5", "800")])  # above the ceiling price
    db.dispose()
    return folder / "orders.db"


async def _inbox(pilot: Pilot[None]) -> None:
    await pilot.press(*"chen", "enter", *"1234", "enter")
    await settle(pilot)
    app = pilot.app
    app.push_screen(InboxScreen(app.db, app.lang, app.actor))  # type: ignore[attr-defined]
    await settle(pilot)


async def _inbox_with_codes(pilot: Pilot[None]) -> None:
    await _inbox(pilot)
    await pilot.press("1", "down", "4", "5")
    await settle(pilot)


async def _review(pilot: Pilot[None]) -> None:
    """The order below the floor price, short of stock, without invoice data."""
    await _inbox(pilot)
    await pilot.press("down", "enter")
    await settle(pilot)


async def _review_rework(pilot: Pilot[None]) -> None:
    """The resubmitted order: what changed since round 1."""
    await _inbox(pilot)
    await pilot.press("down", "down", "down", "down", "enter")
    await settle(pilot)


def _app(template: Path, tmp_path: Path, lang: str) -> OrderApp:
    shutil.copy(template, tmp_path / "orders.db")
    database = open_database(f"sqlite:///{tmp_path}/orders.db", tmp_path)
    return OrderApp(database, demo=True, lang=lang, clock=lambda: VIEWED_AT)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_snapshot_inbox(
    snap_compare: object, snapshot_template: Path, tmp_path: Path, lang: str, size: tuple[int, int]
):
    app = _app(snapshot_template, tmp_path, lang)
    try:
        assert snap_compare(app, terminal_size=size, run_before=_inbox_with_codes)  # type: ignore[operator]
    finally:
        app.db.dispose()


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_snapshot_review(
    snap_compare: object, snapshot_template: Path, tmp_path: Path, lang: str, size: tuple[int, int]
):
    app = _app(snapshot_template, tmp_path, lang)
    try:
        assert snap_compare(app, terminal_size=size, run_before=_review)  # type: ignore[operator]
    finally:
        app.db.dispose()


def test_snapshot_review_rework(snap_compare: object, snapshot_template: Path, tmp_path: Path):
    app = _app(snapshot_template, tmp_path, "zh")
    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=_review_rework)  # type: ignore[operator]
    finally:
        app.db.dispose()
