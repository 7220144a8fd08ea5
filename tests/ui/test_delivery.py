"""Step 5 by keys only at 80x24: a partial shipment, a sign-off with a discrepancy, the
feedback queue (a missed call, then a recorded one), the after-sales list, the routing
from the worklist and the order detail."""

from decimal import Decimal
from pathlib import Path

from textual.widgets import Input

from order_tui.app import OrderApp
from order_tui.domain.lifecycle import Status
from order_tui.screens.delivery_common import ChoiceDialog, parse_date, parse_when
from order_tui.screens.feedback import AfterSalesScreen, FeedbackQueueScreen, FeedbackScreen
from order_tui.screens.home import HomeScreen
from order_tui.screens.order_detail import OrderDetailScreen
from order_tui.screens.print_dialog import PrintPathDialog
from order_tui.screens.shipping import ShipmentScreen, ShippingListScreen
from order_tui.screens.signoff import SignOffScreen
from order_tui.services import Database, delivery, documents, orders
from order_tui.services.demo import DemoCast, drive_to, new_order
from tests.reader import READER
from tests.ui.pilot import logged_in, press, screen_text, settle

SIZE = (80, 24)


def packed_order(db: Database, cast: DemoCast, tmp_path: Path) -> str:
    """5 controllers and 6 flanges, packed: the only order in the shipping list."""
    for row in delivery.shipping_page(db, cast["zhou"]):
        delivery.ship(
            db, cast["zhou"], row.order_no, carrier="顺丰速运", mode="parcel", tracking_no="SF100"
        )
    no = new_order(db, cast, "C0003", [("P0001", "5"), ("P0005", "6")])
    drive_to(db, cast, no, Status.PACKED, tmp_path)
    return no


