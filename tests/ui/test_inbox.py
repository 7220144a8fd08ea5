"""The approval inbox, driven by keys only at 80x24: option codes in a batch, paging by key,
filter, sort, departments, and what the supervisor reads in zh and en.

Most tests open the inbox with `push_screen`, as the home screen's `v` does; the tests of
each department clearing its queue press `v` itself.
"""

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from textual.pilot import Pilot

from order_tui.app import OrderApp
from order_tui.screens.home import HomeScreen
from order_tui.screens.inbox import BatchResultDialog, InboxScreen, age_text, parse_filter
from order_tui.screens.review import ReviewScreen, VerdictDialog
from order_tui.services import Database, inbox, operators, orders, review
from order_tui.services.demo import DemoCast, build_demo, new_order
from order_tui.store.engine import open_database
from order_tui.store.migrate import ensure_schema
from tests.reader import READER
from tests.ui.pilot import logged_in, screen_text, settle

SIZE = (80, 24)
NAMES = ["wang", "zhao", "zhang", "chen", "liu", "sun", "zhou", "wu", "admin"]


def _open(path: Path) -> Database:
    return open_database(f"sqlite:///{path}", path.parent)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, built once per module and copied for each test."""
    folder = tmp_path_factory.mktemp("inbox-demo")
    db = _open(folder / "orders.db")
    ensure_schema(db)
    build_demo(db)
    db.dispose()
    return folder / "orders.db"


PAGING_EXTRA = 118  # with the demo's 2: 120 orders wait for finance


@pytest.fixture(scope="module")
def paging_template(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo plus 118 more orders in review, submitted through the services."""
    folder = tmp_path_factory.mktemp("inbox-paging")
    shutil.copy(demo_template, folder / "orders.db")
    db = _open(folder / "orders.db")
    cast = DemoCast({n: operators.find_actor(db, n) for n in NAMES})
    customers = ["C0001", "C0002", "C0008", "C0010"]
    for n in range(PAGING_EXTRA):
        order_no = new_order(db, cast, customers[n % 4], [("P0005", str(1 + n % 7))])
        review.submit(db, cast["zhao"], order_no)
    db.dispose()
    return folder / "orders.db"


def _copy(template: Path, tmp_path: Path) -> Database:
    shutil.copy(template, tmp_path / "orders.db")
    return _open(tmp_path / "orders.db")


@pytest.fixture
def db(demo_template: Path, tmp_path: Path) -> Iterator[Database]:
    database = _copy(demo_template, tmp_path)
    yield database
    database.dispose()


@pytest.fixture
def cast(db: Database) -> DemoCast:
    return DemoCast({n: operators.find_actor(db, n) for n in NAMES})


async def open_inbox(pilot: Pilot[None]) -> InboxScreen:
    """What the home screen's inbox key does."""
    app = pilot.app
    screen = InboxScreen(app.db, app.lang, app.actor)  # type: ignore[attr-defined]
    app.push_screen(screen)
    await settle(pilot)
    assert app.screen is screen
    return screen


def results(pilot: Pilot[None]) -> list[str]:
    """The lines of the batch result dialog, unwrapped."""
    dialog = pilot.app.screen
    assert isinstance(dialog, BatchResultDialog), screen_text(pilot)
    return [line.plain for line in dialog.lines]


def row_lines(screen: InboxScreen) -> list[str]:
    options = screen.options
    return [
        options.get_option_at_index(i).prompt.plain  # type: ignore[union-attr]
        for i in range(options.option_count)
    ]


def finance_verdicts(db: Database, order_no: str) -> list[dict[str, object]]:
    detail = orders.get_order(db, READER, order_no)
    return [
        v
        for v in detail.verdicts
        if v["department"] == "finance" and v["round"] == detail.review_round
    ]


def pending_for(db: Database, username: str) -> list[str]:
    return [r.order_no for r in inbox.page(db, operators.find_actor(db, username))]


# -- the list -------------------------------------------------------------------------------


