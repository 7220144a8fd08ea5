"""What the master-data screens share: their strings, a keyset-paged table, form helpers and a
yes/no dialog.

Screens here reach the services only inside thread workers (imported there), so importing this
module does not load the ORM.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from rich.segment import Segment
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Checkbox, Input, OptionList, Select, SelectionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist
from textual.worker import get_current_worker

from order_tui.domain.errors import Conflict
from order_tui.screens import i18n
from order_tui.screens.base import OrderScreen, TitleBar, settle
from order_tui.screens.customer_form import ConfirmDialog, LeaveGuard
from order_tui.screens.export_dialog import EXPORT_BINDING, ExportKey, rows_of
from order_tui.screens.i18n import localize_bindings, register, t
from order_tui.widgets.field_input import FieldInput
from order_tui.widgets.grouped_table import Column, Row, layout, render_row

if TYPE_CHECKING:
    from collections.abc import Iterator

    from textual.dom import DOMNode

    from order_tui.services import Database
    from order_tui.services.common import Actor

PAGE = 50  # rows fetched per keyset page
PREFETCH = 10  # fetch the next page when the cursor comes this close to the end

register(
    {
        "md.title": ("基础资料", "Master data"),
        "md.loading": ("正在加载…", "Loading…"),
        "md.loading_more": ("正在加载更多…", "Loading more…"),
        "md.empty": ("（无）", "(none)"),
        "md.count": ("{count} 项", "{count} rows"),
        "md.count_more": ("已加载 {count} 项，向下翻页加载更多", "{count} loaded, more below"),
        "md.filtered": ("筛选“{text}”：{count} 项", "Filter '{text}': {count} rows"),
        "md.filter_ph": (
            "筛选：编码 / 名称 / 拼音首字母（Esc 清除，Enter 回到列表）",
            "Filter: code / name / initials (Esc clears, Enter back to list)",
        ),
        "md.read_only": ("只读", "read-only"),
        "md.saving": ("正在保存…", "Saving…"),
        "md.saved": ("已保存", "Saved"),
        "md.failed": ("操作失败：{error}", "Failed: {error}"),
        "md.load_failed": ("加载失败：{error}", "Could not load: {error}"),
        "md.conflict": (
            "该记录已被他人修改。您的输入仍在，可按 Ctrl+R 重新载入（放弃您的修改）",
            "Changed by someone else since you opened it. Your input is kept; "
            "Ctrl+R reloads (drops your changes)",
        ),
        "md.conflict_ask": (
            "该记录已被他人修改。重新载入最新数据并放弃您的修改吗？",
            "Someone else changed this record. Reload it and drop your changes?",
        ),
        "md.conflict_title": ("已被他人修改", "Changed by someone else"),
        "md.reloaded": ("已重新载入最新数据", "Reloaded the latest data"),
        "md.draft_restored": (
            "已恢复 {time} 未保存的输入（Ctrl+S 保存）",
            "Restored your unsaved input from {time} (Ctrl+S saves)",
        ),
        "md.fix_errors": ("请修正标红的项目", "Please fix the fields marked in red"),
        "md.leave_title": ("尚未保存", "Not saved yet"),
        "md.leave_ask": ("放弃已填写的内容并关闭吗？", "Drop what you typed and close?"),
        "md.form_keys": (
            "Enter 下一项 · Ctrl+S 保存 · Esc 返回",
            "Enter next field · Ctrl+S save · Esc back",
        ),
        "md.version": ("版本 {version}", "version {version}"),
        "md.yes": ("是", "yes"),
        "md.no": ("否", "no"),
        # errors shown beside the fields
        "md.err.required": ("必填", "Required"),
        "md.err.number": ("请输入数字，如 1,234.50", "Enter a number like 1,234.50"),
        "md.err.integer": ("请输入整数", "Enter a whole number"),
        "md.err.negative": ("不能为负数", "Cannot be negative"),
        "md.err.price_order": (
            "价格须满足 最低价 ≤ 标准价 ≤ 最高价",
            "Prices must satisfy floor ≤ list ≤ ceiling",
        ),
        "md.err.roles": ("至少选择一个角色", "Choose at least one role"),
        "md.err.pin": ("PIN 须为 4-12 位数字", "PIN must be 4 to 12 digits"),
        "md.err.pin_mismatch": ("两次输入的 PIN 不一致", "The two PINs differ"),
        "md.err.date": ("日期格式为 2026-12-31", "Date like 2026-12-31"),
        "md.err.reason": ("请填写原因", "Give a reason"),
        # keys (by binding id)
        "key.md_save": ("保存", "Save"),
        "key.md_next": ("下一项", "Next field"),
        "key.md_leave": ("返回", "Back"),
        "key.md_reload": ("重新载入", "Reload"),
        "key.md_home": ("首页", "Home"),
        "key.md_filter": ("筛选", "Filter"),
        "key.md_clear_filter": ("清除筛选", "Clear filter"),
        "key.md_add": ("新增", "Add"),
        "key.md_edit": ("修改", "Edit"),
        "key.md_view": ("查看", "View"),
    }
)


def error_text(exc: BaseException, lang: str) -> str:
    """One line for the operator in their language; a competing change says how to go on."""
    if isinstance(exc, Conflict):
        return t("md.conflict", lang)
    if getattr(exc, "code", None):
        return i18n.error_text(exc, lang)
    return t("md.failed", lang, error=i18n.error_text(exc, lang))


def relabel(node: DOMNode, binding_id: str, description: str | None) -> None:
    """Give `node`'s binding `binding_id` another description, or hide it (None)."""
    from dataclasses import replace

    from textual.binding import BindingsMap

    keys = {
        key: [
            (
                replace(b, description=description)
                if description is not None
                else replace(b, show=False)
            )
            if b.id == binding_id
            else b
            for b in bindings
        ]
        for key, bindings in node._bindings.key_to_bindings.items()
    }
    node._bindings = BindingsMap.from_keys(keys)


