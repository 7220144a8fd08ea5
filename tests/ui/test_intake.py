"""Step 1, the requirement intake, driven by keys only at 80x24: F4 lookups, lines, F9 check,
the alternative, F12 to a draft order; field errors; a new customer inline; form drafts."""

import io
from datetime import timedelta

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Input, Static

from order_tui.app import OrderApp
from order_tui.domain.codes import uscc_check_char
from order_tui.screens.customer_form import ConfirmDialog, CustomerFormScreen
from order_tui.screens.home import HomeScreen
from order_tui.screens.intake import IntakeScreen, LineRow
from order_tui.screens.order_detail import OrderDetailScreen
from order_tui.services import Database, forms, lookup, operators, orders
from order_tui.services.common import today
from order_tui.widgets.lookup import LookupDialog
from tests.reader import READER
from tests.ui.pilot import screen_text, settle

SIZE = (80, 24)


def static_text(widget: Static, width: int = 77) -> str:
    """A Static's content as the terminal would show it (also the part scrolled away)."""
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*text)


async def open_intake(pilot: Pilot[None], username: str = "wang") -> IntakeScreen:
    await pilot.press(*username, "enter", *"1234", "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, HomeScreen), screen_text(pilot)
    await pilot.press("i")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, IntakeScreen), screen_text(pilot)
    return screen


