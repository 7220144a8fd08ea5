"""The status line: who is working, on which database, and the time.

At 80x24 every row counts, so on screens with a title bar (which already names the operator
and roles) the status line is the right end of that bar::

     订单管理 | 我的待办 | 赵琳 (zhao) · 销售内勤            orders.db · 11-27 09:30

It picks the longest form that leaves the title whole (database label and full date, then
shorter ones, at least the time). A screen without a title bar gets a full line above
the keys instead: operator and roles on the left, database and time on the right.

The app mounts it into every full screen (`OrderApp` does it when a screen becomes active),
so screens need not compose it. The clock is the app's `clock()` when it has one (tests
freeze it), else the system time in the business time zone; it redraws at every minute.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from order_tui.screens.i18n import t
from order_tui.widgets.cells import crop

if TYPE_CHECKING:
    from textual.app import App

    from order_tui.services import Database
    from order_tui.services.common import Actor


def database_label(url: str) -> str:
    """What tells databases apart: a SQLite file's name, else host[:port]/name.

    Never the password, never a long path (80 columns).
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    if scheme.split("+", 1)[0].lower() == "sqlite":
        path = rest.removeprefix("/").split("?", 1)[0]
        if not path or path == ":memory:" or path.startswith("file::memory:"):
            return ":memory:"
        return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    if parts.port:
        host = f"{host}:{parts.port}"
    name = parts.path.strip("/")
    return f"{host}/{name}" if name else host


def app_now(app: App[object], timezone: str = "Asia/Shanghai") -> datetime:
    """Now in the business time zone: from the app's clock (`app.clock()`, frozen in tests;
    an aware datetime is converted, a naive one taken as local already) or the system's."""
    clock: Callable[[], datetime] | None = getattr(app, "clock", None)
    if clock is None:
        return datetime.now(ZoneInfo(timezone))
    now = clock()
    return now.astimezone(ZoneInfo(timezone)) if now.tzinfo is not None else now


def operator_line(actor: Actor | None, lang: str) -> str:
    if actor is None:
        return t("status.nobody", lang)
    from order_tui.screens.base import operator_text

    return operator_text(actor, lang)


def _plain(content: object) -> str:
    plain = getattr(content, "plain", None)
    return plain if isinstance(plain, str) else str(content)


class StatusLine(Widget):
    """Database and time (and, as a line of its own, the operator).

    `in_title=True`: a child of the screen's title bar, docked to its right end.
    """

    DEFAULT_CSS = """
    StatusLine {
        dock: bottom;
        height: 1;
        margin-bottom: 1;  /* the Footer is docked below it */
        padding: 0 1;
        background: $panel;
        color: $text;
    }
    StatusLine:nocolor {
        text-style: reverse;
    }
    StatusLine.-in-title {
        dock: right;
        width: auto;
        margin: 0;
        padding: 0 0 0 2;
        background: transparent;
        text-style: bold;
    }
    """

    def __init__(self, db: Database, lang: str, actor: Actor | None, *, in_title: bool) -> None:
        super().__init__(classes="-in-title" if in_title else None)
        self.db = db
        self.lang = lang
        self.actor = actor
        self.in_title = in_title

    def on_mount(self) -> None:
        self._title_seen: tuple[str, int] | None = None
        self._tick()
        if self.in_title:  # a screen may retitle itself (a new order gets its number)
            self.set_interval(1.0, self.follow_title, name="status-title")

    def _tick(self) -> None:
        """Redraw now and again just after the start of the next minute."""
        self._relayout()
        now = app_now(self.app, self.db.timezone)
        wait = 60.2 - now.second - now.microsecond / 1_000_000
        self.set_timer(max(wait, 1.0), self._tick, name="status-minute")

    def _relayout(self) -> None:
        self.clear_cached_dimensions()
        self.refresh(layout=self.in_title)

    def follow_title(self) -> None:
        """Make room again if the title beside it changed (TitleBar.update calls this at once;
        the interval catches titles set otherwise)."""
        parent = self.parent
        if not isinstance(parent, Widget):
            return
        seen = (_plain(getattr(parent, "content", "")), parent.size.width)
        if seen != self._title_seen:
            self._title_seen = seen
            self._relayout()

    # -- what to show --------------------------------------------------------------------

    def forms(self) -> list[str]:
        """The right-hand text, longest first."""
        now = app_now(self.app, self.db.timezone)
        db = database_label(self.db.url)
        return [
            f"{t('status.db', self.lang, name=db)} · {now:%Y-%m-%d %H:%M}",
            f"{db} · {now:%m-%d %H:%M}",
            f"{db} {now:%H:%M}",
            f"{now:%H:%M}",
        ]

    def title_room(self) -> int:
        """Cells the title bar leaves free after its own text (in-title mode)."""
        parent = self.parent
        if not isinstance(parent, Widget):
            return 0
        title = cell_len(_plain(getattr(parent, "content", "")))
        return parent.content_region.width - title - self.styles.padding.left

    def right_text(self, room: int) -> str:
        forms = self.forms()
        return next((f for f in forms if cell_len(f) <= room), forms[-1])

    def get_content_width(self, container: object, viewport: object) -> int:
        if not self.in_title:
            return super().get_content_width(container, viewport)  # type: ignore[arg-type]
        return cell_len(self.right_text(self.title_room()))

    def render(self) -> Text:
        width = max(self.content_region.width, 1)
        if self.in_title:
            return Text(self.right_text(width), no_wrap=True, overflow="crop")
        left = operator_line(self.actor, self.lang)
        right = self.right_text(max(width - min(cell_len(left), 24) - 2, 5))
        left = crop(left, max(width - cell_len(right) - 1, 0))
        gap = max(width - cell_len(left) - cell_len(right), 1)
        return Text(left + " " * gap + right, no_wrap=True, overflow="crop")
