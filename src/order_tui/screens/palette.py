"""Ctrl+P: one prompt to jump to any order, run what the order allows now, or open a screen.

Why not Textual's own `CommandPalette`: its texts ("No matches found", the search glyph),
its borders and its bindings (no ids) cannot be translated or drawn in ASCII, and its
result batching by wall clock makes key-driven tests flaky. This is a small modal of our
own with the same shape of data: entries from context-sensitive providers.

- With an order in view (a screen with a loaded `detail`, e.g. the order detail screen):
  the lifecycle actions allowed right now for the operator's roles (`allowed_actions`,
  without those a hold blocks), in the operator's language.
- Screens and keys: the bindings of the screen below, of the home screen (new order, new
  intake, ... once those screens bind their keys there) and of the app.
- Orders: typing searches order numbers, customer names and pinyin initials in a thread
  worker (`orders.search_orders` when the service has it, else a bounded scan).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from order_tui.domain.lifecycle import Action, Status, action_label, status_label
from order_tui.domain.mnemonic import mnemonic
from order_tui.screens.fmt import money
from order_tui.screens.i18n import STRINGS, localize_bindings, t
from order_tui.widgets.cells import fit
from order_tui.widgets.field_input import FieldInput

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor
    from order_tui.services.views import OrderDetail, OrderSummary

SEARCH_LIMIT = 20
SCAN_PAGE = 200
SCAN_MAX = 5000  # the fallback scan gives up after this many orders (newest first)
DEBOUNCE_SECONDS = 0.15

# Actions the palette runs itself after a confirmation: they need nothing but the order.
DIRECT_ACTIONS = frozenset(
    {
        Action.SUBMIT,
        Action.RESUBMIT,
        Action.APPROVE,
        Action.PLAN_PRODUCTION,
        Action.START_PICKING,
        Action.COMPLETE,
        Action.ARCHIVE,
    }
)
# Bindings that move inside a list or form are not commands.
NOT_COMMANDS = frozenset({"palette", "help_quit", "open", "clear_filter"})


# -- matching: shared by the palette's order search and the home screen's `/` filter ----------

_RANGE = re.compile(r"^(\d[\d,]*(?:\.\d+)?)?\s*[-~～]\s*(\d[\d,]*(?:\.\d+)?)?$")


@lru_cache(maxsize=4096)
def initials(name: str) -> str:
    """Pinyin initials of a customer name (华信精密电子 -> hxjmdz), cached."""
    try:
        return mnemonic(name)
    except Exception:  # never let a lookup aid break a list
        return ""


def _amount(text: str | None) -> Decimal | None:
    if not text:
        return None
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class OrderFilter:
    """Terms separated by spaces, all of which must match.

    `1000-5000`, `5000-`, `-800` are amount ranges (inclusive); anything else must occur
    in the order number, the customer's name, or the pinyin initials of that name.
    """

    text: str
    words: tuple[str, ...]
    ranges: tuple[tuple[Decimal | None, Decimal | None], ...]

    @classmethod
    def parse(cls, text: str) -> OrderFilter:
        words: list[str] = []
        ranges: list[tuple[Decimal | None, Decimal | None]] = []
        for token in text.split():
            match = _RANGE.match(token)
            if match and (match[1] or match[2]):
                low, high = _amount(match[1]), _amount(match[2])
                if low is not None and high is not None and low > high:
                    low, high = high, low
                ranges.append((low, high))
            else:
                words.append(token.casefold())
        return cls(text.strip(), tuple(words), tuple(ranges))

    def __bool__(self) -> bool:
        return bool(self.words or self.ranges)

    def matches(
        self,
        order_no: str,
        customer: str,
        total: Decimal | str | None = None,
        mnemonic_code: str | None = None,
    ) -> bool:
        if self.ranges:
            amount = _amount(str(total)) if total not in (None, "") else None
            if amount is None:
                return False
            for low, high in self.ranges:
                if (low is not None and amount < low) or (high is not None and amount > high):
                    return False
        if not self.words:
            return True
        number = order_no.casefold()
        name = customer.casefold()
        code: str | None = mnemonic_code
        for word in self.words:
            if word in number or word in name:
                continue
            if word.isascii() and word.isalnum():
                if code is None:
                    code = initials(customer)
                if word in code:
                    continue
            return False
        return True


def scan_orders(
    db: Database, actor: Actor, text: str, limit: int = SEARCH_LIMIT
) -> list[OrderSummary]:
    """Orders matching `text`, newest first, by paging `orders.list_orders` (bounded).

    A stand-in until the services offer an indexed `orders.search_orders(db, text, limit)`.
    """
    from order_tui.domain.order_numbers import parse_order_no
    from order_tui.services import orders

    wanted = OrderFilter.parse(text)
    found: list[OrderSummary] = []
    after = None
    seen = 0
    while seen < SCAN_MAX:
        page = orders.list_orders(db, actor, after=after, limit=SCAN_PAGE)
        for summary in page:
            if wanted.matches(summary.order_no, summary.customer, summary.total):
                found.append(summary)
                if len(found) >= limit:
                    return found
        seen += len(page)
        if len(page) < SCAN_PAGE:
            break
        last = page[-1]
        after = (last.order_day, parse_order_no(last.order_no)[1])
    return found


def find_orders(
    db: Database, actor: Actor, text: str, limit: int = SEARCH_LIMIT
) -> list[OrderSummary]:
    """The service's `search_orders` when it exists, else `scan_orders`."""
    from order_tui.services import orders

    search = getattr(orders, "search_orders", None)
    if callable(search):
        return list(search(db, actor, text, limit))
    return scan_orders(db, actor, text, limit)


