"""Login: username and PIN. Dismisses with the `Actor` once the service accepts the PIN.

The screen may go up before the database is open (`order-tui` opens it after the first
paint): the app then calls `database_ready(db)`, and a PIN submitted before that waits for
it ("Opening the database…"); or `database_failed(error)`, which shows why and makes Enter
quit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input, Static

from order_tui.domain.errors import DomainError
from order_tui.domain.roles import ROLE_LABELS, Role
from order_tui.screens import i18n
from order_tui.screens.base import OrderScreen, TitleBar, settle
from order_tui.screens.i18n import error_text, pick
from order_tui.widgets.cells import fit
from order_tui.widgets.field_input import FieldInput

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor

DEMO_COLUMNS = 3

i18n.register(
    {
        "login.opening": ("正在打开数据库…", "Opening the database…"),
        "login.open_failed": ("无法打开数据库：{error}", "Cannot open the database: {error}"),
        "login.schema_too_new": (
            "数据库结构版本 {revision} 比本程序新（本程序只认识到 {head}），请升级 order-tui",
            "database schema {revision} is newer than this program (knows up to {head}); "
            "please update order-tui",
        ),
        "login.open_quit": ("按 Enter 或 Ctrl+Q 退出", "Press Enter or Ctrl+Q to quit"),
    }
)


def open_error_text(error: BaseException, lang: str) -> str:
    """Why the database did not open, in the operator's language."""
    revision, head = getattr(error, "revision", None), getattr(error, "head", None)
    if isinstance(revision, str) and isinstance(head, str):  # the schema is too new
        detail = i18n.t("login.schema_too_new", lang, revision=revision, head=head)
    else:
        detail = error_text(error, lang)
    return i18n.t("login.open_failed", lang, error=detail)


