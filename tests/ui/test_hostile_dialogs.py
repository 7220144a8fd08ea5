"""Hostile values in the dialogs test_hostile_forms.py leaves out, at 80x24, keys only.

One app per dialog; per field a refused text or number or two, a long one and an odd one
that may save, the refused ones first (an odd value that saves closes the dialog and ends
the run). What must hold: the app keeps running, the field keeps what was typed, a refusal
is shown beside the field or in the dialog's own error line, and nothing is written.
"""

import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea

from order_tui.app import OrderApp
from order_tui.domain.lifecycle import Status
from order_tui.services import Database, execution, operators
from order_tui.services.demo import DemoCast, drive_to, new_order
from tests.ui.pilot import logged_in, screen_text, settle, tab_to
from tests.ui.test_hostile_forms import (
    BIDI,
    EMOJI,
    ESC,
    LONG,
    MARKUP,
    NUL,
    SIZE,
    SQL,
    WIDE_SPACE,
    error_beside,
    fingerprint,
    put,
)

NAMES = ["wang", "zhao", "zhang", "chen", "liu", "sun", "zhou", "wu", "admin"]
# What a message in words never shows: an exception's name, an errno.
RAW = re.compile(r"Errno|Traceback|\b[A-Z]\w*(Error|Exception)\b")
# A dialog's one error line names the field a text check refused (the label's words).
NAMED = {
    "hold-text": "问题说明",
    "hold-owner": "负责人",
    "hold-solution": "方案说明",
    "pack-notes": "备注",
    "op-name": "工序名称",
    "op-owner": "负责人",
}
HUGE, WIDE_DIGITS, FORTY = "1e30", "１２", "1" + "0" * 40

# (field id, value, refused): refused False means it may save or be refused, never crash.
Case = tuple[str, str, bool]
Save = Callable[[Pilot[None], Screen[object], Input], Awaitable[None]]


@pytest.fixture
def cast(db: Database) -> DemoCast:
    return DemoCast({n: operators.find_actor(db, n) for n in NAMES})


def shown_error(screen: Screen[object], field: Input | TextArea, line: str | None) -> str:
    """The message beside `field`, else the dialog's own error line `line`."""
    beside = error_beside(screen, field) if isinstance(field, Input) else ""
    if beside or line is None:
        return beside
    widget = screen.query_one(f"#{line}", Static)
    return str(widget.render()).strip() if widget.display else ""


async def paste_area(pilot: Pilot[None], area: TextArea, value: str) -> None:
    await tab_to(pilot, area, 40)
    await pilot.press("ctrl+a", "delete")
    area.post_message(events.Paste(value))
    await pilot.pause()


async def run_cases(
    pilot: Pilot[None],
    db: Database,
    screen: Screen[object],
    cases: list[Case],
    save: Save,
    line: str | None,
    valid: dict[str, str] | None = None,
    saves: bool = False,
) -> None:
    """The cases in turn; with `saves`, the last one (an odd value) must save and close."""
    app = pilot.app
    valid = valid or {}
    for ident, good in valid.items():
        field = screen.query_one(f"#{ident}", Input)
        if field.value != good:
            await put(pilot, field, good)
    for ident, value, refused in cases:
        case = f"{type(screen).__name__}#{ident} <- {value[:20]!r}"
        field = screen.query_one(f"#{ident}")
        before = fingerprint(db)
        if isinstance(field, TextArea):
            await paste_area(pilot, field, value)
            typed = field.text
        else:
            assert isinstance(field, Input)
            if await put(pilot, field, value):
                if ident in valid:  # cut to fit, and said so
                    await put(pilot, field, valid[ident])
                continue
            typed = field.value
        # An Input that restricts what it takes already refused the rest.
        refused = refused and typed == value
        await save(pilot, screen, field)  # type: ignore[arg-type]
        await settle(pilot)
        shown = screen_text(pilot)  # renders: a markup error would raise here
        assert app.is_running and app.return_code is None, f"{case}: the app stopped"
        now = field.text if isinstance(field, TextArea) else field.value  # type: ignore[attr-defined]
        assert now == typed, f"{case}: the typed text was changed or lost"
        if not refused and app.screen is not screen:
            return  # saved: the value was fine after all
        assert not (saves and (ident, value, refused) == cases[-1]), f"{case}: not saved:\n{shown}"
        assert app.screen is screen, f"{case}: left the dialog:\n{shown}"
        if refused:
            message = shown_error(screen, field, line)  # type: ignore[arg-type]
            assert message, f"{case}: no error shown:\n{shown}"
            assert not RAW.search(message), f"{case}: not in words: {message!r}"
            if value in (NUL, ESC, LONG) and ident in NAMED:  # one error line, several fields
                assert NAMED[ident] in message, f"{case}: which field? {message!r}"
            assert fingerprint(db) == before, f"{case}: refused, but something was written"
        if ident in valid and now != valid[ident]:  # the next case has one problem only
            await put(pilot, field, valid[ident])  # type: ignore[arg-type]


