"""What the shipping, sign-off and feedback screens share: a pick-one dialog (F4), a choice
between two answers that reads without colour, date and time parsing, error lines, form
drafts, and the routing from a lifecycle action to its form.

Services are imported inside functions and workers only, so importing this module does not
load the ORM.
"""

from __future__ import annotations

import inspect
import re
import unicodedata
from abc import abstractmethod
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from order_tui.domain.errors import Conflict
from order_tui.domain.lifecycle import (
    NOT_ON_HOLD,
    Action,
    Status,
    action_label,
    rule_for,
    status_label,
)
from order_tui.screens.fmt import local_time
from order_tui.screens.i18n import error_text, localize_bindings, register, t
from order_tui.screens.md_common import PAGE, MdFormScreen, MdListScreen, relabel
from order_tui.screens.palette import OrderFilter, initials
from order_tui.widgets.field_input import FieldInput
from order_tui.widgets.status_line import app_now

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor

T = TypeVar("T")

register(
    {
        "key.dlv_receipt": ("打印签收单", "Receipt"),
        "dlv.printing": ("正在生成签收单 PDF…", "Writing the delivery receipt PDF…"),
        "dlv.printed": ("签收单已保存：{path}", "Delivery receipt written: {path}"),
        "key.dlv_pick": ("确定", "Pick"),
        "key.dlv_cancel": ("取消", "Cancel"),
        "key.dlv_down": ("下一项", "Next"),
        "key.dlv_up": ("上一项", "Previous"),
        "key.dlv_choose": ("切换", "Switch"),
        "dlv.choice.count": (
            "{count} 项 · ↑↓ 选择 · Enter 确定 · Esc 取消",
            "{count} found · ↑↓ move · Enter pick · Esc cancel",
        ),
        "dlv.choice.filter": ("输入名称或拼音首字母筛选", "type part of a name or its initials"),
        "dlv.choice.none": (
            "没有匹配项 · Enter 使用所输入的内容 · Esc 取消",
            "Nothing matches · Enter uses what you typed · Esc cancel",
        ),
        "dlv.conflict": (
            "该订单已被 {who} 于 {when} 修改，请按 F5 重新载入（您的输入仍在）",
            "The order was changed by {who} at {when}: press F5 to reload (your input stays)",
        ),
        "dlv.bad_date": (
            "日期格式：2026-11-21、11-21 或 20261121",
            "Date as 2026-11-21, 11-21 or 20261121",
        ),
        "dlv.bad_time": (
            "时间格式：2026-11-21 15:30、11-21 15:30 或 15:30（今天）",
            "Time as 2026-11-21 15:30, 11-21 15:30 or 15:30 (today)",
        ),
        "dlv.draft_restored": (
            "已恢复 {time} 未提交的输入",
            "Restored your unsent input from {time}",
        ),
        "dlv.saving": ("正在保存…", "Saving…"),
        "dlv.loading": ("正在加载…", "Loading…"),
        "dlv.on_hold": ("【挂起】", "[ON HOLD]"),
        "dlv.held": (
            "订单挂起中：{text}。由内勤解除挂起后才能继续。",
            "The order is on hold: {text}. The clerk must release the hold first.",
        ),
        "dlv.not_now": (
            "订单当前为“{status}”，现在不能{action}。",
            "The order is {status}: no {action} now.",
        ),
        "dlv.no_role": ("您的角色不能执行“{action}”", "Your roles may not do: {action}"),
        "dlv.yes": ("是", "Yes"),
        "dlv.no": ("否", "No"),
    }
)


# -- parsing what was typed ------------------------------------------------------------------


def _normal(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).strip()
    for old, new in (("年", "-"), ("月", "-"), ("日", " "), ("/", "-"), (".", "-"), ("时", ":")):
        s = s.replace(old, new)
    return " ".join(s.split())


def parse_date(text: str, today: date) -> date | None:
    """2026-11-21, 2026/11/21, 20261121, 2026年11月21日 or 11-21 (this year). "" -> None."""
    s = _normal(text)
    if not s:
        return None
    if re.fullmatch(r"\d{8}", s):
        return date(int(s[:4]), int(s[4:6]), int(s[6:]))
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{1,2})-(\d{1,2})", s):
        return date(today.year, int(m[1]), int(m[2]))
    raise ValueError(text)


