"""Read-only view of one order that fits 80x24 and scrolls: header, what I may do, customer,
lines, amounts (figures and capital words), terms, holds, verdicts, attachments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from order_tui.domain.lifecycle import (
    NOT_ON_HOLD,
    Action,
    Status,
    action_label,
    allowed_actions,
    rule_for,
    status_label,
)
from order_tui.domain.roles import Role
from order_tui.domain.terms import (
    ATTACHMENT_KINDS,
    HOLD_KINDS,
    INVOICE_TYPES,
    REJECT_REASONS,
    label,
    terms_text,
)
from order_tui.screens.base import OrderScreen, TitleBar
from order_tui.screens.fmt import day, local_time, money, qty, tax
from order_tui.screens.i18n import STRINGS, error_text, register, t

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor
    from order_tui.services.views import OrderDetail

register(
    {
        "key.detail_print": ("打印", "Print"),
        "detail.sales_order": ("销售订单", "sales order"),
        "detail.printing": ("正在生成销售订单 PDF…", "Writing the sales order PDF…"),
        "detail.printed": ("销售订单已保存：{path}", "Sales order saved: {path}"),
        "key.entry_edit": ("编辑", "Edit"),
        "key.detail_hold": ("挂起", "Hold"),
        "key.detail_release": ("解除挂起", "Release hold"),
        "key.detail_pick": ("拣货", "Pick"),
        "key.detail_plan": ("排产", "Production"),
        # step 5: the lifecycle actions with a form of their own (screens/delivery_common.py)
        "key.detail_ship": ("发货", "Ship"),
        "key.detail_sign_off": ("签收", "Sign-off"),
        "key.detail_feedback": ("回访", "Feedback"),
        "key.detail_profile": ("客户档案", "Customer"),  # screens/profile.py
        "detail.shipped": ("已发 {qty}", "shipped {qty}"),
        "detail.owed": ("欠 {qty}", "owed {qty}"),
    }
)
# The order detail's own keys for the step-5 forms: binding action -> lifecycle action.
STEP5_FORMS: dict[str, Action] = {
    "ship_order": Action.SHIP,
    "sign_off_order": Action.SIGN_OFF,
    "record_feedback_order": Action.RECORD_FEEDBACK,
}

HOLD_STYLE = "bold red"
HOLD_STYLE_NO_COLOR = "bold reverse"


def my_actions(detail: OrderDetail, actor: Actor) -> list[tuple[Action, bool]]:
    """What this operator may do to the order in its status (the lifecycle table, by role),
    each with True when the order's hold blocks it for now.

    The other guards are the service's business; releasing a hold needs a hold.
    """
    status = Status(detail.status)
    result = []
    for action in allowed_actions(status, actor.roles):
        if action == Action.RELEASE_HOLD and not detail.on_hold:
            continue
        rule = rule_for(status, action)
        held = detail.on_hold and rule is not None and NOT_ON_HOLD in rule.guards
        result.append((action, held))
    return result


def _heading(text: str) -> Text:
    return Text(text, style="bold underline")


def _pairs(rows: list[tuple[str, RenderableType]]) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for key, value in rows:
        grid.add_row(key, value)
    return grid


def _verdict_line(v: dict[str, Any], lang: str, timezone: str) -> Text:
    """06-12 10:30 第 1 轮 财务 驳回 开票信息不全或不符：开票信息不全，请与客户确认"""
    dept = f"dept.{v.get('department', '')}"
    verdict = f"verdict.{v.get('verdict', '')}"
    line = Text()
    if v.get("at"):
        line.append(local_time(str(v["at"]), timezone, "%m-%d %H:%M") + " ", style="dim")
    line.append(t("detail.round_no", lang, round=v.get("round", "")) + " ")
    line.append(t(dept, lang) if dept in STRINGS else str(v.get("department", "")))
    line.append(" ")
    line.append(t(verdict, lang) if verdict in STRINGS else str(v.get("verdict", "")), style="bold")
    reason = v.get("reason") or ""
    if reason:
        line.append(" " + label(REJECT_REASONS, reason, lang))
    if v.get("comment"):
        line.append(("：" if lang == "zh" else ": ") + str(v["comment"]))
    return line


def render_detail(
    d: OrderDetail, actor: Actor, lang: str, timezone: str, no_color: bool = False
) -> Group:
    none = t("detail.none", lang)
    hold_style = HOLD_STYLE_NO_COLOR if no_color else HOLD_STYLE
    parts: list[RenderableType] = []

    head = Text()
    head.append(d.order_no, style="bold")
    head.append(f"  {t('detail.status', lang)} ")
    head.append(status_label(Status(d.status), lang), style="bold")
    if d.on_hold:
        head.append(" " + t("detail.on_hold", lang), style=hold_style)
    head.append(
        f"\n{t('detail.order_day', lang)} {day(d.order_day, lang)}"
        f"  {t('detail.version', lang)} {d.version}"
        f"  {t('detail.round', lang)} {d.review_round}"
    )
    parts.append(head)

    actions = my_actions(d, actor)
    line = Text(t("detail.actions", lang) + ("：" if lang == "zh" else ": "), style="bold")
    if not actions:
        line.append(t("detail.no_actions", lang))
    for index, (action, held) in enumerate(actions):
        if index:
            line.append(" · ")
        if held:
            line.append(action_label(action, lang) + t("detail.held_suffix", lang), style="dim")
        else:
            line.append(action_label(action, lang))
    parts.append(line)

    parts.append(Text())
    parts.append(_heading(t("detail.customer_head", lang)))
    contact = " ".join(x for x in (d.contact_name, d.contact_phone) if x) or none
    address = " ".join(x for x in (d.cust_address, d.cust_postcode) if x) or none
    bank = " ".join(x for x in (d.cust_bank, d.cust_account) if x) or none
    name = d.cust_name + (f" ({d.customer_code})" if d.customer_code else "")
    parts.append(
        _pairs(
            [
                (t("detail.name", lang), name),
                (t("detail.uscc", lang), d.cust_uscc or none),
                (t("detail.contact", lang), contact),
                (t("detail.address", lang), address),
                (t("detail.bank", lang), bank),
            ]
        )
    )

    parts.append(Text())
    parts.append(_heading(t("detail.lines", lang, count=len(d.lines))))
    lines = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        expand=True,
        header_style="bold",
    )
    lines.add_column(t("detail.col.no", lang), justify="right", no_wrap=True)
    lines.add_column(t("detail.col.product", lang), ratio=1, overflow="fold")
    lines.add_column(t("detail.col.qty", lang), justify="right", no_wrap=True)
    lines.add_column(t("detail.col.price", lang), justify="right", no_wrap=True)
    lines.add_column(t("detail.col.tax", lang), justify="right", no_wrap=True)
    lines.add_column(t("detail.col.gross", lang), justify="right", no_wrap=True)
    for ln in d.lines:
        product = Text(f"{ln.product_code} {ln.name}")
        if ln.made_to_order:
            product.append(f" [{t('detail.mto', lang)}]", style="bold")
        if ln.spec:
            product.append(f"\n{ln.spec}", style="dim")
        amount = Text(f"{qty(ln.qty)} {ln.unit}")
        if ln.shipped_qty > 0:  # shipped in part: what is still owed is a backorder
            amount.append("\n" + t("detail.shipped", lang, qty=qty(ln.shipped_qty)), style="dim")
            if ln.shipped_qty < ln.qty:
                owed = t("detail.owed", lang, qty=qty(ln.qty - ln.shipped_qty))
                amount.append("\n" + owed, style="bold")
        lines.add_row(
            str(ln.line_no),
            product,
            amount,
            money(ln.unit_price),
            tax(ln.tax_code, lang),
            money(ln.gross),
        )
    parts.append(lines)

    parts.append(Text())
    parts.append(_heading(t("detail.totals", lang)))
    pricing = t("detail.price_incl" if d.price_includes_tax else "detail.price_excl", lang)
    amounts = Text()
    for key, value in (
        ("detail.net", d.net_total),
        ("detail.tax", d.tax_total),
        ("detail.freight", d.freight),
        ("detail.discount", d.discount),
    ):
        amounts.append(t(key, lang) + " ", style="bold")
        amounts.append(money(value) + "  ")
    amounts.append(f"({pricing})", style="dim")
    parts.append(amounts)
    total = Text(t("detail.total", lang) + " ", style="bold")
    total.append(f"¥{money(d.total)}", style="bold")
    total.append("  " + t("detail.words", lang) + " ", style="bold")
    total.append(d.total_words, style="bold")
    parts.append(total)

    parts.append(Text())
    parts.append(_heading(t("detail.terms", lang)))
    terms = Table.grid(padding=(0, 1))
    terms.add_column(style="bold", no_wrap=True)
    terms.add_column(min_width=18)
    terms.add_column(style="bold", no_wrap=True)
    terms.add_column()
    terms.add_row(
        t("detail.payment", lang),
        terms_text(d.payment_terms, d.prepay_pct, d.credit_days, lang),
        t("detail.invoice", lang),
        label(INVOICE_TYPES, d.invoice_type, lang),
    )
    terms.add_row(
        t("detail.wanted", lang),
        day(d.wanted_date, lang),
        t("detail.due", lang),
        day(d.payment_due_date, lang),
    )
    parts.append(terms)
    if d.remarks:
        parts.append(_pairs([(t("detail.remarks", lang), d.remarks)]))

    if d.holds:
        parts.append(Text())
        parts.append(_heading(t("detail.holds", lang, count=len(d.holds))))
        for h in d.holds:
            hold = Text()
            if h.get("raised_at"):
                when = local_time(str(h["raised_at"]), timezone, "%m-%d %H:%M")
                hold.append(when + " ", style="dim")
            kind = label(HOLD_KINDS, str(h.get("kind", "")), lang)
            hold.append(f"[{kind}] ", style=hold_style)
            hold.append(str(h.get("description", "")))
            hold.append("  " + t("detail.hold_owner", lang, owner=h.get("owner", "")))
            parts.append(hold)

    parts.append(Text())
    parts.append(_heading(t("detail.verdicts", lang)))
    if d.verdicts:
        parts.extend(_verdict_line(v, lang, timezone) for v in d.verdicts)
    else:
        parts.append(Text(t("detail.no_verdicts", lang)))

    if d.attachments:
        parts.append(Text())
        parts.append(_heading(t("detail.attachments", lang, count=len(d.attachments))))
        for a in d.attachments:
            parts.append(
                Text(f"{label(ATTACHMENT_KINDS, str(a.get('kind', '')), lang)}: {a.get('name')}")
            )
    return Group(*parts)


class OrderDetailScreen(OrderScreen):
    """One order, read only. Up/Down/PgUp/PgDn scroll, F5 reloads, Esc goes back."""

    DEFAULT_CSS = """
    OrderDetailScreen #body {
        height: 1fr;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit_order", "Edit", id="entry_edit"),
        Binding("h", "hold_order", "Hold", id="detail_hold"),
        Binding("u", "release_hold_order", "Release hold", id="detail_release"),
        Binding("k", "pick_order", "Pick", id="detail_pick"),
        Binding("p", "plan_production_order", "Production", id="detail_plan"),
        Binding("t", "ship_order", "Ship", id="detail_ship"),
        Binding("g", "sign_off_order", "Sign-off", id="detail_sign_off"),
        Binding("f", "record_feedback_order", "Feedback", id="detail_feedback"),
        # F8 prints, as on the pick, shipment and sign-off screens: here the sales order
        # sheet for the customer to sign.
        Binding("f8", "print_sales_order", "Print order", id="detail_print"),
        # Off the footer: with F8 it would push ^Q Quit past 80 columns; F1 and ^P list it.
        Binding("c", "customer_profile", "Customer", id="detail_profile", show=False),
    ]
    HELP_EXTRA: ClassVar[list[tuple[str, str]]] = [
        ("Up / Down / PgUp / PgDn", "key.scroll"),
    ]

    def __init__(self, db: Database, lang: str, actor: Actor, order_no: str) -> None:
        super().__init__(db, lang, actor)
        self.order_no = order_no
        self.detail: OrderDetail | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar(self.title_text(self.t("detail.title", order_no=self.order_no)))
        with VerticalScroll(id="body"):
            yield Static(self.t("detail.loading"), id="content", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#body").focus()
        self.reload()

    def reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="order", exit_on_error=False)
    def load(self) -> None:
        from order_tui.services import orders

        try:
            detail = orders.get_order(self.db, self.actor, self.order_no)
        except Exception as exc:  # NotFound, or the database is unreachable: say so
            self.app.call_from_thread(self._failed, exc)
        else:
            self.app.call_from_thread(self._show, detail)

    def _failed(self, exc: Exception) -> None:
        if not self.is_attached:  # the operator left before the result came
            return
        message = self.t("detail.error", order_no=self.order_no, error=error_text(exc, self.lang))
        self.query_one("#content", Static).update(message)

    def _show(self, detail: OrderDetail) -> None:
        if not self.is_attached:  # the operator left before the result came
            return
        assert self.actor is not None
        if detail.status == Status.ARCHIVED and type(self) is OrderDetailScreen:
            # An archived order is read only: it opens with its whole history instead.
            from order_tui.screens.archive import ArchivedOrderScreen

            view = ArchivedOrderScreen(self.db, self.lang, self.actor, self.order_no)
            self.app.switch_screen(view)
            return
        self.detail = detail
        self.refresh_bindings()
        self.query_one("#content", Static).update(
            render_detail(detail, self.actor, self.lang, self.db.timezone, self.app.no_color)
        )

    def on_screen_resume(self) -> None:
        # Back from the pick, plan or hold screens: show what they did.
        if self.detail is not None:
            self.reload()

    def _may(self, *actions: Action) -> bool:
        if self.detail is None or self.actor is None:
            return False
        allowed = allowed_actions(Status(self.detail.status), self.actor.roles)
        return any(a in allowed for a in actions)

    def action_print_sales_order(self) -> None:
        """F8: the sales order sheet as PDF; the operator confirms or types where."""
        from order_tui.screens.print_dialog import PrintPathDialog
        from order_tui.services import documents

        default = str(documents.default_path(self.db, "sales_order", self.order_no))

        def chosen(path: str | None) -> None:
            if path:
                self.notify(self.t("detail.printing"), timeout=3)
                self._print(path)

        what = self.t("detail.sales_order")
        self.app.push_screen(PrintPathDialog(self.lang, what, default), callback=chosen)

    @work(thread=True, group="print", exit_on_error=False)
    def _print(self, path: str) -> None:
        from order_tui.services import documents

        assert self.actor is not None
        try:
            done = documents.sales_order_pdf(self.db, self.actor, self.order_no, path)
        except Exception as exc:  # a status that may not print, a folder not writable
            text = error_text(exc, self.lang)
            self.app.call_from_thread(self.notify, text, severity="error", timeout=8)
        else:
            text = self.t("detail.printed", path=str(done))
            self.app.call_from_thread(self.notify, text, timeout=8)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "print_sales_order":  # anyone in the flow; not a cancelled order
            return (
                self.detail is not None
                and self.actor is not None
                and bool(self.actor.roles - {Role.ADMIN})
                and self.detail.status != Status.CANCELLED
            )
        if action == "edit_order":  # a draft or returned order, for the sales clerk
            from order_tui.screens.order_entry import may_edit

            return self.detail is not None and may_edit(self.actor, self.detail.status)
        if action == "hold_order":  # anyone in the flow, while the order is open
            return self._may(Action.HOLD)
        if action == "release_hold_order":  # the clerk, once agreed with the customer
            return self._may(Action.RELEASE_HOLD) and bool(self.detail and self.detail.on_hold)
        if action == "pick_order":
            return self._may(Action.START_PICKING, Action.PICK, Action.PACK)
        if action == "start_picking_order":
            return self._may(Action.START_PICKING)
        if action == "pack_order":
            return self._may(Action.PACK)
        if action == "plan_production_order":
            return self._may(Action.PLAN_PRODUCTION, Action.COMPLETE_OPERATION)
        if action == "complete_operation_order":
            return self._may(Action.COMPLETE_OPERATION)
        if action == "customer_profile":  # sales and finance (screens/profile.py)
            from order_tui.domain.profile import may_view

            return self.detail is not None and self.actor is not None and may_view(self.actor.roles)
        if action in STEP5_FORMS:  # shown when my roles may take the action now
            if self.detail is None or self.actor is None:
                return False
            wanted = STEP5_FORMS[action]
            return any(a == wanted and not held for a, held in my_actions(self.detail, self.actor))
        return True

    # Lifecycle actions with a form of their own: keys here, and the command palette's
    # "actions for this order" run them by name (`<action>_order`).

    def _subject(self) -> str:
        assert self.detail is not None
        status = status_label(Status(self.detail.status), self.lang)
        return f"{self.detail.cust_name}  {status}"

    def action_hold_order(self) -> None:
        """`h`: put the order on hold (kind, description, owner)."""
        from order_tui.screens.holds import HoldDialog

        if self.detail is None or self.actor is None:
            return
        dialog = HoldDialog(self.db, self.lang, self.actor, self.order_no, self._subject())
        self.app.push_screen(dialog)

    def action_release_hold_order(self) -> None:
        """`u`: the solution agreed with the customer, and the hold released."""
        from order_tui.screens.holds import ReleaseDialog

        if self.detail is None or self.actor is None:
            return
        dialog = ReleaseDialog(
            self.db, self.lang, self.actor, self.order_no, self._subject(), self.detail.holds
        )
        self.app.push_screen(dialog)

    def action_pick_order(self) -> None:
        """`k`: the pick/pack screen of this order (warehouse)."""
        from order_tui.screens.picking import PickScreen

        assert self.actor is not None
        self.app.push_screen(PickScreen(self.db, self.lang, self.actor, self.order_no))

    def action_start_picking_order(self) -> None:
        self.action_pick_order()

    def action_pack_order(self) -> None:
        self.action_pick_order()

    def action_plan_production_order(self) -> None:
        """`p`: the production plan of this order (production)."""
        from order_tui.screens.production import ProductionPlanScreen

        assert self.actor is not None
        plan = ProductionPlanScreen(self.db, self.lang, self.actor, self.order_no)
        self.app.push_screen(plan)

    def action_complete_operation_order(self) -> None:
        self.action_plan_production_order()

    def _step5_form(self, action: str) -> None:
        """`t` / `g` / `f` (or the palette): the shipment, sign-off or feedback form; this
        view reloads when it closes."""
        from order_tui.screens.delivery_common import form_for

        assert self.actor is not None
        form = form_for(STEP5_FORMS[action], self.db, self.lang, self.actor, self.order_no)
        self.app.push_screen(form, callback=lambda _result: self.reload())

    def action_ship_order(self) -> None:
        self._step5_form("ship_order")

    def action_sign_off_order(self) -> None:
        self._step5_form("sign_off_order")

    def action_record_feedback_order(self) -> None:
        self._step5_form("record_feedback_order")

    def action_customer_profile(self) -> None:
        """`c`: the profile of the order's customer."""
        from order_tui.screens.profile import open_profile

        if self.detail is not None:
            open_profile(self, self.detail.customer_code)

    def action_edit_order(self) -> None:
        """`e`: the order in the entry screen; this view reloads when it closes."""
        from order_tui.screens.order_entry import OrderEntryScreen

        assert self.actor is not None
        entry = OrderEntryScreen(self.db, self.lang, self.actor, self.order_no)
        self.app.push_screen(entry, callback=lambda _result: self.reload())
