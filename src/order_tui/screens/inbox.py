"""Step 3's approval inbox: the orders waiting for MY departments' verdicts, oldest first.

One queue per department of the operator, or all of them together (`d` switches), with the
count of each in the header. Rows come from the database a page at a time by key (keyset
paging through `services.inbox.page`): the first page paints at once, and the next page is
fetched in a thread worker when the cursor comes near the end of what is loaded, so the list
costs the same with ten thousand orders or a million.

Green-screen option codes: type 1 (approve), 4 (reject), 5 (display) or 9 (hold) on as many
rows as you like (the cursor moves on to the next row), then one Enter runs them all. Each
verdict is still its own service call, and each result is reported. Rejects and holds ask for
their reason and text once PER ORDER, pre-filled with the answer given for the previous order:
the text goes to the clerk of that very order, so it must be about it, yet a batch with one
reason costs one Enter per order. Esc in that dialog cancels the whole batch before anything
runs. Rows marked 5 open in the review screen one after the other once the verdicts are done.
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from order_tui.domain.lifecycle import Status, status_label
from order_tui.domain.roles import departments_for
from order_tui.domain.terms import HOLD_KINDS, label
from order_tui.screens.base import OrderScreen, TitleBar
from order_tui.screens.export_dialog import EXPORT_BINDING, ExportKey
from order_tui.screens.fmt import money, short_day
from order_tui.screens.i18n import error_text, localize_bindings, register, t
from order_tui.screens.review import (
    CODE_DEPARTMENTS,
    FINDING_REASON,
    QUIET_APP_KEYS,
    ReviewScreen,
    VerdictDialog,
    VerdictInput,
    dept_name,
)
from order_tui.widgets.cells import fit, width_of
from order_tui.widgets.field_input import FieldInput
from order_tui.widgets.grouped_table import GAP, LEAD, Column, layout
from order_tui.widgets.status_line import app_now

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor
    from order_tui.services.exports import ExportTable
    from order_tui.services.inbox import BatchEntry, BatchResult, InboxRow

PAGE = 50  # rows per keyset page
PREFETCH = 15  # fetch the next page when the cursor comes this close to the last loaded row
FILTER_DELAY = 0.25  # seconds of no typing before the filter asks the database
CODES = ("1", "4", "5", "9")
SORTS = (("age", False), ("amount", True), ("customer", False))  # `s` cycles, natural order

register(
    {
        # keys (by binding id)
        "key.inbox_run": ("执行选项", "Run options"),
        "key.inbox_open": ("审核", "Review"),
        "key.inbox_filter": ("筛选", "Filter"),
        "key.inbox_clear_filter": ("清除筛选", "Clear filter"),
        "key.inbox_sort": ("排序", "Sort"),
        "key.inbox_reverse": ("反向排序", "Reverse sort"),
        "key.inbox_queue": ("切换部门", "Department"),
        "key.inbox_code_1": ("选项 1 批准", "Option 1 approve"),
        "key.inbox_code_4": ("选项 4 驳回", "Option 4 reject"),
        "key.inbox_code_5": ("选项 5 显示", "Option 5 display"),
        "key.inbox_code_9": ("选项 9 挂起", "Option 9 hold"),
        "key.inbox_bad_code": (
            "无效选项（提示有效的选项）",
            "Invalid option (says which are valid)",
        ),
        "key.inbox_code_clear": ("清除本行选项", "Clear the row's option"),
        "key.inbox_clear_codes": ("清除全部选项", "Clear all options"),
        "key.inbox_close": ("关闭", "Close"),
        # the screen
        "inbox.title": ("审批收件箱", "Approval inbox"),
        "inbox.loading": ("正在加载…", "Loading…"),
        "inbox.loading_more": ("正在加载下一页…", "Loading the next page…"),
        "inbox.queues": ("待审", "Waiting"),
        "inbox.all": ("全部", "All"),
        "inbox.switch": ("d 切换", "d: switch"),
        "inbox.sort.age": ("最久在前", "oldest first"),
        "inbox.sort.age_desc": ("最新在前", "newest first"),
        "inbox.sort.amount_desc": ("金额从大到小", "largest first"),
        "inbox.sort.amount": ("金额从小到大", "smallest first"),
        "inbox.sort.customer": ("客户拼音 A→Z", "customer A→Z"),
        "inbox.sort.customer_desc": ("客户拼音 Z→A", "customer Z→A"),
        "inbox.sort": ("排序：{how}", "Sort: {how}"),
        "inbox.legend": (
            "选项：1=批准 4=驳回 5=显示 9=挂起 · 空格=清除 · Enter=执行",
            "Options: 1=Approve 4=Reject 5=Display 9=Hold · Space=clear · Enter=run",
        ),
        "inbox.col.opt": ("选", "Opt"),
        "inbox.col.order": ("订单号", "Order no"),
        "inbox.col.dept": ("部门", "Dept"),
        "inbox.col.customer": ("客户", "Customer"),
        "inbox.col.total": ("金额", "Total"),
        "inbox.col.wanted": ("交期", "Wanted"),
        "inbox.col.round": ("轮", "Rd"),
        "inbox.col.age": ("已等", "Age"),
        "inbox.col.flags": ("标记", "Flags"),
        "inbox.age.now": ("<1小时", "<1h"),
        "inbox.age.hours": ("{n}小时", "{n}h"),
        "inbox.age.days": ("{n}天", "{n}d"),
        "inbox.flag.hold": ("挂起", "HOLD"),
        "inbox.flag.credit": ("信用", "credit"),
        "inbox.flag.price_low": ("低价", "price<"),
        "inbox.flag.price_high": ("高价", "price>"),
        "inbox.flag.stock": ("缺货", "stock"),
        "inbox.flag.capacity": ("产能", "capacity"),
        "inbox.flag.lead_time": ("交期", "date"),
        "inbox.flag.terms": ("账期", "terms"),
        "inbox.flag.terms_loose": ("账期超限", "terms>"),
        "inbox.flag.invoice": ("发票", "invoice"),
        "inbox.empty": ("没有等待{dept}审核的订单。", "Nothing waits for {dept}'s verdict."),
        "inbox.empty_filtered": ("没有符合筛选条件的订单。", "No order matches the filter."),
        "inbox.no_departments": (
            "您的角色不参与订单审核（审核由销售经理、财务、仓库和生产负责）。",
            "Your roles review no orders (the sales manager, finance, warehouse and "
            "production do).",
        ),
        "inbox.shown": ("已显示 {count} 单", "{count} shown"),
        "inbox.shown_more": ("已显示 {count} 单，向下自动加载更多", "{count} shown, more below"),
        "inbox.filtered": ("筛选“{text}”：", "Filter '{text}': "),
        "inbox.pending": (
            "已输入选项 {count} 项，Enter 执行",
            "{count} option(s) typed: Enter runs them",
        ),
        "inbox.bad_code": (
            "选项 {code} 无效：1=批准 4=驳回 5=显示 9=挂起",
            "Option {code} is not valid: 1=Approve 4=Reject 5=Display 9=Hold",
        ),
        "inbox.filter": ("筛选", "Filter"),
        "inbox.filter_ph": (
            "订单号、客户名称、拼音首字母或金额 1000-5000",
            "order no, customer, pinyin initials or amount 1000-5000",
        ),
        "inbox.error": ("加载失败：{error}", "Could not load: {error}"),
        "inbox.cancelled": (
            "已取消：本批选项都未执行（选项仍保留）",
            "Cancelled: none of the options ran (they are still typed)",
        ),
        "inbox.running": ("正在逐单执行 {count} 项…", "Running {count} option(s), one by one…"),
        "inbox.last_run": (
            "上次执行：成功 {ok} · 失败 {bad}",
            "Last run: {ok} done · {bad} failed",
        ),
        # results
        "inbox.result.title": (
            "执行结果：成功 {ok} · 失败 {bad}",
            "Results: {ok} done · {bad} failed",
        ),
        "inbox.result.ok": ("成功", "OK"),
        "inbox.result.failed": ("失败", "FAILED"),
        "inbox.result.approve": ("批准 → {status}", "approve → {status}"),
        "inbox.result.approve_wait": (
            "批准，订单仍待其他部门审核",
            "approved; other departments still to decide",
        ),
        "inbox.result.approve_done": (
            "批准 → 已批准（各部门均同意）",
            "approved: every department agreed",
        ),
        "inbox.result.reject": ("驳回，已退回内勤修改", "rejected: back to the clerk"),
        "inbox.result.hold": ("已挂起（{kind}）", "put on hold ({kind})"),
        "inbox.result.hint": ("Enter / Esc 关闭", "Enter / Esc to close"),
        "inbox.code.1": ("批准", "approve"),
        "inbox.code.4": ("驳回", "reject"),
        "inbox.code.5": ("显示", "display"),
        "inbox.code.9": ("挂起", "hold"),
        "inbox.help.options": (
            "选项：在行上键入 1 批准、4 驳回、5 显示、9 挂起（光标自动下移），空格或 0 清除；"
            "Enter 逐单执行全部选项并报告每单结果。"
            "驳回和挂起逐单询问原因和说明（预填上一单的内容），"
            "因为说明是写给该单内勤的；在询问框按 Esc 取消整批，不执行任何操作。",
            "Options: type 1 approve, 4 reject, 5 display, 9 hold on a row (the cursor moves "
            "down), Space or 0 clears; Enter runs them all, order by order, and reports each "
            "result. Reject and hold ask for the reason and text for every order (pre-filled "
            "from the previous one), because the text goes to that order's clerk; Esc in that "
            "dialog cancels the whole batch before anything runs.",
        ),
        "inbox.help.filter": (
            "/ 筛选：订单号的一部分、客户名称、拼音首字母（如 bjhy），和/或金额范围"
            "（1000-5000、5000-、-800、>=1000）。Enter 回到列表，Esc 清除。",
            "/ filters: part of an order number, a customer name, pinyin initials (bjhy), "
            "and/or an amount range (1000-5000, 5000-, -800, >=1000). Enter: back to the "
            "list; Esc clears.",
        ),
        "inbox.help.flags": (
            "标记（文字，不只靠颜色）：挂起、信用、低价、高价、缺货、产能、交期、账期、发票；"
            "本部门负责的在前（粗体），其他部门的在后。",
            "Flags (words, not colour alone): HOLD, credit, price<, price>, stock, capacity, "
            "date, terms, invoice; your department's first (bold), the others' after them.",
        ),
    }
)

_RANGE = re.compile(
    r"^(?:(\d[\d,]*(?:\.\d+)?)?-(\d[\d,]*(?:\.\d+)?)?|([<>]=?)(\d[\d,]*(?:\.\d+)?))$"
)


def _amount(text: str | None) -> Decimal | None:
    if not text:
        return None
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def parse_filter(text: str) -> tuple[str, Decimal | None, Decimal | None]:
    """ "华宇 1000-5000" -> ("华宇", 1000, 5000). Ranges: a-b, a-, -b, >=a, <=b."""
    words: list[str] = []
    low: Decimal | None = None
    high: Decimal | None = None
    for token in text.split():
        m = _RANGE.match(token)
        if m and (m[1] or m[2]):
            low, high = _amount(m[1]), _amount(m[2])
            if low is not None and high is not None and low > high:
                low, high = high, low
        elif m and m[3]:
            value = _amount(m[4])
            if m[3].startswith(">"):
                low = value
            else:
                high = value
        else:
            words.append(token)
    return " ".join(words), low, high


def age_text(submitted: datetime, now: datetime, lang: str) -> str:
    if submitted.tzinfo is None:
        submitted = submitted.replace(tzinfo=UTC)
    hours = int((now - submitted).total_seconds() // 3600)
    if hours < 1:
        return t("inbox.age.now", lang)
    if hours < 48:
        return t("inbox.age.hours", lang, n=hours)
    return t("inbox.age.days", lang, n=hours // 24)


def age_width(lang: str) -> int:
    samples = [t("inbox.age.now", lang), t("inbox.age.hours", lang, n=47)]
    return max(width_of(s) for s in [*samples, t("inbox.age.days", lang, n=99)])


def flag_words(row: InboxRow, lang: str) -> tuple[list[str], list[str]]:
    """(mine, theirs): the flags the row's department judges, and the other departments'."""
    mine: list[str] = []
    theirs: list[str] = []
    if row.on_hold:
        mine.append(t("inbox.flag.hold", lang))
    for code in row.flags:
        key = f"inbox.flag.{code}"
        from order_tui.screens.i18n import STRINGS

        word = t(key, lang) if key in STRINGS else code
        owners = {d.value for d in CODE_DEPARTMENTS.get(code, ())}
        (mine if row.department in owners else theirs).append(word)
    return mine, theirs


def row_key(row: InboxRow) -> str:
    return f"{row.department}:{row.order_no}"


class InboxOptions(OptionList):
    """The rows. Digits type option codes; Enter runs them, or opens the row when none."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "run", "Run options", id="inbox_run"),
        Binding("enter", "select", "Review", id="inbox_open"),
        Binding("1", "code('1')", "Option 1 approve", id="inbox_code_1", show=False),
        Binding("4", "code('4')", "Option 4 reject", id="inbox_code_4", show=False),
        Binding("5", "code('5')", "Option 5 display", id="inbox_code_5", show=False),
        Binding("9", "code('9')", "Option 9 hold", id="inbox_code_9", show=False),
        *[
            Binding(d, f"bad_code('{d}')", "Invalid option", id="inbox_bad_code", show=False)
            for d in "23678"
        ],
        Binding(
            "space,0,backspace,delete",
            "code('')",
            "Clear the row's option",
            id="inbox_code_clear",
            show=False,
        ),
    ]

    @property
    def inbox(self) -> InboxScreen:
        screen = self.screen
        assert isinstance(screen, InboxScreen)
        return screen

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run":
            return bool(self.inbox.pending())
        if action == "select":
            return not self.inbox.pending()
        return True

    def action_run(self) -> None:
        self.inbox.run_options()

    def action_code(self, code: str) -> None:
        self.inbox.type_code(code)

    def action_bad_code(self, code: str) -> None:
        self.inbox.set_status(t("inbox.bad_code", self.inbox.lang, code=code), error=True)
        self.app.bell()


