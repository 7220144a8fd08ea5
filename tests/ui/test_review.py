"""The review screen, driven by keys only: findings with evidence (mine and theirs), `?`,
approve / reject / hold, the clerk's rework loop and two reviewers racing."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from textual.pilot import Pilot

from order_tui.app import OrderApp
from order_tui.screens.inbox import InboxScreen
from order_tui.screens.review import (
    ExplainDialog,
    FindingList,
    ReviewScreen,
    VerdictDialog,
    change_lines,
)
from order_tui.services import Database, inbox, operators, orders, review
from order_tui.services.common import today
from order_tui.services.demo import DemoCast, build_demo
from order_tui.store.engine import open_database
from order_tui.store.migrate import ensure_schema
from tests.reader import READER
from tests.ui.pilot import logged_in, screen_text, settle

SIZE = (80, 24)
NAMES = ["wang", "zhao", "zhang", "chen", "liu", "sun", "zhou", "wu", "admin"]


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("review-demo")
    db = open_database(f"sqlite:///{folder}/orders.db", folder)
    ensure_schema(db)
    build_demo(db)
    db.dispose()
    return folder / "orders.db"


@pytest.fixture
def cast(db: Database) -> DemoCast:
    return DemoCast({n: operators.find_actor(db, n) for n in NAMES})


def submitted(
    db: Database,
    cast: DemoCast,
    customer: str,
    lines: list[tuple[str, str, str | None]],
    *,
    days: int = 30,
    terms: str | None = None,
) -> str:
    """A new order (code, qty, price or None for the list price), submitted for review."""
    data = orders.OrderInput(
        customer_code=customer,
        lines=[orders.LineInput(c, Decimal(q), Decimal(p) if p else None) for c, q, p in lines],
        freight=Decimal("200.00"),
        wanted_date=today(db) + timedelta(days=days),
        payment_terms=terms,
    )
    order_no = orders.create_order(db, cast["zhao"], data).order_no
    review.submit(db, cast["zhao"], order_no)
    return order_no


def checks(pilot: Pilot[None]) -> list[str]:
    """The findings pane's entries, unwrapped."""
    pane = pilot.app.screen.query_one(FindingList)
    return [
        pane.get_option_at_index(i).prompt.plain  # type: ignore[union-attr]
        for i in range(pane.option_count)
    ]


async def open_inbox(pilot: Pilot[None]) -> InboxScreen:
    """What the home screen's inbox key does."""
    app = pilot.app
    screen = InboxScreen(app.db, app.lang, app.actor)  # type: ignore[attr-defined]
    app.push_screen(screen)
    await settle(pilot)
    return screen


async def review_of(pilot: Pilot[None], order_no: str) -> ReviewScreen:
    """From the inbox: the cursor to the order's row, Enter."""
    screen = await open_inbox(pilot)
    for _ in range(len(screen.rows)):
        row = screen.highlighted_row()
        if row is not None and row.order_no == order_no:
            break
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)
    review_screen = pilot.app.screen
    assert isinstance(review_screen, ReviewScreen), screen_text(pilot)
    assert review_screen.order_no == order_no
    return review_screen


# -- what the reviewer sees -----------------------------------------------------------------


async def test_finance_sees_its_findings_with_evidence_and_the_others_marked(
    db: Database, cast: DemoCast
) -> None:
    order_no = submitted(db, cast, "C0006", [("P0001", "2", "5800"), ("P0002", "60", None)])
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")
        await review_of(pilot, order_no)
        text = screen_text(pilot)
        assert f"审核 {order_no} · 财务" in text
        assert "第 1 轮：销售 待审 · 财务 待审（您） · 仓库 待审" in text
        assert "付款 月结60天 · 增值税专用发票 · 交期" in text  # the order, terms first
        entries = checks(pilot)
        assert entries[0] == "财务的检查（2）"
        assert entries[1] == (
            "[严重] 低于最低价  第 1 行 P0001 工业控制器：单价 5,800.00 < 最低价 6,200.00"
            "（最高价 7,500.00）"
        )
        assert entries[2] == "[严重] 开票资料  专用发票缺：地址电话"
        assert entries[3] == "通过：付款条件"
        assert entries[4] == "其他部门的检查（2，由各部门自行审核）"
        assert entries[5].startswith("[销售的] [严重] 低于最低价")
        assert entries[6] == (
            "[仓库的] [严重] 库存不足  第 2 行 伺服电机：订 60，可用 0，缺 60\n"
            "    在途 50，预计 2026-12-15 到货"
        )
        footer = text.splitlines()[-1]
        for key in ("a 批准", "r 驳回", "h 挂起", "? 说明", "F1 帮助", "Esc 返回"):
            assert key in footer
        # `?` on a finding: the rule, who judges it.
        await pilot.press("down", "question_mark")
        await settle(pilot)
        assert isinstance(app.screen, ExplainDialog)
        text = screen_text(pilot)
        assert "规则说明：开票资料" in text
        assert "开增值税专用发票须有完整的开票资料" in text
        assert "负责审核：财务" in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)


