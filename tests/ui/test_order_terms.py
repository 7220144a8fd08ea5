"""Payment terms in numbers on the order entry header, keys only at 80x24: the prepay % and
credit days follow the chosen terms, the due date follows them as they are typed, a bad value
is shown beside its field and kept; the detail, review and lookup screens say the terms and
"not stocked" in words."""

import io
from datetime import date, timedelta
from decimal import Decimal

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Input

from order_tui.app import OrderApp
from order_tui.domain import review_checks as rc
from order_tui.domain.roles import Department
from order_tui.screens.home import HomeScreen
from order_tui.screens.order_detail import render_detail
from order_tui.screens.order_entry import OrderEntryScreen, finding_text
from order_tui.screens.review import evidence_lines, render_order
from order_tui.services import Database, lookup, operators, orders
from order_tui.services.common import today
from order_tui.widgets.grouped_table import GroupedOptions
from order_tui.widgets.lookup import product_row
from order_tui.widgets.stock_strip import stock_text
from tests.reader import READER
from tests.ui.pilot import screen_text, settle

SIZE = (80, 24)


def plain(renderable: object, width: int = 80) -> str:
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


async def new_order(pilot: Pilot[None]) -> OrderEntryScreen:
    await pilot.press(*"zhao", "enter", *"1234", "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, HomeScreen), screen_text(pilot)
    await pilot.press("n")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, OrderEntryScreen), screen_text(pilot)
    return screen


def value(screen: OrderEntryScreen, name: str) -> str:
    return screen.query_one(f"#{name}", Input).value


def header_line(pilot: Pilot[None], word: str) -> str:
    return next(ln for ln in screen_text(pilot).splitlines() if word in ln)


async def test_an_order_with_30_percent_prepaid_and_60_days(db: Database) -> None:
    app = OrderApp(db, demo=True)
    day = today(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await new_order(pilot)
        await pilot.press(*"C0002", "enter")
        await settle(pilot)
        # the customer's default terms (net60) bring their numbers and due date
        assert (value(screen, "prepay"), value(screen, "credit")) == ("0", "60")
        assert value(screen, "due") == (day + timedelta(days=60)).isoformat()
        row = header_line(pilot, "预付")
        assert "月结60天" in row and "账期" in row and "收款日" in row
        # contact -> address, invoice, price mode, wanted date, terms
        await pilot.press("tab", "tab", "tab", "tab", "tab")
        assert screen.focused is screen.query_one("#terms")
        # another term code: its numbers replace those shown, the due date follows
        await pilot.press("enter", "up", "up", "enter")  # 款到发货
        await settle(pilot)
        assert (value(screen, "prepay"), value(screen, "credit")) == ("100", "0")
        assert value(screen, "due") == day.isoformat()
        await pilot.press("enter", "down", "down", "enter")  # back to 月结60天
        await settle(pilot)
        assert (value(screen, "prepay"), value(screen, "credit")) == ("0", "60")
        # a bad prepayment: said beside the field, the text kept, focus may go on
        await pilot.press("tab", "ctrl+u", *"150", "tab")
        await settle(pilot)
        assert value(screen, "prepay") == "150"
        assert "预付：预付比例应为 0 到 100 之间的整数（%）" in screen_text(pilot)
        assert screen.query_one("#lbl-prepay").has_class("-error")
        # corrected: the message goes; 30 % and 60 days, the due date 60 days on
        await pilot.press("shift+tab", "ctrl+u", *"30", "tab")
        await settle(pilot)
        assert "预付比例应为" not in screen_text(pilot)
        assert not screen.query_one("#lbl-prepay").has_class("-error")
        await pilot.press("ctrl+u", *"45")
        await settle(pilot)
        assert value(screen, "due") == (day + timedelta(days=45)).isoformat()  # live
        await pilot.press("backspace", "backspace", *"60", "tab")
        await settle(pilot)
        assert value(screen, "due") == (day + timedelta(days=60)).isoformat()
        assert screen.focused is screen.query_one("#due")
        # one line, then Ctrl+S
        await pilot.press("f6", *"P0005", "enter")
        await settle(pilot)
        await pilot.press(*"10", "enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.order_no is not None, screen_text(pilot)
        saved = orders.get_order(db, READER, screen.order_no)
        assert (saved.payment_terms, saved.prepay_pct, saved.credit_days) == ("net60", 30, 60)
        assert saved.payment_due_date == day + timedelta(days=60)
        assert not screen.unsaved_changes()


async def test_credit_days_out_of_range_in_english(db: Database) -> None:
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await new_order(pilot)
        await pilot.press(*"C0001", "enter")
        await settle(pilot)
        row = header_line(pilot, "Prepay")
        assert "Net 30 days" in row and "Credit" in row and "Pay by" in row
        screen.query_one("#credit", Input).focus()
        await pilot.press("ctrl+u", *"400", "tab")
        await settle(pilot)
        assert "Credit: Credit days must be whole days from 0 to 365" in screen_text(pilot)
        # 100 % prepaid leaves nothing to give credit for
        screen.query_one("#credit", Input).focus()
        await pilot.press("ctrl+u", *"30", "shift+tab", "ctrl+u", *"100", "tab")
        await settle(pilot)
        assert "With 100% prepaid there is no balance" in screen_text(pilot)
        assert screen.query_one("#lbl-credit").has_class("-error")
        assert value(screen, "credit") == "30"
        # Ctrl+S does not save it: the message stays beside the field
        await pilot.press("f6", *"P0001", "enter")
        await settle(pilot)
        await pilot.press("1", "enter", "ctrl+s")
        await settle(pilot)
        assert screen.order_no is None
        assert screen.focused is screen.query_one("#credit")


async def test_an_order_opened_again_keeps_its_numbers(db: Database) -> None:
    zhao = operators.find_actor(db, "zhao")
    detail = orders.create_order(
        db,
        zhao,
        orders.OrderInput(
            "C0002",
            [orders.LineInput("P0005", Decimal(3))],
            payment_terms="net60",
            prepay_pct=30,
            credit_days=60,
        ),
    )
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"zhao", "enter", *"1234", "enter")
        await settle(pilot)
        # home: down to the draft's row, Enter opens its detail, e edits it
        options = app.screen.query_one(GroupedOptions)
        for _ in range(options.option_count):
            index = options.highlighted
            if index is not None and str(options.get_option_at_index(index).id).endswith(
                detail.order_no
            ):
                break
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OrderEntryScreen), screen_text(pilot)
        assert (value(screen, "prepay"), value(screen, "credit")) == ("30", "60")
        assert not screen.unsaved_changes()  # the terms' Changed event did not refill them


