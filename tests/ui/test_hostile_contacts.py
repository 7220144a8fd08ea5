"""Hostile values in a customer's contact and address dialogs (master data's and order
entry's) and in the intake form's lines, at 80x24, keys only; the helpers and values are
test_hostile_forms.py's (split from it so the test workers share the load evenly)."""

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static

from order_tui.app import OrderApp
from order_tui.screens.intake import LineRow
from order_tui.screens.order_entry import OrderEntryScreen
from order_tui.services import Database
from tests.ui.pilot import logged_in, screen_text, settle, until
from tests.ui.test_hostile_forms import (
    ESC,
    LONG,
    MARKUP,
    NUL,
    ODD_TEXT,
    SIZE,
    WIDE_SPACE,
    error_beside,
    fingerprint,
    open_intake_form,
    put,
)

# -- a customer's further contacts and delivery addresses -------------------------------------
#
# Two pairs of dialogs add them: master data's (c / d on a customer) and order entry's ("+ new
# contact / address" in the header's list). One app per dialog and language. First the values
# each field must refuse, one field at a time (the others valid); then the odd values that a
# name or an address may hold, in every such field at once: that one saves, and the screen
# under the dialog must show it (a "[/]" read as markup there would crash the app).

# The words each language's message is sure to hold for a refused control character.
CONTROL_WORDS = {"zh": "控制字符", "en": "control character"}
CJK = range(0x4E00, 0xA000)


def _in_language(message: str, lang: str) -> bool:
    """A zh message has Chinese in it; an en one has none (no hostile value is echoed)."""
    chinese = any(ord(ch) in CJK for ch in message)
    return chinese if lang == "zh" else not chinese


async def _reach(pilot: Pilot[None], widget: Widget) -> None:
    for _ in range(30):
        if pilot.app.screen.focused is widget:
            return
        await pilot.press("tab")
    raise AssertionError(f"cannot reach #{widget.id}:\n{screen_text(pilot)}")


DialogOpener = Callable[[Pilot[None]], Awaitable[Screen[object]]]
Saver = Callable[[Pilot[None], Screen[object], Input], Awaitable[None]]


async def _ctrl_s(pilot: Pilot[None], _dialog: Screen[object], _field: Input) -> None:
    await pilot.press("ctrl+s")


async def _enter_to_the_end(pilot: Pilot[None], dialog: Screen[object], field: Input) -> None:
    """Enter on each field from this one to the last: the last one's Enter saves."""
    inputs = list(dialog.query(Input))
    await pilot.press(*["enter"] * (len(inputs) - inputs.index(field)))


def _refusals(
    fields: list[str], strict: set[str], optional: set[str], brief: bool
) -> list[tuple[str, str]]:
    """(field, value) each field must refuse: a control character (NUL and ESC in turn), and
    for a required one a blank and a 10,000-character paste (the Input takes none of it, so
    the field is blank too); a field with a format (phone, postcode) refuses the odd text.
    `brief`: the control character and one odd text only (for the second language)."""
    cases: list[tuple[str, str]] = []
    for index, name in enumerate(fields):
        cases.append((name, (NUL, ESC)[index % 2]))
        if name not in optional and not brief:
            cases += [(name, WIDE_SPACE), (name, LONG)]
        if name in strict:
            cases += [(name, value) for value in (ODD_TEXT[2:3] if brief else ODD_TEXT)]
    return cases


