"""Home worklist, order detail and help, driven by keys only at 80x24, in zh and en."""

import re

from textual.pilot import Pilot

from order_tui.app import OrderApp
from order_tui.screens.help import HelpScreen
from order_tui.screens.home import HomeScreen
from order_tui.screens.order_detail import OrderDetailScreen
from order_tui.services import Database, worklist
from order_tui.widgets.grouped_table import GroupedOptions
from tests.ui.pilot import logged_in, screen_text, settle

SIZE = (80, 24)


def lines(pilot: Pilot[None]) -> list[str]:
    return screen_text(pilot).splitlines()


def worklist_rows(pilot: Pilot[None]) -> list[str]:
    """The list's lines as shown: headings and order rows."""
    options = pilot.app.screen.query_one(GroupedOptions)
    return [options.get_option_at_index(i).prompt.plain for i in range(options.option_count)]


def queues_shown(pilot: Pilot[None]) -> dict[str, list[str]]:
    """Heading -> its order rows, as shown (headings are the lines without a row id)."""
    options = pilot.app.screen.query_one(GroupedOptions)
    shown: dict[str, list[str]] = {}
    heading = ""
    for index in range(options.option_count):
        option = options.get_option_at_index(index)
        text = option.prompt.plain
        if option.id is None and not text.startswith(" "):
            heading = text
            shown[heading] = []
        elif option.id is not None:
            shown[heading].append(text)
    return shown


def first_order(db: Database, username: str, queue: str) -> str:
    from order_tui.services import operators

    actor = operators.find_actor(db, username)
    return next(q for q in worklist.worklist(db, actor) if q.key == queue).items[0].order_no


async def go_to(pilot: Pilot[None], order_no: str) -> None:
    """Move the cursor with Down until it is on the order's row."""
    options = pilot.app.screen.query_one(GroupedOptions)
    for _ in range(options.option_count):
        index = options.highlighted
        if index is not None and str(options.get_option_at_index(index).id).endswith(order_no):
            return
        await pilot.press("down")
    raise AssertionError(f"{order_no} is not in the worklist")


