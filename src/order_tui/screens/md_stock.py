"""Stock: on hand, locked, available, incoming and location per product (keyset-paged); the
warehouse records receipts and count adjustments with a reason; Enter shows the ledger."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Input, OptionList, Static

from order_tui.domain import money
from order_tui.domain.errors import ValidationError
from order_tui.screens.base import OrderScreen, TitleBar
from order_tui.screens.fmt import local_time, qty, short_day
from order_tui.screens.i18n import STRINGS, localize_bindings, register
from order_tui.screens.md_common import (
    MdDialog,
    MdListScreen,
    PagedTable,
    error_text,
    field_row,
    may,
    relabel,
)
from order_tui.widgets.field_input import FieldInput
from order_tui.widgets.grouped_table import Column, Row

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor

register(
    {
        "md.stock": ("库存", "Stock"),
        "md.stock_ro": ("库存（只读）", "Stock (read-only)"),
        "md.stock.col.code": ("编码", "Code"),
        "md.stock.col.name": ("名称", "Name"),
        "md.stock.col.on_hand": ("现存", "On hand"),
        "md.stock.col.locked": ("锁定", "Locked"),
        "md.stock.col.available": ("可用", "Avail."),
        "md.stock.col.incoming": ("在途", "Incoming"),
        "md.stock.col.date": ("到货", "Due"),
        "md.stock.col.location": ("库位", "Location"),
        "md.stock.detail": (
            "{code} {name} · {spec} · 单位 {unit}",
            "{code} {name} · {spec} · unit {unit}",
        ),
        "md.stock.receive_title": (
            "入库 / 调整：{code} {name}",
            "Receipt / adjustment: {code} {name}",
        ),
        "md.stock.now": (
            "现存 {on_hand} · 锁定 {locked} · 可用 {available}",
            "On hand {on_hand} · locked {locked} · available {available}",
        ),
        "md.stock.qty": ("数量", "Quantity"),
        "md.stock.qty_hint": ("正数入库，负数盘亏调整", "+ receipt, − adjustment"),
        "md.stock.reason": ("原因 / 单据", "Reason / doc no"),
        "md.stock.reason_ph": ("如 采购入库 PO-1234、盘点差异", "e.g. PO-1234 received, count"),
        "md.stock.location": ("库位", "Location"),
        "md.stock.incoming": ("在途数量", "Incoming qty"),
        "md.stock.incoming_date": ("预计到货", "Incoming date"),
        "md.stock.date_ph": ("2026-12-31", "2026-12-31"),
        "md.stock.nothing": ("没有要保存的变化", "Nothing to save"),
        "md.stock.saved": ("已记录 {code}", "Recorded for {code}"),
        "md.stock.no_role": (
            "只读：只有仓库可以入库或调整",
            "Read-only: only the warehouse records receipts",
        ),
        "md.ledger.title": ("库存流水 {code} {name}", "Stock ledger {code} {name}"),
        "md.ledger.col.at": ("时间", "When"),
        "md.ledger.col.kind": ("类型", "Kind"),
        "md.ledger.col.qty": ("数量", "Qty"),
        "md.ledger.col.note": ("说明", "Note"),
        "md.ledger.count": ("最近 {count} 笔（新在上）", "Latest {count} (newest first)"),
        "md.kind.receipt": ("入库", "receipt"),
        "md.kind.adjust": ("调整", "adjust"),
        "md.kind.lock": ("锁定", "lock"),
        "md.kind.unlock": ("解锁", "unlock"),
        "md.kind.issue": ("出库", "issue"),
        "md.kind.produce": ("完工", "produced"),
        "key.md_receive": ("入库/调整", "Receive/adjust"),
        "key.md_ledger": ("流水", "Ledger"),
    }
)

LEDGER_LIMIT = 200
MOVED_FIELDS = ("location", "incoming", "incoming_date")  # changes saved even without a qty


def signed(value: Decimal) -> str:
    return ("+" if value > 0 else "") + qty(value)


# How each kind of movement changes the figure it touches: issue and unlock are stored as
# positive amounts that take away (on hand, locked); adjust carries its own sign.
TAKES_AWAY = frozenset({"issue", "unlock"})


def movement_qty(kind: str, amount: Decimal) -> str:
    return signed(-amount if kind in TAKES_AWAY else amount)


def kind_label(kind: str, lang: str) -> str:
    from order_tui.screens.i18n import t

    key = f"md.kind.{kind}"
    return t(key, lang) if key in STRINGS else kind


class StockScreen(MdListScreen):
    """Stock by product code. `r` records a receipt or adjustment (warehouse); Enter: ledger."""

    DEFAULT_CSS = """
    StockScreen #detail {
        height: 1;
        padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "receive", "Receive/adjust", id="md_receive"),
        Binding("l", "ledger", "Ledger", id="md_ledger", show=False),
    ]

    def __init__(self, db: Database, lang: str, actor: Actor) -> None:
        super().__init__(db, lang, actor)
        self.can_edit = may(actor, "stock")
        self._ledger: LedgerScreen | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_list()
        yield Static("", id="detail", markup=False)
        yield Static("", id="status", markup=False)
        yield Footer(show_command_palette=False)

    def export_table(self) -> Any:
        """F8: the service's typed stock table (numbers, dates); the filter's hits as shown."""
        if self.filter_text:
            return super().export_table()
        from order_tui.services import exports

        return exports.stock_table(self.db, self.actor, self.lang)

    def list_title(self) -> str:
        return self.t("md.stock" if self.can_edit else "md.stock_ro")

    def enter_key(self) -> str | None:
        return "md_ledger"

    def columns(self) -> list[Column]:
        return [
            Column(self.t("md.stock.col.code"), 5),
            Column(self.t("md.stock.col.name"), 8, flex=1),
            Column(self.t("md.stock.col.on_hand"), 7, align="right"),
            Column(self.t("md.stock.col.locked"), 6, align="right"),
            Column(self.t("md.stock.col.available"), 7, align="right"),
            Column(self.t("md.stock.col.incoming"), 6, align="right"),
            Column(self.t("md.stock.col.date"), 5),
            Column(self.t("md.stock.col.location"), 8),
        ]

    def page(self, after: str | None) -> list[Any]:
        from order_tui.services import masterdata

        return masterdata.stock_page(self.db, self.actor, after, limit=50)

    def search(self, text: str) -> list[Any]:
        from order_tui.services import lookup

        return lookup.products(self.db, self.actor, text, 200)

    def row(self, item: Any) -> Row:
        this_year = date.today().year
        return Row(
            key=item.code,
            cells=(
                item.code,
                item.name,
                qty(item.on_hand),
                qty(item.locked) if item.locked else "",
                qty(item.available),
                qty(item.incoming) if item.incoming else "",
                short_day(item.incoming_date, this_year) if item.incoming else "",
                item.location,
            ),
            styles=("", "", "", "", "bold red" if item.available < 0 else "bold"),
        )

    def highlighted(self, key: str | None) -> None:
        item = self.items.get(key or "")
        text = (
            self.t(
                "md.stock.detail",
                code=item.code,
                name=item.name,
                spec=item.spec or "-",
                unit=item.unit,
            )
            if item is not None
            else ""
        )
        self.query_one("#detail", Static).update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "receive":
            return self.can_edit
        return super().check_action(action, parameters)

    def action_receive(self) -> None:
        item = self.items.get(self.table.highlighted_key or "")
        if item is None or not self.can_edit:
            return
        assert self.actor is not None
        self.app.push_screen(
            ReceiptDialog(self.db, self.lang, self.actor, item), callback=self._received
        )

    def _received(self, code: object) -> None:
        if isinstance(code, str) and self.is_attached:
            self.reload(keep=code)

    def action_ledger(self) -> None:
        item = self.items.get(self.table.highlighted_key or "")
        if item is None:
            return
        assert self.actor is not None
        self._ledger = LedgerScreen(self.db, self.lang, self.actor, item)
        self.app.push_screen(self._ledger)

    def on_screen_resume(self) -> None:
        ledger, self._ledger = self._ledger, None
        if ledger is not None and ledger.changed:  # a receipt was recorded from the ledger
            self.reload(keep=ledger.item.code)

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        if event.option_id:
            self.action_ledger()