async def _hostile_dialog(
    pilot: Pilot[None],
    db: Database,
    lang: str,
    open_dialog: DialogOpener,
    valid: dict[str, str],
    save: Saver,
    strict: set[str],
    optional: set[str] | None = None,
) -> Screen[object]:
    """The refusals (the full set in zh, the English wording of a few in en), then the odd
    values saved; returns the screen the dialog went back to."""
    app = pilot.app
    under = app.screen
    dialog = await open_dialog(pilot)
    for other, good in valid.items():
        await put(pilot, dialog.query_one(f"#f-{other}", Input), good)
    for name, value in _refusals(list(valid), strict, optional or set(), lang == "en"):
        case = f"{lang} {type(dialog).__name__}.{name} <- {value[:20]!r}"
        field = dialog.query_one(f"#f-{name}", Input)
        before = fingerprint(db)
        if await put(pilot, field, value):
            await put(pilot, field, valid[name])  # cut to fit, and said so
            continue
        typed = field.value
        await save(pilot, dialog, field)
        await settle(pilot)
        shown = screen_text(pilot)  # renders: a markup error would raise here
        assert app.is_running and app.return_code is None, f"{case}: the app stopped"
        assert app.screen is dialog, f"{case}: saved:\n{shown}"
        assert field.value == typed, f"{case}: the typed text was changed or lost"
        message = error_beside(dialog, field)
        assert message, f"{case}: no error beside the field:\n{shown}"
        assert _in_language(message, lang), f"{case}: {message!r} is not in {lang}"
        if value in (NUL, ESC) and name not in strict:  # a format's message says the format
            assert CONTROL_WORDS[lang] in message, f"{case}: {message!r}"
        assert fingerprint(db) == before, f"{case}: refused, but something was written"
        await put(pilot, field, valid[name])  # the next case has one problem only
    odd = {name: ODD_TEXT[i % len(ODD_TEXT)] for i, name in enumerate(valid) if name not in strict}
    for name, value in odd.items():
        await put(pilot, dialog.query_one(f"#f-{name}", Input), value)
    last = list(dialog.query(Input))[-1]
    await _reach(pilot, last)
    await save(pilot, dialog, last)
    await settle(pilot)
    shown = screen_text(pilot)
    assert app.is_running and app.screen is under, f"{lang} {odd}: not saved:\n{shown}"
    return under


async def _md_customers(pilot: Pilot[None], lang: str) -> Screen[object]:
    from order_tui.screens.md_customers import CustomersScreen

    await logged_in(pilot, "zhao")
    pilot.app.push_screen(CustomersScreen(pilot.app.db, lang, pilot.app.actor))  # type: ignore[attr-defined,arg-type]
    await settle(pilot)
    return pilot.app.screen


def _md_opener(key: str, kind: type) -> DialogOpener:
    async def open_dialog(pilot: Pilot[None]) -> Screen[object]:
        await pilot.press(key)  # on the list's first customer
        await settle(pilot)
        assert isinstance(pilot.app.screen, kind), screen_text(pilot)
        return pilot.app.screen

    return open_dialog


