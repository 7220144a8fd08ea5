"""The customer profile: credit in use against the limit, the window's figures (deals, delivery
cycle, on-time rate, returns, holds, complaints), deals per month with bars, open holds and
complaints, and the open orders below, where Enter opens one.

Reached by one key: `c` on an order, Ctrl+O in the customer lookup (F4), `p` in the customer
list. Up/Down move in the open orders, PgUp/PgDn scroll the figures, `m` changes the window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from order_tui.domain.lifecycle import Status, status_label
from order_tui.domain.profile import may_view
from order_tui.domain.shipping import SATISFACTION
from order_tui.domain.terms import HOLD_KINDS, REJECT_REASONS, label
from order_tui.screens.base import OrderScreen, TitleBar
from order_tui.screens.fmt import local_time, money
from order_tui.screens.i18n import error_text, localize_bindings, pick, register, t
from order_tui.widgets.cells import fit
from order_tui.widgets.profile_bars import Bar, share

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor
    from order_tui.services.profile import CustomerProfile, OpenOrder

register(
    {
        "profile.title": ("客户档案 {code}", "Customer profile {code}"),
        "profile.loading": ("正在汇总客户数据…", "Adding up the customer's figures…"),
        "profile.error": ("无法显示客户 {code}：{error}", "Cannot show customer {code}: {error}"),
        "profile.since_first": ("首单 {day}", "first order {day}"),
        "profile.no_orders_yet": ("尚无成交订单", "no deals yet"),
        "profile.credit": ("信用额度", "Credit limit"),
        "profile.used": ("已用 {used}（{pct}）", "used {used} ({pct})"),
        "profile.used_no_limit": ("已用 {used}", "used {used}"),
        "profile.available": ("可用 {amount}", "available {amount}"),
        "profile.over": ("超出 {amount}", "over by {amount}"),
        "profile.window": (
            "近 {months} 个月（{since} 起，按下单日）",
            "Last {months} months (from {since}, by order date)",
        ),
        "profile.deals": ("成交", "Deals"),
        "profile.deals_value": (
            "{orders} 单 ¥{amount} · 累计 {all_orders} 单 ¥{all_amount}",
            "{orders} orders ¥{amount} · all time {all_orders} orders ¥{all_amount}",
        ),
        "profile.cycle": ("交货周期", "Delivery cycle"),
        "profile.cycle_value": (
            "平均 {avg} 天 · 最长 {worst} 天 · 最短 {best} 天（已签收 {n} 单）",
            "average {avg} d · worst {worst} d · best {best} d ({n} delivered)",
        ),
        "profile.cycle_none": ("尚无签收的订单", "no order delivered yet"),
        "profile.on_time": ("准时率", "On time"),
        "profile.on_time_value": (
            "{rate}%（有要求交期的 {n} 单中 {ok} 单准时）",
            "{rate}% ({ok} of {n} with a wanted date)",
        ),
        "profile.on_time_none": ("无可计算的订单", "nothing to measure"),
        "profile.no_wanted": (
            "另 {n} 单无要求交期，未计入",
            "{n} without a wanted date not counted",
        ),
        "profile.returns": ("退回内勤", "Returned"),
        "profile.times": ("{n} 次", "{n} times"),
        "profile.holds": ("挂起", "Holds"),
        "profile.open_now": ("未解除 {n}", "{n} open"),
        "profile.complaints": ("投诉", "Complaints"),
        "profile.complaints_value": (
            "{n} 次 / 回访 {calls} 次",
            "{n} in {calls} follow-up calls",
        ),
        "profile.monthly": ("每月订单与成交额", "Orders and deals per month"),
        "profile.col.month": ("月份", "Month"),
        "profile.col.orders": ("单数", "Orders"),
        "profile.col.amount": ("成交额", "Amount"),
        "profile.total": ("合计", "Total"),
        "profile.open_holds": ("未解除的挂起（{n}）", "Open holds ({n})"),
        "profile.owner": ("负责人 {owner}", "owner {owner}"),
        "profile.complaint_list": ("投诉记录", "Complaints"),
        "profile.satisfaction": ("满意度 {n} {label}", "satisfaction {n} {label}"),
        "profile.after_sales": ("售后：{text}", "after-sales: {text}"),
        "profile.open_orders": ("未结订单（{n}）", "Open orders ({n})"),
        "profile.open_shown": ("显示最近 {shown} 单", "newest {shown} shown"),
        "profile.open_hint": ("↑↓ 选择 · Enter 打开", "↑↓ move · Enter opens"),
        "profile.page_hint": ("PgUp/PgDn 翻看上方数据", "PgUp/PgDn figures"),
        "profile.no_open": ("（无）", "(none)"),
        "profile.hold_flag": ("挂起", "HOLD"),
        "profile.wanted": ("交期 {day}", "wanted {day}"),
        "key.profile_open": ("打开订单", "Open order"),
        "key.profile_months": ("月数", "Months"),
        "key.profile_page_up": ("数据上翻", "Figures: page up"),
        "key.profile_page_down": ("数据下翻", "Figures: page down"),
    }
)

WINDOWS = (12, 24, 36, 3, 6)  # `m` steps through these month counts
HOLD_STYLE = "bold red"
WARN_STYLE = "bold yellow"


def _sep(lang: str) -> str:
    return "：" if lang == "zh" else ": "


def _pairs(rows: list[tuple[str, RenderableType]]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for key, value in rows:
        grid.add_row(key, value)
    return grid


def _counted(items: list[tuple[str, int]], table: dict[str, tuple[str, str]], lang: str) -> str:
    return " · ".join(f"{label(table, code, lang)} {n}" for code, n in items)


def _credit(p: CustomerProfile, lang: str, ascii: bool, no_color: bool) -> RenderableType:
    c = p.credit
    line = Text()
    line.append(t("profile.credit", lang) + " ", style="bold")
    line.append(f"¥{money(c.limit)}  ")
    if c.percent is None:
        line.append(t("profile.used_no_limit", lang, used=f"¥{money(c.used)}"))
    else:
        line.append(t("profile.used", lang, used=f"¥{money(c.used)}", pct=f"{c.percent}%"))
    line.append("  ")
    if c.over:
        over = t("profile.over", lang, amount=f"¥{money(-c.available)}")
        line.append(over, style="bold reverse" if no_color else HOLD_STYLE)
    else:
        line.append(t("profile.available", lang, amount=f"¥{money(c.available)}"))
    if c.limit <= 0:
        return line
    heavy = c.percent is not None and c.percent >= 80
    style = "" if no_color else (HOLD_STYLE if c.over else WARN_STYLE if heavy else "green")
    # the gauge beside the figures, in what the line leaves (at least 8 cells)
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1, min_width=8, no_wrap=True)
    grid.add_row(line, Bar(share(c.used, c.limit), ascii=ascii, style=style, track=True))
    return grid


def _figures(p: CustomerProfile, lang: str) -> Table:
    rows: list[tuple[str, RenderableType]] = []
    rows.append(
        (
            t("profile.deals", lang),
            t(
                "profile.deals_value",
                lang,
                orders=p.window_orders,
                amount=money(p.window_amount),
                all_orders=p.all_orders,
                all_amount=money(p.all_amount),
            ),
        )
    )
    cycle = p.cycle
    rows.append(
        (
            t("profile.cycle", lang),
            t(
                "profile.cycle_value",
                lang,
                avg=cycle.average_days,
                worst=cycle.worst_days,
                best=cycle.best_days,
                n=cycle.measured,
            )
            if cycle.measured
            else t("profile.cycle_none", lang),
        )
    )
    ot = p.on_time
    on_time = Text(
        t("profile.on_time_value", lang, rate=ot.rate, n=ot.measured, ok=ot.on_time)
        if ot.rate is not None
        else t("profile.on_time_none", lang)
    )
    if ot.without_wanted:
        sep = "；" if lang == "zh" else "; "
        on_time.append(sep + t("profile.no_wanted", lang, n=ot.without_wanted), style="dim")
    rows.append((t("profile.on_time", lang), on_time))
    returns = t("profile.times", lang, n=p.returns)
    if p.return_reasons:
        returns += _sep(lang) + _counted(p.return_reasons, REJECT_REASONS, lang)
    rows.append((t("profile.returns", lang), returns))
    holds = Text(t("profile.times", lang, n=p.holds))
    if p.holds_by_kind:
        holds.append(_sep(lang) + _counted(p.holds_by_kind, HOLD_KINDS, lang))
    if p.open_holds:
        holds.append(" · ")
        holds.append(t("profile.open_now", lang, n=len(p.open_holds)), style="bold")
    rows.append((t("profile.holds", lang), holds))
    rows.append(
        (
            t("profile.complaints", lang),
            t("profile.complaints_value", lang, n=p.complaints, calls=p.feedback_calls),
        )
    )
    return _pairs(rows)


def _months(p: CustomerProfile, lang: str, ascii: bool, no_color: bool) -> Table:
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        expand=True,
        header_style="bold",
    )
    table.add_column(t("profile.col.month", lang), no_wrap=True)
    table.add_column(t("profile.col.orders", lang), justify="right", no_wrap=True)
    table.add_column(t("profile.col.amount", lang), justify="right", no_wrap=True)
    table.add_column("", ratio=1, no_wrap=True)
    top = max((m.amount for m in p.month_figures), default=None)
    style = "" if no_color else "cyan"
    for m in p.month_figures:
        fraction = share(m.amount, top) if top is not None else 0.0
        table.add_row(
            m.label,
            str(m.orders) if m.orders else "·",
            money(m.amount) if m.orders else "·",
            Bar(fraction, ascii=ascii, style=style),
        )
    table.add_row(
        t("profile.total", lang), str(p.window_orders), money(p.window_amount), "", style="bold"
    )
    return table


WIDE = 110  # from this many columns the month table sits beside the figures


def _holds_and_complaints(p: CustomerProfile, lang: str, timezone: str) -> list[RenderableType]:
    parts: list[RenderableType] = []
    if p.open_holds:
        parts.append(Text())
        parts.append(Text(t("profile.open_holds", lang, n=len(p.open_holds)), style="bold"))
        for h in p.open_holds:
            line = Text(local_time(h.raised_at.isoformat(), timezone, "%m-%d") + " ", style="dim")
            line.append(h.order_no + " ")
            line.append(f"[{label(HOLD_KINDS, h.kind, lang)}] ", style=HOLD_STYLE)
            line.append(h.description)
            line.append("  " + t("profile.owner", lang, owner=h.owner), style="dim")
            parts.append(line)
    if p.complaint_list:
        parts.append(Text())
        parts.append(Text(t("profile.complaint_list", lang), style="bold"))
        for c in p.complaint_list:
            line = Text(local_time(c.done_at.isoformat(), timezone, "%m-%d") + " ", style="dim")
            line.append(c.order_no + " ")
            if c.satisfaction is not None:
                sat = pick(SATISFACTION.get(c.satisfaction, ("", "")), lang)
                line.append(
                    t("profile.satisfaction", lang, n=c.satisfaction, label=sat),
                    style="bold" if c.satisfaction <= 2 else "",
                )
            if c.remarks:
                line.append(" " + c.remarks)
            if c.after_sales_needed:
                line.append("  " + t("profile.after_sales", lang, text=c.after_sales), style="bold")
            parts.append(line)
    return parts


def render_profile(
    p: CustomerProfile,
    lang: str,
    timezone: str,
    ascii: bool = False,
    no_color: bool = False,
    width: int = 80,
) -> Group:
    """Everything but the open orders (a list of their own below). From `WIDE` columns the
    month table stands beside the figures, holds and complaints; narrower, below them."""
    head = Text()
    head.append(f"{p.name}（{p.code}）" if lang == "zh" else f"{p.name} ({p.code})", style="bold")
    first = (
        t("profile.since_first", lang, day=p.first_order_day.isoformat())
        if p.first_order_day
        else t("profile.no_orders_yet", lang)
    )
    head.append("  " + first, style="dim")
    window = t("profile.window", lang, months=p.months, since=p.since.isoformat())
    figures: list[RenderableType] = [Text(window, style="bold underline"), _figures(p, lang)]
    monthly: list[RenderableType] = [
        Text(t("profile.monthly", lang), style="bold underline"),
        _months(p, lang, ascii, no_color),
    ]
    details = _holds_and_complaints(p, lang, timezone)
    parts: list[RenderableType] = [head, _credit(p, lang, ascii, no_color), Text()]
    if width >= WIDE:
        side = Table.grid(padding=(0, 3), expand=True)
        side.add_column(ratio=11)
        side.add_column(ratio=9)
        side.add_row(Group(*figures, *details), Group(*monthly))
        parts.append(side)
    else:
        parts += [*figures, Text(), *monthly, *details]
    return Group(*parts)


def open_order_row(o: OpenOrder, lang: str) -> Text:
    """SO20261106101 2026-11-06 草稿     700.00 交期 2026-12-01 挂起"""
    status = status_label(Status(o.status), lang)
    wanted = o.wanted_date.isoformat() if o.wanted_date else "—"
    row = Text(f"{o.order_no:<14} {o.order_day.isoformat()} ")
    row.append(fit(status, 12))
    row.append(f" {money(o.total):>14}  ")
    row.append(fit(t("profile.wanted", lang, day=wanted), 17 if lang == "zh" else 18))
    if o.on_hold:
        row.append(" " + t("profile.hold_flag", lang), style=HOLD_STYLE)
    return row


class ProfileScreen(OrderScreen):
    """One customer's profile. Up/Down/Enter: open orders; PgUp/PgDn: figures; m: months."""

    DEFAULT_CSS = """
    ProfileScreen #summary {
        height: 1fr;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    ProfileScreen #open-head {
        height: 1;
        padding: 0 1;
        background: $boost;
        text-style: bold;
    }
    ProfileScreen #open {
        height: auto;
        max-height: 35%;
        border: none;
        padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_order", "Open order", id="profile_open"),
        Binding(
            "pageup",
            "scroll_summary(-1)",
            "Page up",
            id="profile_page_up",
            key_display="PgUp",
            show=False,  # named in the open orders' heading
            priority=True,
        ),
        Binding(
            "pagedown",
            "scroll_summary(1)",
            "Page down",
            id="profile_page_down",
            key_display="PgDn",
            show=False,
            priority=True,
        ),
        Binding("m", "months", "Months", id="profile_months"),
    ]
    HELP_EXTRA: ClassVar[list[tuple[str, str]]] = [
        ("Up / Down", "key.move"),
        ("Enter", "key.profile_open"),
    ]

    def __init__(
        self, db: Database, lang: str, actor: Actor, customer_code: str, months: int = 12
    ) -> None:
        super().__init__(db, lang, actor)
        self.customer_code = customer_code
        self.months = months
        self.profile: CustomerProfile | None = None
        self.order_nos: list[str] = []

    def compose(self) -> ComposeResult:
        yield TitleBar(self.title_text(self.t("profile.title", code=self.customer_code)))
        with VerticalScroll(id="summary", can_focus=False):
            yield Static(self.t("profile.loading"), id="figures", markup=False)
        yield Static("", id="open-head", markup=False)
        yield OptionList(id="open")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        localize_bindings(self.query_one("#open", OptionList), self.lang)
        self.query_one("#open", OptionList).focus()
        self.reload()

    def reload(self) -> None:
        self.load(self.months)

    @work(thread=True, exclusive=True, group="profile", exit_on_error=False)
    def load(self, months: int) -> None:
        from order_tui.services import profile
        from order_tui.widgets.status_line import app_now

        assert self.actor is not None
        try:
            as_of = app_now(self.app, self.db.timezone).date()
            result = profile.customer_profile(
                self.db, self.actor, self.customer_code, months, as_of=as_of
            )
        except Exception as exc:  # refused, unknown customer, or the database: say so
            self.app.call_from_thread(self._failed, exc)
        else:
            self.app.call_from_thread(self._show, result)

    def _failed(self, exc: Exception) -> None:
        if not self.is_attached:
            return
        message = self.t("profile.error", code=self.customer_code, error=error_text(exc, self.lang))
        self.query_one("#figures", Static).update(message)

    def _show(self, p: CustomerProfile) -> None:
        if not self.is_attached:
            return
        self.profile = p
        self._draw()
        head = self.t("profile.open_orders", n=p.open_count)
        if p.open_count > len(p.open_orders):
            head += " · " + self.t("profile.open_shown", shown=len(p.open_orders))
        if p.open_orders:
            head += " · " + self.t("profile.open_hint")
        head += " · " + self.t("profile.page_hint")
        self.query_one("#open-head", Static).update(head)
        options = self.query_one("#open", OptionList)
        kept = options.highlighted
        options.clear_options()
        self.order_nos = [o.order_no for o in p.open_orders]
        if p.open_orders:
            for o in p.open_orders:
                options.add_option(Option(open_order_row(o, self.lang), id=o.order_no))
            options.highlighted = min(kept or 0, len(self.order_nos) - 1)
        else:
            options.add_option(Option(self.t("profile.no_open"), disabled=True))
        self.refresh_bindings()

    def _draw(self) -> None:
        if self.profile is None:
            return
        ascii = bool(getattr(self.app, "ascii", False))
        width = self.query_one("#summary", VerticalScroll).size.width or self.size.width
        self.query_one("#figures", Static).update(
            render_profile(
                self.profile, self.lang, self.db.timezone, ascii, self.app.no_color, width
            )
        )

    def on_resize(self) -> None:
        self._draw()  # side by side or one below the other

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_order":
            return bool(self.order_nos)
        return True

    def action_open_order(self) -> None:
        options = self.query_one("#open", OptionList)
        if options.highlighted is None or not self.order_nos:
            return
        self._open(self.order_nos[options.highlighted])

    @on(OptionList.OptionSelected, "#open")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_id:
            self._open(event.option_id)

    def _open(self, order_no: str) -> None:
        from order_tui.screens.order_detail import OrderDetailScreen

        assert self.actor is not None
        self.app.push_screen(OrderDetailScreen(self.db, self.lang, self.actor, order_no))

    def action_scroll_summary(self, pages: int) -> None:
        summary = self.query_one("#summary", VerticalScroll)
        if pages > 0:
            summary.scroll_page_down(animate=False)
        else:
            summary.scroll_page_up(animate=False)

    def action_months(self) -> None:
        """`m`: the next window length (12, 24, 36, 3, 6 months)."""
        index = WINDOWS.index(self.months) if self.months in WINDOWS else -1
        self.months = WINDOWS[(index + 1) % len(WINDOWS)]
        self.query_one("#figures", Static).update(self.t("profile.loading"))
        self.load(self.months)


def open_profile(screen: OrderScreen | object, customer_code: str) -> bool:
    """Push the profile of `customer_code` for the app's operator; False when not allowed."""
    app = getattr(screen, "app", None)
    actor = getattr(screen, "actor", None) or getattr(app, "actor", None)
    if app is None or actor is None or not may_view(actor.roles) or not customer_code:
        return False
    db = getattr(screen, "db", None) or app.db
    lang = getattr(screen, "lang", None) or app.lang
    app.push_screen(ProfileScreen(db, lang, actor, customer_code))
    return True
