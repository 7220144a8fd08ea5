"""The Textual application: login, then the operator's worklist, order detail and help.

Only Textual and the screens are imported at start-up; the services (and with them SQLAlchemy)
load inside the first thread worker, so the first screen paints before the ORM is imported.
"""

from __future__ import annotations

import contextlib
import json
import signal
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen

from order_tui.screens.help import HelpScreen, screen_keys
from order_tui.screens.home import HomeScreen
from order_tui.screens.i18n import LANGS, localize_bindings, t
from order_tui.screens.login import LoginScreen

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor

AUTOSAVE_SECONDS = 5.0
KEY_NAMES = {"escape": "Esc", "enter": "Enter", "tab": "Tab", "space": "Space"}


class OrderApp(App[None], inherit_bindings=False):
    """order-tui. `OrderApp(db, lang="zh", user=None, demo=False, os_user=None).run()`."""

    TITLE = "order-tui"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", id="help"),
        Binding("f2", "home", "Home", id="home"),
        Binding("f5", "refresh_screen", "Refresh", id="refresh"),
        Binding("escape,f3", "back", "Back", id="back"),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("ctrl+c", "help_quit", "Quit hint", id="help_quit", show=False, system=True),
    ]

    def __init__(
        self,
        db: Database,
        *,
        lang: str = "zh",
        user: str | None = None,
        demo: bool = False,
        os_user: str | None = None,
    ) -> None:
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
        super().__init__()
        self.db = db
        self.lang = lang
        self.user = user
        self.demo = demo
        self.os_user = os_user
        self.actor: Actor | None = None
        # form key -> the JSON last saved, so the timer writes only what changed
        self.saved_drafts: dict[str, str] = {}
        localize_bindings(self, lang)

    # -- start: the OS user's operator, or the login screen --------------------------------

    def on_mount(self) -> None:
        self.set_interval(AUTOSAVE_SECONDS, self.autosave_drafts)
        with contextlib.suppress(ValueError, AttributeError):  # not the main thread / Windows
            signal.signal(signal.SIGHUP, self._on_hangup)
        if self.os_user:
            self.login_os_user(self.os_user)
        else:
            self.show_login()

    # -- form drafts: every few seconds, and at once when the terminal hangs up ---------------

    def _pending_drafts(self) -> list[tuple[str, dict[str, object], str]]:
        pending = []
        for screen in self.screen_stack:
            key_of = getattr(screen, "form_key", None)
            snap_of = getattr(screen, "form_snapshot", None)
            if not callable(key_of) or not callable(snap_of):
                continue
            key, snapshot = key_of(), snap_of()
            if key is None or snapshot is None:
                continue
            text = json.dumps(snapshot, ensure_ascii=False, sort_keys=True, default=str)
            if self.saved_drafts.get(key) != text:
                pending.append((key, snapshot, text))
        return pending

    def autosave_drafts(self) -> None:
        if self.actor is None:
            return
        pending = self._pending_drafts()
        if pending:
            self._write_drafts(pending)

    @work(thread=True, group="autosave", exit_on_error=False)
    def _write_drafts(self, pending: list[tuple[str, dict[str, object], str]]) -> None:
        self.save_drafts_now(pending)

    def save_drafts_now(
        self, pending: list[tuple[str, dict[str, object], str]] | None = None
    ) -> int:
        """Write the changed drafts synchronously; returns how many were written."""
        if self.actor is None:
            return 0
        from order_tui.services import forms

        written = 0
        for key, snapshot, text in pending if pending is not None else self._pending_drafts():
            forms.save_form(self.db, self.actor, key, snapshot)
            self.saved_drafts[key] = text
            written += 1
        return written

    def _on_hangup(self, _signum: int, _frame: object) -> None:
        # The SSH connection is gone: keep what was typed, then leave without a screen.
        with contextlib.suppress(Exception):
            self.save_drafts_now()
        self.exit()

    @work(thread=True, exclusive=True, group="start", exit_on_error=False)
    def login_os_user(self, os_user: str) -> None:
        from order_tui.services import operators

        try:
            actor = operators.login_os_user(self.db, os_user)
        except Exception:  # no usable binding: fall back to the PIN
            actor = None
        if actor is None:
            self.call_from_thread(self.show_login)
        else:
            self.call_from_thread(self.logged_in, actor)

    def show_login(self) -> None:
        self.push_screen(
            LoginScreen(self.db, self.lang, user=self.user, demo=self.demo),
            callback=self.logged_in,
        )

    def logged_in(self, actor: object) -> None:
        assert actor is not None
        self.actor = actor  # type: ignore[assignment]
        self.push_screen(HomeScreen(self.db, self.lang, self.actor))  # type: ignore[arg-type]

    # -- keys --------------------------------------------------------------------------------

    def get_key_display(self, binding: Binding) -> str:
        if binding.key_display:
            return binding.key_display
        key = binding.key
        if key.startswith("ctrl+"):
            return "^" + key[5:].upper()
        if key[:1] == "f" and key[1:].isdigit():
            return key.upper()
        return KEY_NAMES.get(key, super().get_key_display(binding))

    def _base_screen(self) -> Screen[object]:
        """The top screen that is not a modal (help and dialogs keep their own keys)."""
        for screen in reversed(self.screen_stack):
            if not isinstance(screen, ModalScreen):
                return screen
        return self.screen

    def _depth(self) -> int:
        """Screens above the home screen (0 on home and on login)."""
        if self.actor is None:
            return 0
        stack = [s for s in self.screen_stack if not isinstance(s, ModalScreen)]
        return max(len(stack) - 2, 0)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "home":
            return self.actor is not None and not isinstance(self._base_screen(), HomeScreen)
        if action == "back":
            return self._depth() > 0
        if action == "refresh_screen":
            return callable(getattr(self._base_screen(), "reload", None))
        return True

    def action_help(self) -> None:
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        keys = screen_keys(screen, self.lang)
        notes = list(getattr(screen, "HELP_NOTES", []))
        self.push_screen(HelpScreen(self.lang, self.actor, keys, notes))

    async def action_home(self) -> None:
        while self._depth() > 0 and not isinstance(self.screen, HomeScreen):
            await self.pop_screen()

    async def action_back(self) -> None:
        if self._depth() > 0:
            await self.pop_screen()

    def action_refresh_screen(self) -> None:
        reload = getattr(self.screen, "reload", None)
        if callable(reload):
            reload()

    def action_help_quit(self) -> None:
        self.notify(t("quit.hint", self.lang), timeout=3)