def may(actor: Actor | None, permission: str) -> bool:
    """True when the operator's roles hold the permission (`domain.roles.PERMISSIONS`)."""
    from order_tui.domain.roles import PERMISSIONS

    return actor is not None and bool(actor.roles & PERMISSIONS[permission])


# -- a keyset-paged table --------------------------------------------------------------------


class PagedOptions(OptionList):
    """The focusable list inside a `PagedTable`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Open", id="open"),
    ]


class PagedTable(Vertical):
    """Column header + rows that arrive a page at a time.

    `set_rows` replaces, `add_rows` appends; when the cursor comes within `PREFETCH` rows of
    the end and `more` is set, the table posts `NeedMore(after=last key)` once. Selecting a
    row posts `OptionList.OptionSelected` (option id = row key).
    """

    DEFAULT_CSS = """
    PagedTable {
        height: 1fr;
    }
    PagedTable > .paged-table--header {
        height: 1;
        text-style: bold underline;
    }
    PagedTable > PagedOptions {
        height: 1fr;
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
    }
    PagedTable > PagedOptions:nocolor > .option-list--option-highlighted {
        text-style: reverse bold;
    }
    """

    class NeedMore(Message):
        def __init__(self, table: PagedTable, after: str) -> None:
            super().__init__()
            self.table = table
            self.after = after

        @property
        def control(self) -> PagedTable:
            return self.table

    def __init__(
        self,
        columns: list[Column],
        *,
        empty: str = "",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.columns = columns
        self.empty = empty
        self.rows: list[Row] = []
        self.more = False
        self.fetching = False
        self._widths: list[int] = []

    def compose(self) -> ComposeResult:
        yield Static("", classes="paged-table--header", markup=False)
        yield PagedOptions(compact=True)

    @property
    def options(self) -> PagedOptions:
        return self.query_one(PagedOptions)

    def focus(self, scroll_visible: bool = True) -> PagedTable:
        self.options.focus(scroll_visible)
        return self

    @property
    def highlighted_key(self) -> str | None:
        options = self.options
        if options.highlighted is None or not self.rows:
            return None
        return options.get_option_at_index(options.highlighted).id

    def _available(self) -> int:
        region = self.options.scrollable_content_region
        return region.width if region.width > 0 else max(self.size.width - 1, 0)

    def set_rows(self, rows: list[Row], more: bool, keep: str | None = None) -> None:
        self.rows = list(rows)
        self.more = more
        self.fetching = False
        self._render_rows(keep)

    def add_rows(self, rows: list[Row], more: bool) -> None:
        self.more = more
        self.fetching = False
        if not rows:
            return
        if not self.rows:
            self.set_rows(rows, more)
            return
        self.rows.extend(rows)
        self.options.add_options(
            [Option(render_row(self.columns, self._widths, r), id=r.key) for r in rows]
        )

    def on_resize(self) -> None:
        if self.is_mounted and layout(self.columns, self._available()) != self._widths:
            self._render_rows(self.highlighted_key)

    def _render_rows(self, keep: str | None) -> None:
        if not self.is_mounted:
            return
        self._widths = layout(self.columns, self._available())
        header = Row("", tuple(c.title for c in self.columns))
        self.query_one(".paged-table--header", Static).update(
            render_row(self.columns, self._widths, header)
        )
        options = self.options
        options.clear_options()
        if not self.rows:
            if self.empty:
                options.add_option(Option(Text(" " + self.empty, style="dim"), disabled=True))
            return
        options.add_options(
            [Option(render_row(self.columns, self._widths, r), id=r.key) for r in self.rows]
        )
        index = 0
        if keep is not None:
            try:
                index = options.get_option_index(keep)
            except OptionDoesNotExist:
                index = 0
        options.highlighted = index

    @on(OptionList.OptionHighlighted)
    def _near_end(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list is not self.options:
            return
        if self.more and not self.fetching and event.option_index >= len(self.rows) - PREFETCH:
            self.fetching = True
            self.post_message(self.NeedMore(self, self.rows[-1].key))


# -- forms -------------------------------------------------------------------------------------

FORM_CSS = """
.md-form {
    height: 1fr;
    padding: 0 1;
    scrollbar-size-vertical: 1;
}
.md-field {
    height: auto;
    min-height: 1;
    margin-bottom: 0;
}
.md-label {
    width: 18;
    padding-right: 1;
    text-align: right;
    text-style: bold;
}
.md-field > Input {
    width: 1fr;
    max-width: 52;
}
.md-field > Input.-short {
    max-width: 18;
}
.md-field > Select {
    width: 24;
}
.md-field > Checkbox {
    width: auto;
}
.md-field > SelectionList {
    width: 1fr;
    max-width: 52;
    height: auto;
}
.md-field > .md-hint {
    width: 1fr;
    padding-left: 1;
    color: $text-muted;
}
.md-error {
    display: none;
    height: auto;
    margin-left: 18;
    color: $error;
    text-style: bold;
}
.md-error.-shown {
    display: block;
}
.md-error:nocolor {
    text-style: bold reverse;
}
#form-status {
    height: auto;
    min-height: 1;
    padding: 0 1;
    color: $text-muted;
}
#form-status.-error {
    color: $error;
    text-style: bold;
}
"""


class TickList(SelectionList[str]):
    """A selection list whose X shows only on ticked lines (readable without colour)."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        _, scroll_y = self.scroll_offset
        try:
            option = self.get_option_at_index(scroll_y + y)
        except OptionDoesNotExist:
            return strip
        if len(segments) < 4 or segments[1].text != Checkbox.BUTTON_INNER:
            return strip
        mark = "X" if option.value in self._selected else " "  # type: ignore[attr-defined]
        segments[1] = Segment(mark, segments[1].style)
        return Strip(segments, strip.cell_length)


