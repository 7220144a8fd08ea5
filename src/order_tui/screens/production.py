"""Step 4 for the workshop: the production plan of one order, and the open plans of all.

The plan screen shows each made-to-order line with its operations (name, owner, planned
start, due date). An approved order not yet planned gets the usual operations proposed from
the product's lead time; the team lead edits them by keys (Enter edits, Ins adds, Del
removes) and saves with Ctrl+S. In production, Enter revises an open operation and `d` marks
the one under the cursor done. A line whose plan ends after the order's wanted date is
warned about above the list while editing, before anything is saved.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Input, OptionList, Static

from order_tui.domain.lifecycle import Action, Status, allowed_actions, status_label
from order_tui.domain.terms import HOLD_KINDS, label
from order_tui.screens.base import OrderScreen, TitleBar
from order_tui.screens.field_dialog import FieldDialog
from order_tui.screens.fmt import local_time, qty, short_day
from order_tui.screens.i18n import error_text, localize_bindings, register, t
from order_tui.screens.paged import PAGE, PagedListScreen
from order_tui.screens.palette import ConfirmScreen
from order_tui.screens.review import QUIET_APP_KEYS
from order_tui.widgets.field_input import FieldInput
from order_tui.widgets.grouped_table import Column, Group, GroupedTable, Row
from order_tui.widgets.status_line import app_now

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor
    from order_tui.services.execution import (
        OperationInput,
        OrderRow,
        PlanLineView,
        PlanRow,
        ProductionView,
    )

register(
    {
        # keys
        "key.prod_edit": ("编辑工序", "Edit operation"),
        "key.prod_add": ("添加工序", "Add"),
        "key.prod_remove": ("删除工序", "Remove"),
        "key.prod_save": ("保存排产", "Save plan"),
        "key.prod_done": ("工序完工", "Operation done"),
        "key.prod_hold": ("挂起", "Hold"),
        "key.prod_leave": ("返回", "Back"),
        "key.op_cancel": ("取消", "Cancel"),
        # the plan
        "prod.title": ("排产 {order_no}", "Production plan {order_no}"),
        "prod.loading": ("正在加载排产…", "Loading the plan…"),
        "prod.head": (
            "{order_no}  {status}  {customer}  要求交期 {wanted}",
            "{order_no}  {status}  {customer}  wanted by {wanted}",
        ),
        "prod.no_wanted": ("未定", "not set"),
        "prod.on_hold": ("【挂起】{kind}：{text}", "[ON HOLD] {kind}: {text}"),
        "prod.proposed": (
            "未保存的排产建议：按产品周期 {days} 天排定，可修改后 Ctrl+S 保存",
            "Not saved: proposed from the {days}-day lead time; edit, then Ctrl+S saves",
        ),
        "prod.edited": ("已修改，未保存（Ctrl+S 保存）", "Changed, not saved (Ctrl+S saves)"),
        "prod.planned": ("已排产，工序完工按 d", "Planned: d marks an operation done"),
        "prod.view_only": ("只读：排产由生产部门负责", "Read only: production plans this"),
        "prod.not_now": ("本状态下不能排产或报工", "Nothing to plan or report in this status"),
        "prod.warn": (
            "！第 {line} 行 {name} 预计 {ready} 完工，晚于要求交期 {wanted}",
            "! Line {line} {name} ready {ready}, after the wanted date {wanted}",
        ),
        "prod.on_time": ("各行完工均不晚于要求交期", "Every line is ready by the wanted date"),
        "prod.line": (
            "第 {line} 行 {code} {name} {spec} ×{qty}{unit} · 完工 {ready}",
            "Line {line} {code} {name} {spec} x{qty} {unit} · ready {ready}",
        ),
        "prod.col.seq": ("序", "#"),
        "prod.col.name": ("工序", "Operation"),
        "prod.col.owner": ("负责人", "Owner"),
        "prod.col.start": ("开工", "Start"),
        "prod.col.due": ("完工", "Due"),
        "prod.col.state": ("状态", "State"),
        "prod.state.open": ("未完工", "open"),
        "prod.state.late": ("逾期", "LATE"),
        "prod.state.done": ("完工 {when}", "done {when}"),
        "prod.state.new": ("建议", "proposed"),
        "prod.no_lines": (
            "本订单没有定制产品行，无需排产。",
            "No made-to-order line: nothing to plan.",
        ),
        "prod.saved": ("订单 {order_no} 已排产", "Order {order_no} is planned"),
        "prod.saved_late": (
            "订单 {order_no} 已排产；{count} 行晚于要求交期，请与内勤沟通",
            "Order {order_no} planned; {count} line(s) after the wanted date: tell the clerk",
        ),
        "prod.done_ask": ("工序完工：{name}？", "Operation done: {name}?"),
        "prod.done": ("工序“{name}”已完工", "Operation {name} is done"),
        "prod.revised": ("工序“{name}”已修改", "Operation {name} revised"),
        "prod.leave_ask": (
            "排产未保存，放弃修改并返回？",
            "The plan is not saved: drop the changes and go back?",
        ),
        "prod.keep_one": ("每行至少保留一道工序", "Each line keeps at least one operation"),
        "prod.error": ("{error}", "{error}"),
        "prod.help": (
            "Enter 编辑工序（名称、负责人、开工、完工）；Ins/a 在光标后添加；Del/x 删除；"
            "Ctrl+S 保存排产（订单进入生产中）。生产中：Enter 调整未完工工序，d 报工完工；"
            "最后一道工序完工时成品入库，仓库即可拣货。"
            "日期可写 2026-12-05、12-05 或 +7（7 天后）。",
            "Enter edits an operation (name, owner, start, due); Ins/a adds one after the "
            "cursor; Del/x removes; Ctrl+S saves the plan (the order goes into production). "
            "In production: Enter revises an open operation, d reports it done; the last one "
            "puts the goods into stock for picking. Dates: 2026-12-05, 12-05 or +7 (in 7 days).",
        ),
        # the operation dialog
        "op.title_edit": ("编辑工序", "Edit operation"),
        "op.title_add": ("添加工序", "Add operation"),
        "op.title_revise": ("调整工序", "Revise operation"),
        "op.name": ("工序名称", "Operation"),
        "op.owner": ("负责人", "Owner"),
        "op.start": ("开工日期", "Planned start"),
        "op.due": ("完工日期", "Due date"),
        "op.date_ph": ("2026-12-05、12-05 或 +7", "2026-12-05, 12-05 or +7"),
        "op.need": ("请填写{what}", "{what} is required"),
        "op.bad_date": (
            "日期无效：写 2026-12-05、12-05 或 +7",
            "Not a date: write 2026-12-05, 12-05 or +7",
        ),
        "op.due_before": ("完工日期早于开工日期", "The due date is before the start"),
        "op.hint": (
            "Enter 下一项/确定 · Esc 取消",
            "Enter: next field / done · Esc: cancel",
        ),
        # the list
        "plans.title": ("生产计划", "Production plans"),
        "plans.info": (
            "待排产的订单在前，其后为在产计划，按完工日期排列 · Enter 打开",
            "Orders to plan first, then open plans by due date · Enter opens",
        ),
        "plans.to_plan": ("待排产（{count}）", "To plan ({count})"),
        "plans.open": ("在产计划（按完工日期）", "Open plans (by due date)"),
        "plans.empty": ("没有未完工的计划。", "No open plan."),
        "plans.col.date": ("日期", "Date"),
        "plans.col.order": ("订单号", "Order no"),
        "plans.col.customer": ("客户", "Customer"),
        "plans.col.what": ("产品 → 下道工序", "Product -> next operation"),
        "plans.col.progress": ("进度", "Done"),
        "plans.col.flag": ("标记", "Flag"),
        "plans.waiting": ("已批准，待排产", "approved, to plan"),
        "plans.flag.late": ("误期", "LATE"),
        "plans.flag.hold": ("挂起", "HOLD"),
    }
)

_MONTH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")


def parse_day(text: str, today: date) -> date | None:
    """2026-12-05, 12-05 (this year, or next if that is long past) or +7 (days from today)."""
    text = text.strip()
    try:
        if text.startswith("+") and text[1:].isdigit():
            return today + timedelta(days=int(text[1:]))
        if m := _MONTH_DAY.match(text):
            day = date(today.year, int(m[1]), int(m[2]))
            return day.replace(year=today.year + 1) if day < today - timedelta(days=180) else day
        return date.fromisoformat(text)
    except (ValueError, OverflowError):  # +99999999: past the year 9999
        return None


def rename_enter(table: GroupedTable, description: str) -> None:
    """The list's Enter says what it does here (edit, fill in) instead of "open"."""
    from dataclasses import replace as copy

    from textual.binding import BindingsMap

    options = table.options
    keys = {
        key: [copy(b, description=description) if b.id == "open" else b for b in bindings]
        for key, bindings in options._bindings.key_to_bindings.items()
    }
    options._bindings = BindingsMap.from_keys(keys)