# -- entries ---------------------------------------------------------------------------------


@dataclass
class Entry:
    """One line of the palette. `run` is called on the app's thread after the palette closed."""

    section: str  # "actions" | "screens" | "orders"
    label: str
    detail: str
    search: str  # what a typed word may match (lower case)
    run: Callable[[], Any]
    action: str = ""  # the lifecycle action ("submit", ...) of an "actions" entry


def _both(key: str) -> str:
    zh, en = STRINGS.get(key, ("", ""))
    return f"{zh} {en} {initials(zh)}".casefold()


def action_entries(
    detail: OrderDetail, actor: Actor, lang: str, run: Callable[[Action], Any]
) -> list[Entry]:
    """The lifecycle actions this operator may take on the order right now."""
    from order_tui.screens.order_detail import my_actions

    entries = []
    for action, held in my_actions(detail, actor):
        if held:  # blocked by the hold for now: not "allowed right now"
            continue
        zh, en = action_label(action, "zh"), action_label(action, "en")
        entries.append(
            Entry(
                "actions",
                action_label(action, lang),
                "",  # the heading names the order
                f"{zh} {en} {action.value} {initials(zh)}".casefold(),
                lambda action=action: run(action),
                action.value,
            )
        )
    return entries


def key_entries(
    app: Any,
    screen: Screen[object],
    home: Screen[object] | None,
    covered: frozenset[str] = frozenset(),
) -> list[Entry]:
    """Bindings with an id and a description, once each: the screen's, the app's, and from
    the home screen below the ones that open a new screen (actions `new_*`: new order, new
    intake), which make sense from anywhere. Bindings whose action is in `covered` are
    left out (a lifecycle action listed above already runs them)."""
    entries: list[Entry] = []
    seen: set[str] = set()
    nodes = [screen, app] if home is None or home is screen else [screen, home, app]
    for node in nodes:
        for _key, binding in node._bindings:  # the node's own bindings, localized
            if not binding.id or binding.system or not binding.description:
                continue
            if binding.id in NOT_COMMANDS or binding.id in seen or binding.action in covered:
                continue
            if node is home and node is not screen and not binding.action.startswith("new_"):
                continue
            if app._check_action_state(binding.action, node) is not True:
                continue
            seen.add(binding.id)
            entries.append(
                Entry(
                    "screens",
                    binding.description,
                    app.get_key_display(binding),
                    f"{_both('key.' + binding.id)} {binding.description} {binding.id}".casefold(),
                    lambda node=node, action=binding.action: app.run_action(action, node),
                )
            )
    return entries


