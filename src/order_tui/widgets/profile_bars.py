"""Horizontal bars for the customer profile: one per month beside its figures, and the credit
gauge. A Rich renderable that fills whatever width its table column gets, so the same bars
serve 80 and 120 columns. Block glyphs with eighths; `#` in ASCII mode (the Linux console
draws no block glyphs).

(The monthly review builds its own charts in widgets/charts.py; the two may merge later.)
"""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style

EIGHTHS = " ▏▎▍▌▋▊▉"  # index = eighths of a cell filled
FULL = "█"


def bar_text(fraction: float, width: int, ascii: bool = False) -> str:
    """`fraction` (0..1, clipped) of `width` cells as a bar, at least one mark for a value
    above zero so a small month is not mistaken for an empty one."""
    if width <= 0:
        return ""
    fraction = min(max(fraction, 0.0), 1.0)
    if ascii:
        cells = round(fraction * width)
        if fraction > 0 and cells == 0:
            cells = 1
        return "#" * cells
    eighths = round(fraction * width * 8)
    if fraction > 0 and eighths == 0:
        eighths = 1
    whole, part = divmod(eighths, 8)
    return FULL * whole + (EIGHTHS[part] if part else "")


def share(value: Decimal, top: Decimal) -> float:
    """`value` as a fraction of `top` (0 when `top` is not positive)."""
    if top <= 0 or value <= 0:
        return 0.0
    return float(value / top)


class Bar:
    """A bar of `fraction` of the width Rich gives it (one line).

    `track=True` draws the unfilled part too (a gauge: used against a limit)."""

    def __init__(
        self,
        fraction: float,
        *,
        ascii: bool = False,
        style: str = "",
        track: bool = False,
        min_width: int = 4,
    ) -> None:
        self.fraction = fraction
        self.ascii = ascii
        self.style = style
        self.track = track
        self.min_width = min_width

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.min_width, options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        text = bar_text(self.fraction, width, self.ascii)
        yield Segment(text, Style.parse(self.style) if self.style else None)
        rest = width - len(text)
        if rest > 0:
            filler = ("." if self.ascii else "░") if self.track else " "
            yield Segment(filler * rest, Style.parse("dim") if self.track else None)
        yield Segment.line()