class ReceiptDialog(MdDialog):
    """Quantity (+ receipt, − adjustment), reason, location, incoming and its date."""

    def __init__(self, db: Database, lang: str, actor: Actor, item: Any) -> None:
        super().__init__(db, lang, actor)
        self.item = item

    def compose(self) -> ComposeResult:
        item = self.item
        box = Vertical(id="dialog")
        box.border_title = self.t("md.stock.receive_title", code=item.code, name=item.name)
        with box:
            yield Static(
                self.t(
                    "md.stock.now",
                    on_hand=qty(item.on_hand),
                    locked=qty(item.locked),
                    available=qty(item.available),
                )
                + f" {item.unit}",
                markup=False,
            )
            with Vertical(classes="md-form"):
                yield from field_row(
                    "qty",
                    self.t("md.stock.qty") + " *",
                    FieldInput(
                        max_length=16, compact=True, classes="-short", restrict=r"[-+0-9.,]*"
                    ),
                    hint=self.t("md.stock.qty_hint"),
                )
                yield from field_row(
                    "note",
                    self.t("md.stock.reason") + " *",
                    FieldInput(
                        placeholder=self.t("md.stock.reason_ph"), max_length=200, compact=True
                    ),
                )
                yield from field_row(
                    "location",
                    self.t("md.stock.location"),
                    FieldInput(item.location, max_length=40, compact=True, classes="-short"),
                )
                yield from field_row(
                    "incoming",
                    self.t("md.stock.incoming"),
                    FieldInput(
                        qty(item.incoming) if item.incoming else "",
                        max_length=16,
                        compact=True,
                        classes="-short",
                    ),
                )
                yield from field_row(
                    "incoming_date",
                    self.t("md.stock.incoming_date"),
                    FieldInput(
                        item.incoming_date.isoformat() if item.incoming_date else "",
                        placeholder=self.t("md.stock.date_ph"),
                        max_length=10,
                        compact=True,
                        classes="-short",
                    ),
                )
            yield Static(self.t("md.form_keys"), id="form-status", markup=False)

    def on_mount(self) -> None:
        self.mark_clean()
        self.query_one("#f-qty", Input).focus()

    def save(self) -> None:
        from order_tui.screens.i18n import t

        lang = self.lang
        values = {k: str(v or "").strip() for k, v in self.field_values().items()}
        errors: dict[str, str] = {}
        amount = Decimal(0)
        if values["qty"]:
            try:
                amount = money.parse_quantity(values["qty"])
            except ValueError:
                errors["qty"] = t("md.err.number", lang)
        incoming: Decimal | None = None
        try:
            incoming = money.parse_quantity(values["incoming"]) if values["incoming"] else None
        except ValueError:
            errors["incoming"] = t("md.err.number", lang)
        if incoming is not None and incoming < 0:
            errors["incoming"] = t("md.err.negative", lang)
        when: date | None = None
        if values["incoming_date"]:
            try:
                when = date.fromisoformat(values["incoming_date"])
            except ValueError:
                errors["incoming_date"] = t("md.err.date", lang)
        if amount and not values["note"]:
            errors["note"] = t("md.err.reason", lang)
        clean = self._clean or {}
        moved = any(values[k] != str(clean.get(k) or "").strip() for k in MOVED_FIELDS)
        if not errors and not amount and not moved:
            errors["qty"] = t("md.stock.nothing", lang)
        if errors:
            self.show_errors(errors)
            return
        self.clear_errors()
        self.busy = True
        self.set_status(self.t("md.saving"))
        self._write(amount, values["note"], values["location"], incoming or Decimal(0), when)

    @work(thread=True, exclusive=True, group="md-save", exit_on_error=False)
    def _write(
        self, amount: Decimal, note: str, location: str, incoming: Decimal, when: date | None
    ) -> None:
        from order_tui.services import masterdata

        try:
            masterdata.receive_stock(
                self.db,
                self.actor,
                self.item.code,
                amount,
                location=location,
                incoming=incoming,
                incoming_date=when if incoming else None,
                note=note,
            )
        except Exception as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._saved)

    def _failed(self, exc: Exception) -> None:
        if not self.is_attached:
            return
        self.busy = False
        message = error_text(exc, self.lang)
        if isinstance(exc, ValidationError) and exc.field in ("qty", "note", "location"):
            self.show_errors({exc.field or "qty": message})
        else:
            self.set_status(message, error=True)

    def _saved(self) -> None:
        if not self.is_attached:
            return
        self.busy = False
        self.notify(self.t("md.stock.saved", code=self.item.code), timeout=3)
        self.dismiss(self.item.code)


