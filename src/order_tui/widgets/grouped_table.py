"""A keyboard list of rows in aligned columns, grouped under headings.

Built on `OptionList` (Line API: one line per row, no widget per row). Headings are disabled
options, so the cursor skips them; a one-line column header sits above. Cells are cut and
padded by terminal cells, so Chinese text (two cells a character) stays aligned, and the
columns are laid out again on every resize (flexible columns share what is left).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from order_tui.widgets.cells import fit, width_of

GAP = " "
LEAD = " "


@dataclass(frozen=True)
class Column:
    title: str
    width: int  # minimum width in cells (never narrower than the title)
    align: str = "left"
    flex: int = 0  # share of the spare width (0: fixed)
    max_width: int = 0  # 0: no limit


@dataclass(frozen=True)
class Row:
    key: str
    cells: tuple[str, ...]
    styles: tuple[str, ...] = ()  # per cell, "" for none
    style: str = ""  # the whole line


@dataclass(frozen=True)
class Group:
    title: str
    rows: list[Row] = field(default_factory=list)
    empty: str = ""  # shown (dimmed) under the heading when there are no rows


def layout(columns: list[Column], available: int) -> list[int]:
    """Column widths for `available` cells: fixed minimums, the rest shared by flex."""
    widths = [max(c.width, width_of(c.title)) for c in columns]
    spare = available - len(LEAD) - sum(widths) - len(GAP) * (len(columns) - 1)
    flexible = [i for i, c in enumerate(columns) if c.flex]
    while spare > 0 and flexible:
        total = sum(columns[i].flex for i in flexible)
        given = 0
        for i in list(flexible):
            share = max(1, spare * columns[i].flex // total)
            limit = columns[i].max_width
            if limit and widths[i] + share >= limit:
                share = limit - widths[i]
                flexible.remove(i)
            widths[i] += share
            given += share
            if given >= spare:
                break
        spare -= given
        if given == 0:
            break
    return widths


def render_row(columns: list[Column], widths: list[int], row: Row) -> Text:
    text = Text(LEAD, style=row.style, no_wrap=True, overflow="crop")
    for index, (column, width) in enumerate(zip(columns, widths, strict=True)):
        if index:
            text.append(GAP)
        cell = row.cells[index] if index < len(row.cells) else ""
        style = row.styles[index] if index < len(row.styles) else ""
        text.append(fit(cell, width, column.align), style=style or None)
    return text


class GroupedOptions(OptionList):
    """The focusable list inside a `GroupedTable`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Open", id="open"),
    ]


class GroupedTable(Vertical):
    """Column header + grouped rows. Posts `OptionList.OptionSelected` (option id = row key)."""

    DEFAULT_CSS = """
    GroupedTable {
        height: 1fr;
    }
    GroupedTable > .grouped-table--header {
        height: 1;
        text-style: bold underline;
    }
    GroupedTable > GroupedOptions {
        height: 1fr;
        max-height: 100%;
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
        & > .option-list--option-disabled {
            color: $text;
            text-style: bold;
        }
    }
    """

    def __init__(
        self, columns: list[Column], *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.columns = columns
        self.groups: list[Group] = []
        self._width = 0

    def compose(self) -> ComposeResult:
        yield Static("", classes="grouped-table--header", markup=False)
        yield GroupedOptions(compact=True)

    @property
    def options(self) -> GroupedOptions:
        return self.query_one(GroupedOptions)

    def focus(self, scroll_visible: bool = True) -> GroupedTable:
        self.options.focus(scroll_visible)
        return self

    @property
    def highlighted_key(self) -> str | None:
        options = self.options
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    def _available(self) -> int:
        region = self.options.scrollable_content_region
        return region.width if region.width > 0 else max(self.size.width - 1, 0)

    def set_groups(self, groups: list[Group], keep: str | None = None) -> None:
        """Show `groups`; the cursor stays on row `keep` (or the current row) if still there."""
        keep = keep or self.highlighted_key
        self.groups = groups
        self._render_rows(keep)

    def set_columns(self, columns: list[Column]) -> None:
        self.columns = columns
        self._render_rows(self.highlighted_key)

    def on_resize(self) -> None:
        if self._available() != self._width:
            self._render_rows(self.highlighted_key)

    def _render_rows(self, keep: str | None) -> None:
        if not self.is_mounted:
            return
        self._width = self._available()
        widths = layout(self.columns, self._width)
        header = Row("", tuple(c.title for c in self.columns))
        self.query_one(".grouped-table--header", Static).update(
            render_row(self.columns, widths, header)
        )
        options: list[Option] = []
        for group in self.groups:
            options.append(Option(Text(group.title, style="bold"), disabled=True))
            for row in group.rows:
                options.append(Option(render_row(self.columns, widths, row), id=row.key))
            if not group.rows and group.empty:
                options.append(Option(Text(LEAD + group.empty, style="dim"), disabled=True))
        target = self.options
        target.clear_options()
        target.add_options(options)
        index = None
        if keep is not None:
            try:
                index = target.get_option_index(keep)
            except OptionDoesNotExist:  # the row is gone (e.g. approved by someone else)
                index = None
        if index is None:
            index = next((i for i, o in enumerate(options) if not o.disabled), None)
        target.highlighted = index
