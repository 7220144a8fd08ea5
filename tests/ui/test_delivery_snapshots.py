"""Snapshots of step 5 with Chinese data made at a frozen time: the shipment form of an order
shipped in part (a backorder and an installation that rides with the goods), the sign-off
form with a discrepancy typed, and the feedback queue with an overdue call and a missed
one; zh and en, 80x24 and 120x40. Update with
`pytest tests/ui/test_delivery_snapshots.py --snapshot-update -n 0`."""

import shutil
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from textual.pilot import Pilot

from order_tui.app import OrderApp
from order_tui.domain.lifecycle import Status
from order_tui.screens.signoff import SignOffScreen
from order_tui.services import delivery, execution
from order_tui.services.demo import DemoCast, drive_to, load_master_data, new_order
from order_tui.store import repo
from order_tui.store.engine import Database, open_database
from order_tui.store.migrate import ensure_schema
from order_tui.store.models import Package
from tests.ui.pilot import frozen_services, login, steady

MADE_AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
VIEWED_AT = datetime(2026, 11, 21, 6, 30, tzinfo=UTC)  # the app's clock: 14:30 a day later
SIZES = [(80, 24), (120, 40)]
ORDERS: dict[str, str] = {}


def _packed_with_installation(db: Database, cast: DemoCast, folder: Path) -> str:
    """5 controllers, 6 flanges and an installation (not stocked), the goods packed; the pick
    and pack screens put such an order in `packed`, here it is set directly."""
    with db.writing() as session:
        repo.find_product(session, "P0012").stocked = False
    no = new_order(
        db, cast, "C0003", [("P0001", "5"), ("P0005", "6"), ("P0012", "1")], wanted_in_days=6
    )
    drive_to(db, cast, no, Status.PICKING, folder)
    execution.pick(db, cast["liu"], no, {1: Decimal(5), 2: Decimal(6)})
    with db.writing() as session:
        order = repo.get_order(session, no)
        order.status = Status.PACKED.value
        order.version += 1
        session.add(
            Package(
                order_id=order.id or 0,
                count=3,
                weight_kg=Decimal("48.5"),
                notes="木箱 2、纸箱 1",
                packed_by=cast["liu"].id,
                packed_at=MADE_AT,
            )
        )
    return no


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("delivery-snapshots")
    db = open_database(f"sqlite:///{folder}/orders.db", folder)
    ensure_schema(db)
    with frozen_services(MADE_AT - timedelta(days=2)):
        cast = load_master_data(db)
        # Two calls delivered two days ago: one overdue, one tried without reaching anyone.
        for customer, lines in (("C0004", [("P0009", "20")]), ("C0006", [("P0005", "8")])):
            drive_to(db, cast, new_order(db, cast, customer, lines), Status.DELIVERED, folder)
    with frozen_services(MADE_AT - timedelta(hours=20)):
        delivery.record_feedback(
            db,
            cast["wang"],
            delivery.feedback_page(db, cast["wang"])[1].order_no,
            reached=False,
            remarks="前台说采购经理出差",
        )
    with frozen_services(MADE_AT):
        partial = _packed_with_installation(db, cast, folder)
        delivery.ship(
            db,
            cast["zhou"],
            partial,
            carrier="德邦物流",
            mode="ltl",
            tracking_no="DPK 2026 1120 01",
            quantities={1: Decimal(2), 2: Decimal(6)},
        )
        ORDERS["ship"] = partial
        later = new_order(db, cast, "C0002", [("P0003", "2")], wanted_in_days=12)
        drive_to(db, cast, later, Status.PACKED, folder)
        signed = new_order(db, cast, "C0001", [("P0001", "2"), ("P0008", "50")])
        drive_to(db, cast, signed, Status.SHIPPED, folder)
        ORDERS["sign"] = signed
    with frozen_services(MADE_AT + timedelta(hours=6)):  # delivered at 16:00: due tomorrow
        drive_to(db, cast, new_order(db, cast, "C0007", [("P0013", "3")]), Status.DELIVERED, folder)
    db.dispose()
    return folder / "orders.db"


async def _shipment(pilot: Pilot[None]) -> None:
    """The shipping list's first order (earliest wanted date): shipped in part already."""
    await login(pilot, "zhou")
    await pilot.press("t")
    await steady(pilot)
    await pilot.press("enter")
    await steady(pilot)


async def _sign_off(pilot: Pilot[None]) -> None:
    """Appearance marked as a discrepancy, its description typed."""
    await login(pilot, "zhou")
    app = pilot.app
    app.push_screen(SignOffScreen(app.db, app.lang, app.actor, ORDERS["sign"]))  # type: ignore[attr-defined]
    await steady(pilot)
    await pilot.press("enter", "right", "enter", "enter", *"外箱一角压损 已拍照")
    await steady(pilot)


async def _feedback_queue(pilot: Pilot[None]) -> None:
    await login(pilot, "wang")
    await pilot.press("f")
    await steady(pilot)
    await pilot.press("down")
    await steady(pilot)


def _app(template: Path, tmp_path: Path, lang: str) -> OrderApp:
    shutil.copy(template, tmp_path / "orders.db")
    database = open_database(f"sqlite:///{tmp_path}/orders.db", tmp_path)
    return OrderApp(database, demo=True, lang=lang, clock=lambda: VIEWED_AT)


RUNS = {"shipment": _shipment, "sign_off": _sign_off, "feedback_queue": _feedback_queue}


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("screen", list(RUNS))
def test_snapshot(
    snap_compare: object,
    template: Path,
    tmp_path: Path,
    screen: str,
    lang: str,
    size: tuple[int, int],
) -> None:
    app = _app(template, tmp_path, lang)
    try:
        assert snap_compare(app, terminal_size=size, run_before=RUNS[screen])  # type: ignore[operator]
    finally:
        app.db.dispose()