class BatchResultDialog(ModalScreen[None]):
    """What each option did, one line per order, in words."""

    DEFAULT_CSS = """
    BatchResultDialog {
        align: center middle;
    }
    BatchResultDialog > VerticalScroll {
        width: 78;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    BatchResultDialog #result-hint {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,f3", "close", "Close", id="inbox_close", priority=True),
    ]

    def __init__(self, lang: str, title: str, lines: list[Text]) -> None:
        super().__init__()
        self.lang = lang
        self.title_text = title
        self.lines = lines
        localize_bindings(self, lang)

    def compose(self) -> ComposeResult:
        box = VerticalScroll(id="results")
        box.border_title = self.title_text
        with box:
            yield Static(Text("\n").join(self.lines), id="result-lines")
            yield Static(t("inbox.result.hint", self.lang), id="result-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#results").focus()

    def action_close(self) -> None:
        self.dismiss(None)


def result_line(result: BatchResult, entry: BatchEntry | None, lang: str) -> Text:
    """成功  SO20261127002  批准 → 审核中   /   失败  SO…  驳回：原因"""
    line = Text(no_wrap=False)
    if result.ok:
        line.append(t("inbox.result.ok", lang), style="bold")
    else:
        line.append(t("inbox.result.failed", lang), style="bold reverse")
    line.append(f"  {result.order_no}")
    if entry is not None and entry.department:
        line.append(f" {dept_name(entry.department, lang)}")
    line.append("  ")
    if result.ok:
        status = result.status
        try:
            status_text = status_label(Status(status), lang) if status else ""
        except ValueError:
            status_text = status
        if result.code == "1" and status == Status.IN_REVIEW.value:
            line.append(t("inbox.result.approve_wait", lang))
        elif result.code == "1" and status == Status.APPROVED.value:
            line.append(t("inbox.result.approve_done", lang))
        elif result.code == "1":
            line.append(t("inbox.result.approve", lang, status=status_text))
        elif result.code == "4":
            line.append(t("inbox.result.reject", lang))
        elif result.code == "9":
            kind = label(HOLD_KINDS, entry.reason, lang) if entry else ""
            line.append(t("inbox.result.hold", lang, kind=kind))
        else:
            line.append(t(f"inbox.code.{result.code}", lang))
    else:
        code = t(f"inbox.code.{result.code}", lang) if result.code in CODES else result.code
        why = error_text(result.error, lang) if result.error is not None else result.message
        line.append(code + ("：" if lang == "zh" else ": ") + why)
    return line


class InboxScreen(ExportKey, OrderScreen):
    """The approval inbox. Enter opens the review screen, or runs the typed option codes."""

    DEFAULT_CSS = """
    InboxScreen #queues, InboxScreen #legend {
        height: 1;
        padding: 0 1;
    }
    InboxScreen #legend {
        color: $text-muted;
    }
    InboxScreen #header {
        height: 1;
        text-style: bold underline;
    }
    InboxScreen InboxOptions {
        height: 1fr;
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
    }
    InboxScreen InboxOptions:nocolor > .option-list--option-highlighted {
        text-style: reverse bold;
    }
    InboxScreen #filter-row {
        display: none;
        height: 1;
        padding: 0 1;
    }
    InboxScreen #filter-row.-active {
        display: block;
    }
    InboxScreen #filter-label {
        width: auto;
        text-style: bold;
        padding-right: 1;
    }
    InboxScreen #filter {
        width: 1fr;
    }
    InboxScreen #status {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    InboxScreen #status.-error {
        color: $error;
        text-style: bold;
    }
    InboxScreen #status.-error:nocolor {
        text-style: bold reverse;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # A priority binding: the app runs it before it routes the next key, so the keys
        # typed after "/" in one go (over SSH they arrive in one read) reach the filter, not
        # the list, where letters are sort keys and digits option codes that Enter would run.
        Binding("slash", "filter", "Filter", id="inbox_filter", key_display="/", priority=True),
        Binding("s", "sort", "Sort", id="inbox_sort"),
        Binding("S", "reverse", "Reverse sort", id="inbox_reverse", show=False),
        Binding("d", "queue", "Department", id="inbox_queue"),
        Binding("x", "clear_codes", "Clear all options", id="inbox_clear_codes", show=False),
        Binding("escape", "clear_filter", "Clear filter", id="inbox_clear_filter", show=False),
        EXPORT_BINDING,
        *QUIET_APP_KEYS,
    ]
    EXPORT_NAME = "inbox"
    HELP_EXTRA: ClassVar[list[tuple[str, str]]] = [
        ("Up / Down", "key.move"),
        ("PgUp / PgDn", "key.page"),
    ]
    HELP_NOTES: ClassVar[list[str]] = [
        "inbox.help.options",
        "inbox.help.filter",
        "inbox.help.flags",
    ]

    def __init__(
        self, db: Database, lang: str, actor: Actor, department: str | None = None
    ) -> None:
        super().__init__(db, lang, actor)
        self.departments = [d.value for d in departments_for(actor.roles)]
        self.queue = department if department in self.departments else None
        if self.queue is None and len(self.departments) == 1:
            self.queue = self.departments[0]
        self.sort = "age"
        self.descending = False
        self.filter_text = ""
        self.rows: list[InboxRow] = []
        self.codes: dict[str, str] = {}
        self.counts: dict[str, int] = {}
        self.more = False
        self.fetching = False
        self._counts_due = False
        self.generation = 0
        self.summary = ""
        self._widths: list[int] = []
        self._columns: list[Column] = []
        self._total_width = 10
        self._date_width = 5
        self._filter_timer: object | None = None
        self._display_queue: list[InboxRow] = []
        self._batch_entries: list[tuple[InboxRow, str]] = []
        self._batch: list[BatchEntry] = []
        self._batch_last: dict[str, tuple[str, str]] = {}
        self._batch_held: set[str] = set()
        self._batch_asking: list[tuple[InboxRow, str]] = []
        self._review: ReviewScreen | None = None

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar(self.title_text(self.t("inbox.title")))
        yield Static("", id="queues")
        yield Static(self.t("inbox.legend"), id="legend", markup=False)
        yield Static("", id="header")
        yield InboxOptions(id="rows", compact=True)
        with Horizontal(id="filter-row"):
            yield Static(self.t("inbox.filter") + " /", id="filter-label", markup=False)
            yield FieldInput(placeholder=self.t("inbox.filter_ph"), id="filter", compact=True)
        yield Static(self.t("inbox.loading"), id="status", markup=False)
        yield Footer(show_command_palette=False)

    @property
    def options(self) -> InboxOptions:
        return self.query_one(InboxOptions)

    def on_mount(self) -> None:
        localize_bindings(self.options, self.lang)
        self.options.focus()
        self._show_queues()
        if not self.departments:
            self.options.add_option(
                Option(Text(" " + self.t("inbox.no_departments")), disabled=True)
            )
            self.set_status("")
            return
        self.reload()

    def columns(self) -> list[Column]:
        lang = self.lang
        cols = [
            Column(t("inbox.col.opt", lang), 3),
            Column(t("inbox.col.order", lang), 13),
        ]
        if self.queue is None and len(self.departments) > 1:
            cols.append(Column(t("inbox.col.dept", lang), 4))
        cols += [
            Column(t("inbox.col.customer", lang), 16, flex=3, max_width=32),
            Column(t("inbox.col.total", lang), self._total_width, align="right"),
            Column(t("inbox.col.wanted", lang), self._date_width),
            Column(t("inbox.col.round", lang), 2, align="right"),
            Column(t("inbox.col.age", lang), age_width(lang), align="right"),
            Column(t("inbox.col.flags", lang), 8, flex=1),
        ]
        return cols

    def _available(self) -> int:
        region = self.options.scrollable_content_region
        return region.width if region.width > 0 else max(self.size.width - 1, 0)

    def on_resize(self) -> None:
        if (
            self.is_mounted
            and self._columns
            and (layout(self._columns, self._available()) != self._widths)
        ):
            self._render_all(self.highlighted_key())

    # -- loading --------------------------------------------------------------------------

    def reload(self) -> None:
        """The first page again (F5, filter, sort, queue, after verdicts); counts too."""
        if not self.departments:
            return
        self.generation += 1
        self.fetching = True
        self.set_status(self.t("inbox.loading"))
        self._fetch(self.generation, None)
        self._counts_due = True  # asked once the first page is in: the rows come first

    @work(thread=True, exclusive=True, group="inbox-page", exit_on_error=False)
    def _fetch(self, generation: int, after: tuple[object, int] | None) -> None:
        from order_tui.services import inbox

        assert self.actor is not None
        text, low, high = parse_filter(self.filter_text)
        try:
            rows = inbox.page(
                self.db,
                self.actor,
                self.queue,
                sort=self.sort,
                descending=self.descending,
                after=after,  # type: ignore[arg-type]
                text=text,
                amount_min=low,
                amount_max=high,
                limit=PAGE,
            )
        except Exception as exc:  # shown; F5 tries again
            self.app.call_from_thread(self._failed, generation, exc)
        else:
            self.app.call_from_thread(self._got_page, generation, after is None, rows)

    def export_table(self) -> ExportTable:
        """F8: the inbox query again, every page, with the queue, sort and filter in view."""
        from order_tui.services import exports

        assert self.actor is not None
        text, low, high = parse_filter(self.filter_text)
        return exports.inbox_table(
            self.db,
            self.actor,
            self.lang,
            self.queue,
            sort=self.sort,
            descending=self.descending,
            text=text,
            amount_min=low,
            amount_max=high,
        )

    @work(thread=True, exclusive=True, group="inbox-counts", exit_on_error=False)
    def _count(self) -> None:
        from order_tui.services import inbox

        assert self.actor is not None
        try:
            counts = inbox.counts(self.db, self.actor)
        except Exception:  # the header keeps the old counts; the list says what failed
            return
        self.app.call_from_thread(self._got_counts, counts)

    def _failed(self, generation: int, exc: Exception) -> None:
        if not self.is_attached or generation != self.generation:
            return
        self.fetching = False
        self.set_status(self.t("inbox.error", error=error_text(exc, self.lang)), error=True)
        if self._counts_due:
            self._counts_due = False
            self._count()

    def _got_counts(self, counts: dict[str, int]) -> None:
        if not self.is_attached:
            return
        self.counts = counts
        self._show_queues()

    def _got_page(self, generation: int, first: bool, rows: list[InboxRow]) -> None:
        if not self.is_attached or generation != self.generation:
            return  # the operator changed filter, sort or queue meanwhile
        self.fetching = False
        self.more = len(rows) >= PAGE
        widths_before = (self._total_width, self._date_width)
        self._grow_columns(rows)
        if first and self._counts_due:
            self._counts_due = False
            self.call_after_refresh(self._count)
        if first:
            keep = self.highlighted_key()
            self.rows = list(rows)
            keys = {row_key(r) for r in rows}
            self.codes = {k: c for k, c in self.codes.items() if k in keys}
            self._render_all(keep)
        elif (self._total_width, self._date_width) != widths_before:
            self.rows.extend(rows)
            self._render_all(self.highlighted_key())
        else:
            self.rows.extend(rows)
            self.options.add_options([Option(self._row_text(r), id=row_key(r)) for r in rows])
        self._say_count()

    def _grow_columns(self, rows: list[InboxRow]) -> None:
        """Columns only widen while paging (a narrower page must not shift the others)."""
        this_year = app_now(self.app, self.db.timezone).year
        for r in rows:
            self._total_width = max(self._total_width, len(money(r.total)))
            if r.wanted_date is not None and r.wanted_date.year != this_year:
                self._date_width = 8

    def highlighted_key(self) -> str | None:
        options = self.options
        if options.highlighted is None or not self.rows:
            return None
        return options.get_option_at_index(options.highlighted).id

    def highlighted_row(self) -> InboxRow | None:
        key = self.highlighted_key()
        return next((r for r in self.rows if row_key(r) == key), None) if key else None

    # -- rendering ------------------------------------------------------------------------

    def _render_all(self, keep: str | None = None) -> None:
        self._columns = self.columns()
        self._widths = layout(self._columns, self._available())
        header = Text(LEAD, no_wrap=True)
        for index, (column, width) in enumerate(zip(self._columns, self._widths, strict=True)):
            if index:
                header.append(GAP)
            header.append(fit(column.title, width, column.align))
        self.query_one("#header", Static).update(header)
        options = self.options
        if not self.rows:
            options.set_options(
                [Option(Text(" " + self._empty_text(), style="dim"), disabled=True)]
            )
            return
        was = options.highlighted or 0
        options.set_options([Option(self._row_text(r), id=row_key(r)) for r in self.rows])
        index = 0
        if keep is not None:
            try:
                index = options.get_option_index(keep)
            except OptionDoesNotExist:  # decided (here or elsewhere): stay at the same place
                index = min(was, len(self.rows) - 1)
        options.highlighted = index

    def _empty_text(self) -> str:
        if self.filter_text:
            return self.t("inbox.empty_filtered")
        names = [self.queue] if self.queue else self.departments
        dept = ("、" if self.lang == "zh" else "/").join(dept_name(d, self.lang) for d in names)
        return self.t("inbox.empty", dept=dept)

    def _row_text(self, row: InboxRow) -> Text:
        lang = self.lang
        now = app_now(self.app, self.db.timezone)
        code = self.codes.get(row_key(row), "")
        mine, theirs = flag_words(row, lang)
        cells: list[tuple[str, str]] = [
            (f" {code}" if code else "", "bold reverse" if code else "")
        ]
        cells.append((row.order_no, ""))
        if self.queue is None and len(self.departments) > 1:
            cells.append((dept_name(row.department, lang), ""))
        cells += [
            (row.customer, ""),
            (money(row.total), ""),
            (short_day(row.wanted_date, now.year), ""),
            (str(row.round_no), "bold" if row.round_no > 1 else ""),
            (age_text(row.submitted_at, now.astimezone(UTC), lang), ""),
        ]
        text = Text(LEAD, no_wrap=True, overflow="crop")
        for index, ((value, style), column, width) in enumerate(
            zip(cells, self._columns, self._widths, strict=False)
        ):
            if index:
                text.append(GAP)
            text.append(fit(value, width, column.align), style=style or None)
        # the flags: mine first (bold; HOLD reversed), then the others' (dim)
        text.append(GAP)
        flags_width = self._widths[-1]
        start = len(text.plain)
        mine_text = " ".join(mine)
        joined = " ".join([*mine, *theirs])
        text.append(fit(joined, flags_width))
        end = len(text.plain)
        if mine_text:
            text.stylize("bold", start, min(start + len(mine_text), end))
        if row.on_hold:
            hold = t("inbox.flag.hold", lang)
            text.stylize("reverse", start, min(start + len(hold), end))
        if theirs:
            text.stylize("dim", min(start + len(mine_text) + (1 if mine_text else 0), end), end)
        return text

    def _rerender_row(self, key: str) -> None:
        row = next((r for r in self.rows if row_key(r) == key), None)
        if row is None:
            return
        with contextlib.suppress(OptionDoesNotExist):
            self.options.replace_option_prompt(key, self._row_text(row))

    def _show_queues(self) -> None:
        lang = self.lang
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(t("inbox.queues", lang) + ("：" if lang == "zh" else ": "), style="bold")
        queues: list[tuple[str | None, str, int]] = []
        if len(self.departments) > 1:
            queues.append((None, t("inbox.all", lang), sum(self.counts.values())))
        for dept in self.departments:
            queues.append((dept, dept_name(dept, lang), self.counts.get(dept, 0)))
        for index, (code, name, count) in enumerate(queues):
            if index:
                line.append(" · ")
            shown = f"{name} {count}" if self.counts else name
            if code == self.queue:
                line.append(f"[{shown}]", style="bold reverse")
            else:
                line.append(shown)
        if len(self.departments) > 1:
            line.append("  (" + t("inbox.switch", lang) + ")", style="dim")
        how = self.sort + ("_desc" if self.descending else "")
        if self.sort == "amount":
            how = "amount_desc" if self.descending else "amount"
        line.append("   " + t("inbox.sort", lang, how=t(f"inbox.sort.{how}", lang)))
        self.query_one("#queues", Static).update(line)

    def _say_count(self) -> None:
        if self.fetching:
            return
        count = len(self.rows)
        text = self.t("inbox.shown_more" if self.more else "inbox.shown", count=count)
        if self.filter_text:
            text = self.t("inbox.filtered", text=self.filter_text) + text
        pending = len(self.pending())
        if pending:
            text += " · " + self.t("inbox.pending", count=pending)
        elif self.summary:
            text += " · " + self.summary
        self.set_status(text)

    def set_status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "-error")

    # -- paging ---------------------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#rows")
    def _moved(self, event: OptionList.OptionHighlighted) -> None:
        if self.more and not self.fetching and event.option_index >= len(self.rows) - PREFETCH:
            self.fetching = True
            self.set_status(self.t("inbox.loading_more"))
            self._fetch(self.generation, self.rows[-1].cursor)

    # -- option codes ---------------------------------------------------------------------

    def pending(self) -> list[tuple[InboxRow, str]]:
        """The typed codes of the loaded rows, in list order."""
        if not self.codes:
            return []
        return [(r, self.codes[row_key(r)]) for r in self.rows if row_key(r) in self.codes]

    def type_code(self, code: str) -> None:
        key = self.highlighted_key()
        if key is None:
            return
        if code:
            self.codes[key] = code
        else:
            self.codes.pop(key, None)
        self._rerender_row(key)
        if code:
            self.options.action_cursor_down()
        self.summary = ""
        self._say_count()
        self.refresh_bindings()
        self.options.refresh_bindings()

    def action_clear_codes(self) -> None:
        keys = list(self.codes)
        self.codes.clear()
        for key in keys:
            self._rerender_row(key)
        self._say_count()
        self.refresh_bindings()

    def run_options(self) -> None:
        if self.pending():
            self._run_batch()

    def _subject(self, row: InboxRow) -> str:
        return f"{row.customer}  ¥{money(row.total)}  {dept_name(row.department, self.lang)}"

    def _suggested_reason(self, row: InboxRow) -> str:
        for code in row.flags:
            if row.department in {d.value for d in CODE_DEPARTMENTS.get(code, ())}:
                return FINDING_REASON.get(code, "")
        return ""

    def _run_batch(self) -> None:
        """Ask for the reasons of the 4 and 9 rows (one dialog each, in list order), then run
        every verdict in a thread worker, then show each result; 5 rows open afterwards.

        A chain of callbacks, not a worker that waits on the dialogs: nothing stays running
        while the operator types.
        """
        entries = self.pending()
        self._batch_entries = entries
        self._batch = []
        self._batch_last = {}
        self._batch_held = set()
        self._batch_asking = [(r, c) for r, c in entries if c in ("4", "9")]
        self._batch_step(0, 0)

    def _batch_step(self, index: int, asked: int) -> None:
        from order_tui.services.inbox import BatchEntry

        entries = self._batch_entries
        while index < len(entries):
            row, code = entries[index]
            if code == "5" or (code == "9" and row.order_no in self._batch_held):
                index += 1  # display later; one hold per order
                continue
            if code == "1":
                self._batch.append(BatchEntry(row.order_no, "1", department=row.department))
                index += 1
                continue
            break
        else:
            self._batch_execute()
            return
        row, code = entries[index]
        kind = "reject" if code == "4" else "hold"
        default = (self._suggested_reason(row) if code == "4" else "", "")
        reason, text = self._batch_last.get(code, default)
        total = len(self._batch_asking)
        dialog = VerdictDialog(
            self.lang,
            kind,
            row.order_no,
            self._subject(row),
            reason=reason,
            text=text,
            progress=self.t("review.dlg.progress", n=asked + 1, total=total) if total > 1 else "",
            batch=True,
        )

        def answered(answer: VerdictInput | None) -> None:
            if answer is None:
                self.set_status(self.t("inbox.cancelled"), error=True)
                return
            self._batch_last[code] = (answer.reason, answer.text)
            if code == "9":
                self._batch_held.add(row.order_no)
            self._batch.append(
                BatchEntry(
                    row.order_no,
                    code,
                    department=row.department,
                    reason=answer.reason,
                    text=answer.text,
                )
            )
            self._batch_step(index + 1, asked + 1)

        self.app.push_screen(dialog, callback=answered)

    def _batch_execute(self) -> None:
        entries, batch = self._batch_entries, self._batch
        for row, _code in entries:
            self.codes.pop(row_key(row), None)
            self._rerender_row(row_key(row))
        self._display_queue = [r for r, c in entries if c == "5"]
        self.refresh_bindings()
        if not batch:
            self._next_display()
            return
        self.set_status(self.t("inbox.running", count=len(batch)))
        self._execute(batch)

    @work(thread=True, group="inbox-batch", exit_on_error=False)
    def _execute(self, batch: list[BatchEntry]) -> None:
        from order_tui.services.inbox import run_batch

        assert self.actor is not None
        try:
            results = run_batch(self.db, self.actor, batch)
        except Exception as exc:  # the database went away: nothing more is known
            self.app.call_from_thread(self._failed, self.generation, exc)
            return
        self.app.call_from_thread(self._batch_done, batch, results)

    def _batch_done(self, batch: list[BatchEntry], results: list[BatchResult]) -> None:
        if not self.is_attached:
            return
        lang = self.lang
        by_order = {(e.order_no, e.code): e for e in batch}
        ok = sum(r.ok for r in results)
        bad = len(results) - ok
        lines = [result_line(r, by_order.get((r.order_no, r.code)), lang) for r in results]
        self.summary = self.t("inbox.last_run", ok=ok, bad=bad)
        if bad:
            self.app.bell()
        self.reload()
        dialog = BatchResultDialog(lang, self.t("inbox.result.title", ok=ok, bad=bad), lines)
        self.app.push_screen(dialog, callback=lambda _: self._next_display())

    def _next_display(self) -> None:
        if not self._display_queue or not self.is_current:
            return
        self._open(self._display_queue.pop(0))

    def _open(self, row: InboxRow) -> None:
        assert self.actor is not None
        self._review = ReviewScreen(self.db, self.lang, self.actor, row.order_no, row.department)
        self.app.push_screen(self._review)

    def on_screen_resume(self) -> None:
        review, self._review = self._review, None
        if review is not None and review.changed:
            self.reload()
        if review is not None and self._display_queue:
            self.call_later(self._next_display)

    @on(OptionList.OptionSelected, "#rows")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.pending():
            self.run_options()
            return
        row = self.highlighted_row()
        if row is not None:
            self._open(row)

    # -- sort, queue, filter --------------------------------------------------------------

    def action_sort(self) -> None:
        names = [s for s, _ in SORTS]
        index = (names.index(self.sort) + 1) % len(SORTS)
        self.sort, self.descending = SORTS[index]
        self._show_queues()
        self.reload()

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self._show_queues()
        self.reload()

    def action_queue(self) -> None:
        if len(self.departments) < 2:
            return
        order: list[str | None] = [None, *self.departments]
        self.queue = order[(order.index(self.queue) + 1) % len(order)]
        self._show_queues()
        self.reload()

    @property
    def filtering(self) -> bool:
        return self.query_one("#filter-row").has_class("-active")

    def action_filter(self) -> None:
        self.query_one("#filter-row").add_class("-active")
        # at once, not `focus()` (which waits for the keys already read): see the binding
        self.set_focus(self.query_one("#filter", Input))
        self.refresh_bindings()

    def action_clear_filter(self) -> None:
        self.query_one("#filter-row").remove_class("-active")
        changed = bool(self.filter_text)
        self.filter_text = ""
        self.query_one("#filter", Input).value = ""
        self.options.focus()
        self.refresh_bindings()
        if changed:
            self.reload()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._filter_timer is not None:
            self._filter_timer.stop()  # type: ignore[attr-defined]
        value = event.value.strip()
        self._filter_timer = self.set_timer(FILTER_DELAY, lambda: self._apply_filter(value))

    def _apply_filter(self, value: str) -> None:
        self._filter_timer = None
        if value != self.filter_text:
            self.filter_text = value
            self.reload()

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        if self._filter_timer is not None:
            self._filter_timer.stop()  # type: ignore[attr-defined]
            self._filter_timer = None
        value = event.value.strip()
        if not value:
            self.action_clear_filter()
            return
        if value != self.filter_text:
            self.filter_text = value
            self.reload()
        self.options.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return self.is_mounted and self.filtering
        if action == "queue":
            return len(self.departments) > 1
        if action == "clear_codes":
            return bool(self.codes)
        if action == "filter" and isinstance(self.focused, Input):
            return False  # "/" typed in the filter (or another field) is text
        if action in ("sort", "reverse", "filter"):
            return bool(self.departments)
        return True
