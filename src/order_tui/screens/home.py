"""Home: what waits for the operator's roles, queue by queue, oldest first."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Footer, OptionList, Static

from order_tui.domain.terms import HOLD_KINDS, REJECT_REASONS
from order_tui.screens.base import OrderScreen, TitleBar
from order_tui.screens.fmt import local_time, money, short_day
from order_tui.screens.i18n import STRINGS, localize_bindings, pick, t
from order_tui.widgets.grouped_table import Column, Group, GroupedTable, Row

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor
    from order_tui.services.worklist import Queue, WorkItem

FLAG_STYLE = "bold red"
FLAG_STYLE_NO_COLOR = "bold reverse"  # red turns to dark grey on dark grey without colour
_RETURNED = re.compile(r"^(\w+): (\w+) ?(.*)$", re.S)
_DUE = re.compile(r"^due (\S+)$")
_HOLD = re.compile(r"^(\w+): (.*)$", re.S)


def columns(lang: str, total_width: int = 10, date_width: int = 5) -> list[Column]:
    """For 80 columns: flag 4, order 13, customer >= 16, total, date, note >= 8."""
    return [
        Column(t("home.col.flag", lang), 4),
        Column(t("home.col.order", lang), 13),
        Column(t("home.col.customer", lang), 16, flex=3, max_width=40),
        Column(t("home.col.total", lang), total_width, align="right"),
        Column(t("home.col.wanted", lang), date_width),
        Column(t("home.col.note", lang), 8, flex=2),
    ]


def department(code: str, lang: str) -> str:
    key = f"dept.{code}"
    return t(key, lang) if key in STRINGS else code


def note_text(item: WorkItem, lang: str, timezone: str) -> str:
    """The service's note in the operator's language (codes to labels, UTC to local time)."""
    note = item.note
    if not note:
        return ""
    if item.queue == "review":
        return "/".join(department(d, lang) for d in note.split("/"))
    if item.queue == "returned" and (m := _RETURNED.match(note)):
        reason = REJECT_REASONS.get(m[2])
        detail = m[3].strip() or (pick(reason, lang) if reason else m[2])
        return department(m[1], lang) + ("：" if lang == "zh" else ": ") + detail
    if item.queue == "holds" and (m := _HOLD.match(note)):
        kind = HOLD_KINDS.get(m[1])
        return (pick(kind, lang) if kind else m[1]) + ("：" if lang == "zh" else ": ") + m[2]
    if item.queue == "feedback" and (m := _DUE.match(note)):
        return t("home.due", lang, when=local_time(m[1], timezone, "%m-%d %H:%M"))
    return note


def flag_text(item: WorkItem, lang: str) -> str:
    if item.on_hold and item.overdue:
        return t("home.hold_late", lang)
    if item.on_hold:
        return t("home.hold", lang)
    if item.overdue:
        return t("home.late", lang)
    return ""


class HomeScreen(OrderScreen):
    """The worklist. Enter opens the order under the cursor; F5 reloads."""

    DEFAULT_CSS = """
    HomeScreen #status {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    """

    HELP_EXTRA: ClassVar[list[tuple[str, str]]] = [
        ("Up / Down", "key.move"),
        ("PgUp / PgDn", "key.page"),
    ]
    HELP_NOTES: ClassVar[list[str]] = ["help.marks"]

    def __init__(self, db: Database, lang: str, actor: Actor) -> None:
        super().__init__(db, lang, actor)
        self.queues: list[Queue] = []

    def compose(self) -> ComposeResult:
        yield TitleBar(self.title_text(self.t("home.title")))
        yield GroupedTable(columns(self.lang), id="worklist")
        yield Static(self.t("home.loading"), id="status", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one(GroupedTable)
        localize_bindings(table.options, self.lang)
        table.focus()
        self.reload()

    def reload(self) -> None:
        self.query_one("#status", Static).update(self.t("home.loading"))
        self.load()

    @work(thread=True, exclusive=True, group="worklist", exit_on_error=False)
    def load(self) -> None:
        from order_tui.services import worklist

        assert self.actor is not None
        try:
            queues = worklist.worklist(self.db, self.actor)
        except Exception as exc:  # show it and stay usable; F5 tries again
            self.app.call_from_thread(self._failed, exc)
        else:
            self.app.call_from_thread(self._show, queues)

    def _failed(self, exc: Exception) -> None:
        if not self.is_attached:  # the operator left before the result came
            return
        self.query_one("#status", Static).update(self.t("home.error", error=exc))

    def _show(self, queues: list[Queue]) -> None:
        if not self.is_attached:  # the operator left before the result came
            return
        self.queues = queues
        this_year = date.today().year
        items = [item for queue in queues for item in queue.items]
        other_year = any(i.wanted_date and i.wanted_date.year != this_year for i in items)
        total_width = max([len(money(i.total)) for i in items] + [6])
        table = self.query_one(GroupedTable)
        table.columns = columns(self.lang, total_width, 8 if other_year else 5)
        groups = [
            Group(
                f"{pick(q.label, self.lang)}（{len(q.items)}）"
                if self.lang == "zh"
                else f"{pick(q.label, self.lang)} ({len(q.items)})",
                [self._row(item, this_year) for item in q.items],
                empty=self.t("home.empty_queue"),
            )
            for q in queues
        ]
        if not queues:
            groups = [Group(self.t("home.no_queues"))]
        table.set_groups(groups)
        held = sum(i.on_hold for i in items)
        late = sum(i.overdue for i in items)
        status = self.t(
            "home.summary",
            count=len(items),
            held=held,
            late=late,
            time=datetime.now().strftime("%H:%M"),
        )
        if queues and not items:
            status = self.t("home.nothing") + "  " + status
        self.query_one("#status", Static).update(status)

    def _row(self, item: WorkItem, this_year: int) -> Row:
        flag = flag_text(item, self.lang)
        style = FLAG_STYLE_NO_COLOR if self.app.no_color else FLAG_STYLE
        return Row(
            key=f"{item.queue}:{item.order_no}",
            cells=(
                flag,
                item.order_no,
                item.customer,
                money(item.total),
                short_day(item.wanted_date, this_year),
                note_text(item, self.lang, self.db.timezone),
            ),
            styles=(style if flag else "", "", "", "", style if item.overdue else ""),
        )

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        if not event.option_id:
            return
        from order_tui.screens.order_detail import OrderDetailScreen

        assert self.actor is not None
        order_no = event.option_id.split(":", 1)[1]
        self.app.push_screen(OrderDetailScreen(self.db, self.lang, self.actor, order_no))
