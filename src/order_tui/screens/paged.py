"""A list screen that pages from the database by key: the first page paints at once, the next
one is fetched in a thread worker when the cursor comes near the end of what is loaded.

Subclasses name their columns, fetch a page after a cursor (in the worker), and turn an item
into a row; they may put groups of their own above the paged one (`head_groups`).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Footer, OptionList, Static

from order_tui.screens.base import OrderScreen, TitleBar
from order_tui.screens.export_dialog import EXPORT_BINDING, ExportKey, plain_row
from order_tui.screens.i18n import error_text, localize_bindings, register
from order_tui.screens.review import QUIET_APP_KEYS
from order_tui.widgets.grouped_table import Column, Group, GroupedTable, Row

if TYPE_CHECKING:
    from collections.abc import Iterator

    from order_tui.services import Database
    from order_tui.services.common import Actor
    from order_tui.services.exports import ExportTable

PAGE = 50  # rows per keyset page
PREFETCH = 10  # fetch the next page when the cursor comes this close to the last loaded row

register(
    {
        "paged.loading": ("正在加载…", "Loading…"),
        "paged.loading_more": ("正在加载下一页…", "Loading the next page…"),
        "paged.error": ("加载失败：{error}（F5 重试）", "Could not load: {error} (F5 retries)"),
        "paged.shown": ("已显示 {count} 项", "{count} shown"),
        "paged.shown_more": ("已显示 {count} 项，向下自动加载更多", "{count} shown, more below"),
    }
)


class PagedListScreen(ExportKey, OrderScreen):
    """Title, one line of context, the grouped list, a status line, the keys.

    F8 exports the head groups' rows as shown, then every page of `fetch` (in a worker)."""

    DEFAULT_CSS = """
    PagedListScreen #info {
        height: auto;
        max-height: 2;
        padding: 0 1;
    }
    PagedListScreen #status {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    PagedListScreen #status.-error {
        color: $error;
        text-style: bold;
    }
    PagedListScreen #status.-error:nocolor {
        text-style: bold reverse;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [*QUIET_APP_KEYS, EXPORT_BINDING]
    # Back from an order or a dialog the list is read again, to show what was done there.
    RELOAD_ON_RESUME: ClassVar[bool] = True
    HELP_EXTRA: ClassVar[list[tuple[str, str]]] = [
        ("Up / Down", "key.move"),
        ("PgUp / PgDn", "key.page"),
    ]
    TITLE_KEY = ""

    def __init__(self, db: Database, lang: str, actor: Actor) -> None:
        super().__init__(db, lang, actor)
        self.items: list[Any] = []
        self.head: list[Group] = []
        self.more = False
        self.fetching = False
        self.generation = 0
        self.loaded = False

    # -- for subclasses -------------------------------------------------------------------

    @abstractmethod
    def columns(self) -> list[Column]: ...

    @abstractmethod
    def fetch(self, after: Any) -> tuple[list[Group], list[Any]]:
        """In a thread: (head groups, only on the first page; the page of items)."""

    @abstractmethod
    def row(self, item: Any) -> Row: ...

    def cursor(self, item: Any) -> Any:
        return item.cursor

    def group_title(self) -> str:
        return ""

    def empty_text(self) -> str:
        return ""

    def info(self) -> str:
        return ""

    def opened(self, key: str) -> None:
        """Enter on the row with this key."""

    def export_table(self) -> ExportTable:
        from order_tui.services.exports import ExportTable, pages

        columns = self.columns()
        head = [row for group in self.head for row in group.rows]  # as shown now

        def rows() -> Iterator[list[Any]]:
            for row in head:
                yield plain_row(row, columns)
            for item in pages(lambda after: self.fetch(after)[1], self.cursor):
                yield plain_row(self.row(item), columns)

        return ExportTable(self.t(self.TITLE_KEY), [c.title for c in columns], rows())

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar(self.title_text(self.t(self.TITLE_KEY)))
        yield Static(self.info(), id="info", markup=False)
        yield GroupedTable(self.columns(), id="rows")
        yield Static(self.t("paged.loading"), id="status", markup=False)
        yield Footer(show_command_palette=False)

    @property
    def table(self) -> GroupedTable:
        return self.query_one("#rows", GroupedTable)

    def on_mount(self) -> None:
        self.query_one("#info").display = bool(self.info())
        localize_bindings(self.table.options, self.lang)
        self.table.focus()
        self.reload()

    def reload(self) -> None:
        self.generation += 1
        self.fetching = True
        self.set_status(self.t("paged.loading"))
        self._fetch(self.generation, None)

    @work(thread=True, exclusive=True, group="paged", exit_on_error=False)
    def _fetch(self, generation: int, after: Any) -> None:
        try:
            head, page = self.fetch(after)
        except Exception as exc:  # shown; F5 tries again
            self.app.call_from_thread(self._failed, generation, exc)
        else:
            self.app.call_from_thread(self._got, generation, after is None, head, page)

    def _failed(self, generation: int, exc: Exception) -> None:
        if not self.is_attached or generation != self.generation:
            return
        self.fetching = False
        self.set_status(self.t("paged.error", error=error_text(exc, self.lang)), error=True)

    def _got(self, generation: int, first: bool, head: list[Group], page: list[Any]) -> None:
        if not self.is_attached or generation != self.generation:
            return
        self.fetching = False
        self.loaded = True
        self.more = len(page) >= PAGE
        if first:
            self.head = head
            self.items = list(page)
        else:
            self.items.extend(page)
        self.render_rows()
        key = "paged.shown_more" if self.more else "paged.shown"
        self.set_status(self.t(key, count=len(self.items)))

    def render_rows(self) -> None:
        self.table.columns = self.columns()
        group = Group(
            self.group_title(), [self.row(i) for i in self.items], empty=self.empty_text()
        )
        self.table.set_groups([*self.head, group])
        self.refresh_bindings()

    def set_status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "-error")

    @on(OptionList.OptionHighlighted)
    def _moved(self, event: OptionList.OptionHighlighted) -> None:
        if not self.more or self.fetching or not self.items:
            return
        if event.option_index >= event.option_list.option_count - PREFETCH:
            self.fetching = True
            self.set_status(self.t("paged.loading_more"))
            self._fetch(self.generation, self.cursor(self.items[-1]))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_id:
            self.opened(event.option_id)

    def on_screen_resume(self) -> None:
        # Back from an order, a dialog or another screen: what it did shows at once.
        if self.loaded and self.RELOAD_ON_RESUME:
            self.reload()

    def highlighted_key(self) -> str | None:
        return self.table.highlighted_key
