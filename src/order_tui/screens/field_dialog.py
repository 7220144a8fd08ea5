"""A small modal form of labelled inputs in a box (the pack and operation dialogs): Enter
moves to the next field and on the last one confirms; a refusal shows under the fields
with a bell and the focus on the field it names. Escape cancels unless a write is running.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Static

from order_tui.screens.base import settle
from order_tui.screens.i18n import error_text, localize_bindings


def named_error(exc: Exception, lang: str, field: Widget | None) -> str:
    """The error's text, led by the label above `field` when the message does not name the
    field itself: the shared text and number checks ("最多 2000 个字符，现在是 10000 个")
    do not, and a dialog shows one error line under several fields."""
    text = error_text(exc, lang)
    code = str(getattr(exc, "code", "") or "")
    parent = field.parent if field is not None else None
    if parent is None or not code.startswith(("text.", "number.")):
        return text
    siblings = list(parent.children)
    above = siblings[siblings.index(field) - 1] if siblings.index(field) > 0 else None
    if not isinstance(above, Static):
        return text
    name = re.split(r"[（(]", str(above.render()))[0].strip()  # the label without its hint
    if not name:
        return text
    return f"{name}：{text}" if lang == "zh" else f"{name}: {text[:1].lower()}{text[1:]}"


class FieldDialog(ModalScreen[Any]):
    """Subclasses bind Escape to `cancel`, set `PREFIX` (ids `<prefix>-error`, `-hint`),
    `FIELDS` (input ids in Enter order) and the box width, and implement `confirm()`."""

    DEFAULT_CSS = """
    FieldDialog {
        align: center middle;
    }
    FieldDialog > Vertical {
        max-width: 100%;
        height: auto;
        border: round $accent;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    FieldDialog .fd-label {
        text-style: bold;
    }
    FieldDialog Input {
        width: 1fr;
    }
    FieldDialog .fd-error {
        color: $error;
        text-style: bold;
        height: auto;
    }
    FieldDialog .fd-error:nocolor {
        text-style: bold reverse;
    }
    FieldDialog .fd-hint {
        color: $text-muted;
    }
    """

    PREFIX = ""
    FIELDS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang
        self.busy = False
        localize_bindings(self, lang)

    # -- for subclasses -------------------------------------------------------------------

    @abstractmethod
    def confirm(self) -> None: ...

    def label(self, text: str) -> Static:
        return Static(text, classes=f"fd-label {self.PREFIX}-label", markup=False)

    def foot(self, hint: str) -> ComposeResult:
        """The error line and the hint under the fields."""
        yield Static("", id=f"{self.PREFIX}-error", classes="fd-error", markup=False)
        yield Static(hint, id=f"{self.PREFIX}-hint", classes="fd-hint", markup=False)

    def refused(self, exc: Exception, fields: dict[str, str], default: str) -> None:
        """A refused write: the reason, the focus on the input for the error's field."""
        self.busy = False
        target = fields.get(getattr(exc, "field", ""), default)
        self._error(named_error(exc, self.lang, self.query_one(f"#{target}", Input)), target)

    # -- common ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.query_one(f"#{self.FIELDS[0]}", Input).focus()

    def _error(self, text: str, field: str) -> None:
        self.query_one(f"#{self.PREFIX}-error", Static).update("! " + text)
        self.query_one(f"#{field}", Input).focus()
        self.app.bell()

    @on(Input.Submitted)
    async def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        await settle(event.input)
        current = event.input.id or ""
        if current in self.FIELDS[:-1]:
            self.query_one(f"#{self.FIELDS[self.FIELDS.index(current) + 1]}", Input).focus()
            return
        self.confirm()

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)
