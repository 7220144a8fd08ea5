"""Step 5: shipments (partial allowed), customer sign-off, the 24-hour feedback call.

Shipping: goods ship from what the warehouse picked; what is not shipped stays on the order
as a backorder and the order stays `packed` until nothing is left, then it is `shipped`.
Lines whose product is not stocked (services such as installation) are never issued from
stock and need no pick: unless named in the shipment they ship with the one that completes
the goods (`domain.shipping.plan_shipment`).

Sign-off: all three checks confirmed and the signed receipt attached -> `delivered`, and the
feedback call falls due 24 hours after the signing time. A discrepancy raises a hold (kind
"discrepancy") instead; the order stays `shipped` until the clerk releases the hold and the
delivery is signed for again.

Feedback: recording a call that reached the customer closes it; a call that did not reach
them is kept open with the attempt on record (the audit trail counts the attempts).
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlmodel import Session

from order_tui.domain import messages
from order_tui.domain.errors import PermissionDenied, ValidationError
from order_tui.domain.lifecycle import Action, Status
from order_tui.domain.order_numbers import business_day
from order_tui.domain.roles import ROLE_LABELS, Role
from order_tui.domain.shipping import (
    PICKUP_CARRIER,
    SATISFACTION,
    LineState,
    carrier_choices,
    completes,
    normalize_tracking,
    plan_shipment,
)
from order_tui.domain.terms import FEEDBACK_DUE_HOURS, SHIPPING_MODES
from order_tui.services import views
from order_tui.services.attachments import MAX_BYTES, attach_in_session
from order_tui.services.common import Actor, authorize, move, now_utc, require_read, today
from order_tui.services.execution import raise_hold_in_session
from order_tui.store import delivery_queries as dq
from order_tui.store import repo
from order_tui.store.engine import Database
from order_tui.store.models import (
    Feedback,
    OrderLine,
    SalesOrder,
    Shipment,
    ShipmentLine,
    SignOff,
    StockMovement,
)

messages.register(
    {
        "delivery.needs_role": ("{what}需要以下角色：{roles}", "{what} needs role: {roles}"),
        "delivery.too_long": (
            "{what}最多 {most} 个字符",
            "{what} can be at most {most} characters",
        ),
        "ship.carrier_required": ("请填写承运商", "carrier is required"),
        "ship.mode_unknown": (
            "运输方式须为：{modes}",
            "the mode must be one of: {modes}",
        ),
        "ship.tracking_required": (
            "请填写运单号（客户自提除外）",
            "the tracking number is required (except customer pickup)",
        ),
        "ship.date_future": (
            "发货日期不能晚于今天（{today}）",
            "the shipping date cannot be after today ({today})",
        ),
        "ship.date_before_order": (
            "发货日期不能早于下单日（{day}）",
            "the shipping date cannot be before the order date ({day})",
        ),
        "signoff.signer_required": ("请填写签收人", "the signer's name is required"),
        "signoff.discrepancy_required": (
            "有异常项时请说明异常情况",
            "describe the discrepancy",
        ),
        "signoff.receipt_required": (
            "三项均确认时须附上签收单（扫描件或照片）",
            "attach the signed receipt (a scan or photo) to confirm the delivery",
        ),
        "signoff.receipt_missing": ("找不到文件：{path}", "file not found: {path}"),
        "signoff.receipt_too_big": (
            "签收单文件超过 {mb} MB",
            "the receipt file is larger than {mb} MB",
        ),
        "signoff.time_future": (
            "签收时间不能晚于现在",
            "the signing time cannot be in the future",
        ),
        "signoff.time_before_ship": (
            "签收时间不能早于发货日期（{day}）",
            "the signing time cannot be before the shipping date ({day})",
        ),
        "feedback.none_due": ("该订单没有待回访的记录", "no feedback call is due for this order"),
        "feedback.closed": (
            "该订单的回访已于 {when} 记录完毕",
            "the feedback call was already recorded at {when}",
        ),
        "feedback.satisfaction_range": (
            "满意度须为 1 到 5",
            "satisfaction must be 1 to 5",
        ),
        "feedback.unreached_rating": (
            "未接通时不能填写满意度或售后",
            "a call that did not reach the customer has no rating or after-sales",
        ),
        "feedback.after_sales_text": (
            "需要售后时请说明售后要做什么",
            "describe what after-sales must do",
        ),
    }
)

# Who may see the lists (the lifecycle table says who may act; these only read).
SHIPPING_VIEWERS = frozenset({Role.LOGISTICS, Role.WAREHOUSE, Role.SALES_CLERK, Role.SALES_MANAGER})
SIGN_OFF_VIEWERS = frozenset({Role.LOGISTICS, Role.SALES_REP, Role.SALES_CLERK, Role.SALES_MANAGER})
FEEDBACK_VIEWERS = frozenset({Role.SALES_REP, Role.SALES_MANAGER})
AFTER_SALES_VIEWERS = frozenset({Role.SALES_MANAGER, Role.SALES_REP})

CLOCK_SKEW = timedelta(minutes=5)  # a signing time this far ahead of the server is a typo
SIGNER_MAX = 80
TEXT_MAX = 2000
CARRIER_MAX = 80
REFERENCE_MAX = 60

_WHAT: dict[str, tuple[str, str]] = {
    "shipping": ("查看发货", "Viewing shipments"),
    "sign_off": ("查看签收", "Viewing sign-offs"),
    "feedback": ("查看回访", "Viewing feedback calls"),
    "after_sales_list": ("查看售后清单", "Viewing the after-sales list"),
    "carrier": ("承运商", "The carrier"),
    "tracking": ("运单号", "The tracking number"),
    "signer": ("签收人", "The signer's name"),
    "discrepancy": ("异常说明", "The discrepancy"),
    "remarks": ("备注", "The remarks"),
    "after_sales": ("售后说明", "The after-sales description"),
}


def _require(actor: Actor, roles: frozenset[Role], what: str) -> None:
    if not actor.roles & roles:
        ordered = sorted(roles)
        names = ("、".join(ROLE_LABELS[r][0] for r in ordered), ", ".join(r.value for r in ordered))
        raise PermissionDenied(code="delivery.needs_role", what=_WHAT[what], roles=names)


def _text(value: str, name: str, most: int) -> str:
    value = value.strip()
    if len(value) > most:
        raise ValidationError(code="delivery.too_long", field=name, what=_WHAT[name], most=most)
    return value


# -- views -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShipLine:
    line_no: int
    product_code: str
    name: str
    spec: str
    unit: str
    qty: Decimal
    picked_qty: Decimal
    shipped_qty: Decimal
    stocked: bool

    @property
    def state(self) -> LineState:
        return LineState(self.line_no, self.qty, self.picked_qty, self.shipped_qty, self.stocked)

    @property
    def ready(self) -> Decimal:
        return self.state.ready

    @property
    def backorder(self) -> Decimal:
        return self.state.backorder


@dataclass(frozen=True)
class ShipmentView:
    seq: int
    carrier: str
    mode: str
    tracking_no: str
    ship_date: date
    shipped_by: str
    lines: dict[int, Decimal]  # line number -> quantity


@dataclass(frozen=True)
class ShipRow:
    """A row of the shipping list: a packed order, perhaps partly shipped already."""

    order_no: str
    customer: str
    order_day: date
    wanted_date: date | None
    on_hold: bool
    lines: int
    open_lines: int  # lines with something still to ship
    shipments: int
    cursor: tuple[date, date, int]

    @property
    def backorder(self) -> bool:
        return self.shipments > 0 and self.open_lines > 0


@dataclass(frozen=True)
class ShipForm:
    order_no: str
    status: str
    version: int
    on_hold: bool
    customer: str
    address: str
    postcode: str
    contact_name: str
    contact_phone: str
    order_day: date
    wanted_date: date | None
    lines: list[ShipLine]
    shipments: list[ShipmentView]
    packages: int
    weight_kg: Decimal
    package_notes: str
    holds: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    designated: bool  # the order's delivery contact


@dataclass(frozen=True)
class SignOffView:
    signer: str
    signed_at: datetime
    checks: dict[str, bool]
    discrepancy: str
    recorded_by: str
    receipt: str  # the attached file's original name, "" when none


@dataclass(frozen=True)
class SignOffForm:
    order_no: str
    status: str
    version: int
    on_hold: bool
    customer: str
    address: str
    contacts: list[Contact]
    lines: list[ShipLine]
    shipments: list[ShipmentView]
    sign_offs: list[SignOffView]
    holds: list[str]
    last_ship_date: date | None


@dataclass(frozen=True)
class Attempt:
    at: datetime
    by: str
    reached: bool
    remarks: str


@dataclass(frozen=True)
class FeedbackCall:
    """A row of the feedback queue."""

    order_no: str
    customer: str
    contact_name: str
    contact_phone: str
    delivered_at: datetime | None
    due_at: datetime
    overdue: bool
    attempts: int
    last_attempt_at: datetime | None
    last_remarks: str
    cursor: tuple[datetime, int]


@dataclass(frozen=True)
class FeedbackForm:
    order_no: str
    status: str
    version: int
    customer: str
    contact_name: str
    contact_phone: str
    signer: str
    delivered_at: datetime | None
    due_at: datetime
    done_at: datetime | None
    reached: bool | None
    satisfaction: int | None
    remarks: str
    after_sales_needed: bool
    after_sales: str
    attempts: list[Attempt]

    @property
    def closed(self) -> bool:
        return self.done_at is not None


@dataclass(frozen=True)
class AfterSalesRow:
    order_no: str
    customer: str
    contact_name: str
    contact_phone: str
    done_at: datetime
    satisfaction: int | None
    after_sales: str
    remarks: str
    recorded_by: str
    cursor: tuple[datetime, int]


def _ship_lines(session: Session, lines: list[OrderLine]) -> list[ShipLine]:
    stocked = dq.stocked_flags(session, [ln.product_id for ln in lines])
    return [
        ShipLine(
            line_no=ln.line_no,
            product_code=ln.product_code,
            name=ln.name,
            spec=ln.spec,
            unit=ln.unit,
            qty=ln.qty,
            picked_qty=ln.picked_qty,
            shipped_qty=ln.shipped_qty,
            stocked=stocked.get(ln.product_id, True),
        )
        for ln in lines
    ]


def _shipments(session: Session, order: SalesOrder, lines: list[OrderLine]) -> list[ShipmentView]:
    line_no = {ln.id: ln.line_no for ln in lines}
    shipments = dq.shipments_of(session, order.id or 0)
    names = dq.operator_names(session, [s.shipped_by for s, _ in shipments])
    return [
        ShipmentView(
            seq=seq,
            carrier=s.carrier,
            mode=s.mode,
            tracking_no=s.tracking_no,
            ship_date=s.ship_date,
            shipped_by=names.get(s.shipped_by, ""),
            lines={line_no.get(sl.line_id, 0): sl.qty for sl in items},
        )
        for seq, (s, items) in enumerate(shipments, start=1)
    ]


def _hold_texts(session: Session, order: SalesOrder) -> list[str]:
    return [h.description for h in repo.open_holds(session, order.id or 0)]


# -- shipping --------------------------------------------------------------------------------


def shipping_page(
    db: Database,
    actor: Actor,
    after: tuple[date, date, int] | None = None,
    limit: int = 50,
) -> list[ShipRow]:
    """Packed orders waiting for (the rest of) their shipment, earliest wanted date first."""
    _require(actor, SHIPPING_VIEWERS, "shipping")
    with db.reading() as session:
        orders = dq.orders_to_ship(session, after, limit)
        ids = [o.id for o in orders if o.id is not None]
        lines: dict[int, list[OrderLine]] = {i: [] for i in ids}
        for ln in dq.lines_of_orders(session, ids):
            lines[ln.order_id].append(ln)
        counts = dq.shipment_counts(session, ids)
        return [
            ShipRow(
                order_no=o.order_no,
                customer=o.cust_name,
                order_day=o.order_day,
                wanted_date=o.wanted_date,
                on_hold=o.on_hold,
                lines=len(lines[o.id or 0]),
                open_lines=sum(ln.shipped_qty < ln.qty for ln in lines[o.id or 0]),
                shipments=counts.get(o.id or 0, 0),
                cursor=(o.wanted_date or dq.NO_DATE, o.order_day, o.serial),
            )
            for o in orders
        ]


def shipping_form(db: Database, actor: Actor, order_no: str) -> ShipForm:
    """What the shipment form shows: lines with what is ready, earlier shipments, packages."""
    _require(actor, SHIPPING_VIEWERS, "shipping")
    with db.reading() as session:
        order = repo.get_order(session, order_no)
        lines = repo.order_lines(session, order.id or 0)
        packages = dq.packages_of(session, order.id or 0)
        return ShipForm(
            order_no=order.order_no,
            status=order.status,
            version=order.version,
            on_hold=order.on_hold,
            customer=order.cust_name,
            address=order.cust_address,
            postcode=order.cust_postcode,
            contact_name=order.contact_name,
            contact_phone=order.contact_phone,
            order_day=order.order_day,
            wanted_date=order.wanted_date,
            lines=_ship_lines(session, lines),
            shipments=_shipments(session, order, lines),
            packages=sum(p.count for p in packages),
            weight_kg=sum((p.weight_kg for p in packages), Decimal(0)),
            package_notes="；".join(p.notes for p in packages if p.notes),
            holds=_hold_texts(session, order),
        )


def carriers(db: Database, actor: Actor) -> list[str]:
    """The carriers F4 offers: the defaults, then those typed on earlier shipments."""
    require_read(actor, "orders")
    with db.reading() as session:
        return carrier_choices(dq.used_carriers(session))


def _shipment_header(carrier: str, mode: str, tracking_no: str) -> tuple[str, str]:
    """The carrier and tracking number as stored, or the coded reason why not."""
    if mode not in SHIPPING_MODES:
        modes = (
            "、".join(zh for zh, _ in SHIPPING_MODES.values()),
            ", ".join(SHIPPING_MODES),
        )
        raise ValidationError(code="ship.mode_unknown", field="mode", modes=modes)
    carrier = _text(carrier, "carrier", CARRIER_MAX)
    if not carrier and mode == "pickup":
        carrier = PICKUP_CARRIER
    if not carrier:
        raise ValidationError(code="ship.carrier_required", field="carrier")
    if mode == "pickup":
        # A pickup's reference is whatever the customer's driver shows: a plate, an ID.
        return carrier, _text(tracking_no, "tracking", REFERENCE_MAX)
    if not tracking_no.strip():
        raise ValidationError(code="ship.tracking_required", field="tracking")
    return carrier, normalize_tracking(tracking_no)


def ship(
    db: Database,
    actor: Actor,
    order_no: str,
    *,
    carrier: str,
    mode: str,
    tracking_no: str = "",
    ship_date: date | None = None,
    quantities: Mapping[int, Decimal] | None = None,
    expected_version: int | None = None,
) -> views.OrderDetail:
    """Ship some or all packed goods; the order is `shipped` only when nothing is left.

    `quantities` maps line numbers to what this shipment takes; None ships everything that
    is packed and not yet shipped. Goods are issued from stock (on hand and locked both go
    down); lines that are not stocked are not (see `plan_shipment` for when they ship).
    """
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, Action.SHIP, expected_version)
        assert order.id is not None
        carrier, tracking_no = _shipment_header(carrier, mode, tracking_no)
        day = today(db)
        ship_date = ship_date or day
        if ship_date > day:
            raise ValidationError(code="ship.date_future", field="ship_date", today=day.isoformat())
        if ship_date < order.order_day:
            raise ValidationError(
                code="ship.date_before_order", field="ship_date", day=order.order_day.isoformat()
            )
        lines = repo.order_lines(session, order.id)
        states = [ln.state for ln in _ship_lines(session, lines)]
        plan = plan_shipment(states, quantities)
        stocked = {s.line_no: s.stocked for s in states}
        shipment = Shipment(
            order_id=order.id,
            carrier=carrier,
            mode=mode,
            tracking_no=tracking_no,
            ship_date=ship_date,
            shipped_by=actor.id,
            shipped_at=now_utc(),
        )
        session.add(shipment)
        session.flush()
        assert shipment.id is not None
        by_no = {ln.line_no: ln for ln in lines}
        for no, qty in sorted(plan.items()):
            line = by_no[no]
            if stocked[no]:
                stock = repo.stock_for(session, line.product_id)
                stock.on_hand -= qty
                stock.locked -= qty
                stock.version += 1
                session.add(
                    StockMovement(
                        product_id=line.product_id,
                        order_id=order.id,
                        kind="issue",
                        qty=qty,
                        at=now_utc(),
                        operator_id=actor.id,
                        note=order.order_no,
                    )
                )
            session.add(ShipmentLine(shipment_id=shipment.id, line_id=line.id or 0, qty=qty))
            line.shipped_qty += qty
        complete = completes(states, plan)
        backorder = {
            str(s.line_no): str(s.qty - s.shipped - plan.get(s.line_no, Decimal(0)))
            for s in states
            if s.shipped + plan.get(s.line_no, Decimal(0)) < s.qty
        }
        move(
            session,
            actor,
            order,
            Action.SHIP,
            Status.SHIPPED if complete else Status.PACKED,
            changes={
                "carrier": carrier,
                "mode": mode,
                "tracking_no": tracking_no,
                "ship_date": ship_date,
                "lines": {str(no): str(qty) for no, qty in sorted(plan.items())},
                "backorder": backorder,
            },
        )
        session.flush()
        session.refresh(order)
        return views.detail(session, order)


# -- sign-off --------------------------------------------------------------------------------


def _contacts(session: Session, order: SalesOrder) -> list[Contact]:
    """The order's delivery contact first, then the customer's other contacts."""
    out: list[Contact] = []
    if order.contact_name.strip():
        out.append(Contact(order.contact_name, order.contact_phone, True))
    for c in repo.contacts_of(session, order.customer_id):
        if all(c.name != known.name for known in out):
            out.append(Contact(c.name, c.phone, False))
    return out


def sign_off_form(db: Database, actor: Actor, order_no: str) -> SignOffForm:
    _require(actor, SIGN_OFF_VIEWERS, "sign_off")
    with db.reading() as session:
        order = repo.get_order(session, order_no)
        assert order.id is not None
        lines = repo.order_lines(session, order.id)
        shipments = _shipments(session, order, lines)
        records = dq.sign_offs_of(session, order.id)
        names = dq.operator_names(session, [r.recorded_by for r in records])
        files = {a.id: a.original_name for a in repo.attachments_of(session, order.id)}
        return SignOffForm(
            order_no=order.order_no,
            status=order.status,
            version=order.version,
            on_hold=order.on_hold,
            customer=order.cust_name,
            address=" ".join(x for x in (order.cust_address, order.cust_postcode) if x),
            contacts=_contacts(session, order),
            lines=_ship_lines(session, lines),
            shipments=shipments,
            sign_offs=[
                SignOffView(
                    signer=r.signer_name,
                    signed_at=r.signed_at,
                    checks={
                        "qty": r.qty_ok,
                        "appearance": r.appearance_ok,
                        "packaging": r.packaging_ok,
                    },
                    discrepancy=r.discrepancy,
                    recorded_by=names.get(r.recorded_by, ""),
                    receipt=files.get(r.receipt_attachment_id, ""),
                )
                for r in records
            ],
            holds=_hold_texts(session, order),
            last_ship_date=max((s.ship_date for s in shipments), default=None),
        )


def _check_receipt(receipt: Path) -> Path:
    path = Path(receipt).expanduser()
    if not path.is_file():
        raise ValidationError(code="signoff.receipt_missing", field="receipt", path=str(receipt))
    if path.stat().st_size > MAX_BYTES:
        raise ValidationError(
            code="signoff.receipt_too_big", field="receipt", mb=MAX_BYTES // 2**20
        )
    return path


def sign_off(
    db: Database,
    actor: Actor,
    order_no: str,
    *,
    signer: str,
    qty_ok: bool,
    appearance_ok: bool,
    packaging_ok: bool,
    receipt: Path | None = None,
    discrepancy: str = "",
    signed_at: datetime | None = None,
    expected_version: int | None = None,
) -> views.OrderDetail:
    """All three checks confirmed and the receipt attached -> delivered, with the feedback
    call due 24 hours after `signed_at`; any discrepancy -> a hold, the order stays shipped.

    The receipt is required to confirm the delivery; with a discrepancy it is attached when
    given (the customer may sign the receipt with a remark).
    """
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, Action.SIGN_OFF, expected_version)
        assert order.id is not None
        signer = _text(signer, "signer", SIGNER_MAX)
        if not signer:
            raise ValidationError(code="signoff.signer_required", field="signer")
        all_ok = qty_ok and appearance_ok and packaging_ok
        discrepancy = _text(discrepancy, "discrepancy", TEXT_MAX)
        if not all_ok and not discrepancy:
            raise ValidationError(code="signoff.discrepancy_required", field="discrepancy")
        if all_ok and receipt is None:
            raise ValidationError(code="signoff.receipt_required", field="receipt")
        source = _check_receipt(receipt) if receipt is not None else None
        now = now_utc()
        when = signed_at or now
        if when > now + CLOCK_SKEW:
            raise ValidationError(code="signoff.time_future", field="signed_at")
        shipped_on = [s.ship_date for s, _ in dq.shipments_of(session, order.id)]
        if shipped_on and business_day(when, db.timezone) < max(shipped_on):
            raise ValidationError(
                code="signoff.time_before_ship", field="signed_at", day=max(shipped_on).isoformat()
            )
        attachment = (
            attach_in_session(session, db, actor, order, source, "signed_receipt")
            if source is not None
            else None
        )
        session.add(
            SignOff(
                order_id=order.id,
                signer_name=signer,
                signed_at=when,
                qty_ok=qty_ok,
                appearance_ok=appearance_ok,
                packaging_ok=packaging_ok,
                discrepancy=discrepancy,
                receipt_attachment_id=attachment.id if attachment else None,
                recorded_by=actor.id,
                recorded_at=now_utc(),
            )
        )
        checks = {"qty": qty_ok, "appearance": appearance_ok, "packaging": packaging_ok}
        if all_ok:
            move(
                session,
                actor,
                order,
                Action.SIGN_OFF,
                Status.DELIVERED,
                values={"delivered_at": when},
                changes={"signer": signer, "signed_at": when, "checks": checks},
            )
            session.add(
                Feedback(order_id=order.id, due_at=when + timedelta(hours=FEEDBACK_DUE_HOURS))
            )
        else:
            move(
                session,
                actor,
                order,
                Action.SIGN_OFF,
                Status.SHIPPED,
                changes={
                    "signer": signer,
                    "signed_at": when,
                    "checks": checks,
                    "discrepancy": discrepancy,
                },
            )
            session.refresh(order)
            raise_hold_in_session(session, actor, order, "discrepancy", discrepancy, owner=None)
        session.flush()
        session.refresh(order)
        return views.detail(session, order)


# -- feedback --------------------------------------------------------------------------------


def _attempts(session: Session, order_nos: list[str]) -> dict[str, list[Attempt]]:
    events = dq.feedback_events(session, order_nos)
    names = dq.operator_names(session, [e.operator_id for evs in events.values() for e in evs])
    out: dict[str, list[Attempt]] = {}
    for no, evs in events.items():
        out[no] = []
        for e in evs:
            changes = json.loads(e.changes) if e.changes else {}
            out[no].append(
                Attempt(
                    at=e.at,
                    by=names.get(e.operator_id or 0, e.operator_name),
                    reached=bool(changes.get("reached")),
                    remarks=str(changes.get("remarks") or ""),
                )
            )
    return out


def feedback_page(
    db: Database,
    actor: Actor,
    after: tuple[datetime, int] | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> list[FeedbackCall]:
    """Open feedback calls, earliest due first; `overdue` against `now` (default: the clock)."""
    _require(actor, FEEDBACK_VIEWERS, "feedback")
    now = now or now_utc()
    with db.reading() as session:
        rows = dq.open_feedback_page(session, after, limit)
        attempts = _attempts(session, [order.order_no for _, order in rows])
        out = []
        for fb, order in rows:
            tried = [a for a in attempts.get(order.order_no, []) if not a.reached]
            out.append(
                FeedbackCall(
                    order_no=order.order_no,
                    customer=order.cust_name,
                    contact_name=order.contact_name,
                    contact_phone=order.contact_phone,
                    delivered_at=order.delivered_at,
                    due_at=fb.due_at,
                    overdue=fb.due_at < now,
                    attempts=len(tried),
                    last_attempt_at=tried[-1].at if tried else None,
                    last_remarks=tried[-1].remarks if tried else "",
                    cursor=(fb.due_at, fb.id or 0),
                )
            )
        return out


def feedback_queue(db: Database, actor: Actor, limit: int = 100) -> list[dict[str, object]]:
    """The open calls as plain dicts (the command line's `--mine` and scripts)."""
    require_read(actor, "orders")
    now = now_utc()
    with db.reading() as session:
        return [
            {
                "order_no": no,
                "due_at": fb.due_at,
                "overdue": fb.due_at < now,
                "attempted": fb.reached is False,
            }
            for fb, no in repo.feedback_due(session, now, limit)
        ]


def feedback_form(db: Database, actor: Actor, order_no: str) -> FeedbackForm:
    _require(actor, FEEDBACK_VIEWERS, "feedback")
    with db.reading() as session:
        order = repo.get_order(session, order_no)
        assert order.id is not None
        fb = repo.feedback_of(session, order.id)
        if fb is None:
            raise ValidationError(code="feedback.none_due", field="feedback")
        records = dq.sign_offs_of(session, order.id)
        return FeedbackForm(
            order_no=order.order_no,
            status=order.status,
            version=order.version,
            customer=order.cust_name,
            contact_name=order.contact_name,
            contact_phone=order.contact_phone,
            signer=records[-1].signer_name if records else "",
            delivered_at=order.delivered_at,
            due_at=fb.due_at,
            done_at=fb.done_at,
            reached=fb.reached,
            satisfaction=fb.satisfaction,
            remarks=fb.remarks,
            after_sales_needed=fb.after_sales_needed,
            after_sales=fb.after_sales,
            attempts=_attempts(session, [order.order_no])[order.order_no],
        )


def record_feedback(
    db: Database,
    actor: Actor,
    order_no: str,
    *,
    reached: bool,
    satisfaction: int | None = None,
    remarks: str = "",
    after_sales_needed: bool = False,
    after_sales: str = "",
    expected_version: int | None = None,
) -> bool:
    """Record a feedback call; returns True when it closed the call.

    Reached: the satisfaction (1-5) is required, an after-sales need requires its
    description, and the call is closed. Not reached: the attempt (who, when, remarks) is
    recorded and the call stays open in the queue, as due as before. A closed call may be
    recorded again as reached (a correction, audited as such; it keeps its closing time),
    never reopened.
    """
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, Action.RECORD_FEEDBACK, expected_version)
        remarks = _text(remarks, "remarks", TEXT_MAX)
        after_sales = _text(after_sales, "after_sales", TEXT_MAX)
        if reached and (satisfaction is None or satisfaction not in SATISFACTION):
            raise ValidationError(code="feedback.satisfaction_range", field="satisfaction")
        if not reached and (satisfaction is not None or after_sales_needed):
            raise ValidationError(code="feedback.unreached_rating", field="reached")
        if after_sales_needed and not after_sales:
            raise ValidationError(code="feedback.after_sales_text", field="after_sales")
        feedback = repo.feedback_of(session, order.id or 0)
        if feedback is None:
            raise ValidationError(code="feedback.none_due", field="feedback")
        correction = feedback.done_at is not None
        if correction and not reached:
            assert feedback.done_at is not None
            when = business_day(feedback.done_at, db.timezone).isoformat()
            raise ValidationError(code="feedback.closed", field="reached", when=when)
        feedback.reached = reached
        feedback.remarks = remarks
        feedback.recorded_by = actor.id
        if reached:
            feedback.done_at = feedback.done_at or now_utc()
            feedback.satisfaction = satisfaction
            feedback.after_sales_needed = after_sales_needed
            feedback.after_sales = after_sales if after_sales_needed else ""
        move(
            session,
            actor,
            order,
            Action.RECORD_FEEDBACK,
            None,
            changes={
                "reached": reached,
                "satisfaction": satisfaction,
                "remarks": remarks,
                "after_sales": after_sales if after_sales_needed else "",
                **({"correction": True} if correction else {}),
            },
        )
        return reached


