"""Holds: raise one on an order (anyone in the flow), resolve and release it (the sales clerk
or manager), and the clerk's list of holds to resolve, oldest first.

The dialogs run the service themselves, so that a refusal (an unknown owner, no text) shows
beside its field with everything typed still there; they close only when the write is done.
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import UTC
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from order_tui.domain.lifecycle import Action, Status, allowed_actions, status_label
from order_tui.domain.terms import HOLD_KINDS, HOLD_SOLUTIONS, label
from order_tui.screens.base import settle
from order_tui.screens.field_dialog import named_error
from order_tui.screens.i18n import localize_bindings, pick, register, t
from order_tui.screens.inbox import age_text, age_width
from order_tui.screens.paged import PAGE, PagedListScreen
from order_tui.screens.review import ReasonList
from order_tui.widgets.field_input import FieldInput
from order_tui.widgets.grouped_table import Column, Row
from order_tui.widgets.status_line import app_now

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor
    from order_tui.services.execution import HoldRow

register(
    {
        "key.hold_cancel": ("取消", "Cancel"),
        "key.holds_toggle": ("未解决/全部", "Open/all"),
        "key.holds_open": ("打开订单", "Open order"),
        "hold.raise_title": ("挂起订单 {order_no}", "Put order {order_no} on hold"),
        "hold.release_title": ("解除挂起 {order_no}", "Release the hold on {order_no}"),
        "hold.kind": ("类别（↑↓ 或数字选择，Enter 下一项）", "Kind (Up/Down or its number, Enter)"),
        "hold.text": ("问题说明（必填）", "What is wrong (required)"),
        "hold.text_ph": ("例如：外观划伤，待更换", "e.g. scratched, to be replaced"),
        "hold.owner": ("负责人（操作员用户名；空＝本人）", "Owner (operator username; empty: you)"),
        "hold.owner_ph": ("例如 zhao", "e.g. zhao"),
        "hold.open": ("未解决的挂起：", "Open holds:"),
        "hold.solution": (
            "与客户商定的解决方式（↑↓ 或数字选择）",
            "Solution agreed with the customer (Up/Down or its number)",
        ),
        "hold.solution_text": ("方案说明（必填）", "The solution in words (required)"),
        "hold.solution_ph": ("例如：客户同意交期顺延至 12-20", "e.g. customer agrees to 12-20"),
        "hold.hint": (
            "Enter 下一项/提交 · Tab 切换 · Esc 取消",
            "Enter: next / submit · Tab: switch · Esc: cancel",
        ),
        "hold.saving": ("正在保存…", "Saving…"),
        "hold.raised": ("订单 {order_no} 已挂起：{kind}", "Order {order_no} is on hold: {kind}"),
        "hold.released": (
            "订单 {order_no} 已解除挂起：{solution}",
            "Order {order_no} released: {solution}",
        ),
        # the list
        "holds.title": ("挂起单", "Holds"),
        "holds.info_open": (
            "未解决的挂起，最早的在前 · Enter 处理并解除 · o 打开订单 · a 显示全部",
            "Open holds, oldest first · Enter: resolve and release · o: open order · a: all",
        ),
        "holds.info_all": (
            "全部挂起（含已解除），最早的在前 · a 只看未解决",
            "All holds (released too), oldest first · a: open ones only",
        ),
        "holds.group_open": ("未解决", "Open"),
        "holds.group_all": ("全部", "All"),
        "holds.empty": ("没有未解决的挂起。", "No open hold."),
        "holds.col.raised": ("挂起时间", "Raised"),
        "holds.col.age": ("时长", "For"),
        "holds.col.order": ("订单号", "Order no"),
        "holds.col.customer": ("客户", "Customer"),
        "holds.col.kind": ("类别", "Kind"),
        "holds.col.text": ("说明", "Description"),
        "holds.col.owner": ("负责人", "Owner"),
        "holds.col.solution": ("解决", "Solution"),
        "holds.help": (
            "挂起不改变订单状态，只是暂停流程；挂起后立即出现在内勤待办的最上方。"
            "内勤与客户商定解决方式（更换产品、调整交期、部分交货、取消订单）后解除。"
            "时长＝挂起至解除（未解除的到现在），用于月度复盘。",
            "A hold keeps the order's status and pauses the flow; it tops the clerk's "
            "worklist at once. The clerk agrees a solution with the customer (replacement, "
            "new date, partial delivery, cancellation) and releases it. 'For' is the time "
            "from raising to release (to now while open), for the monthly review.",
        ),
    }
)


def may_release(actor: Actor | None, status: str) -> bool:
    return actor is not None and Action.RELEASE_HOLD in allowed_actions(Status(status), actor.roles)


def may_hold(actor: Actor | None, status: str) -> bool:
    return actor is not None and Action.HOLD in allowed_actions(Status(status), actor.roles)


class _HoldForm(ModalScreen[bool | None]):
    """What the two dialogs share: a list of codes, text inputs, an error line, the write."""

    DEFAULT_CSS = """
    _HoldForm {
        align: center middle;
    }
    _HoldForm > Vertical {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    _HoldForm .dlg-label {
        text-style: bold;
        margin-top: 1;
    }
    _HoldForm ReasonList {
        height: auto;
        max-height: 7;
        border: none;
        padding: 0;
    }
    _HoldForm ReasonList:focus > .option-list--option-highlighted {
        text-style: bold reverse;
    }
    _HoldForm Input {
        width: 1fr;
    }
    _HoldForm #dlg-error {
        color: $error;
        text-style: bold;
        height: auto;
    }
    _HoldForm #dlg-error:nocolor {
        text-style: bold reverse;
    }
    _HoldForm #dlg-error.-quiet {
        color: $text-muted;
        text-style: none;
    }
    _HoldForm #dlg-hint {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="hold_cancel", priority=True),
    ]
    CODES: ClassVar[dict[str, tuple[str, str]]] = {}
    INPUTS: tuple[str, ...] = ()

    def __init__(self, db: Database, lang: str, actor: Actor, order_no: str, subject: str):
        super().__init__()
        self.db = db
        self.lang = lang
        self.actor = actor
        self.order_no = order_no
        self.subject = subject
        self.busy = False
        localize_bindings(self, lang)

    def codes_list(self) -> ReasonList:
        return ReasonList(
            *[
                Option(f"{n}. {pick(pair, self.lang)}", id=code)
                for n, (code, pair) in enumerate(self.CODES.items(), 1)
            ],
            id="dlg-codes",
            compact=True,
        )

    def on_mount(self) -> None:
        codes = self.query_one(ReasonList)
        localize_bindings(codes, self.lang)
        codes.highlighted = 0
        codes.focus()

    @property
    def code(self) -> str:
        codes = self.query_one(ReasonList)
        return str(codes.get_option_at_index(codes.highlighted or 0).id)

    def value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value.strip()

    @on(OptionList.OptionSelected, "#dlg-codes")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one(f"#{self.INPUTS[0]}", Input).focus()

    @on(Input.Submitted)
    async def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        await settle(event.input)
        names = list(self.INPUTS)
        current = event.input.id or ""
        if current in names and names.index(current) < len(names) - 1:
            self.query_one(f"#{names[names.index(current) + 1]}", Input).focus()
            return
        self.submit()

    def submit(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.say(t("hold.saving", self.lang), error=False)
        self.app.run_write(self.call, on_done=self._done, on_error=self._refused)  # type: ignore[attr-defined]

    @abstractmethod
    def call(self) -> object: ...

    @abstractmethod
    def done_message(self) -> str: ...

    def _done(self, _result: object) -> None:
        self.busy = False
        self.app.notify(self.done_message(), timeout=6, markup=False)
        self.dismiss(True)

    def field_input(self, field: str | None) -> str | None:
        return None

    def _refused(self, exc: Exception) -> None:
        self.busy = False
        target = self.field_input(getattr(exc, "field", None))
        field = self.query_one(f"#{target}", Input) if target is not None else None
        self.say("! " + named_error(exc, self.lang, field), error=True)
        self.app.bell()
        if field is not None:
            field.focus()

    def say(self, text: str, error: bool) -> None:
        line = self.query_one("#dlg-error", Static)
        line.update(text)
        line.set_class(not error, "-quiet")

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)


