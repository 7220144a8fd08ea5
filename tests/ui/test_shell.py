"""The app shell by keys only at 80x24: Ctrl+P palette, `/` filter, status line, ASCII mode,
and the waiting notice of a write that waits for another operator's lock."""

import asyncio
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from textual.pilot import Pilot

from order_tui.app import OrderApp
from order_tui.screens.base import TitleBar
from order_tui.screens.home import HomeScreen
from order_tui.screens.order_detail import OrderDetailScreen
from order_tui.screens.palette import ConfirmScreen, PaletteScreen, scan_orders
from order_tui.services import Database, operators, worklist
from order_tui.services.demo import build_demo
from order_tui.store.engine import open_database
from order_tui.store.migrate import ensure_schema
from order_tui.widgets.grouped_table import GroupedOptions
from order_tui.widgets.status_line import StatusLine
from tests.reader import READER
from tests.ui.pilot import logged_in, screen_text, settle

SIZE = (80, 24)
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Box drawing (U+2500-257F) and block elements (U+2580-259F): diamonds on the Linux console.
BOX_OR_BLOCK = re.compile("[\u2500-\u259f]")


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shell-demo")
    db = open_database(f"sqlite:///{folder}/orders.db", folder)
    ensure_schema(db)
    build_demo(db)
    db.dispose()
    return folder / "orders.db"


async def palette_search(pilot: Pilot[None], text: str) -> PaletteScreen:
    await pilot.press("ctrl+p")
    await settle(pilot)
    palette = pilot.app.screen
    assert isinstance(palette, PaletteScreen)
    await pilot.press(*text)
    await asyncio.sleep(0.3)  # the search waits for typing to pause
    await settle(pilot)
    return palette


def actions_listed(palette: PaletteScreen) -> list[str]:
    return [e.label for e in palette.shown if e.section == "actions"]


def order_in(db: Database, username: str, queue: str) -> str:
    actor = operators.find_actor(db, username)
    return next(q for q in worklist.worklist(db, actor) if q.key == queue).items[0].order_no


# -- command palette -----------------------------------------------------------------------


async def test_palette_jumps_to_an_order_by_customer_initials(db: Database) -> None:
    newest = scan_orders(db, READER, "hxjm")[0]  # 华信精密电子（苏州）有限公司, newest first
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        palette = await palette_search(pilot, "hxjm")
        orders = [e for e in palette.shown if e.section == "orders"]
        assert orders and all("华信精密电子" in e.detail for e in orders)
        text = screen_text(pilot)
        assert "命令面板" in text and "华信精密电子" in text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailScreen)
        assert app.screen.order_no == newest.order_no
        assert "华信精密电子（苏州）有限公司" in screen_text(pilot)


async def test_palette_jumps_to_an_order_by_part_of_its_number(db: Database) -> None:
    order_no = order_in(db, "zhao", "drafts")
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        palette = await palette_search(pilot, order_no[-6:])
        assert [e.label for e in palette.shown if e.section == "orders"] == [order_no]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailScreen)
        assert app.screen.order_no == order_no
        assert "Status Draft" in screen_text(pilot)
        # Esc closes the palette without doing anything
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, PaletteScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailScreen)


async def test_palette_offers_only_what_zhao_may_do_to_a_draft(db: Database) -> None:
    order_no = order_in(db, "zhao", "drafts")
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        await palette_search(pilot, order_no[-6:])
        await pilot.press("enter")
        await settle(pilot)
        palette = await palette_search(pilot, "")
        assert actions_listed(palette) == ["编辑", "附件", "提交审核", "取消", "挂起"]
        text = screen_text(pilot)
        assert f"订单 {order_no}：您可执行" in text
        assert "批准" not in text and "解除挂起" not in text
        # screens: the home screen's new order / new intake keys are offered here too
        screens = [e.label for e in palette.shown if e.section == "screens"]
        assert "首页" in screens and "帮助" in screens


async def test_palette_offers_only_what_chen_may_do_in_review(db: Database) -> None:
    order_no = order_in(db, "chen", "review")
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")
        await palette_search(pilot, order_no[-6:])
        await pilot.press("enter")
        await settle(pilot)
        palette = await palette_search(pilot, "")
        assert actions_listed(palette) == ["Attach", "Approve", "Reject", "Hold"]
        assert "Submit" not in screen_text(pilot) and "Edit" not in screen_text(pilot)
        # typing narrows the commands: pinyin initials of the Chinese label work too
        await pilot.press(*"pz")  # 批准
        await settle(pilot)
        assert actions_listed(palette) == ["Approve"]


