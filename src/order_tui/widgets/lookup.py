"""The F4 prompt: type part of a name, pinyin initials, a code, USCC or phone; pick by keys.

`LookupDialog(db, lang, "customer" | "product", initial)` is a modal that returns the chosen
code, or None on Esc. Searching runs in a thread worker, newest keystroke wins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from order_tui.screens.fmt import money, qty
from order_tui.screens.i18n import localize_bindings, register, t
from order_tui.widgets.cells import fit
from order_tui.widgets.field_input import FieldInput

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor

KINDS = ("customer", "product")

register(
    {
        "lookup.customer": (
            "查找客户（名称 / 拼音首字母 / 编码 / 信用代码 / 电话）",
            "Find customer (name / initials / code / USCC / phone)",
        ),
        "lookup.product": (
            "查找产品（名称 / 拼音首字母 / 编码 / 规格）",
            "Find product (name / initials / code / spec)",
        ),
        "lookup.none": ("没有匹配项", "Nothing matches"),
        "lookup.count": (
            "{count} 项 · ↑↓ 选择 · Enter 确定 · Esc 取消",
            "{count} found · ↑↓ move · Enter pick · Esc cancel",
        ),
        "lookup.available": ("可用", "avail."),
        "lookup.mto": ("定制", "MTO"),
        "lookup.not_stocked": ("无需库存", "not stocked"),
        "key.lookup_pick": ("确定", "Pick"),
        "key.lookup_cancel": ("取消", "Cancel"),
        "key.lookup_down": ("下一项", "Next"),
        "key.lookup_up": ("上一项", "Previous"),
        "key.lookup_profile": ("客户档案", "Customer profile"),
        "lookup.profile_hint": (" · Ctrl+O 客户档案", " · Ctrl+O profile"),
    }
)


def customer_row(hit: Any, width: int) -> str:
    name_w = max(width - 8 - 13 - 4, 10)
    return f"{hit.code:<7} {fit(hit.legal_name, name_w)} {fit(hit.phone, 12)}"


def product_row(hit: Any, width: int, lang: str) -> str:
    name_w = max((width - 8 - 22) // 2, 8)
    if not getattr(hit, "stocked", True):
        stock = t("lookup.not_stocked", lang)
    elif hit.made_to_order:
        stock = t("lookup.mto", lang)
    else:
        stock = f"{t('lookup.available', lang)} {qty(hit.available)}"
    return (
        f"{hit.code:<7} {fit(hit.name, name_w)} {fit(hit.spec, name_w)} "
        f"{money(hit.list_price):>10} {fit(stock, 11, 'right')}"
    )


class LookupDialog(ModalScreen[str | None]):
    DEFAULT_CSS = """
    LookupDialog { align: center middle; }
    LookupDialog > Vertical {
        width: 96%; max-width: 110; height: 90%; max-height: 30;
        border: round $accent; background: $surface; padding: 0 1;
    }
    LookupDialog Input { margin: 0; }
    LookupDialog OptionList { height: 1fr; border: none; }
    LookupDialog #lookup-status { height: 1; color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "pick", "Pick", id="lookup_pick", priority=True),
        Binding("escape", "cancel", "Cancel", id="lookup_cancel", priority=True),
        Binding("down", "move(1)", "Next", id="lookup_down", show=False, priority=True),
        Binding("up", "move(-1)", "Previous", id="lookup_up", show=False, priority=True),
        Binding("pagedown", "move(10)", "Page down", show=False, priority=True),
        Binding("pageup", "move(-10)", "Page up", show=False, priority=True),
        # customers only: the highlighted customer's profile (screens/profile.py) above this
        # prompt; Esc there comes back here. Ctrl+O: the search input keeps every letter.
        Binding("ctrl+o", "profile", "Customer profile", id="lookup_profile", priority=True),
    ]

    def __init__(self, db: Database, actor: Actor, lang: str, kind: str, initial: str = "") -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        super().__init__()
        self.db = db
        self.actor = actor
        self.lang = lang
        self.kind = kind
        self.initial = initial
        self.codes: list[str] = []
        self.shown_for: str | None = None  # the text whose results are on screen
        self.pick_when_ready = False
        localize_bindings(self, lang)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(t(f"lookup.{self.kind}", self.lang), id="lookup-title")
            yield FieldInput(value=self.initial, id="lookup-input")
            yield OptionList(id="lookup-options")
            yield Static("", id="lookup-status")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.search(self.initial)

    @on(Input.Changed, "#lookup-input")
    def _changed(self, event: Input.Changed) -> None:
        self.search(event.value)

    @work(thread=True, exclusive=True, group="lookup", exit_on_error=False)
    def search(self, text: str) -> None:
        from order_tui.services import lookup

        hits: list[Any] = (
            lookup.customers(self.db, self.actor, text, 50)
            if self.kind == "customer"
            else lookup.products(self.db, self.actor, text, 50)
        )
        self.app.call_from_thread(self._show, text, hits)

    def _show(self, text: str, hits: list[Any]) -> None:
        if self.query_one(Input).value != text:
            return  # a newer search is on its way
        options = self.query_one(OptionList)
        width = max(options.size.width - 2, 40)
        options.clear_options()
        self.codes = [hit.code for hit in hits]
        for hit in hits:
            label = (
                customer_row(hit, width)
                if self.kind == "customer"
                else product_row(hit, width, self.lang)
            )
            options.add_option(Option(label, id=hit.code))
        if hits:
            options.highlighted = 0
        status = (
            t("lookup.count", self.lang, count=len(hits)) if hits else t("lookup.none", self.lang)
        )
        if hits and self._may_profile():
            status += t("lookup.profile_hint", self.lang)
        self.query_one("#lookup-status", Static).update(status)
        self.shown_for = text
        if self.pick_when_ready:
            self.pick_when_ready = False
            self.action_pick()

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if not self.codes:
            return
        current = options.highlighted if options.highlighted is not None else 0
        options.highlighted = max(0, min(len(self.codes) - 1, current + step))

    def action_pick(self) -> None:
        if self._searching():
            # Enter typed ahead of the results (a fast typist, a scanner): pick when they come.
            self.pick_when_ready = True
            return
        options = self.query_one(OptionList)
        if options.highlighted is None or not self.codes:
            return
        self.dismiss(self.codes[options.highlighted])

    def _searching(self) -> bool:
        return self.query_one(Input).value != self.shown_for

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _may_profile(self) -> bool:
        from order_tui.domain.profile import may_view

        return self.kind == "customer" and may_view(self.actor.roles)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "profile":
            return self._may_profile()
        return True

    def action_profile(self) -> None:
        """Ctrl+O: the highlighted customer's profile."""
        from order_tui.screens.profile import open_profile

        options = self.query_one(OptionList)
        if self._searching() or options.highlighted is None or not self.codes:
            return
        open_profile(self, self.codes[options.highlighted])
