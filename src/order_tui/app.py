"""The Textual application: login, then the operator's worklist, order detail and help.

Only Textual and the screens are imported at start-up; the services (and with them SQLAlchemy)
load inside the first thread worker, so the first screen paints before the ORM is imported.
`order-tui` goes further and opens the database itself in a worker (`open_db`): the login
screen is up at once, and a PIN typed before the database is ready is checked when it is.

Shell services for every screen:

- a status line, mounted by the app into every full screen: database and time at the right
  end of the title bar, which names the operator and roles (`widgets/status_line.py`);
- Ctrl+P, the command palette (`screens/palette.py`);
- `run_write(call, on_done=..., on_error=...)`: a service call in a thread worker that shows
  "waiting for another operator's save…" when it has not returned after 0.3 s (a SQLite
  write waits up to its busy timeout for another operator's transaction);
- ASCII mode and 16-colour theme (`order_tui.theme`).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
from collections.abc import Callable
from datetime import datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import work
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.notifications import Notification, Notify
from textual.screen import ModalScreen, Screen

from order_tui.screens.base import OrderScreen, TitleBar
from order_tui.screens.i18n import LANGS, error_text, localize_bindings, t
from order_tui.screens.login import LoginScreen
from order_tui.screens.typeahead import TypeAheadApp
from order_tui.theme import ANSI_THEME, ASCII_CLASS, AsciiFile, enable_ascii_glyphs
from order_tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from textual.worker import Worker

    from order_tui.domain.lifecycle import Action
    from order_tui.services import Database
    from order_tui.services.common import Actor
    from order_tui.services.views import OrderDetail

T = TypeVar("T")
AUTOSAVE_SECONDS = 5.0
HANGUP_GRACE_S = 2.0  # after a hang-up, the most an orderly exit may take
WAIT_NOTICE_SECONDS = 0.3  # a write still running after this shows the waiting notice
KEY_NAMES = {"escape": "Esc", "enter": "Enter", "tab": "Tab", "space": "Space"}


def _is_home(screen: object) -> bool:
    # The worklist, help and palette modules load when first needed, not before the login
    # screen's first paint.
    from order_tui.screens.home import HomeScreen

    return isinstance(screen, HomeScreen)


def _is_palette(screen: object) -> bool:
    from order_tui.screens.palette import PaletteScreen

    return isinstance(screen, PaletteScreen)


def _warm_up() -> None:
    from order_tui.domain.mnemonic import mnemonic

    mnemonic("预热")
    _give_back_free_heap()


def _give_back_free_heap() -> None:
    """Return the C heap's free pages to the system (glibc's malloc_trim; elsewhere nothing).

    Loading pypinyin's dictionaries frees a few MB of parse buffers and outgrown tables that
    glibc keeps for reuse: the process stayed 4-5 MB larger for good (issue 7's memory goal,
    150 MB after the inbox and an archive search: 149 MB on PostgreSQL before, 145 after)."""
    import ctypes

    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS)
        return
    trim(0)


def terminal_gone(stdin: str = "/proc/self/fd/0") -> bool:
    """Our terminal hung up without a SIGHUP reaching us. Seen here: order-tui started from a
    shell over SSH; the connection dropped, the shell went, the pseudo-terminal was deleted,
    and reads of it returned end-of-file at once, forever: Textual's input thread spun on it
    at 100 % CPU and the process never ended. (Linux shows a deleted terminal so in /proc.)"""
    try:
        return os.readlink(stdin).endswith(" (deleted)")
    except OSError:
        return False


class OrderApp(TypeAheadApp, inherit_bindings=False):
    """order-tui. `OrderApp(db, lang="zh", user=None, demo=False, os_user=None).run()`.

    Instead of an open `db`, `open_db` (a function returning one) opens the database in a
    thread worker once the login screen is painted; `db_url` and `timezone` label the status
    line until then. `self.db` is None until it is open; an error from `open_db` is kept in
    `open_error`, shown on the login screen, and the app then exits with return code 1.

    `ascii=True` draws borders and scrollbars in ASCII and uses the terminal's 16 colours;
    `theme` names a Textual theme (the command line picks ``ansi-dark`` on 16-colour
    terminals, see `order_tui.theme.theme_for`); `clock` (a function returning an aware
    datetime) replaces the wall clock of the status line and the worklist (tests freeze it).
    """

    TITLE = "order-tui"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", id="help"),
        Binding("f2", "home", "Home", id="home"),
        Binding("f5", "refresh_screen", "Refresh", id="refresh"),
        Binding("escape,f3", "back", "Back", id="back"),
        Binding("ctrl+p", "palette", "Commands", id="palette", priority=True),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("ctrl+c", "help_quit", "Quit hint", id="help_quit", show=False, system=True),
    ]

    def __init__(
        self,
        db: Database | None = None,
        *,
        open_db: Callable[[], Database] | None = None,
        db_url: str = "",
        timezone: str = "Asia/Shanghai",
        lang: str = "zh",
        user: str | None = None,
        demo: bool = False,
        os_user: str | None = None,
        ascii: bool = False,
        clock: Callable[[], datetime] | None = None,
        theme: str | None = None,
    ) -> None:
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
        if (db is None) == (open_db is None):
            raise ValueError("give either db or open_db")
        super().__init__()
        self.db: Database | None = db
        self._open_db = open_db
        self.open_error: Exception | None = None
        # What the status line shows while the database opens: its name and the time zone.
        self._db_label = SimpleNamespace(url=db_url, timezone=timezone)
        self.lang = lang
        self.user = user
        self.demo = demo
        self.os_user = os_user
        self.ascii = ascii
        self.clock = clock
        self.actor: Actor | None = None
        # form key -> the JSON last saved, so the timer writes only what changed
        self.saved_drafts: dict[str, str] = {}
        self._restore_glyphs: Callable[[], None] | None = None
        localize_bindings(self, lang)
        if ascii:
            self.add_class(ASCII_CLASS)  # for CSS: `OrderApp.-ascii Widget { ... }`
            self.console.file = AsciiFile()  # type: ignore[assignment]  # Rich: ASCII boxes
        if theme is not None or ascii:
            self.theme = theme or ANSI_THEME

    # -- start: the OS user's operator, or the login screen --------------------------------

    def on_load(self) -> None:
        if self.ascii:
            self._restore_glyphs = enable_ascii_glyphs()

    def on_unmount(self) -> None:
        if self._restore_glyphs is not None:
            self._restore_glyphs()
            self._restore_glyphs = None

    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self._add_status_line)
        self.set_interval(AUTOSAVE_SECONDS, self.autosave_drafts)
        with contextlib.suppress(ValueError, AttributeError):  # not the main thread / Windows
            signal.signal(signal.SIGHUP, self._on_hangup)
        if self.db is None:
            # Paint the login screen first; SQLAlchemy, the models and the schema check load
            # after it, while the operator types.
            self.show_login().call_after_refresh(self._open_database)
            return
        if self.os_user:
            self.login_os_user(self.os_user)
        else:
            self.show_login()

    def _warm_up(self) -> None:
        # pypinyin's dictionaries (about 40 MB) load in the background once the operator is
        # in, so the first lookup or palette search does not stall on them. Not earlier: the
        # PIN check's scrypt takes 16 MB for a moment, and on top of the dictionaries that
        # moment was the process's peak memory (issue 7: 155 MB on PostgreSQL, goal 150).
        self.run_worker(_warm_up, thread=True, group="warm-up", exit_on_error=False)

    # -- opening the database after the first paint -----------------------------------------

    @work(thread=True, exclusive=True, group="open-db", exit_on_error=False)
    def _open_database(self) -> None:
        assert self._open_db is not None
        try:
            db = self._open_db()
        except Exception as exc:  # schema too new, failed migration, locked or unreadable file
            self._from_thread(self._open_failed, exc)
        else:
            self._from_thread(self._database_open, db)

    def _from_thread(self, callback: Callable[..., object], *args: object) -> None:
        # The operator may have quit while the database was opening: nothing left to tell.
        with contextlib.suppress(RuntimeError):
            self.call_from_thread(callback, *args)

    def _login_screens(self) -> list[LoginScreen]:
        return [s for s in self.screen_stack if isinstance(s, LoginScreen)]

    def _database_open(self, db: Database) -> None:
        self.db = db
        for screen in self._login_screens():
            screen.database_ready(db)
        if self.os_user:
            self.login_os_user(self.os_user)

    def _open_failed(self, error: Exception) -> None:
        self.open_error = error
        screens = self._login_screens()
        if not screens:
            self.exit(return_code=1)
        for screen in screens:
            screen.database_failed(error)

    # -- form drafts: every few seconds, and at once when the terminal hangs up ---------------

    def _pending_drafts(self) -> list[tuple[str, dict[str, object], str]]:
        pending = []
        for screen in self.screen_stack:
            key_of = getattr(screen, "form_key", None)
            snap_of = getattr(screen, "form_snapshot", None)
            if not callable(key_of) or not callable(snap_of):
                continue
            try:
                key, snapshot = key_of(), snap_of()
            except NoMatches:
                # A screen being torn down (the tick fell between its unmount and its removal
                # from the stack) has no fields left to read; what it held was saved or left.
                continue
            if key is None or snapshot is None:
                continue
            text = json.dumps(snapshot, ensure_ascii=False, sort_keys=True, default=str)
            if self.saved_drafts.get(key) != text:
                pending.append((key, snapshot, text))
        return pending

    def autosave_drafts(self) -> None:
        if terminal_gone():
            self._on_hangup(signal.SIGHUP, None)
            return
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

    async def action_quit(self) -> None:
        """Ctrl+Q: keep what is typed in open forms as drafts, then leave."""
        with contextlib.suppress(Exception):
            self.save_drafts_now()
        self.exit(return_code=1 if self.open_error is not None else 0)

    def _on_hangup(self, _signum: int, _frame: object) -> None:
        # The SSH connection is gone: keep what was typed, then leave without a screen.
        with contextlib.suppress(Exception):
            self.save_drafts_now()
        # An orderly exit needs the event loop and writes to a terminal that is gone; seen
        # here, the process then stayed, spinning on the dead tty at 100 % CPU. The drafts
        # are saved: if the loop has not ended a moment from now, end the process.
        reaper = threading.Timer(HANGUP_GRACE_S, os._exit, args=(128 + signal.SIGHUP,))
        reaper.daemon = True
        reaper.start()
        self.exit()

    @work(thread=True, exclusive=True, group="start", exit_on_error=False)
    def login_os_user(self, os_user: str) -> None:
        from order_tui.services import operators

        assert self.db is not None
        try:
            actor = operators.login_os_user(self.db, os_user)
        except Exception:  # no usable binding: fall back to the PIN
            actor = None
        if actor is None:
            self._from_thread(self._os_user_refused)
        else:
            self._from_thread(self._os_user_accepted, actor)

    def _os_user_refused(self) -> None:
        if not self._login_screens():
            self.show_login()

    def _os_user_accepted(self, actor: Actor) -> None:
        if self.actor is not None:  # the operator typed a PIN meanwhile and is in
            return
        screens = self._login_screens()
        if screens:  # the login screen went up while the database opened
            screens[-1].dismiss(actor)
        else:
            self.logged_in(actor)

    def show_login(self) -> LoginScreen:
        screen = LoginScreen(self.db, self.lang, user=self.user, demo=self.demo)
        self.push_screen(screen, callback=self.logged_in)
        return screen

    def logged_in(self, actor: object) -> None:
        from order_tui.screens.home import HomeScreen

        assert actor is not None
        self.actor = actor  # type: ignore[assignment]
        self.push_screen(HomeScreen(self.db, self.lang, self.actor))  # type: ignore[arg-type]
        self._warm_up()

    # -- the status line, in every full screen ---------------------------------------------

    def _add_status_line(self, screen: Screen[object]) -> None:
        """Database and time at the right of the title bar (a line above the keys when the
        screen has no title bar); once per screen, when it first becomes active."""
        if isinstance(screen, ModalScreen) or not isinstance(screen, OrderScreen):
            return
        if getattr(screen, "_status_line", None) is not None:
            return
        bars = screen.query(TitleBar)
        db = self.db if self.db is not None else self._db_label  # still opening: url and zone
        line = StatusLine(db, self.lang, screen.actor or self.actor, in_title=bool(bars))  # type: ignore[arg-type]
        screen._status_line = line  # type: ignore[attr-defined]
        (bars.first() if bars else screen).mount(line)

    # -- slow writes: say that we wait instead of looking frozen ------------------------------

    def run_write(
        self,
        call: Callable[[], T],
        *,
        on_done: Callable[[T], object] | None = None,
        on_error: Callable[[Exception], object] | None = None,
        notice: str | None = None,
        group: str = "write",
    ) -> Worker[None]:
        """Run `call()` in a thread worker; then `on_done(result)` or `on_error(exc)` on the
        app's thread (default on_error: an error notification with the message).

        If the call has not returned after `WAIT_NOTICE_SECONDS`, a notification says
        `notice` (default "waiting for another operator's save…") until it returns: with
        SQLite a write waits for the other operator's transaction up to the busy timeout.
        """
        state: dict[str, Any] = {"done": False, "note": None}

        def show_notice() -> None:
            if state["done"]:
                return
            note = Notification(notice or t("wait.save", self.lang), timeout=24 * 3600)
            state["note"] = note
            self.post_message(Notify(note))

        timer = self.set_timer(WAIT_NOTICE_SECONDS, show_notice, name="write-notice")

        def finish(ok: bool, value: Any) -> None:
            state["done"] = True
            timer.stop()
            if state["note"] is not None:
                with contextlib.suppress(KeyError):
                    self._unnotify(state["note"])
            if ok:
                if on_done is not None:
                    on_done(value)
            elif on_error is not None:
                on_error(value)
            else:
                message = t("wait.failed", self.lang, error=error_text(value, self.lang))
                self.notify(message, severity="error", timeout=8, markup=False)

        def run() -> None:
            try:
                result = call()
            except Exception as exc:
                self.call_from_thread(finish, False, exc)
            else:
                self.call_from_thread(finish, True, result)

        return self.run_worker(run, thread=True, group=group, exit_on_error=False)

    # -- the command palette ------------------------------------------------------------------

    def action_palette(self) -> None:
        from order_tui.domain.lifecycle import Action
        from order_tui.screens.palette import (
            PaletteScreen,
            action_entries,
            key_entries,
            screen_action_for,
        )

        if isinstance(self.screen, PaletteScreen):
            self.screen.dismiss(None)
            return
        if self.actor is None or isinstance(self.screen, ModalScreen):
            return
        base = self.screen
        detail = self._order_in_view(base)
        commands = []
        if detail is not None:
            commands += action_entries(
                detail,
                self.actor,
                self.lang,
                lambda action: self.run_order_action(base, detail, action),
            )
        covered = frozenset(screen_action_for(Action(e.action)) for e in commands if e.action)
        home = next((s for s in self.screen_stack if _is_home(s)), None)
        commands += key_entries(self, base, home, covered)
        self.push_screen(
            PaletteScreen(
                self.db,
                self.actor,
                self.lang,
                commands,
                self.open_order,
                order_no=detail.order_no if detail is not None else None,
            )
        )

    @staticmethod
    def _order_in_view(screen: Screen[object]) -> OrderDetail | None:
        """The order a screen shows: its `order_in_view()` (the worklist's row under the
        cursor), else its loaded `detail`; anything with order_no, status and on_hold."""
        pick = getattr(screen, "order_in_view", None)
        order = pick() if callable(pick) else getattr(screen, "detail", None)
        if not all(hasattr(order, name) for name in ("order_no", "status", "on_hold")):
            return None
        return order  # type: ignore[no-any-return]

    def open_order(self, order_no: str) -> None:
        from order_tui.screens.order_detail import OrderDetailScreen

        assert self.actor is not None
        self.push_screen(OrderDetailScreen(self.db, self.lang, self.actor, order_no))

    def run_order_action(self, screen: Screen[object], detail: OrderDetail, action: Action) -> None:
        """A lifecycle action picked in the palette.

        A screen with its own form for the action gets it: its `run_lifecycle_action(action)`
        when it has one, else its Textual action `<action>_order` (e.g. `edit_order`, the
        detail's `e`) when enabled. Actions that need nothing but the order run here after a
        confirmation; the rest say where to do them.
        """
        from order_tui.domain.lifecycle import action_label
        from order_tui.screens.palette import DIRECT_ACTIONS, ConfirmScreen, screen_action_for

        hook = getattr(screen, "run_lifecycle_action", None)
        if callable(hook):
            hook(action)
            return
        own = screen_action_for(action)
        has_form = callable(getattr(screen, f"action_{own}", None))
        if has_form and self._check_action_state(own, screen) is True:
            self.call_later(self.run_action, own, screen)
            return
        label = action_label(action, self.lang)
        if action not in DIRECT_ACTIONS:
            self.notify(t("palette.needs_form", self.lang, action=label), severity="warning")
            return
        # A worklist row has no version: the service then checks the status only.
        order_no, version = detail.order_no, getattr(detail, "version", None)

        def done(_result: object) -> None:
            self.notify(t("palette.done", self.lang, order_no=order_no, action=label))
            reload = getattr(screen, "reload", None)
            if screen.is_attached and callable(reload):
                reload()

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            from order_tui.services import actions

            actor = self.actor
            assert actor is not None
            self.run_write(
                lambda: actions.act(self.db, actor, order_no, action, expected_version=version),
                on_done=done,
            )

        question = t("palette.confirm", self.lang, action=label, order_no=order_no)
        self.push_screen(ConfirmScreen(self.lang, question), callback=answered)

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
            return self.actor is not None and not _is_home(self._base_screen())
        if action == "back":
            return self._depth() > 0
        if action == "refresh_screen":
            return callable(getattr(self._base_screen(), "reload", None))
        if action == "palette":
            return self.actor is not None and (
                _is_palette(self.screen) or not isinstance(self.screen, ModalScreen)
            )
        return True

    def action_help(self) -> None:
        from order_tui.screens.help import HelpScreen, screen_keys

        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        keys = screen_keys(screen, self.lang)
        notes = list(getattr(screen, "HELP_NOTES", []))
        self.push_screen(HelpScreen(self.lang, self.actor, keys, notes))

    async def action_home(self) -> None:
        while self._depth() > 0 and not _is_home(self.screen):
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