async def test_finance_sees_its_queue_oldest_first_with_counts(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")
        screen = await open_inbox(pilot)
        text = screen_text(pilot)
        assert "审批收件箱 | 陈会计 (chen) · 财务" in text
        assert "待审：[财务 2]" in text
        assert "排序：最久在前" in text
        assert "选项：1=批准 4=驳回 5=显示 9=挂起" in text
        header = text.splitlines()[3]
        for title in ("选", "订单号", "客户", "金额", "交期", "轮", "已等", "标记"):
            assert title in header
        rows = row_lines(screen)
        assert len(rows) == 2
        expected = pending_for(db, "chen")
        assert [re.search(r"SO\d+", r)[0] for r in rows] == expected  # type: ignore[index]
        assert "上海浦江精密机械有" in rows[0] and "2,055.00" in rows[0]
        assert "产能" in rows[1]  # the made-to-order line: a word, not a colour
        assert "已显示 2 单" in text
        footer = text.splitlines()[-1]
        for key in ("Enter 审核", "/ 筛选", "s 排序", "F1 帮助", "F5 刷新", "Esc 返回"):
            assert key in footer
        assert "^Q" not in footer and "F2" not in footer  # 5-7 keys, not all of them


async def test_english_and_nothing_to_do(db: Database, cast: DemoCast) -> None:
    for order_no in pending_for(db, "liu"):
        review.approve(db, cast["liu"], order_no)
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "liu")
        await open_inbox(pilot)
        text = screen_text(pilot)
        assert "Waiting: [Warehouse 0]" in text
        assert "Nothing waits for Warehouse's verdict." in text
        assert "Options: 1=Approve 4=Reject 5=Display 9=Hold" in text


async def test_a_clerk_has_no_queue(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        await open_inbox(pilot)
        assert "您的角色不参与订单审核" in screen_text(pilot)


# -- option codes -----------------------------------------------------------------------------


async def test_finance_clears_its_inbox_with_option_codes(db: Database) -> None:
    first, second = pending_for(db, "chen")
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")
        screen = await open_inbox(pilot)
        await pilot.press("1", "1")  # the cursor moves down after each code
        await settle(pilot)
        rows = row_lines(screen)
        assert rows[0].startswith(" 1 ") and rows[1].startswith(" 1 ")
        text = screen_text(pilot)
        assert "已输入选项 2 项，Enter 执行" in text
        assert "Enter 执行选项" in text.splitlines()[-1]
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(pilot)
        assert "执行结果：成功 2 · 失败 0" in text
        assert results(pilot) == [
            f"成功  {first} 财务  批准，订单仍待其他部门审核",
            f"成功  {second} 财务  批准，订单仍待其他部门审核",
        ]
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        text = screen_text(pilot)
        assert "没有等待财务审核的订单。" in text
        assert "待审：[财务 0]" in text
        assert "上次执行：成功 2 · 失败 0" in text
    for order_no in (first, second):
        [verdict] = finance_verdicts(db, order_no)
        assert verdict["verdict"] == "approve"
        assert (
            orders.get_order(db, READER, order_no).status == "in_review"
        )  # the others still decide


@pytest.mark.parametrize(
    ("username", "dept", "code"),
    [("zhang", "销售", "sales"), ("liu", "仓库", "warehouse"), ("sun", "生产", "production")],
)
async def test_each_department_clears_its_inbox_from_home(
    db: Database, username: str, dept: str, code: str
) -> None:
    """Sales, warehouse and production each clear their morning queue: `v` from home, one
    `1` per row, Enter; every verdict goes through the services and is reported."""
    waiting = pending_for(db, username)
    assert waiting, "the demo leaves orders for every department"
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, username)
        await pilot.press("v")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, InboxScreen), screen_text(pilot)
        assert f"待审：[{dept} {len(waiting)}]" in screen_text(pilot)
        await pilot.press(*["1"] * len(waiting), "enter")
        await settle(pilot)
        lines = results(pilot)
        assert [line.split()[:2] for line in lines] == [["成功", no] for no in waiting]
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(pilot)
        assert f"没有等待{dept}审核的订单。" in text
        assert f"待审：[{dept} 0]" in text
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    assert pending_for(db, username) == []
    for order_no in waiting:
        detail = orders.get_order(db, READER, order_no)
        mine = [
            v
            for v in detail.verdicts
            if v["round"] == detail.review_round and v["department"] == code
        ]
        assert [v["verdict"] for v in mine] == ["approve"], (order_no, detail.verdicts)


async def test_the_last_department_approves_the_order(db: Database, cast: DemoCast) -> None:
    order_no = pending_for(db, "chen")[0]  # sales, finance, warehouse review it
    review.approve(db, cast["zhang"], order_no)
    review.approve(db, cast["chen"], order_no)
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "liu")
        await open_inbox(pilot)
        await pilot.press("1", "enter")
        await settle(pilot)
        assert results(pilot) == [f"OK  {order_no} Warehouse  approved: every department agreed"]
    assert orders.get_order(db, READER, order_no).status == "approved"


