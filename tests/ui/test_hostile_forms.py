"""Hostile values typed or pasted into the form fields, at 80x24, keys only.

For each form a handful of values per field (screens are slow, so no hypothesis): ASCII by
key presses, the rest (CJK, emoji, controls, bidi marks, 10,000 characters) through the
terminal's paste path. Then the form's save key. What must hold: the app did not crash,
the typed text is still in the field, an error is shown beside the field, and nothing was
written (drafts of the form itself aside: keeping what was typed is their job). A paste
longer than the field holds is cut to fit, with a note beside the field saying so; that
value is then a fine one, so such a case ends there.
"""

import hashlib
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text
from textual import events
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static

from order_tui.app import OrderApp
from order_tui.domain.lifecycle import Status
from order_tui.screens.archive import ArchiveBrowser
from order_tui.screens.customer_form import CustomerFormScreen
from order_tui.screens.feedback import FeedbackScreen
from order_tui.screens.intake import LineRow
from order_tui.screens.md_products import ProductFormScreen
from order_tui.screens.order_entry import OrderEntryScreen
from order_tui.screens.shipping import ShipmentScreen
from order_tui.screens.signoff import SignOffScreen
from order_tui.services import Database, operators
from order_tui.services.demo import DemoCast, drive_to, new_order
from order_tui.widgets.field_input import NUMBER_LIKE, FieldInput
from order_tui.widgets.line_grid import LineGrid
from tests.hostile import FAMILY, RLO, SQL
from tests.ui.pilot import logged_in, screen_text, settle, tab_to

SIZE = (80, 24)

NUL = "a\x00b"
ESC = "\x1b[31mred"
MARKUP = "[b]粗体[/b][/]"  # would break a Static that renders markup
BIDI = RLO + "fdp.exe"
EMOJI = "😀" + FAMILY
LONG = "中" * 10_000
WIDE_SPACE = "\u3000\u3000"