class LoginScreen(OrderScreen):
    """Username + PIN; errors beside the field; in demo mode the demo operators below."""

    DEFAULT_CSS = """
    LoginScreen {
        align-horizontal: center;
    }
    LoginScreen #form {
        width: 64;
        height: auto;
        margin-top: 1;
    }
    LoginScreen .field {
        height: 3;
    }
    LoginScreen .field > .label {
        width: 12;
        height: 3;
        content-align: right middle;
        padding-right: 1;
    }
    LoginScreen .field > Input {
        width: 32;
    }
    LoginScreen .error {
        height: auto;
        min-height: 1;
        margin-left: 12;
        color: $error;
        text-style: bold;
    }
    LoginScreen #hint {
        height: 1;
        margin-left: 12;
        color: $text-muted;
    }
    LoginScreen #demo {
        width: 78;
        height: auto;
        margin-top: 1;
    }
    """

    AUTO_FOCUS = None
    # Enter is a priority binding that first lets the focused input settle (see `settle`):
    # handled on Input.Submitted instead, a fast "zhao<Enter>1234<Enter>" (type-ahead, or
    # one batch over SSH) would put the PIN into the username field.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "next_field", "Next / log in", id="next_field", priority=True),
    ]
    HELP_EXTRA: ClassVar[list[tuple[str, str]]] = [
        ("Tab / Shift+Tab", "key.focus_next"),
    ]

    def __init__(
        self, db: Database | None, lang: str, *, user: str | None = None, demo: bool = False
    ) -> None:
        super().__init__(db, lang)  # type: ignore[arg-type]  # None: the app is opening it
        self.user = user or ""
        self.demo = demo
        self.busy = False
        self.waiting: tuple[str, str] | None = None  # submitted before the database was open
        self.failed = False

    def compose(self) -> ComposeResult:
        yield TitleBar(self.title_text(self.t("login.title")))
        with Vertical(id="form"):
            with Horizontal(classes="field"):
                yield Static(self.t("login.username"), classes="label")
                yield FieldInput(
                    self.user,
                    placeholder=self.t("login.username_ph"),
                    id="username",
                    max_length=32,
                )
            yield Static("", id="username-error", classes="error", markup=False)
            with Horizontal(classes="field"):
                yield Static(self.t("login.pin"), classes="label")
                yield FieldInput(
                    placeholder=self.t("login.pin_ph"),
                    password=True,
                    id="pin",
                    max_length=12,
                    restrict=r"\d*",
                )
            yield Static("", id="pin-error", classes="error", markup=False)
            yield Static(self.t("login.hint"), id="hint", markup=False)
        if self.demo:
            yield Static("", id="demo", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#pin" if self.user else "#username", Input))
        if self.demo and self.db is not None:
            self.load_demo_operators()

    # -- the database, when the app opens it after the first paint ---------------------------

    def database_ready(self, db: Database) -> None:
        self.db = db
        if self.demo:
            self.load_demo_operators()
        if self.waiting is not None:
            username, pin = self.waiting
            self.waiting = None
            self._error("pin", self.t("login.checking"))
            self.check_pin(username, pin)

    def database_failed(self, error: BaseException) -> None:
        self.failed = True
        self.busy = False
        self.waiting = None
        self._error("pin", open_error_text(error, self.lang))
        self.query_one("#hint", Static).update(self.t("login.open_quit"))
        for field in self.query(Input):
            field.disabled = True

    # -- demo operators ------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="demo-operators", exit_on_error=False)
    def load_demo_operators(self) -> None:
        from order_tui.services import operators

        rows = operators.login_hints(self.db)
        self.app.call_from_thread(self._show_demo_operators, rows)

    def _show_demo_operators(self, rows: list[dict[str, str]]) -> None:
        if not self.is_attached:  # the operator left before the result came
            return
        width = 78 // DEMO_COLUMNS
        text = Text(self.t("login.demo") + "\n", style="bold")
        for index, row in enumerate(rows):
            roles = []
            for name in str(row["roles"]).split(";"):
                try:
                    roles.append(pick(ROLE_LABELS[Role(name)], self.lang))
                except ValueError:
                    roles.append(name)
            name, display = str(row["username"]), str(row["display_name"])
            cell = fit(name, 6) + fit(display, 7) + "/".join(roles)
            text.append(fit(cell, width - 1) + " ")
            if index % DEMO_COLUMNS == DEMO_COLUMNS - 1 and index != len(rows) - 1:
                text.append("\n")
        self.query_one("#demo", Static).update(text)

    # -- the form ------------------------------------------------------------------------

    def _error(self, field: str, message: str) -> None:
        self.query_one(f"#{field}-error", Static).update(message)

    def _clear_errors(self) -> None:
        self._error("username", "")
        self._error("pin", "")

    async def action_next_field(self) -> None:
        """Enter: from the username to the PIN; on the PIN, log in."""
        if self.failed:  # the database did not open: Enter leaves, as the hint says
            self.app.exit(return_code=1)
            return
        if self.focused is not None:
            await settle(self.focused)
        username_input = self.query_one("#username", Input)
        pin_input = self.query_one("#pin", Input)
        username = username_input.value.strip()
        if self.focused is not pin_input:
            if not username:
                self._error("username", self.t("login.need_username"))
                self.set_focus(username_input)
                return
            self._error("username", "")
            self.set_focus(pin_input)
            return
        if self.busy:
            return
        self._clear_errors()
        if not username:
            self._error("username", self.t("login.need_username"))
            self.set_focus(username_input)
            return
        if not pin_input.value:
            self._error("pin", self.t("login.need_pin"))
            return
        self.busy = True
        if self.db is None:  # still opening: check the PIN as soon as it is open
            self.waiting = (username, pin_input.value)
            self._error("pin", self.t("login.opening"))
            return
        self._error("pin", self.t("login.checking"))
        self.check_pin(username, pin_input.value)

    @work(thread=True, exclusive=True, group="login", exit_on_error=False)
    def check_pin(self, username: str, pin: str) -> None:
        from order_tui.services import operators

        try:
            actor = operators.login(self.db, username, pin)
        except DomainError as exc:
            self.app.call_from_thread(self._refused, error_text(exc, self.lang))
        except Exception as exc:  # the database is gone, locked, ...: say so, stay usable
            message = self.t("login.failed", error=error_text(exc, self.lang))
            self.app.call_from_thread(self._refused, message)
        else:
            self.app.call_from_thread(self._accepted, actor)

    def _refused(self, message: str) -> None:
        if not self.is_attached:  # the operator left before the result came
            return
        self.busy = False
        self._error("pin", message)
        pin = self.query_one("#pin", Input)
        pin.clear()
        self.set_focus(pin)

    def _accepted(self, actor: Actor) -> None:
        if not self.is_attached:  # the operator left before the result came
            return
        self.busy = False
        self.dismiss(actor)