def may_plan(actor: Actor | None, status: str) -> bool:
    return actor is not None and Action.PLAN_PRODUCTION in allowed_actions(
        Status(status), actor.roles
    )


def may_report(actor: Actor | None, status: str) -> bool:
    return actor is not None and Action.COMPLETE_OPERATION in allowed_actions(
        Status(status), actor.roles
    )


class OperationDialog(FieldDialog):
    """One operation's four fields. With `save`, Enter on the last field runs it as a write
    and the dialog stays open with the reason beside the field when it is refused."""

    DEFAULT_CSS = """
    OperationDialog > Vertical {
        width: 64;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="op_cancel", priority=True),
    ]
    PREFIX = "op"
    FIELDS = ("op-name", "op-owner", "op-start", "op-due")

    def __init__(
        self,
        lang: str,
        title: str,
        op: OperationInput,
        today: date,
        save: Any = None,
    ) -> None:
        self.title_text = title
        self.op = op
        self.today = today
        self.save = save
        super().__init__(lang)

    def compose(self) -> ComposeResult:
        lang = self.lang
        box = Vertical()
        box.border_title = self.title_text
        values = (
            self.op.name,
            self.op.owner,
            self.op.planned_start.isoformat(),
            self.op.due_date.isoformat(),
        )
        labels = ("op.name", "op.owner", "op.start", "op.due")
        with box:
            for field, key, value in zip(self.FIELDS, labels, values, strict=True):
                yield self.label(t(key, lang))
                placeholder = t("op.date_ph", lang) if field in ("op-start", "op-due") else ""
                yield FieldInput(value, id=field, placeholder=placeholder, compact=True)
            yield from self.foot(t("op.hint", lang))

    def read(self) -> OperationInput | None:
        from order_tui.services.execution import OperationInput

        values = {f: self.query_one(f"#{f}", Input).value.strip() for f in self.FIELDS}
        for field, key in (("op-name", "op.name"), ("op-owner", "op.owner")):
            if not values[field]:
                self._error(t("op.need", self.lang, what=t(key, self.lang)), field)
                return None
        start = parse_day(values["op-start"], self.today)
        if start is None:
            self._error(t("op.bad_date", self.lang), "op-start")
            return None
        due = parse_day(values["op-due"], self.today)
        if due is None:
            self._error(t("op.bad_date", self.lang), "op-due")
            return None
        if due < start:
            self._error(t("op.due_before", self.lang), "op-due")
            return None
        return OperationInput(values["op-name"], values["op-owner"], start, due)

    def confirm(self) -> None:
        op = self.read()
        if op is None or self.busy:
            return
        if self.save is None:
            self.dismiss(op)
            return
        self.busy = True

        def refused(exc: Exception) -> None:
            fields = {"name": "op-name", "owner": "op-owner", "due_date": "op-due"}
            self.refused(exc, fields, "op-due")

        def done(_result: object) -> None:
            self.busy = False
            self.dismiss(op)

        self.app.run_write(lambda: self.save(op), on_done=done, on_error=refused)  # type: ignore[attr-defined]


class ProductionPlanScreen(OrderScreen):
    """One order's plan: edit the proposal and save it, or report operations done."""

    DEFAULT_CSS = """
    ProductionPlanScreen #head {
        height: auto;
        padding: 0 1;
    }
    ProductionPlanScreen #warn {
        height: auto;
        max-height: 3;
        padding: 0 1;
        color: $error;
        text-style: bold;
    }
    ProductionPlanScreen #warn:nocolor {
        text-style: bold reverse;
    }
    ProductionPlanScreen #warn.-ok {
        color: $text-muted;
        text-style: none;
    }
    ProductionPlanScreen #status {
        height: auto;
        max-height: 2;
        padding: 0 1;
        color: $text-muted;
    }
    ProductionPlanScreen #status.-error {
        color: $error;
        text-style: bold;
    }
    ProductionPlanScreen #status.-error:nocolor {
        text-style: bold reverse;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Edit operation", id="prod_edit", show=False),
        Binding("insert,a", "add", "Add operation", id="prod_add", key_display="Ins"),
        Binding("delete,x", "remove", "Remove operation", id="prod_remove", key_display="Del"),
        Binding("ctrl+s", "save", "Save plan", id="prod_save"),
        Binding("d", "done", "Operation done", id="prod_done"),
        Binding("h", "hold", "Hold", id="prod_hold"),
        Binding("escape,f3", "leave", "Back", id="prod_leave"),
        *QUIET_APP_KEYS,
    ]
    HELP_EXTRA: ClassVar[list[tuple[str, str]]] = [
        ("Up / Down", "key.move"),
        ("Enter", "key.prod_edit"),
    ]
    HELP_NOTES: ClassVar[list[str]] = ["prod.help"]

    def __init__(self, db: Database, lang: str, actor: Actor, order_no: str) -> None:
        super().__init__(db, lang, actor)
        self.order_no = order_no
        self.view: ProductionView | None = None
        self.draft: dict[int, list[OperationInput]] = {}
        self.dirty = False

    @property
    def detail(self) -> ProductionView | None:
        """The palette reads the order in view from here (number, status, hold)."""
        return self.view

    def compose(self) -> ComposeResult:
        yield TitleBar(self.title_text(self.t("prod.title", order_no=self.order_no)))
        yield Static(self.t("prod.loading"), id="head", markup=False)
        yield Static("", id="warn", markup=False)
        yield GroupedTable(self.columns(), id="ops")
        yield Static("", id="status", markup=False)
        yield Footer(show_command_palette=False)

    def columns(self) -> list[Column]:
        lang = self.lang
        return [
            Column(t("prod.col.seq", lang), 2, align="right"),
            Column(t("prod.col.name", lang), 10, flex=3, max_width=30),
            Column(t("prod.col.owner", lang), 8, flex=1, max_width=16),
            Column(t("prod.col.start", lang), 10),
            Column(t("prod.col.due", lang), 10),
            Column(t("prod.col.state", lang), 8, flex=1, max_width=18),
        ]

    @property
    def table(self) -> GroupedTable:
        return self.query_one("#ops", GroupedTable)

    def on_mount(self) -> None:
        localize_bindings(self.table.options, self.lang)
        rename_enter(self.table, self.t("key.prod_edit"))
        self.table.focus()
        self.reload()

    def unsaved_changes(self) -> bool:
        return self.dirty

    # -- loading --------------------------------------------------------------------------

    def reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="plan", exit_on_error=False)
    def load(self) -> None:
        from order_tui.services import execution

        owner = self.actor.display_name if self.actor else ""
        try:
            view = execution.production_view(self.db, self.actor, self.order_no, owner)
        except Exception as exc:
            self.app.call_from_thread(self._failed, exc)
        else:
            self.app.call_from_thread(self._loaded, view)

    def _failed(self, exc: Exception) -> None:
        if self.is_attached:
            self.say(error_text(exc, self.lang), error=True)

    def _loaded(self, view: ProductionView) -> None:
        if not self.is_attached:
            return
        from order_tui.services.execution import OperationInput

        self.view = view
        self.draft = {
            ln.line_no: [
                OperationInput(op.name, op.owner, op.planned_start, op.due_date)
                for op in ln.operations
            ]
            for ln in view.lines
            if not ln.planned
        }
        self.dirty = False
        self.render_plan()
        self.say(self.state_text())

    # -- what the screen shows -------------------------------------------------------------

    @property
    def editing(self) -> bool:
        """An approved order, not planned yet, and I plan: the proposal is mine to edit."""
        v = self.view
        return v is not None and not v.planned and bool(v.lines) and may_plan(self.actor, v.status)

    @property
    def reporting(self) -> bool:
        v = self.view
        return v is not None and v.planned and may_report(self.actor, v.status)

    def current_lines(self) -> list[PlanLineView]:
        """The lines as shown: the saved plan, or the draft's operations."""
        from order_tui.services.execution import OperationView

        assert self.view is not None
        lines = []
        for ln in self.view.lines:
            if ln.line_no in self.draft:
                ops = [
                    OperationView(None, seq, o.name, o.owner, o.planned_start, o.due_date)
                    for seq, o in enumerate(self.draft[ln.line_no], start=1)
                ]
                ln = replace(ln, operations=ops)
            lines.append(ln)
        return lines

    def state_text(self) -> str:
        v = self.view
        if v is None:
            return ""
        if not v.lines:
            return self.t("prod.no_lines")
        if self.editing:
            if self.dirty:
                return self.t("prod.edited")
            days = max((ln.lead_time_days for ln in v.lines), default=0)
            return self.t("prod.proposed", days=days)
        if self.reporting:
            return self.t("prod.planned")
        if v.status in (Status.APPROVED.value, Status.IN_PRODUCTION.value):
            return self.t("prod.view_only")
        return self.t("prod.not_now")

    def render_plan(self) -> None:
        v = self.view
        if v is None:
            return
        lang = self.lang
        today = app_now(self.app, self.db.timezone).date()
        wanted = v.wanted_date.isoformat() if v.wanted_date else self.t("prod.no_wanted")
        head = Text()
        head.append(
            self.t(
                "prod.head",
                order_no=v.order_no,
                status=status_label(Status(v.status), lang),
                customer=v.customer,
                wanted=wanted,
            )
        )
        for h in v.holds:
            kind = label(HOLD_KINDS, str(h.get("kind", "")), lang)
            style = "bold reverse" if self.app.no_color else "bold red"
            text = self.t("prod.on_hold", kind=kind, text=h.get("description", ""))
            head.append("\n" + text, style=style)
        self.query_one("#head", Static).update(head)

        from order_tui.services.execution import late_lines

        lines = self.current_lines()
        late = late_lines(lines, v.wanted_date)
        warn = self.query_one("#warn", Static)
        if late and v.wanted_date is not None:
            warn.update(
                "\n".join(
                    self.t(
                        "prod.warn",
                        line=ln.line_no,
                        name=ln.name,
                        ready=ln.ready_date.isoformat() if ln.ready_date else "",
                        wanted=v.wanted_date.isoformat(),
                    )
                    for ln in late
                )
            )
            warn.set_class(False, "-ok")
        else:
            warn.update(self.t("prod.on_time") if lines and v.wanted_date else "")
            warn.set_class(True, "-ok")
        warn.display = bool(lines)

        groups = []
        for ln in lines:
            ready = ln.ready_date.isoformat() if ln.ready_date else "-"
            title = self.t(
                "prod.line",
                line=ln.line_no,
                code=ln.product_code,
                name=ln.name,
                spec=ln.spec,
                qty=qty(ln.qty),
                unit=ln.unit,
                ready=ready,
            )
            rows = []
            for index, op in enumerate(ln.operations):
                if op.done_at is not None:
                    when = local_time(op.done_at.isoformat(), self.db.timezone, "%m-%d")
                    state, style = self.t("prod.state.done", when=when), "dim"
                elif op.id is None:
                    state, style = self.t("prod.state.new"), ""
                elif op.due_date < today:
                    state, style = self.t("prod.state.late"), "bold"
                else:
                    state, style = self.t("prod.state.open"), ""
                due_style = "bold" if v.wanted_date and op.due_date > v.wanted_date else ""
                rows.append(
                    Row(
                        key=f"{ln.line_no}:{index}",
                        cells=(
                            str(op.seq),
                            op.name,
                            op.owner,
                            op.planned_start.isoformat(),
                            op.due_date.isoformat(),
                            state,
                        ),
                        styles=("", "", "", "", due_style, style),
                        style="dim" if op.done_at is not None else "",
                    )
                )
            groups.append(Group(title, rows))
        if not lines:
            groups = [Group(self.t("prod.no_lines"))]
        self.table.set_groups(groups)
        self.refresh_bindings()

    def say(self, text: str, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "-error")
        if error:
            self.app.bell()

    # -- the row under the cursor -----------------------------------------------------------

    def cursor(self) -> tuple[int, int] | None:
        key = self.table.highlighted_key
        if not key or ":" not in key:
            return None
        line, index = key.split(":", 1)
        return int(line), int(index)

    def today(self) -> date:
        return app_now(self.app, self.db.timezone).date()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add", "remove", "save"):
            return self.editing
        if action == "done":
            return self.reporting
        if action == "edit":
            return self.editing or self.reporting
        if action == "hold":
            from order_tui.screens.holds import may_hold

            return self.view is not None and may_hold(self.actor, self.view.status)
        return True

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_edit()

    def action_edit(self) -> None:
        at = self.cursor()
        if at is None or self.view is None:
            return
        line_no, index = at
        if self.editing and line_no in self.draft:
            op = self.draft[line_no][index]
            dialog = OperationDialog(self.lang, self.t("op.title_edit"), op, self.today())
            self.app.push_screen(dialog, callback=lambda new: self._put(line_no, index, new))
            return
        if self.reporting:
            saved = self._saved_op(line_no, index)
            if saved is None or saved.done_at is not None or saved.id is None:
                return
            self._revise(saved)

    def _saved_op(self, line_no: int, index: int) -> Any:
        assert self.view is not None
        line = next((ln for ln in self.view.lines if ln.line_no == line_no), None)
        if line is None or index >= len(line.operations):
            return None
        return line.operations[index]

    def _revise(self, saved: Any) -> None:
        from order_tui.services import execution

        op = execution.OperationInput(saved.name, saved.owner, saved.planned_start, saved.due_date)
        actor, db, order_no, op_id = self.actor, self.db, self.order_no, saved.id
        assert actor is not None

        def save(new: OperationInput) -> None:
            execution.revise_operation(db, actor, order_no, op_id, new)

        def closed(new: OperationInput | None) -> None:
            if new is not None:
                self.app.notify(self.t("prod.revised", name=new.name), timeout=5, markup=False)
                self.reload()

        dialog = OperationDialog(self.lang, self.t("op.title_revise"), op, self.today(), save)
        self.app.push_screen(dialog, callback=closed)

    def _put(self, line_no: int, index: int, op: OperationInput | None, insert: bool = False):
        if op is None:
            return
        ops = self.draft[line_no]
        if insert:
            ops.insert(index, op)
        else:
            ops[index] = op
        self.dirty = True
        self.render_plan()
        self.table.set_groups(self.table.groups, keep=f"{line_no}:{index}")
        self.say(self.state_text())

    def action_add(self) -> None:
        at = self.cursor()
        if at is None or not self.editing:
            return
        from order_tui.services.execution import OperationInput

        line_no, index = at
        after = self.draft[line_no][index]
        start = after.due_date
        op = OperationInput("", after.owner, start, start + timedelta(days=1))
        dialog = OperationDialog(self.lang, self.t("op.title_add"), op, self.today())
        self.app.push_screen(
            dialog, callback=lambda new: self._put(line_no, index + 1, new, insert=True)
        )

    def action_remove(self) -> None:
        at = self.cursor()
        if at is None or not self.editing:
            return
        line_no, index = at
        ops = self.draft[line_no]
        if len(ops) <= 1:
            self.say(self.t("prod.keep_one"), error=True)
            return
        del ops[index]
        self.dirty = True
        self.render_plan()
        self.table.set_groups(self.table.groups, keep=f"{line_no}:{max(index - 1, 0)}")
        self.say(self.state_text())

    def action_save(self) -> None:
        if not self.editing or self.view is None:
            return
        from order_tui.services import execution
        from order_tui.services.execution import late_lines

        view, draft, actor = self.view, {k: list(v) for k, v in self.draft.items()}, self.actor
        assert actor is not None
        late = len(late_lines(self.current_lines(), view.wanted_date))

        def done(_warnings: object) -> None:
            key = "prod.saved_late" if late else "prod.saved"
            self.app.notify(self.t(key, order_no=view.order_no, count=late), timeout=8)
            self.dirty = False
            self.reload()

        self.app.run_write(  # type: ignore[attr-defined]
            lambda: execution.plan_production(
                self.db, actor, view.order_no, draft, expected_version=view.version
            ),
            on_done=done,
            on_error=lambda exc: self.say(error_text(exc, self.lang), error=True),
        )

    def action_done(self) -> None:
        at = self.cursor()
        if at is None or not self.reporting:
            return
        saved = self._saved_op(*at)
        if saved is None or saved.done_at is not None:
            return
        from order_tui.services import execution

        actor = self.actor
        assert actor is not None

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            self.app.run_write(  # type: ignore[attr-defined]
                lambda: execution.complete_operation(self.db, actor, self.order_no, saved.id),
                on_done=lambda name: (
                    self.app.notify(self.t("prod.done", name=name), timeout=5, markup=False),
                    self.reload(),
                ),
                on_error=lambda exc: self.say(error_text(exc, self.lang), error=True),
            )

        question = self.t("prod.done_ask", name=saved.name)
        self.app.push_screen(ConfirmScreen(self.lang, question), callback=answered)

    def action_hold(self) -> None:
        if self.view is None or self.actor is None:
            return
        from order_tui.screens.holds import HoldDialog

        subject = f"{self.view.customer}  {status_label(Status(self.view.status), self.lang)}"
        dialog = HoldDialog(self.db, self.lang, self.actor, self.order_no, subject)
        self.app.push_screen(dialog, callback=lambda done: self.reload() if done else None)

    def run_lifecycle_action(self, action: Action) -> None:
        """The palette's plan / operation done / hold run this screen's own keys."""
        if action == Action.PLAN_PRODUCTION:
            self.action_save()
        elif action == Action.COMPLETE_OPERATION:
            self.action_done()
        elif action == Action.HOLD:
            self.action_hold()
        else:
            self.app.notify(
                t("palette.needs_form", self.lang, action=action.value), severity="warning"
            )

    def action_leave(self) -> None:
        if not self.dirty:
            self.app.pop_screen()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dirty = False
                self.app.pop_screen()

        self.app.push_screen(ConfirmScreen(self.lang, self.t("prod.leave_ask")), callback=answered)