def fingerprint(db: Database) -> str:
    """Every row of every table but the form drafts (keeping typed input is their job)."""
    digest = hashlib.sha256()
    with db.read_engine.connect() as conn:
        for name in sorted(sa_inspect(conn).get_table_names()):
            if name == "form_draft":
                continue
            for row in conn.execute(text(f'SELECT * FROM "{name}" ORDER BY 1')):
                digest.update(repr(tuple(row)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


async def put(pilot: Pilot[None], field: Input, value: str) -> bool:
    """Focus `field` with Tab (keys only), clear it and type or paste `value` (as the terminal
    pastes: to the app). True when the paste was longer than the field holds: then the field
    kept what fits (or nothing, where its format refuses that) and the note beside it says so.
    """
    await tab_to(pilot, field)
    await pilot.press("ctrl+u", "ctrl+k")
    if value.isascii() and value.isalnum() and len(value) < 30:
        await pilot.press(*value)
        await pilot.pause()
        return False
    pilot.app.post_message(events.Paste(value))
    await pilot.pause()
    lines = [ln for ln in value.splitlines() if ln.strip()]  # the field takes the first
    line = lines[0] if lines else value.strip("\r\n")
    if not field.max_length or len(line) <= field.max_length:
        return False
    assert isinstance(field, FieldInput), f"#{field.id} is a plain Input"
    assert field.value in (line[: field.max_length], ""), f"#{field.id}: {field.value[:20]!r}"
    assert field.note, f"#{field.id}: the paste was cut, and nothing says so"
    if NUMBER_LIKE.fullmatch(line.strip()):
        assert not field.value, f"#{field.id}: a number was cut: {field.value!r}"
    if field.value:
        assert str(field.max_length) in field.note, f"#{field.id}: {field.note!r}"
    return True


def error_beside(screen: Screen[object], field: Input) -> str:
    """The error shown within a few rows of `field` (the forms put it right under)."""
    top = field.region.y
    for widget in screen.query(Static):
        ident = widget.id or ""
        is_error = ident.startswith(("err-", "e-")) or ident.endswith("-error")
        if not is_error or not widget.display or not widget.region.height:
            continue
        shown = str(widget.render()).strip()
        if shown and top - 1 <= widget.region.y <= top + 3:
            return shown
    return ""


Opener = Callable[[Pilot[None], Database, Path], Awaitable[Screen[object]]]


async def _delivery(pilot: Pilot[None], db: Database, kind: type, status: Status, tmp: Path):
    cast = {n: operators.find_actor(db, n) for n in ("zhao", "zhang", "chen", "liu", "sun")}
    cast |= {n: operators.find_actor(db, n) for n in ("zhou", "wang", "wu")}
    no = new_order(db, cast, "C0002", [("P0005", "3")])  # type: ignore[arg-type]
    drive_to(db, cast, no, status, tmp)  # type: ignore[arg-type]
    user = "wang" if kind is FeedbackScreen else "zhou"
    await logged_in(pilot, user)
    pilot.app.push_screen(kind(db, "zh", pilot.app.actor, no))  # type: ignore[attr-defined]
    await settle(pilot)
    return pilot.app.screen


async def open_ship(pilot: Pilot[None], db: Database, tmp: Path) -> Screen[object]:
    return await _delivery(pilot, db, ShipmentScreen, Status.PACKED, tmp)


async def open_sign_off(pilot: Pilot[None], db: Database, tmp: Path) -> Screen[object]:
    return await _delivery(pilot, db, SignOffScreen, Status.SHIPPED, tmp)


async def open_feedback(pilot: Pilot[None], db: Database, tmp: Path) -> Screen[object]:
    return await _delivery(pilot, db, FeedbackScreen, Status.DELIVERED, tmp)


async def open_product(pilot: Pilot[None], db: Database, tmp: Path) -> Screen[object]:
    await logged_in(pilot, "zhang")
    pilot.app.push_screen(ProductFormScreen(db, "zh", pilot.app.actor))  # type: ignore[attr-defined]
    await settle(pilot)
    return pilot.app.screen


async def open_customer(pilot: Pilot[None], db: Database, tmp: Path) -> Screen[object]:
    await logged_in(pilot, "zhao")
    valid = {  # every other field valid, so the hostile one is the form's only problem
        "code": "C9001",
        "legal_name": "杭州新客户有限公司",
        "uscc": "91330100MA2B0TMW18",
        "contact_name": "钱经理",
        "contact_phone": "13912345678",
        "province": "浙江省",
        "city": "杭州市",
        "district": "西湖区",
        "detail": "文三路1号",
    }
    pilot.app.push_screen(CustomerFormScreen(db, "zh", pilot.app.actor, initial=valid))  # type: ignore[attr-defined]
    await settle(pilot)
    return pilot.app.screen


async def open_archive(pilot: Pilot[None], db: Database, tmp: Path) -> Screen[object]:
    await logged_in(pilot, "wu")
    await pilot.press("b")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ArchiveBrowser), screen_text(pilot)
    return pilot.app.screen


async def open_intake_form(pilot: Pilot[None], db: Database, tmp: Path) -> Screen[object]:
    """The intake form with a customer and one valid line: only the hostile field is wrong."""
    from tests.ui.test_intake import choose_customer, fill_line, open_intake

    screen = await open_intake(pilot)
    await choose_customer(pilot)
    await fill_line(pilot, screen, screen.query_one(LineRow), "P0001", "1")
    return screen


# (opener, field id, save key): the fields of each form that take free text or numbers.
FORMS: dict[str, tuple[Opener, str, str]] = {
    "intake.contact": (open_intake_form, "contact", "f9"),
    "intake.phone": (open_intake_form, "phone", "f9"),
    "intake.description": (open_intake_form, "description", "f9"),
    "ship.carrier": (open_ship, "f-carrier", "ctrl+s"),
    "ship.tracking": (open_ship, "f-tracking", "ctrl+s"),
    "ship.qty": (open_ship, "f-qty_1", "ctrl+s"),
    "sign_off.signer": (open_sign_off, "f-signer", "ctrl+s"),
    "feedback.satisfaction": (open_feedback, "f-satisfaction", "ctrl+s"),
    "product.name": (open_product, "f-name", "ctrl+s"),
    "product.list_price": (open_product, "f-list_price", "ctrl+s"),
    "customer.legal_name": (open_customer, "legal_name", "f9"),
    "customer.uscc": (open_customer, "uscc", "f9"),
    "customer.phone": (open_customer, "contact_phone", "f9"),
    "archive.customer": (open_archive, "s-customer", "enter"),
    "archive.amount": (open_archive, "s-amount_from", "enter"),
}

# Refused wherever typed: invisible controls, more than any text column holds, a blank.
REFUSED_TEXT = [NUL, ESC, LONG, WIDE_SPACE]
# Fine as text (a name may hold them), so saved or refused for another field; never a crash.
ODD_TEXT = [MARKUP, BIDI, SQL, EMOJI]
NUMBERS = ["1e30", "NaN", "-5", "1" + "0" * 40, "１２。３４５６７８９", EMOJI]
# Fields whose format refuses anything odd too.
STRICT = {"customer.uscc", "customer.phone", "ship.tracking", "intake.phone"}


# Search fields store nothing: a long or blank filter just finds nothing (or everything).
SEARCH = {"archive.customer"}
OPTIONAL = {"intake.description"}


def _values(form: str) -> list[tuple[str, bool]]:
    if form.endswith(("qty", "price", "amount", "satisfaction")):
        return [(v, True) for v in NUMBERS]
    if form in SEARCH:
        return [(v, v in (NUL, ESC)) for v in REFUSED_TEXT + ODD_TEXT]
    if form in OPTIONAL:  # blank is fine there
        return [(v, v != WIDE_SPACE) for v in REFUSED_TEXT] + [(v, False) for v in ODD_TEXT]
    return [(v, True) for v in REFUSED_TEXT] + [(v, form in STRICT) for v in ODD_TEXT]


@pytest.mark.parametrize("form", list(FORMS))
async def test_hostile_values_in_a_field(db: Database, tmp_path: Path, form: str) -> None:
    """One app per field (starting one costs a second); the values one after the other,
    the refused ones first: an odd value that saves leaves the form, and ends the run."""
    opener, field_id, save = FORMS[form]
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await opener(pilot, db, tmp_path)
        field = screen.query_one(f"#{field_id}", Input)
        for value, refused in _values(form):
            case = f"{form} <- {value[:20]!r}"
            before = fingerprint(db)
            if await put(pilot, field, value):
                continue  # cut to fit, and said so
            typed = field.value
            # An Input that restricts what it takes (digits only, one character) already
            # refused the rest: what is left may be fine.
            refused = refused and typed == value.splitlines()[0]
            await pilot.press(save)
            await settle(pilot)
            shown = screen_text(pilot)  # renders: a markup error would raise here
            assert app.is_running and app.return_code is None, f"{case}: the app stopped"
            assert field.value == typed, f"{case}: the typed text was changed or lost"
            if not refused and pilot.app.screen is not screen:
                return  # saved: the value was fine after all
            assert pilot.app.screen is screen, f"{case}: left the form:\n{shown}"
            if refused:
                assert error_beside(screen, field), f"{case}: no error beside the field:\n{shown}"
                assert fingerprint(db) == before, f"{case}: refused, but something was written"


async def test_reject_reason_text_is_checked_before_the_dialog_closes(
    db: Database, cast: DemoCast
) -> None:
    """The service would refuse a NUL or 2,001 characters after the dialog is gone, and the
    typed text with it: the dialog says so beside the field and keeps it."""
    from order_tui.screens.review import VerdictDialog
    from tests.ui.test_review import review_of, submitted

    order_no = submitted(db, cast, "C0002", [("P0001", "2", None)])
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "chen")
        await review_of(pilot, order_no)
        await pilot.press("r")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, VerdictDialog)
        await pilot.press("enter")  # the reason under the cursor; on to the text
        field = dialog.query_one("#dlg-text", Input)
        for value in (NUL, ESC, "中" * 2001):
            before = fingerprint(db)
            await put(pilot, field, value)
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen is dialog, f"{value[:10]!r}: the dialog closed"
            assert field.value == value
            assert error_beside(dialog, field), screen_text(pilot)
            assert fingerprint(db) == before


