"""The one text field of every form: Textual's Input, but it says beside itself what it did
not take, instead of only ringing the bell.

Textual's Input refuses a whole paste that would run past `max_length` (10,000 characters
pasted into a 40-character name leave the field as it was) and refuses a key that would break
`max_length` or `restrict`, with a bell and nothing else. A clerk pasting an address from an
e-mail then sees nothing happen and does not know why. Here:

- a paste keeps what fits and the note under the field says how much was cut; but a number,
  or anything in a field with a format (`restrict`), is never cut: 1,234,567.89 cut to ten
  characters is another amount, so such a paste is refused whole, and the note says why;
- a paste of several lines keeps the first (the field holds one) and says so;
- a paste or key the field's `restrict` refuses is refused as before, and the note says so;
- Ctrl+V (the app's own clipboard) takes the same path as a terminal paste.

The note floats just under the field (above it on the last row) so no form needs a line of
its own for it; it goes when the operator types in the field again or leaves it.
"""

from __future__ import annotations

import re
from typing import ClassVar

from rich.cells import cell_len
from textual import events
from textual.widgets import Input, Static

from order_tui.screens.i18n import register, t

# A pasted line that reads as a number (ASCII or full-width digits, separators, sign,
# exponent, currency): cutting it would change the value, not shorten a text.
NUMBER_LIKE = re.compile(r"[-+−－＋¥￥$ ]*[0-9０-９][-+0-9０-９.,，．。 _eE]*")

register(
    {
        "field.cut": (
            "本栏最多 {limit} 个字符：粘贴的 {pasted} 个只保留了前 {kept} 个",
            "Holds {limit} characters: kept the first {kept} of the {pasted} pasted",
        ),
        "field.full": (
            "本栏最多 {limit} 个字符，已满：未粘贴",
            "Holds {limit} characters and is full: nothing pasted",
        ),
        "field.first_line": (
            "本栏只收一行：只粘贴了第一行（共 {lines} 行）",
            "Takes one line: pasted the first (of {lines})",
        ),
        "field.whole": (
            "本栏最多 {limit} 个字符：粘贴的 {pasted} 个是一个值，不截断，未粘贴",
            "Holds {limit} characters: the {pasted} pasted are one value, not cut: not pasted",
        ),
        "field.max": ("本栏最多 {limit} 个字符", "This field holds at most {limit} characters"),
        "field.refused_paste": (
            "粘贴内容含本栏不收的字符，未粘贴",
            "The pasted text has characters this field does not take: nothing was pasted",
        ),
        "field.refused_key": ("本栏不收“{char}”", "This field does not take “{char}”"),
        # a PIN field does not echo what was typed, even what it refused
        "field.refused_hidden": ("本栏不收这个字符", "This field does not take that character"),
    }
)


class FieldNote(Static):
    """The note under a field, one per screen, drawn over whatever is below."""

    DEFAULT_CSS = """
    FieldNote {
        overlay: screen;
        position: absolute;
        height: auto;
        padding: 0 1;
        background: $error 25%;
        color: $text-error;
        text-style: bold;
        display: none;
    }
    """


class FieldInput(Input):
    """An Input that says beside itself what it refused (see the module)."""

    NOTE_ID: ClassVar[str] = "field-note"

    # -- what goes in -----------------------------------------------------------------------

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()  # Input's own handler refuses an over-long paste whole
        self.paste(event.text)

    def action_paste(self) -> None:
        self.paste(self.app.clipboard)

    def paste(self, text: str) -> None:
        """Put `text` where the selection (or the cursor) is, keeping what fits."""
        if not text:
            return
        # the first line with text in it (a copied cell often starts with a line break)
        lines = [ln for ln in text.splitlines() if ln.strip()] or [text.strip("\r\n")]
        line = lines[0]
        start, end = sorted(self.selection)
        room = len(self.value) - (end - start)
        notes: list[str] = []
        if len(lines) > 1:
            notes.append(self._t("field.first_line", lines=len(lines)))
        if self.max_length and room + len(line) > self.max_length:
            kept = max(0, self.max_length - room)
            if kept == 0:
                self._refused(self._t("field.full", limit=self.max_length))
                return
            if self.restrict or NUMBER_LIKE.fullmatch(line.strip()):
                self._refused(self._t("field.whole", limit=self.max_length, pasted=len(line)))
                return
            notes.append(self._t("field.cut", pasted=len(line), limit=self.max_length, kept=kept))
            line = line[:kept]
        if not self._takes(f"{self.value[:start]}{line}{self.value[end:]}"):
            self._refused(self._t("field.refused_paste"))
            return
        self.replace(line, start, end)
        if notes:
            self.show_note("；".join(notes) if self._lang() == "zh" else "; ".join(notes))

    async def _on_key(self, event: events.Key) -> None:
        self.hide_note()
        if event.is_printable and event.character is not None:
            start, end = sorted(self.selection)
            new = f"{self.value[:start]}{event.character}{self.value[end:]}"
            if self.max_length and len(new) > self.max_length:
                self.show_note(self._t("field.max", limit=self.max_length))
            elif not self._takes(new) and self.password:
                self.show_note(self._t("field.refused_hidden"))
            elif not self._takes(new):
                self.show_note(self._t("field.refused_key", char=_shown(event.character)))

    def _on_blur(self, event: events.Blur) -> None:
        self.hide_note()

    def _takes(self, value: str) -> bool:
        """Whether `value` passes the field's `restrict`, as Input.replace checks it (the app
        gives no field a `type`: its numbers are checked as text, by the domain)."""
        return not self.restrict or re.fullmatch(self.restrict, value) is not None

    def _refused(self, message: str) -> None:
        self.app.bell()
        self.show_note(message)

    # -- the note ---------------------------------------------------------------------------

    def show_note(self, message: str) -> None:
        """`message` just under this field (above it on the screen's last rows)."""
        screen = self.screen
        found = screen.query(f"#{self.NOTE_ID}")
        note = found.first(FieldNote) if found else FieldNote(id=self.NOTE_ID, markup=False)
        if not found:
            screen.mount(note)
        region, size = self.region, screen.size
        width = min(cell_len(message) + 2, size.width)
        height = -(-(cell_len(message)) // max(1, width - 2))  # rows once wrapped
        x = max(0, min(region.x, size.width - width))
        y = region.bottom if region.bottom + height < size.height else region.y - height
        y = max(0, y)
        note.update(message)
        note.styles.width = width
        note.styles.offset = (x, y)
        note.display = True

    def hide_note(self) -> None:
        if not self.is_attached:
            return
        for note in self.screen.query(f"#{self.NOTE_ID}"):
            note.display = False

    @property
    def note(self) -> str:
        """The note shown for this screen's fields now ("" when none)."""
        found = self.screen.query(f"#{self.NOTE_ID}")
        if not found or not found.first().display:
            return ""
        return str(found.first(FieldNote).render())

    def _lang(self) -> str:
        return str(getattr(self.app, "lang", "zh"))

    def _t(self, key: str, **fields: object) -> str:
        return t(key, self._lang(), **fields)


def _shown(char: str) -> str:
    """A refused character as the note can show it: a control character by its code."""
    return char if char.isprintable() else f"U+{ord(char):04X}"