class HoldDialog(_HoldForm):
    """Raise a hold: kind, description, owner."""

    CODES = HOLD_KINDS
    INPUTS = ("hold-text", "hold-owner")

    def __init__(
        self,
        db: Database,
        lang: str,
        actor: Actor,
        order_no: str,
        subject: str,
        *,
        kind: str = "",
        text: str = "",
    ) -> None:
        super().__init__(db, lang, actor, order_no, subject)
        self.initial_kind = kind
        self.initial_text = text

    def compose(self) -> ComposeResult:
        lang = self.lang
        box = Vertical()
        box.border_title = t("hold.raise_title", lang, order_no=self.order_no)
        with box:
            yield Static(self.subject, id="dlg-subject", markup=False)
            yield Static(t("hold.kind", lang), classes="dlg-label", markup=False)
            yield self.codes_list()
            yield Static(t("hold.text", lang), classes="dlg-label", markup=False)
            yield FieldInput(
                self.initial_text, placeholder=t("hold.text_ph", lang), id="hold-text", compact=True
            )
            yield Static(t("hold.owner", lang), classes="dlg-label", markup=False)
            yield FieldInput(placeholder=t("hold.owner_ph", lang), id="hold-owner", compact=True)
            yield Static("", id="dlg-error", markup=False)
            yield Static(t("hold.hint", lang), id="dlg-hint", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        codes = list(HOLD_KINDS)
        if self.initial_kind in codes:
            self.query_one(ReasonList).highlighted = codes.index(self.initial_kind)

    def call(self) -> object:
        from order_tui.services import execution

        kind, text, owner = self.code, self.value("hold-text"), self.value("hold-owner")
        return execution.raise_hold(self.db, self.actor, self.order_no, kind, text, owner or None)

    def done_message(self) -> str:
        kind = label(HOLD_KINDS, self.code, self.lang)
        return t("hold.raised", self.lang, order_no=self.order_no, kind=kind)

    def field_input(self, field: str | None) -> str | None:
        return {"description": "hold-text", "owner": "hold-owner"}.get(field or "")


class ReleaseDialog(_HoldForm):
    """Resolve and release: the open holds, the solution kind, the solution in words."""

    CODES = HOLD_SOLUTIONS
    INPUTS = ("hold-solution",)

    def __init__(
        self,
        db: Database,
        lang: str,
        actor: Actor,
        order_no: str,
        subject: str,
        holds: list[dict[str, Any]],
    ) -> None:
        super().__init__(db, lang, actor, order_no, subject)
        self.holds = holds

    def compose(self) -> ComposeResult:
        lang = self.lang
        box = Vertical()
        box.border_title = t("hold.release_title", lang, order_no=self.order_no)
        with box:
            yield Static(self.subject, id="dlg-subject", markup=False)
            if self.holds:
                lines = Text(t("hold.open", lang), style="bold")
                for h in self.holds:
                    kind = label(HOLD_KINDS, str(h.get("kind", "")), lang)
                    lines.append(f"\n [{kind}] {h.get('description', '')}")
                    lines.append(f"  ({h.get('owner', '')})", style="dim")
                yield Static(lines, id="dlg-holds")
            yield Static(t("hold.solution", lang), classes="dlg-label", markup=False)
            yield self.codes_list()
            yield Static(t("hold.solution_text", lang), classes="dlg-label", markup=False)
            yield FieldInput(
                placeholder=t("hold.solution_ph", lang), id="hold-solution", compact=True
            )
            yield Static("", id="dlg-error", markup=False)
            yield Static(t("hold.hint", lang), id="dlg-hint", markup=False)

    def call(self) -> object:
        from order_tui.services import execution

        text = self.value("hold-solution")
        return execution.release_hold(self.db, self.actor, self.order_no, self.code, text)

    def done_message(self) -> str:
        solution = label(HOLD_SOLUTIONS, self.code, self.lang)
        return t("hold.released", self.lang, order_no=self.order_no, solution=solution)

    def field_input(self, field: str | None) -> str | None:
        return "hold-solution" if field == "solution" else None


class HoldsScreen(PagedListScreen):
    """The clerk's holds: Enter resolves and releases, o opens the order, a shows all."""

    TITLE_KEY = "holds.title"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "open_order", "Open order", id="holds_open"),
        Binding("a", "toggle", "Open/all", id="holds_toggle"),
        *PagedListScreen.BINDINGS,
    ]
    HELP_NOTES: ClassVar[list[str]] = ["holds.help"]

    def __init__(self, db: Database, lang: str, actor: Actor) -> None:
        super().__init__(db, lang, actor)
        self.open_only = True

    def info(self) -> str:
        return self.t("holds.info_open" if self.open_only else "holds.info_all")

    def columns(self) -> list[Column]:
        lang = self.lang
        cols = [
            Column(t("holds.col.raised", lang), 11),
            Column(t("holds.col.age", lang), age_width(lang), align="right"),
            Column(t("holds.col.order", lang), 13),
            Column(t("holds.col.customer", lang), 12, flex=2, max_width=30),
            Column(t("holds.col.kind", lang), 8),
            Column(t("holds.col.text", lang), 10, flex=3),
        ]
        if self.open_only:
            cols.append(Column(t("holds.col.owner", lang), 6))
        else:
            cols.append(Column(t("holds.col.solution", lang), 8))
        return cols

    def fetch(self, after: Any) -> tuple[list[Any], list[Any]]:
        from order_tui.services import execution

        rows = execution.holds(
            self.db, self.actor, open_only=self.open_only, after=after, limit=PAGE
        )
        return [], rows

    def group_title(self) -> str:
        return self.t("holds.group_open" if self.open_only else "holds.group_all")

    def empty_text(self) -> str:
        return self.t("holds.empty")

    def row(self, item: HoldRow) -> Row:
        from order_tui.screens.fmt import local_time

        now = app_now(self.app, self.db.timezone).astimezone(UTC)
        until = item.released_at or now
        solution = label(HOLD_SOLUTIONS, item.solution_kind, self.lang) if item.released_at else ""
        last = item.owner if self.open_only else solution
        return Row(
            key=f"{item.id}:{item.order_no}",
            cells=(
                local_time(item.raised_at.isoformat(), self.db.timezone, "%m-%d %H:%M"),
                age_text(item.raised_at, until, self.lang),
                item.order_no,
                item.customer,
                label(HOLD_KINDS, item.kind, self.lang),
                item.description,
                last,
            ),
            styles=("", "bold" if item.released_at is None else "dim"),
        )

    def _item(self, key: str | None) -> HoldRow | None:
        return next((i for i in self.items if f"{i.id}:{i.order_no}" == key), None)

    def order_in_view(self) -> HoldRow | None:
        """Ctrl+P offers what may be done to the order under the cursor."""
        item = self._item(self.highlighted_key())
        if item is None:
            return None
        return _OrderRef(item.order_no, item.status, item.released_at is None)  # type: ignore[return-value]

    def opened(self, key: str) -> None:
        item = self._item(key)
        if item is None:
            return
        if item.released_at is None and may_release(self.actor, item.status):
            self.resolve(item)
        else:
            self.action_open_order()

    def resolve(self, item: HoldRow) -> None:
        assert self.actor is not None
        subject = f"{item.customer}  {status_label(Status(item.status), self.lang)}"
        # Every open hold of the order goes: show them all, not only this row's.
        holds = [
            {"kind": i.kind, "description": i.description, "owner": i.owner}
            for i in self.items
            if i.order_no == item.order_no and i.released_at is None
        ]
        dialog = ReleaseDialog(self.db, self.lang, self.actor, item.order_no, subject, holds)
        self.app.push_screen(dialog)  # the list reloads when it is back on top

    def action_open_order(self) -> None:
        item = self._item(self.highlighted_key())
        if item is None:
            return
        from order_tui.screens.order_detail import OrderDetailScreen

        assert self.actor is not None
        self.app.push_screen(OrderDetailScreen(self.db, self.lang, self.actor, item.order_no))

    def action_release_hold_order(self) -> None:
        """The palette's "release hold" on the row under the cursor."""
        item = self._item(self.highlighted_key())
        if item is not None and item.released_at is None:
            self.resolve(item)

    def action_toggle(self) -> None:
        self.open_only = not self.open_only
        info = self.query_one("#info", Static)
        info.update(self.info())
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_order":
            return bool(self.items)
        return True


class _OrderRef:
    """Enough of an order for the palette: number, status, hold flag."""

    def __init__(self, order_no: str, status: str, on_hold: bool) -> None:
        self.order_no = order_no
        self.status = status
        self.on_hold = on_hold