async def test_sales_sees_the_credit_exposure_and_its_open_orders(
    db: Database, cast: DemoCast
) -> None:
    order_no = submitted(db, cast, "C0004", [("P0001", "10", None)], days=1)
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhang")
        await review_of(pilot, order_no)
        entries = checks(pilot)
        assert entries[0] == "Sales checks (2)"
        credit = entries[1].splitlines()
        assert credit[0] == (
            "[BLOCK] Credit limit  exposure 68,625.00 / limit 50,000.00 (over by 18,625.00)"
        )
        assert credit[1] == "    this order 68,200.00 + 1 open order(s):"
        assert credit[2].split() == [_open_order(db, order_no), "425.00"]
        assert entries[2] == (
            "[BLOCK] Date too early  wanted "
            f"{today(db) + timedelta(days=1)}, earliest possible {today(db) + timedelta(days=2)}"
        )
        assert entries[3] == "Passed: prices"


def _open_order(db: Database, order_no: str) -> str:
    """The open order behind the credit exposure, as the service reports it."""
    [credit] = [f for f in review.findings(db, READER, order_no) if f.code == "credit"]
    return credit.evidence["open_orders"].split()[0]


async def test_wide_terminal_puts_the_findings_beside_the_order(
    db: Database, cast: DemoCast
) -> None:
    order_no = inbox.page(db, cast["chen"])[0].order_no
    app = OrderApp(db, demo=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await logged_in(pilot, "chen")
        screen = await review_of(pilot, order_no)
        assert screen.has_class("-wide")
        order_pane = screen.query_one("#order-pane").region
        checks_pane = screen.query_one("#checks").region
        assert order_pane.x < checks_pane.x and order_pane.y == checks_pane.y
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert not screen.has_class("-wide")
        assert screen.query_one("#order-pane").region.y < screen.query_one("#checks").region.y


# -- verdicts ---------------------------------------------------------------------------------


async def test_approve_with_a_comment_goes_back_to_the_refreshed_inbox(
    db: Database, cast: DemoCast
) -> None:
    first, second = [r.order_no for r in inbox.page(db, cast["chen"])]
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")
        await review_of(pilot, first)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, VerdictDialog)
        assert f"批准 {first}" in screen_text(pilot)
        await pilot.press(*"同意 按合同执行", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        assert [r.order_no for r in screen.rows] == [second]
        assert "待审：[财务 1]" in screen_text(pilot)
    [verdict] = [
        v for v in orders.get_order(db, READER, first).verdicts if v["department"] == "finance"
    ]
    assert (verdict["verdict"], verdict["comment"]) == ("approve", "同意 按合同执行")


async def test_reject_with_a_reason_from_the_list_and_a_text(db: Database, cast: DemoCast) -> None:
    order_no = submitted(db, cast, "C0006", [("P0001", "2", None)])  # invoice data missing
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")
        await review_of(pilot, order_no)
        await pilot.press("r")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, VerdictDialog) and dialog.kind == "reject"
        text = screen_text(pilot)
        assert f"驳回 {order_no}" in text and "成都蜀锦新材料有限公司" in text
        # The finding under the cursor suggests its reason; Up/Down choose another.
        reasons = dialog.query_one("#dlg-reasons")
        assert reasons.highlighted == 3  # type: ignore[attr-defined]  # 4. 开票信息不全或不符
        await pilot.press("up", "down", "enter")
        await pilot.press("enter")  # no text: refused, the dialog stays
        await settle(pilot)
        assert "! 请填写说明" in screen_text(pilot)
        await pilot.press(*"缺开票地址电话 请补充", "enter")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert order_no not in [r.order_no for r in app.screen.rows]
    detail = orders.get_order(db, READER, order_no)
    assert detail.status == "returned"
    [verdict] = [v for v in detail.verdicts if v["department"] == "finance"]
    assert (verdict["verdict"], verdict["reason"], verdict["comment"]) == (
        "reject",
        "invoice",
        "缺开票地址电话 请补充",
    )