def _text_cases(
    ident: str, required: bool = True, long: bool = True, control: str = NUL
) -> list[Case]:
    """A control character (NUL or ESC), 10,000 characters, a blank where one is required."""
    cases = [(ident, control, True)]
    if long:
        cases.append((ident, LONG, True))
    if required:
        cases.append((ident, WIDE_SPACE, True))
    return cases


async def enter_on_last(pilot: Pilot[None], screen: Screen[object], _field: Input) -> None:
    """Enter on the dialog's last input confirms it (its others are valid)."""
    last = list(screen.query(Input))[-1]
    await tab_to(pilot, last)
    await pilot.press("enter")


def key(name: str) -> Save:
    async def save(pilot: Pilot[None], _screen: Screen[object], _field: Input) -> None:
        await pilot.press(name)

    return save


async def save_and_confirm(pilot: Pilot[None], screen: Screen[object], _field: Input) -> None:
    """Ctrl+S, and Y where the form asks to confirm first (the service checks after)."""
    await pilot.press("ctrl+s")
    await settle(pilot)
    if pilot.app.screen is not screen and type(pilot.app.screen).__name__ == "ConfirmDialog":
        await pilot.press("y")


async def enter_here(pilot: Pilot[None], _screen: Screen[object], field: Input) -> None:
    await tab_to(pilot, field)
    await pilot.press("enter")


def _order(db: Database, cast: DemoCast, status: Status, tmp: Path) -> str:
    no = new_order(db, cast, "C0002", [("P0005", "3")])
    drive_to(db, cast, no, status, tmp)
    return no


# -- holds ------------------------------------------------------------------------------------


async def test_hold_dialog(db: Database, cast: DemoCast, tmp_path: Path) -> None:
    from order_tui.screens.holds import HoldDialog

    no = _order(db, cast, Status.APPROVED, tmp_path)
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        app.push_screen(HoldDialog(db, "zh", app.actor, no, no))  # type: ignore[arg-type]
        await settle(pilot)
        cases = _text_cases("hold-text") + _text_cases("hold-owner", False, False, ESC)
        cases += [("hold-owner", SQL, True), ("hold-text", MARKUP + BIDI + EMOJI, False)]
        valid = {"hold-text": "供应商延迟", "hold-owner": "zhao"}
        await run_cases(pilot, db, app.screen, cases, enter_on_last, "dlg-error", valid, saves=True)


async def test_release_dialog(db: Database, cast: DemoCast, tmp_path: Path) -> None:
    from order_tui.screens.holds import ReleaseDialog

    no = _order(db, cast, Status.APPROVED, tmp_path)
    execution.raise_hold(db, cast["zhao"], no, "delay", "供应商延迟")
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        app.push_screen(ReleaseDialog(db, "zh", app.actor, no, no, []))  # type: ignore[arg-type]
        await settle(pilot)
        cases = [*_text_cases("hold-solution", control=ESC), ("hold-solution", MARKUP + SQL, False)]
        await run_cases(pilot, db, app.screen, cases, enter_on_last, "dlg-error", saves=True)


# -- picking: the scan field, the pick list's print path, the pack dialog ----------------------


async def test_scan_field_and_print_path(db: Database, cast: DemoCast, tmp_path: Path) -> None:
    from order_tui.screens.picking import PickScreen
    from order_tui.screens.print_dialog import PrintPathDialog

    no = _order(db, cast, Status.APPROVED, tmp_path)
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "liu")
        app.push_screen(PickScreen(db, "zh", app.actor, no))  # type: ignore[arg-type]
        await settle(pilot)
        screen = app.screen
        await pilot.press("f6")
        await settle(pilot)
        cases = _text_cases("scan", required=False) + [
            ("scan", f"P0005*{v}", True) for v in (HUGE, "NaN", "-5", FORTY)
        ]
        cases += [("scan", SQL, True)]
        await run_cases(pilot, db, screen, cases, enter_here, "scan-msg")
        # the pick list's print path: what no file system opens is said beside it, kept
        paths = ["/tmp/a\x00b.pdf", "/tmp/" + ESC + ".pdf", "/tmp/" + "长" * 5000 + ".pdf"]
        for path in [*paths, "/没有/这个/目录/x.pdf"]:
            case = repr(path[:20])
            await pilot.press("f8")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, PrintPathDialog), screen_text(pilot)
            field = dialog.query_one("#print-path", Input)
            before = fingerprint(db)
            await put(pilot, field, path)
            await pilot.press("enter")
            await settle(pilot)
            shown = screen_text(pilot)
            assert app.is_running and app.return_code is None, f"{case}: the app stopped"
            assert fingerprint(db) == before, case
            if path not in paths:  # only writing finds a folder missing: said in words
                assert app.screen is screen, shown
                said = str(screen.query_one("#scan-msg", Static).render())
                assert said.strip() and "Errno" not in said, said
                continue
            assert app.screen is dialog, f"{case}: the dialog closed:\n{shown}"
            assert field.value == path
            assert shown_error(dialog, field, "print-error"), f"{case}:\n{shown}"
            await pilot.press("escape")
            await settle(pilot)


