"""Step 4 for the warehouse: the orders to pick, and one order's pick/pack screen.

The pick screen has a scan field that has the focus: a barcode scanner types the product code
and Enter, which picks one unit; `CODE*QTY` (typed, or from Enter on a line, which fills in
the code and what is left) picks more at once. A refused scan (a product not on the order, the
wrong spec, more than is left, no free stock) rings the bell and says why under the field; the
refused text comes back into the field, selected, so the next scan replaces it. Scans run one
after the other in the order they came, so a fast scanner never overtakes itself.

Picking locks the stock (the stock table's "locked", which every screen shows). Lines of
products that are not stocked (services) need no pick and no lock: starting to pick counts
them as picked, and the screen says so.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input, OptionList, Static

from order_tui.domain.lifecycle import Action, Status, allowed_actions, status_label
from order_tui.domain.terms import HOLD_KINDS, label
from order_tui.screens.base import OrderScreen, TitleBar
from order_tui.screens.field_dialog import FieldDialog
from order_tui.screens.fmt import qty, short_day
from order_tui.screens.i18n import error_text, localize_bindings, register, t
from order_tui.screens.paged import PAGE, PagedListScreen
from order_tui.screens.production import rename_enter
from order_tui.screens.review import QUIET_APP_KEYS
from order_tui.widgets.field_input import FieldInput
from order_tui.widgets.grouped_table import Column, Group, GroupedTable, Row
from order_tui.widgets.status_line import app_now

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor
    from order_tui.services.execution import OrderRow, PickLine, PickView

# The statuses in which each document may be printed (services.documents.ALLOWED says the
# same; read here without importing the PDF library on the UI thread).
PICK_LIST_STATUSES = frozenset({"approved", "in_production", "picking", "packed"})
SLIP_STATUSES = frozenset({"picking", "packed", "shipped", "delivered", "completed", "archived"})

register(
    {
        # keys
        "key.pick_start": ("开始拣货", "Start picking"),
        "key.pick_pack": ("打包", "Pack"),
        "key.pick_print_list": ("拣货单", "Pick list"),
        "key.pick_print_slip": ("装箱单", "Packing slip"),
        "key.pick_hold": ("挂起", "Hold"),
        "key.pick_fill": ("填入扫码栏", "To the scan field"),
        "key.pack_cancel": ("取消", "Cancel"),
        # the pick screen
        "pick.title": ("拣货 {order_no}", "Pick {order_no}"),
        "pick.loading": ("正在加载订单…", "Loading the order…"),
        "pick.head": (
            "{order_no}  {status}  {customer}  交期 {wanted}",
            "{order_no}  {status}  {customer}  wanted {wanted}",
        ),
        "pick.on_hold": ("【挂起】{kind}：{text}（{owner}）", "[ON HOLD] {kind}: {text} ({owner})"),
        "pick.not_stocked": (
            "第 {lines} 行为非库存项目（服务）：不锁库存、不拣货，开始拣货时即计为拣齐",
            "Line {lines}: not stocked (services): no lock, no pick; counted as picked "
            "when picking starts",
        ),
        "pick.group": ("明细 {count} 行 · 已拣齐 {done} 行", "{count} lines · {done} picked"),
        "pick.col.no": ("#", "#"),
        "pick.col.code": ("编码", "Code"),
        "pick.col.name": ("名称", "Name"),
        "pick.col.spec": ("规格", "Spec"),
        "pick.col.unit": ("单位", "Unit"),
        "pick.col.qty": ("订购", "Ordered"),
        "pick.col.loc": ("库位", "Location"),
        "pick.col.picked": ("已拣", "Picked"),
        "pick.col.state": ("状态", "State"),
        "pick.state.done": ("拣齐", "done"),
        "pick.state.free": ("免拣", "n/a"),
        "pick.state.part": ("未齐", "part"),
        "pick.scan": ("扫码", "Scan"),
        "pick.scan_ph": ("编码 或 编码*数量", "CODE or CODE*QTY"),
        "pick.scan_hint": (
            "回车=拣 1 件 · 编码*数量 · Tab 明细",
            "Enter picks 1 · CODE*QTY · Tab: lines",
        ),
        "pick.ready": (
            "扫描商品条码，或输入编码后回车",
            "Scan the goods, or type the product code and Enter",
        ),
        "pick.picked": (
            "已拣 {code} {name} {qty}{unit}（第 {line} 行 {picked}/{ordered}）",
            "Picked {code} {name} {qty} {unit} (line {line}: {picked}/{ordered})",
        ),
        "pick.all_done": ("全部拣齐，按 F7 打包", "Everything picked: F7 packs"),
        "pick.refused": ("！{text}：{reason}", "! {text}: {reason}"),
        "pick.bad_scan": (
            "看不懂，应为 编码 或 编码*数量（如 P0001*3）",
            "Not a scan: write CODE or CODE*QTY (e.g. P0001*3)",
        ),
        "pick.not_started": ("请先按 F6 开始拣货", "Press F6 to start picking first"),
        "pick.cannot_start": (
            "定制产品尚未生产完工，不能开始拣货",
            "Made-to-order goods are not finished: picking cannot start",
        ),
        "pick.held": (
            "订单挂起中，不能拣货（待内勤解除挂起）",
            "The order is on hold: no picking until the clerk releases it",
        ),
        "pick.not_picking": ("订单{status}，不能拣货", "The order is {status}: nothing to pick"),
        "pick.started": ("开始拣货", "Picking started"),
        "pick.started_free": (
            "开始拣货；第 {lines} 行为非库存项目，已计为拣齐",
            "Picking started; line {lines} not stocked, counted as picked",
        ),
        "pick.packed": (
            "已打包 {count} 件 {weight} kg，订单已打包；F9 打印装箱单",
            "Packed {count} package(s), {weight} kg: the order is packed; F9 prints the slip",
        ),
        "pick.printing": ("正在生成 PDF…", "Writing the PDF…"),
        "pick.printed": ("{what}已写入：{path}", "{what} written: {path}"),
        "pick.help": (
            "扫码枪扫描商品条码（输入编码并回车）即拣 1 件；"
            "输入 编码*数量（如 P0001*3）一次拣多件。"
            "在明细上按 Enter 把该行编码和剩余数量填入扫码栏。不在订单上的产品、规格不符、"
            "超过剩余数量或库存不足都会被拒绝并说明原因。拣货即锁定库存。"
            "F6 开始拣货，F7 打包（件数、重量、备注），F8/F9 打印拣货单/装箱单（PDF），F10 挂起。",
            "A barcode scanner (the product code and Enter) picks one unit; CODE*QTY (e.g. "
            "P0001*3) picks several. Enter on a line fills the scan field with its code and "
            "what is left. A product not on the order, a wrong spec, more than is left or no "
            "free stock is refused with the reason. Picking locks the stock. F6 starts "
            "picking, F7 packs (count, weight, notes), F8/F9 print the pick list / packing "
            "slip (PDF), F10 raises a hold.",
        ),
        # the packing dialog
        "pack.title": ("打包 {order_no}", "Pack {order_no}"),
        "pack.count": ("件数", "Packages"),
        "pack.weight": ("总重量 kg（可空）", "Total weight kg (may be empty)"),
        "pack.notes": ("备注（如 木箱、托盘）", "Notes (e.g. wooden case, pallet)"),
        "pack.bad_count": ("件数应为正整数", "The count is a whole number from 1"),
        "pack.bad_weight": ("重量应为数字，如 36.5", "The weight is a number, e.g. 36.5"),
        "pack.hint": ("Enter 下一项/确定 · Esc 取消", "Enter: next field / done · Esc: cancel"),
        "pack.saving": ("正在保存…", "Saving…"),
        # the list
        "picks.title": ("拣货清单", "Orders to pick"),
        "picks.info": (
            "可拣货的订单，按要求交期排列 · Enter 打开",
            "Orders ready to pick, by requested delivery date · Enter opens",
        ),
        "picks.group": ("待拣/拣货中", "To pick / picking"),
        "picks.empty": ("没有待拣的订单。", "No order to pick."),
        "picks.col.wanted": ("交期", "Wanted"),
        "picks.col.order": ("订单号", "Order no"),
        "picks.col.customer": ("客户", "Customer"),
        "picks.col.status": ("状态", "Status"),
        "picks.col.progress": ("拣齐", "Picked"),
        "picks.col.flag": ("标记", "Flag"),
        "picks.ready": ("待拣", "to pick"),
        "picks.flag.hold": ("挂起", "HOLD"),
        "picks.flag.late": ("逾期", "LATE"),
    }
)

_SCAN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._/-]*)\s*(?:[*×xX]\s*(\d+(?:\.\d{1,4})?))?$")


def parse_scan(text: str) -> tuple[str, Decimal] | None:
    """ "P0001" -> ("P0001", 1); "p0001*3" -> ("P0001", 3); anything else -> None."""
    m = _SCAN.match(text.strip())
    if not m:
        return None
    try:
        amount = Decimal(m[2]) if m[2] else Decimal(1)
    except InvalidOperation:
        return None
    return m[1].upper(), amount


def may(actor: Actor | None, status: str, action: Action) -> bool:
    return actor is not None and action in allowed_actions(Status(status), actor.roles)


class PackDialog(FieldDialog):
    """Packages: count, total weight, notes. Runs the packing itself; closes when done."""

    DEFAULT_CSS = """
    PackDialog > Vertical {
        width: 60;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="pack_cancel", priority=True),
    ]
    PREFIX = "pack"
    FIELDS = ("pack-count", "pack-weight", "pack-notes")

    def __init__(self, db: Database, lang: str, actor: Actor, order_no: str) -> None:
        self.db = db
        self.actor = actor
        self.order_no = order_no
        self.result_text = ""
        super().__init__(lang)

    def compose(self) -> ComposeResult:
        lang = self.lang
        box = Vertical()
        box.border_title = t("pack.title", lang, order_no=self.order_no)
        with box:
            yield self.label(t("pack.count", lang))
            yield FieldInput("1", id="pack-count", compact=True)
            yield self.label(t("pack.weight", lang))
            yield FieldInput(id="pack-weight", compact=True)
            yield self.label(t("pack.notes", lang))
            yield FieldInput(id="pack-notes", compact=True)
            yield from self.foot(t("pack.hint", lang))

    def confirm(self) -> None:
        if self.busy:
            return
        values = {f: self.query_one(f"#{f}", Input).value.strip() for f in self.FIELDS}
        if not values["pack-count"].isdigit() or int(values["pack-count"]) < 1:
            self._error(t("pack.bad_count", self.lang), "pack-count")
            return
        try:
            weight = Decimal(values["pack-weight"] or "0")
            if not weight.is_finite() or weight < 0:
                raise InvalidOperation
        except InvalidOperation:
            self._error(t("pack.bad_weight", self.lang), "pack-weight")
            return
        count, notes = int(values["pack-count"]), values["pack-notes"]
        from order_tui.services import execution

        self.busy = True
        self.query_one("#pack-error", Static).update(t("pack.saving", self.lang))
        self.result_text = t("pick.packed", self.lang, count=count, weight=qty(weight))

        def refused(exc: Exception) -> None:
            fields = {"count": "pack-count", "weight": "pack-weight", "notes": "pack-notes"}
            self.refused(exc, fields, "pack-count")

        def done(_detail: object) -> None:
            self.busy = False
            self.dismiss(True)

        self.app.run_write(  # type: ignore[attr-defined]
            lambda: execution.pack(self.db, self.actor, self.order_no, [(count, weight, notes)]),
            on_done=done,
            on_error=refused,
        )


