"""What every order-tui screen shares: the db handle, the language, the operator, a title bar."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, ClassVar

from textual.screen import Screen
from textual.visual import VisualType
from textual.widget import Widget
from textual.widgets import Static

from order_tui.domain.roles import ROLE_LABELS
from order_tui.screens.i18n import localize_bindings, pick, t
from order_tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor


def roles_text(actor: Actor, lang: str) -> str:
    labels = [pick(ROLE_LABELS[r], lang) for r in sorted(actor.roles)]
    return "、".join(labels) if lang == "zh" else ", ".join(labels)


def operator_text(actor: Actor, lang: str) -> str:
    """赵琳 (zhao) · 销售内勤"""
    return f"{actor.display_name} ({actor.username}) · {roles_text(actor, lang)}"


async def settle(widget: Widget, timeout: float = 0.5) -> None:
    """Wait until `widget` has handled every event already routed to it.

    For priority bindings that move focus: the app routes each key to the widget focused
    when the key is read, so with type-ahead ("zhao<Enter>1234<Enter>" arriving in one read)
    the letters before Enter may still sit in the input's queue when the binding runs. A
    callback posted to the widget runs after them; while we wait, the app reads no further
    keys, so the keys after Enter go to the field that has focus by then.
    """
    done = asyncio.Event()
    widget.call_later(done.set)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), timeout)


class TitleBar(Static):
    """One line at the top: app title | screen title | operator."""

    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        height: 1;
        width: 1fr;
        background: $primary;
        color: $text;
        text-style: bold;
        padding: 0 1;
    }
    """

    def update(self, content: VisualType = "") -> None:
        super().update(content)
        # The status line in the bar gives up room to a longer title now, not a second later.
        for line in self.query(StatusLine):
            if line.is_mounted:
                line.follow_title()


class OrderScreen(Screen[object]):
    """Base screen: knows the db, the language and (after login) the operator.

    `HELP_EXTRA` lists keys the help screen shows besides the bindings: (keys, i18n key).
    Screens that can reload their data implement `reload()`; the app's F5 calls it.
    """

    HELP_EXTRA: ClassVar[list[tuple[str, str]]] = []

    def __init__(self, db: Database, lang: str, actor: Actor | None = None) -> None:
        super().__init__()
        self.db = db
        self.lang = lang
        self.actor = actor
        localize_bindings(self, lang)

    def t(self, key: str, **fields: object) -> str:
        return t(key, self.lang, **fields)

    # -- form drafts ------------------------------------------------------------------------
    # A screen with a form returns its key ("order:new", "order:SO...", "intake:new") and the
    # typed fields as JSON-able data; the app saves them every few seconds and on hang-up
    # (SIGHUP), so a dropped SSH session loses nothing. After a real save the screen calls
    # `forget_form_draft()`.

    def form_key(self) -> str | None:
        return None

    def form_snapshot(self) -> dict[str, object] | None:
        return None

    def forget_form_draft(self) -> None:
        key = self.form_key()
        if key is None or self.actor is None:
            return
        from order_tui.services import forms

        forms.discard_form(self.db, self.actor, key)
        saved: dict[str, str] = getattr(self.app, "saved_drafts", {})
        saved.pop(key, None)

    def unsaved_changes(self) -> bool:
        """True when leaving would drop typed input (the app asks before Esc / F2)."""
        return False

    def title_text(self, title: str) -> str:
        parts = [t("app.title", self.lang), title]
        if self.actor is not None:
            parts.append(operator_text(self.actor, self.lang))
        return " | ".join(parts)