async def test_hold_keeps_the_order_and_approval_then_says_why_not(
    db: Database, cast: DemoCast
) -> None:
    order_no = inbox.page(db, cast["chen"])[0].order_no
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")
        screen = await review_of(pilot, order_no)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, VerdictDialog) and app.screen.kind == "hold"
        await pilot.press("5", "enter", *"客户付款逾期", "enter")  # 5. 信用/付款
        await settle(pilot)
        assert app.screen is screen
        assert "【挂起】" in screen_text(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert app.screen is screen
        assert "订单挂起中，不能批准" in screen_text(pilot)
    detail = orders.get_order(db, READER, order_no)
    assert detail.on_hold and detail.holds[0]["kind"] == "credit"
    assert not [v for v in detail.verdicts if v["department"] == "finance"]


async def test_two_reviewers_racing_get_one_verdict_and_a_clear_message(
    db: Database, cast: DemoCast
) -> None:
    order_no = inbox.page(db, cast["chen"])[0].order_no
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")
        screen = await review_of(pilot, order_no)
        # chen's other terminal approves first, behind this screen's back
        review.approve(db, cast["chen"], order_no, comment="另一终端")
        await pilot.press("a", "enter")
        await settle(pilot)
        assert app.screen is screen  # stays, reloaded
        text = screen_text(pilot)
        assert "chen 于" in text and "先处理了此单：财务 批准。" in text
        assert "已重新载入，您的意见未记录" in text
        assert "财务 批准（您）" in text  # the head shows the verdict that counts
        assert app.screen.check_action("approve", ()) is None  # greyed: finance has decided
        await pilot.press("a")
        await settle(pilot)
        assert app.screen is screen  # no dialog: nothing to decide
    verdicts = [
        v for v in orders.get_order(db, READER, order_no).verdicts if v["department"] == "finance"
    ]
    assert len(verdicts) == 1 and verdicts[0]["comment"] == "另一终端"


async def test_another_department_acting_first_is_a_conflict_too(
    db: Database, cast: DemoCast
) -> None:
    """Sales rejected the order while finance looked at it: finance is told, nothing is
    recorded, and the reloaded head shows sales' verdict."""
    order_no = inbox.page(db, cast["chen"])[0].order_no
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")
        screen = await review_of(pilot, order_no)
        review.reject(db, cast["zhang"], order_no, "price", "价格需重新报")
        await pilot.press("a", "enter")
        await settle(pilot)
        assert app.screen is screen
        text = screen_text(pilot)
        assert "Someone acted first: Sales rejected, Returned. Reloaded; your verdict" in text
        assert "Round 1: Sales rejected" in text
        assert screen.detail is not None and screen.detail.status == "returned"
        assert screen.check_action("approve", ()) is False
    assert not [
        v for v in orders.get_order(db, READER, order_no).verdicts if v["department"] == "finance"
    ]


# -- the rework loop ---------------------------------------------------------------------------


async def test_the_clerks_rework_loop_shows_what_changed(db: Database, cast: DemoCast) -> None:
    order_no = submitted(db, cast, "C0003", [("P0001", "1", None), ("P0008", "20", None)])
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")
        await review_of(pilot, order_no)
        await pilot.press("r", "4", "enter", *"开票地址电话不全", "enter")
        await settle(pilot)
        inbox_screen = app.screen
        assert isinstance(inbox_screen, InboxScreen)
        assert order_no not in [r.order_no for r in inbox_screen.rows]
        # The clerk reworks the order and resubmits it (services, another terminal).
        detail = orders.get_order(db, READER, order_no)
        assert detail.status == "returned"
        data = orders.OrderInput(
            customer_code="C0003",
            lines=[
                orders.LineInput("P0001", Decimal("2")),
                orders.LineInput("P0009", Decimal("30")),
            ],
            freight=Decimal("300.00"),
            wanted_date=detail.wanted_date,
            remarks="已与客户确认开票信息",
        )
        orders.edit_order(db, cast["zhao"], order_no, data, detail.version)
        review.resubmit(db, cast["zhao"], order_no)
        await pilot.press("f5")
        await settle(pilot)
        row = next(r for r in inbox_screen.rows if r.order_no == order_no)
        assert row.round_no == 2
        await pilot.press("escape")  # back to home, then to the order again from the inbox
        await settle(pilot)
        await review_of(pilot, order_no)
        text = screen_text(pilot)
        assert "第 2 轮：销售 待审 · 财务 待审（您） · 仓库 待审" in text
        entries = checks(pilot)
        assert entries[:9] == [
            "自第 1 轮以来的修改（8）",
            "第 1 轮 财务 驳回：开票信息不全或不符：开票地址电话不全",
            "运费：200.00 → 300.00",
            "备注：（空） → 已与客户确认开票信息",
            "合计：7,256.00 → 15,250.00",
            "第 1 行 P0001 工业控制器：数量 1 → 2；价税合计 6,800.00 → 13,600.00",
            "第 2 行 P0009 接近开关：产品 P0008 → P0009；品名 控制电缆 → 接近开关；"
            "规格 KVVP-10x1.5 → NPN-M12-4mm；数量 20 → 30；单位 米 → 件；"
            "单价 12.80 → 45.00；价税合计 256.00 → 1,350.00",
            "货款：7,056.00 → 14,950.00",
            "不含税：6,244.25 → 13,230.09",
        ]
        await pilot.press("question_mark")
        await settle(pilot)
        assert "重新提交的订单开启新一轮审核" in screen_text(pilot)


def test_changes_in_english_and_added_and_removed_lines() -> None:
    changes = {
        "payment_terms": ["net30", "prepaid"],
        "wanted_date": ["2026-12-27", "2026-12-31"],
        "total_words": ["壹元整", "贰元整"],
        "lines": {
            "2": ["removed", {"product_code": "P0008", "name": "控制电缆", "qty": "20.0000",
                              "unit": "米", "unit_price": "12.800000", "gross": "256.00"}],
            "3": ["added", {"product_code": "P0009", "name": "接近开关", "qty": "5",
                            "unit": "件", "unit_price": "45", "gross": "225.00"}],
        },
    }  # fmt: skip
    assert change_lines(changes, "en") == [
        "Payment terms: Net 30 days → Prepayment",
        "Wanted by: 2026-12-27 → 2026-12-31",
        "line 2 removed: P0008 控制电缆 20 米 × 12.80 = 256.00",
        "line 3 added: P0009 接近开关 5 件 × 45.00 = 225.00",
    ]


def test_service_refusals_in_the_operators_language() -> None:
    import order_tui.services.review  # noqa: F401  (registers the review codes)
    from order_tui.domain import lifecycle
    from order_tui.domain.errors import Conflict, GuardFailed, InvalidTransition
    from order_tui.domain.lifecycle import Action, OrderFacts, Status
    from order_tui.domain.roles import DEPARTMENT_LABELS, Department, Role
    from order_tui.screens.i18n import error_text

    decided = Conflict(
        changed_by="chen",
        changed_at="2026-11-28T02:56:00+00:00",
        code="review.decided",
        dept=DEPARTMENT_LABELS[Department.FINANCE],
        verdict=("批准", "approved"),
        round=2,
        who="chen",
    )
    assert error_text(decided, "zh") == "财务已在第 2 轮给出意见（批准），最后由 chen 处理"
    assert error_text(decided, "en") == (
        "Finance already gave its verdict (approved) in round 2; last change by chen"
    )
    with pytest.raises(GuardFailed) as held:
        lifecycle.authorize(
            Status.IN_REVIEW, Action.APPROVE, {Role.FINANCE}, OrderFacts(on_hold=True)
        )
    assert error_text(held.value, "zh") == "订单挂起中，不能批准"
    assert error_text(held.value, "en") == "Cannot approve: the order is on hold"
    with pytest.raises(InvalidTransition) as moved:
        lifecycle.authorize(Status.APPROVED, Action.REJECT, {Role.FINANCE})
    assert error_text(moved.value, "zh") == "已批准的订单不能驳回"
    assert error_text(moved.value, "en") == "Cannot reject an order that is approved"