async def _order_entry(pilot: Pilot[None]) -> tuple[Screen[object], LineGrid]:
    """A new order for C0001 with the cursor on line 1's quantity (keys as a clerk types)."""
    await logged_in(pilot, "zhao")
    await pilot.press("n")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, OrderEntryScreen), screen_text(pilot)
    await pilot.press(*"C0001", "enter")
    await settle(pilot)
    await pilot.press("f6", *"P0001", "enter")
    await settle(pilot)
    return screen, screen.query_one(LineGrid)


def _plain(screen: Screen[object], ident: str) -> str:
    return str(screen.query_one(f"#{ident}").plain)  # type: ignore[attr-defined]


async def test_order_line_quantity(db: Database) -> None:
    """Each value pasted into line 1's quantity, then Ctrl+S: refused by the line, kept."""
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen, grid = await _order_entry(pilot)
        for value in ["1e30", "NaN", "-5", "1" + "0" * 40, "1.23456", EMOJI, NUL]:
            before = fingerprint(db)
            grid.post_message(events.Paste(value))  # the cursor is on the quantity
            await pilot.pause()
            await pilot.press("enter")
            assert grid.lines[0].qty == value
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.is_running and app.screen is screen
            assert screen.order_no is None, value  # type: ignore[attr-defined]
            assert grid.lines[0].qty == value
            assert "第 1 行" in _plain(screen, "notice"), screen_text(pilot)
            assert grid.column == "qty"  # back on the bad cell
            assert fingerprint(db) == before