def parse_when(text: str, now: datetime) -> datetime | None:
    """A local date and time as an aware datetime in `now`'s zone: "2026-11-21 15:30",
    "11-21 15:30", "15:30" (today), or a date alone (its noon is never what is meant, so a
    time is required)."""
    s = _normal(text)
    if not s:
        return None
    parts = s.split(" ")
    clock = parts[-1]
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", clock)
    if m is None:
        raise ValueError(text)
    day = parse_date(" ".join(parts[:-1]), now.date()) if len(parts) > 1 else now.date()
    assert day is not None
    return datetime(day.year, day.month, day.day, int(m[1]), int(m[2]), tzinfo=now.tzinfo)


def parse_qty(text: str) -> Decimal | None:
    """ "3", "１.５" -> Decimal; "" -> None; ValueError when not a number >= 0."""
    s = unicodedata.normalize("NFKC", text).replace(",", "").strip()
    if not s:
        return None
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or value < 0:
        raise ValueError(text)
    return value


def local_now(screen: Screen[object], timezone: str) -> datetime:
    """Now in the business time zone, from the app's clock (frozen in tests)."""
    now = app_now(screen.app, timezone)
    return now if now.tzinfo is not None else now.replace(tzinfo=ZoneInfo(timezone))


def problem(exc: BaseException, lang: str, timezone: str) -> str:
    """One line for the operator: a stale order in words, else the coded message."""
    if isinstance(exc, Conflict):
        when = local_time(exc.changed_at or "", timezone, "%m-%d %H:%M")
        return t("dlv.conflict", lang, who=exc.changed_by or "?", when=when)
    return error_text(exc, lang)


# -- a choice between a few answers, by keys, readable without colour -------------------------