class LineList(GroupedTable):
    """The order's lines; Enter puts the line's code and what is left into the scan field."""


class PickScreen(OrderScreen):
    """One order: lines with location and what is picked, the scan field, pack and print."""

    DEFAULT_CSS = """
    PickScreen #head {
        height: auto;
        max-height: 3;
        padding: 0 1;
    }
    PickScreen #note {
        height: auto;
        max-height: 2;
        padding: 0 1;
        color: $text-muted;
    }
    PickScreen #scan-row {
        height: 1;
        padding: 0 1;
    }
    PickScreen #scan-label {
        width: auto;
        text-style: bold;
        padding-right: 1;
    }
    PickScreen #scan {
        width: 24;
    }
    PickScreen #scan-hint {
        width: 1fr;
        padding-left: 1;
        color: $text-muted;
    }
    PickScreen #scan-msg {
        height: auto;
        max-height: 2;
        padding: 0 1;
    }
    PickScreen #scan-msg.-error {
        color: $error;
        text-style: bold;
    }
    PickScreen #scan-msg.-error:nocolor {
        text-style: bold reverse;
    }
    PickScreen #scan-msg.-ok {
        text-style: bold;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f6", "start", "Start picking", id="pick_start"),
        Binding("f7", "pack", "Pack", id="pick_pack"),
        Binding("f8", "print_pick_list", "Pick list", id="pick_print_list"),
        Binding("f9", "print_packing_slip", "Packing slip", id="pick_print_slip"),
        Binding("f10", "hold", "Hold", id="pick_hold"),
        *QUIET_APP_KEYS,
    ]
    HELP_EXTRA: ClassVar[list[tuple[str, str]]] = [
        ("Enter", "key.pick_fill"),
        ("Tab", "key.focus_next"),
    ]
    HELP_NOTES: ClassVar[list[str]] = ["pick.help"]

    def __init__(self, db: Database, lang: str, actor: Actor, order_no: str) -> None:
        super().__init__(db, lang, actor)
        self.order_no = order_no
        self.view: PickView | None = None
        self.queue: list[str] = []
        self.scanning = False

    @property
    def detail(self) -> PickView | None:
        """The palette reads the order in view from here (number, status, hold)."""
        return self.view

    def compose(self) -> ComposeResult:
        yield TitleBar(self.title_text(self.t("pick.title", order_no=self.order_no)))
        yield Static(self.t("pick.loading"), id="head", markup=False)
        yield Static("", id="note", markup=False)
        yield LineList(self.columns(), id="lines")
        with Horizontal(id="scan-row"):
            yield Static(self.t("pick.scan"), id="scan-label", markup=False)
            yield FieldInput(placeholder=self.t("pick.scan_ph"), id="scan", compact=True)
            yield Static(self.t("pick.scan_hint"), id="scan-hint", markup=False)
        yield Static("", id="scan-msg", markup=False)
        yield Footer(show_command_palette=False)

    def columns(self) -> list[Column]:
        lang = self.lang
        return [
            Column(t("pick.col.no", lang), 2, align="right"),
            Column(t("pick.col.code", lang), 5),
            Column(t("pick.col.name", lang), 8, flex=3, max_width=24),
            Column(t("pick.col.spec", lang), 8, flex=2, max_width=24),
            Column(t("pick.col.unit", lang), 2),
            Column(t("pick.col.qty", lang), 4, align="right"),
            Column(t("pick.col.picked", lang), 4, align="right"),
            Column(t("pick.col.loc", lang), 7),
            Column(t("pick.col.state", lang), 4),
        ]

    @property
    def lines(self) -> LineList:
        return self.query_one("#lines", LineList)

    @property
    def scan(self) -> Input:
        return self.query_one("#scan", Input)

    def on_mount(self) -> None:
        localize_bindings(self.lines.options, self.lang)
        rename_enter(self.lines, self.t("key.pick_fill"))
        self.scan.focus()
        self.reload()

    # -- loading ----------------------------------------------------------------------------

    def reload(self, message: str | None = None) -> None:
        self.load(message)

    @work(thread=True, exclusive=True, group="pick", exit_on_error=False)
    def load(self, message: str | None = None) -> None:
        from order_tui.services import execution

        try:
            view = execution.pick_view(self.db, self.actor, self.order_no)
        except Exception as exc:
            self.app.call_from_thread(self.say, error_text(exc, self.lang), True)
        else:
            self.app.call_from_thread(self.show, view, message)

    def show(self, view: PickView, message: str | None = None) -> None:
        if not self.is_attached:
            return
        self.view = view
        lang = self.lang
        year = app_now(self.app, self.db.timezone).year
        head = Text(
            self.t(
                "pick.head",
                order_no=view.order_no,
                status=status_label(Status(view.status), lang),
                customer=view.customer,
                wanted=short_day(view.wanted_date, year) or "-",
            )
        )
        style = "bold reverse" if self.app.no_color else "bold red"
        for h in view.holds:
            kind = label(HOLD_KINDS, str(h.get("kind", "")), lang)
            text = self.t(
                "pick.on_hold", kind=kind, text=h.get("description", ""), owner=h.get("owner", "")
            )
            head.append("\n" + text, style=style)
        self.query_one("#head", Static).update(head)
        free = [str(ln.line_no) for ln in view.lines if not ln.stocked]
        note = self.query_one("#note", Static)
        note.update(self.t("pick.not_stocked", lines="、".join(free)) if free else "")
        note.display = bool(free)
        done = sum(ln.picked >= ln.qty for ln in view.lines)
        rows = [self._row(ln) for ln in view.lines]
        title = self.t("pick.group", count=len(view.lines), done=done)
        self.lines.set_groups([Group(title, rows)])
        self.refresh_bindings()
        self.say(message if message is not None else self._state_text(), error=False)

    def _state_text(self) -> str:
        v = self.view
        if v is None:
            return ""
        if v.on_hold:
            return self.t("pick.held")
        if v.status == Status.PICKING.value:
            return self.t("pick.all_done") if v.all_picked else self.t("pick.ready")
        if v.status in (Status.APPROVED.value, Status.IN_PRODUCTION.value):
            if not v.production_done:
                return self.t("pick.cannot_start")
            return self.t("pick.not_started")
        return self.t("pick.not_picking", status=status_label(Status(v.status), self.lang))

    def _row(self, ln: PickLine) -> Row:
        if not ln.stocked:
            state = self.t("pick.state.free")
        elif ln.picked >= ln.qty:
            state = self.t("pick.state.done")
        elif ln.picked > 0:
            state = self.t("pick.state.part")
        else:
            state = ""
        return Row(
            key=f"line:{ln.line_no}",
            cells=(
                str(ln.line_no),
                ln.product_code,
                ln.name,
                ln.spec,
                ln.unit,
                qty(ln.qty),
                qty(ln.picked),
                ln.location or "-",
                state,
            ),
            styles=("", "bold", "", "", "", "", "bold", "bold", "bold" if state else ""),
            style="dim" if (ln.picked >= ln.qty) else "",
        )

    def say(self, text: str, error: bool = False) -> None:
        msg = self.query_one("#scan-msg", Static)
        msg.update(text)
        msg.set_class(error, "-error")
        msg.set_class(not error, "-ok")

    # -- scanning ---------------------------------------------------------------------------

    @on(Input.Submitted, "#scan")
    def _scanned(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            return
        self.scan.value = ""  # the next scan may follow at once
        self.queue.append(text)
        self._next_scan()

    def _refuse(self, text: str, reason: str) -> None:
        self.say(self.t("pick.refused", text=text, reason=reason), error=True)
        self.app.bell()
        scan = self.scan
        if not scan.value:  # nothing typed since: give the refused text back, selected
            scan.value = text
            scan.action_select_all()

    def _next_scan(self) -> None:
        if self.scanning or not self.queue:
            return
        text = self.queue.pop(0)
        parsed = parse_scan(text)
        view = self.view
        reason = None
        if parsed is None:
            reason = self.t("pick.bad_scan")
        elif view is None:
            reason = self.t("pick.loading")
        elif view.on_hold:
            reason = self.t("pick.held")
        elif view.status in (Status.APPROVED.value, Status.IN_PRODUCTION.value):
            reason = self.t("pick.not_started")
        elif view.status != Status.PICKING.value:
            status = status_label(Status(view.status), self.lang)
            reason = self.t("pick.not_picking", status=status)
        if reason is not None or parsed is None:
            self._refuse(text, reason or "")
            self.call_later(self._next_scan)
            return
        code, amount = parsed
        from order_tui.services import execution

        actor = self.actor
        assert actor is not None
        self.scanning = True

        def done(result: PickView) -> None:
            self.scanning = False
            self.show(result, self._picked_text(result))
            self._next_scan()

        def refused(exc: Exception) -> None:
            self.scanning = False
            self._refuse(text, error_text(exc, self.lang))
            self._next_scan()

        self.app.run_write(  # type: ignore[attr-defined]
            lambda: execution.pick_scanned(self.db, actor, self.order_no, code, amount),
            on_done=done,
            on_error=refused,
            group="scan",
        )

    def _picked_text(self, view: PickView) -> str:
        parts = []
        for no, amount in view.picked.items():
            line = next((ln for ln in view.lines if str(ln.line_no) == no), None)
            if line is None:
                continue
            parts.append(
                self.t(
                    "pick.picked",
                    code=line.product_code,
                    name=line.name,
                    qty=qty(Decimal(amount)),
                    unit=line.unit,
                    line=line.line_no,
                    picked=qty(line.picked),
                    ordered=qty(line.qty),
                )
            )
        text = "；".join(parts) if self.lang == "zh" else "; ".join(parts)
        if view.all_picked:
            text += ("  " if text else "") + self.t("pick.all_done")
        return text

    @on(OptionList.OptionSelected)
    def _fill(self, event: OptionList.OptionSelected) -> None:
        """Enter on a line: its code and what is left go into the scan field."""
        event.stop()
        if self.view is None or not event.option_id:
            return
        no = int(event.option_id.split(":", 1)[1])
        line = next((ln for ln in self.view.lines if ln.line_no == no), None)
        if line is None:
            return
        left = line.left if line.stocked else Decimal(0)
        scan = self.scan
        scan.value = f"{line.product_code}*{qty(left)}" if left > 0 else line.product_code
        scan.focus()
        scan.cursor_position = len(scan.value)

    # -- keys -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        v = self.view
        if v is None:
            return action not in ("start", "pack", "print_pick_list", "print_packing_slip", "hold")
        if action == "start":
            return v.status in ("approved", "in_production") and may(
                self.actor, v.status, Action.START_PICKING
            )
        if action == "pack":
            return v.status == "picking" and may(self.actor, v.status, Action.PACK)
        if action == "print_pick_list":
            return v.status in PICK_LIST_STATUSES
        if action == "print_packing_slip":
            return v.status in SLIP_STATUSES
        if action == "hold":
            return may(self.actor, v.status, Action.HOLD)
        return True

    def action_start(self) -> None:
        v = self.view
        if v is None:
            return
        if v.on_hold:
            self.say(self.t("pick.held"), error=True)
            return
        if not v.production_done:
            self.say(self.t("pick.cannot_start"), error=True)
            return
        from order_tui.services import execution

        actor = self.actor
        assert actor is not None
        free = "、".join(str(ln.line_no) for ln in v.lines if not ln.stocked)

        def done(_detail: object) -> None:
            key = "pick.started_free" if free else "pick.started"
            self.scan.focus()
            self.reload(self.t(key, lines=free))

        self.app.run_write(  # type: ignore[attr-defined]
            lambda: execution.start_picking(self.db, actor, self.order_no, v.version),
            on_done=done,
            on_error=lambda exc: self.say(error_text(exc, self.lang), error=True),
        )

    def action_pack(self) -> None:
        v = self.view
        if v is None or self.actor is None:
            return
        if v.on_hold:
            self.say(self.t("pick.held"), error=True)
            return
        if not v.all_picked:
            self.say(self.t("pick.ready"), error=True)
            return
        dialog = PackDialog(self.db, self.lang, self.actor, self.order_no)

        def closed(done: bool | None) -> None:
            if done:
                self.reload(dialog.result_text)

        self.app.push_screen(dialog, callback=closed)

    def _print(self, kind: str) -> None:
        """F8/F9: the operator confirms the data directory's path or types another."""
        from order_tui.screens.print_dialog import PrintPathDialog
        from order_tui.services import documents

        actor = self.actor
        assert actor is not None
        make = documents.pick_list_pdf if kind == "pick_list" else documents.packing_slip_pdf
        what = self.t("key.pick_print_list" if kind == "pick_list" else "key.pick_print_slip")
        default = str(documents.default_path(self.db, kind, self.order_no))

        def done(path: Any) -> None:
            self.say(self.t("pick.printed", what=what, path=str(path)))

        def write(path: str | None) -> None:
            if path is None:
                return
            self.say(self.t("pick.printing"))
            self.app.run_write(  # type: ignore[attr-defined]
                lambda: make(self.db, actor, self.order_no, path),
                on_done=done,
                on_error=lambda exc: self.say(error_text(exc, self.lang), error=True),
                notice=self.t("pick.printing"),
                group="print",
            )

        self.app.push_screen(PrintPathDialog(self.lang, what, default), callback=write)

    def action_print_pick_list(self) -> None:
        self._print("pick_list")

    def action_print_packing_slip(self) -> None:
        self._print("packing_slip")

    def action_hold(self) -> None:
        v = self.view
        if v is None or self.actor is None:
            return
        from order_tui.screens.holds import HoldDialog

        subject = f"{v.customer}  {status_label(Status(v.status), self.lang)}"
        dialog = HoldDialog(self.db, self.lang, self.actor, self.order_no, subject)
        self.app.push_screen(dialog, callback=lambda done: self.reload() if done else None)

    def run_lifecycle_action(self, action: Action) -> None:
        """The palette's start / pick / pack / hold run this screen's own keys."""
        if action == Action.START_PICKING:
            self.action_start()
        elif action == Action.PACK:
            self.action_pack()
        elif action == Action.HOLD:
            self.action_hold()
        elif action == Action.PICK:
            self.scan.focus()
        else:
            self.app.notify(
                t("palette.needs_form", self.lang, action=action.value), severity="warning"
            )


