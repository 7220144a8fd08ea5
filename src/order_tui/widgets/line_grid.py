"""The order-line grid: a Line-API widget that paints only the lines it must.

One `Strip` per visible line, nothing mounted per row, so a 300-line order moves as fast as a
3-line one: moving the cursor repaints two lines; editing a cell repaints one. The grid keeps
what was typed in each cell as text (a wrong quantity stays on screen with its message) and
works out each line's amounts with the domain's money rules (Decimal, half-up per line).

Keys (not editing): arrows move between the editable cells (code, quantity, price, tax);
Enter or typing starts editing; Tab / Shift+Tab go to the next / previous cell (Tab on the last
cell of the last line adds a line); Insert or Ctrl+N adds a line; Delete removes one after a
y/n; Ctrl+D duplicates. Editing: Enter or Tab commits and moves on, Esc cancels, Left/Right/
Home/End/Backspace/Delete edit the text. Up/Down commit and move to the line above/below.

The grid never calls a service: a committed product code posts `LookupRequested`, the screen
looks it up in a thread worker and calls `fill_product`.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from order_tui.domain import money
from order_tui.screens.i18n import error_text
from order_tui.widgets.cells import crop, fit, width_of

if TYPE_CHECKING:
    from datetime import date

EDITABLE = ("code", "qty", "price", "tax")
WIDE = 100  # from this width on, the grid shows each line's tax amount
CACHE_LINES = 400


class ProductInfo(Protocol):
    """What the grid needs of a product (the lookup service's `ProductHit` has it)."""

    code: str
    name: str
    spec: str
    unit: str
    list_price: Decimal
    floor_price: Decimal
    ceiling_price: Decimal
    tax_code: str
    made_to_order: bool
    lead_time_days: int
    stocked: bool
    on_hand: Decimal
    locked: Decimal
    incoming: Decimal
    incoming_date: date | None

    @property
    def available(self) -> Decimal: ...


_uids = itertools.count(1)
Tr = Callable[..., str]  # tr(key, **fields): a text in the operator's language


@dataclass
class GridLine:
    """One order line as typed: the cells' text, the product it names, what is wrong with it."""

    code: str = ""
    qty: str = ""
    price: str = ""
    tax: str = ""
    product: Any = None  # ProductInfo for `code`, once looked up
    pending: bool = False  # a lookup of `code` is on its way
    errors: dict[str, str] = field(default_factory=dict)
    amounts: money.LineAmounts | None = None
    uid: int = field(default_factory=lambda: next(_uids))
    rev: int = 0

    def cell(self, column: str) -> str:
        return str(getattr(self, column))

    @property
    def blank(self) -> bool:
        return not (self.code.strip() or self.qty.strip() or self.price.strip())


def fmt_money(value: Decimal) -> str:
    """Thousands separators, two decimals or more if the value has them: 6,800.00, 3.2575."""
    places = max(2, -int(value.normalize().as_tuple().exponent))
    return f"{value:,.{places}f}"


def fmt_qty(value: Decimal) -> str:
    """A quantity without trailing zeros: 20, 1.5."""
    return f"{value.normalize():f}"


# -- parsing the cells (pure functions, the operator's language) -------------------------------


def parse_qty(text: str, tr: Tr, lang: str) -> tuple[Decimal | None, str]:
    """(quantity, "") or (None, message); a blank cell is (None, "")."""
    if not text.strip():
        return None, ""
    try:
        value = money.parse_quantity(text)
    except ValueError as exc:
        return None, error_text(exc, lang)
    if value <= 0:
        return None, tr("grid.err.positive")
    return value, ""


def parse_price(text: str, tr: Tr, lang: str) -> tuple[Decimal | None, str]:
    if not text.strip():
        return None, ""
    try:
        value = money.parse_price(text)
    except ValueError as exc:
        return None, error_text(exc, lang)
    if value < 0:
        return None, tr("grid.err.negative")
    return value, ""


def parse_tax(text: str, tr: Tr) -> tuple[str | None, str]:
    cleaned = text.strip().rstrip("%％").strip().lower()
    if not cleaned:
        return None, ""
    if cleaned in ("免税", "免", "exempt", "ex"):
        return money.EXEMPT, ""
    if cleaned in money.TAX_CODES:
        return cleaned, ""
    return None, tr("grid.err.tax")


def tax_text(code: str, lang: str) -> str:
    if code == money.EXEMPT:
        return "免税" if lang == "zh" else "exempt"
    return f"{code}%" if code.isdigit() else code


# -- columns -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    key: str
    title: str
    width: int
    align: str = "left"


def columns_for(width: int, tr: Tr, lang: str) -> list[Col]:
    """Fixed columns and one flexible product column, for `width` cells (gaps included)."""
    tax_w = max(width_of(tax_text(money.EXEMPT, lang)), width_of(tr("grid.col.tax")), 4)
    mark_w = max(width_of(tr("grid.mark.low")), width_of(tr("grid.mark.high")))
    fixed = [
        Col("no", tr("grid.col.no"), 4, "right"),
        Col("code", tr("grid.col.code"), 9),
        Col("product", tr("grid.col.product"), 0),
        Col("qty", tr("grid.col.qty"), 11, "right"),
        Col("price", tr("grid.col.price"), 11, "right"),
        Col("mark", "", mark_w),
        Col("tax", tr("grid.col.tax"), tax_w, "right"),
        Col("gross", tr("grid.col.gross"), 13, "right"),
    ]
    if width >= WIDE:  # room for the line's tax amount (at 80 columns the notice line says it)
        fixed.insert(-1, Col("tax_amount", tr("grid.col.tax_amount"), 11, "right"))
    used = sum(c.width for c in fixed) + len(fixed) - 1
    product_w = max(width - used, 8)
    return [Col(c.key, c.title, product_w) if c.key == "product" else c for c in fixed]


class LineGrid(ScrollView, can_focus=True):
    """Editable order lines. See the module docstring for the keys."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "line-grid--header",
        "line-grid--cursor",
        "line-grid--cursor-blur",
        "line-grid--cursor-row",
        "line-grid--editing",
        "line-grid--error",
        "line-grid--warn",
        "line-grid--dim",
    }

    DEFAULT_CSS = """
    LineGrid {
        height: 1fr;
        scrollbar-size-vertical: 1;
        scrollbar-gutter: stable;
        overflow-x: hidden;
        background: $surface;
        & > .line-grid--header { text-style: bold underline; }
        & > .line-grid--cursor { text-style: reverse bold; }
        & > .line-grid--cursor-blur { text-style: underline; }
        & > .line-grid--cursor-row { background: $boost; }
        & > .line-grid--editing { text-style: underline bold; background: $boost; }
        & > .line-grid--error { color: $text-error; text-style: bold; }
        & > .line-grid--warn { color: $text-warning; text-style: bold; }
        & > .line-grid--dim { color: $text-muted; }
        &:focus { background-tint: $foreground 3%; }
        &:nocolor > .line-grid--cursor-row { background: transparent; }
        &:nocolor > .line-grid--editing { background: transparent; }
        &:nocolor > .line-grid--error { text-style: bold underline; }
        &:nocolor > .line-grid--warn { text-style: bold; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1, 0)", show=False),
        Binding("down", "move(1, 0)", show=False),
        Binding("left", "move(0, -1)", show=False),
        Binding("right", "move(0, 1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "first", "First line", show=False, id="grid_first"),
        Binding("end", "last", "Last line", show=False, id="grid_last"),
        Binding("enter", "edit", "Edit cell", show=False, id="grid_edit"),
        Binding("tab", "next_cell", "Next cell", show=False, id="grid_next"),
        Binding("shift+tab", "previous_cell", "Previous cell", show=False, id="grid_previous"),
        Binding("insert,ctrl+n", "add_line", "Add line", id="grid_add", key_display="Ins"),
        Binding("delete", "delete_line", "Delete line", show=False, id="grid_delete"),
        Binding("ctrl+d", "duplicate_line", "Duplicate line", show=False, id="grid_duplicate"),
    ]

    class LookupRequested(Message):
        """Look up the product for line `uid`: exact code (`dialog` False) or the F4 prompt."""

        def __init__(self, grid: LineGrid, uid: int, text: str, dialog: bool) -> None:
            super().__init__()
            self.grid = grid
            self.uid = uid
            self.text = text
            self.dialog = dialog

    class Changed(Message):
        """A value changed: amounts and totals may differ."""

        def __init__(self, grid: LineGrid) -> None:
            super().__init__()
            self.grid = grid

    class CursorMoved(Message):
        """The cursor is on another line or cell, or the current line's state changed."""

        def __init__(self, grid: LineGrid) -> None:
            super().__init__()
            self.grid = grid

    def __init__(self, lang: str, tr: Tr, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lang = lang
        self.tr = tr
        self.lines: list[GridLine] = [GridLine()]
        self.row = 0
        self.col = 0  # index into EDITABLE
        self.editing = False
        self.buffer = ""
        self.caret = 0
        self.asking_delete: int | None = None  # uid of the line waiting for y/n
        self.price_includes_tax = True
        self.touches = 0  # counts the operator's moves and edits (a status may stay until one)
        self._cache: OrderedDict[tuple[object, ...], Strip] = OrderedDict()
        self._layout: tuple[int, list[Col]] = (-1, [])

    # -- data in and out -------------------------------------------------------------------

    @property
    def current(self) -> GridLine:
        return self.lines[self.row]

    @property
    def column(self) -> str:
        return EDITABLE[self.col]

    def line_by_uid(self, uid: int) -> GridLine | None:
        return next((ln for ln in self.lines if ln.uid == uid), None)

    def index_of(self, uid: int) -> int:
        return next((i for i, ln in enumerate(self.lines) if ln.uid == uid), -1)

    def load(self, rows: list[GridLine], cursor: tuple[int, int] = (0, 0)) -> None:
        """Replace every line (a loaded order or a restored draft)."""
        self.lines = rows or [GridLine()]
        for line in self.lines:
            self._recompute(line, validate=True)
        self.editing = False
        self.asking_delete = None
        self.row = max(0, min(cursor[0], len(self.lines) - 1))
        self.col = max(0, min(cursor[1], len(EDITABLE) - 1))
        self._cache.clear()
        self._sync_size()
        self.scroll_to(y=0, animate=False)
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Changed(self))
        self.post_message(self.CursorMoved(self))

    def snapshot(self) -> list[list[str]]:
        """The cells as typed, the one being edited included."""
        rows = [[ln.code, ln.qty, ln.price, ln.tax] for ln in self.lines]
        if self.editing:
            rows[self.row][self.col] = self.buffer
        return rows

    def set_price_mode(self, includes_tax: bool) -> None:
        if includes_tax == self.price_includes_tax:
            return
        self.price_includes_tax = includes_tax
        for line in self.lines:
            self._recompute(line, validate=False)
        self.refresh()
        self.post_message(self.Changed(self))

    def fill_product(self, uid: int, product: Any, text: str = "") -> None:
        """The lookup's answer for line `uid`: a product, or None for "no such code"."""
        line = self.line_by_uid(uid)
        if line is None:
            return
        line.pending = False
        if product is None:
            line.product = None
            if text:
                line.errors["code"] = self.tr("grid.err.code", code=text)
        else:
            # another product than before: its price and tax; the first answer of a lookup
            # keeps what the operator typed meanwhile (a scanner and a fast clerk run ahead)
            replaced = line.product is not None and line.product.code != product.code
            line.code = product.code
            line.errors.pop("code", None)
            if replaced or not line.price.strip():
                line.price = fmt_money(product.list_price)
            if replaced or not line.tax.strip():
                line.tax = tax_text(product.tax_code, self.lang)
            line.product = product
        self._recompute(line, validate=True)
        self._touch(line)
        self.post_message(self.Changed(self))
        if line is self.current:
            self.post_message(self.CursorMoved(self))

    def set_products(self, products: dict[str, Any]) -> None:
        """Attach looked-up products to the lines whose code they match (no price change)."""
        for line in self.lines:
            product = products.get(line.code.strip())
            if product is not None:
                line.product = product
                line.pending = False
                line.errors.pop("code", None)
                self._recompute(line, validate=False)
            elif line.code.strip() and line.product is None:
                line.pending = False
                line.errors["code"] = self.tr("grid.err.code", code=line.code.strip())
        self._cache.clear()
        self.refresh()
        self.post_message(self.Changed(self))
        self.post_message(self.CursorMoved(self))

    def set_line_error(self, index: int, column: str, message: str) -> None:
        if 0 <= index < len(self.lines):
            self.lines[index].errors[column] = message
            self._touch(self.lines[index])

    def go_to(self, index: int, column: str = "code") -> None:
        self._move_to(index, EDITABLE.index(column) if column in EDITABLE else 0)

    def commit_edit(self) -> None:
        """Take the cell being edited as typed (Ctrl+S, F10 and the like do this first)."""
        if self.editing:
            self._commit()

    def messages_of(self, line: GridLine) -> list[str]:
        """Errors of the line (code, qty, price, tax order), then a price warning."""
        found = [line.errors[c] for c in (*EDITABLE, "amount") if line.errors.get(c)]
        warning = self.price_warning(line)
        return [*found, *([warning] if warning else [])]

    def price_warning(self, line: GridLine) -> str:
        if line.product is None or line.errors.get("price"):
            return ""
        price, _ = parse_price(line.price, self.tr, self.lang)
        if price is None:
            return ""
        if price < line.product.floor_price:
            return self.tr(
                "grid.warn.low",
                price=fmt_money(price),
                floor=fmt_money(line.product.floor_price),
            )
        if price > line.product.ceiling_price:
            return self.tr(
                "grid.warn.high",
                price=fmt_money(price),
                ceiling=fmt_money(line.product.ceiling_price),
            )
        return ""

    @property
    def prompt(self) -> str:
        """The y/n question waiting for an answer, if any."""
        if self.asking_delete is None:
            return ""
        line = self.line_by_uid(self.asking_delete)
        if line is None:
            return ""
        what = line.code or ""
        if line.product is not None:
            what = f"{line.code} {line.product.name}"
        return self.tr("grid.ask_delete", no=self.index_of(line.uid) + 1, what=what)

    # -- arithmetic ----------------------------------------------------------------------------

    def _recompute(self, line: GridLine, *, validate: bool) -> None:
        """Amounts of one line; with `validate`, the cell errors too (as leaving the cells)."""
        qty, qty_error = parse_qty(line.qty, self.tr, self.lang)
        price, price_error = parse_price(line.price, self.tr, self.lang)
        code, tax_error = parse_tax(line.tax, self.tr)
        if validate:
            for column, error in (("qty", qty_error), ("price", price_error), ("tax", tax_error)):
                if error:
                    line.errors[column] = error
                else:
                    line.errors.pop(column, None)
        line.errors.pop("amount", None)
        line.amounts = None
        if line.product is None or qty is None:
            return
        if price is None and not line.price.strip():
            price = line.product.list_price
        if code is None and not line.tax.strip():
            code = line.product.tax_code
        if price is None or code is None:
            return
        try:
            line.amounts = money.line_amounts(
                qty, price, code, price_includes_tax=self.price_includes_tax
            )
        except (ValueError, TypeError):
            line.errors["amount"] = self.tr("grid.err.too_large")

    def amounts(self) -> list[money.LineAmounts]:
        return [ln.amounts for ln in self.lines if ln.amounts is not None]

    def incomplete(self) -> int:
        """Lines with something typed but no amount yet (no product, bad or missing number)."""
        return sum(1 for ln in self.lines if not ln.blank and ln.amounts is None)

    # -- rendering -----------------------------------------------------------------------------

    def _columns(self, width: int) -> list[Col]:
        if self._layout[0] != width:
            self._layout = (width, columns_for(width, self.tr, self.lang))
            self._cache.clear()
        return self._layout[1]

    def _content_width(self) -> int:
        width = self.scrollable_content_region.width
        return width if width > 0 else self.size.width

    def _sync_size(self) -> None:
        self.virtual_size = Size(self._content_width(), len(self.lines) + 1)

    def on_resize(self, _event: events.Resize) -> None:
        self._sync_size()
        self._cache.clear()
        self._scroll_to_cursor()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def render_line(self, y: int) -> Strip:
        width = self._content_width()
        cols = self._columns(width)
        base = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("line-grid--header", partial=True)
            return Strip(self._cells(cols, [(c.title, None) for c in cols], style), width)
        index = self.scroll_offset.y + y - 1
        if index >= len(self.lines):
            return Strip.blank(width, base)
        line = self.lines[index]
        is_cursor = index == self.row
        key: tuple[object, ...] = (line.uid, line.rev, width, self.price_includes_tax)
        if is_cursor:
            key = (
                *key,
                self.col,
                self.has_focus,
                self.editing,
                self.buffer,
                self.caret,
            )
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(index, line, cols, width, is_cursor)
            self._cache[key] = strip
            if len(self._cache) > CACHE_LINES:
                self._cache.popitem(last=False)
        return strip

    def _cells(
        self, cols: list[Col], cells: list[tuple[str, Style | None]], base: Style
    ) -> list[Segment]:
        segments: list[Segment] = []
        for index, (col, (text, style)) in enumerate(zip(cols, cells, strict=True)):
            if index:
                segments.append(Segment(" ", base))
            segments.append(
                Segment(fit(text, col.width, col.align), base + style if style else base)
            )
        return segments

    def _render_row(
        self, index: int, line: GridLine, cols: list[Col], width: int, is_cursor: bool
    ) -> Strip:
        lang = self.lang
        base = self.rich_style
        if is_cursor:
            base = base + self.get_component_rich_style("line-grid--cursor-row", partial=True)
        error = self.get_component_rich_style("line-grid--error", partial=True)
        warn = self.get_component_rich_style("line-grid--warn", partial=True)
        dim = self.get_component_rich_style("line-grid--dim", partial=True)

        marker = " "
        if line.errors:
            marker = "!"
        elif line.pending:
            marker = "?"
        product = ""
        if line.pending:
            product = self.tr("grid.pending")
        elif line.product is not None:
            product = f"{line.product.name} {line.product.spec}".strip()
        qty_text = line.qty
        if line.product is not None and line.qty.strip() and "qty" not in line.errors:
            qty_text = f"{line.qty} {line.product.unit}"
        warning = self.price_warning(line)
        mark = ""
        if warning and line.product is not None:
            price, _ = parse_price(line.price, self.tr, lang)
            low = price is not None and price < line.product.floor_price
            mark = self.tr("grid.mark.low" if low else "grid.mark.high")
        gross = fmt_money(line.amounts.gross) if line.amounts is not None else ""
        values = {
            "no": (f"{index + 1}{marker}", error if line.errors else None),
            "code": (line.code, error if "code" in line.errors else None),
            "product": (product, dim if line.pending else None),
            "qty": (qty_text, error if "qty" in line.errors else None),
            "price": (line.price, error if "price" in line.errors else (warn if mark else None)),
            "mark": (mark, warn if mark else None),
            "tax": (line.tax, error if "tax" in line.errors else None),
            "gross": (gross, error if "amount" in line.errors else None),
            "tax_amount": (fmt_money(line.amounts.tax) if line.amounts is not None else "", None),
        }
        cells = [values[c.key] for c in cols]
        segments = self._cells(cols, cells, base)
        if is_cursor:
            segments = self._cursor_cell(segments, cols, base)
        return Strip(segments, width).extend_cell_length(width, base).crop(0, width)

    def _cursor_cell(self, segments: list[Segment], cols: list[Col], base: Style) -> list[Segment]:
        """Swap the cursor's cell for its highlighted (or edited) version."""
        column = self.column
        position = next(i for i, c in enumerate(cols) if c.key == column)
        col = cols[position]
        seg_index = position * 2  # a gap segment sits between cells
        if self.editing:
            style = base + self.get_component_rich_style("line-grid--editing", partial=True)
            caret_style = style + Style(reverse=True)
            text = self.buffer
            # keep the caret in view: show the end of a long text
            visible_from = max(0, len(text) - (col.width - 1)) if self.caret >= col.width else 0
            shown = text[visible_from:]
            caret = self.caret - visible_from
            before = crop(shown[:caret], col.width - 1)
            at = shown[caret] if caret < len(shown) else " "
            after = shown[caret + 1 :]
            used = width_of(before) + width_of(at)
            rest = crop(after, max(col.width - used, 0))
            pad = " " * max(col.width - used - width_of(rest), 0)
            cell = [Segment(before, style), Segment(at, caret_style), Segment(rest + pad, style)]
            return [*segments[:seg_index], *cell, *segments[seg_index + 1 :]]
        name = "line-grid--cursor" if self.has_focus else "line-grid--cursor-blur"
        cell = segments[seg_index]
        cursor_style = (cell.style or base) + self.get_component_rich_style(name, partial=True)
        return [
            *segments[:seg_index],
            Segment(cell.text, cursor_style),
            *segments[seg_index + 1 :],
        ]

    # -- painting only what changed ------------------------------------------------------------

    def _refresh_index(self, index: int) -> None:
        y = index - self.scroll_offset.y + 1
        if 1 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def _touch(self, line: GridLine) -> None:
        line.rev += 1
        index = self.index_of(line.uid)
        if index >= 0:
            self._refresh_index(index)

    def _scroll_to_cursor(self) -> None:
        visible = max(self.size.height - 1, 1)
        top = self.scroll_offset.y
        if self.row < top:
            self.scroll_to(y=self.row, animate=False, immediate=True)
        elif self.row >= top + visible:
            self.scroll_to(y=self.row - visible + 1, animate=False, immediate=True)

    def _move_to(self, row: int, col: int) -> None:
        row = max(0, min(row, len(self.lines) - 1))
        col = max(0, min(col, len(EDITABLE) - 1))
        if (row, col) == (self.row, self.col):
            return
        old = self.row
        self.touches += 1
        self.row, self.col = row, col
        top = self.scroll_offset.y
        self._scroll_to_cursor()
        if self.scroll_offset.y == top:
            self._refresh_index(old)
            self._refresh_index(row)
        self.post_message(self.CursorMoved(self))

    def _on_focus(self, event: events.Focus) -> None:
        super()._on_focus(event)
        self._refresh_index(self.row)

    def _on_blur(self, event: events.Blur) -> None:
        if self.editing:
            self._commit()
        super()._on_blur(event)
        self._refresh_index(self.row)

    # -- editing -------------------------------------------------------------------------------

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character is not None and character.isprintable()

    def _start_edit(self, text: str | None = None) -> None:
        """Edit the cursor's cell: with its text (Enter) or replacing it (`text` typed)."""
        self.editing = True
        self.touches += 1
        self.buffer = self.current.cell(self.column) if text is None else text
        self.caret = len(self.buffer)
        self._refresh_index(self.row)

    def _commit(self) -> None:
        line = self.current
        column = self.column
        self.editing = False
        self.touches += 1
        new = self.buffer.strip() if column == "code" else self.buffer
        old = line.cell(column)
        setattr(line, column, new)
        if column == "code":
            code = new.strip()
            if code != old.strip() or (code and line.product is None and not line.pending):
                line.errors.pop("code", None)
                if code:
                    line.pending = True
                    self.post_message(self.LookupRequested(self, line.uid, code, dialog=False))
                else:
                    line.product = None
                    line.pending = False
        self._validate_cell(line, column)
        self._recompute(line, validate=False)
        self._touch(line)
        self.post_message(self.Changed(self))
        self.post_message(self.CursorMoved(self))

    def _validate_cell(self, line: GridLine, column: str) -> None:
        """Check the cell being left, keep its text, and tidy a valid number."""
        if column == "qty":
            value, error = parse_qty(line.qty, self.tr, self.lang)
            if value is not None:
                line.qty = fmt_qty(value)
        elif column == "price":
            value, error = parse_price(line.price, self.tr, self.lang)
            if value is not None:
                line.price = fmt_money(value)
        elif column == "tax":
            code, error = parse_tax(line.tax, self.tr)
            if code is not None:
                line.tax = tax_text(code, self.lang)
        else:
            return
        if error:
            line.errors[column] = error
        else:
            line.errors.pop(column, None)

    def _cancel_edit(self) -> None:
        self.editing = False
        self._refresh_index(self.row)

    def _preview(self) -> None:
        """While typing a quantity or price: amounts as they would be (no error shown yet)."""
        line = self.current
        if self.column not in ("qty", "price"):
            return
        saved = line.cell(self.column)
        errors = dict(line.errors)
        setattr(line, self.column, self.buffer)
        before = line.amounts
        self._recompute(line, validate=False)
        setattr(line, self.column, saved)
        line.errors = errors
        if line.amounts != before:
            line.rev += 1
            self.post_message(self.Changed(self))

    async def on_key(self, event: events.Key) -> None:
        if self.asking_delete is not None:
            event.stop()
            event.prevent_default()
            self._answer_delete(event.key == "y" or event.character in ("y", "Y"))
            return
        if not self.editing:
            if event.character is not None and event.is_printable and event.key != "space":
                event.stop()
                event.prevent_default()
                self._start_edit(event.character)
            elif event.key == "backspace":
                event.stop()
                event.prevent_default()
                self._start_edit("")
            elif bindings := self._bindings.key_to_bindings.get(event.key):
                # The grid's own keys run here, in the order they were typed: left to bubble
                # up to the app, an arrow typed before a (priority) Enter would come after it.
                event.stop()
                event.prevent_default()
                await self.run_action(bindings[0].action)
            return
        handled = self._edit_key(event)
        if handled:
            event.stop()
            event.prevent_default()

    def _edit_key(self, event: events.Key) -> bool:
        key = event.key
        text, caret = self.buffer, self.caret
        if key == "escape":
            self._cancel_edit()
            return True
        if key in ("enter", "tab"):
            self._commit()
            self.action_next_cell()
            return True
        if key == "shift+tab":
            self._commit()
            self.action_previous_cell()
            return True
        if key in ("up", "down"):
            self._commit()
            self.action_move(-1 if key == "up" else 1, 0)
            return True
        if key == "f4" and self.column == "code":
            self.editing = False
            self._refresh_index(self.row)
            self.post_message(self.LookupRequested(self, self.current.uid, text, dialog=True))
            return True
        if key == "left":
            self.caret = max(0, caret - 1)
        elif key == "right":
            self.caret = min(len(text), caret + 1)
        elif key == "home":
            self.caret = 0
        elif key == "end":
            self.caret = len(text)
        elif key == "backspace":
            if caret:
                self.buffer = text[: caret - 1] + text[caret:]
                self.caret = caret - 1
        elif key == "delete":
            self.buffer = text[:caret] + text[caret + 1 :]
        elif event.character is not None and event.is_printable:
            self.buffer = text[:caret] + event.character + text[caret:]
            self.caret = caret + len(event.character)
        else:
            # F-keys, Ctrl+S and the like: take the cell as typed, let the binding run
            self._commit()
            return False
        self._preview()
        self._refresh_index(self.row)
        return True

    def on_paste(self, event: events.Paste) -> None:
        """A pasted code or number goes into the cell (first line only)."""
        text = event.text.splitlines()[0] if event.text else ""
        if not self.editing:
            self._start_edit("")
        self.buffer = self.buffer[: self.caret] + text + self.buffer[self.caret :]
        self.caret += len(text)
        self._preview()
        self._refresh_index(self.row)
        event.stop()

    # -- actions -------------------------------------------------------------------------------

    def action_move(self, rows: int, cols: int) -> None:
        self._move_to(self.row + rows, self.col + cols)

    def action_page(self, direction: int) -> None:
        step = max(self.size.height - 2, 1)
        self._move_to(self.row + direction * step, self.col)

    def action_first(self) -> None:
        self._move_to(0, self.col)

    def action_last(self) -> None:
        self._move_to(len(self.lines) - 1, self.col)

    def action_edit(self) -> None:
        self._start_edit()

    def action_next_cell(self) -> None:
        if self.col < len(EDITABLE) - 1:
            self._move_to(self.row, self.col + 1)
        elif self.row < len(self.lines) - 1:
            self._move_to(self.row + 1, 0)
        elif not self.current.blank:
            self.action_add_line()
        else:
            self.screen.focus_next()

    def action_previous_cell(self) -> None:
        if self.col > 0:
            self._move_to(self.row, self.col - 1)
        elif self.row > 0:
            self._move_to(self.row - 1, len(EDITABLE) - 1)
        else:
            self.screen.focus_previous()

    def action_add_line(self) -> None:
        """A new line below the cursor's; the cursor goes to its code cell."""
        self._insert(self.row + 1, GridLine())

    def action_duplicate_line(self) -> None:
        source = self.current
        copy = GridLine(
            code=source.code,
            qty=source.qty,
            price=source.price,
            tax=source.tax,
            product=source.product,
            pending=False,
            errors=dict(source.errors),
        )
        if source.pending:
            copy.pending = True
            self.post_message(self.LookupRequested(self, copy.uid, source.code, dialog=False))
        self._recompute(copy, validate=False)
        self._insert(self.row + 1, copy, column=self.col)

    def _insert(self, index: int, line: GridLine, column: int = 0) -> None:
        self.touches += 1
        self.lines.insert(index, line)
        self._sync_size()
        self.row, self.col = index, column
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Changed(self))
        self.post_message(self.CursorMoved(self))

    def action_delete_line(self) -> None:
        line = self.current
        if line.blank and len(self.lines) > 1:
            self._delete(line.uid)  # nothing typed: nothing to lose, no question
            return
        if line.blank:
            return
        self.asking_delete = line.uid
        self.post_message(self.CursorMoved(self))

    def _answer_delete(self, yes: bool) -> None:
        uid = self.asking_delete
        self.asking_delete = None
        if yes and uid is not None:
            self._delete(uid)
        else:
            self.post_message(self.CursorMoved(self))

    def _delete(self, uid: int) -> None:
        index = self.index_of(uid)
        if index < 0:
            return
        self.touches += 1
        del self.lines[index]
        if not self.lines:
            self.lines.append(GridLine())
        self.row = min(self.row, len(self.lines) - 1)
        self._sync_size()
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Changed(self))
        self.post_message(self.CursorMoved(self))

    def press_enter(self) -> None:
        """Enter: start editing the cell, or take the edit and go to the next cell.

        Public so that a screen with a priority Enter binding (type-ahead safe: it lets the
        grid handle the keys before Enter first) can hand Enter on.
        """
        if self.asking_delete is not None:
            self._answer_delete(False)
        elif self.editing:
            self._commit()
            self.action_next_cell()
        else:
            self._start_edit()

    def press_tab(self, back: bool = False) -> None:
        """Tab / Shift+Tab: take the edit (if any), then the next / previous cell."""
        if self.asking_delete is not None:
            self._answer_delete(False)
            return
        if self.editing:
            self._commit()
        if back:
            self.action_previous_cell()
        else:
            self.action_next_cell()

    def request_lookup(self) -> tuple[int, str]:
        """F4 on any cell of a line: (line uid, text to search) for the product prompt.

        On the code cell being edited, the text typed so far is the search (not committed);
        the cursor goes to the code cell."""
        text = self.current.code
        if self.editing and self.column == "code":
            text = self.buffer
            self.editing = False
        elif self.editing:
            self._commit()
        self._move_to(self.row, 0)
        self._refresh_index(self.row)
        return self.current.uid, text