async def test_reject_and_hold_ask_per_order_and_report_each(db: Database) -> None:
    first, second = pending_for(db, "chen")
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")
        await open_inbox(pilot)
        await pilot.press("4", "9", "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, VerdictDialog) and dialog.kind == "reject"
        text = screen_text(pilot)
        assert f"驳回 {first}" in text and "需填原因 第 1/2 单" in text
        assert "4. 开票信息不全或不符" in text
        await pilot.press("4", "enter")  # reason 4 from the list, then the text
        await pilot.press(*"开票地址电话缺失", "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, VerdictDialog) and dialog.kind == "hold"
        assert f"挂起 {second}" in screen_text(pilot)
        await pilot.press("enter")  # the first kind is highlighted: straight to the text
        await pilot.press("enter")  # no text: refused in the dialog
        await settle(pilot)
        assert "! 请填写说明" in screen_text(pilot)
        await pilot.press(*"客户要求暂缓", "enter")
        await settle(pilot)
        text = screen_text(pilot)
        assert "执行结果：成功 2 · 失败 0" in text
        assert results(pilot) == [
            f"成功  {first} 财务  驳回，已退回内勤修改",
            f"成功  {second} 财务  已挂起（质量问题）",
        ]
        await pilot.press("escape")
        await settle(pilot)
        rows = row_lines(inbox_of(app))
        assert len(rows) == 1 and second in rows[0] and "挂起" in rows[0]
    rejected = orders.get_order(db, READER, first)
    assert rejected.status == "returned"
    [verdict] = [v for v in rejected.verdicts if v["department"] == "finance"]
    assert (verdict["reason"], verdict["comment"]) == ("invoice", "开票地址电话缺失")
    held = orders.get_order(db, READER, second)
    assert held.on_hold and held.holds[0]["description"] == "客户要求暂缓"


def inbox_of(app: OrderApp) -> InboxScreen:
    assert isinstance(app.screen, InboxScreen)
    return app.screen


async def test_the_second_reject_is_prefilled_and_esc_cancels_everything(db: Database) -> None:
    first, second = pending_for(db, "chen")
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")
        screen = await open_inbox(pilot)
        await pilot.press("4", "4", "enter", "3", "enter", *"Net 90 is not allowed", "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, VerdictDialog) and dialog.order_no == second
        text = screen_text(pilot)
        assert "reason 2 of 2" in text
        assert "Net 90 is not allowed" in text  # the previous order's text, to confirm or edit
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        text = screen_text(pilot)
        assert "Cancelled: none of the options ran (they are still typed)" in text
        assert len(screen.pending()) == 2
    assert finance_verdicts(db, first) == [] and finance_verdicts(db, second) == []


async def test_space_clears_a_code_and_bad_codes_are_refused(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")
        screen = await open_inbox(pilot)
        await pilot.press("1", "up", "space")
        await settle(pilot)
        assert screen.pending() == []
        await pilot.press("7")
        await settle(pilot)
        assert "选项 7 无效：1=批准 4=驳回 5=显示 9=挂起" in screen_text(pilot)
        assert screen.pending() == []
        # Enter with no codes opens the review screen of the row.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)


async def test_option_5_displays_each_marked_order_in_turn(db: Database) -> None:
    first, second = pending_for(db, "chen")
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")
        screen = await open_inbox(pilot)
        await pilot.press("5", "5", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen) and app.screen.order_no == first
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen) and app.screen.order_no == second
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert screen.pending() == []


async def test_a_batch_reports_what_another_reviewer_did_first(
    db: Database, cast: DemoCast
) -> None:
    first, second = pending_for(db, "chen")
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")
        await open_inbox(pilot)
        await pilot.press("1", "1")
        await settle(pilot)
        review.approve(db, cast["chen"], first)  # chen's other session, meanwhile
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(pilot)
        assert "Results: 1 done · 1 failed" in text
        assert results(pilot) == [
            f"FAILED  {first} Finance  approve: Finance already gave its verdict (approved) "
            "in round 1; last change by chen",
            f"OK  {second} Finance  approved; other departments still to decide",
        ]
    assert len(finance_verdicts(db, first)) == 1  # nothing counted twice
    assert len(finance_verdicts(db, second)) == 1


# -- paging, filter, sort, departments ---------------------------------------------------------


async def test_moving_down_loads_the_next_page(paging_template: Path, tmp_path: Path) -> None:
    database = _copy(paging_template, tmp_path)
    try:
        app = OrderApp(database, demo=True)
        async with app.run_test(size=SIZE) as pilot:
            await logged_in(pilot, "chen")
            screen = await open_inbox(pilot)
            assert len(screen.rows) == 50
            assert "已显示 50 单，向下自动加载更多" in screen_text(pilot)
            assert "待审：[财务 120]" in screen_text(pilot)
            for _ in range(40):
                await pilot.press("down")
            await settle(pilot)
            assert len(screen.rows) == 100  # fetched before the cursor reached row 50
            assert screen.options.highlighted == 40
            await pilot.press("end")
            await settle(pilot)
            await pilot.press("end")
            await settle(pilot)
            assert len(screen.rows) == 120
            assert "已显示 120 单" in screen_text(pilot)
            numbers = [r.order_no for r in screen.rows]
            assert len(set(numbers)) == 120  # keyset pages: no row twice, none skipped
            stamps = [r.submitted_at for r in screen.rows]
            assert stamps == sorted(stamps)  # oldest first
    finally:
        database.dispose()


async def test_filter_by_initials_and_amount(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")
        screen = await open_inbox(pilot)
        await pilot.press("slash", *"hzxh", "enter")  # 杭州西湖环保设备有限公司
        await settle(pilot)
        rows = row_lines(screen)
        assert len(rows) == 1 and "杭州西湖" in rows[0]
        assert "筛选“hzxh”：已显示 1 单" in screen_text(pilot)
        await pilot.press("slash", "ctrl+u", *"1000-5000", "enter")
        await settle(pilot)
        rows = row_lines(screen)
        assert len(rows) == 1 and "2,055.00" in rows[0]
        await pilot.press("slash", "ctrl+u", *"不存在的客户", "enter")
        await settle(pilot)
        assert "没有符合筛选条件的订单。" in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert len(screen.rows) == 2


async def test_sort_by_amount_and_customer(db: Database) -> None:
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")
        screen = await open_inbox(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert "Sort: largest first" in screen_text(pilot)
        totals = [r.total for r in screen.rows]
        assert totals == sorted(totals, reverse=True)
        await pilot.press("S")
        await settle(pilot)
        assert "Sort: smallest first" in screen_text(pilot)
        assert [r.total for r in screen.rows] == sorted(totals)
        await pilot.press("s")
        await settle(pilot)
        assert "Sort: customer A→Z" in screen_text(pilot)


async def test_an_operator_of_two_departments_sees_all_or_one(db: Database, cast: DemoCast) -> None:
    operators.add_operator(db, cast["admin"], "gao", "高主管", "finance;warehouse", "1234")
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "gao")
        screen = await open_inbox(pilot)
        text = screen_text(pilot)
        assert "待审：[全部 4] · 财务 2 · 仓库 2  (d 切换)" in text
        assert "部门" in text.splitlines()[3]
        assert len(screen.rows) == 4
        await pilot.press("d")
        await settle(pilot)
        assert "待审：全部 4 · [财务 2] · 仓库 2" in screen_text(pilot)
        assert {r.department for r in screen.rows} == {"finance"}
        # Approve one row in the finance queue: the counts follow.
        await pilot.press("1", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "待审：全部 3 · [财务 1] · 仓库 2" in screen_text(pilot)


# -- small pieces -------------------------------------------------------------------------------


def test_filter_words_and_ranges() -> None:
    assert parse_filter("华宇 1000-5000") == ("华宇", Decimal(1000), Decimal(5000))
    assert parse_filter("5000-") == ("", Decimal(5000), None)
    assert parse_filter("-800") == ("", None, Decimal(800))
    assert parse_filter(">=1,000 bjhy") == ("bjhy", Decimal(1000), None)
    assert parse_filter("9000-100") == ("", Decimal(100), Decimal(9000))
    assert parse_filter("SO2026") == ("SO2026", None, None)


def test_age_in_words() -> None:
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert age_text(datetime(2026, 11, 27, 11, 30, tzinfo=UTC), now, "zh") == "<1小时"
    assert age_text(datetime(2026, 11, 26, 12, 0, tzinfo=UTC), now, "zh") == "24小时"
    assert age_text(datetime(2026, 11, 20, 12, 0, tzinfo=UTC), now, "en") == "7d"
