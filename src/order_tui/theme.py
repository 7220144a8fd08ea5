"""How the app looks on poor terminals: ASCII borders, 16 colours, the escape delay.

- ASCII mode (`--ascii`, `[ui] ascii = true`, or automatic when ``TERM=linux``): every
  Textual border type draws with ``+ - |``, scrollbars draw without block glyphs, and Rich
  tables and rules fall back to ASCII boxes (the app's console reports an ASCII encoding).
  The Linux VGA console has no box-drawing or block glyphs worth using (they turn into
  diamonds) and no CJK font at all, so Chinese text needs a real terminal emulator.
- 16 colours: the built-in ``ansi-dark`` theme uses the terminal's own palette, so colours
  keep the contrast the terminal's owner chose; it is picked for ASCII mode and whenever
  the terminal reports 16 colours or fewer.
- Escape delay: Textual waits ``ESCDELAY`` milliseconds (default 100, read once when
  ``textual.constants`` is imported) to tell a lone Esc from the start of a key sequence.
  Over a slow SSH link a sequence split across packets reads as Esc plus letters; raising
  the delay to 200-400 ms fixes that. ``ESCDELAY`` in the environment wins; otherwise
  ``[ui] escape_delay_ms`` sets `textual.constants.ESCAPE_DELAY` (the parser reads that
  attribute on every key, so setting it after import works).

Nothing here imports Textual at module level: the command line decides before the app loads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

ASCII_CLASS = "-ascii"
ANSI_THEME = "ansi-dark"
DEFAULT_THEME = "textual-dark"
FEW_COLOURS = ("standard", "windows")  # Rich's names for 16 and 8+8 colour terminals


def wants_ascii(flag: bool | None, configured: bool, environ: Mapping[str, str]) -> bool:
    """`--ascii` > `[ui] ascii` > automatic on the Linux console (``TERM=linux``)."""
    if flag:
        return True
    if configured:
        return True
    return environ.get("TERM", "").strip().lower() == "linux"


def escape_delay_ms(configured: int | None, environ: Mapping[str, str]) -> int | None:
    """The delay to set, or None when ``ESCDELAY`` (which Textual reads itself) is set."""
    if environ.get("ESCDELAY", "").strip():
        return None
    return configured


def apply_escape_delay(ms: int | None) -> None:
    """Make Textual wait `ms` milliseconds after a lone Esc (None: leave Textual's value)."""
    if ms is None:
        return
    from textual import constants

    constants.ESCAPE_DELAY = max(1, ms) / 1000.0  # type: ignore[misc]


def detect_color_system(environ: Mapping[str, str]) -> str | None:
    """The colour system Textual will use in this environment, as Rich names it
    ("truecolor", "256", "standard", "windows" or None), honouring TEXTUAL_COLOR_SYSTEM."""
    forced = environ.get("TEXTUAL_COLOR_SYSTEM", "auto").strip().lower()
    if forced and forced != "auto":
        return forced
    from rich.console import Console

    console = Console(file=AsciiFile(), force_terminal=True, _environ=dict(environ))  # type: ignore[arg-type]
    return console.color_system


def theme_for(ascii_mode: bool, color_system: str | None) -> str:
    """The Textual theme: the terminal's own 16 colours on poor terminals."""
    if ascii_mode or (color_system or "") in FEW_COLOURS:
        return ANSI_THEME
    return DEFAULT_THEME


class AsciiFile:
    """A null file whose encoding is ASCII: Rich then substitutes ASCII table boxes."""

    encoding = "ascii"

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        """Nothing is kept to flush."""

    def isatty(self) -> bool:
        return True


def _ascii_row(row: tuple[str, str, str], top_or_bottom: bool) -> tuple[str, str, str]:
    left, centre, right = row
    if top_or_bottom:
        edge, fill = "+", "-"
    else:
        edge, fill = "|", " "
    return (
        " " if left == " " else edge,
        " " if centre == " " else fill,
        " " if right == " " else edge,
    )


def enable_ascii_glyphs() -> Callable[[], None]:
    """Draw every border and scrollbar with ASCII; returns a function that undoes it.

    Textual keeps the border glyphs in one module-level table and the scrollbar renderer in
    a class variable, so this is process-wide: the app turns it on at start and off at exit.
    """
    from textual import _border
    from textual.scrollbar import ScrollBar, ScrollBarRender

    class AsciiScrollBarRender(ScrollBarRender):
        """The thumb drawn by colour (reverse) alone, without eighth-block glyphs."""

        VERTICAL_BARS: Any = [" "] * 8
        HORIZONTAL_BARS: Any = [" "] * 8

    saved_chars = dict(_border.BORDER_CHARS)
    saved_renderer = ScrollBar.renderer
    for name, (top, middle, bottom) in saved_chars.items():
        _border.BORDER_CHARS[name] = (
            _ascii_row(top, True),
            _ascii_row(middle, False),
            _ascii_row(bottom, True),
        )
    _border.get_box.cache_clear()
    ScrollBar.renderer = AsciiScrollBarRender

    def restore() -> None:
        _border.BORDER_CHARS.clear()
        _border.BORDER_CHARS.update(saved_chars)
        _border.get_box.cache_clear()
        ScrollBar.renderer = saved_renderer

    return restore
