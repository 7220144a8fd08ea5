"""Step 6 on screen: the archivist's completion queue (home `c`), the archive browser (home `b`)
and an order read only with its whole history.

The completion queue lists delivered orders whose feedback is recorded, then completed ones
waiting to be archived, with the documents the checklist still misses: `a` attaches them one
by one by path, `c` completes, `r` archives (asking first). The browser searches archived
orders by number prefix, customer (name part or pinyin initials), product, date and amount
range; Enter runs the search from any field, the list pages by key as the cursor goes down,
Enter on a row opens the order read only. On an archived order `e` (edit) and Delete are
refused with the reason, and the refusal is logged.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group as RichGroup
from rich.console import RenderableType
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from order_tui.domain.lifecycle import Action, Status, action_label, status_label
from order_tui.domain.roles import Role
from order_tui.domain.terms import ATTACHMENT_KINDS, label
from order_tui.screens.base import TitleBar
from order_tui.screens.fmt import day, local_time, money, qty
from order_tui.screens.i18n import error_text, localize_bindings, register, t
from order_tui.screens.order_detail import OrderDetailScreen, render_detail
from order_tui.screens.paged import PAGE, PagedListScreen
from order_tui.widgets.field_input import FieldInput
from order_tui.widgets.grouped_table import Column, GroupedTable, Row

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.archive import ArchivedOrder, ArchiveQuery, ArchiveRow, CompletionRow
    from order_tui.services.common import Actor

register(
    {
        # completion queue
        "key.completion_attach": ("补附件", "Attach"),
        "key.completion_complete": ("完成", "Complete"),
        "key.completion_archive": ("归档", "Archive"),
        "key.completion_open": ("查看", "View"),
        "completion.title": ("待完成与归档", "Completion and archive"),
        "completion.info": (
            "已签收且已回访的订单：补齐归档清单后按 c 完成；已完成的按 r 归档",
            "Delivered, feedback recorded: attach what is missing, c completes, r archives",
        ),
        "completion.group": ("待处理订单", "Orders to close"),
        "completion.empty": ("没有待完成或待归档的订单", "Nothing to complete or archive"),
        "completion.col.order": ("订单号", "Order no"),
        "completion.col.customer": ("客户", "Customer"),
        "completion.col.total": ("金额", "Amount"),
        "completion.col.step": ("待办", "Next"),
        "completion.col.missing": ("缺少单据", "Missing documents"),
        "completion.to_complete": ("待完成", "complete"),
        "completion.to_archive": ("待归档", "archive"),
        "completion.none_missing": ("齐全", "all there"),
        "completion.done": ("订单 {order_no}：{action}完成", "{action}: done for {order_no}"),
        "completion.archive_title": ("归档订单", "Archive order"),
        "completion.archive_ask": (
            "归档 {order_no}（{customer}）？归档后只读，保管 {years} 年，期满前不能删除。",
            "Archive {order_no} ({customer})? It becomes read-only and is kept {years} years; "
            "it cannot be deleted before.",
        ),
        "completion.help": (
            "a 打开归档清单：选中缺少的单据，输入文件路径后 Enter 附上。单据齐全后 c 完成，"
            "r 归档（保管年限见配置 business.retention_years，至少 3 年）。",
            "a opens the checklist: pick a missing document, type the file's path, Enter "
            "attaches it. With every document there, c completes and r archives (kept for "
            "business.retention_years, 3 at least).",
        ),
        # the attach dialog
        "key.attach_close": ("关闭", "Close"),
        "attach.title": ("归档清单 {order_no}", "Checklist {order_no}"),
        "attach.path": ("文件路径", "File path"),
        "attach.path_ph": ("例如 ~/扫描件/发票.pdf", "e.g. ~/scans/invoice.pdf"),
        "attach.hint": (
            "↑↓ 选择单据 · Tab 到路径 · Enter 附上 · Esc 关闭",
            "Up/Down: document · Tab: path · Enter: attach · Esc: close",
        ),
        "attach.present": ("已附", "attached"),
        "attach.missing": ("缺少", "missing"),
        "attach.done": ("已附上 {item}", "{item} attached"),
        "attach.all_there": ("单据已齐全，可以完成", "Every document is there: ready to complete"),
        "attach.need_path": ("请输入文件路径", "type the file's path"),
        # the archive browser
        "key.archive_search": ("查询", "Search"),
        "key.archive_list": ("结果", "Results"),
        "archive.title": ("归档查询", "Archive"),
        "archive.number": ("单号", "Number"),
        "archive.customer": ("客户", "Customer"),
        "archive.product": ("产品", "Product"),
        "archive.days": ("日期", "Date"),
        "archive.amounts": ("金额", "Amount"),
        "archive.to": ("至", "to"),
        "archive.ph.number": ("SO2025…", "SO2025…"),
        "archive.ph.customer": ("名称或拼音首字母", "name or initials"),
        "archive.ph.product": ("编码或名称", "code or name"),
        "archive.ph.day": ("年-月-日", "YYYY-MM-DD"),
        "archive.ph.amount": ("元", "CNY"),
        "archive.group": ("归档订单（最新在前）", "Archived orders, newest first"),
        "archive.empty": ("没有符合条件的归档订单", "No archived order matches"),
        "archive.col.order": ("订单号", "Order no"),
        "archive.col.day": ("日期", "Date"),
        "archive.col.customer": ("客户", "Customer"),
        "archive.col.total": ("金额", "Amount"),
        "archive.col.kept": ("保管至", "Kept until"),
        "archive.help": (
            "/ 到查询栏；Tab 换栏，任一栏 Enter 查询，Esc 回到结果。单号可只输前几位；客户可输"
            "名称的一部分（两个字也可）或拼音首字母；日期如 2025-03-15；金额为含税总额。",
            "/ goes to the search fields; Tab moves, Enter in any field searches, Esc goes back "
            "to the results. A number prefix will do; a customer by part of the name (two "
            "characters will do) or pinyin initials; dates like 2025-03-15; amounts are totals.",
        ),
        # the order read only
        "key.archived_delete": ("删除", "Delete"),
        "key.archived_edit": ("修改", "Edit"),
        "archived.title": ("订单 {order_no}（只读）", "Order {order_no} (read-only)"),
        "archived.banner": (
            "已归档 {when}，只读；保管至 {until}",
            "Archived {when}, read-only; kept until {until}",
        ),
        "archived.checklist": ("归档清单", "Archive checklist"),
        "archived.rounds": ("审核轮次", "Review rounds"),
        "archived.round": (
            "第 {round} 轮 {when} {who} 提交 · {outcome} · {departments}",
            "Round {round} {when} by {who} · {outcome} · {departments}",
        ),
        "archived.shipments": ("发货", "Shipments"),
        "archived.shipment": (
            "{date} {carrier} {tracking} · {lines}",
            "{date} {carrier} {tracking} · {lines}",
        ),
        "archived.sign_off": ("签收", "Sign-off"),
        "archived.signed": (
            "{when} {signer} 签收 · 数量{q} 外观{a} 包装{p}",
            "{when} signed by {signer} · qty {q} appearance {a} packaging {p}",
        ),
        "archived.ok": ("✓", "ok"),
        "archived.not_ok": ("✗", "NOT OK"),
        "archived.feedback": ("回访", "Feedback"),
        "archived.feedback_line": (
            "{when} {reached} 满意度 {score} {remarks}",
            "{when} {reached} satisfaction {score} {remarks}",
        ),
        "archived.reached": ("已接通", "reached"),
        "archived.missed": ("未接通", "not reached"),
        "archived.holds": ("挂起记录", "Holds"),
        "archived.history": ("操作记录（{count} 条）", "History ({count} entries)"),
        "archived.none": ("无", "none"),
        "archived.refused_note": ("已拒绝并记录：{error}", "Refused and logged: {error}"),
    }
)

CHECK_ITEMS = ("order_form", "signed_receipt", "invoice_copy", "communication")


def _item_label(item: str, lang: str) -> str:
    return label(ATTACHMENT_KINDS, item, lang)


def _missing_text(missing: tuple[str, ...], lang: str) -> str:
    if not missing:
        return t("completion.none_missing", lang)
    return ("、" if lang == "zh" else ", ").join(_item_label(m, lang) for m in missing)


# -- the completion queue ---------------------------------------------------------------------


class CompletionScreen(PagedListScreen):
    """The archivist's queue: attach, complete, archive."""

    TITLE_KEY = "completion.title"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "attach", "Attach", id="completion_attach"),
        Binding("c", "complete", "Complete", id="completion_complete"),
        Binding("r", "archive", "Archive", id="completion_archive"),
        Binding("o", "open_order", "View", id="completion_open"),
        *PagedListScreen.BINDINGS,
    ]
    HELP_NOTES: ClassVar[list[str]] = ["completion.help"]

    def info(self) -> str:
        return self.t("completion.info")

    def columns(self) -> list[Column]:
        lang = self.lang
        return [
            Column(t("completion.col.order", lang), 14),
            Column(t("completion.col.customer", lang), 12, flex=2, max_width=30),
            Column(t("completion.col.total", lang), 12, align="right"),
            Column(t("completion.col.step", lang), 8),
            Column(t("completion.col.missing", lang), 10, flex=3),
        ]

    def fetch(self, after: Any) -> tuple[list[Any], list[Any]]:
        from order_tui.services import archive

        assert self.actor is not None
        return [], archive.completion_queue(self.db, self.actor, after=after, limit=PAGE)

    def group_title(self) -> str:
        return self.t("completion.group")

    def empty_text(self) -> str:
        return self.t("completion.empty")

    def row(self, item: CompletionRow) -> Row:
        step = "completion.to_complete" if item.status == "delivered" else "completion.to_archive"
        return Row(
            key=item.order_no,
            cells=(
                item.order_no,
                item.customer,
                money(item.total),
                self.t(step),
                _missing_text(item.missing, self.lang) if item.status == "delivered" else "",
            ),
            styles=("", "", "", "bold", "bold" if item.missing else "dim"),
        )

    def current(self) -> CompletionRow | None:
        key = self.highlighted_key()
        return next((i for i in self.items if i.order_no == key), None)

    def order_in_view(self) -> CompletionRow | None:
        """Ctrl+P offers what may be done to the order under the cursor."""
        return self.current()

    def opened(self, key: str) -> None:
        item = self.current()
        if item is None:
            return
        if item.status == "delivered" and item.missing:
            self.action_attach()
        else:
            self.action_open_order()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        item = self.current() if self.is_mounted else None
        if action == "attach":
            return item is not None and item.status == "delivered"
        if action == "complete":
            return item is not None and item.status == "delivered" and not item.missing
        if action == "archive":
            return item is not None and item.status == "completed"
        if action == "open_order":
            return item is not None
        return True

    @on(OptionList.OptionHighlighted)
    def _keys_follow_cursor(self, _event: OptionList.OptionHighlighted) -> None:
        self.refresh_bindings()

    def action_attach(self) -> None:
        item = self.current()
        if item is None or self.actor is None:
            return
        dialog = AttachDialog(self.db, self.lang, self.actor, item.order_no)
        self.app.push_screen(dialog)  # the list reloads when it is back on top

    def action_open_order(self) -> None:
        item = self.current()
        if item is None or self.actor is None:
            return
        self.app.push_screen(ArchivedOrderScreen(self.db, self.lang, self.actor, item.order_no))

    def _write(self, item: CompletionRow, action: Action) -> None:
        from order_tui.services import closing

        call = closing.complete if action == Action.COMPLETE else closing.archive
        order_no = item.order_no

        def done(_result: object) -> None:
            self.app.notify(
                self.t("completion.done", order_no=order_no, action=action_label(action, self.lang))
            )
            self.reload()

        def failed(exc: Exception) -> None:
            self.set_status(error_text(exc, self.lang, self.db.timezone), error=True)

        assert self.actor is not None
        actor = self.actor
        self.app.run_write(  # type: ignore[attr-defined]
            lambda: call(self.db, actor, order_no, expected_version=item.version),
            on_done=done,
            on_error=failed,
        )

    def action_complete(self) -> None:
        item = self.current()
        if item is not None:
            self._write(item, Action.COMPLETE)

    def action_archive(self) -> None:
        from order_tui.screens.customer_form import ConfirmDialog

        item = self.current()
        if item is None:
            return
        ask = self.t(
            "completion.archive_ask",
            order_no=item.order_no,
            customer=item.customer,
            years=self.db.retention_years,
        )

        def answered(answer: str | None) -> None:
            if answer == "yes":
                self._write(item, Action.ARCHIVE)

        self.app.push_screen(
            ConfirmDialog(self.lang, self.t("completion.archive_title"), ask), answered
        )

    # the palette's lifecycle actions on the row under the cursor
    def action_complete_order(self) -> None:
        self.action_complete()

    def action_archive_order(self) -> None:
        self.action_archive()


