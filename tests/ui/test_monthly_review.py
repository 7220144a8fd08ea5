"""The monthly review screen at 80x24, keys only: opened from home with `m` by the sales
manager, months back and forth, a month typed, sections by number, notes typed and saved,
kept on reopening, asked about before leaving, and kept when someone else saved first."""

from datetime import UTC, datetime

from textual.pilot import Pilot
from textual.widgets import TextArea

from order_tui.app import OrderApp
from order_tui.domain.monthly import format_month, shift_month
from order_tui.screens.customer_form import ConfirmDialog
from order_tui.screens.home import HomeScreen
from order_tui.screens.monthly_review import MonthlyReviewScreen
from order_tui.services import Database, monthly_review, operators
from tests.ui.pilot import logged_in, press, screen_text, settle

SIZE = (80, 24)
VIEWED_AT = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # 10:00 on 28 November in Shanghai
MONTH = "2026-11"


def _app(db: Database, lang: str = "zh") -> OrderApp:
    return OrderApp(db, demo=True, lang=lang, clock=lambda: VIEWED_AT)


def _notes(pilot: Pilot[None]) -> str:
    return pilot.app.screen.query_one("#notes", TextArea).text


async def _open(pilot: Pilot[None]) -> MonthlyReviewScreen:
    await logged_in(pilot, "zhang")
    await press(pilot, "m")
    screen = pilot.app.screen
    assert isinstance(screen, MonthlyReviewScreen), screen_text(pilot)
    return screen


async def test_notes_typed_saved_and_there_again(db: Database) -> None:
    async with _app(db).run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        assert screen.month == MONTH  # the app's clock decides the month shown first
        assert "月份 2026-11" in screen_text(pilot)
        await press(pilot, "left_square_bracket")
        assert screen.month == "2026-10" and "月份 2026-10" in screen_text(pilot)
        await press(pilot, "right_square_bracket", "left_square_bracket")
        assert screen.month == "2026-10"
        await press(pilot, "9")
        assert isinstance(pilot.app.focused, TextArea)
        await press(pilot, *"late: 3 [ok]")  # digits and brackets are text in the notes
        assert screen.month == "2026-10" and _notes(pilot) == "late: 3 [ok]"
        await press(pilot, "ctrl+s")
        assert "2026-10 的备注已保存（第 1 版）" in screen_text(pilot)
        await press(pilot, "escape")  # saved: leaves without asking
        assert isinstance(pilot.app.screen, HomeScreen)
        await press(pilot, "m")
        assert pilot.app.screen.month == MONTH and _notes(pilot) == ""
        await press(pilot, "left_square_bracket")
        assert _notes(pilot) == "late: 3 [ok]"
        await press(pilot, "9")
        assert "由 张总 于 2026-" in screen_text(pilot) and "（第 1 版）" in screen_text(pilot)


async def test_m_is_the_sales_managers_key(db: Database) -> None:
    async with _app(db).run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        await press(pilot, "m")
        assert isinstance(pilot.app.screen, HomeScreen)
        assert pilot.app.screen.check_action("monthly_review", ()) is False


async def test_figures_and_sections_by_number(db: Database) -> None:
    """The demo's orders were all made this month; 3 jumps to the cycle times."""
    async with _app(db, "en").run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        now = datetime.now(UTC)
        screen.month = format_month(now.year, now.month)  # the demo's month, not the clock's
        screen.reload()
        await settle(pilot)
        text = screen_text(pilot)
        assert "Received" in text and "13" in text  # the demo's 13 orders
        await press(pilot, "3")
        text = screen_text(pilot)
        assert "Order → approval" in text and "Spread cells (days)" in text
        await press(pilot, "7")
        assert "Top 10 customers" in screen_text(pilot)
        assert "北京华宇科技有限公司" in screen_text(pilot)