class PickListScreen(PagedListScreen):
    """The orders to pick now, by requested delivery date, paged by key."""

    TITLE_KEY = "picks.title"

    def info(self) -> str:
        return self.t("picks.info")

    def columns(self) -> list[Column]:
        lang = self.lang
        return [
            Column(t("picks.col.wanted", lang), 5),
            Column(t("picks.col.order", lang), 13),
            Column(t("picks.col.customer", lang), 16, flex=3, max_width=40),
            Column(t("picks.col.status", lang), 6),
            Column(t("picks.col.progress", lang), 5, align="right"),
            Column(t("picks.col.flag", lang), 4, flex=1),
        ]

    def fetch(self, after: Any) -> tuple[list[Group], list[Any]]:
        from order_tui.services import execution

        return [], execution.pick_queue(self.db, self.actor, after=after, limit=PAGE)

    def group_title(self) -> str:
        return self.t("picks.group")

    def empty_text(self) -> str:
        return self.t("picks.empty")

    def row(self, item: OrderRow) -> Row:
        now = app_now(self.app, self.db.timezone)
        late = item.wanted_date is not None and item.wanted_date < now.date()
        flags = []
        if item.on_hold:
            flags.append(self.t("picks.flag.hold"))
        if late:
            flags.append(self.t("picks.flag.late"))
        if item.status == Status.PICKING.value:
            status = status_label(Status.PICKING, self.lang)
        else:
            status = self.t("picks.ready")
        return Row(
            key=f"pick:{item.order_no}",
            cells=(
                short_day(item.wanted_date, now.year),
                item.order_no,
                item.customer,
                status,
                f"{item.picked_lines}/{item.lines}",
                " ".join(flags),
            ),
            styles=("bold" if late else "", "", "", "", "", "bold"),
        )

    def order_in_view(self) -> Any:
        key = self.highlighted_key()
        item = next((i for i in self.items if f"pick:{i.order_no}" == key), None)
        return item

    def opened(self, key: str) -> None:
        assert self.actor is not None
        order_no = key.split(":", 1)[1]
        self.app.push_screen(PickScreen(self.db, self.lang, self.actor, order_no))
