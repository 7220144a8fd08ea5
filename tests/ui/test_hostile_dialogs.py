"""Hostile values in the dialogs test_hostile_forms.py leaves out, at 80x24, keys only.

One app per dialog; per field a refused text or number or two, a long one and an odd one
that may save, the refused ones first (an odd value that saves closes the dialog and ends
the run). What must hold: the app keeps running, the field keeps what was typed, a refusal
is shown beside the field or in the dialog's own error line, and nothing is written.
"""

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
from tests.ui.pilot import logged_in, screen_text, settle
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
    for _ in range(40):
        if pilot.app.screen.focused is area:
            break
        await pilot.press("tab")
    else:
        raise AssertionError(f"cannot reach #{area.id}:\n{screen_text(pilot)}")
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
) -> None:
    app = pilot.app
    valid = valid or {}
    for ident, good in valid.items():
        await put(pilot, screen.query_one(f"#{ident}", Input), good)
    for ident, value, refused in cases:
        case = f"{type(screen).__name__}#{ident} <- {value[:20]!r}"
        field = screen.query_one(f"#{ident}")
        before = fingerprint(db)
        if isinstance(field, TextArea):
            await paste_area(pilot, field, value)
            typed = field.text
        else:
            assert isinstance(field, Input)
            await put(pilot, field, value)
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
        assert app.screen is screen, f"{case}: left the dialog:\n{shown}"
        if refused:
            assert shown_error(screen, field, line), f"{case}: no error shown:\n{shown}"  # type: ignore[arg-type]
            assert fingerprint(db) == before, f"{case}: refused, but something was written"
        if ident in valid:
            await put(pilot, field, valid[ident])  # type: ignore[arg-type]


def _text_cases(ident: str, required: bool = True, long: bool = True) -> list[Case]:
    cases = [(ident, NUL, True), (ident, ESC, True)]
    if long:
        cases.append((ident, LONG, True))
    if required:
        cases.append((ident, WIDE_SPACE, True))
    return cases


async def enter_on_last(pilot: Pilot[None], screen: Screen[object], _field: Input) -> None:
    """Enter on the dialog's last input confirms it (its others are valid)."""
    last = list(screen.query(Input))[-1]
    await put_focus(pilot, last)
    await pilot.press("enter")


async def put_focus(pilot: Pilot[None], widget: Input) -> None:
    for _ in range(40):
        if pilot.app.screen.focused is widget:
            return
        await pilot.press("tab")
    raise AssertionError(f"cannot reach #{widget.id}:\n{screen_text(pilot)}")


def key(name: str) -> Save:
    async def save(pilot: Pilot[None], _screen: Screen[object], _field: Input) -> None:
        await pilot.press(name)

    return save


async def enter_here(pilot: Pilot[None], _screen: Screen[object], field: Input) -> None:
    await put_focus(pilot, field)
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
        cases = _text_cases("hold-text") + _text_cases("hold-owner", required=False)
        cases += [("hold-owner", SQL, True), ("hold-text", MARKUP + BIDI + EMOJI, False)]
        valid = {"hold-text": "供应商延迟", "hold-owner": "zhao"}
        await run_cases(pilot, db, app.screen, cases, enter_on_last, "dlg-error", valid)


async def test_release_dialog(db: Database, cast: DemoCast, tmp_path: Path) -> None:
    from order_tui.screens.holds import ReleaseDialog

    no = _order(db, cast, Status.APPROVED, tmp_path)
    execution.raise_hold(db, cast["zhao"], no, "delay", "供应商延迟")
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        app.push_screen(ReleaseDialog(db, "zh", app.actor, no, no, []))  # type: ignore[arg-type]
        await settle(pilot)
        cases = _text_cases("hold-solution") + [("hold-solution", MARKUP + SQL, False)]
        await run_cases(pilot, db, app.screen, cases, enter_on_last, "dlg-error")


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
            ("scan", f"P0005*{v}", True) for v in (HUGE, "NaN", "-5", FORTY, WIDE_DIGITS + "0")
        ]
        cases += [("scan", SQL, True), ("scan", MARKUP, True)]
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
        numbers = [HUGE, "NaN", "-5", FORTY, "0"]
        cases = [("pack-count", v, True) for v in numbers]
        cases += [("pack-weight", v, True) for v in (HUGE, "NaN", "-5", FORTY)]
        cases += _text_cases("pack-notes", required=False)
        cases += [("pack-weight", WIDE_DIGITS, False), ("pack-notes", MARKUP + BIDI, False)]
        valid = {"pack-count": "1", "pack-weight": "2.5", "pack-notes": "纸箱"}
        await run_cases(pilot, db, app.screen, cases, enter_on_last, "pack-error", valid)
