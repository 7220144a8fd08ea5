"""The workshop at 80x24, keys only: orders to plan, the plan edited by keys with the warning
when it misses the wanted date, saved, an operation reported done; the open plans list."""

from datetime import timedelta
from pathlib import Path

import pytest

from order_tui.app import OrderApp
from order_tui.domain.lifecycle import Status
from order_tui.screens.home import HomeScreen
from order_tui.screens.palette import ConfirmScreen
from order_tui.screens.production import (
    OperationDialog,
    ProductionListScreen,
    ProductionPlanScreen,
    parse_day,
)
from order_tui.services import Database, execution, operators, orders
from order_tui.services.demo import DemoCast, drive_to, new_order
from tests.reader import READER
from tests.ui.pilot import screen_text, settle

SIZE = (80, 24)
NAMES = ["wang", "zhao", "zhang", "chen", "liu", "sun", "zhou", "wu", "admin"]


@pytest.fixture
def cast(db: Database) -> DemoCast:
    return DemoCast({n: operators.find_actor(db, n) for n in NAMES})


def test_parse_day() -> None:
    from datetime import date

    today = date(2026, 11, 27)
    assert parse_day("2026-12-05", today) == date(2026, 12, 5)
    assert parse_day("12-05", today) == date(2026, 12, 5)
    assert parse_day("01-05", today) == date(2027, 1, 5)  # long past this year: next year
    assert parse_day("+7", today) == date(2026, 12, 4)
    assert parse_day("12/05", today) is None and parse_day("13-40", today) is None


async def test_plan_by_keys_warns_saves_and_reports(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    no = new_order(db, cast, "C0005", [("P0011", "1")], wanted_in_days=21)  # lead time 20
    drive_to(db, cast, no, Status.APPROVED, tmp_path)
    app = OrderApp(db, demo=True, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"sun", "enter", *"1234", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ProductionListScreen)
        text = screen_text(pilot)
        assert "待排产（2）" in text and no in text
        rows = text.splitlines()
        row = next(i for i, line in enumerate(rows) if no in line)
        await pilot.press(*["down"] * (row - 4), "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProductionPlanScreen)
        text = screen_text(pilot)
        assert "未保存的排产建议：按产品周期 20 天排定" in text
        assert "各行完工均不晚于要求交期" in text
        # the last operation ends a week later: the warning shows before anything is saved
        await pilot.press("down", "down", "down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, OperationDialog)
        await pilot.press("enter", *"钱工", "enter", "enter", *"+28", "enter")
        await settle(pilot)
        assert app.screen is screen
        text = screen_text(pilot)
        assert "！第 1 行 定制液压站 预计" in text and "晚于要求交期" in text
        assert "已修改，未保存" in text and "钱工" in text
        # an operation added after it, then removed again
        await pilot.press("insert")
        await settle(pilot)
        await pilot.press(*"包装", "enter", "enter", "enter", "enter")
        await settle(pilot)
        assert "包装" in screen_text(pilot)
        await pilot.press("delete")
        await settle(pilot)
        assert "包装" not in screen_text(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = screen_text(pilot)
        assert "生产中" in text and "已排产，工序完工按 d" in text
        await pilot.press("up", "up", "up", "d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert "完工 " in screen_text(pilot)
    view = execution.production_view(db, READER, no)
    ops = view.lines[0].operations
    assert view.status == "in_production" and len(ops) == 4
    assert ops[0].done_at is not None and ops[3].owner == "钱工"
    assert view.lines[0].due_date == orders.get_order(db, READER, no).order_day + timedelta(days=28)


async def test_open_plans_in_english(db: Database, cast: DemoCast, tmp_path: Path) -> None:
    no = new_order(db, cast, "C0005", [("P0006", "1")], wanted_in_days=10)
    drive_to(db, cast, no, Status.APPROVED, tmp_path)
    execution.plan_production(db, cast["sun"], no)
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"sun", "enter", *"1234", "enter")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        text = screen_text(pilot)
        assert "To plan (1)" in text and "Open plans (by due date)" in text
        line = next(line for line in text.splitlines() if no in line)
        assert "P0006 定制机柜 -> 下料" in line and "0/4" in line and "LATE" in line
