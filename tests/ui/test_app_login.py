"""The login screen, driven by keys only at 80x24: wrong PIN, lock-out, type-ahead, quit."""

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from order_tui.app import OrderApp
from order_tui.screens.home import HomeScreen
from order_tui.screens.login import LoginScreen
from order_tui.services import Database
from tests.ui.pilot import screen_text, settle

SIZE = (80, 24)


async def type_login(pilot: Pilot[None], username: str, pin: str) -> None:
    await pilot.press(*username, "enter", *pin, "enter")
    await settle(pilot)


def field(pilot: Pilot[None], name: str) -> Input:
    return pilot.app.screen.query_one(f"#{name}", Input)


async def test_login_screen_lists_demo_operators(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        text = screen_text(pilot)
        assert "操作员登录" in text
        assert "演示账号（PIN 均为 1234）" in text
        assert "zhao" in text and "赵琳" in text and "销售内勤" in text
        assert app.screen.focused is field(pilot, "username")


async def test_wrong_pin_shows_tries_left_and_keeps_username(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await type_login(pilot, "zhao", "9999")
        assert isinstance(app.screen, LoginScreen)
        assert "PIN 错误，还可尝试 4 次" in screen_text(pilot)
        assert field(pilot, "username").value == "zhao"
        assert field(pilot, "pin").value == ""
        assert app.screen.focused is field(pilot, "pin")


async def test_five_wrong_pins_lock_the_operator(db: Database) -> None:
    app = OrderApp(db, demo=True, user="chen")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.focused is field(pilot, "pin")  # prefilled username: PIN next
        for _ in range(5):
            await pilot.press(*"0000", "enter")
            await settle(pilot)
        assert "连续 5 次 PIN 错误，chen 已锁定 15 分钟" in screen_text(pilot)
        # Locked: even the right PIN is refused now.
        await pilot.press(*"1234", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert "chen 已锁定，请 15 分钟后再试" in screen_text(pilot)
        assert field(pilot, "username").value == "chen"


async def test_empty_fields_are_reported_beside_the_field(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        assert "请输入用户名" in screen_text(pilot)
        await pilot.press(*"zhao", "enter", "enter")
        await settle(pilot)
        assert "请输入 PIN 码" in screen_text(pilot)
        assert "请输入用户名" not in screen_text(pilot)


async def test_type_ahead_login_in_one_burst(db: Database) -> None:
    """Keys arriving in one read (fast typist, SSH) still land in the right fields."""
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in [*"zhao", "enter", *"1234", "enter"]:
            char = key if len(key) == 1 else ("\r" if key == "enter" else None)
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen), screen_text(pilot)


async def test_english_login_messages(db: Database) -> None:
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(pilot)
        assert "Operator login" in text
        assert "Demo operators (PIN 1234 each)" in text
        assert "Sales clerk" in text
        assert "Help" in text and "Quit" in text  # the footer
        await type_login(pilot, "zhao", "9999")
        assert "Wrong PIN: 4 tries left before a 15-minute lock" in screen_text(pilot)
        assert "操作员" not in screen_text(pilot)


async def test_escape_does_not_leave_the_login_screen(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("escape", "f3", "f2")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)


async def test_ctrl_q_quits(db: Database) -> None:
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0


async def test_os_user_skips_the_login(db: Database) -> None:
    from order_tui.services import operators

    admin = operators.find_actor(db, "admin")
    operators.add_operator(db, admin, "ops", "值班员", "finance", "4321", os_user="opsuser")
    app = OrderApp(db, os_user="opsuser")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "值班员 (ops) · 财务" in screen_text(pilot)


async def test_unknown_os_user_gets_the_login(db: Database) -> None:
    app = OrderApp(db, os_user="nobody", user="zhao")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert field(pilot, "username").value == "zhao"


async def test_pinyin_warms_up_once_the_operator_is_in(db: Database, monkeypatch) -> None:
    """pypinyin's dictionaries (about 40 MB) load after the login, not during the PIN check
    (whose scrypt takes 16 MB for a moment: together they were the process's peak memory)."""
    import order_tui.app as app_module

    calls: list[str] = []
    monkeypatch.setattr(app_module, "_warm_up", lambda: calls.append("warm"))
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await type_login(pilot, "zhao", "9999")
        assert isinstance(app.screen, LoginScreen) and calls == []
        await pilot.press(*"1234", "enter")
        await settle(pilot)
        await app.workers.wait_for_complete()
        assert isinstance(app.screen, HomeScreen) and calls == ["warm"]


def test_giving_back_the_free_heap_is_harmless() -> None:
    from order_tui.app import _give_back_free_heap

    _give_back_free_heap()  # glibc here; elsewhere a no-op
