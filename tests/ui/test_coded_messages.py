"""Refusals reach the operator in Chinese, beside the field they are about (80x24, keys only).

The rules raise coded errors; these tests drive the screens in a Chinese session and look for
the catalog's Chinese text where the operator would look: under the USCC field of the
customer form, beside the quantity cell of the order grid, and in the notice after a lifecycle
action that a guard refused.
"""

import asyncio

from textual.pilot import Pilot
from textual.widgets import Input, Static

from order_tui.app import OrderApp
from order_tui.domain.codes import uscc_check_char
from order_tui.screens.customer_form import CustomerFormScreen
from order_tui.screens.intake import IntakeScreen
from order_tui.screens.order_detail import OrderDetailScreen
from order_tui.screens.order_entry import OrderEntryScreen
from order_tui.screens.palette import ConfirmScreen, PaletteScreen
from order_tui.services import Database, execution, lookup, operators, worklist
from order_tui.widgets.line_grid import LineGrid
from tests.reader import READER
from tests.ui.pilot import logged_in, screen_text, settle

SIZE = (80, 24)
TAKEN_USCC = "91110108700286417J"  # 北京华宇科技有限公司 (C0001) in the demo data


async def new_customer_form(pilot: Pilot[None]) -> CustomerFormScreen:
    """Home -> intake (i) -> new customer (F6), the cursor on the customer code."""
    await pilot.press("i")
    await settle(pilot)
    assert isinstance(pilot.app.screen, IntakeScreen), screen_text(pilot)
    await pilot.press("f6")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, CustomerFormScreen), screen_text(pilot)
    assert form.focused is form.query_one("#code", Input)
    return form


def error_under(form: CustomerFormScreen, field: str) -> str:
    line = form.query_one(f"#err-{field}", Static)
    return str(line.content) if line.display else ""


async def test_a_uscc_refused_by_the_service_is_shown_in_chinese_under_the_field(
    db: Database,
) -> None:
    app = OrderApp(db, demo=True, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "wang")
        form = await new_customer_form(pilot)
        await pilot.press(*"C0100", "tab", *"杭州新科技有限公司", "tab")
        # A code check as the cursor leaves the field: the domain's coded message, in Chinese.
        body = "91330106MA2B3C4D5"
        await pilot.press(*body, "tab")
        await settle(pilot)
        assert "统一社会信用代码应为 18 位，现在是 17 位" in error_under(form, "uscc")
        # Another customer's valid USCC passes the field check; only the service knows it is
        # taken, and says so under the field when F9 saves.
        await pilot.press("shift+tab", *TAKEN_USCC, "tab")
        await settle(pilot)
        assert error_under(form, "uscc") == ""
        for text in ("周经理", "13857112345", "浙江省", "杭州市", "西湖区", "文三路100号"):
            await pilot.press(*text, "tab")
        await pilot.press("f9")
        await settle(pilot)
        assert app.screen is form  # not saved
        assert f"已有客户使用统一社会信用代码 {TAKEN_USCC}" in error_under(form, "uscc")
        assert f"已有客户使用统一社会信用代码 {TAKEN_USCC}" in screen_text(pilot)
        assert form.focused is form.query_one("#uscc", Input)
        assert form.query_one("#detail", Input).value == "文三路100号"  # nothing typed is lost
        assert not [h for h in lookup.customers(db, READER, "C0100") if h.code == "C0100"]
        # Corrected: the check character of the new code is accepted and the form saves.
        await pilot.press("end", *["backspace"] * len(TAKEN_USCC), *body, uscc_check_char(body))
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen), screen_text(pilot)


async def test_a_quantity_refused_in_the_grid_is_explained_in_chinese(db: Database) -> None:
    app = OrderApp(db, demo=True, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        await pilot.press("n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OrderEntryScreen)
        await pilot.press(*"C0001", "enter")
        await settle(pilot)
        await pilot.press("f6", *"P0001", "enter")
        await settle(pilot)
        await pilot.press(*"1.23456", "enter")
        grid = screen.query_one(LineGrid)
        assert grid.lines[0].qty == "1.23456"  # kept as typed
        assert grid.lines[0].errors["qty"] == "数量最多 4 位小数"
        assert "第 1 行：数量最多 4 位小数" in screen.query_one("#notice").plain  # type: ignore[attr-defined]
        assert " 1! P0001" in screen_text(pilot)


async def test_a_guard_refusal_from_the_palette_is_said_in_chinese(db: Database) -> None:
    """chen confirms 批准 in the palette while a colleague puts the order on hold."""
    chen = operators.find_actor(db, "chen")
    order_no = next(q for q in worklist.worklist(db, chen) if q.key == "review").items[0].order_no
    app = OrderApp(db, demo=True, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, PaletteScreen)
        await pilot.press(*order_no[-6:])
        await asyncio.sleep(0.3)  # the search waits for typing to pause
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailScreen), screen_text(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"pz")  # 批准
        await asyncio.sleep(0.3)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen), screen_text(pilot)
        zhang = operators.find_actor(db, "zhang")
        execution.raise_hold(db, zhang, order_no, "credit", "客户付款逾期")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailScreen)
        shown = [n.message for n in app._notifications]
        assert "操作失败：订单挂起中，不能批准" in shown, shown