async def choose_customer(pilot: Pilot[None], initials: str = "bjhy") -> None:
    """Type pinyin initials in the customer field, F4, pick the first hit."""
    await type_text(pilot, initials)
    await pilot.press("f4")
    await settle(pilot)
    assert isinstance(pilot.app.screen, LookupDialog), screen_text(pilot)
    assert "北京华宇科技有限公司" in screen_text(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def to_field(pilot: Pilot[None], screen: IntakeScreen, widget: Input) -> None:
    """Tab until `widget` has the focus (keys only)."""
    for _ in range(40):
        if screen.focused is widget:
            return
        await pilot.press("tab")
    raise AssertionError(f"cannot reach {widget}")


async def fill_line(
    pilot: Pilot[None], screen: IntakeScreen, row: LineRow, code: str, qty: str
) -> None:
    await to_field(pilot, screen, row.field("code"))
    await type_text(pilot, code)
    await pilot.press("tab")  # leaving the code looks the product up
    await settle(pilot)
    await to_field(pilot, screen, row.field("qty"))
    await type_text(pilot, qty)


async def test_whole_intake_by_keys(db: Database) -> None:
    wanted = today(db) + timedelta(days=10)  # before the made-to-order cabinet can be ready
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        assert screen.focused is screen.query_one("#customer", Input)
        await choose_customer(pilot)
        assert app.screen is screen
        assert screen.customer is not None and screen.customer.code == "C0001"
        text = screen_text(pilot)
        assert "北京华宇科技有限公司" in text
        assert "李经理 13911286543" in text  # the default contact, filled in
        assert screen.query_one("#contact", Input).value == "李经理"
        assert screen.query_one("#phone", Input).value == "13911286543"

        await to_field(pilot, screen, screen.query_one("#wanted", Input))
        await type_text(pilot, wanted.isoformat())
        await pilot.press("tab")
        await type_text(pilot, "60000")
        await pilot.press("tab")
        await type_text(pilot, "替换旧产线伺服")
        await pilot.press("tab")
        await type_text(pilot, "交期优先")
        await pilot.press("tab")
        await type_text(pilot, "木箱包装 整车运输")

        first = screen.query_one(LineRow)
        await fill_line(pilot, screen, first, "P0002", "40")
        assert first.field("name").value == "伺服电机"
        assert first.field("spec").value == "SM-130-1500W-220V"
        # F7 adds a line under the cursor and puts the cursor in its product code.
        await pilot.press("f7")
        await settle(pilot)
        rows = list(screen.query(LineRow))
        assert len(rows) == 2 and screen.focused is rows[1].field("code")
        # A third line, then F8 removes it again.
        await pilot.press("f7")
        await settle(pilot)
        assert len(list(screen.query(LineRow))) == 3
        await pilot.press("f8")
        await settle(pilot)
        assert len(list(screen.query(LineRow))) == 2
        await fill_line(pilot, screen, rows[1], "P0006", "2")
        assert "定制品：生产周期 25 天" in screen_text(pilot)

        await pilot.press("f9")
        await settle(pilot)
        assert screen.result is not None, screen_text(pilot)
        results = static_text(screen.query_one("#results", Static))
        lines = results.splitlines()
        line1 = next(ln for ln in lines if "P0002" in ln)
        line2 = next(ln for ln in lines if "P0006" in ln)
        # on hand, locked, available, shortfall, lead time, earliest, risk in words
        assert line1.split()[3:8] == ["40", "0", "0", "0", "40"], line1
        assert "3天" in line1 and ("缺货" in line1 or "延期" in line1)
        assert "25天" in line2 and "定制" in line2 and line2.rstrip().endswith("延期")
        earliest = (today(db) + timedelta(days=27)).isoformat()
        assert earliest in line2
        assert f"全部最早可交：{earliest}" in results
        assert "2 行有风险" in results
        history = static_text(screen.query_one("#history", Static))
        assert "客户往来" in history and "SO" in history
        shown = screen_text(pilot)
        assert "缺货" in shown or "延期" in shown  # the check is on screen, not just in memory
        # Recorded: the draft is gone, the form stays editable (F9 saves it again), the
        # alternative and the conversion are offered.
        assert forms.load_form(db, screen.actor, "intake:new") is None
        assert not screen.query_one("#customer", Input).disabled
        footer = shown.splitlines()[-1]
        assert "^R 替代方案" in footer and "F12 转为订单" in footer and "^Q 退出" in footer

        # The alternative agreed with the customer.
        assert screen.focused is screen.query_one("#alternative", Input)
        await type_text(pilot, "伺服电机分两批交货 机柜顺延一周")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert screen.alternative_saved == "伺服电机分两批交货 机柜顺延一周"
        assert "已记录替代方案" in screen_text(pilot)

        # F12: the draft order, with everything carried over; its detail opens.
        await pilot.press("f12")
        await settle(pilot)
        assert screen.order_no is not None
        assert isinstance(app.screen, OrderDetailScreen)
        assert app.screen.order_no == screen.order_no
        order = orders.get_order(db, READER, screen.order_no)
        assert order.status == "draft"
        assert order.customer_code == "C0001"
        assert [(ln.product_code, int(ln.qty)) for ln in order.lines] == [
            ("P0002", 40),
            ("P0006", 2),
        ]
        assert order.wanted_date == wanted
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert f"已转为草稿订单 {screen.order_no}" in screen_text(pilot)
        assert screen.query_one("#customer", Input).disabled  # converted: read-only now
        assert "F9" not in screen_text(pilot).splitlines()[-1]
        await pilot.press("escape")  # nothing unsaved: straight home
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_risk_without_alternative_asks_before_converting(db: Database) -> None:
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        await choose_customer(pilot)
        await fill_line(pilot, screen, screen.query_one(LineRow), "P0002", "40")
        await pilot.press("f9")
        await settle(pilot)
        results = static_text(screen.query_one("#results", Static))
        assert "SHORTAGE" in results or "LATE" in results
        assert "On hand" in results and "Earliest" in results
        await pilot.press("f12")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen and screen.order_no is None
        await pilot.press("f12")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert screen.order_no is not None
        assert isinstance(app.screen, OrderDetailScreen)


async def test_bad_phone_is_shown_beside_the_field_and_kept(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        await choose_customer(pilot)
        phone = screen.query_one("#phone", Input)
        await to_field(pilot, screen, phone)
        await pilot.press("ctrl+u")  # clear the default contact's number
        await type_text(pilot, "12345")
        await fill_line(pilot, screen, screen.query_one(LineRow), "P0001", "1")
        await pilot.press("f9")
        await settle(pilot)
        assert screen.result is None
        error = screen.query_one("#err-contact", Static)
        assert error.display
        assert str(error.content) == "! 电话：不是有效的手机或座机号码"
        lines = screen_text(pilot).splitlines()
        row = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("联系人"))
        assert "12345" in lines[row]
        assert "不是有效的手机或座机号码" in lines[row + 1]  # right under the field
        assert phone.value == "12345" and screen.focused is phone
        # Corrected, it records.
        await pilot.press("ctrl+u")
        await type_text(pilot, "010-62345678")
        await pilot.press("f9")
        await settle(pilot)
        assert screen.result is not None
        assert not screen.query_one("#err-contact", Static).display


async def test_form_checks_before_the_service(db: Database) -> None:
    """No customer, a bad date and a line without quantity: each marked beside its field."""
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        await to_field(pilot, screen, screen.query_one("#wanted", Input))
        await type_text(pilot, "2026-13-45")
        row = screen.query_one(LineRow)
        await to_field(pilot, screen, row.field("code"))
        await type_text(pilot, "P0001")
        await pilot.press("f9")
        await settle(pilot)
        assert screen.result is None
        text = screen_text(pilot)
        assert "! Choose the customer (F4 to look up, F6 to add)" in text
        assert "! Wanted by: Date as 2026-12-20, 20261220 or 12-20" in text
        assert "! Line 1: Enter the quantity" in text
        assert screen.focused is screen.query_one("#customer", Input)
        assert screen.query_one("#wanted", Input).value == "2026-13-45"


async def test_new_customer_inline(db: Database) -> None:
    body = "91330106MA2B3C4D5"
    good = body + uscc_check_char(body)
    bad = body + ("0" if good[-1] != "0" else "1")
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        intake = await open_intake(pilot)
        await type_text(pilot, "杭州新")  # a name typed: carried into the new form
        await pilot.press("f6")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CustomerFormScreen)
        assert form.query_one("#legal_name", Input).value == "杭州新"
        assert form.focused is form.query_one("#code", Input)
        await type_text(pilot, "C0100")
        await pilot.press("tab", "end")  # Tab selects the field's text; End keeps it
        await type_text(pilot, "科技有限公司")
        await pilot.press("tab")
        await type_text(pilot, bad)
        await pilot.press("tab")  # leaving the USCC checks it at once
        await settle(pilot)
        assert "校验位（第 18 位）应为" in screen_text(pilot)
        await type_text(pilot, "周经理")
        await pilot.press("tab")
        await type_text(pilot, "13857112345")
        await pilot.press("tab")
        await type_text(pilot, "浙江省")
        await pilot.press("tab")
        await type_text(pilot, "杭州市")
        await pilot.press("tab")
        await type_text(pilot, "西湖区")
        await pilot.press("tab")
        await type_text(pilot, "文三路100号")
        await pilot.press("f9")
        await settle(pilot)
        assert app.screen is form  # not saved
        error = form.query_one("#err-uscc", Static)
        assert error.display and f"应为 {good[-1]}" in str(error.content)
        assert form.query_one("#uscc", Input).value == bad
        assert form.query_one("#detail", Input).value == "文三路100号"  # nothing lost
        assert form.focused is form.query_one("#uscc", Input)
        assert not lookup.customers(db, READER, "C0100")
        # Corrected: saved, and chosen on the intake.
        await pilot.press("end", "backspace")
        await type_text(pilot, good[-1])
        await pilot.press("f9")
        await settle(pilot)
        assert app.screen is intake
        assert intake.customer is not None and intake.customer.code == "C0100"
        assert "杭州新科技有限公司" in screen_text(pilot)
        [hit] = [h for h in lookup.customers(db, READER, "C0100") if h.code == "C0100"]
        assert hit.uscc == good and hit.phone == "13857112345"
        assert intake.query_one("#contact", Input).value == "周经理"


