"""Step 6 at 80x24, keys only: the archivist attaches a missing document from the completion
queue, completes and archives; the archive browser finds an order by a Chinese substring and
opens it read only, where the edit key is refused (and the refusal logged)."""

from pathlib import Path

import pytest

from order_tui.app import OrderApp
from order_tui.screens.archive import (
    ArchiveBrowser,
    ArchivedOrderScreen,
    AttachDialog,
    CompletionScreen,
)
from order_tui.screens.customer_form import ConfirmDialog
from order_tui.services import Database, delivery, operators, orders, worklist
from order_tui.services.demo import DemoCast
from order_tui.store import repo
from tests.reader import READER
from tests.ui.pilot import logged_in, screen_text, settle

SIZE = (80, 24)
NAMES = ["wang", "zhao", "zhang", "chen", "liu", "sun", "zhou", "wu", "admin"]


@pytest.fixture
def cast(db: Database) -> DemoCast:
    return DemoCast({n: operators.find_actor(db, n) for n in NAMES})


def _delivered(db: Database, cast: DemoCast) -> str:
    """The demo's delivered order, its feedback now recorded: first in the queue."""
    # the sales rep's calls: the archivist sees the order only once its call is recorded
    for queue in worklist.worklist(db, cast["wang"]):
        for item in queue.items:
            if item.status == "delivered":
                wang = cast["wang"]
                delivery.record_feedback(db, wang, item.order_no, reached=True, satisfaction=5)
                return item.order_no
    raise AssertionError("the demo has no delivered order")


def _audit(db: Database, order_no: str) -> list[str]:
    with db.reading() as session:
        order = repo.get_order(session, order_no)
        return [e.action for e in repo.audit_of_order(session, order.id or 0)]


async def test_archivist_attaches_completes_and_archives_from_the_queue(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    order_no = _delivered(db, cast)
    files = []
    for name in ("销售订单.pdf", "发票.pdf", "沟通记录.txt"):
        path = tmp_path / name
        path.write_text(name, encoding="utf-8")
        files.append(path)
    app = OrderApp(db, demo=True, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "wu")
        assert "c 待归档" in screen_text(pilot).splitlines()[-1]
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CompletionScreen)
        first = screen_text(pilot).splitlines()[4]
        assert order_no in first and "待完成" in first and "销售订单" in first
        assert "c 完成" not in screen_text(pilot).splitlines()[-1]  # documents missing

        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AttachDialog)
        await pilot.press("enter", *str(tmp_path / "none.pdf"), "enter")  # a wrong path
        await settle(pilot)
        assert "找不到文件" in screen_text(pilot)
        assert app.focused is not None and app.focused.id == "attach-path"
        await pilot.press("ctrl+u", *str(files[0]), "enter")
        await settle(pilot)
        for path in files[1:]:
            await pilot.press("enter", *str(path), "enter")
            await settle(pilot)
        assert "单据已齐全" in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)

        assert isinstance(app.screen, CompletionScreen)
        assert "齐全" in screen_text(pilot).splitlines()[4]
        await pilot.press("c")
        await settle(pilot)
        assert orders.get_order(db, READER, order_no).status == "completed"
        rows = screen_text(pilot).splitlines()[4:8]
        assert any(order_no in row and "待归档" in row for row in rows)

        while app.screen.highlighted_key() != order_no:  # type: ignore[attr-defined]
            await pilot.press("down")
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "归档订单" in screen_text(pilot) and "只读" in screen_text(pilot)
        await pilot.press("y")
        await settle(pilot)
        detail = orders.get_order(db, READER, order_no)
        assert detail.status == "archived" and detail.retention_until is not None
        assert order_no not in screen_text(pilot)


async def test_browser_finds_a_chinese_substring_and_the_order_stays_read_only(
    db: Database, cast: DemoCast
) -> None:
    app = OrderApp(db, demo=True, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, ArchiveBrowser)
        await pilot.press("slash", *"XX", "enter")  # `/`: the customer field; no match
        await settle(pilot)
        assert "没有符合条件的归档订单" in screen_text(pilot)
        await pilot.press("slash", "shift+tab", "x", "enter")  # a number that is no number
        await settle(pilot)
        assert "! 订单号应以 SO 开头" in screen_text(pilot)
        assert app.focused is not None and app.focused.id == "s-number"
        await pilot.press("backspace", "tab", "ctrl+u", *"精密", "enter")  # two characters
        await settle(pilot)
        text = screen_text(pilot)
        assert "上海浦江精密机械有限公司" in text
        archived = next(line.split()[0] for line in text.splitlines() if "浦江精密" in line)

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ArchivedOrderScreen)
        text = screen_text(pilot)
        assert "只读" in text and "已归档" in text
        assert "e 编辑" not in text.splitlines()[-1]  # not offered, but answered
        await pilot.press("e")
        await settle(pilot)
        assert "已拒绝并记录" in screen_text(pilot) and "只能查看" in screen_text(pilot)
        assert isinstance(app.screen, ArchivedOrderScreen)  # no entry screen opened
        await pilot.press("delete")
        await settle(pilot)
        assert "期满前不能删除" in screen_text(pilot)
    assert _audit(db, archived)[-2:] == ["refused:edit", "refused:purge"]


async def test_the_browser_is_not_offered_to_the_administrator(db: Database) -> None:
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "admin")
        assert " b " not in screen_text(pilot).splitlines()[-1]
        await pilot.press("b")
        await settle(pilot)
        assert not isinstance(app.screen, ArchiveBrowser)
