"""The sales manager's monthly review: one month's figures as charts and short tables, and
the notes of the review saved with the month.

Keys: `[` / `]` the previous / next month, `g` types a month (YYYY-MM), 1-9 jump to a
section (9: the notes), PgUp / PgDn / arrows scroll, Ctrl+S or F9 saves the notes, F5
reloads. Reached from home with `m`.
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Input, Static, TextArea

from order_tui.domain import monthly
from order_tui.domain.errors import Conflict, InvalidValue
from order_tui.domain.terms import HOLD_KINDS, REJECT_REASONS
from order_tui.screens.base import TitleBar, settle
from order_tui.screens.customer_form import ConfirmDialog, LeaveGuard
from order_tui.screens.export_dialog import EXPORT_BINDING, ExportKey
from order_tui.screens.fmt import money, qty
from order_tui.screens.i18n import STRINGS, error_text, pick, register
from order_tui.widgets.charts import Bar, Chart, Col, bar_chart, line_chart, sparkline, text_table
from order_tui.widgets.field_input import FieldInput
from order_tui.widgets.status_line import app_now

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor
    from order_tui.services.exports import ExportTable
    from order_tui.services.monthly_review import MonthlyReview, ReviewNotes

register(
    {
        "key.review_prev": ("上月", "Prev"),
        "key.review_next": ("下月", "Next"),
        "key.review_month": ("选月份", "Month"),
        "key.review_save": ("保存", "Save"),
        "key.review_leave": ("返回", "Back"),
        "key.review_home": ("首页", "Home"),
        "review_m.title": ("月度评审 {month}", "Monthly review {month}"),
        "review_m.loading": ("正在统计 {month}…", "Counting {month}…"),
        "review_m.month": ("月份 {month}", "Month {month}"),
        "review_m.month_hint": (
            "[ 上月  ] 下月  g 输入月份",
            "[ prev  ] next  g type a month",
        ),
        "review_m.type_month": ("月份 (YYYY-MM)", "Month (YYYY-MM)"),
        "review_m.error": ("无法统计：{error}", "Could not count: {error}"),
        "review_m.sec.1": ("概况", "Counts"),
        "review_m.sec.2": ("走势", "Trend"),
        "review_m.sec.3": ("周期", "Cycles"),
        "review_m.sec.4": ("延期", "Late"),
        "review_m.sec.5": ("驳回", "Rejects"),
        "review_m.sec.6": ("投诉", "Complaints"),
        "review_m.sec.7": ("客户", "Customers"),
        "review_m.sec.8": ("产品", "Products"),
        "review_m.sec.9": ("备注", "Notes"),
        "review_m.x.section": ("部分", "Section"),
        "review_m.x.item": ("项目", "Item"),
        "review_m.x.count": ("数量", "Count"),
        "review_m.x.amount": ("金额", "Amount"),
        "review_m.x.detail": ("说明", "Detail"),
        "review_m.x.deals": ("成交订单", "Deals"),
        "review_m.x.per_day": ("每日订单", "Orders per day"),
        "review_m.x.per_month": ("每月订单", "Orders per month"),
        "review_m.x.late_detail": (
            "{customer}；要求 {wanted}，签收 {signed}；{causes}",
            "{customer}; wanted {wanted}, signed {signed}; {causes}",
        ),
        "review_m.x.cause": ("延期原因", "Cause of lateness"),
        "review_m.x.not_loaded": ("本月数据尚未载入", "the month is not loaded yet"),
        "review_m.count.received": ("接单", "Received"),
        "review_m.count.approved": ("审批通过", "Approved"),
        "review_m.count.shipped": ("发货", "Shipped"),
        "review_m.count.signed": ("签收", "Signed for"),
        "review_m.count.completed": ("完成", "Completed"),
        "review_m.summary": (
            "成交 {deals} 单，金额 {amount} · 准时交付 {on_time} · "
            "回访 {calls} 次，平均满意度 {avg}",
            "Deals {deals}, amount {amount} · on time {on_time} · {calls} calls, "
            "satisfaction {avg}",
        ),
        "review_m.per_day": ("每日接单（{month}）", "Orders received per day ({month})"),
        "review_m.per_month": ("近 12 个月接单", "Orders received, last 12 months"),
        "review_m.step.intake_order": ("需求→下单", "Intake → order"),
        "review_m.step.order_approval": ("下单→审批", "Order → approval"),
        "review_m.step.approval_shipment": ("审批→发货", "Approval → shipment"),
        "review_m.step.shipment_signoff": ("发货→签收", "Shipment → sign-off"),
        "review_m.col.step": ("环节（天）", "Step (days)"),
        "review_m.col.n": ("单数", "n"),
        "review_m.col.median": ("中位", "median"),
        "review_m.col.p90": ("P90", "p90"),
        "review_m.col.max": ("最长", "max"),
        "review_m.col.hist": ("分布", "spread"),
        "review_m.cycles": (
            "各环节按本月完成该环节的订单统计，单位：天",
            "Each step over the orders that finished it this month, in days",
        ),
        "review_m.hist_legend": ("分布各格（天）：{buckets}", "Spread cells (days): {buckets}"),
        "review_m.late_summary": (
            "本月签收 {signed} 单，晚于要求交期 {late} 单",
            "{signed} signed for this month, {late} after the wanted date",
        ),
        "review_m.late_causes": ("延期原因（挂起记录）", "Causes (holds on record)"),
        "review_m.no_hold": ("无挂起记录", "No hold on record"),
        "review_m.col.order": ("订单号", "Order"),
        "review_m.col.customer": ("客户", "Customer"),
        "review_m.col.wanted": ("要求", "Wanted"),
        "review_m.col.signed": ("签收", "Signed"),
        "review_m.col.days": ("晚", "Late"),
        "review_m.col.cause": ("原因", "Cause"),
        "review_m.days": ("{days}天", "{days}d"),
        "review_m.more": ("另有 {count} 条未列出", "{count} more not listed"),
        "review_m.rejections": ("本月驳回 {count} 次，按原因", "Rejections: {count}, by reason"),
        "review_m.complaints": (
            "本月回访 {calls} 次，投诉 {count} 次（满意度 ≤ {low} 或需售后）",
            "Calls: {calls}, complaints: {count} (satisfaction ≤ {low} or after-sales)",
        ),
        "review_m.col.score": ("满意", "Score"),
        "review_m.col.what": ("反馈", "What they said"),
        "review_m.after_sales": ("需售后", "after-sales"),
        "review_m.customers": (
            "成交金额前 {top} 名客户（不含草稿与取消）",
            "Top {top} customers by deal amount (no drafts, no cancelled)",
        ),
        "review_m.products": (
            "成交金额前 {top} 名产品（含税）",
            "Top {top} products by amount (incl. tax)",
        ),
        "review_m.orders": ("{count}单", "{count} orders"),
        "review_m.order_one": ("{count}单", "{count} order"),
        "review_m.none": ("本月没有记录", "Nothing this month"),
        "review_m.notes_head": (
            "评审备注 · 由 {who} 于 {when} 保存（第 {version} 版）· Ctrl+S 保存",
            "Review notes · saved by {who} at {when} (version {version}) · Ctrl+S saves",
        ),
        "review_m.notes_new": (
            "评审备注 · 尚未保存 · Ctrl+S 保存",
            "Review notes · not saved yet · Ctrl+S saves",
        ),
        "review_m.saved": (
            "{month} 的备注已保存（第 {version} 版）",
            "Notes of {month} saved (version {version})",
        ),
        "review_m.unsaved": ("备注有未保存的修改", "The notes have unsaved changes"),
        "review_m.leave_question": (
            "备注尚未保存，离开将丢弃输入的内容。确定离开？",
            "The notes are not saved: leaving drops what you typed. Leave?",
        ),
        "review_m.switch_question": (
            "备注尚未保存，切换月份将丢弃输入的内容。确定切换？",
            "The notes are not saved: another month drops what you typed. Switch?",
        ),
        "review_m.confirm_title": ("未保存的备注", "Unsaved notes"),
        "review_m.merged": (
            "—— 以上为 {who} 保存的新版本；以下为您未保存的内容 ——",
            "—— above: the version {who} saved; below: what you typed, not saved ——",
        ),
        "review_m.conflict_hint": (
            "按 F5 载入对方的版本（您输入的内容保留在下方）",
            "F5 loads their version (what you typed stays below it)",
        ),
    }
)

SECTIONS = 9
NOTES_SECTION = 9
register({"key.review_sec_1": ("分区", "Sections")})
register(
    {
        f"key.review_sec_{n}": (
            f"跳到{STRINGS[f'review_m.sec.{n}'][0]}",
            f"Go to {STRINGS[f'review_m.sec.{n}'][1]}",
        )
        for n in range(2, SECTIONS + 1)
    }
)


def _days(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


class MonthlyReviewScreen(ExportKey, LeaveGuard):
    """One month's review; see the module docstring for the keys."""

    DEFAULT_CSS = """
    MonthlyReviewScreen #month-bar {
        height: 1;
        padding: 0 1;
    }
    MonthlyReviewScreen #month-label {
        width: auto;
        text-style: bold;
        padding-right: 2;
    }
    MonthlyReviewScreen #month-hint {
        width: 1fr;
        color: $text-muted;
    }
    MonthlyReviewScreen #month-row {
        display: none;
        height: 1;
        padding: 0 1;
    }
    MonthlyReviewScreen #month-row.-active {
        display: block;
    }
    MonthlyReviewScreen #month-row-label {
        width: auto;
        padding-right: 1;
    }
    MonthlyReviewScreen #month-input {
        width: 12;
    }
    MonthlyReviewScreen #month-error {
        width: 1fr;
        color: $error;
        padding-left: 1;
    }
    MonthlyReviewScreen #tabs {
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    MonthlyReviewScreen #body {
        height: 1fr;
        padding: 0 1;
    }
    MonthlyReviewScreen .section {
        text-style: bold reverse;
        margin-top: 1;
        width: 1fr;
    }
    MonthlyReviewScreen #sec-1 {
        margin-top: 0;
    }
    MonthlyReviewScreen .sub {
        color: $text-muted;
    }
    MonthlyReviewScreen #notes {
        height: 10;
    }
    MonthlyReviewScreen #status {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "left_square_bracket", "month(-1)", "Previous month", id="review_prev", key_display="["
        ),
        Binding(
            "right_square_bracket", "month(1)", "Next month", id="review_next", key_display="]"
        ),
        # the month line says "g: type a month"; the footer keeps room for the rest
        Binding("g", "type_month", "Type a month", id="review_month", show=False),
        Binding("1", "jump(1)", "Sections", id="review_sec_1", key_display="1-9"),
        *[
            Binding(str(n), f"jump({n})", f"Section {n}", id=f"review_sec_{n}", show=False)
            for n in range(2, 10)
        ],
        Binding("ctrl+s,f9", "save", "Save notes", id="review_save"),
        EXPORT_BINDING,
        Binding("escape,f3", "leave", "Back", id="review_leave"),
        Binding("f2", "go_home", "Home", id="review_home", show=False),
    ]
    HELP_EXTRA: ClassVar[list[tuple[str, str]]] = [
        ("PgUp / PgDn", "key.page"),
        ("Up / Down", "key.scroll"),
    ]

    def __init__(self, db: Database, lang: str, actor: Actor, month: str | None = None) -> None:
        super().__init__(db, lang, actor)
        self.month = month or ""
        self.review: MonthlyReview | None = None
        self.notes: ReviewNotes | None = None
        self.section = 1
        self._conflict_who = ""

    # -- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar(self.title_text(self.t("review_m.title", month=self.month)), id="title")
        with Horizontal(id="month-bar"):
            yield Static("", id="month-label", markup=False)
            yield Static(self.t("review_m.month_hint"), id="month-hint", markup=False)
        with Horizontal(id="month-row"):
            yield Static(self.t("review_m.type_month"), id="month-row-label", markup=False)
            # the month shown is the start: Backspace twice and the new month number
            yield FieldInput(
                id="month-input",
                max_length=7,
                restrict=r"[0-9-]*",
                compact=True,
                select_on_focus=False,
            )
            yield Static("", id="month-error", markup=False)
        yield Static("", id="tabs")
        with VerticalScroll(id="body"):
            for n in range(1, SECTIONS + 1):
                yield Static(
                    f"{n} {self.t(f'review_m.sec.{n}')}",
                    id=f"sec-{n}",
                    classes="section",
                    markup=False,
                )
                if n == 2:
                    yield Static("", id="per-day-label", classes="sub", markup=False)
                    yield Chart(id="chart-2a")
                    yield Static("", id="per-month-label", classes="sub", markup=False)
                    yield Chart(id="chart-2b")
                elif n == NOTES_SECTION:
                    yield Static("", id="notes-head", classes="sub", markup=False)
                    yield TextArea(id="notes", soft_wrap=True, tab_behavior="focus")
                else:
                    yield Static("", id=f"sub-{n}", classes="sub", markup=False)
                    yield Chart(id=f"chart-{n}")
        yield Static("", id="status", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        if not self.month:
            now = app_now(self.app, self.db.timezone)
            self.month = monthly.format_month(now.year, now.month)
        self._show_tabs()
        self.query_one("#body").focus()
        self.reload()

    @property
    def ascii(self) -> bool:
        return bool(getattr(self.app, "ascii", False))

    # -- loading ------------------------------------------------------------------------------

    def reload(self) -> None:
        self.query_one("#month-label", Static).update(self.t("review_m.month", month=self.month))
        self.query_one("#title", TitleBar).update(
            self.title_text(self.t("review_m.title", month=self.month))
        )
        self.query_one("#status", Static).update(self.t("review_m.loading", month=self.month))
        self.load(self.month)

    @work(thread=True, exclusive=True, group="monthly-review", exit_on_error=False)
    def load(self, month: str) -> None:
        from order_tui.services import monthly_review

        assert self.actor is not None
        try:
            review = monthly_review.monthly_review(self.db, self.actor, month)
        except Exception as exc:
            self.app.call_from_thread(self._failed, exc)
        else:
            self.app.call_from_thread(self._show, review)

    def _failed(self, exc: Exception) -> None:
        if self.is_attached:
            self.query_one("#status", Static).update(
                self.t("review_m.error", error=error_text(exc, self.lang))
            )

    def _show(self, review: MonthlyReview) -> None:
        if not self.is_attached or review.month != self.month:
            return
        self.review = review
        self._draw_counts(review)
        self._draw_trend(review)
        self._draw_cycles(review)
        self._draw_late(review)
        self._draw_rejections(review)
        self._draw_complaints(review)
        self._draw_customers(review)
        self._draw_products(review)
        self._load_notes(review.notes)
        self.query_one("#status", Static).update("")

    # -- sections -------------------------------------------------------------------------------

    def _chart(self, n: int | str, draw: object) -> None:
        self.query_one(f"#chart-{n}", Chart).set_draw(draw)  # type: ignore[arg-type]

    def _sub(self, n: int, text: str) -> None:
        self.query_one(f"#sub-{n}", Static).update(text)

    def _draw_counts(self, r: MonthlyReview) -> None:
        bars = [
            Bar(self.t(f"review_m.count.{key}"), r.counts[key], str(r.counts[key]))
            for key in r.counts
        ]
        self._chart(1, lambda w: bar_chart(bars, w, ascii=self.ascii))
        on_time = "-" if r.on_time_rate is None else f"{r.on_time_rate:.0%}"
        avg = "-" if r.satisfaction_avg is None else f"{r.satisfaction_avg:.1f}"
        self._sub(
            1,
            self.t(
                "review_m.summary",
                deals=r.deals,
                amount=money(r.deal_amount),
                on_time=on_time,
                calls=r.feedback_count,
                avg=avg,
            ),
        )

    def _draw_trend(self, r: MonthlyReview) -> None:
        days = [n for _d, n in r.per_day]
        last = len(days)
        day_marks = [(i - 1, str(i)) for i in (1, 5, 10, 15, 20, 25) if i <= last]
        if last - 1 > day_marks[-1][0] + 2:
            day_marks.append((last - 1, str(last)))
        self.query_one("#per-day-label", Static).update(self.t("review_m.per_day", month=r.month))
        self.query_one("#chart-2a", Chart).set_draw(
            lambda w: line_chart(days, w, 5, x_labels=day_marks, ascii=self.ascii)
        )
        months = [n for _m, n in r.per_month]
        month_marks = [(i, m[2:]) for i, (m, _n) in enumerate(r.per_month) if i % 3 == 0]
        month_marks.append((len(months) - 1, r.per_month[-1][0][2:]))
        self.query_one("#per-month-label", Static).update(self.t("review_m.per_month"))
        self.query_one("#chart-2b", Chart).set_draw(
            lambda w: line_chart(months, w, 4, x_labels=month_marks, ascii=self.ascii)
        )

    def _draw_cycles(self, r: MonthlyReview) -> None:
        from order_tui.services.monthly_review import STEPS

        cols = [
            Col(self.t("review_m.col.step"), 12, flex=1),
            Col(self.t("review_m.col.n"), 5, right=True),
            Col(self.t("review_m.col.median"), 6, right=True),
            Col(self.t("review_m.col.p90"), 6, right=True),
            Col(self.t("review_m.col.max"), 6, right=True),
            Col(self.t("review_m.col.hist"), 16),
        ]
        rows = []
        for step in STEPS:
            d = r.cycles[step]
            spark = sparkline(d.histogram, ascii=self.ascii, cell=2).plain
            rows.append(
                [
                    self.t(f"review_m.step.{step}"),
                    str(d.count),
                    _days(d.median),
                    _days(d.p90),
                    _days(d.max),
                    spark,
                ]
            )
        legend = self.t("review_m.hist_legend", buckets=" ".join(monthly.bucket_labels()))

        def draw(w: int) -> Text:
            out = text_table(cols, rows, w, ascii=self.ascii)
            out.append("\n" + legend, style="dim")
            return out

        self._chart(3, draw)
        self._sub(3, self.t("review_m.cycles"))

    def _hold(self, kind: str) -> str:
        if kind == "none":  # services.monthly_review.NO_HOLD: late without any hold
            return self.t("review_m.no_hold")
        label = HOLD_KINDS.get(kind)
        return pick(label, self.lang) if label else kind

    def _draw_late(self, r: MonthlyReview) -> None:
        summary = self.t("review_m.late_summary", signed=r.signed, late=r.late_total)
        if r.late_total > len(r.late):
            summary += " · " + self.t("review_m.more", count=r.late_total - len(r.late))
        self._sub(4, summary)
        causes = [Bar(self._hold(kind), n, str(n)) for kind, n in r.late_causes]
        cols = [
            Col(self.t("review_m.col.order"), 13),
            Col(self.t("review_m.col.customer"), 8, flex=2),
            Col(self.t("review_m.col.wanted"), 6),
            Col(self.t("review_m.col.signed"), 6),
            Col(self.t("review_m.col.days"), 4, right=True),
            Col(self.t("review_m.col.cause"), 8, flex=3),
        ]
        sep = "；" if self.lang == "zh" else "; "
        rows = [
            [
                d.order_no,
                d.customer,
                d.wanted_date.strftime("%m-%d"),
                d.signed_day.strftime("%m-%d"),
                self.t("review_m.days", days=d.days_late),
                sep.join(f"{self._hold(c.kind)}:{c.description}" for c in d.causes)
                or self.t("review_m.no_hold"),
            ]
            for d in r.late
        ]

        def draw(w: int) -> Text:
            if not rows:
                return Text(self.t("review_m.none"))
            out = Text(self.t("review_m.late_causes") + "\n", style="bold")
            out.append_text(bar_chart(causes, w, ascii=self.ascii, style="red"))
            out.append("\n")
            out.append_text(text_table(cols, rows, w, ascii=self.ascii))
            return out

        self._chart(4, draw)

    def _draw_rejections(self, r: MonthlyReview) -> None:
        total = sum(n for _c, n in r.rejections)
        self._sub(5, self.t("review_m.rejections", count=total))
        bars = [
            Bar(pick(REJECT_REASONS[c], self.lang) if c in REJECT_REASONS else c, n, str(n))
            for c, n in r.rejections
        ]
        self._chart(
            5,
            lambda w: (
                bar_chart(bars, w, ascii=self.ascii, style="yellow")
                if bars
                else Text(self.t("review_m.none"))
            ),
        )

    def _draw_complaints(self, r: MonthlyReview) -> None:
        from order_tui.domain.monthly import COMPLAINT_MAX_SATISFACTION

        self._sub(
            6,
            self.t(
                "review_m.complaints",
                calls=r.feedback_count,
                count=r.complaint_total,
                low=COMPLAINT_MAX_SATISFACTION,
            ),
        )
        cols = [
            Col(self.t("review_m.col.order"), 13),
            Col(self.t("review_m.col.customer"), 8, flex=2),
            Col(self.t("review_m.col.score"), 5, right=True),
            Col(self.t("review_m.col.what"), 10, flex=3),
        ]
        sep = "；" if self.lang == "zh" else "; "
        rows = [
            [
                c.order_no,
                c.customer,
                f"{c.satisfaction}/5" if c.satisfaction else "",
                sep.join(
                    x
                    for x in (
                        c.remarks,
                        (self.t("review_m.after_sales") + ":" + c.after_sales)
                        if c.after_sales_needed
                        else "",
                    )
                    if x
                ),
            ]
            for c in r.complaints
        ]
        self._chart(
            6,
            lambda w: (
                text_table(cols, rows, w, ascii=self.ascii)
                if rows
                else Text(self.t("review_m.none"))
            ),
        )

    def _draw_customers(self, r: MonthlyReview) -> None:
        from order_tui.services.monthly_review import TOP

        self._sub(7, self.t("review_m.customers", top=TOP))
        bars = [
            Bar(
                c.name,
                float(c.amount),
                money(c.amount)
                + " "
                + self.t(
                    "review_m.order_one" if c.orders == 1 else "review_m.orders", count=c.orders
                ),
            )
            for c in r.top_customers
        ]
        self._chart(
            7,
            lambda w: (
                bar_chart(bars, w, ascii=self.ascii) if bars else Text(self.t("review_m.none"))
            ),
        )

    def _draw_products(self, r: MonthlyReview) -> None:
        from order_tui.services.monthly_review import TOP

        self._sub(8, self.t("review_m.products", top=TOP))
        bars = [
            Bar(f"{p.name} {p.code}", float(p.amount), f"{money(p.amount)} x{qty(p.qty)}")
            for p in r.top_products
        ]
        self._chart(
            8,
            lambda w: (
                bar_chart(bars, w, ascii=self.ascii, style="magenta")
                if bars
                else Text(self.t("review_m.none"))
            ),
        )

    # -- notes ----------------------------------------------------------------------------------

    # -- F8: the review's tables as one long table (a section column), ready for a pivot ------

    EXPORT_NAME = "monthly-review"

    def export_table(self) -> ExportTable:
        from order_tui.services.exports import ExportTable
        from order_tui.services.monthly_review import STEPS

        r = self.review
        columns = [
            self.t("review_m.x.section"),
            self.t("review_m.x.item"),
            self.t("review_m.x.count"),
            self.t("review_m.x.amount"),
            self.t("review_m.col.median"),
            self.t("review_m.col.p90"),
            self.t("review_m.col.max"),
            self.t("review_m.x.detail"),
        ]
        title = self.t("review_m.title", month=self.month)
        if r is None:
            return ExportTable(title, columns, [])

        def row(
            sec: int,
            item: object,
            count: object = None,
            amount: object = None,
            median: object = None,
            p90: object = None,
            worst: object = None,
            detail: str = "",
        ) -> list[object]:
            return [self.t(f"review_m.sec.{sec}"), item, count, amount, median, p90, worst, detail]

        rows = [row(1, self.t(f"review_m.count.{key}"), n) for key, n in r.counts.items()]
        rows.append(row(1, self.t("review_m.x.deals"), r.deals, r.deal_amount))
        rows += [row(2, day, n, detail=self.t("review_m.x.per_day")) for day, n in r.per_day]
        rows += [row(2, m, n, detail=self.t("review_m.x.per_month")) for m, n in r.per_month]
        for step in STEPS:
            d = r.cycles[step]
            rows.append(
                row(3, self.t(f"review_m.step.{step}"), d.count, None, d.median, d.p90, d.max)
            )
        for late in r.late:
            causes = "、".join(self._hold(c.kind) for c in late.causes) or self.t(
                "review_m.no_hold"
            )
            detail = self.t(
                "review_m.x.late_detail",
                customer=late.customer,
                wanted=late.wanted_date.isoformat(),
                signed=late.signed_day.isoformat(),
                causes=causes,
            )
            rows.append(row(4, late.order_no, late.days_late, detail=detail))
        rows += [
            row(4, self._hold(kind), n, detail=self.t("review_m.x.cause"))
            for kind, n in r.late_causes
        ]
        rows += [
            row(5, pick(REJECT_REASONS[c], self.lang) if c in REJECT_REASONS else c, n)
            for c, n in r.rejections
        ]
        for c in r.complaints:
            said = "；".join(x for x in (c.remarks, c.after_sales) if x)
            rows.append(row(6, c.order_no, c.satisfaction, detail=f"{c.customer}；{said}"))
        rows += [row(7, f"{c.code} {c.name}", c.orders, c.amount) for c in r.top_customers]
        rows += [row(8, f"{p.code} {p.name}", p.qty, p.amount) for p in r.top_products]
        return ExportTable(title, columns, rows)

    def _notes_head(self, notes: ReviewNotes) -> str:
        if not notes.version or notes.updated_at is None:
            return self.t("review_m.notes_new")
        stamp = notes.updated_at
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        when = stamp.astimezone(monthly.zone(self.db.timezone)).strftime("%Y-%m-%d %H:%M")
        return self.t("review_m.notes_head", who=notes.updated_by, when=when, version=notes.version)

    def _load_notes(self, notes: ReviewNotes) -> None:
        """Show the saved notes; typed text the operator has not saved is never dropped: if
        someone saved a newer version, theirs comes first and the typed text below a line."""
        area = self.query_one("#notes", TextArea)
        typed = area.text
        same_month = self.notes is not None and self.notes.month == notes.month
        unsaved = same_month and self.unsaved_changes()
        if unsaved and self.notes is not None and notes.version != self.notes.version:
            marker = self.t("review_m.merged", who=notes.updated_by)
            area.load_text(f"{notes.notes}\n\n{marker}\n{typed}")
        elif not unsaved:
            area.load_text(notes.notes)
        self.notes = notes
        self.query_one("#notes-head", Static).update(self._notes_head(notes))
        self.refresh_bindings()  # Ctrl+S saves from now on

    def unsaved_changes(self) -> bool:
        if self.notes is None or not self.is_mounted:
            return False
        return self.query_one("#notes", TextArea).text != self.notes.notes

    def leave_keeps_draft(self) -> bool:
        return False

    def leave_question(self) -> str:
        return self.t("review_m.leave_question")

    async def action_save(self) -> None:
        if self.notes is None or self.actor is None:
            return
        from order_tui.services import monthly_review

        area = self.query_one("#notes", TextArea)
        await settle(area)  # keys typed ahead of Ctrl+S reach the notes before they are read
        actor, month, version = self.actor, self.notes.month, self.notes.version
        text = area.text

        def call() -> ReviewNotes:
            return monthly_review.save_review_notes(self.db, actor, month, text, version)

        self.app.run_write(call, on_done=self._saved, on_error=self._save_failed)  # type: ignore[attr-defined]

    def _saved(self, notes: ReviewNotes) -> None:
        if not self.is_attached:
            return
        self.notes = notes
        self.query_one("#notes-head", Static).update(self._notes_head(notes))
        self.query_one("#status", Static).update(
            self.t("review_m.saved", month=notes.month, version=notes.version)
        )

    def _save_failed(self, exc: Exception) -> None:
        if not self.is_attached:
            return
        text = error_text(exc, self.lang, self.db.timezone)
        if isinstance(exc, Conflict):
            text += " · " + self.t("review_m.conflict_hint")
        self.query_one("#status", Static).update(text)

    # -- months and sections -------------------------------------------------------------------

    def _switch(self, month: str) -> None:
        def go() -> None:
            self.month = month
            self.notes = None
            self.query_one("#notes", TextArea).load_text("")
            self.refresh_bindings()
            self.reload()

        if not self.unsaved_changes():
            go()
            return

        def answered(answer: str | None) -> None:
            if answer == "yes":
                go()

        self.app.push_screen(
            ConfirmDialog(
                self.lang, self.t("review_m.confirm_title"), self.t("review_m.switch_question")
            ),
            answered,
        )

    def action_month(self, delta: int) -> None:
        self._switch(monthly.shift_month(self.month, delta))

    def action_type_month(self) -> None:
        row = self.query_one("#month-row")
        row.add_class("-active")
        field = self.query_one("#month-input", Input)
        field.value = self.month
        field.cursor_position = len(self.month)
        field.focus()

    @on(Input.Submitted, "#month-input")
    def _month_typed(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            year, mon = monthly.parse_month(event.value)
        except InvalidValue as exc:  # say why next to the field; keep what was typed
            self.query_one("#month-error", Static).update(error_text(exc, self.lang))
            return
        self._close_month_row()
        self._switch(monthly.format_month(year, mon))

    def _close_month_row(self) -> None:
        self.query_one("#month-error", Static).update("")
        self.query_one("#month-row").remove_class("-active")
        self.query_one("#body").focus()

    async def action_leave(self) -> None:
        if self.query_one("#month-row").has_class("-active"):  # Esc closes the month prompt
            self._close_month_row()
            return
        await super().action_leave()

    def action_jump(self, n: int) -> None:
        self.section = n
        self._show_tabs()
        body = self.query_one("#body", VerticalScroll)
        body.scroll_to_widget(self.query_one(f"#sec-{n}"), top=True, animate=False)
        if n == NOTES_SECTION:
            self.query_one("#notes", TextArea).focus()
        else:
            body.focus()

    def _show_tabs(self) -> None:
        tabs = Text(no_wrap=True, overflow="ellipsis")
        for n in range(1, SECTIONS + 1):
            label = f"{n}{self.t(f'review_m.sec.{n}')}"
            tabs.append(label, style="bold reverse" if n == self.section else "")
            tabs.append(" ")
        self.query_one("#tabs", Static).update(tabs)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("month", "type_month", "jump") and isinstance(
            self.focused, (Input, TextArea)
        ):
            return False  # the keys are being typed into a field
        if action == "save":
            return self.notes is not None
        return True
