"""Charts drawn as text: horizontal bars, a line over a series, a one-row sparkline.

Plain Rich `Text`, no plotting library: they must read on a 16-colour terminal and in ASCII
mode (`ascii=True`: `#`, `*`, `|`, `-` instead of block and box glyphs), fit 80 columns, and
line up Chinese labels, which take two cells per character (`rich.cells.cell_len`, never
`len`). The shape carries the meaning; colour only helps, so nothing is lost without it.

`Chart` is the widget: it redraws its drawing function at its current width, so the same
chart fills 80 or 120 columns.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.widget import Widget

EIGHTHS = " ▏▎▍▌▋▊▉█"  # a bar's last cell in eighths
SPARKS = "▁▂▃▄▅▆▇█"
ASCII_SPARKS = "_.-:=+*#"
BAR_STYLE = "cyan"
LINE_STYLE = "green"
AXIS_STYLE = "dim"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str = ""  # the value as shown; str(value) when empty


def fit(text: str, width: int, *, ascii: bool = False) -> str:
    """`text` padded or cut to exactly `width` cells; a cut ends with an ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    mark = "~" if ascii else "…"
    return set_cell_size(set_cell_size(text, width - 1).rstrip() + mark, width)


def _bar(value: float, top: float, room: int, ascii: bool) -> str:
    """The bar of `value` on `room` cells where `top` fills them all (at least a sliver for
    anything above zero, so a small count never looks like none)."""
    if top <= 0 or value <= 0 or room <= 0:
        return ""
    eighths = max(1, round(value / top * room * 8))
    full, part = divmod(eighths, 8)
    if ascii:
        return "#" * max(1, full + (1 if part >= 4 else 0))
    return "█" * full + (EIGHTHS[part] if part else "")