async def _side_shows(pilot: Pilot[None], *texts: str) -> None:
    """The contacts and addresses under the customer list show `texts` (as typed)."""
    await until(pilot, lambda: all(x in screen_text(pilot) for x in texts))


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_master_data_contact_dialog(db: Database, lang: str) -> None:
    from order_tui.screens.md_customers import ContactDialog

    app = OrderApp(db, demo=True, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await _md_customers(pilot, lang)
        valid = {"contact_name": "钱经理", "contact_phone": "13912345678"}
        opener = _md_opener("c", ContactDialog)
        await _hostile_dialog(pilot, db, lang, opener, valid, _ctrl_s, {"contact_phone"})
        await _side_shows(pilot, "联系人（2）" if lang == "zh" else "Contacts (2)")


ADDRESS = {"province": "浙江省", "city": "杭州市", "district": "西湖区", "detail": "文三路1号"}
OPTIONAL_ADDRESS = {"district", "postcode"}  # blank is fine there


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_master_data_address_dialog(db: Database, lang: str) -> None:
    from order_tui.screens.md_customers import AddressDialog

    app = OrderApp(db, demo=True, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await _md_customers(pilot, lang)
        valid = {**ADDRESS, "postcode": "310012"}
        opener = _md_opener("d", AddressDialog)
        await _hostile_dialog(
            pilot, db, lang, opener, valid, _ctrl_s, {"postcode"}, OPTIONAL_ADDRESS
        )
        await _side_shows(pilot, "收货地址（2）" if lang == "zh" else "addresses (2)")


def _entry_opener(select_id: str) -> DialogOpener:
    """Order entry's header list of contacts or addresses: its last choice adds one."""

    async def open_dialog(pilot: Pilot[None]) -> Screen[object]:
        from order_tui.screens.order_entry import FieldsDialog

        await _reach(pilot, pilot.app.screen.query_one(f"#{select_id}"))
        await pilot.press("enter", "end", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, FieldsDialog), screen_text(pilot)
        return pilot.app.screen

    return open_dialog


async def _entry_for_c0001(pilot: Pilot[None]) -> Screen[object]:
    await logged_in(pilot, "zhao")
    await pilot.press("n")
    await settle(pilot)
    assert isinstance(pilot.app.screen, OrderEntryScreen), screen_text(pilot)
    await pilot.press(*"C0001", "enter")
    await settle(pilot)
    return pilot.app.screen


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_order_entry_contact_dialog(db: Database, lang: str) -> None:
    app = OrderApp(db, demo=True, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _entry_for_c0001(pilot)
        valid = {"name": "钱经理", "phone": "13912345678"}
        opener = _entry_opener("contact")
        await _hostile_dialog(pilot, db, lang, opener, valid, _enter_to_the_end, {"phone"})
        # the new contact is chosen for the order, its name shown as typed
        await until(pilot, lambda: screen.form_values()["contact_name"] == MARKUP)  # type: ignore[attr-defined]
        assert MARKUP in screen_text(pilot)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_order_entry_address_dialog(db: Database, lang: str) -> None:
    app = OrderApp(db, demo=True, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await _entry_for_c0001(pilot)
        valid = {**ADDRESS, "postcode": "310012"}
        opener = _entry_opener("address")
        await _hostile_dialog(
            pilot, db, lang, opener, valid, _enter_to_the_end, {"postcode"}, OPTIONAL_ADDRESS
        )
        assert MARKUP in screen_text(pilot)  # the province, first in the chosen address


# -- the intake form's lines: a refusal names the line it is about -----------------------------

# (row field, value, the message's text after "第 3 行" / "Line 3:" in zh and en)
INTAKE_LINE_CASES = [
    ("qty", "1.23456", (" 数量：最多 4 位小数", "quantity can have at most 4 decimal places")),
    (
        "qty",
        "１．２３４５６",
        (" 数量：最多 4 位小数", "quantity can have at most 4 decimal places"),
    ),
    ("qty", "0", ("：数量应为正数", "Quantity must be a positive number")),
    ("qty", "NaN", ("：请填写数量", "Enter the quantity")),  # the field takes no letters
    ("name", NUL, (" 名称：含有不可见的控制字符", "name contains an invisible control character")),
    ("spec", ESC, (" 规格：含有不可见的控制字符", "spec contains an invisible control character")),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_intake_line_refusals_name_the_line(db: Database, tmp_path: Path, lang: str) -> None:
    """Line 1 valid, line 2 blank (the form skips it, the service never sees it), line 3 with
    one hostile value at a time: the message under line 3 says "line 3", the field keeps what
    was typed and has the focus, nothing is written."""
    from tests.ui.test_intake import fill_line

    app = OrderApp(db, demo=True, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake_form(pilot, db, tmp_path)
        await pilot.press("f7", "f7")  # a blank line 2, then line 3
        await settle(pilot)
        rows = list(screen.query(LineRow))
        assert len(rows) == 3, screen_text(pilot)
        row = rows[2]
        await fill_line(pilot, screen, row, "P0003", "2")
        # English: one of each kind (the service's number and text checks, the form's own)
        cases = INTAKE_LINE_CASES if lang == "zh" else INTAKE_LINE_CASES[::2]
        for name, value, (zh, en) in cases:
            case = f"{lang} line 3 {name} <- {value!r}"
            field = row.field(name)
            good = field.value
            before = fingerprint(db)
            await put(pilot, field, value)
            typed = field.value
            await pilot.press("f9")
            await settle(pilot)
            shown = screen_text(pilot)
            assert app.is_running and app.screen is screen, f"{case}:\n{shown}"
            assert screen.result is None, f"{case}: recorded"  # type: ignore[attr-defined]
            assert field.value == typed, f"{case}: the typed text was changed or lost"
            info = str(row.query_one(".info", Static).render())
            wanted = f"! 第 3 行{zh}" if lang == "zh" else f"! Line 3: {en}"
            assert info.startswith(wanted), f"{case}: {info!r}\n{shown}"
            assert wanted[:8] in shown, f"{case}: not on the screen\n{shown}"
            assert row.error_field == name and screen.focused is field, case
            assert fingerprint(db) == before, f"{case}: refused, but something was written"
            await put(pilot, field, good)
