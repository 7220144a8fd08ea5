"""The warehouse at 80x24, keys only: the orders to pick, scanning (one unit per scan, CODE*QTY,
a refused wrong product), a line's rest by Enter, packing, printing; a hold from the pick
screen that stops the scanner."""

from decimal import Decimal
from pathlib import Path

import pytest

from order_tui.app import OrderApp
from order_tui.domain.lifecycle import Status
from order_tui.screens.holds import HoldDialog
from order_tui.screens.picking import PackDialog, PickListScreen, PickScreen, parse_scan
from order_tui.services import Database, execution, operators, orders
from order_tui.services.demo import DemoCast, drive_to, new_order
from order_tui.store import repo
from tests.reader import READER
from tests.ui.pilot import logged_in, screen_text, settle

SIZE = (80, 24)
NAMES = ["wang", "zhao", "zhang", "chen", "liu", "sun", "zhou", "wu", "admin"]


@pytest.fixture
def cast(db: Database) -> DemoCast:
    return DemoCast({n: operators.find_actor(db, n) for n in NAMES})


@pytest.fixture
def order_no(db: Database, cast: DemoCast, tmp_path: Path) -> str:
    """Goods in two lines and an installation (not stocked), due before the demo's orders."""
    with db.writing() as session:
        repo.find_product(session, "P0012").stocked = False
    no = new_order(
        db, cast, "C0003", [("P0001", "2"), ("P0005", "3"), ("P0012", "1")], wanted_in_days=5
    )
    drive_to(db, cast, no, Status.APPROVED, tmp_path)
    return no


def _locked(db: Database, code: str) -> Decimal:
    with db.reading() as session:
        return repo.peek_stock(session, repo.find_product(session, code).id or 0).locked


def test_parse_scan() -> None:
    assert parse_scan("P0001") == ("P0001", Decimal(1))
    assert parse_scan(" p0001*3 ") == ("P0001", Decimal(3))
    assert parse_scan("P0008*2.5") == ("P0008", Decimal("2.5"))
    assert parse_scan("P0001*") is None and parse_scan("*3") is None and parse_scan("") is None


async def test_scan_pick_refuse_pack_and_print(db: Database, cast: DemoCast, order_no: str) -> None:
    before = _locked(db, "P0001")
    app = OrderApp(db, demo=True, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "liu")
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, PickListScreen)
        assert order_no in screen_text(pilot).splitlines()[4]  # the earliest wanted date first
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PickScreen) and app.focused is screen.scan
        text = screen_text(pilot)
        assert "已批准" in text and "非库存项目" in text and "A-01-03" in text
        await pilot.press(*"P0001", "enter")
        await settle(pilot)
        assert "请先按 F6 开始拣货" in screen_text(pilot)
        assert screen.scan.value == "P0001"  # nothing typed is lost

        await pilot.press("f6")
        await settle(pilot)
        text = screen_text(pilot)
        assert "拣货中" in text and "第 3 行为非库存项目，已计为拣齐" in text
        assert "免拣" in text
        # the scanner: the code and Enter, one unit a scan; two scans in a burst
        await pilot.press(*"P0001", "enter", *"P0001", "enter")
        await settle(pilot)
        assert _locked(db, "P0001") == before + 2
        assert "已拣 P0001 工业控制器 1台（第 1 行 2/2）" in screen_text(pilot)
        # a product not on the order is refused with the reason beside the field
        await pilot.press(*"P0009", "enter")
        await settle(pilot)
        text = screen_text(pilot)
        assert "！P0009：P0009 接近开关 不在本订单上" in text
        assert screen.scan.value == "P0009" and screen.scan.selected_text == "P0009"
        await pilot.press(*"P0005*5", "enter")  # replaces the refused text
        await settle(pilot)
        assert "P0005 只剩 3 件待拣，不能拣 5" in screen_text(pilot)
        # Enter on a line: its code and what is left go to the scan field
        await pilot.press("tab", "down", "enter")
        await settle(pilot)
        assert app.focused is screen.scan and screen.scan.value == "P0005*3"
        await pilot.press("enter")
        await settle(pilot)
        assert "全部拣齐，按 F7 打包" in screen_text(pilot)

        await pilot.press("f8")
        await settle(pilot)
        assert "保存到" in screen_text(pilot)  # the data directory's path, Enter to accept
        await pilot.press("enter")
        await settle(pilot)
        written = db.data_dir / "documents" / f"{order_no}-pick-list.pdf"
        assert written.is_file()
        joined = "".join(line.strip() for line in screen_text(pilot).splitlines())
        assert f"拣货单已写入：{written}" in joined

        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, PackDialog)
        await pilot.press("2", "enter", *"x1", "enter", "enter")
        await settle(pilot)
        assert "重量应为数字" in screen_text(pilot)  # beside the field, the dialog stays
        await pilot.press("ctrl+u", *"12.5", "enter", *"纸箱", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert "已打包 2 件 12.5 kg" in screen_text(pilot)
        assert "已打包" in screen_text(pilot).splitlines()[1]
    detail = orders.get_order(db, READER, order_no)
    assert detail.status == "packed"
    assert execution.pick_view(db, READER, order_no).packages[0].notes == "纸箱"


async def test_a_hold_from_the_pick_screen_stops_the_scanner(
    db: Database, cast: DemoCast, order_no: str
) -> None:
    execution.start_picking(db, cast["liu"], order_no)
    before = _locked(db, "P0001")
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "liu")
        app.push_screen(PickScreen(db, "en", app.actor, order_no))  # type: ignore[arg-type]
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, HoldDialog)
        await pilot.press("1", "enter", *"scratched flange", "enter", *"nobody", "enter")
        await settle(pilot)
        assert "! No operator is called nobody" in screen_text(pilot)
        assert app.screen.query_one("#hold-text").value == "scratched flange"  # type: ignore[attr-defined]
        await pilot.press("ctrl+u", *"zhao", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PickScreen)
        text = screen_text(pilot)
        assert "[ON HOLD] Quality problem: scratched flange (zhao)" in text
        await pilot.press(*"P0001", "enter")
        await settle(pilot)
        assert "no picking until the clerk releases it" in screen_text(pilot)
    assert _locked(db, "P0001") == before  # the refused scan locked nothing
    assert orders.get_order(db, READER, order_no).on_hold