class TickBox(Checkbox):
    """A checkbox whose X shows only when ticked, so it reads right without colour."""

    @property  # type: ignore[override]
    def BUTTON_INNER(self) -> str:  # Textual's (class attribute) name
        return "X" if self.value else " "


def field_row(name: str, label: str, widget: Widget, hint: str = "") -> list[Widget]:
    """A labelled field with its error line beneath: widgets to yield from `compose`."""
    widget.id = f"f-{name}"
    widget.add_class("md-input")
    parts: list[Widget] = [Static(label, classes="md-label", markup=False), widget]
    if hint:
        parts.append(Static(hint, classes="md-hint", markup=False))
    return [
        Horizontal(*parts, classes="md-field"),
        Static("", id=f"e-{name}", classes="md-error", markup=False),
    ]


class FormMixin:
    """Field values, errors beside the fields, Enter to the next field, Ctrl+S to save.

    Fields are widgets with id `f-<name>` and class `md-input` (see `field_row`); their error
    line is `#e-<name>`; `#form-status` (optional) shows messages that belong to no field.
    Subclasses implement `save()`; `SECRET` fields (PINs) are never kept in drafts.
    """

    SECRET: ClassVar[frozenset[str]] = frozenset()
    lang: str
    busy: bool = False
    _clean: dict[str, object] | None = None

    # -- values ---------------------------------------------------------------------------

    def _fields(self) -> list[Widget]:
        return list(self.query(".md-input"))  # type: ignore[attr-defined]

    def field_values(self) -> dict[str, object]:
        values: dict[str, object] = {}
        for widget in self._fields():
            name = (widget.id or "")[2:]
            if isinstance(widget, Input):
                values[name] = widget.value
            elif isinstance(widget, Select):
                values[name] = None if widget.value is Select.NULL else widget.value
            elif isinstance(widget, Checkbox):
                values[name] = widget.value
            elif isinstance(widget, SelectionList):
                values[name] = sorted(str(v) for v in widget.selected)
        return values

    def set_values(self, values: dict[str, object]) -> None:
        for widget in self._fields():
            name = (widget.id or "")[2:]
            if name not in values:
                continue
            value = values[name]
            if isinstance(widget, Input):
                widget.value = "" if value is None else str(value)
            elif isinstance(widget, Select):
                if value is None:
                    widget.clear()
                else:
                    widget.value = value
            elif isinstance(widget, Checkbox):
                widget.value = bool(value)
            elif isinstance(widget, SelectionList):
                chosen = {str(v) for v in value} if isinstance(value, list | tuple) else set()
                widget.deselect_all()
                for index in range(widget.option_count):
                    option = widget.get_option_at_index(index)
                    if str(option.value) in chosen:  # type: ignore[attr-defined]
                        widget.select(option.value)  # type: ignore[attr-defined]

    def mark_clean(self) -> None:
        self._clean = self.field_values()

    def is_dirty(self) -> bool:
        return self._clean is not None and self.field_values() != self._clean

    # -- errors ---------------------------------------------------------------------------

    def clear_errors(self) -> None:
        for error in self.query(".md-error"):  # type: ignore[attr-defined]
            error.update("")
            error.remove_class("-shown")
        self.set_status("")

    def show_error(self, name: str | None, message: str) -> None:
        """The message beside the field (or in the status line), and focus on the field."""
        target = self.query(f"#e-{name}") if name else None  # type: ignore[attr-defined]
        if target:
            error = target.first(Static)
            error.update(message)
            error.add_class("-shown")
            widget = self.query_one(f"#f-{name}")  # type: ignore[attr-defined]
            if widget.focusable:
                widget.focus()
            self.set_status(t("md.fix_errors", self.lang), error=True)
        else:
            self.set_status(message, error=True)

    def show_errors(self, errors: dict[str, str]) -> None:
        self.clear_errors()
        for name, message in reversed(errors.items()):  # focus lands on the first one
            self.show_error(name, message)

    def set_status(self, message: str, error: bool = False) -> None:
        found = self.query("#form-status")  # type: ignore[attr-defined]
        if found:
            status = found.first(Static)
            status.update(message)
            status.set_class(error, "-error")

    # -- keys -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_field":
            return isinstance(self.focused, Input)  # type: ignore[attr-defined]
        if action == "save":
            return not getattr(self, "read_only", False)
        return True

    async def action_next_field(self) -> None:
        focused = self.focused  # type: ignore[attr-defined]
        if focused is not None:
            await settle(focused)
        fields = [w for w in self._fields() if w.focusable]
        if fields and focused is fields[-1]:
            await self.action_save()
        else:
            self.focus_next()  # type: ignore[attr-defined]

    async def action_save(self) -> None:
        focused = self.focused  # type: ignore[attr-defined]
        if focused is not None:
            await settle(focused)
        if self.busy or getattr(self, "read_only", False):
            return
        self.save()

    @abstractmethod
    def save(self) -> None: ...