class LedgerScreen(OrderScreen):
    """The latest movements of one product, newest first. `r` records one (warehouse)."""

    DEFAULT_CSS = """
    LedgerScreen #now, LedgerScreen #status {
        height: 1;
        padding: 0 1;
    }
    LedgerScreen #now {
        height: auto;
        max-height: 2;
    }
    LedgerScreen #status {
        color: $text-muted;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "receive", "Receive/adjust", id="md_receive"),
    ]
    HELP_EXTRA: ClassVar[list[tuple[str, str]]] = [("Up / Down", "key.move")]

    def __init__(self, db: Database, lang: str, actor: Actor, item: Any) -> None:
        super().__init__(db, lang, actor)
        self.item = item
        self.changed = False

    def compose(self) -> ComposeResult:
        item = self.item
        yield TitleBar(self.title_text(self.t("md.ledger.title", code=item.code, name=item.name)))
        yield Static("", id="now", markup=False)
        yield PagedTable(
            [
                Column(self.t("md.ledger.col.at"), 16),
                Column(self.t("md.ledger.col.kind"), 8),
                Column(self.t("md.ledger.col.qty"), 10, align="right"),
                Column(self.t("md.ledger.col.note"), 10, flex=1),
            ],
            empty=self.t("md.empty"),
            id="ledger",
        )
        yield Static("", id="status", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one(PagedTable)
        localize_bindings(table.options, self.lang)
        relabel(table.options, "open", None)  # rows of the ledger open nothing
        table.focus()
        self.reload()

    def reload(self) -> None:
        self.query_one("#status", Static).update(self.t("md.loading"))
        self.load()

    @work(thread=True, exclusive=True, group="ledger", exit_on_error=False)
    def load(self) -> None:
        from order_tui.services import lookup, masterdata

        try:
            rows = masterdata.movements(self.db, self.actor, self.item.code, LEDGER_LIMIT)
            hits = [
                h
                for h in lookup.products(self.db, self.actor, self.item.code, 5)
                if h.code == self.item.code
            ]
        except Exception as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._show, rows, hits[0] if hits else None)

    def _failed(self, exc: Exception) -> None:
        if self.is_attached:
            self.query_one("#status", Static).update(
                self.t("md.load_failed", error=error_text(exc, self.lang))
            )

    def _show(self, rows: list[Any], item: Any) -> None:
        if not self.is_attached:
            return
        if item is not None:
            self.item = item
        now = Text(
            self.t(
                "md.stock.now",
                on_hand=qty(self.item.on_hand),
                locked=qty(self.item.locked),
                available=qty(self.item.available),
            )
            + f" {self.item.unit}",
            style="bold",
        )
        if self.item.incoming:
            incoming = f"{self.t('md.stock.col.incoming')} {qty(self.item.incoming)}"
            if self.item.incoming_date:
                incoming += f" ({self.item.incoming_date.isoformat()})"
            now.append(" · " + incoming, style="")
        if self.item.location:
            now.append(f" · {self.t('md.stock.location')} {self.item.location}", style="")
        self.query_one("#now", Static).update(now)
        table = self.query_one(PagedTable)
        table.set_rows(
            [
                Row(
                    key=str(index),
                    cells=(
                        local_time(stamp(m.at), self.db.timezone),
                        kind_label(m.kind, self.lang),
                        movement_qty(m.kind, m.qty),
                        m.note,
                    ),
                    styles=("", "", "bold"),
                )
                for index, m in enumerate(rows)
            ],
            more=False,
        )
        self.query_one("#status", Static).update(self.t("md.ledger.count", count=len(rows)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "receive":
            return may(self.actor, "stock")
        return True

    def action_receive(self) -> None:
        assert self.actor is not None
        self.app.push_screen(
            ReceiptDialog(self.db, self.lang, self.actor, self.item), callback=self._received
        )

    def _received(self, code: object) -> None:
        if isinstance(code, str) and self.is_attached:
            self.changed = True
            self.reload()


def stamp(at: datetime) -> str:
    """The service's timestamp as ISO text; a naive one is UTC (as the store writes it)."""
    if at.tzinfo is None:
        from datetime import UTC

        at = at.replace(tzinfo=UTC)
    return at.isoformat()
