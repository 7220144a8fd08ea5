"""F1: the keys of the screen below and the lifecycle actions of the operator's roles."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from order_tui.domain.lifecycle import LIFECYCLE, Status, status_label
from order_tui.screens.i18n import localize_bindings, pick, t

if TYPE_CHECKING:
    from order_tui.services.common import Actor

STATUS_ORDER = list(Status)


def screen_keys(screen: Screen[object], lang: str) -> list[tuple[str, str]]:
    """(keys, description) for the bindings active on `screen`, one row per action.

    Only bindings with an id are ours (Textual's own cursor keys come from `HELP_EXTRA`).
    """
    app = screen.app
    rows: dict[str, tuple[list[str], str]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.id or binding.system or not binding.description:
            continue
        keys, _ = rows.setdefault(binding.action, ([], binding.description))
        display = app.get_key_display(binding)
        if display not in keys:
            keys.append(display)
    result = [(" / ".join(keys), description) for keys, description in rows.values()]
    for keys, key in getattr(screen, "HELP_EXTRA", []):
        result.append((keys, t(key, lang)))
    return result


def lifecycle_table(actor: Actor, lang: str) -> Table:
    table = Table(
        box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=True, header_style="bold"
    )
    table.add_column(t("help.col.action", lang), no_wrap=True, style="bold")
    table.add_column(t("help.col.from", lang), ratio=3, overflow="fold")
    table.add_column(t("help.col.to", lang), ratio=2, overflow="fold")
    sep = " " if lang == "zh" else ", "  # a space lets long lists wrap between statuses
    for rule in LIFECYCLE:
        if not rule.roles & actor.roles:
            continue
        sources = sorted(rule.sources, key=STATUS_ORDER.index)
        targets = sep.join(status_label(s, lang) for s in rule.targets) or t("help.same", lang)
        table.add_row(
            pick(rule.label, lang), sep.join(status_label(s, lang) for s in sources), targets
        )
    return table


class HelpScreen(ModalScreen[None]):
    """A modal over the current screen. Esc, F1 or F3 closes it."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 78;
        max-width: 100%;
        height: 22;
        max-height: 100%;
        border: round $primary;
        border-title-style: bold;
        padding: 0 1;
        background: $surface;
        scrollbar-size-vertical: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,f3", "close", "Close", id="close"),
        Binding("ctrl+q", "app.quit", "Quit", id="quit", show=False, priority=True),
    ]

    def __init__(
        self,
        lang: str,
        actor: Actor | None,
        keys: list[tuple[str, str]],
        notes: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.lang = lang
        self.actor = actor
        self.keys = keys
        self.notes = notes or []
        localize_bindings(self, lang)

    def compose(self) -> ComposeResult:
        body = VerticalScroll(id="help")
        body.border_title = t("help.title", self.lang)
        body.border_subtitle = t("help.close", self.lang)
        with body:
            yield Static(self._content(), markup=False)

    def _content(self) -> Group:
        lang = self.lang
        parts: list[RenderableType] = [Text(t("help.keys", lang), style="bold underline")]
        keys = Table.grid(padding=(0, 2))
        keys.add_column(style="bold", no_wrap=True)
        keys.add_column()
        for key, description in self.keys:
            keys.add_row(key, description)
        parts.append(keys)
        parts.extend(Text(t(note, lang)) for note in self.notes)
        parts.append(Text())
        parts.append(Text(t("help.lifecycle", lang), style="bold underline"))
        if self.actor is None:
            parts.append(Text(t("help.login_first", lang)))
        else:
            parts.append(lifecycle_table(self.actor, lang))
        return Group(*parts)

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