def test_detail_and_review_say_the_terms_in_words(db: Database) -> None:
    zhao = operators.find_actor(db, "zhao")
    made = [
        orders.get_order(db, READER, s.order_no) for s in orders.list_orders(db, READER, limit=50)
    ]
    demo = next(d for d in made if (d.prepay_pct, d.credit_days) == (30, 60))
    for lang, words in (("zh", "30% 预付，余款月结60天"), ("en", "30% prepaid, balance net 60")):
        assert words in plain(render_detail(demo, zhao, lang, "Asia/Shanghai"))
        assert words in plain(render_order(demo, lang))


def test_the_terms_finding_speaks_both_languages() -> None:
    facts = rc.ReviewFacts(
        order_total=Decimal("1000.00"),
        credit_limit=Decimal("1000000.00"),
        open_orders=(),
        payment_terms="net30",
        allowed_terms=frozenset({"prepaid", "net30"}),
        invoice_type="normal",
        invoice_fields={},
        order_date=date(2026, 11, 27),
        wanted_date=None,
        lines=(),
        prepay_pct=30,
        credit_days=60,
    )
    (finding,) = rc.check_terms_numbers(facts)
    assert finding.department == Department.FINANCE
    zh = "\n".join(evidence_lines(finding, "zh"))
    en = "\n".join(evidence_lines(finding, "en"))
    assert "本单：30% 预付，余款月结60天" in zh and "账期 60 天 超过允许的 30 天" in zh
    assert "款到发货、月结30天" in zh
    assert "this order: 30% prepaid, balance net 60" in en
    assert "credit 60 days above the 30 allowed" in en
    assert "付款条件 30% 预付，余款月结60天 宽于客户允许" in finding_text(finding, "zh")
    assert "30% prepaid, balance net 60 are looser than allowed" in finding_text(finding, "en")


def test_lookup_and_stock_strip_say_not_stocked(db: Database) -> None:
    service = lookup.product(db, READER, "P0012")
    goods = lookup.product(db, READER, "P0001")
    assert service is not None and goods is not None
    assert "无需库存" in product_row(service, 80, "zh")
    assert "not stocked" in product_row(service, 80, "en")
    assert "可用" in product_row(goods, 80, "zh")

    def tr(key: str, **fields: object) -> str:
        from order_tui.screens.i18n import t

        return t(key, "zh", **fields)

    assert "服务项目，无需库存" in stock_text(service, tr).plain
    assert "库存" not in stock_text(service, tr).plain.replace("无需库存", "")
    assert "可用" in stock_text(goods, tr).plain
