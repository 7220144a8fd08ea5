"""`order-tui` paints the login screen before the database is open (`OrderApp(open_db=...)`):
a PIN typed meanwhile is checked once it opens, the OS user's operator logs in then, and an
error from opening is shown on the screen and ends the app with return code 1. Keys only,
80x24."""

import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from order_tui.app import OrderApp
from order_tui.screens.home import HomeScreen
from order_tui.screens.login import LoginScreen
from order_tui.services import Database
from order_tui.store.migrate import SchemaTooNew
from tests.ui.pilot import screen_text, settle, until

SIZE = (80, 24)


def gated(db: Database) -> tuple[Callable[[], Database], threading.Event]:
    """An `open_db` that returns `db` only once the test sets the event."""
    gate = threading.Event()

    def open_db() -> Database:
        gate.wait(timeout=30)  # a failing test must not hang the run
        return db

    return open_db, gate


async def opened(pilot: Pilot[None], gate: threading.Event) -> None:
    gate.set()
    await until(pilot, lambda: getattr(pilot.app, "db", None) is not None)
    await settle(pilot)


async def test_login_typed_before_the_database_is_open_goes_through(db: Database) -> None:
    open_db, gate = gated(db)
    app = OrderApp(open_db=open_db, db_url="sqlite:///srv/orders.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen) and app.db is None
        text = screen_text(pilot)
        assert "操作员登录" in text and "orders.db" in text  # status line: the file to be
        await pilot.press(*"zhao", "enter", *"1234", "enter")
        await pilot.pause()
        assert "正在打开数据库…" in screen_text(pilot)
        assert isinstance(app.screen, LoginScreen)
        await opened(pilot, gate)
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))
        assert app.db is db
        assert "赵琳 (zhao)" in screen_text(pilot)


async def test_wrong_pin_before_the_database_is_open_is_refused_after(db: Database) -> None:
    open_db, gate = gated(db)
    app = OrderApp(open_db=open_db, lang="en", demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"zhao", "enter", *"9999", "enter")
        await pilot.pause()
        assert "Opening the database…" in screen_text(pilot)
        await opened(pilot, gate)
        await until(pilot, lambda: app.screen.query_one("#pin", Input).value == "")
        text = screen_text(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert "4" in text and "PIN" in text  # tries left, beside the PIN
        assert "Demo operators" in text  # the demo list loads once the database is open


async def test_the_os_users_operator_logs_in_once_the_database_is_open(db: Database) -> None:
    from order_tui.services import operators

    admin = operators.find_actor(db, "admin")
    operators.add_operator(db, admin, "ops", "值班员", "finance", "4321", os_user="opsuser")
    open_db, gate = gated(db)
    app = OrderApp(open_db=open_db, os_user="opsuser")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        await opened(pilot, gate)
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))
        assert "值班员 (ops) · 财务" in screen_text(pilot)
        # Login screen gone from the stack: F3/Esc on the worklist does not lead back to it.
        assert not any(isinstance(s, LoginScreen) for s in app.screen_stack)


def failing(error: Exception) -> Callable[[], Database]:
    def open_db() -> Database:
        raise error

    return open_db


async def test_a_schema_too_new_is_shown_and_enter_exits_with_1() -> None:
    app = OrderApp(open_db=failing(SchemaTooNew("0099", "0006")))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "请升级 order-tui" in screen_text(pilot))  # wrapped: 2 rows
        text = screen_text(pilot)
        assert "无法打开数据库：数据库结构版本 0099" in text
        assert "按 Enter 或 Ctrl+Q 退出" in text
        await pilot.press(*"zhao")  # the fields are off: nothing to type into
        assert app.screen.query_one("#username", Input).value == ""
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_code == 1
    assert isinstance(app.open_error, SchemaTooNew)


async def test_a_locked_database_is_shown_in_english_and_ctrl_q_exits_with_1() -> None:
    app = OrderApp(open_db=failing(sqlite3.OperationalError("database is locked")), lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "Press Enter or Ctrl+Q to quit" in screen_text(pilot))
        assert "Cannot open the database: The database is busy" in screen_text(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 1


def test_order_tui_prints_the_open_error_after_the_app_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole command: the error is on the screen first, then on stderr, status 1."""
    from order_tui.cli import main
    from order_tui.store.engine import open_database
    from order_tui.store.migrate import ensure_schema

    path = tmp_path / "orders.db"
    db = open_database(f"sqlite:///{path}", tmp_path)
    ensure_schema(db)
    db.dispose()
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    seen: list[str] = []

    async def operator(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: "update order-tui" in screen_text(pilot))
        seen.append(screen_text(pilot))
        await pilot.press("enter")

    run = OrderApp.run
    monkeypatch.setattr(
        OrderApp, "run", lambda app: run(app, headless=True, size=SIZE, auto_pilot=operator)
    )
    monkeypatch.setenv("ORDER_TUI_DATA_DIR", str(tmp_path))
    assert main(["--db", str(path), "--lang", "en"]) == 1
    assert "Cannot open the database: database schema 9999 is" in seen[0]
    assert "Press Enter or Ctrl+Q to quit" in seen[0]
    err = capsys.readouterr().err
    assert "order-tui: error: database schema 9999 is newer than this program" in err
