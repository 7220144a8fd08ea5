"""Keys typed ahead within a screen, in one burst (one read over SSH, a scanner, a fast hand),
at 80x24: they must end where the same keys typed one by one end. Each case runs twice, on
two copies of the demo, once key by key (each key's effects settled first) and once in a
burst, and compares the screens (screens/typeahead.py)."""

import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from textual.widgets import Input

from order_tui.app import OrderApp
from order_tui.domain.lifecycle import Status
from order_tui.screens.home import HomeScreen
from order_tui.screens.picking import PickScreen
from order_tui.services import Database, execution
from order_tui.services.demo import DemoCast, drive_to, new_order
from order_tui.store.engine import open_database
from tests.reader import READER
from tests.ui.pilot import logged_in, screen_text, settle
from tests.ui.test_order_entry import burst

SIZE = (80, 24)


@pytest.fixture
def twin(demo_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A second copy of the demo, for the run key by key."""
    folder = tmp_path / "twin"
    folder.mkdir()
    shutil.copy(demo_template, folder / "orders.db")
    database = open_database(f"sqlite:///{folder}/orders.db", folder)
    yield database
    database.dispose()


async def ends(db: Database, user: str, keys: list[str], at_once: bool) -> tuple[str, str]:
    """The screen (but its clock line) and the focused widget after `keys`."""
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, user)
        if at_once:
            burst(pilot, keys)
        else:
            for key in keys:
                await pilot.press(key)
                await settle(pilot)
        await settle(pilot, 8)
        focused = app.focused
        where = f"{type(app.screen).__name__} #{getattr(focused, 'id', None)}"
        return "\n".join(screen_text(pilot).splitlines()[1:]), where


CASES = {
    # the search, back to the results, home, and the worklist's filter
    "archive": ("wu", ["b", "slash", "精", "密", "enter", "escape", "escape", "slash", *"SO20"]),
    # the inbox's filter, back to the list, an option code on the first order, run it
    "inbox": ("zhang", ["v", "slash", *"hxjm", "enter", "5", "enter", "escape"]),
    # master data: customers, the filter, and Enter on its first match (C0003, not the
    # unfiltered list's C0001: the filter's query runs in a thread meanwhile)
    "master data": ("zhao", ["f7", "1", "slash", *"sz", "enter", "enter"]),
    # a new order's customer by code, Enter to the next field, Esc back
    "new order": ("zhao", ["n", *"C0003", "enter", "tab", "escape"]),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_a_burst_ends_where_the_keys_one_by_one_end(
    db: Database, twin: Database, case: str
) -> None:
    user, keys = CASES[case]
    slow = await ends(twin, user, keys, at_once=False)
    fast = await ends(db, user, keys, at_once=True)
    assert fast[1] == slow[1], f"{case}: focus {fast[1]} after the burst, {slow[1]} one by one"
    assert fast[0] == slow[0], f"{case}: burst:\n{fast[0]}\n\none by one:\n{slow[0]}"


async def test_the_archive_burst_reaches_the_worklist_filter(db: Database) -> None:
    """The case that lost keys: `Enter Esc Esc /SO20` typed at once from the archive's
    customer search landed "/SO20" in that search field."""
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "wu")
        await pilot.press("b", "slash", *"精密")
        await settle(pilot)
        burst(pilot, ["enter", "escape", "escape", "slash", *"SO20"])
        await settle(pilot, 8)
        assert isinstance(app.screen, HomeScreen), screen_text(pilot)
        home_filter = app.screen.query_one("#filter", Input)
        assert home_filter.value == "SO20" and app.focused is home_filter


async def test_two_scans_in_one_burst_pick_two(db: Database, cast: DemoCast, tmp_path: Path):
    """A scanner sends code and Enter as fast as the line takes them: each scan picks."""
    no = new_order(db, cast, "C0003", [("P0001", "2")], wanted_in_days=5)
    drive_to(db, cast, no, Status.APPROVED, tmp_path)
    app = OrderApp(db, demo=True, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "liu")
        await pilot.press("k")
        await settle(pilot)
        await pilot.press("enter", "f6")
        await settle(pilot)
        assert isinstance(app.screen, PickScreen), screen_text(pilot)
        burst(pilot, [*"P0001", "enter", *"P0001", "enter"])
        await settle(pilot, 8)
        assert "已拣 P0001 工业控制器 1台（第 1 行 2/2）" in screen_text(pilot)
    view = execution.pick_view(db, READER, no)
    assert [line.picked for line in view.lines] == [Decimal(2)]


async def test_keys_are_never_held_for_good(db: Database) -> None:
    """Were a settle round never to end (its callback gone with a removed widget), the keys
    held behind the command go on anyway, once the longest wait has passed."""
    app = OrderApp(db, demo=True)
    app.WORK_WAIT = 0.1
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        app._settle_round = lambda: None  # type: ignore[method-assign]  # callbacks all lost
        burst(pilot, ["slash", *"SO20"])
        await pilot.pause(0.2)
        home_filter = app.screen.query_one("#filter", Input)
        assert home_filter.value == ""  # held: "/" has not settled
        await pilot.pause(0.6)
        assert home_filter.value == "SO20" and app.focused is home_filter