async def test_pack_dialog(db: Database, cast: DemoCast, tmp_path: Path) -> None:
    from order_tui.screens.picking import PackDialog

    no = _order(db, cast, Status.PICKING, tmp_path)
    execution.pick(db, cast["liu"], no)
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "liu")
        app.push_screen(PackDialog(db, "zh", app.actor, no))  # type: ignore[arg-type]
        await settle(pilot)
        cases = [("pack-count", v, True) for v in (HUGE, "NaN", "-5", FORTY)]
        cases += [("pack-weight", v, True) for v in (HUGE, "NaN", "-5")]
        cases += _text_cases("pack-notes", required=False, control=ESC)
        cases += [("pack-weight", WIDE_DIGITS, False), ("pack-notes", MARKUP + BIDI, False)]
        valid = {"pack-count": "1", "pack-weight": "2.5", "pack-notes": "纸箱"}
        await run_cases(
            pilot, db, app.screen, cases, enter_on_last, "pack-error", valid, saves=True
        )


# -- production: revising a saved operation ----------------------------------------------------


async def test_operation_revise_dialog(db: Database, cast: DemoCast, tmp_path: Path) -> None:
    from order_tui.screens.production import OperationDialog

    no = new_order(db, cast, "C0005", [("P0011", "1")], wanted_in_days=21)
    drive_to(db, cast, no, Status.APPROVED, tmp_path)
    execution.plan_production(db, cast["sun"], no)  # four open operations
    saved = execution.production_view(db, cast["sun"], no).lines[0].operations[0]
    assert saved.done_at is None
    op = execution.OperationInput(saved.name, saved.owner, saved.planned_start, saved.due_date)
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "sun")
        actor = app.actor

        def save(new: execution.OperationInput) -> None:
            execution.revise_operation(db, actor, no, saved.id or 0, new)  # type: ignore[arg-type]

        dialog = OperationDialog("zh", "revise", op, saved.planned_start, save)
        app.push_screen(dialog)
        await settle(pilot)
        cases = _text_cases("op-name") + _text_cases("op-owner", True, False, ESC)
        dates = ["+99999999", "+" + FORTY, "2026-02-30", "0000-01-01"]
        cases += [("op-start", v, True) for v in dates] + [("op-due", "+" + FORTY, True)]
        cases += [("op-owner", MARKUP + BIDI + SQL, False)]
        valid = {
            "op-name": saved.name,
            "op-owner": "钱工",
            "op-start": saved.planned_start.isoformat(),
            "op-due": saved.due_date.isoformat(),
        }
        await run_cases(pilot, db, dialog, cases, enter_on_last, "op-error", valid, saves=True)


# -- master data: receiving stock, adding an operator ------------------------------------------


async def test_stock_receipt_dialog(db: Database) -> None:
    from order_tui.screens.md_stock import ReceiptDialog
    from tests.ui.test_masterdata import MdApp

    async with MdApp(db, "liu", "zh", "stock").run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")  # the list's first item
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ReceiptDialog), screen_text(pilot)
        cases = [("f-qty", v, True) for v in ("-99999999", FORTY, "1.23456")]
        cases += _text_cases("f-note") + _text_cases("f-location", False, False, ESC)
        cases += [("f-incoming", v, True) for v in ("-5", FORTY)]
        cases += [("f-incoming_date", v, True) for v in ("2026-02-30", "0000-01-01")]
        cases += [("f-note", MARKUP + BIDI + SQL, False)]
        valid = {
            "f-qty": "5",
            "f-note": "到货",
            "f-location": "A-01-03",
            "f-incoming": "",
            "f-incoming_date": "",
        }
        await run_cases(pilot, db, dialog, cases, key("ctrl+s"), "form-status", valid, saves=True)