def after_sales_page(
    db: Database, actor: Actor, after: tuple[datetime, int] | None = None, limit: int = 50
) -> list[AfterSalesRow]:
    """Orders whose feedback asked for after-sales, the newest call first (sales manager)."""
    _require(actor, AFTER_SALES_VIEWERS, "after_sales_list")
    with db.reading() as session:
        rows = dq.after_sales_page(session, after, limit)
        names = dq.operator_names(session, [fb.recorded_by for fb, _ in rows])
        return [
            AfterSalesRow(
                order_no=order.order_no,
                customer=order.cust_name,
                contact_name=order.contact_name,
                contact_phone=order.contact_phone,
                done_at=fb.done_at or fb.due_at,
                satisfaction=fb.satisfaction,
                after_sales=fb.after_sales,
                remarks=fb.remarks,
                recorded_by=names.get(fb.recorded_by or 0, ""),
                cursor=(fb.done_at or fb.due_at, fb.id or 0),
            )
            for fb, order in rows
        ]


__all__ = [
    "AfterSalesRow",
    "Attempt",
    "Contact",
    "FeedbackCall",
    "FeedbackForm",
    "ShipForm",
    "ShipLine",
    "ShipRow",
    "ShipmentView",
    "SignOffForm",
    "SignOffView",
    "after_sales_page",
    "carriers",
    "feedback_form",
    "feedback_page",
    "feedback_queue",
    "record_feedback",
    "ship",
    "shipping_form",
    "shipping_page",
    "sign_off",
    "sign_off_form",
]