async def test_zhao_sees_returned_and_drafts(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        text = screen_text(pilot)
        assert "赵琳 (zhao) · 销售内勤" in text
        shown = queues_shown(pilot)
        [returned] = shown["退回待修改（1）"]
        assert re.search(r"SO\d{11} 华信精密电子", returned)
        assert "7,256.00" in returned
        assert "财务：开票信息" in returned  # the rejection, department translated
        [draft] = shown["草稿待完成（1）"]
        assert "北京华宇科技有限公司" in draft and "24,520.00" in draft
        assert list(shown).index("退回待修改（1）") < list(shown).index("草稿待完成（1）")
        assert re.search(r"共 \d+ 单 · 挂起 \d+ · 逾期 0", text)
        # The footer: the most used keys, in Chinese.
        footer = lines(pilot)[-1]
        for key in ("Enter 打开", "F1 帮助", "F5 刷新", "^Q 退出"):
            assert key in footer


async def test_chen_sees_the_review_queue_only(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")
        shown = queues_shown(pilot)
        assert list(shown) == ["待我审核（2）"]
        assert all("财务" in row for row in shown["待我审核（2）"])


async def test_held_orders_are_marked_in_words(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "liu")
        rows = worklist_rows(pilot)
        held = [r for r in rows if r.lstrip().startswith("挂起 SO")]
        assert len(held) == 2
        assert "挂起 2" in screen_text(pilot)


async def test_rows_stay_aligned_with_chinese_names(db: Database) -> None:
    """Every order row is cut to the same width and the totals line up at 80 columns."""
    from rich.cells import cell_len

    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "liu")
        rows = [r for r in worklist_rows(pilot) if "SO" in r]
        assert len({cell_len(r) for r in rows}) == 1
        assert cell_len(rows[0]) <= 79
        ends = {cell_len(r[: r.index(".") + 3]) for r in rows}  # the cents of each total
        assert len(ends) == 1
        assert any("…" in r for r in rows)  # 深圳市南山智联自动化有限公司 is cut


async def test_enter_opens_the_detail_and_escape_comes_back(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        order_no = first_order(db, "zhao", "returned")
        await go_to(pilot, order_no)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailScreen)
        assert app.screen.order_no == order_no
        text = screen_text(pilot)
        assert "状态 已退回" in text
        assert "您可执行：编辑 · 附件 · 重新提交 · 取消 · 挂起" in text
        assert "解除挂起" not in text  # not on hold: nothing to release
        assert "合计 ¥7,256.00  大写 柒仟贰佰伍拾陆元整" in text
        # Scroll to the end: the finance rejection.
        await pilot.press("end")
        await settle(pilot)
        assert "财务 驳回 开票信息不全或不符" in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        # Esc on home does nothing: never back past home to the login.
        await pilot.press("escape", "f3")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_leaving_before_the_order_has_loaded(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        await pilot.press("enter", "escape", "enter", "f2", "f5", "enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_f2_goes_home_and_f5_reloads(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        await go_to(pilot, first_order(db, "zhao", "drafts"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailScreen)
        assert "状态 草稿" in screen_text(pilot)
        await pilot.press("f5")
        await settle(pilot)
        assert "北京华宇科技有限公司" in screen_text(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        home = app.screen
        # Another session submits the draft; F5 shows the change, the cursor stays usable.
        from order_tui.services import operators, review

        zhao = operators.find_actor(db, "zhao")
        draft = next(q for q in worklist.worklist(db, zhao) if q.key == "drafts").items[0]
        review.submit(db, zhao, draft.order_no)
        await pilot.press("f5")
        await settle(pilot)
        assert app.screen is home
        assert "草稿待完成（0）" in worklist_rows(pilot)


async def test_f1_help_lists_keys_and_my_lifecycle_rows(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(pilot)
        assert "本屏按键" in text
        assert "F5" in text and "刷新" in text
        # The lifecycle rows follow the keys; scroll down to them by keys.
        for _ in range(3):
            await pilot.press("pagedown")
            await settle(pilot)
            text += screen_text(pilot)
        assert "批准" in text and "驳回" in text  # finance reviews
        assert "审核中" in text and "已退回" in text
        assert "提交审核" not in text  # a clerk's action, not finance's
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_help_on_the_detail_screen_and_close_with_f1(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        text = screen_text(pilot)
        assert "Esc / F3" in text and "返回" in text
        assert "F2" in text and "首页" in text
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailScreen)


async def test_english_everywhere(db: Database) -> None:
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "liu")
        text = screen_text(pilot)
        assert "My worklist" in text
        assert "Awaiting my verdict (2)" in text
        assert "To pick (2)" in text
        assert "HOLD" in text
        assert "Order no" in text and "Customer" in text and "Wanted" in text
        assert "5 orders · 2 on hold · 0 overdue" in text
        footer = lines(pilot)[-1]
        assert "Enter Open" in footer and "F1 Help" in footer and "^Q Quit" in footer
        order_no = first_order(db, "liu", "to_pick")
        await go_to(pilot, order_no)  # held: it heads its queue
        await pilot.press("enter")  # the warehouse's orders open where it picks
        await settle(pilot)
        text = screen_text(pilot)
        assert f"{order_no}  Approved" in text and "[ON HOLD] Delay" in text
        assert "F6 Start picking" in lines(pilot)[-1]
        await pilot.press("escape")
        app.open_order(order_no)  # what Ctrl+P does with an order number
        await settle(pilot)
        text = screen_text(pilot)
        assert "Status Approved [ON HOLD]" in text
        assert "You may: Attach · Start picking (on hold) · Hold" in text
        assert "Total ¥425.00  In words 肆佰贰拾伍元整" in text
        await pilot.press("f1")
        await settle(pilot)
        text = screen_text(pilot)
        assert "Keys on this screen" in text
        assert "Pick" in text and "Hold" in text  # the detail's keys for step 4
        await pilot.press("end")  # the lifecycle table is below the keys
        await settle(pilot)
        text = screen_text(pilot)
        assert "Order actions for my roles" in text and "Start picking" in text
        for zh in ("帮助", "返回", "状态", "操作"):
            assert zh not in text


async def test_ctrl_q_quits_from_the_detail(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def test_admin_without_queues_is_told_so(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "admin")
        assert "您的角色没有订单队列" in screen_text(pilot)


def test_flags_and_notes_in_words() -> None:
    """Overdue and held orders are marked in text (readable without colour); notes are
    translated: department codes, UTC due times to the business time zone."""
    from datetime import date

    from order_tui.screens.home import flag_text, note_text
    from order_tui.services.worklist import WorkItem

    def item(**kw: object) -> WorkItem:
        base: dict[str, object] = dict(
            queue="review", order_no="SO20260101001", order_day=date(2026, 1, 1),
            customer="北京华宇科技有限公司", total="1.00", status="in_review",
            wanted_date=date(2026, 1, 2), on_hold=False, overdue=False, actions=(), note="",
        )  # fmt: skip
        base.update(kw)
        return WorkItem(**base)  # type: ignore[arg-type]

    assert flag_text(item(overdue=True), "zh") == "逾期"
    assert flag_text(item(overdue=True), "en") == "LATE"
    assert flag_text(item(on_hold=True, overdue=True), "zh") == "挂逾"
    assert flag_text(item(), "zh") == ""
    review = item(note="finance/warehouse", departments=("finance", "warehouse"))
    assert note_text(review, "zh", "Asia/Shanghai") == "财务/仓库"
    held = item(
        queue="holds", on_hold=True, note="delay: 供应商延迟到货",
        hold_kind="delay", comment="供应商延迟到货",
    )  # fmt: skip
    assert note_text(held, "zh", "Asia/Shanghai") == "延期：供应商延迟到货"
    assert note_text(held, "en", "Asia/Shanghai") == "Delay: 供应商延迟到货"
    returned = item(queue="returned", rejected_by="finance", reason_code="credit", comment="")
    assert note_text(returned, "zh", "Asia/Shanghai") == "财务：信用额度不足"  # reason's label
    returned = item(queue="returned", rejected_by="finance", reason_code="credit", comment="请补款")
    assert note_text(returned, "en", "Asia/Shanghai") == "Finance: 请补款"  # the reviewer's text
    from datetime import UTC, datetime

    due = datetime(2026, 11, 27, 18, 56, tzinfo=UTC)
    fb = item(queue="feedback", note="due 2026-11-27T18:56+00:00", due_at=due)
    assert note_text(fb, "zh", "Asia/Shanghai") == "截止 11-28 02:56"
    assert note_text(fb, "en", "Asia/Shanghai") == "by 11-28 02:56"
    # a service without the structured fields: its plain note, as written
    assert note_text(item(queue="review", note="finance"), "en", "Asia/Shanghai") == "finance"


def test_cells_are_cut_by_terminal_width() -> None:
    from rich.cells import cell_len

    from order_tui.widgets.cells import fit
    from order_tui.widgets.grouped_table import Column, layout

    assert fit("华信精密电子（苏州）有限公司", 11) == "华信精密电…"
    assert fit("华信精密电子（苏州）有限公司", 10) == "华信精密… "  # no half character
    assert fit("425.00", 8, "right") == "  425.00"
    for width in range(1, 30):
        assert cell_len(fit("深圳市南山智联自动化有限公司 abc", width)) == width
    cols = [Column("标记", 4), Column("客户", 16, flex=3), Column("备注", 8, flex=2)]
    widths = layout(cols, 79)
    assert sum(widths) + 1 + 2 == 79  # lead + gaps
    assert widths[1] > widths[2] > 8


# -- keys typed ahead of the screen they open ---------------------------------------------------


async def test_keys_typed_ahead_reach_the_screen_a_key_opens(db: Database) -> None:
    """`b/精密` in one burst (one read over SSH): the archive opens and its customer search
    field holds 精密, with the focus, though the screen was not there when they were read."""
    from textual.widgets import Input

    from order_tui.screens.archive import ArchiveBrowser
    from tests.ui.test_order_entry import burst

    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "wu")
        burst(pilot, ["b", "slash", "精", "密"])
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ArchiveBrowser), screen_text(pilot)
        field = screen.query_one("#s-customer", Input)
        assert field.value == "精密", screen_text(pilot)
        assert screen.focused is field
        await pilot.press("escape", "escape")  # to the results, back home
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen), screen_text(pilot)
        burst(pilot, ["slash", *"SO20"])  # the worklist's filter, at once too
        await settle(pilot)
        home_filter = app.screen.query_one("#filter", Input)
        assert home_filter.value == "SO20" and app.screen.focused is home_filter


async def test_a_new_order_typed_ahead(db: Database) -> None:
    """`n` and a customer code at once: the code lands in the new order's customer field."""
    from textual.widgets import Input

    from order_tui.screens.order_entry import OrderEntryScreen
    from tests.ui.test_order_entry import burst

    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        burst(pilot, ["n", *"C0003"])
        await settle(pilot)
        assert isinstance(app.screen, OrderEntryScreen), screen_text(pilot)
        assert app.screen.query_one("#customer", Input).value == "C0003", screen_text(pilot)
