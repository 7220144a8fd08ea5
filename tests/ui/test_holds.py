"""Holds at 80x24, keys only: raised from the order detail (`h`), on top of the clerk's
worklist at once, resolved with a solution and released from the holds list or the detail."""

from pathlib import Path

import pytest

from order_tui.app import OrderApp
from order_tui.domain.lifecycle import Status
from order_tui.screens.holds import HoldDialog, HoldsScreen, ReleaseDialog
from order_tui.screens.order_detail import OrderDetailScreen
from order_tui.services import Database, execution, operators, orders
from order_tui.services.demo import DemoCast, drive_to, new_order
from tests.reader import READER
from tests.ui.pilot import logged_in, screen_text, settle

SIZE = (80, 24)
NAMES = ["wang", "zhao", "zhang", "chen", "liu", "sun", "zhou", "wu", "admin"]


@pytest.fixture
def cast(db: Database) -> DemoCast:
    return DemoCast({n: operators.find_actor(db, n) for n in NAMES})


async def test_raise_from_the_detail_and_release_from_the_holds_list(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    no = new_order(db, cast, "C0009", [("P0005", "4")])
    drive_to(db, cast, no, Status.APPROVED, tmp_path)
    app = OrderApp(db, demo=True, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        app.open_order(no)  # what Ctrl+P does with an order number
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailScreen)
        assert "h 挂起" in screen_text(pilot).splitlines()[-1]
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HoldDialog)
        await pilot.press("2", "enter", "enter")  # a delay; no text yet
        await pilot.press("enter")
        await settle(pilot)
        assert "! 请说明问题" in screen_text(pilot)
        assert app.focused is not None and app.focused.id == "hold-text"
        await pilot.press(*"供应商延迟到货两周", "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailScreen)
        text = screen_text(pilot)
        assert "【挂起】" in text and "u 解除挂起" in text.splitlines()[-1]
        await pilot.press("f2")  # home: the hold is on top of the clerk's worklist at once
        await settle(pilot)
        lines = screen_text(pilot).splitlines()
        assert lines[2].startswith("挂起待处理（3）")  # the first queue: holds
        ours = next(line for line in lines[3:6] if no in line)  # oldest hold first
        assert ours.startswith(" 挂起") and "延期：供应商延" in ours

        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HoldsScreen)
        text = screen_text(pilot)
        assert "未解决" in text and no in text and "zhao" in text
        rows = text.splitlines()
        row = next(i for i, line in enumerate(rows) if no in line)
        await pilot.press(*["down"] * (row - 4), "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReleaseDialog)
        assert "供应商延迟到货两周" in screen_text(pilot)
        await pilot.press("2", "enter", *"客户同意交期顺延两周", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HoldsScreen)
        assert no not in screen_text(pilot)
        await pilot.press("a")  # all holds: the released one with its solution
        await settle(pilot)
        text = screen_text(pilot)
        assert no in text and "调整交期" in text
    assert not orders.get_order(db, READER, no).on_hold
    done = [h for h in execution.holds(db, READER, open_only=False) if h.order_no == no]
    assert [(h.kind, h.solution_kind, h.solution) for h in done] == [
        ("delay", "new_date", "客户同意交期顺延两周")
    ]


async def test_the_clerk_releases_from_the_order_in_english(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    no = new_order(db, cast, "C0010", [("P0009", "8")])
    drive_to(db, cast, no, Status.PICKING, tmp_path)
    execution.raise_hold(db, cast["liu"], no, "quality", "housing cracked", owner="zhao")
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        assert "Holds to resolve (3)" in screen_text(pilot)
        await pilot.press("enter")  # the newest hold is last; open the first, then go to ours
        await settle(pilot)
        await pilot.press("escape")
        app.open_order(no)
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, ReleaseDialog)
        text = screen_text(pilot)
        assert "[Quality problem] housing cracked" in text and "Replacement product" in text
        await pilot.press("1", "enter", "enter")
        await settle(pilot)
        assert "! Describe the solution agreed with the customer" in screen_text(pilot)
        await pilot.press(*"replaced by a new batch", "enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailScreen)
        assert "[ON HOLD]" not in screen_text(pilot)
    assert not orders.get_order(db, READER, no).on_hold