async def test_typed_month_checked_next_to_the_field(db: Database) -> None:
    async with _app(db, "en").run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await press(pilot, "g")
        await press(pilot, "backspace", "backspace", *"13", "enter")
        text = screen_text(pilot)
        assert "'2026-13' is not a month" in text
        assert screen.query_one("#month-input").value == "2026-13"  # nothing typed is lost
        await press(pilot, "backspace", "backspace", *"09", "enter")
        assert screen.month == "2026-09" and "Month 2026-09" in screen_text(pilot)
        await press(pilot, "g", "escape")  # Esc closes the prompt, stays on the review
        assert pilot.app.screen is screen and screen.month == "2026-09"


async def test_unsaved_notes_are_asked_about(db: Database) -> None:
    async with _app(db).run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await press(pilot, "9", *"draft")
        await press(pilot, "escape")
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await press(pilot, "n")
        assert pilot.app.screen is screen and _notes(pilot) == "draft"
        await press(pilot, "tab", "left_square_bracket")  # another month: asked too
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await press(pilot, "n")
        assert screen.month == MONTH and _notes(pilot) == "draft"
        await press(pilot, "escape", "y")
        assert isinstance(pilot.app.screen, HomeScreen)


async def test_someone_saved_first_nothing_typed_is_lost(db: Database) -> None:
    admin = operators.find_actor(db, "admin")
    li = operators.add_operator(db, admin, "li", "李经理", "sales_manager", "1234", None)
    async with _app(db).run_test(size=SIZE) as pilot:
        await _open(pilot)
        await press(pilot, "9", *"mine")
        monthly_review.save_review_notes(db, li, MONTH, "theirs", 0)  # in another terminal
        await press(pilot, "ctrl+s")
        assert "已被 李经理 于" in screen_text(pilot) and "F5" in screen_text(pilot)
        assert _notes(pilot) == "mine"
        await press(pilot, "f5")
        merged = _notes(pilot)
        assert merged.startswith("theirs\n\n") and merged.endswith("\nmine")
        assert "李经理" in merged  # the line between says whose version is above
        await press(pilot, "ctrl+s")
        saved = monthly_review.review_notes(db, li, MONTH)
        assert saved.version == 2 and saved.notes == merged


def test_month_arithmetic_the_keys_use() -> None:
    assert shift_month(MONTH, -1) == "2026-10" and shift_month("2026-12", 1) == "2027-01"


def test_every_key_has_an_id_and_words_in_both_languages() -> None:
    from textual.binding import Binding

    from order_tui.screens.i18n import STRINGS

    for binding in [*MonthlyReviewScreen.BINDINGS, *HomeScreen.BINDINGS]:
        assert isinstance(binding, Binding) and binding.id, binding
        zh, en = STRINGS[f"key.{binding.id}"]
        assert zh and en
    review_keys = [b for b in MonthlyReviewScreen.BINDINGS if isinstance(b, Binding)]
    assert sum(b.show for b in review_keys) <= 7  # the footer keeps room at 80 columns


async def test_f8_exports_the_reviews_tables(db: Database) -> None:
    from openpyxl import load_workbook

    from order_tui.screens.print_dialog import PrintPathDialog

    async with _app(db, "en").run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        now = datetime.now(UTC)
        screen.month = format_month(now.year, now.month)  # the demo's month
        screen.reload()
        await settle(pilot)
        await press(pilot, "f8")
        assert isinstance(pilot.app.screen, PrintPathDialog)
        await press(pilot, "enter")
        await settle(pilot)
        [path] = (db.data_dir / "exports").glob("monthly-review-*.xlsx")
        rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("Section", "Item", "Count", "Amount")
    assert ("Counts", "Received", 13) in {r[:3] for r in rows[1:]}
    customers = [r for r in rows[1:] if r[0] == "Customers"]
    assert any("北京华宇科技有限公司" in str(r[1]) and r[3] > 0 for r in customers)
    assert {r[0] for r in rows[1:]} >= {"Counts", "Trend", "Cycles", "Customers", "Products"}