async def test_add_operator_form(db: Database) -> None:
    from order_tui.screens.md_operators import OperatorFormScreen
    from tests.ui.test_masterdata import MdApp

    async with MdApp(db, "admin", "zh", "operators").run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, OperatorFormScreen), screen_text(pilot)
        await pilot.press(*"qian", "enter", "enter", "enter", *"2468", "enter", *"2468", "enter")
        await pilot.press("space")  # one role ticked: the hostile field is the only problem
        cases = [("f-username", v, True) for v in (NUL, "zhao", SQL)]
        cases += [*_text_cases("f-display_name", required=False), ("f-os_user", ESC, True)]
        cases += [("f-pin", v, True) for v in ("12", FORTY, EMOJI)]
        cases += [("f-display_name", MARKUP + BIDI + EMOJI, False)]
        valid = {"f-username": "qian", "f-display_name": "", "f-os_user": "", "f-pin": "2468"}
        await run_cases(pilot, db, form, cases, key("ctrl+s"), "form-status", valid, saves=True)


async def test_reset_pin_dialog(db: Database) -> None:
    """The administrator's PIN reset: digits only, 4 to 12, typed twice alike."""
    from order_tui.screens.md_operators import PinDialog
    from tests.ui.test_masterdata import MdApp

    async with MdApp(db, "admin", "zh", "operators").run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")  # on the first row
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, PinDialog), screen_text(pilot)
        cases = [("f-pin", v, True) for v in ("12", FORTY, EMOJI, SQL)]
        cases += [("f-pin2", "1357", True), ("f-pin2", "2468", False)]
        valid = {"f-pin": "2468", "f-pin2": "2468"}
        await run_cases(pilot, db, dialog, cases, key("ctrl+s"), "form-status", valid, saves=True)


# -- the monthly review's notes; sign-off's and feedback's other fields; the import path -------


async def test_monthly_review_notes(db: Database) -> None:
    from order_tui.screens.monthly_review import MonthlyReviewScreen

    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhang")
        await pilot.press("m")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MonthlyReviewScreen), screen_text(pilot)
        await pilot.press("9")  # the notes section
        cases: list[Case] = [("notes", NUL, True), ("notes", ESC, True), ("notes", LONG * 2, True)]
        cases += [("notes", MARKUP + BIDI + SQL + EMOJI, False)]
        await run_cases(pilot, db, screen, cases, key("ctrl+s"), "status")


async def test_sign_off_other_fields(db: Database, tmp_path: Path) -> None:
    from tests.ui.test_hostile_forms import open_sign_off

    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sign_off(pilot, db, tmp_path)
        cases = _text_cases("f-discrepancy", required=False, long=False)
        when = ["2026-02-30 10:00", "0001-01-01 00:00"]
        cases += [("f-signed_at", v, True) for v in when]
        cases += [("f-receipt", v, True) for v in ("/tmp/a\x00b.pdf", "/没有/这个.jpg")]
        cases += [("f-discrepancy", MARKUP + BIDI + SQL, False)]
        receipt = tmp_path / "签收单.pdf"
        receipt.write_bytes(b"%PDF-1.4\n%%EOF\n")
        valid = {
            "f-discrepancy": "",
            "f-signer": "钱经理",
            "f-signed_at": "00:01",  # today (shipped today)
            "f-receipt": str(receipt),
        }
        await run_cases(
            pilot, db, screen, cases, save_and_confirm, "form-status", valid, saves=True
        )


async def test_feedback_other_fields(db: Database, tmp_path: Path) -> None:
    from tests.ui.test_hostile_forms import open_feedback

    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_feedback(pilot, db, tmp_path)
        await tab_to(pilot, screen.query_one("#f-after_sales"))
        await pilot.press("space")  # after-sales wanted: its text field opens
        cases = _text_cases("f-remarks", required=False, long=False)
        cases += _text_cases("f-after_sales_text", False, False, ESC)
        cases += [("f-remarks", MARKUP + BIDI + SQL + EMOJI, False)]
        valid = {"f-satisfaction": "4", "f-remarks": "", "f-after_sales_text": "上门检修"}
        await run_cases(pilot, db, screen, cases, key("ctrl+s"), "form-status", valid, saves=True)


async def test_import_path(db: Database) -> None:
    from order_tui.screens.import_screen import ImportScreen

    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhang")
        app.push_screen(ImportScreen(db, "zh", app.actor))  # type: ignore[arg-type]
        await settle(pilot)
        paths = ["/tmp/a\x00b.csv", "/tmp/" + "长" * 5000 + ".csv", WIDE_SPACE, SQL, MARKUP]
        cases = [("imp-path", v, True) for v in paths]
        await run_cases(pilot, db, app.screen, cases, key("f9"), "imp-status")
