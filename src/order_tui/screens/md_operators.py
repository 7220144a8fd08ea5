"""Operators (admin only): list, add (roles ticked, PIN twice), change roles, reset PIN,
disable."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Input, OptionList, Static

from order_tui.domain.errors import ValidationError
from order_tui.domain.roles import ROLE_LABELS, Role
from order_tui.screens.base import TitleBar
from order_tui.screens.i18n import pick, register, t
from order_tui.screens.md_common import (
    PAGE,
    ConfirmDialog,
    MdDialog,
    MdFormScreen,
    MdListScreen,
    TickList,
    error_text,
    field_row,
    may,
)
from order_tui.widgets.field_input import FieldInput
from order_tui.widgets.grouped_table import Column, Row

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor

register(
    {
        "md.operators": ("操作员", "Operators"),
        "md.op.col.username": ("用户名", "User"),
        "md.op.col.name": ("姓名", "Name"),
        "md.op.col.roles": ("角色", "Roles"),
        "md.op.col.os_user": ("系统账号", "OS user"),
        "md.op.col.state": ("状态", "State"),
        "md.op.active": ("正常", "active"),
        "md.op.disabled": ("已停用", "disabled"),
        "md.op.locked": ("已锁定", "locked"),
        "md.op.new": ("新增操作员", "New operator"),
        "md.op.username": ("用户名", "Username"),
        "md.op.username_ph": ("字母、数字、_", "letters, digits, _"),
        "md.op.display_name": ("姓名", "Display name"),
        "md.op.os_user": ("系统账号", "OS user"),
        "md.op.os_user_hint": ("可空；SSH 免 PIN 登录", "optional: SSH login w/o PIN"),
        "md.op.pin": ("PIN", "PIN"),
        "md.op.pin2": ("再次输入 PIN", "PIN again"),
        "md.op.pin_hint": ("4-12 位数字", "4 to 12 digits"),
        "md.op.roles": ("角色", "Roles"),
        "md.op.roles_hint": (
            "空格键勾选角色 · Tab 下一项 · Ctrl+S 保存",
            "Space ticks a role · Tab next field · Ctrl+S saves",
        ),
        "md.op.roles_keys": (
            "空格键勾选 · Ctrl+S 保存 · Esc 返回",
            "Space ticks · Ctrl+S saves · Esc back",
        ),
        "md.op.roles_title": ("角色：{name} ({user})", "Roles: {name} ({user})"),
        "md.op.pin_title": ("重置 PIN：{name} ({user})", "Reset PIN: {name} ({user})"),
        "md.op.disable_title": ("停用操作员", "Disable operator"),
        "md.op.disable_ask": (
            "停用 {name} ({user})？停用后不能再登录，记录保留。",
            "Disable {name} ({user})? They can no longer log in; their records stay.",
        ),
        "md.op.already_disabled": ("{user} 已停用", "{user} is already disabled"),
        "md.op.added": ("已新增操作员 {user}", "Operator {user} added"),
        "md.op.roles_saved": ("已更新 {user} 的角色", "Roles of {user} changed"),
        "md.op.pin_saved": ("已重置 {user} 的 PIN（并解除锁定）", "PIN of {user} reset (unlocked)"),
        "md.op.disabled_done": ("已停用 {user}", "{user} disabled"),
        "key.md_roles": ("角色", "Roles"),
        "key.md_pin": ("重置PIN", "Reset PIN"),
        "key.md_disable": ("停用", "Disable"),
    }
)


def role_label(role: Role, lang: str) -> str:
    return pick(ROLE_LABELS[role], lang)


def roles_label(roles: str, lang: str) -> str:
    names = [r for r in roles.split(";") if r]
    labels = [role_label(Role(r), lang) if r in Role.__members__.values() else r for r in names]
    return ("、" if lang == "zh" else ", ").join(labels)


def role_choices(lang: str, chosen: set[str]) -> list[tuple[str, str, bool]]:
    return [(f"{role_label(r, lang)} ({r.value})", r.value, r.value in chosen) for r in Role]


def check_pins(values: dict[str, object], lang: str) -> dict[str, str]:
    pin, pin2 = str(values.get("pin") or ""), str(values.get("pin2") or "")
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        return {"pin": t("md.err.pin", lang)}
    if pin != pin2:
        return {"pin2": t("md.err.pin_mismatch", lang)}
    return {}


class OperatorsScreen(MdListScreen):
    """Every operator, active or not. a: add · Enter / r: roles · p: reset PIN · x: disable."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", id="md_add"),
        Binding("r", "roles", "Roles", id="md_roles", show=False),  # Enter too
        Binding("p", "pin", "Reset PIN", id="md_pin"),
        Binding("x", "disable", "Disable", id="md_disable"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_list()
        yield Static("", id="status", markup=False)
        yield Footer(show_command_palette=False)

    def list_title(self) -> str:
        return self.t("md.operators")

    def enter_key(self) -> str | None:
        return "md_roles"

    def columns(self) -> list[Column]:
        return [
            Column(self.t("md.op.col.username"), 8),
            Column(self.t("md.op.col.name"), 8),
            Column(self.t("md.op.col.roles"), 12, flex=1),
            Column(self.t("md.op.col.os_user"), 8),
            Column(self.t("md.op.col.state"), 8),
        ]

    def key_of(self, item: Any) -> str:
        return str(item["username"])

    def _all(self) -> list[dict[str, Any]]:
        from order_tui.services import operators

        return sorted(
            operators.list_operators(self.db, self.actor), key=lambda o: str(o["username"])
        )

    def page(self, after: str | None) -> list[Any]:
        rows = [o for o in self._all() if after is None or str(o["username"]) > after]
        return rows[:PAGE]

    def search(self, text: str) -> list[Any]:
        needle = text.lower()
        return [
            o
            for o in self._all()
            if needle in str(o["username"]).lower()
            or needle in str(o["display_name"]).lower()
            or needle in str(o["roles"]).lower()
        ]

    def row(self, item: Any) -> Row:
        if not item["active"]:
            state, style = self.t("md.op.disabled"), "dim"
        elif item["locked"]:
            state, style = self.t("md.op.locked"), ""
        else:
            state, style = self.t("md.op.active"), ""
        return Row(
            key=str(item["username"]),
            cells=(
                str(item["username"]),
                str(item["display_name"]),
                roles_label(str(item["roles"]), self.lang),
                str(item["os_user"]),
                state,
            ),
            styles=("", "", "", "", "bold" if item["locked"] else ""),
            style=style,
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add", "roles", "pin", "disable"):
            return may(self.actor, "operator")
        return super().check_action(action, parameters)

    def _current(self) -> dict[str, Any] | None:
        item = self.items.get(self.table.highlighted_key or "")
        return item  # type: ignore[no-any-return]

    def _done(self, username: object) -> None:
        if isinstance(username, str) and self.is_attached:
            self.reload(keep=username)

    def action_add(self) -> None:
        assert self.actor is not None
        self.app.push_screen(OperatorFormScreen(self.db, self.lang, self.actor), self._done)

    def action_roles(self) -> None:
        item = self._current()
        if item is None:
            return
        assert self.actor is not None
        self.app.push_screen(RolesDialog(self.db, self.lang, self.actor, item), self._done)

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        if event.option_id and may(self.actor, "operator"):
            self.action_roles()

    def action_pin(self) -> None:
        item = self._current()
        if item is None:
            return
        assert self.actor is not None
        self.app.push_screen(PinDialog(self.db, self.lang, self.actor, item), self._done)

    def action_disable(self) -> None:
        item = self._current()
        if item is None:
            return
        user, name = str(item["username"]), str(item["display_name"])
        if not item["active"]:
            self.notify(self.t("md.op.already_disabled", user=user), timeout=3)
            return

        def answered(answer: str | None) -> None:
            if answer == "yes":
                self._disable(user)

        self.app.push_screen(
            ConfirmDialog(
                self.lang,
                self.t("md.op.disable_title"),
                self.t("md.op.disable_ask", name=name, user=user),
            ),
            answered,
        )

    @work(thread=True, exclusive=True, group="md-save", exit_on_error=False)
    def _disable(self, username: str) -> None:
        from order_tui.services import operators

        assert self.actor is not None
        try:
            operators.disable_operator(self.db, self.actor, username)
        except Exception as exc:
            self.app.call_from_thread(self._write_failed, exc)
            return
        self.app.call_from_thread(self._disabled, username)

    def _write_failed(self, exc: Exception) -> None:
        if self.is_attached:
            self.set_status(error_text(exc, self.lang), error=True)

    def _disabled(self, username: str) -> None:
        if self.is_attached:
            self.notify(self.t("md.op.disabled_done", user=username), timeout=3)
            self.reload(keep=username)


class OperatorFormScreen(MdFormScreen):
    """A new operator: username, name, OS user, PIN twice, roles (Space ticks)."""

    SECRET = frozenset({"pin", "pin2"})
    DEFAULT_CSS = """
    OperatorFormScreen .md-field > TickList {
        border: none;
        padding: 0;
    }
    """
    HELP_EXTRA: ClassVar[list[tuple[str, str]]] = [("Tab / Shift+Tab", "key.focus_next")]

    def __init__(self, db: Database, lang: str, actor: Actor) -> None:
        super().__init__(db, lang, actor)
        self.saved = False

    def compose(self) -> ComposeResult:
        yield TitleBar(self.title_text(self.t("md.op.new")))
        with VerticalScroll(classes="md-form"):
            yield from field_row(
                "username",
                self.t("md.op.username") + " *",
                FieldInput(
                    placeholder=self.t("md.op.username_ph"),
                    max_length=32,
                    restrict=r"[A-Za-z0-9_]*",
                    compact=True,
                    classes="-short",
                ),
            )
            yield from field_row(
                "display_name",
                self.t("md.op.display_name"),
                FieldInput(max_length=40, compact=True, classes="-short"),
            )
            yield from field_row(
                "os_user",
                self.t("md.op.os_user"),
                FieldInput(max_length=32, compact=True, classes="-short"),
                hint=self.t("md.op.os_user_hint"),
            )
            for name, label in (("pin", "md.op.pin"), ("pin2", "md.op.pin2")):
                yield from field_row(
                    name,
                    self.t(label) + " *",
                    FieldInput(
                        password=True,
                        max_length=12,
                        restrict=r"\d*",
                        compact=True,
                        classes="-short",
                    ),
                    hint=self.t("md.op.pin_hint"),
                )
            yield from field_row(
                "roles",
                self.t("md.op.roles") + " *",
                TickList(*role_choices(self.lang, set()), compact=True),
            )
        yield Static(self.t("md.op.roles_hint"), id="form-status", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.mark_clean()
        self.query_one("#f-username", Input).focus()
        self.load_draft()

    def form_key(self) -> str | None:
        return "md:operator:new"

    def form_snapshot(self) -> dict[str, object] | None:
        return None if self.saved else super().form_snapshot()

    @work(thread=True, exclusive=True, group="md-draft", exit_on_error=False)
    def load_draft(self) -> None:
        from order_tui.services import forms

        assert self.actor is not None
        saved = forms.load_form(self.db, self.actor, "md:operator:new")
        if saved is not None and isinstance(saved.payload.get("fields"), dict):
            self.app.call_from_thread(self._restore, saved.payload["fields"], saved.saved_at)

    def _restore(self, fields: dict[str, object], saved_at: object) -> None:
        from order_tui.screens.fmt import local_time

        if self.is_attached:
            self.set_values({k: v for k, v in fields.items() if k not in self.SECRET})
            when = local_time(str(saved_at), self.db.timezone, "%m-%d %H:%M")
            self.set_status(self.t("md.draft_restored", time=when))

    def save(self) -> None:
        values = self.field_values()
        errors: dict[str, str] = {}
        username = str(values["username"]).strip()
        if not username:
            errors["username"] = self.t("md.err.required")
        errors.update(check_pins(values, self.lang))
        roles = list(values["roles"])  # type: ignore[call-overload]
        if not roles:
            errors["roles"] = self.t("md.err.roles")
        if errors:
            self.show_errors(errors)
            return
        self.clear_errors()
        self.busy = True
        self.set_status(self.t("md.saving"))
        self._write(
            username,
            str(values["display_name"]).strip(),
            ";".join(roles),
            str(values["pin"]),
            str(values["os_user"]).strip() or None,
        )

    @work(thread=True, exclusive=True, group="md-save", exit_on_error=False)
    def _write(
        self, username: str, display_name: str, roles: str, pin: str, os_user: str | None
    ) -> None:
        from order_tui.services import operators

        try:
            operators.add_operator(self.db, self.actor, username, display_name, roles, pin, os_user)
        except Exception as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.saved = True
        self.forget_form_draft()
        self.app.call_from_thread(self._saved, username)

    def _failed(self, exc: Exception) -> None:
        if not self.is_attached:
            return
        self.busy = False
        message = error_text(exc, self.lang)
        if isinstance(exc, ValidationError) and exc.field in ("username", "roles", "pin"):
            self.show_errors({exc.field or "username": message})
        else:
            self.set_status(message, error=True)

    def _saved(self, username: str) -> None:
        if self.is_attached:
            self.busy = False
            self.notify(self.t("md.op.added", user=username), timeout=3)
            self.dismiss(username)


class RolesDialog(MdDialog):
    """Tick the operator's roles (Space), Ctrl+S saves."""

    DEFAULT_CSS = """
    RolesDialog .md-field > TickList {
        border: none;
        padding: 0;
    }
    """

    def __init__(self, db: Database, lang: str, actor: Actor, item: dict[str, Any]) -> None:
        super().__init__(db, lang, actor)
        self.item = item

    def compose(self) -> ComposeResult:
        box = Vertical(id="dialog")
        box.border_title = self.t(
            "md.op.roles_title", name=self.item["display_name"], user=self.item["username"]
        )
        chosen = {r for r in str(self.item["roles"]).split(";") if r}
        with box:
            with Vertical(classes="md-form"):
                yield from field_row(
                    "roles",
                    self.t("md.op.roles"),
                    TickList(*role_choices(self.lang, chosen), compact=True),
                )
            yield Static(self.t("md.op.roles_keys"), id="form-status", markup=False)

    def on_mount(self) -> None:
        self.mark_clean()
        self.query_one("#f-roles").focus()

    def save(self) -> None:
        roles = list(self.field_values()["roles"])  # type: ignore[call-overload]
        if not roles:
            self.show_errors({"roles": self.t("md.err.roles")})
            return
        self.busy = True
        self.set_status(self.t("md.saving"))
        self._write(";".join(roles))

    @work(thread=True, exclusive=True, group="md-save", exit_on_error=False)
    def _write(self, roles: str) -> None:
        from order_tui.services import operators

        user = str(self.item["username"])
        try:
            operators.set_roles(self.db, self.actor, user, roles)
        except Exception as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._saved, user)

    def _failed(self, exc: Exception) -> None:
        if self.is_attached:
            self.busy = False
            self.show_errors({"roles": error_text(exc, self.lang)})

    def _saved(self, user: str) -> None:
        if self.is_attached:
            self.notify(self.t("md.op.roles_saved", user=user), timeout=3)
            self.dismiss(user)


class PinDialog(MdDialog):
    """A new PIN, typed twice; also lifts a lock-out."""

    SECRET = frozenset({"pin", "pin2"})

    def __init__(self, db: Database, lang: str, actor: Actor, item: dict[str, Any]) -> None:
        super().__init__(db, lang, actor)
        self.item = item

    def compose(self) -> ComposeResult:
        box = Vertical(id="dialog")
        box.border_title = self.t(
            "md.op.pin_title", name=self.item["display_name"], user=self.item["username"]
        )
        with box:
            with Vertical(classes="md-form"):
                for name, label in (("pin", "md.op.pin"), ("pin2", "md.op.pin2")):
                    yield from field_row(
                        name,
                        self.t(label) + " *",
                        FieldInput(
                            password=True,
                            max_length=12,
                            restrict=r"\d*",
                            compact=True,
                            classes="-short",
                        ),
                        hint=self.t("md.op.pin_hint"),
                    )
            yield Static(self.t("md.form_keys"), id="form-status", markup=False)

    def on_mount(self) -> None:
        self.mark_clean()
        self.query_one("#f-pin").focus()

    def save(self) -> None:
        errors = check_pins(self.field_values(), self.lang)
        if errors:
            self.show_errors(errors)
            return
        self.busy = True
        self.set_status(self.t("md.saving"))
        self._write(str(self.field_values()["pin"]))

    @work(thread=True, exclusive=True, group="md-save", exit_on_error=False)
    def _write(self, pin: str) -> None:
        from order_tui.services import operators

        user = str(self.item["username"])
        try:
            operators.change_pin(self.db, self.actor, user, pin)
        except Exception as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._saved, user)

    def _failed(self, exc: Exception) -> None:
        if self.is_attached:
            self.busy = False
            self.show_errors({"pin": error_text(exc, self.lang)})

    def _saved(self, user: str) -> None:
        if self.is_attached:
            self.notify(self.t("md.op.pin_saved", user=user), timeout=3)
            self.dismiss(user)