FORM_BINDINGS: list[BindingType] = [
    Binding("ctrl+s,f9", "save", "Save", id="md_save", priority=True),
    Binding("enter", "next_field", "Next field", id="md_next", show=False, priority=True),
    Binding("escape,f3", "leave", "Back", id="md_leave"),
]


class MdFormScreen(FormMixin, LeaveGuard):
    """A full-screen form. Esc / F3 / F2 ask before dropping typed input (`LeaveGuard`, shared
    with the customer form): leave keeping a draft, discard it, or stay."""

    DEFAULT_CSS = FORM_CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        *FORM_BINDINGS,
        Binding("f2", "go_home", "Home", id="md_home", show=False),
    ]
    AUTO_FOCUS = None
    read_only = False

    def unsaved_changes(self) -> bool:
        return self.is_dirty() and not self.read_only

    def form_snapshot(self) -> dict[str, object] | None:
        if self._clean is None or not self.unsaved_changes():
            return None
        values = {k: v for k, v in self.field_values().items() if k not in self.SECRET}
        return {"fields": values, **self.draft_extra()}

    def draft_extra(self) -> dict[str, object]:
        return {}


class MdDialog(FormMixin, ModalScreen[object]):
    """A small form over the list that opened it."""

    DEFAULT_CSS = (
        FORM_CSS
        + """
    MdDialog {
        align: center middle;
    }
    MdDialog > #dialog {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    MdDialog .md-form {
        height: auto;
        padding: 0;
    }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        *FORM_BINDINGS,
        Binding("f2", "leave(True)", "Home", id="md_home", show=False),
    ]
    AUTO_FOCUS = None

    def __init__(self, db: Database, lang: str, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.lang = lang
        self.actor = actor
        localize_bindings(self, lang)

    def t(self, key: str, **fields: object) -> str:
        return t(key, self.lang, **fields)

    def unsaved_changes(self) -> bool:
        return self.is_dirty()

    def action_leave(self, home: bool = False) -> None:
        """Esc / F3 close the dialog, F2 goes home too; both ask first when something is typed."""

        def go() -> None:
            self.dismiss(None)
            if home:
                self.app.call_later(self.app.run_action, "app.home")

        if not self.is_dirty():
            go()
            return

        def answered(answer: str | None) -> None:
            if answer == "yes":
                go()

        self.app.push_screen(
            ConfirmDialog(self.lang, self.t("md.leave_title"), self.t("md.leave_ask")), answered
        )


class MdListScreen(ExportKey, OrderScreen):
    """A list screen with a `/` filter line above a `PagedTable`.

    Subclasses provide `columns()`, `page(after)` (runs in a worker: services allowed),
    `search(text)` (the same for a filter), `row(item)` and optionally `highlighted(key)`.
    F8 exports the list in view (the filter's hits, else every page; `export_items`).
    """

    DEFAULT_CSS = """
    MdListScreen #filter {
        display: none;
    }
    MdListScreen #filter.-shown {
        display: block;
    }
    MdListScreen #status {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    MdListScreen #status.-error {
        color: $error;
        text-style: bold;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="md_filter"),
        Binding("escape", "clear_filter", "Clear filter", id="md_clear_filter", show=False),
        EXPORT_BINDING,
    ]
    HELP_EXTRA: ClassVar[list[tuple[str, str]]] = [
        ("Up / Down", "key.move"),
        ("PgUp / PgDn", "key.page"),
    ]

    def __init__(self, db: Database, lang: str, actor: Actor) -> None:
        super().__init__(db, lang, actor)
        self.items: dict[str, Any] = {}
        self.filter_text = ""

    # -- to implement -------------------------------------------------------------------------

    @abstractmethod
    def columns(self) -> list[Column]: ...

    @abstractmethod
    def page(self, after: str | None) -> list[Any]: ...

    @abstractmethod
    def search(self, text: str) -> list[Any]: ...

    def key_of(self, item: Any) -> str:
        return str(item.code)

    @abstractmethod
    def row(self, item: Any) -> Row: ...

    def highlighted(self, key: str | None) -> None:
        """The cursor moved to `key` (None: no row)."""

    @abstractmethod
    def list_title(self) -> str: ...

    def enter_key(self) -> str | None:
        """The binding id whose description Enter shows in the footer (None: hidden)."""
        return "open"

    def export_items(self) -> Iterator[Any]:
        """Every item of the list, page by page (in the export's worker)."""
        from order_tui.services.exports import pages

        return pages(self.page, self.key_of)

    def export_table(self) -> Any:
        """F8: the filter's hits when filtering, else the whole list by key."""
        from order_tui.services.exports import ExportTable

        columns = self.columns()
        text = self.filter_text

        def items() -> Iterator[Any]:
            yield from (self.search(text) if text else self.export_items())

        return ExportTable(
            self.list_title(), [c.title for c in columns], rows_of(items(), self.row, columns)
        )

    # -- common -------------------------------------------------------------------------------

    def compose_list(self) -> ComposeResult:
        yield TitleBar(self.title_text(self.list_title()))
        yield FieldInput(placeholder=self.t("md.filter_ph"), id="filter", compact=True)
        yield PagedTable(self.columns(), empty=self.t("md.empty"), id="table")

    @property
    def table(self) -> PagedTable:
        return self.query_one("#table", PagedTable)

    def on_mount(self) -> None:
        localize_bindings(self.table.options, self.lang)
        enter = self.enter_key()
        relabel(self.table.options, "open", self.t(f"key.{enter}") if enter else None)
        self.table.focus()
        self.reload()

    def reload(self, keep: str | None = None) -> None:
        """From the first page again (F5), the cursor kept on `keep` or the current row."""
        keep = keep or self.table.highlighted_key
        self.set_status(self.t("md.loading"))
        if self.filter_text:
            self._search(self.filter_text, keep)
        else:
            self._load(None, keep)

    def set_status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "-error")

    @work(thread=True, exclusive=True, group="page", exit_on_error=False)
    def _load(self, after: str | None, keep: str | None = None) -> None:
        try:
            items = self.page(after)
        except Exception as exc:  # shown; F5 tries again
            self.app.call_from_thread(self._failed, exc)
        else:
            if not get_current_worker().is_cancelled:  # a newer load replaced this one
                self.app.call_from_thread(self._show_page, after, items, keep)

    @work(thread=True, exclusive=True, group="page", exit_on_error=False)
    def _search(self, text: str, keep: str | None = None) -> None:
        try:
            items = self.search(text)
        except Exception as exc:
            self.app.call_from_thread(self._failed, exc)
        else:
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self._show_found, text, items, keep)

    def _failed(self, exc: Exception) -> None:
        if self.is_attached:
            self.table.fetching = False
            self.set_status(self.t("md.load_failed", error=error_text(exc, self.lang)), True)

    def _show_page(self, after: str | None, items: list[Any], keep: str | None) -> None:
        if not self.is_attached or self.filter_text:
            return
        rows = [self.row(item) for item in items]
        more = len(items) >= PAGE
        if after is None:
            self.items = {self.key_of(i): i for i in items}
            self.table.set_rows(rows, more, keep)
        else:
            self.items.update({self.key_of(i): i for i in items})
            self.table.add_rows(rows, more)
        count = len(self.table.rows)
        self.set_status(
            self.t("md.count_more", count=count) if more else self.t("md.count", count=count)
        )
        self.highlighted(self.table.highlighted_key)

    def _show_found(self, text: str, items: list[Any], keep: str | None) -> None:
        if not self.is_attached or text != self.filter_text:
            return  # a newer filter is on its way
        self.items = {self.key_of(i): i for i in items}
        self.table.set_rows([self.row(item) for item in items], False, keep)
        self.set_status(self.t("md.filtered", text=text, count=len(items)))
        self.highlighted(self.table.highlighted_key)

    @on(PagedTable.NeedMore)
    def _more(self, event: PagedTable.NeedMore) -> None:
        if self.filter_text:
            return
        self.set_status(self.t("md.loading_more"))
        self._load(event.after)

    @on(OptionList.OptionHighlighted)
    def _moved(self, event: OptionList.OptionHighlighted) -> None:
        if isinstance(event.option_list, PagedOptions):
            self.highlighted(event.option.id)

    # -- filter -------------------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("-shown")
        box.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return self.query_one("#filter", Input).has_class("-shown")
        return True

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.remove_class("-shown")
        self.table.focus()
        if box.value:
            box.value = ""  # Input.Changed reloads the paged list

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self.set_status(self.t("md.loading"))
        if self.filter_text:
            self._search(self.filter_text)
        else:
            self._load(None)

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        self.table.focus()
        if not event.value.strip():
            event.input.remove_class("-shown")