def screen_action_for(action: Action) -> str:
    """The Textual action a screen names its own form for a lifecycle action by: `edit`
    -> `edit_order` (the order detail's `e`). The palette runs it for that action."""
    return f"{action.value}_order"


def order_entry(summary: OrderSummary, lang: str, run: Callable[[str], Any]) -> Entry:
    status = status_label(Status(summary.status), lang)
    return Entry(
        "orders",
        summary.order_no,
        f"{summary.customer}\t{money(summary.total)}\t{status}",
        summary.order_no.casefold(),
        lambda: run(summary.order_no),
    )


def filter_entries(entries: list[Entry], text: str) -> list[Entry]:
    words = text.casefold().split()
    return [e for e in entries if all(w in e.search for w in words)]


# -- the screens -------------------------------------------------------------------------------


class PaletteScreen(ModalScreen[None]):
    """The palette: an input above a list of entries grouped by section."""

    DEFAULT_CSS = """
    PaletteScreen {
        align-horizontal: center;
        align-vertical: top;
    }
    PaletteScreen > Vertical {
        width: 78;
        max-width: 100%;
        height: auto;
        max-height: 22;
        margin-top: 1;
        border: round $primary;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    PaletteScreen #palette-input {
        margin: 0;
    }
    PaletteScreen OptionList {
        height: auto;
        max-height: 16;
        border: none;
        padding: 0;
        scrollbar-size-vertical: 1;
        & > .option-list--option-disabled {
            color: $text-muted;
            text-style: bold;
        }
    }
    PaletteScreen #palette-status {
        height: 1;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "run", "Run", id="palette_run", priority=True),
        Binding("escape", "close", "Close", id="close", priority=True),
        Binding("ctrl+p", "close", "Close", id="palette", show=False, priority=True),
        Binding("down", "move(1)", "Next", id="palette_down", show=False, priority=True),
        Binding("up", "move(-1)", "Previous", id="palette_up", show=False, priority=True),
        Binding(
            "pagedown", "move(10)", "Page down", id="palette_page_down", show=False, priority=True
        ),
        Binding("pageup", "move(-10)", "Page up", id="palette_page_up", show=False, priority=True),
    ]

    def __init__(
        self,
        db: Database,
        actor: Actor,
        lang: str,
        commands: list[Entry],
        open_order: Callable[[str], Any],
        *,
        order_no: str | None = None,
    ) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.lang = lang
        self.commands = commands
        self.open_order = open_order
        self.order_no = order_no
        self.shown: list[Entry] = []
        self.orders: list[Entry] = []
        self.searching = False
        localize_bindings(self, lang)

    def compose(self) -> ComposeResult:
        box = Vertical(id="palette")
        box.border_title = t("palette.title", self.lang)
        box.border_subtitle = t("palette.hint", self.lang)
        with box:
            yield FieldInput(
                placeholder=t("palette.placeholder", self.lang),
                id="palette-input",
                compact=True,
            )
            yield OptionList(id="palette-list", compact=True)
            yield Static("", id="palette-status", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._render_list()

    @property
    def text(self) -> str:
        return self.query_one(Input).value.strip()

    # -- searching -----------------------------------------------------------------------------

    @on(Input.Changed, "#palette-input")
    def _changed(self, event: Input.Changed) -> None:
        self.orders = []
        text = event.value.strip()
        self.searching = bool(text)
        self._render_list()
        if text:
            self.search(text)
        else:
            self.workers.cancel_group(self, "palette-search")

    @work(thread=True, exclusive=True, group="palette-search", exit_on_error=False)
    def search(self, text: str) -> None:
        time.sleep(DEBOUNCE_SECONDS)  # the next keystroke cancels this one
        if get_current_worker().is_cancelled:
            return
        try:
            found = find_orders(self.db, self.actor, text)
        except Exception:  # a search aid: show nothing rather than fail
            found = []
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._found, text, found)

    def _found(self, text: str, found: list[OrderSummary]) -> None:
        if not self.is_attached or self.text != text:
            return  # a newer search is on its way
        self.searching = False
        self.orders = [order_entry(s, self.lang, self.open_order) for s in found]
        self._render_list()

    # -- the list ------------------------------------------------------------------------------

    def _render_list(self) -> None:
        text = self.text
        commands = filter_entries(self.commands, text) if text else list(self.commands)
        entries = commands + self.orders
        options = self.query_one(OptionList)
        width = max(options.size.width or 74, 40) - 2
        keep = self._current()
        options.clear_options()
        self.shown = []
        section = ""
        for entry in entries:
            if entry.section != section:
                section = entry.section
                options.add_option(Option(Text(self._heading(section)), disabled=True))
            self.shown.append(entry)
            options.add_option(
                Option(self._row(entry, width), id=str(len(self.shown) - 1)),
            )
        first = next((i for i, o in enumerate(options.options) if not o.disabled), None)
        if keep is not None and keep in self.shown:
            first = options.get_option_index(str(self.shown.index(keep)))
        options.highlighted = first
        if self.searching:
            status = t("palette.searching", self.lang)
        elif not self.shown:
            status = t("palette.nothing", self.lang)
        else:
            status = t("palette.count", self.lang, count=len(self.shown))
        self.query_one("#palette-status", Static).update(status)

    def _heading(self, section: str) -> str:
        if section == "actions":
            return t("palette.actions", self.lang, order_no=self.order_no or "")
        return t(f"palette.{section}", self.lang)

    def _row(self, entry: Entry, width: int) -> Text:
        row = Text(" ")
        if entry.section == "orders":
            customer, total, status = entry.detail.split("\t")
            name_w = max(width - 14 - 12 - 10 - 4, 8)
            row.append(fit(entry.label, 14))
            row.append(fit(customer, name_w) + " ")
            row.append(fit(total, 12, "right") + " ")
            row.append(fit(status, 8), style="bold")
            return row
        label_w = max(width - 20, 10)
        row.append(fit(entry.label, label_w))
        row.append(fit(entry.detail, max(width - 1 - label_w, 0), "right"), style="dim")
        return row

    def _current(self) -> Entry | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        option_id = options.get_option_at_index(options.highlighted).id
        return self.shown[int(option_id)] if option_id is not None else None

    # -- keys ----------------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        enabled = [i for i, o in enumerate(options.options) if not o.disabled]
        if not enabled:
            return
        current = options.highlighted
        position = enabled.index(current) if current in enabled else 0
        position = max(0, min(len(enabled) - 1, position + step))
        options.highlighted = enabled[position]

    @on(OptionList.OptionSelected, "#palette-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_run()

    def action_run(self) -> None:
        entry = self._current()
        if entry is None:
            return
        self.dismiss(None)
        self.app.call_later(entry.run)

    def action_close(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A one-line question: Enter confirms, Esc cancels."""

    DEFAULT_CSS = """
    ConfirmScreen {
        align: center middle;
    }
    ConfirmScreen > Vertical {
        width: auto;
        min-width: 40;
        max-width: 100%;
        height: auto;
        border: round $warning;
        background: $surface;
        padding: 0 2;
    }
    ConfirmScreen #confirm-question {
        text-style: bold;
        width: auto;
    }
    ConfirmScreen #confirm-hint {
        color: $text-muted;
        width: auto;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "answer(True)", "Confirm", id="confirm_yes", priority=True),
        Binding("escape", "answer(False)", "Cancel", id="confirm_no", priority=True),
    ]

    def __init__(self, lang: str, question: str) -> None:
        super().__init__()
        self.lang = lang
        self.question = question
        localize_bindings(self, lang)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, id="confirm-question", markup=False)
            yield Static(t("palette.confirm_hint", self.lang), id="confirm-hint", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