def bar_chart(
    bars: Sequence[Bar],
    width: int,
    *,
    ascii: bool = False,
    style: str = BAR_STYLE,
    label_width: int | None = None,
) -> Text:
    """One row per bar: label, bar, value. Labels take at most a third of the width."""
    out = Text(no_wrap=True, overflow="crop")
    if not bars:
        return out
    texts = [b.text or f"{b.value:g}" for b in bars]
    value_w = max(cell_len(t) for t in texts)
    natural = max(cell_len(b.label) for b in bars)
    label_w = label_width if label_width is not None else min(natural, max(6, width // 3))
    room = max(1, width - label_w - value_w - 2)
    top = max(b.value for b in bars)
    for i, (b, shown) in enumerate(zip(bars, texts, strict=True)):
        if i:
            out.append("\n")
        out.append(fit(b.label, label_w, ascii=ascii) + " ")
        drawn = _bar(b.value, top, room, ascii)
        out.append(drawn, style=style)
        out.append(" " * (room - cell_len(drawn) + 1))
        out.append(shown.rjust(value_w))
    return out


def sparkline(values: Sequence[float], *, ascii: bool = False, cell: int = 1) -> Text:
    """One row, one glyph (repeated `cell` times) per value, its height the value's share of
    the largest; zero draws as the lowest glyph only when other values are above it."""
    glyphs = ASCII_SPARKS if ascii else SPARKS
    top = max(values, default=0)
    out = Text(no_wrap=True, overflow="crop")
    for v in values:
        if top <= 0 or v <= 0:
            out.append(" " * cell)
            continue
        index = min(len(glyphs) - 1, max(0, math.ceil(v / top * len(glyphs)) - 1))
        out.append(glyphs[index] * cell, style=LINE_STYLE)
    return out


def line_chart(
    values: Sequence[float],
    width: int,
    height: int,
    *,
    x_labels: Sequence[tuple[int, str]] = (),
    ascii: bool = False,
    style: str = LINE_STYLE,
) -> Text:
    """A line over the series: the y axis on the left (0 and the largest value, rounded up),
    `step` cells per value with a point on the value's row, neighbours joined by a run that
    turns up or down between them; the x axis below, with `x_labels` ((index, text)) under
    their values."""
    out = Text(no_wrap=True, overflow="crop")
    if not values or height < 2:
        return out
    top = math.ceil(max(values)) if max(values) > 0 else 1
    gutter = max(cell_len(f"{top:g}"), 1) + 1
    room = max(1, width - gutter - 1)
    if len(values) > room:  # too narrow for them all: the latest values, one cell each
        cut = len(values) - room
        values = values[cut:]
        x_labels = [(i - cut, text) for i, text in x_labels if i >= cut]
    n = len(values)
    step = max(1, room // n)
    rows = height
    point = "*" if ascii else "●"
    stroke = "|" if ascii else "│"
    flat = "-" if ascii else "─"
    # turns of the line where it steps from one value's row to the next one's
    down_from, down_to, up_from, up_to = ("+", "+", "+", "+") if ascii else ("╮", "╰", "╯", "╭")

    def row_of(v: float) -> int:  # 0 is the bottom row
        return max(0, min(rows - 1, round(v / top * (rows - 1))))

    levels = [row_of(v) for v in values]
    grid = [[" "] * (n * step) for _ in range(rows)]
    for i, level in enumerate(levels):
        x = i * step + (step - 1) // 2
        before = levels[i - 1] if i else level
        low, high = sorted((before, level))
        if i and step == 1:  # no room between points: a stroke up or down this column
            for r in range(low + 1, high):
                grid[r][x] = stroke
        elif i:  # along the previous row, turn in the middle of the gap, on along this one
            first = (i - 1) * step + (step - 1) // 2 + 1
            mid = (first + x - 1) // 2
            for g in range(first, x):
                if g < mid or level == before:
                    grid[before][g] = flat
                elif g > mid:
                    grid[level][g] = flat
            if level != before:
                for r in range(low + 1, high):
                    grid[r][mid] = stroke
                falling = level < before
                grid[before][mid] = down_from if falling else up_from
                grid[level][mid] = down_to if falling else up_to
        grid[level][x] = point
    axis_v = "|" if ascii else "│"
    for r in range(rows - 1, -1, -1):
        label = f"{top:g}" if r == rows - 1 else ("0" if r == 0 else "")
        out.append(label.rjust(gutter - 1) + " ", style=AXIS_STYLE)
        out.append(axis_v, style=AXIS_STYLE)
        out.append("".join(grid[r]), style=style)
        out.append("\n")
    corner, dash = ("+", "-") if ascii else ("└", "─")
    out.append(" " * gutter + corner + dash * (n * step), style=AXIS_STYLE)
    if x_labels:
        line = [" "] * max(0, width - gutter - 1)
        end = -1
        for index, text in x_labels:
            x = index * step + (step - 1) // 2
            if x <= end or x + cell_len(text) > len(line):  # never overwrite a label
                continue
            for k, ch in enumerate(text):
                line[x + k] = ch
            end = x + cell_len(text)
        out.append("\n" + " " * (gutter + 1) + "".join(line).rstrip(), style=AXIS_STYLE)
    return out


class Chart(Widget):
    """A chart that redraws at its width: `draw(width)` returns the Text."""

    DEFAULT_CSS = """
    Chart {
        height: auto;
        width: 1fr;
    }
    """

    def __init__(self, draw: Callable[[int], Text] | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._draw = draw or (lambda _w: Text())

    def set_draw(self, draw: Callable[[int], Text]) -> None:
        self._draw = draw
        self.refresh(layout=True)

    def _width(self, width: int | None = None) -> int:
        return max(20, width if width is not None else self.content_region.width)

    def render(self) -> Text:
        return self._draw(self._width())

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return len(self._draw(self._width(width)).plain.split("\n"))


@dataclass(frozen=True)
class Col:
    """A column of `text_table`: fixed `width` cells, or a share (`flex`) of what is left."""

    header: str
    width: int = 0
    flex: int = 0
    right: bool = False


def text_table(
    cols: Sequence[Col],
    rows: Sequence[Sequence[str]],
    width: int,
    *,
    ascii: bool = False,
    header_style: str = "bold",
) -> Text:
    """A plain table without borders: one line per row, cells padded or cut to their column
    (Chinese counted as two cells), flexible columns sharing the width left over."""
    fixed = sum(c.width for c in cols if not c.flex) + len(cols) - 1
    shares = sum(c.flex for c in cols)
    spare = max(0, width - fixed)
    widths = []
    given = 0
    flex_cols = [i for i, c in enumerate(cols) if c.flex]
    for i, c in enumerate(cols):
        if not c.flex:
            widths.append(c.width)
            continue
        w = spare - given if i == flex_cols[-1] else spare * c.flex // max(1, shares)
        w = max(c.width or 4, w)
        given += w
        widths.append(w)

    def line(cells: Sequence[str]) -> str:
        out = []
        for c, w, cell in zip(cols, widths, cells, strict=False):
            text = fit(cell, w, ascii=ascii)
            if c.right and cell_len(cell) <= w:
                text = " " * (w - cell_len(cell)) + cell
            out.append(text)
        return " ".join(out).rstrip()

    result = Text(no_wrap=True, overflow="crop")
    result.append(line([c.header for c in cols]), style=header_style)
    for row in rows:
        result.append("\n" + line(row))
    return result
