"""Step 5, logistics: the packed orders to ship and the shipment form.

The list pages by key, earliest wanted date first; an order shipped in part stays in it with
its backorder. The form takes the carrier (F4: the usual carriers and those used before),
the mode, the tracking number (not for a customer pickup), the shipping date and, per line,
the quantity in this shipment: by default everything packed and not yet shipped. A line
that is a service (not stocked) ships with the shipment that completes the goods unless a
quantity is typed for it. The line under the form says what the shipment will do to the
order before Ctrl+S asks to confirm it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Input, Static

from order_tui.domain.errors import ValidationError
from order_tui.domain.lifecycle import Action, Status, status_label
from order_tui.domain.messages import localized
from order_tui.domain.shipping import (
    PICKUP_CARRIER,
    completes,
    normalize_tracking,
    plan_shipment,
)
from order_tui.domain.terms import SHIPPING_MODES, label
from order_tui.screens.base import TitleBar
from order_tui.screens.customer_form import ConfirmDialog
from order_tui.screens.delivery_common import (
    Choice,
    ChoiceDialog,
    DeliveryForm,
    OrderListScreen,
    local_now,
    parse_date,
    parse_qty,
)
from order_tui.screens.fmt import day, qty, short_day
from order_tui.screens.i18n import register, t
from order_tui.screens.md_common import field_row
from order_tui.widgets.field_input import FieldInput
from order_tui.widgets.grouped_table import Column, Row

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor
    from order_tui.services.delivery import ShipForm, ShipLine, ShipRow

register(
    {
        "key.ship_open": ("发货", "Ship"),
        "key.ship_lookup": ("选择承运商", "Carriers"),
        "key.ship_save": ("发货", "Ship"),
        "ship.list_title": ("待发货", "To ship"),
        "ship.col.flag": ("标记", "Flag"),
        "ship.col.order": ("订单号", "Order no"),
        "ship.col.customer": ("客户", "Customer"),
        "ship.col.wanted": ("交期", "Wanted"),
        "ship.col.lines": ("行", "Lines"),
        "ship.col.note": ("发运情况", "Shipped so far"),
        "ship.note.none": ("未发", "not yet"),
        "ship.note.partial": (
            "已发 {count} 次，欠 {open} 行",
            "{count} shipment(s), {open} line(s) owed",
        ),
        "ship.flag.backorder": ("欠货", "B/O"),
        "ship.title": ("发货 {order_no}", "Ship {order_no}"),
        "ship.head": (
            "{order_no} · {customer} · {status} · 交期 {wanted}",
            "{order_no} · {customer} · {status} · wanted {wanted}",
        ),
        "ship.deliver_to": ("收货", "Deliver to"),
        "ship.packages": (
            "包装 {count} 件 {weight} kg",
            "{count} package(s), {weight} kg",
        ),
        "ship.earlier": ("已发运", "Shipped"),
        "ship.carrier": ("承运商", "Carrier"),
        "ship.carrier_ph": ("F4 选择或直接输入", "F4 to choose, or type"),
        "ship.mode": ("运输方式", "Mode"),
        "ship.tracking": ("运单号", "Tracking no"),
        "ship.tracking_pickup": ("提货凭证", "Pickup ref."),
        "ship.tracking_hint": ("如 SF1234567890", "e.g. SF1234567890"),
        "ship.tracking_hint_pickup": (
            "自提可不填（车牌、提货人等）",
            "optional: plate, who collected",
        ),
        "ship.date": ("发货日期", "Shipping date"),
        "ship.lines": (
            "本次发运数量（默认：已打包未发运的全部）",
            "Quantities in this shipment (default: all packed, not yet shipped)",
        ),
        "ship.col.no": ("#", "#"),
        "ship.col.product": ("产品 / 规格", "Product / spec"),
        "ship.col.ordered": ("订购", "Ordered"),
        "ship.col.picked": ("已拣", "Picked"),
        "ship.col.shipped": ("已发", "Shipped"),
        "ship.col.now": ("本次", "Now"),
        "ship.service": ("服务", "service"),
        "ship.service_auto": ("随货", "w/ goods"),
        "ship.done_line": ("已发完", "done"),
        "ship.preview.complete": (
            "发运后：全部发完，订单变为“已发货”",
            "After this shipment nothing is left: the order becomes Shipped",
        ),
        "ship.preview.partial": (
            "发运后：欠货 {lines} 行，订单保持“已打包”并留在待发货清单",
            "After this shipment {lines} line(s) stay owed: the order stays Packed, in this list",
        ),
        "ship.preview.bad": ("数量有误：{error}", "Check the quantities: {error}"),
        "ship.err.qty": ("第 {line} 行：请输入不小于 0 的数量", "line {line}: a quantity >= 0"),
        "ship.err.carrier": ("请填写承运商（F4 选择）", "Enter the carrier (F4 to choose)"),
        "ship.err.tracking": ("请填写运单号", "Enter the tracking number"),
        "ship.carriers_title": ("选择承运商", "Choose the carrier"),
        "ship.confirm_title": ("确认发货", "Confirm the shipment"),
        "ship.confirm": (
            "{carrier} · {mode} · {tracking} · {date}\n{lines}\n{result}",
            "{carrier} · {mode} · {tracking} · {date}\n{lines}\n{result}",
        ),
        "ship.confirm_line": ("第 {line} 行 {name} {qty}{unit}", "line {line} {name} {qty} {unit}"),
        "ship.done": (
            "订单 {order_no} 已发货：{result}",
            "Order {order_no} shipped: {result}",
        ),
        "ship.done.complete": ("全部发完", "complete"),
        "ship.done.partial": ("部分发运，欠货留在清单中", "in part, the rest stays owed"),
        "ship.help": (
            "F4 选择承运商（常用承运商和曾用过的）；运输方式为客户自提时运单号可不填。"
            "每行默认发运已打包未发运的全部数量，可改小以部分发货，未发部分作为欠货留在订单上；"
            "服务类行（不入库，如安装）不出库，默认随最后一批货一起计为已发，也可输入数量单独发。",
            "F4 lists the carriers (the usual ones and those used before); a customer pickup "
            "needs no tracking number. Each line ships all that is packed and not yet shipped "
            "unless you type less: the rest stays on the order as a backorder. Service lines "
            "(not stocked, e.g. installation) leave no stock; they count as shipped with the "
            "last goods, or type a quantity to ship them on their own.",
        ),
    }
)


def mode_label(code: str, lang: str) -> str:
    return label(SHIPPING_MODES, code, lang)


# -- the list ----------------------------------------------------------------------------------


class ShippingListScreen(OrderListScreen):
    """Packed orders, earliest wanted date first; Enter opens the shipment form."""

    HELP_NOTES: ClassVar[list[str]] = ["help.marks", "ship.help"]

    def list_title(self) -> str:
        return self.t("ship.list_title")

    def enter_key(self) -> str | None:
        return "ship_open"

    def columns(self) -> list[Column]:
        return [
            Column(self.t("ship.col.flag"), 4),
            Column(self.t("ship.col.order"), 13),
            Column(self.t("ship.col.customer"), 14, flex=3, max_width=36),
            Column(self.t("ship.col.wanted"), 5),
            Column(self.t("ship.col.lines"), 4, align="right"),
            Column(self.t("ship.col.note"), 8, flex=2),
        ]

    def fetch(self, cursor: Any, limit: int) -> list[Any]:
        from order_tui.services import delivery

        assert self.actor is not None
        return delivery.shipping_page(self.db, self.actor, cursor, limit)

    def row(self, item: Any) -> Row:
        row: ShipRow = item
        today = local_now(self, self.db.timezone).date()
        late = row.wanted_date is not None and row.wanted_date < today
        if row.on_hold:
            flag = t("home.hold_late" if late else "home.hold", self.lang)
        elif late:
            flag = t("home.late", self.lang)
        elif row.backorder:
            flag = self.t("ship.flag.backorder")
        else:
            flag = ""
        note = (
            self.t("ship.note.partial", count=row.shipments, open=row.open_lines)
            if row.shipments
            else self.t("ship.note.none")
        )
        shipped = row.lines - row.open_lines
        return Row(
            key=row.order_no,
            cells=(
                flag,
                row.order_no,
                row.customer,
                short_day(row.wanted_date, today.year),
                f"{shipped}/{row.lines}" if row.shipments else str(row.lines),
                note,
            ),
            styles=("bold reverse" if flag else "", "", "", "bold" if late else ""),
        )

    def open_order(self, order_no: str) -> None:
        assert self.actor is not None
        form = ShipmentScreen(self.db, self.lang, self.actor, order_no)
        self.app.push_screen(form, callback=lambda _result: self.reload())


# -- the form ----------------------------------------------------------------------------------


class ShipLineRow(Horizontal):
    """One order line: what was ordered, picked and shipped, and the quantity now."""

    DEFAULT_CSS = """
    ShipLineRow { height: 1; }
    ShipLineRow > Static { margin-right: 1; }
    ShipLineRow .no { width: 3; text-align: right; }
    ShipLineRow .product { width: 1fr; }
    ShipLineRow .num { width: 8; text-align: right; }
    ShipLineRow .picked, ShipLineRow .shipped { width: 7; text-align: right; }
    ShipLineRow Input { width: 9; }
    ShipLineRow .note { width: 8; margin-left: 1; color: $text-muted; }
    """

    def __init__(self, line: ShipLine | None, lang: str, *, header: bool = False) -> None:
        super().__init__(classes="-header" if header else "")
        self.line = line
        self.lang = lang
        self.header = header

    def compose(self) -> ComposeResult:
        lang = self.lang
        if self.header or self.line is None:
            for key, cls in (
                ("ship.col.no", "no"),
                ("ship.col.product", "product"),
                ("ship.col.ordered", "num"),
                ("ship.col.picked", "picked"),
                ("ship.col.shipped", "shipped"),
            ):
                yield Static(t(key, lang), classes=cls, markup=False)
            yield Static(t("ship.col.now", lang), classes="now-head", markup=False)
            yield Static("", classes="note", markup=False)
            return
        ln = self.line
        product = Text(no_wrap=True, overflow="ellipsis")
        product.append(f"{ln.product_code} {ln.name}")
        if ln.spec:
            product.append(f" {ln.spec}", style="dim")
        yield Static(str(ln.line_no), classes="no", markup=False)
        yield Static(product, classes="product")
        yield Static(f"{qty(ln.qty)}{ln.unit}", classes="num", markup=False)
        none = t("detail.none", lang)
        yield Static(qty(ln.picked_qty) if ln.stocked else none, classes="picked", markup=False)
        yield Static(qty(ln.shipped_qty), classes="shipped", markup=False)
        box = FieldInput(
            value=qty(ln.ready) if ln.stocked and ln.ready > 0 else "",
            placeholder=t("ship.service_auto", lang) if not ln.stocked else "",
            id=f"f-qty_{ln.line_no}",
            classes="md-input",
            compact=True,
            max_length=12,
            restrict=r"[0-9.０-９．]*",
            disabled=ln.ready <= 0,
        )
        yield box
        note = ""
        if ln.ready <= 0:
            note = t("ship.done_line", lang)
        elif not ln.stocked:
            note = t("ship.service", lang)
        yield Static(note, classes="note", markup=False)


class ShipmentScreen(DeliveryForm):
    """The shipment of one packed order. F4 carriers, Ctrl+S ships (after a confirmation)."""

    KIND = "ship"
    ACTION = Action.SHIP
    SAVE_KEY = "key.ship_save"
    FIRST_FIELD = "carrier"

    DEFAULT_CSS = """
    ShipmentScreen #head { height: auto; margin-bottom: 1; }
    ShipmentScreen #lines-title { margin-top: 1; text-style: bold underline; }
    ShipmentScreen .-header { text-style: bold; }
    ShipmentScreen .-header .now-head { width: 9; }
    ShipmentScreen #lines { height: auto; }
    ShipmentScreen #e-qty { margin-left: 0; }
    ShipmentScreen #preview { height: auto; margin-top: 1; text-style: bold; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f4", "lookup", "Carriers", id="ship_lookup"),
        Binding("f8", "print_receipt", "Receipt", id="dlv_receipt"),
    ]
    HELP_NOTES: ClassVar[list[str]] = ["ship.help"]

    def __init__(self, db: Database, lang: str, actor: Actor, order_no: str) -> None:
        super().__init__(db, lang, actor, order_no)
        self.data: ShipForm | None = None
        self.carriers: list[str] = []

    def compose(self) -> ComposeResult:
        yield TitleBar(self.title_text(self.t("ship.title", order_no=self.order_no)))
        with VerticalScroll(classes="md-form", id="form"):
            yield Static(self.t("dlv.loading"), id="head")
            yield from field_row(
                "carrier",
                self.t("ship.carrier") + " *",
                FieldInput(placeholder=self.t("ship.carrier_ph"), max_length=80, compact=True),
                "F4",
            )
            yield from field_row(
                "mode",
                self.t("ship.mode") + " *",
                Choice(
                    [(code, mode_label(code, self.lang)) for code in SHIPPING_MODES],
                    "parcel",
                    lang=self.lang,
                ),
            )
            yield from field_row(
                "tracking",
                self.t("ship.tracking") + " *",
                FieldInput(max_length=60, compact=True),
                self.t("ship.tracking_hint"),
            )
            yield from field_row(
                "ship_date",
                self.t("ship.date") + " *",
                FieldInput(placeholder="YYYY-MM-DD", max_length=20, compact=True, classes="-short"),
            )
            yield Static(self.t("ship.lines"), id="lines-title", markup=False)
            yield Vertical(id="lines")
            yield Static("", id="e-qty", classes="md-error", markup=False)
            yield Static("", id="preview", markup=False)
        yield Static("", id="form-status", markup=False)
        yield Footer(show_command_palette=False)

    # -- data -----------------------------------------------------------------------------

    def fetch(self) -> Any:
        from order_tui.services import delivery

        assert self.actor is not None
        form = delivery.shipping_form(self.db, self.actor, self.order_no)
        self.carriers = delivery.carriers(self.db, self.actor)
        return form

    async def show_data(self, data: Any, first: bool) -> None:
        form: ShipForm = data
        lang = self.lang
        colon = "：" if lang == "zh" else ": "
        head = Text()
        head.append(
            t(
                "ship.head",
                lang,
                order_no=form.order_no,
                customer=form.customer,
                status=status_label(Status(form.status), lang),
                wanted=day(form.wanted_date, lang),
            ),
            style="bold",
        )
        if form.on_hold:
            head.append(" " + self.t("dlv.on_hold"), style="bold reverse")
        contact = " ".join(x for x in (form.contact_name, form.contact_phone) if x)
        address = " ".join(x for x in (form.address, form.postcode) if x)
        head.append(f"\n{self.t('ship.deliver_to')}{colon}{address}  {contact}")
        if form.packages:
            pack = self.t("ship.packages", count=form.packages, weight=qty(form.weight_kg))
            head.append(f"\n{pack}" + (f" {form.package_notes}" if form.package_notes else ""))
        for s in form.shipments:
            head.append(
                f"\n{self.t('ship.earlier')} {s.seq}{colon}{s.ship_date.isoformat()} "
                f"{s.carrier} {mode_label(s.mode, lang)} {s.tracking_no}",
                style="dim",
            )
        self.query_one("#head", Static).update(head)
        if first:
            today = local_now(self, self.db.timezone).date()
            self.query_one("#f-ship_date", Input).value = today.isoformat()
            last = form.shipments[-1] if form.shipments else None
            carrier = self.query_one("#f-carrier", Input)
            if last is not None and not carrier.value.strip():  # the rest goes the same way
                carrier.value = last.carrier
                self.query_one("#f-mode", Choice).value = last.mode
        # The lines again after F5 (someone shipped meanwhile): what was typed stays.
        fields = self.query("ShipLineRow Input").results(Input)
        typed = {(field.id or ""): field.value for field in fields}
        box = self.query_one("#lines", Vertical)
        await box.remove_children()
        rows = [ShipLineRow(None, lang, header=True)]
        rows += [ShipLineRow(ln, lang) for ln in form.lines]
        await box.mount_all(rows)
        for field in self.query("ShipLineRow Input").results(Input):
            if field.id in typed and not field.disabled:
                field.value = typed[field.id]

    def after_values(self) -> None:
        self._mode_changed_to(self.query_one("#f-mode", Choice).value)
        self._preview()

    # -- the fields -----------------------------------------------------------------------

    def _lines(self) -> list[ShipLine]:
        return self.data.lines if self.data is not None else []

    def _quantities(self) -> tuple[dict[int, Decimal], dict[int, str]]:
        """The typed quantities (goods: blank is 0; services: blank is "with the goods")
        and the lines whose text is not a number."""
        wanted: dict[int, Decimal] = {}
        bad: dict[int, str] = {}
        for ln in self._lines():
            if ln.ready <= 0:
                continue
            text = self.query_one(f"#f-qty_{ln.line_no}", Input).value
            try:
                value = parse_qty(text)
            except ValueError:
                bad[ln.line_no] = text
                continue
            if value is not None:
                wanted[ln.line_no] = value
            elif ln.stocked:
                wanted[ln.line_no] = Decimal(0)
        return wanted, bad

    def _plan(self) -> tuple[dict[int, Decimal], bool]:
        """The shipment as the service will make it, and whether it completes the order;
        raises ValidationError (coded) or ValueError (a line that is not a number)."""
        wanted, bad = self._quantities()
        if bad:
            raise ValueError(min(bad))
        states = [ln.state for ln in self._lines()]
        plan = plan_shipment(states, wanted)
        return plan, completes(states, plan)

    def _preview(self) -> None:
        if self.data is None or not self.is_attached:
            return
        preview = self.query_one("#preview", Static)
        try:
            plan, complete = self._plan()
        except ValueError as exc:
            text = self.t("ship.err.qty", line=exc.args[0])
            preview.update(self.t("ship.preview.bad", error=text))
            return
        except ValidationError as exc:
            preview.update(self.t("ship.preview.bad", error=localized(exc, self.lang)))
            return
        if complete:
            preview.update(self.t("ship.preview.complete"))
            return
        owed = sum(
            ln.shipped_qty + plan.get(ln.line_no, Decimal(0)) < ln.qty for ln in self._lines()
        )
        preview.update(self.t("ship.preview.partial", lines=owed))

    @on(Input.Changed, "ShipLineRow Input")
    def _qty_changed(self, event: Input.Changed) -> None:
        self._preview()

    @on(Choice.Changed, "#f-mode")
    def _mode_changed(self, event: Choice.Changed) -> None:
        self._mode_changed_to(event.value)

    def _mode_changed_to(self, mode: str) -> None:
        pickup = mode == "pickup"
        row = self.query_one("#f-tracking").parent
        assert row is not None
        labels = list(row.query(".md-label").results(Static))
        hints = list(row.query(".md-hint").results(Static))
        if labels:
            name = self.t("ship.tracking_pickup") if pickup else self.t("ship.tracking") + " *"
            labels[0].update(name)
        if hints:
            hints[0].update(self.t("ship.tracking_hint_pickup" if pickup else "ship.tracking_hint"))
        carrier = self.query_one("#f-carrier", Input)
        if pickup and not carrier.value.strip():
            carrier.value = PICKUP_CARRIER

    def action_lookup(self) -> None:
        """F4: the carriers to choose from (the usual ones, then those used before)."""
        carrier = self.query_one("#f-carrier", Input)

        def picked(value: str | None) -> None:
            if value:
                carrier.value = value
                if value == PICKUP_CARRIER:
                    self.query_one("#f-mode", Choice).value = "pickup"
                self.query_one("#f-mode", Choice).focus()

        choices = [(name, name) for name in self.carriers]
        self.app.push_screen(
            ChoiceDialog(self.lang, self.t("ship.carriers_title"), choices, carrier.value.strip()),
            picked,
        )

    # -- Ctrl+S -----------------------------------------------------------------------------

    def save(self) -> None:
        form = self.data
        if form is None or self.blocked():
            return
        values = self.field_values()
        mode = str(values.get("mode") or "parcel")
        carrier = str(values.get("carrier") or "").strip()
        tracking = str(values.get("tracking") or "").strip()
        errors: dict[str, str] = {}
        if not carrier and mode != "pickup":
            errors["carrier"] = self.t("ship.err.carrier")
        if not tracking and mode != "pickup":
            errors["tracking"] = self.t("ship.err.tracking")
        elif mode != "pickup":
            try:
                tracking = normalize_tracking(tracking)
            except ValidationError as exc:
                errors["tracking"] = localized(exc, self.lang)
        today = local_now(self, self.db.timezone).date()
        try:
            day = parse_date(str(values.get("ship_date") or ""), today) or today
        except ValueError:
            errors["ship_date"] = self.t("dlv.bad_date")
            day = today
        self.clear_errors()
        try:
            plan, complete = self._plan()
        except ValueError as exc:
            self._qty_error(int(exc.args[0]), self.t("ship.err.qty", line=exc.args[0]))
            return
        except ValidationError as exc:
            self._qty_error(exc.params.get("line"), localized(exc, self.lang))
            return
        if errors:
            self.show_errors(errors)
            return
        wanted, _ = self._quantities()
        names = {ln.line_no: ln for ln in form.lines}
        lines = "\n".join(
            self.t(
                "ship.confirm_line",
                line=no,
                name=names[no].name,
                qty=qty(value),
                unit=names[no].unit,
            )
            for no, value in sorted(plan.items())
        )
        result = self.t("ship.preview.complete") if complete else self._partial_text(plan)
        message = self.t(
            "ship.confirm",
            carrier=carrier or PICKUP_CARRIER,
            mode=mode_label(mode, self.lang),
            tracking=tracking or self.t("detail.none"),
            date=day.isoformat(),
            lines=lines,
            result=result,
        )

        def answered(answer: str | None) -> None:
            if answer == "yes":
                self._ship(carrier, mode, tracking, day, wanted, complete)

        self.app.push_screen(
            ConfirmDialog(self.lang, self.t("ship.confirm_title"), message), answered
        )

    def _partial_text(self, plan: dict[int, Decimal]) -> str:
        owed = sum(
            ln.shipped_qty + plan.get(ln.line_no, Decimal(0)) < ln.qty for ln in self._lines()
        )
        return self.t("ship.preview.partial", lines=owed)

    def _qty_error(self, line: object, message: str) -> None:
        error = self.query_one("#e-qty", Static)
        error.update(message)
        error.add_class("-shown")
        self.set_status(t("md.fix_errors", self.lang), error=True)
        found = self.query(f"#f-qty_{line}")
        if found:
            found.first(Input).focus()

    def _ship(
        self,
        carrier: str,
        mode: str,
        tracking: str,
        day: Any,
        wanted: dict[int, Decimal],
        complete: bool,
    ) -> None:
        from order_tui.services import delivery

        def change(actor: Actor, version: int) -> Any:
            return delivery.ship(
                self.db,
                actor,
                self.order_no,
                carrier=carrier,
                mode=mode,
                tracking_no=tracking,
                ship_date=day,
                quantities=wanted,
                expected_version=version,
            )

        def done(detail: Any) -> None:
            result = "ship.done.complete" if detail.status == "shipped" else "ship.done.partial"
            self.notify(self.t("ship.done", order_no=self.order_no, result=self.t(result)))

        def refused(exc: Exception) -> None:
            if isinstance(exc, ValidationError) and exc.field == "qty":
                self.busy = False
                self.refresh_bindings()
                self._qty_error(exc.params.get("line"), localized(exc, self.lang))
                return
            self.failed(exc)

        self.write(change, done, refused)