def test_dates_and_times_as_clerks_type_them() -> None:
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    today = date(2026, 11, 21)
    assert parse_date("11-20", today) == date(2026, 11, 20)
    assert parse_date("2026年11月19日", today) == date(2026, 11, 19)
    assert parse_date("20261118", today) == date(2026, 11, 18)
    now = datetime(2026, 11, 21, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert parse_when("15:30", now) == now.replace(hour=15, minute=30)
    assert parse_when("11-20 09:05", now) == datetime(
        2026, 11, 20, 9, 5, tzinfo=ZoneInfo("Asia/Shanghai")
    )
    for bad in ("11-20", "昨天", "25:00"):
        try:
            parse_when(bad, now)
        except ValueError:
            continue
        raise AssertionError(bad)


async def test_shipping_a_partial_delivery(db: Database, cast: DemoCast, tmp_path: Path) -> None:
    no = packed_order(db, cast, tmp_path)
    app = OrderApp(db, lang="zh", demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhou")
        await press(pilot, "t")
        assert isinstance(app.screen, ShippingListScreen)
        assert no in screen_text(pilot)
        await press(pilot, "enter")
        form = app.screen
        assert isinstance(form, ShipmentScreen), screen_text(pilot)
        assert "全部发完" in screen_text(pilot)  # the default ships everything packed
        # F4: the carriers; pinyin initials find 德邦物流.
        await press(pilot, "f4")
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, *"dbwl", "enter")
        assert form.query_one("#f-carrier").value == "德邦物流"  # type: ignore[attr-defined]
        # The mode (focused after F4): Right picks less than truckload, Enter moves on.
        await press(pilot, "right", "enter", *"db 2026 1127", "tab", "tab")
        # Line 1: 3 of the 5 controllers now; line 2 as packed.
        await press(pilot, "3")
        text = screen_text(pilot)
        assert "欠货 1 行" in text and "已打包" in text, text
        await press(pilot, "ctrl+s")
        confirm = screen_text(pilot)
        assert "德邦物流 · 零担 · DB20261127" in confirm and "3台" in confirm, confirm
        await press(pilot, "enter")
        assert isinstance(app.screen, ShippingListScreen), screen_text(pilot)
        text = screen_text(pilot)
        assert no in text and "已发 1 次，欠 1 行" in text and "欠货" in text, text
    detail = orders.get_order(db, READER, no)
    assert detail.status == "packed"
    assert [ln.shipped_qty for ln in detail.lines] == [Decimal(3), Decimal(6)]
    shipment = delivery.shipping_form(db, cast["zhou"], no).shipments[0]
    assert (shipment.carrier, shipment.mode, shipment.tracking_no) == (
        "德邦物流",
        "ltl",
        "DB20261127",
    )


async def test_shipping_form_keeps_bad_input_beside_the_field(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    no = packed_order(db, cast, tmp_path)
    app = OrderApp(db, lang="en", demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhou")
        await press(pilot, "t", "enter")
        assert isinstance(app.screen, ShipmentScreen)
        await press(pilot, *"SF Express", "tab", "tab", *"#12", "tab", "tab", "9")
        text = screen_text(pilot)
        assert "at most 5 can ship now" in text, text  # the preview says it at once
        await press(pilot, "ctrl+s")
        text = screen_text(pilot)
        assert "line 1: at most 5 can ship now" in text, text
        assert app.screen.query_one("#f-qty_1").value == "9"  # type: ignore[attr-defined]
        await press(pilot, "backspace", "5", "ctrl+s")
        text = screen_text(pilot)
        assert "a tracking number is 3 to 40 letters" in text, text
        assert app.screen.query_one("#f-tracking").value == "#12"  # type: ignore[attr-defined]
    assert orders.get_order(db, READER, no).status == "packed"


async def test_sign_off_with_a_discrepancy_puts_the_order_on_hold(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    no = new_order(db, cast, "C0001", [("P0001", "2")])
    drive_to(db, cast, no, Status.SHIPPED, tmp_path)
    app = OrderApp(db, lang="zh", demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhou")
        home = app.screen
        assert isinstance(home, HomeScreen)
        while home.order_in_view() is None or home.order_in_view().order_no != no:  # type: ignore[union-attr]
            await press(pilot, "down")
        await press(pilot, "enter")
        form = app.screen
        assert isinstance(form, SignOffScreen), screen_text(pilot)
        assert "李经理" in screen_text(pilot)  # the delivery contact signs by default
        # Quantity confirmed, appearance: discrepancy, packaging confirmed.
        await press(pilot, "enter", "right", "enter", "enter")
        await press(pilot, *"Box dented 外箱破损")
        text = screen_text(pilot)
        assert "有异常（外观）" in text and "挂起" in text, text
        await press(pilot, "ctrl+s")
        assert "签收人 李经理" in screen_text(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, HomeScreen), screen_text(pilot)
    detail = orders.get_order(db, READER, no)
    assert detail.status == "shipped" and detail.on_hold
    assert detail.holds[0]["kind"] == "discrepancy"
    assert detail.holds[0]["description"] == "Box dented 外箱破损"
    record = delivery.sign_off_form(db, cast["zhou"], no).sign_offs[0]
    assert record.checks == {"qty": True, "appearance": False, "packaging": True}


async def test_sign_off_needs_the_receipt_to_deliver(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    no = new_order(db, cast, "C0001", [("P0001", "1")])
    drive_to(db, cast, no, Status.SHIPPED, tmp_path)
    scan = tmp_path / "receipt.png"
    scan.write_bytes(b"png")
    app = OrderApp(db, lang="en", demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "wang")
        app.push_screen(SignOffScreen(db, "en", app.actor, no))  # type: ignore[arg-type]
        await settle(pilot)
        await press(pilot, "ctrl+s")
        assert "Attach the signed receipt" in screen_text(pilot)
        assert app.screen.focused is app.screen.query_one("#f-receipt")  # the field to fix
        await press(pilot, *str(tmp_path / "missing.png"), "ctrl+s", "enter")
        assert "File not found" in screen_text(pilot), screen_text(pilot)
        field = app.screen.query_one("#f-receipt")
        field.value = str(scan)  # type: ignore[attr-defined]
        await press(pilot, "ctrl+s")
        assert "becomes Delivered" in screen_text(pilot)
        await press(pilot, "enter")
    assert orders.get_order(db, READER, no).status == "delivered"


async def test_the_feedback_queue_records_a_missed_call_then_the_call(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    no = new_order(db, cast, "C0002", [("P0005", "3")])
    drive_to(db, cast, no, Status.DELIVERED, tmp_path)
    app = OrderApp(db, lang="zh", demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "wang")
        await press(pilot, "f")
        queue = app.screen
        assert isinstance(queue, FeedbackQueueScreen)
        while queue.table.highlighted_key != no:
            await press(pilot, "down")
        await press(pilot, "enter")
        assert isinstance(app.screen, FeedbackScreen), screen_text(pilot)
        # Not reached: the attempt is kept, the call stays in the queue.
        await press(pilot, "right", "enter", *"无人接听", "ctrl+s")
        assert app.screen is queue, screen_text(pilot)
        assert "1 次" in screen_text(pilot)
        assert "上次未接通" in screen_text(pilot) and "无人接听" in screen_text(pilot), screen_text(
            pilot
        )
        await press(pilot, "enter")
        assert "未接通：无人接听" in screen_text(pilot)
        # Reached: 2 of 5, after-sales needed.
        await press(pilot, "enter", "2", "enter", *"有异响", "enter", "right", "enter")
        await press(pilot, *"上门检查", "ctrl+s")
        assert app.screen is queue, screen_text(pilot)
        assert no not in screen_text(pilot)
    form = delivery.feedback_form(db, cast["wang"], no)
    assert form.closed and form.satisfaction == 2 and form.after_sales == "上门检查"
    assert [a.reached for a in form.attempts] == [False, True]


async def test_feedback_refuses_a_missing_score_beside_the_field(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    no = new_order(db, cast, "C0002", [("P0005", "3")])
    drive_to(db, cast, no, Status.DELIVERED, tmp_path)
    app = OrderApp(db, lang="en", demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "wang")
        app.push_screen(FeedbackScreen(db, "en", app.actor, no))  # type: ignore[arg-type]
        await settle(pilot)
        await press(pilot, "ctrl+s")
        assert "Enter 1 to 5" in screen_text(pilot)
        assert app.screen.focused is app.screen.query_one("#f-satisfaction")
    assert not delivery.feedback_form(db, cast["wang"], no).closed


async def test_after_sales_list_for_the_manager(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    no = new_order(db, cast, "C0002", [("P0005", "3")])
    drive_to(db, cast, no, Status.DELIVERED, tmp_path)
    delivery.record_feedback(
        db,
        cast["wang"],
        no,
        reached=True,
        satisfaction=2,
        remarks="法兰渗漏",
        after_sales_needed=True,
        after_sales="更换密封垫",
    )
    app = OrderApp(db, lang="zh", demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhang")
        await press(pilot, "a")
        assert isinstance(app.screen, AfterSalesScreen)
        text = screen_text(pilot)
        assert no in text and "更换密封垫" in text and "2/5" in text, text
        assert "法兰渗漏" in text  # the remarks of the row under the cursor
        await press(pilot, "enter")
        assert isinstance(app.screen, OrderDetailScreen)


async def test_order_detail_shows_the_backorder_and_opens_the_form(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    no = packed_order(db, cast, tmp_path)
    delivery.ship(
        db,
        cast["zhou"],
        no,
        carrier="顺丰速运",
        mode="parcel",
        tracking_no="SF1",
        quantities={1: Decimal(2), 2: Decimal(6)},
    )
    app = OrderApp(db, lang="zh", demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhou")
        app.open_order(no)
        await settle(pilot)
        text = screen_text(pilot)
        assert "已发 2" in text and "欠 3" in text, text
        assert "t 发货" in text  # the detail's own key for the form
        await press(pilot, "ctrl+p")
        await press(pilot, *"发货", "enter")
        assert isinstance(app.screen, ShipmentScreen), screen_text(pilot)
        assert app.screen.query_one("#f-qty_1").value == "3"  # type: ignore[attr-defined]
        assert app.screen.query_one("#f-carrier").value == "顺丰速运"  # type: ignore[attr-defined]


async def test_f8_prints_the_delivery_receipt_from_the_shipment_form(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    no = packed_order(db, cast, tmp_path)
    app = OrderApp(db, lang="zh", demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhou")
        await press(pilot, "t", "enter")
        assert isinstance(app.screen, ShipmentScreen)
        assert "F8 打印签收单" in screen_text(pilot).splitlines()[-1]
        await press(pilot, "f8")
        default = documents.default_path(db, "receipt", no)
        assert isinstance(app.screen, PrintPathDialog)
        assert app.screen.query_one(Input).value == str(default)
        await press(pilot, "enter")
        text = "".join(screen_text(pilot).split())  # the long path wraps
        assert f"签收单已保存：{default}" in text, text
        assert default.read_bytes().startswith(b"%PDF")
        # another place: a folder typed over the default gets the usual file name
        usb = tmp_path / "usb"
        usb.mkdir()
        await press(pilot, "f8", "ctrl+u", *f"{usb}/", "enter")
        assert (usb / default.name).read_bytes().startswith(b"%PDF")
        # Esc writes nothing
        await press(pilot, "f8", "escape")
        assert isinstance(app.screen, ShipmentScreen)
    assert orders.get_order(db, READER, no).status == "packed"  # printing changes nothing