HEADER_CASES = [
    ("freight", "1e30"),
    ("freight", "NaN"),
    ("freight", "9" * 20),
    ("discount", "-5"),
    ("discount", EMOJI),
    ("remarks", NUL),
    ("remarks", ESC),
]


async def test_order_header_fields(db: Database) -> None:
    """Each header value with a valid line; the field is put right before the next one."""
    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen, _grid = await _order_entry(pilot)
        await pilot.press("1", "enter")  # a valid quantity: the header is the only problem
        for field_id, value in HEADER_CASES:
            case = f"{field_id} <- {value[:20]!r}"
            field = screen.query_one(f"#{field_id}", Input)
            before = fingerprint(db)
            await put(pilot, field, value)
            typed = field.value
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.is_running and app.screen is screen, case
            assert screen.order_no is None, f"{case}: saved"  # type: ignore[attr-defined]
            assert field.value == typed, case
            assert _plain(screen, "header-error"), f"{case}\n{screen_text(pilot)}"
            assert fingerprint(db) == before, case
            await put(pilot, field, "" if field_id == "remarks" else "0.00")


async def test_attachment_path(db: Database) -> None:
    """Paths no file system opens: the dialog says why in words and keeps the path."""
    from order_tui.screens.order_entry import AttachmentsDialog

    app = OrderApp(db, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen, _grid = await _order_entry(pilot)
        await pilot.press("1", "enter", "ctrl+s")  # attachments need the order's number
        await settle(pilot)
        assert screen.order_no is not None  # type: ignore[attr-defined]
        await pilot.press("f7")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AttachmentsDialog)
        field = dialog.query_one("#att-path", Input)
        for value in ("/tmp/a\x00b.pdf", "/tmp/" + "长" * 5000 + ".pdf", "/没有/这个.pdf", ESC):
            before = fingerprint(db)
            await put(pilot, field, value)
            await pilot.press("enter")
            await settle(pilot)
            status = str(dialog.query_one("#att-status", Static).render())
            assert app.screen is dialog and field.value == value
            assert status.strip() and "Errno" not in status, status
            assert fingerprint(db) == before