async def test_palette_on_the_worklist_offers_the_row_under_the_cursor(db: Database) -> None:
    order_no = order_in(db, "chen", "review")
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")
        assert app.screen.query_one(GroupedOptions).highlighted is not None
        palette = await palette_search(pilot, "")
        assert palette.order_no == order_no
        assert actions_listed(palette) == ["附件", "批准", "驳回", "挂起"]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_palette_runs_an_action_after_confirming(db: Database) -> None:
    """zhao submits the draft from the palette: confirm, the write runs, the detail reloads."""
    order_no = order_in(db, "zhao", "drafts")
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        await palette_search(pilot, order_no[-6:])
        await pilot.press("enter")
        await settle(pilot)
        await palette_search(pilot, "tjsh")  # 提交审核
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert f"提交审核：订单 {order_no}？" in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailScreen)
        assert "状态 审核中" in screen_text(pilot)
    from order_tui.services import orders

    assert orders.get_order(db, READER, order_no).status == "in_review"


async def test_palette_needs_a_login(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert not isinstance(app.screen, PaletteScreen)


# -- the `/` filter on the worklist ----------------------------------------------------------


def rows(pilot: Pilot[None]) -> list[str]:
    options = pilot.app.screen.query_one(GroupedOptions)
    return [
        options.get_option_at_index(i).prompt.plain
        for i in range(options.option_count)
        if options.get_option_at_index(i).id is not None
    ]


async def test_slash_filters_the_worklist_and_escape_clears(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        everything = rows(pilot)
        assert len(everything) == 4
        await pilot.press("slash", *"hxjm")  # pinyin initials of 华信精密电子
        await settle(pilot)
        [row] = rows(pilot)
        assert "华信精密电子" in row
        assert "筛选：显示 1/4 单" in screen_text(pilot)
        assert "退回待修改（1/1）" in screen_text(pilot)
        await pilot.press("enter")  # back to the list; the filter stays
        await settle(pilot)
        assert app.screen.focused is app.screen.query_one(GroupedOptions)
        assert len(rows(pilot)) == 1
        await pilot.press("escape")
        await settle(pilot)
        assert rows(pilot) == everything
        assert "筛选" not in screen_text(pilot).splitlines()[-2]


async def test_filter_by_amount_range_number_and_name(db: Database) -> None:
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        await pilot.press("slash", *"1000-10000")
        await settle(pilot)
        assert [r for r in rows(pilot) if "7,256.00" in r] == rows(pilot) != []
        await pilot.press("escape", "slash", *"20,000-")
        await settle(pilot)
        shown = rows(pilot)
        assert shown and all(("20,600.00" in r) or ("24,520.00" in r) for r in shown)
        await pilot.press("escape", "slash", *"北京华宇")
        await settle(pilot)
        assert len(rows(pilot)) == 1 and "北京华宇" in rows(pilot)[0]
        number = order_in(db, "zhao", "drafts")
        await pilot.press("escape", "slash", *number[-5:])
        await settle(pilot)
        assert len(rows(pilot)) == 1 and number in rows(pilot)[0]
        await pilot.press("escape", "slash", *"nothing-like-this")
        await settle(pilot)
        assert rows(pilot) == []
        assert "Filter: 0 of 4 shown" in screen_text(pilot)
        # Esc inside the field clears it as well
        await pilot.press("escape")
        await settle(pilot)
        assert len(rows(pilot)) == 4


def test_filter_terms() -> None:
    from decimal import Decimal

    from order_tui.screens.palette import OrderFilter

    f = OrderFilter.parse("hxjm 1,000-8000")
    assert f.matches("SO20260101003", "华信精密电子（苏州）有限公司", Decimal("7256.00"))
    assert not f.matches("SO20260101003", "华信精密电子（苏州）有限公司", Decimal("8000.01"))
    assert not f.matches("SO20260101003", "北京华宇科技有限公司", Decimal("7256.00"))
    assert OrderFilter.parse("5000-1000").ranges == ((Decimal(1000), Decimal(5000)),)
    assert OrderFilter.parse("-800").matches("SO1", "x", "425.00")
    assert not OrderFilter.parse("-800").matches("SO1", "x", "")  # no amount: no match
    assert OrderFilter.parse("so2026").matches("SO20260101003", "x")
    assert not OrderFilter.parse("  ")


# -- status line ------------------------------------------------------------------------------


async def test_status_line_shows_operator_roles_database_and_time(db: Database) -> None:
    now = [datetime(2026, 3, 16, 1, 30, tzinfo=UTC).astimezone(SHANGHAI)]
    app = OrderApp(db, demo=True, clock=lambda: now[0])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        top = screen_text(pilot).splitlines()[0]
        assert "操作员登录" in top and "orders.db" in top and "03-16 09:30" in top
        await logged_in(pilot, "zhao")
        top = screen_text(pilot).splitlines()[0]
        assert "赵琳 (zhao) · 销售内勤" in top
        assert top.rstrip().endswith("orders.db · 03-16 09:30")
        assert "09:30 更新" in screen_text(pilot)  # the worklist's own time uses the clock
        # a minute later the line follows
        now[0] = datetime(2026, 3, 16, 1, 31, tzinfo=UTC).astimezone(SHANGHAI)
        app.screen.query_one(StatusLine)._tick()
        await settle(pilot)
        assert screen_text(pilot).splitlines()[0].rstrip().endswith("03-16 09:31")
        # a screen that retitles itself keeps its title whole: the status line shrinks
        app.screen.query_one(TitleBar).update("x" * 60)
        await asyncio.sleep(1.2)
        await settle(pilot)
        top = screen_text(pilot).splitlines()[0]
        assert "x" * 60 in top and top.rstrip().endswith("orders.db 09:31")
    # wide terminals get the long form
    app = OrderApp(db, demo=True, lang="en", clock=lambda: now[0])
    async with app.run_test(size=(120, 40)) as pilot:
        await logged_in(pilot, "zhao")
        top = screen_text(pilot).splitlines()[0]
        assert "Zhao" in top or "zhao" in top
        assert "DB orders.db · 2026-03-16 09:31" in top


def test_database_label() -> None:
    from order_tui.widgets.status_line import database_label

    assert database_label("sqlite:////var/lib/order-tui/orders.db") == "orders.db"
    assert database_label("sqlite:///C:\\data\\shop.db") == "shop.db"
    assert database_label("sqlite://") == ":memory:"
    assert database_label("postgresql+psycopg://ops:secret@db.lan:5433/orders") == (
        "db.lan:5433/orders"
    )


# -- ASCII mode ---------------------------------------------------------------------------


async def test_ascii_mode_draws_no_box_or_block_characters(db: Database) -> None:
    from textual import _border

    app = OrderApp(db, demo=True, ascii=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seen = [screen_text(pilot)]  # login: bordered inputs
        await logged_in(pilot, "zhao")
        seen.append(screen_text(pilot))
        await pilot.press("f1")  # the help box, its scrollbar and the lifecycle table
        await settle(pilot)
        seen.append(screen_text(pilot))
        await pilot.press("escape")
        await palette_search(pilot, "hxjm")
        seen.append(screen_text(pilot))
        await pilot.press("enter")  # the detail's tables
        await settle(pilot)
        seen.append(screen_text(pilot))
        for text in seen:
            assert not BOX_OR_BLOCK.findall(text), text
        assert "+--" in seen[2] and "|" in seen[2]  # the help box, in ASCII
        assert app.theme == "ansi-dark"
    # the glyph tables are Textual's, process-wide: put back when the app ends
    assert _border.BORDER_CHARS["round"][0][0] == "╭"


# -- a write that waits for another operator ------------------------------------------------


async def test_a_write_waiting_for_a_lock_says_so(db: Database) -> None:
    from order_tui.services import forms

    path = db.url.removeprefix("sqlite:///")
    other = sqlite3.connect(path, isolation_level=None)
    done: list[object] = []
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await logged_in(pilot, "zhao")
        other.execute("BEGIN IMMEDIATE")  # another operator's save, in progress
        other.execute("UPDATE operator SET display_name = display_name WHERE id = 1")
        actor = app.actor
        assert actor is not None
        app.run_write(
            lambda: forms.save_form(db, actor, "test:wait", {"x": 1}), on_done=done.append
        )
        await asyncio.sleep(0.6)
        await pilot.pause()
        assert "等待其他操作员保存…" in screen_text(pilot)
        assert not done
        other.execute("COMMIT")  # the other save ends: ours goes through
        await settle(pilot)
        await asyncio.sleep(0.2)
        await pilot.pause()
        assert len(done) == 1
        assert "等待其他操作员保存…" not in screen_text(pilot)
    other.close()


async def test_a_quick_write_shows_no_notice_and_errors_are_reported(db: Database) -> None:
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await logged_in(pilot, "zhao")
        done: list[object] = []
        app.run_write(lambda: 42, on_done=done.append)
        await settle(pilot)
        assert done == [42]

        def refused() -> None:
            from order_tui.domain.errors import PermissionDenied

            raise PermissionDenied("approving needs role: finance")

        app.run_write(refused)
        await settle(pilot)
        await asyncio.sleep(0.4)
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert messages == ["Failed: approving needs role: finance"]
        assert "Failed: approving" in screen_text(pilot)


async def test_home_keys_open_the_inbox_and_master_data(tmp_path: Path) -> None:
    """`v` opens the approval inbox for a reviewer, F7 master data; a clerk has no `v`."""
    from order_tui.app import OrderApp
    from order_tui.screens.inbox import InboxScreen
    from order_tui.screens.masterdata import MasterDataScreen
    from order_tui.services.demo import build_demo
    from order_tui.store.engine import open_database
    from order_tui.store.migrate import ensure_schema

    db = open_database(f"sqlite:///{tmp_path}/orders.db", tmp_path)
    ensure_schema(db)
    build_demo(db)
    app = OrderApp(db, lang="en", user="chen")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"1234", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("v")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, InboxScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, MasterDataScreen)
