"""One-line read-outs that repaint without a layout pass, and the stock strip built on them.

`Static.update` asks for a new layout of the screen; these lines keep their height and only
repaint themselves, which is what a status line under a fast-moving grid wants.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual.widget import Widget

Tr = Callable[..., str]  # tr(key, **fields): a text in the operator's language


class InfoLine(Widget):
    """Text of a fixed height, cut (never wrapped) to the width; `show()` repaints it."""

    DEFAULT_CSS = """
    InfoLine {
        height: 1;
        width: 1fr;
        padding: 0 1;
    }
    """

    def __init__(self, text: str | Text = "", *, id: str | None = None, classes: str = "") -> None:
        super().__init__(id=id, classes=classes)
        self._content: Text = Text(text) if isinstance(text, str) else text

    @property
    def plain(self) -> str:
        return self._content.plain

    def show(self, text: str | Text) -> None:
        content = Text(text) if isinstance(text, str) else text
        if content == self._content:
            return
        self._content = content
        self.refresh()

    def render(self) -> Text:
        """Each line cut to the width (by terminal cells) with an ellipsis, never wrapped."""
        width = self.content_region.width or self.size.width
        lines = self._content.split("\n", allow_blank=True)
        for line in lines:
            line.truncate(max(width, 1), overflow="ellipsis")
            line.no_wrap = True
        return Text("\n", no_wrap=True).join(lines)


def _qty(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _money(value: Decimal) -> str:
    places = max(2, -int(value.normalize().as_tuple().exponent))
    return f"{value:,.{places}f}"


def _day(value: date) -> str:
    """MM-DD for this year's dates, YY-MM-DD otherwise (the strip has 80 columns)."""
    return value.strftime("%m-%d" if value.year == date.today().year else "%y-%m-%d")


def stock_text(product: Any, tr: Tr) -> Text:
    """P0003 库存 12 · 锁定 0 · 可用 12 · 在途 20（12-15到） · 价格区间 2,400.00~2,950.00"""
    text = Text()
    text.append(f"{product.code} ", style="bold")
    if not getattr(product, "stocked", True):  # a service: no stock to show
        text.append(tr("stock.not_stocked"))
    elif product.made_to_order:
        text.append(tr("stock.mto", days=product.lead_time_days))
    else:
        available = product.on_hand - product.locked
        text.append(tr("stock.on_hand", qty=_qty(product.on_hand)))
        text.append(" · " + tr("stock.locked", qty=_qty(product.locked)) + " · ")
        text.append(
            tr("stock.available", qty=_qty(available)),
            style="bold reverse" if available <= 0 else "bold",
        )
        if product.incoming:
            when = _day(product.incoming_date) if product.incoming_date else "?"
            text.append(" · " + tr("stock.incoming", qty=_qty(product.incoming), date=when))
    text.append(
        " · "
        + tr(
            "stock.range",
            floor=_money(product.floor_price),
            ceiling=_money(product.ceiling_price),
        )
    )
    return text


class StockStrip(InfoLine):
    """Availability of the product under the grid's cursor, or a hint when there is none."""

    DEFAULT_CSS = """
    StockStrip {
        background: $panel;
    }
    """

    def __init__(self, tr: Tr, *, id: str | None = None) -> None:
        super().__init__(tr("stock.none"), id=id)
        self.tr = tr

    def show_product(self, product: Any | None) -> None:
        self.show(stock_text(product, self.tr) if product is not None else self.tr("stock.none"))