class ProductionListScreen(PagedListScreen):
    """Orders to plan, then the open plans across orders by due date (paged by key)."""

    TITLE_KEY = "plans.title"

    def info(self) -> str:
        return self.t("plans.info")

    def columns(self) -> list[Column]:
        lang = self.lang
        return [
            Column(t("plans.col.date", lang), 5),
            Column(t("plans.col.order", lang), 13),
            Column(t("plans.col.customer", lang), 12, flex=2, max_width=30),
            Column(t("plans.col.what", lang), 14, flex=3),
            Column(t("plans.col.progress", lang), 4, align="right"),
            Column(t("plans.col.flag", lang), 4),
        ]

    def fetch(self, after: Any) -> tuple[list[Group], list[Any]]:
        from order_tui.services import execution

        head: list[Group] = []
        if after is None:
            waiting = execution.orders_to_plan(self.db, self.actor)
            self._waiting = waiting
            head = [
                Group(
                    self.t("plans.to_plan", count=len(waiting)),
                    [],  # rows are made on the app's thread (they read the clock)
                )
            ]
        return head, execution.open_plans(self.db, self.actor, after=after, limit=PAGE)

    def render_rows(self) -> None:
        waiting: list[OrderRow] = getattr(self, "_waiting", [])
        if self.head:
            self.head = [
                Group(
                    self.t("plans.to_plan", count=len(waiting)),
                    [self._waiting_row(o) for o in waiting],
                    empty=self.t("plans.empty"),
                )
            ]
        super().render_rows()

    def group_title(self) -> str:
        return self.t("plans.open")

    def empty_text(self) -> str:
        return self.t("plans.empty")

    def _flag(self, late: bool, held: bool) -> str:
        words = []
        if held:
            words.append(self.t("plans.flag.hold"))
        if late:
            words.append(self.t("plans.flag.late"))
        return " ".join(words)

    def _waiting_row(self, o: OrderRow) -> Row:
        year = app_now(self.app, self.db.timezone).year
        flag = self._flag(False, o.on_hold)
        return Row(
            key=f"order:{o.order_no}",
            cells=(
                short_day(o.wanted_date, year),
                o.order_no,
                o.customer,
                self.t("plans.waiting"),
                "",
                flag,
            ),
            styles=("", "", "", "", "", "bold"),
        )

    def row(self, item: PlanRow) -> Row:
        year = app_now(self.app, self.db.timezone).year
        what = f"{item.product_code} {item.name}"
        if item.next_name:
            what += f" -> {item.next_name} {item.next_owner}".rstrip()
        flag = self._flag(item.late, item.on_hold)
        return Row(
            key=f"plan:{item.plan_id}:{item.order_no}",
            cells=(
                short_day(item.due_date, year),
                item.order_no,
                item.customer,
                what,
                f"{item.done}/{item.total}",
                flag,
            ),
            styles=("bold" if item.late else "", "", "", "", "", "bold" if flag else ""),
        )

    def order_no_of(self, key: str | None) -> str | None:
        if not key:
            return None
        return key.rsplit(":", 1)[-1]

    def opened(self, key: str) -> None:
        order_no = self.order_no_of(key)
        if order_no is None:
            return
        assert self.actor is not None
        self.app.push_screen(ProductionPlanScreen(self.db, self.lang, self.actor, order_no))