class AttachDialog(ModalScreen[bool]):
    """The checklist of one order: pick a missing document, type its path, Enter attaches."""

    DEFAULT_CSS = """
    AttachDialog {
        align: center middle;
    }
    AttachDialog > Vertical {
        width: 70;
        max-width: 100%;
        height: auto;
        border: round $primary;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    AttachDialog OptionList {
        height: auto;
        max-height: 6;
    }
    AttachDialog #attach-path-row {
        height: 1;
        margin-top: 1;
    }
    AttachDialog #attach-path-label {
        width: auto;
        padding-right: 1;
        text-style: bold;
    }
    AttachDialog #attach-path {
        width: 1fr;
    }
    AttachDialog #attach-error {
        height: auto;
        color: $error;
        text-style: bold;
    }
    AttachDialog #attach-error:nocolor {
        text-style: bold reverse;
    }
    AttachDialog #attach-hint {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="attach_close", priority=True),
    ]

    def __init__(self, db: Database, lang: str, actor: Actor, order_no: str) -> None:
        super().__init__()
        self.db = db
        self.lang = lang
        self.actor = actor
        self.order_no = order_no
        self.items: list[tuple[str, bool]] = []
        self.changed = False
        localize_bindings(self, lang)

    def t(self, key: str, **fields: object) -> str:
        return t(key, self.lang, **fields)

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = self.t("attach.title", order_no=self.order_no)
        with box:
            yield OptionList(id="attach-items", compact=True)
            with Horizontal(id="attach-path-row"):
                yield Static(self.t("attach.path"), id="attach-path-label", markup=False)
                yield FieldInput(
                    placeholder=self.t("attach.path_ph"), id="attach-path", compact=True
                )
            yield Static("", id="attach-error", markup=False)
            yield Static(self.t("attach.hint"), id="attach-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#attach-items", OptionList).focus()
        self.load()

    @work(thread=True, exclusive=True, group="attach", exit_on_error=False)
    def load(self) -> None:
        from order_tui.services import archive

        try:
            items = archive.order_checklist(self.db, self.actor, self.order_no)
        except Exception as exc:
            self.app.call_from_thread(self.show_error, exc)
        else:
            self.app.call_from_thread(self._got_items, items)

    def _got_items(self, items: list[tuple[str, bool]]) -> None:
        if not self.is_attached:
            return
        self.items = items
        options = self.query_one("#attach-items", OptionList)
        options.clear_options()
        first_missing = None
        for index, (item, present) in enumerate(items):
            mark = self.t("attach.present") if present else self.t("attach.missing")
            line = Text(f"{'✓' if present else '✗'} {_item_label(item, self.lang)}  ")
            line.append(mark, style="dim" if present else "bold")
            options.add_option(Option(line, id=item, disabled=present))
            if not present and first_missing is None:
                first_missing = index
        if first_missing is None:
            self.query_one("#attach-error", Static).update(self.t("attach.all_there"))
        else:
            options.highlighted = first_missing

    def show_error(self, exc: Exception | str) -> None:
        if not self.is_attached:
            return
        text = exc if isinstance(exc, str) else error_text(exc, self.lang, self.db.timezone)
        self.query_one("#attach-error", Static).update("! " + text)

    @on(OptionList.OptionSelected, "#attach-items")
    def _to_path(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#attach-path", Input).focus()

    def _chosen(self) -> str | None:
        options = self.query_one("#attach-items", OptionList)
        index = options.highlighted
        if index is None:
            return None
        option = options.get_option_at_index(index)
        return None if option.disabled else option.id

    @on(Input.Submitted, "#attach-path")
    def _attach_file(self, event: Input.Submitted) -> None:
        event.stop()
        from order_tui.services import archive

        item = self._chosen()
        path = event.value.strip()
        if item is None:
            self.query_one("#attach-items", OptionList).focus()
            return
        if not path:
            self.show_error(self.t("attach.need_path"))
            return
        actor, order_no = self.actor, self.order_no

        def done(_sha: object) -> None:
            self.changed = True
            self.query_one("#attach-path", Input).value = ""
            self.query_one("#attach-error", Static).update(
                self.t("attach.done", item=_item_label(item, self.lang))
            )
            self.query_one("#attach-items", OptionList).focus()
            self.load()

        self.app.run_write(  # type: ignore[attr-defined]
            lambda: archive.attach_document(self.db, actor, order_no, item, Path(path)),
            on_done=done,
            on_error=self.show_error,  # the path stays as typed, the cursor in it
        )

    def action_close(self) -> None:
        self.dismiss(self.changed)


# -- the archive browser ----------------------------------------------------------------------

SEARCH_FIELDS = (
    "number",
    "customer",
    "product",
    "day_from",
    "day_to",
    "amount_from",
    "amount_to",
)


class ArchiveBrowser(PagedListScreen):
    """Search archived orders; the results page by key; Enter opens one read only."""

    DEFAULT_CSS = """
    ArchiveBrowser #search-area {
        height: 2;
    }
    ArchiveBrowser .search-row {
        height: 1;
        padding: 0 1;
    }
    ArchiveBrowser .search-label {
        width: auto;
        padding-right: 1;
        text-style: bold;
    }
    ArchiveBrowser .search-row Input {
        width: 1fr;
        margin-right: 1;
    }
    ArchiveBrowser .search-to {
        width: auto;
        padding-right: 1;
    }
    ArchiveBrowser #search-error {
        height: auto;
        padding: 0 1;
        color: $error;
        text-style: bold;
        display: none;
    }
    ArchiveBrowser #search-error.-shown {
        display: block;
    }
    ArchiveBrowser #search-error:nocolor {
        text-style: bold reverse;
    }
    """

    TITLE_KEY = "archive.title"
    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority, as in the inbox: the app runs it before routing the next key, so what is
        # typed right after "/" (one read over SSH) reaches the search field, not the list.
        Binding("slash", "search", "Search", id="archive_search", key_display="/", priority=True),
        Binding("escape", "to_list", "Results", id="archive_list", show=False),
        *PagedListScreen.BINDINGS,
    ]
    HELP_NOTES: ClassVar[list[str]] = ["archive.help"]
    # Archived orders do not change: the results and the cursor stay where they were.
    RELOAD_ON_RESUME: ClassVar[bool] = False

    def __init__(self, db: Database, lang: str, actor: Actor) -> None:
        super().__init__(db, lang, actor)
        from order_tui.services.archive import ArchiveQuery

        self.query_fields: ArchiveQuery = ArchiveQuery()
        self._search_mounted = False

    def compose(self) -> ComposeResult:
        yield TitleBar(self.title_text(self.t(self.TITLE_KEY)))
        # The seven search fields are mounted into this reserved area after the first rows
        # are painted (or at once by "/"): styling seven Inputs cost the first page 60 ms.
        yield Vertical(id="search-area")
        yield Static("", id="search-error", markup=False)
        yield Static("", id="info", markup=False)
        yield GroupedTable(self.columns(), id="rows")
        yield Static(self.t("paged.loading"), id="status", markup=False)
        yield Footer(show_command_palette=False)

    def search_rows(self) -> list[Horizontal]:
        return [
            Horizontal(
                *self._field("number", "archive.number", "archive.ph.number"),
                *self._field("customer", "archive.customer", "archive.ph.customer"),
                *self._field("product", "archive.product", "archive.ph.product"),
                classes="search-row",
            ),
            Horizontal(
                *self._field("day_from", "archive.days", "archive.ph.day"),
                Static(self.t("archive.to"), classes="search-to", markup=False),
                FieldInput(placeholder=self.t("archive.ph.day"), id="s-day_to", compact=True),
                *self._field("amount_from", "archive.amounts", "archive.ph.amount"),
                Static(self.t("archive.to"), classes="search-to", markup=False),
                FieldInput(placeholder=self.t("archive.ph.amount"), id="s-amount_to", compact=True),
                classes="search-row",
            ),
        ]

    async def mount_search(self) -> None:
        """Mount the search fields once; every path to them (`/`, the first page) awaits
        this, so keys typed right after "/" wait for the fields instead of getting lost."""
        if self._search_mounted:
            return
        self._search_mounted = True
        await self.query_one("#search-area", Vertical).mount(*self.search_rows())

    def _got(self, generation: int, first: bool, head: list[Any], page: list[Any]) -> None:
        super()._got(generation, first, head, page)
        self.call_after_refresh(self.mount_search)

    def _failed(self, generation: int, exc: Exception) -> None:
        super()._failed(generation, exc)
        self.call_after_refresh(self.mount_search)

    def _field(self, name: str, label_key: str, placeholder: str) -> tuple[Static, Input]:
        return (
            Static(self.t(label_key), classes="search-label", markup=False),
            FieldInput(placeholder=self.t(placeholder), id=f"s-{name}", compact=True),
        )

    def columns(self) -> list[Column]:
        lang = self.lang
        return [
            Column(t("archive.col.order", lang), 14),
            Column(t("archive.col.day", lang), 10),
            Column(t("archive.col.customer", lang), 14, flex=3),
            Column(t("archive.col.total", lang), 12, align="right"),
            Column(t("archive.col.kept", lang), 10),
        ]

    def fetch(self, after: Any) -> tuple[list[Any], list[Any]]:
        from order_tui.services import archive

        assert self.actor is not None
        return [], archive.search(self.db, self.actor, self.query_fields, after=after, limit=PAGE)

    def group_title(self) -> str:
        return self.t("archive.group")

    def empty_text(self) -> str:
        return self.t("archive.empty")

    def row(self, item: ArchiveRow) -> Row:
        return Row(
            key=item.order_no,
            cells=(
                item.order_no,
                day(item.order_day, self.lang),
                item.customer,
                money(item.total),
                day(item.retention_until, self.lang),
            ),
        )

    def opened(self, key: str) -> None:
        assert self.actor is not None
        self.app.push_screen(ArchivedOrderScreen(self.db, self.lang, self.actor, key))

    # -- the search fields --------------------------------------------------------------------

    def typed(self) -> ArchiveQuery:
        from order_tui.services.archive import ArchiveQuery

        values = {name: self.query_one(f"#s-{name}", Input).value for name in SEARCH_FIELDS}
        return ArchiveQuery(**values)

    def in_form(self) -> bool:
        focused = self.focused
        return isinstance(focused, Input) and (focused.id or "").startswith("s-")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "to_list":
            return self.is_mounted and self.in_form()
        # "/" typed in a search field is text (a date as 2026/11/27)
        return not (action == "search" and isinstance(self.focused, Input))

    async def action_search(self) -> None:
        """`/`: to the search fields (the customer, the most used, first; Shift+Tab reaches
        the number). The list keeps the focus when the screen opens, as every list does."""
        await self.mount_search()
        # at once, not `focus()`: keys typed right after `/` (one read over SSH) go there too
        self.set_focus(self.query_one("#s-customer", Input))

    def action_to_list(self) -> None:
        self.table.focus()

    @on(Input.Submitted)
    def _search(self, event: Input.Submitted) -> None:
        if not (event.input.id or "").startswith("s-"):
            return
        event.stop()
        from order_tui.domain.errors import ValidationError
        from order_tui.services.archive import criteria

        query = self.typed()
        error = self.query_one("#search-error", Static)
        try:
            criteria(query)
        except ValidationError as exc:
            error.update("! " + error_text(exc, self.lang))
            error.add_class("-shown")
            if exc.field in SEARCH_FIELDS:
                self.query_one(f"#s-{exc.field}", Input).focus()
            return
        error.remove_class("-shown")
        self.query_fields = query
        self.table.focus()
        self.reload()

    @on(Input.Changed)
    def _editing(self, event: Input.Changed) -> None:
        if (event.input.id or "").startswith("s-"):
            self.query_one("#search-error", Static).remove_class("-shown")


# -- one order read only, with its history ----------------------------------------------------


def _join(parts: list[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(parts)


def render_history(view: ArchivedOrder, lang: str, timezone: str) -> list[RenderableType]:
    """The sections the order detail does not have: checklist, rounds, shipments, sign-off,
    feedback, holds and the audit history."""
    from order_tui.screens.review import dept_name

    none = t("archived.none", lang)
    stamp = "%Y-%m-%d %H:%M"
    parts: list[RenderableType] = []

    def heading(text: str) -> None:
        parts.append(Text())
        parts.append(Text(text, style="bold underline"))

    heading(t("archived.checklist", lang))
    check = Text()
    for index, (item, present) in enumerate(view.checklist):
        if index:
            check.append("  ")
        check.append(
            ("✓ " if present else "✗ ") + _item_label(item, lang), style="" if present else "bold"
        )
    parts.append(check)

    heading(t("archived.rounds", lang))
    for r in view.rounds:
        parts.append(
            Text(
                t(
                    "archived.round",
                    lang,
                    round=r["round"],
                    when=local_time(r["submitted_at"].isoformat(), timezone, stamp),
                    who=r["submitted_by"],
                    outcome=t(f"verdict.{r['outcome']}", lang)
                    if f"verdict.{r['outcome']}" in _strings()
                    else r["outcome"],
                    departments=_join([dept_name(d, lang) for d in r["departments"]], lang),
                )
            )
        )
    if not view.rounds:
        parts.append(Text(none))

    heading(t("archived.shipments", lang))
    for s in view.shipments:
        lines = _join([f"#{no} × {qty(q)}" for no, q in s["lines"]], lang)
        parts.append(
            Text(
                t(
                    "archived.shipment",
                    lang,
                    date=day(s["ship_date"], lang),
                    carrier=s["carrier"],
                    tracking=s["tracking_no"],
                    lines=lines,
                )
            )
        )
    if not view.shipments:
        parts.append(Text(none))

    heading(t("archived.sign_off", lang))
    for s in view.sign_offs:
        ok, bad = t("archived.ok", lang), t("archived.not_ok", lang)
        line = Text(
            t(
                "archived.signed",
                lang,
                when=local_time(s["signed_at"].isoformat(), timezone, stamp),
                signer=s["signer"],
                q=ok if s["qty_ok"] else bad,
                a=ok if s["appearance_ok"] else bad,
                p=ok if s["packaging_ok"] else bad,
            )
        )
        if s["discrepancy"]:
            line.append("  " + s["discrepancy"])
        parts.append(line)
    if not view.sign_offs:
        parts.append(Text(none))

    heading(t("archived.feedback", lang))
    fb = view.feedback
    if fb is not None and fb["done_at"] is not None:
        parts.append(
            Text(
                t(
                    "archived.feedback_line",
                    lang,
                    when=local_time(fb["done_at"].isoformat(), timezone, stamp),
                    reached=t("archived.reached" if fb["reached"] else "archived.missed", lang),
                    score=fb["satisfaction"] if fb["satisfaction"] is not None else "-",
                    remarks=fb["remarks"],
                )
            )
        )
        if fb["after_sales"]:
            parts.append(Text("  " + fb["after_sales"]))
    else:
        parts.append(Text(none))

    if view.holds:
        heading(t("archived.holds", lang))
        for h in view.holds:
            line = Text(local_time(h["raised_at"].isoformat(), timezone, stamp) + " ", style="dim")
            line.append(h["description"])
            if h["solution"]:
                line.append(" → " + h["solution"])
            parts.append(line)

    heading(t("archived.history", lang, count=len(view.history)))
    for h in view.history:
        line = Text(local_time(h.at.isoformat(), timezone, stamp) + " ", style="dim")
        line.append(h.who + " ", style="bold")
        line.append(_action_word(h.action, lang))
        if h.from_status and h.to_status and h.from_status != h.to_status:
            line.append(
                f"  {_status_word(h.from_status, lang)} → {_status_word(h.to_status, lang)}"
            )
        if h.changes:
            shown = "; ".join(f"{k}={_short(v)}" for k, v in sorted(h.changes.items()))
            line.append("  " + shown, style="dim")
        parts.append(line)
    return parts


def _strings() -> dict[str, tuple[str, str]]:
    from order_tui.screens.i18n import STRINGS

    return STRINGS


def _short(value: object, most: int = 40) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= most else text[: most - 1] + "…"


def _action_word(action: str, lang: str) -> str:
    if action.startswith("refused:"):
        word = _action_word(action.split(":", 1)[1], lang)
        return f"拒绝{word}" if lang == "zh" else f"refused {word}"
    try:
        return action_label(Action(action), lang)
    except ValueError:
        return action


def _status_word(status: str, lang: str) -> str:
    try:
        return status_label(Status(status), lang)
    except ValueError:
        return status


class ArchivedOrderScreen(OrderDetailScreen):
    """An order read only with its whole history. On an archived order `e` and Delete ask the
    services, which refuse (coded) and log the attempt."""

    # Off the footer: offering keys that are always refused would invite the attempt; they
    # stay bound so an attempt is answered with the reason (and logged), and F1 lists them.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit_order", "Edit", id="archived_edit", show=False),
        Binding("delete", "delete_order", "Delete", id="archived_delete", show=False),
    ]

    def __init__(self, db: Database, lang: str, actor: Actor, order_no: str) -> None:
        super().__init__(db, lang, actor, order_no)
        self.archived: ArchivedOrder | None = None
        self.note = ""

    @work(thread=True, exclusive=True, group="order", exit_on_error=False)
    def load(self) -> None:
        from order_tui.services import archive

        assert self.actor is not None
        try:
            view = archive.archived_order(self.db, self.actor, self.order_no)
        except Exception as exc:
            self.app.call_from_thread(self._failed, exc)
        else:
            self.app.call_from_thread(self._show_view, view)

    def _show_view(self, view: ArchivedOrder) -> None:
        if not self.is_attached:
            return
        assert self.actor is not None
        self.archived = view
        self.detail = view.detail
        if view.read_only:  # an order not archived yet keeps the detail's title
            title = self.title_text(self.t("archived.title", order_no=self.order_no))
            self.query_one(TitleBar).update(title)
        self.refresh_bindings()
        self._paint()

    def _paint(self) -> None:
        assert self.archived is not None and self.actor is not None
        view = self.archived
        parts: list[RenderableType] = []
        if self.note:
            parts.append(Text(self.note, style="bold reverse" if self.app.no_color else "bold red"))
        if view.read_only:
            when = (
                local_time(
                    view.archived_at.astimezone(UTC).isoformat(), self.db.timezone, "%Y-%m-%d"
                )
                if view.archived_at
                else "-"
            )
            banner = self.t(
                "archived.banner", when=when, until=day(view.detail.retention_until, self.lang)
            )
            parts.append(Text(banner, style="bold"))
        parts.append(
            render_detail(view.detail, self.actor, self.lang, self.db.timezone, self.app.no_color)
        )
        parts.extend(render_history(view, self.lang, self.db.timezone))
        self.query_one("#content", Static).update(RichGroup(*parts))

    @property
    def read_only(self) -> bool:
        return self.archived is not None and self.archived.read_only

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit_order", "delete_order"):
            # Offered on an archived order so that trying is refused with the reason (and
            # logged); the clerk's own draft is edited from the detail view as usual.
            if self.read_only:
                return True
            if action == "delete_order":
                return False
        return super().check_action(action, parameters)

    def _refuse(self, call: Any) -> None:
        def refused(exc: Exception) -> None:
            self.note = self.t("archived.refused_note", error=error_text(exc, self.lang))
            self.app.notify(self.note, severity="error")
            self.reload()  # the history shows the refusal

        self.app.run_write(call, on_done=lambda _r: self.reload(), on_error=refused)  # type: ignore[attr-defined]

    def action_edit_order(self) -> None:
        if not self.read_only:
            super().action_edit_order()
            return
        from order_tui.services import archive

        assert self.actor is not None
        actor = self.actor
        self._refuse(lambda: archive.request_change(self.db, actor, self.order_no, Action.EDIT))

    def action_delete_order(self) -> None:
        from order_tui.services import archive

        assert self.actor is not None
        actor = self.actor
        self._refuse(lambda: archive.purge(self.db, actor, [self.order_no]))


def may_browse(actor: Actor | None) -> bool:
    """Every role in the order flow reads the archive; the administrator does not."""
    from order_tui.domain.archive import READERS

    return actor is not None and bool(actor.roles & READERS)


def may_complete(actor: Actor | None) -> bool:
    return actor is not None and Role.ARCHIVIST in actor.roles


__all__ = [
    "ArchiveBrowser",
    "ArchivedOrderScreen",
    "AttachDialog",
    "CompletionScreen",
    "may_browse",
    "may_complete",
]