async def test_new_customer_form_in_english_marks_required_fields(db: Database) -> None:
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await open_intake(pilot)
        await pilot.press("f6")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CustomerFormScreen)
        await pilot.press("f9")
        await settle(pilot)
        assert "! Customer code is required" in screen_text(pilot)
        # Esc with nothing typed leaves without asking.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)


async def test_draft_is_restored_in_a_new_session(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        await choose_customer(pilot)
        await to_field(pilot, screen, screen.query_one("#special", Input))
        await type_text(pilot, "木箱包装")
        await fill_line(pilot, screen, screen.query_one(LineRow), "P0002", "40")
        await pilot.press("f7")
        await settle(pilot)
        row = list(screen.query(LineRow))[1]
        await type_text(pilot, "")
        await to_field(pilot, screen, row.field("name"))
        await type_text(pilot, "非标支架")
        await pilot.press("tab")
        await type_text(pilot, "800x600")
        await pilot.press("tab")
        await type_text(pilot, "Q235")
        assert screen.unsaved_changes()
        assert app.save_drafts_now() == 1
    wang = operators.find_actor(db, "wang")
    assert forms.load_form(db, wang, "intake:new") is not None

    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        await settle(pilot)
        assert "已恢复" in screen_text(pilot)
        assert screen.customer is not None and screen.customer.code == "C0001"
        assert "北京华宇科技有限公司" in screen_text(pilot)
        assert screen.query_one("#special", Input).value == "木箱包装"
        rows = list(screen.query(LineRow))
        assert [r.field("code").value for r in rows] == ["P0002", ""]
        assert rows[0].field("qty").value == "40"
        assert [rows[1].field(n).value for n in ("name", "spec", "params")] == [
            "非标支架",
            "800x600",
            "Q235",
        ]
        # Esc asks; D leaves and discards the draft.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    assert forms.load_form(db, wang, "intake:new") is None


async def test_escape_keeps_the_draft_when_asked(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        await to_field(pilot, screen, screen.query_one("#contact", Input))
        await type_text(pilot, "李经理")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # go on typing
        await settle(pilot)
        assert app.screen is screen
        assert screen.query_one("#contact", Input).value == "李经理"
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("y")  # leave, keep the draft
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        saved = forms.load_form(db, operators.find_actor(db, "wang"), "intake:new")
        assert saved is not None and saved.payload["contact"] == "李经理"


async def test_only_sales_roles_get_the_intake_key(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"chen", "enter", *"1234", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "新需求" not in screen_text(pilot).splitlines()[-1]
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_footer_and_help_list_the_keys(db: Database) -> None:
    for lang, words in (
        ("zh", ["F4 查找", "F9 登记检查", "Esc 返回", "^Q 退出"]),
        ("en", ["F4 Find", "F9 Check", "Esc Back", "^Q Quit"]),
    ):
        app = OrderApp(db, demo=True, lang=lang)
        async with app.run_test(size=SIZE) as pilot:
            await open_intake(pilot)
            footer = screen_text(pilot).splitlines()[-1]
            for word in words:
                assert word in footer, (lang, footer)
            await pilot.press("f1")
            await settle(pilot)
            text = screen_text(pilot)
            for key in ("F6", "F7", "F8", "F12", "^R"):  # F7/F8 also head the lines
                assert key in text, (lang, key)


async def test_a_line_without_product_code_is_marked(db: Database) -> None:
    """Free text only (name, spec, parameters): until the service takes such lines, the line
    asks for a product code and everything typed stays."""
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        await choose_customer(pilot)
        row = screen.query_one(LineRow)
        await to_field(pilot, screen, row.field("name"))
        await type_text(pilot, "非标支架")
        await pilot.press("tab")
        await type_text(pilot, "800x600")
        await pilot.press("tab")
        await type_text(pilot, "Q235")
        await pilot.press("tab")
        await type_text(pilot, "5")
        await pilot.press("f9")
        await settle(pilot)
        if screen.result is None:
            assert "! 第 1 行：请填写产品编码（F4 查找）" in screen_text(pilot)
            assert screen.focused is row.field("code")
            assert row.field("params").value == "Q235"
        else:  # the service accepts free-text lines: no feasibility for them
            results = static_text(screen.query_one("#results", Static))
            assert "未检查（无产品编码）" in results


async def test_another_customer_replaces_the_filled_in_contact(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        await choose_customer(pilot)
        assert screen.query_one("#contact", Input).value == "李经理"
        customer = screen.query_one("#customer", Input)
        await to_field(pilot, screen, customer)
        await pilot.press("ctrl+u")
        await type_text(pilot, "C0002")
        await pilot.press("tab")  # an exact code is taken when the cursor leaves
        await settle(pilot)
        assert screen.customer is not None and screen.customer.code == "C0002"
        assert screen.query_one("#contact", Input).value == "王建国"
        assert screen.query_one("#phone", Input).value == "13816752390"


async def test_leaving_with_an_unrecorded_alternative_asks(db: Database) -> None:
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        await choose_customer(pilot)
        await fill_line(pilot, screen, screen.query_one(LineRow), "P0001", "2")
        await pilot.press("f9")
        await settle(pilot)
        assert screen.result is not None
        assert "OK" in static_text(screen.query_one("#results", Static))
        await type_text(pilot, "none needed")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "The alternative is not recorded yet" in screen_text(pilot)
        assert "discard" not in screen_text(pilot)  # nothing to keep as a draft here
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_a_recorded_requirement_is_saved_again_with_f9(db: Database) -> None:
    """F9, change a quantity, F9 again: the new check on screen, the new quantity stored."""
    from order_tui.store import repo

    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        await choose_customer(pilot)
        first = screen.query_one(LineRow)
        await fill_line(pilot, screen, first, "P0001", "40")  # 35 on hand
        await pilot.press("f7")
        await settle(pilot)
        second = list(screen.query(LineRow))[1]
        await fill_line(pilot, screen, second, "P0012", "1")
        assert "服务项目：无需库存" in screen_text(pilot)  # the service under its line
        await pilot.press("f9")
        await settle(pilot)
        assert screen.result is not None, screen_text(pilot)
        requirement_id, version = screen.result.id, screen.version
        results = static_text(screen.query_one("#results", Static))
        line1 = next(ln for ln in results.splitlines() if "P0001" in ln)
        assert "缺货" in line1 or "无货源" in line1
        service = next(ln for ln in results.splitlines() if "P0012" in ln)
        assert "无需库存" in service and "缺货" not in service  # no false shortage
        # From the alternative back to the first line's quantity: keys only.
        assert screen.focused is screen.query_one("#alternative", Input)
        await to_field(pilot, screen, first.field("qty"))
        await pilot.press("end", *["backspace"] * 2, "2")
        assert screen.unsaved_changes()
        # F12 now would convert what the check did not see: it says so instead.
        await pilot.press("f12")
        await settle(pilot)
        assert screen.order_no is None and "先按 F9" in screen_text(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert screen.result.id == requirement_id and screen.version == (version or 0) + 1
        assert "已保存修改" in screen_text(pilot)
        results = static_text(screen.query_one("#results", Static))
        line1 = next(ln for ln in results.splitlines() if "P0001" in ln)
        assert line1.split()[3] == "2" and "可满足" in line1, line1
        assert "1 行有风险" not in results and "全部可满足" in results
        assert not screen.unsaved_changes()
        with db.reading() as session:
            stored = repo.requirement_lines(session, requirement_id)
            assert [(ln.line_no, int(ln.qty)) for ln in stored] == [(1, 2), (2, 1)]


async def test_saving_again_over_someone_elses_change_keeps_the_input(db: Database) -> None:
    from order_tui.services import intake

    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        await choose_customer(pilot)
        row = screen.query_one(LineRow)
        await fill_line(pilot, screen, row, "P0001", "2")
        await pilot.press("f9")
        await settle(pilot)
        assert screen.result is not None
        footer = screen_text(pilot).splitlines()[-1]  # all of it fits in 80 columns
        assert "^R Alternative" in footer and "F12 To order" in footer and "^Q Quit" in footer
        zhao = operators.find_actor(db, "zhao")
        intake.agree_alternative(db, zhao, screen.result.id, "by phone")
        await to_field(pilot, screen, row.field("qty"))
        await pilot.press("end", "backspace", "3")
        await pilot.press("f9")
        await settle(pilot)
        shown = " ".join(screen_text(pilot).split())  # the status line wraps at 80 columns
        assert "changed by zhao" in shown and "Your input is kept" in shown
        assert row.field("qty").value == "3"
        # F9 again: saved over zhao's version, whose alternative stays
        await pilot.press("f9")
        await settle(pilot)
        assert "saved (version 3)" in screen_text(pilot)
        from order_tui.store import repo
        from order_tui.store.models import Requirement

        with db.reading() as session:
            stored = session.get(Requirement, screen.result.id)
            assert stored is not None and stored.alternative_agreed == "by phone"
            assert [int(ln.qty) for ln in repo.requirement_lines(session, stored.id or 0)] == [3]
