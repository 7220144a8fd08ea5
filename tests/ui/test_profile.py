"""The customer profile at 80x24, keys only: `c` from an order, Ctrl+O from the F4 customer
lookup (and back to it with what was typed), `p` from the customer list; Enter opens an open
order, `m` changes the window; roles without the profile get no key."""

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from order_tui.app import OrderApp
from order_tui.screens.order_detail import OrderDetailScreen
from order_tui.screens.profile import ProfileScreen
from order_tui.services.demo import load_master_data
from order_tui.store.engine import open_database
from order_tui.store.migrate import ensure_schema
from order_tui.widgets.lookup import LookupDialog
from tests.profile_data import year_of_history
from tests.ui.pilot import frozen_services, logged_in, press, screen_text

SIZE = (80, 24)
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai: window 2025-12 .. 2026-11


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("profile")
    db = open_database(f"sqlite:///{folder}/orders.db", folder)
    ensure_schema(db)
    with frozen_services(NOW):
        load_master_data(db)
    names = year_of_history(db)
    db.dispose()
    return folder / "orders.db", names


@pytest.fixture
def app(template: tuple[Path, dict[str, str]], tmp_path: Path):  # type: ignore[no-untyped-def]
    shutil.copy(template[0], tmp_path / "orders.db")
    database = open_database(f"sqlite:///{tmp_path}/orders.db", tmp_path)
    yield OrderApp(database, demo=True, lang="zh", clock=lambda: NOW)
    database.dispose()


async def _detail(pilot: Pilot[None], user: str, order_no: str) -> None:
    await logged_in(pilot, user)
    pilot.app.open_order(order_no)  # type: ignore[attr-defined]  # Ctrl+P with a number
    await press(pilot)
    assert isinstance(pilot.app.screen, OrderDetailScreen)


async def test_c_on_an_order_opens_its_customer(
    app: OrderApp, template: tuple[Path, dict[str, str]]
) -> None:
    names = template[1]
    async with app.run_test(size=SIZE) as pilot:
        await _detail(pilot, "zhang", names["o4"])
        # `c` is off the 80-column footer (^Q Quit must fit) but in F1 help
        await press(pilot, "f1")
        assert "客户档案" in screen_text(pilot)
        await press(pilot, "escape")
        await press(pilot, "c")
        assert isinstance(app.screen, ProfileScreen)
        lines = screen_text(pilot).splitlines()
        assert "客户档案 C0001" in lines[0]
        assert lines[1].startswith(" 北京华宇科技有限公司（C0001）  首单 2025-12-03")
        # credit in use: o4 shipped 4000 + o5 in review 5000 of 500,000
        assert "已用 ¥9,000.00（2%）" in lines[2] and "可用 ¥491,000.00" in lines[2]
        text = screen_text(pilot)
        assert "近 12 个月（2025-12-01 起，按下单日）" in text
        # year_of_history: 12 earlier orders 171,000 + o9 10,000 + o1..o6 15,600 = 19, 196,600
        assert "成交      19 单 ¥196,600.00 · 累计 19 单 ¥196,600.00" in text
        assert "准时率" in text and "另 2 单无要求交期，未计入" in text
        assert "未结订单（5）" in text
        # the open orders: newest first, the cursor on the first; Enter opens it
        assert names["o7"] in text and "草稿" in text
        await press(pilot, "down", "enter")
        assert isinstance(app.screen, OrderDetailScreen)
        assert app.screen.order_no == names["o6"]
        await press(pilot, "escape")
        assert isinstance(app.screen, ProfileScreen)
        await press(pilot, "m")  # 12 -> 24 months
        assert "近 24 个月（2024-12-01 起，按下单日）" in screen_text(pilot)
        await press(pilot, "pagedown", "pagedown")
        assert "未解除的挂起（1）" in screen_text(pilot)
        await press(pilot, "escape")
        assert isinstance(app.screen, OrderDetailScreen)


async def test_ctrl_o_in_the_customer_lookup_and_back(app: OrderApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        await press(pilot, "n", "f4")  # a new order; F4 on its customer field
        assert isinstance(app.screen, LookupDialog)
        await press(pilot, *"hy")  # 华宇: the pinyin initials
        assert "Ctrl+O 客户档案" in screen_text(pilot)
        await press(pilot, "ctrl+o")
        assert isinstance(app.screen, ProfileScreen)
        assert app.screen.customer_code == "C0001"
        assert "北京华宇科技有限公司（C0001）" in screen_text(pilot)
        await press(pilot, "escape")  # back to the prompt, with what was typed
        assert isinstance(app.screen, LookupDialog)
        assert app.screen.query_one("#lookup-input").value == "hy"  # type: ignore[attr-defined]
        await press(pilot, "enter")
        assert not isinstance(app.screen, LookupDialog)
        assert "北京华宇科技有限公司" in screen_text(pilot)


async def test_p_in_the_customer_list(app: OrderApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")  # finance reads profiles too
        await press(pilot, "f7", "1")
        assert "p 客户档案" in screen_text(pilot)
        await press(pilot, "down", "p")
        assert isinstance(app.screen, ProfileScreen)
        assert app.screen.customer_code == "C0002"
        # C0002: one order, 2026-10-05, signed 10-30 (10:00 in Shanghai): 25 days
        text = screen_text(pilot)
        assert "平均 25.00 天 · 最长 25 天" in text and "未结订单（0）" in text


async def test_no_profile_key_for_the_warehouse(
    app: OrderApp, template: tuple[Path, dict[str, str]]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await _detail(pilot, "liu", template[1]["o4"])
        assert "客户档案" not in screen_text(pilot).splitlines()[-1]
        await press(pilot, "c")
        assert isinstance(app.screen, OrderDetailScreen)
        await press(pilot, "f2", "f7", "1")
        assert "p 客户档案" not in screen_text(pilot)
        await press(pilot, "p")
        assert not isinstance(app.screen, ProfileScreen)