class Choice(Widget, can_focus=True):
    """`[x] 确认  [ ] 异常`: Space switches, Left/Right pick the answer on that side (the
    form's Enter moves on)."""

    DEFAULT_CSS = """
    Choice {
        height: auto;
        width: 1fr;
    }
    Choice:focus {
        text-style: bold;
        background: $boost;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "switch", "Switch", id="dlv_choose", show=False),
        Binding("right", "step(1)", "Switch", id="dlv_choose", show=False),
        Binding("left", "step(-1)", "Switch", id="dlv_choose", show=False),
    ]

    class Changed(Message):
        def __init__(self, choice: Choice, value: str) -> None:
            super().__init__()
            self.choice = choice
            self.value = value

        @property
        def control(self) -> Choice:
            return self.choice

    def __init__(
        self,
        options: list[tuple[str, str]],
        value: str,
        *,
        lang: str,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.options = options  # (code, label)
        self._value = value
        self.lang = lang

    def on_mount(self) -> None:
        localize_bindings(self, self.lang)

    @property
    def value(self) -> str:
        return self._value

    @value.setter
    def value(self, value: str) -> None:
        if value != self._value and value in {code for code, _ in self.options}:
            self._value = value
            self.refresh()
            self.post_message(self.Changed(self, value))

    def render(self) -> Text:
        """The answers in a row, wrapped between answers (never inside one) when narrow."""
        text = Text(no_wrap=True)
        width = self.size.width or 80
        used = 0
        for code, label in self.options:
            mark = "x" if code == self._value else " "
            part = f"[{mark}] {label}"
            size = cell_len(part)
            if used and used + 2 + size > width:
                text.append("\n")
                used = 0
            elif used:
                text.append("  ")
                used += 2
            text.append(part, style="bold" if code == self._value else "")
            used += size
        return text

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        used, lines = 0, 1
        for _code, label in self.options:
            size = cell_len(f"[ ] {label}")
            if used and used + 2 + size > width:
                lines += 1
                used = 0
            used += size + (2 if used else 0)
        return lines

    def on_resize(self) -> None:
        self.refresh(layout=True)

    def action_switch(self) -> None:
        codes = [code for code, _ in self.options]
        self.value = codes[(codes.index(self._value) + 1) % len(codes)]

    def action_step(self, step: int) -> None:
        codes = [code for code, _ in self.options]
        index = max(0, min(len(codes) - 1, codes.index(self._value) + step))
        self.value = codes[index]

    def on_click(self, event: events.Click) -> None:  # keys are the way; a click does no harm
        event.stop()


# -- F4: pick one from a list, or keep what was typed -----------------------------------------


class ChoiceDialog(ModalScreen[str | None]):
    """A filterable list (name, pinyin initials) of values; Enter picks the highlighted one
    (or, when nothing matches, what was typed), Esc returns None."""

    DEFAULT_CSS = """
    ChoiceDialog { align: center middle; }
    ChoiceDialog > Vertical {
        width: 70; max-width: 100%; height: auto; max-height: 90%;
        border: round $accent; border-title-style: bold; background: $surface; padding: 0 1;
    }
    ChoiceDialog Input { margin: 0; }
    ChoiceDialog OptionList { height: auto; max-height: 14; border: none; padding: 0; }
    ChoiceDialog #choice-status { height: 1; color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "pick", "Pick", id="dlv_pick", priority=True),
        Binding("escape", "cancel", "Cancel", id="dlv_cancel", priority=True),
        Binding("down", "move(1)", "Next", id="dlv_down", show=False, priority=True),
        Binding("up", "move(-1)", "Previous", id="dlv_up", show=False, priority=True),
    ]

    def __init__(
        self, lang: str, title: str, choices: list[tuple[str, str]], initial: str = ""
    ) -> None:
        super().__init__()
        self.lang = lang
        self.title_text = title
        self.choices = choices  # (value, label)
        self.initial = initial
        self.shown: list[str] = []
        localize_bindings(self, lang)

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = self.title_text
        with box:
            yield FieldInput(
                placeholder=t("dlv.choice.filter", self.lang), id="choice-input", compact=True
            )
            yield OptionList(id="choice-list", compact=True)
            yield Static("", id="choice-status", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._fill("")
        values = [v for v, _ in self.choices]
        if self.initial in values:
            self.query_one(OptionList).highlighted = self.shown.index(self.initial)

    def _fill(self, text: str) -> None:
        words = text.casefold().split()
        options = self.query_one(OptionList)
        options.clear_options()
        self.shown = []
        for value, label in self.choices:
            haystack = f"{label} {value} {initials(value)}".casefold()
            if all(w in haystack for w in words):
                self.shown.append(value)
                options.add_option(Option(label, id=str(len(self.shown) - 1)))
        options.highlighted = 0 if self.shown else None
        status = (
            t("dlv.choice.count", self.lang, count=len(self.shown))
            if self.shown
            else t("dlv.choice.none", self.lang)
        )
        self.query_one("#choice-status", Static).update(status)

    @on(Input.Changed, "#choice-input")
    def _typed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if not self.shown:
            return
        current = options.highlighted or 0
        options.highlighted = max(0, min(len(self.shown) - 1, current + step))

    def action_pick(self) -> None:
        options = self.query_one(OptionList)
        if self.shown and options.highlighted is not None:
            self.dismiss(self.shown[options.highlighted])
            return
        typed = self.query_one(Input).value.strip()
        self.dismiss(typed or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


# -- a list of orders of step 5 ----------------------------------------------------------------

SEARCH_PAGES = 10  # the `/` filter looks through this many pages of the list


class OrderListScreen(MdListScreen):
    """A keyset-paged list of orders (one item per order, keyed by order no) whose `/`
    filter scans the first `SEARCH_PAGES` pages. Subclasses give `fetch(cursor, limit)`
    (a page of items after the cursor, in a worker), the columns and rows, and
    `open_order(order_no)` for Enter; `DETAIL` adds a line under the list."""

    DEFAULT_CSS = """
    OrderListScreen #detail { height: 1; padding: 0 1; }
    """
    DETAIL: ClassVar[bool] = False

    def compose(self) -> ComposeResult:
        yield from self.compose_list()
        if self.DETAIL:
            yield Static("", id="detail", markup=False)
        yield Static("", id="status", markup=False)
        yield Footer(show_command_palette=False)

    @abstractmethod
    def fetch(self, cursor: Any, limit: int) -> list[Any]: ...

    def matches(self, wanted: OrderFilter, text: str, item: Any) -> bool:
        return wanted.matches(item.order_no, item.customer)

    @abstractmethod
    def open_order(self, order_no: str) -> None: ...

    def key_of(self, item: Any) -> str:
        return str(item.order_no)

    def page(self, after: str | None) -> list[Any]:
        assert self.actor is not None
        cursor = self.items[after].cursor if after is not None and after in self.items else None
        return self.fetch(cursor, PAGE)

    def export_items(self) -> Any:
        from order_tui.services.exports import pages

        return pages(lambda cursor: self.fetch(cursor, PAGE), lambda item: item.cursor)

    def search(self, text: str) -> list[Any]:
        assert self.actor is not None
        wanted = OrderFilter.parse(text)
        found: list[Any] = []
        cursor = None
        for _ in range(SEARCH_PAGES):
            rows = self.fetch(cursor, PAGE)
            found += [r for r in rows if self.matches(wanted, text, r)]
            if len(rows) < PAGE:
                break
            cursor = rows[-1].cursor
        return found

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        key = event.option.id
        if not key or key not in self.items:
            return
        assert self.actor is not None
        self.open_order(key)


# -- a form screen of step 5 -------------------------------------------------------------------


class DeliveryForm(MdFormScreen):
    """One order's form: loads its data in a worker, keeps typed input as a draft
    (`<kind>:<order no>`), says in the status line why nothing can be saved right now."""

    KIND = ""
    ACTION = Action.SHIP
    SAVE_KEY = ""  # what the footer calls Ctrl+S (a catalog key)
    FIRST_FIELD = ""  # the field that has the focus while the data loads
    HELP_EXTRA: ClassVar[list[tuple[str, str]]] = [
        ("Tab / Shift+Tab", "key.focus_next"),
        ("Space / ← →", "key.dlv_choose"),
    ]

    def __init__(self, db: Database, lang: str, actor: Actor, order_no: str) -> None:
        super().__init__(db, lang, actor)
        self.order_no = order_no
        self.data: Any = None
        self.saved = False

    def on_mount(self) -> None:
        relabel(self, "md_save", self.t(self.SAVE_KEY))
        self.query_one(f"#f-{self.FIRST_FIELD}").focus()
        self.reload()

    # -- choices are fields too -------------------------------------------------------------

    def field_values(self) -> dict[str, object]:
        values = super().field_values()
        for choice in self.query(Choice):
            values[(choice.id or "")[2:]] = choice.value
        return values

    def set_values(self, values: dict[str, object]) -> None:
        super().set_values(values)
        for choice in self.query(Choice):
            name = (choice.id or "")[2:]
            if isinstance(values.get(name), str):
                choice.value = str(values[name])

    # -- drafts ---------------------------------------------------------------------------

    def form_key(self) -> str | None:
        return f"{self.KIND}:{self.order_no}"

    def form_snapshot(self) -> dict[str, object] | None:
        return None if self.saved or self.data is None else super().form_snapshot()

    @work(thread=True, exclusive=True, group="dlv-load", exit_on_error=False)
    def load(self) -> None:
        from order_tui.services import forms

        try:
            data = self.fetch()
            key = self.form_key()
            draft = forms.load_form(self.db, self.actor, key) if key and self.actor else None
        except Exception as exc:
            self.app.call_from_thread(self._load_failed, exc)
            return
        self.app.call_from_thread(self._loaded, data, draft)

    @abstractmethod
    def fetch(self) -> Any:
        """The form's data from its service (runs in a worker)."""

    def reload(self) -> None:
        self.set_status(t("dlv.loading", self.lang))
        self.load()

    def _load_failed(self, exc: Exception) -> None:
        if self.is_attached:
            self.set_status(problem(exc, self.lang, self.db.timezone), error=True)

    async def _loaded(self, data: Any, draft: Any) -> None:
        if not self.is_attached:
            return
        first = self.data is None
        self.data = data
        shown = self.show_data(data, first)
        if inspect.isawaitable(shown):
            await shown
        if first:
            self.mark_clean()
        self.set_status(self.blocked() or "", error=bool(self.blocked()))
        if first and draft is not None and isinstance(draft.payload.get("fields"), dict):
            self.set_values(draft.payload["fields"])
            when = local_time(str(draft.saved_at), self.db.timezone, "%m-%d %H:%M")
            self.set_status(t("dlv.draft_restored", self.lang, time=when))
        self.refresh_bindings()
        self.after_values()
        if first:
            self.focus_start()

    def focus_start(self) -> None:
        """Where typing starts once the data is in (the first field that takes input)."""
        for widget in self._fields():
            if widget.focusable:
                widget.focus()
                if isinstance(widget, Input):  # as Tab leaves it: typing replaces a default
                    widget.select_all()
                return

    @abstractmethod
    def show_data(self, data: Any, first: bool) -> Awaitable[None] | None:
        """Fill the screen from the loaded data; `first`: also the fields' defaults (may be
        a coroutine, e.g. to mount rows)."""

    def after_values(self) -> None:
        """The fields changed as a whole (loaded, restored): update what depends on them."""

    def blocked(self) -> str:
        """Why nothing can be saved now ("" when it can): the status, my roles or a hold,
        read from the lifecycle table as the service will."""
        data, actor = self.data, self.actor
        if data is None or actor is None:
            return ""
        status = Status(data.status)
        rule = rule_for(status, self.ACTION)
        name = action_label(self.ACTION, self.lang)
        if rule is None:
            label = status_label(status, self.lang)
            return t("dlv.not_now", self.lang, status=label, action=name)
        if not rule.roles & actor.roles:
            return t("dlv.no_role", self.lang, action=name)
        if getattr(data, "on_hold", False) and NOT_ON_HOLD in rule.guards:
            holds = "；".join(getattr(data, "holds", []))
            return t("dlv.held", self.lang, text=holds)
        return ""

    def action_print_receipt(self) -> None:
        """F8: the delivery receipt for the customer to sign, as PDF (shipment and sign-off
        forms bind it: the receipt travels with the goods and comes back signed). The
        operator confirms the data directory's path or types another."""
        from order_tui.screens.print_dialog import PrintPathDialog
        from order_tui.services import documents

        actor = self.actor
        assert actor is not None
        default = str(documents.default_path(self.db, "receipt", self.order_no))

        def write(path: str | None) -> None:
            if path is None:
                return
            self.set_status(t("dlv.printing", self.lang))
            self.app.run_write(  # type: ignore[attr-defined]
                lambda: documents.delivery_receipt_pdf(self.db, actor, self.order_no, path),
                on_done=lambda done: self.set_status(t("dlv.printed", self.lang, path=str(done))),
                on_error=lambda exc: self.set_status(
                    problem(exc, self.lang, self.db.timezone), error=True
                ),
                notice=t("dlv.printing", self.lang),
                group="print",
            )

        what = t("key.dlv_receipt", self.lang)
        self.app.push_screen(PrintPathDialog(self.lang, what, default), callback=write)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            return self.data is not None and not self.blocked() and not self.busy
        if action == "print_receipt":
            return self.data is not None
        if action == "next_field":  # Enter moves on from a choice as from an input
            return isinstance(self.focused, Input | Choice)
        return super().check_action(action, parameters)

    def write(
        self,
        change: Callable[[Actor, int], T],
        done: Callable[[T], None],
        refused: Callable[[Exception], None] | None = None,
    ) -> None:
        """Save: `change(actor, expected version)` runs in the app's write worker and the
        draft goes with it; when it lands, `done(result)` says so and the form closes.
        A refusal goes to `refused` (default `failed`)."""
        actor, form = self.actor, self.data
        assert actor is not None and form is not None
        self.busy = True
        self.refresh_bindings()
        self.set_status(t("dlv.saving", self.lang))

        def call() -> T:
            result = change(actor, form.version)
            self.forget_form_draft()
            return result

        def landed(result: T) -> None:
            self.saved = True
            done(result)
            if self.is_attached:
                self.dismiss(True)

        self.app.run_write(  # type: ignore[attr-defined]
            call, on_done=landed, on_error=refused or self.failed
        )

    def failed(self, exc: Exception, fields: dict[str, str] | None = None) -> None:
        """A refused write: the message beside its field when it names one, else below."""
        if not self.is_attached:
            return
        self.busy = False
        self.refresh_bindings()
        message = problem(exc, self.lang, self.db.timezone)
        name = getattr(exc, "field", None)
        name = (fields or {}).get(str(name), name)
        if name and self.query(f"#e-{name}"):
            self.show_errors({str(name): message})
        else:
            self.set_status(message, error=True)


def form_for(action: Action, db: Database, lang: str, actor: Actor, order_no: str) -> Screen[Any]:
    """The form of a step-5 lifecycle action for one order."""
    if action == Action.SHIP:
        from order_tui.screens.shipping import ShipmentScreen

        return ShipmentScreen(db, lang, actor, order_no)
    if action == Action.SIGN_OFF:
        from order_tui.screens.signoff import SignOffScreen

        return SignOffScreen(db, lang, actor, order_no)
    if action == Action.RECORD_FEEDBACK:
        from order_tui.screens.feedback import FeedbackScreen

        return FeedbackScreen(db, lang, actor, order_no)
    raise ValueError(f"no step-5 form for {action}")


FORM_ACTIONS = frozenset({Action.SHIP, Action.SIGN_OFF, Action.RECORD_FEEDBACK})
