"""Plain read results for the UI and the command line: no ORM objects leave the services."""

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from order_tui.domain.money import rmb_upper
from order_tui.store import repo
from order_tui.store.models import Customer, OrderLine, SalesOrder


@dataclass(frozen=True)
class LineView:
    line_no: int
    product_code: str
    name: str
    spec: str
    unit: str
    qty: Decimal
    unit_price: Decimal
    tax_code: str
    net: Decimal
    tax: Decimal
    gross: Decimal
    made_to_order: bool
    picked_qty: Decimal
    shipped_qty: Decimal


@dataclass(frozen=True)
class OrderSummary:
    order_no: str
    order_day: date
    status: str
    customer: str
    total: Decimal
    wanted_date: date | None
    on_hold: bool
    version: int


@dataclass(frozen=True)
class OrderDetail:
    order_no: str
    order_day: date
    status: str
    version: int
    customer_code: str
    cust_name: str
    cust_uscc: str
    cust_bank: str
    cust_account: str
    cust_address: str
    cust_postcode: str
    contact_name: str
    contact_phone: str
    price_includes_tax: bool
    lines: list[LineView]
    net_total: Decimal
    tax_total: Decimal
    goods_total: Decimal
    freight: Decimal
    discount: Decimal
    total: Decimal
    total_words: str
    payment_terms: str
    invoice_type: str
    wanted_date: date | None
    payment_due_date: date | None
    remarks: str
    review_round: int
    on_hold: bool
    holds: list[dict[str, Any]] = field(default_factory=list)
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    retention_until: date | None = None
    created_at: datetime | None = None
    # The payment terms in numbers (see domain.terms.describe for them in words).
    prepay_pct: int = 100
    credit_days: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def summary(order: SalesOrder) -> OrderSummary:
    return OrderSummary(
        order_no=order.order_no,
        order_day=order.order_day,
        status=order.status,
        customer=order.cust_name,
        total=order.total,
        wanted_date=order.wanted_date,
        on_hold=order.on_hold,
        version=order.version,
    )


def line_view(ln: OrderLine) -> LineView:
    return LineView(
        line_no=ln.line_no,
        product_code=ln.product_code,
        name=ln.name,
        spec=ln.spec,
        unit=ln.unit,
        qty=ln.qty,
        unit_price=ln.unit_price,
        tax_code=ln.tax_code,
        net=ln.net,
        tax=ln.tax,
        gross=ln.gross,
        made_to_order=ln.made_to_order,
        picked_qty=ln.picked_qty,
        shipped_qty=ln.shipped_qty,
    )


def detail(session: Session, order: SalesOrder) -> OrderDetail:
    assert order.id is not None
    customer = session.get(Customer, order.customer_id)
    lines = [line_view(ln) for ln in repo.order_lines(session, order.id)]
    verdicts: list[dict[str, Any]] = []
    for rnd in repo.rounds_of(session, order.id):
        assert rnd.id is not None
        for v in repo.verdicts_of_round(session, rnd.id):
            verdicts.append(
                {
                    "round": rnd.round_no,
                    "department": v.department,
                    "verdict": v.verdict,
                    "reason": v.reason_code,
                    "comment": v.comment,
                    "at": v.at.isoformat(timespec="seconds"),
                }
            )
    holds = [
        {
            "kind": h.kind,
            "description": h.description,
            "owner": h.owner,
            "raised_at": h.raised_at.isoformat(timespec="seconds"),
        }
        for h in repo.open_holds(session, order.id)
    ]
    attachments = [
        {"kind": a.kind, "name": a.original_name, "sha256": a.sha256, "size": a.size}
        for a in repo.attachments_of(session, order.id)
    ]
    return OrderDetail(
        order_no=order.order_no,
        order_day=order.order_day,
        status=order.status,
        version=order.version,
        customer_code=customer.code if customer else "",
        cust_name=order.cust_name,
        cust_uscc=order.cust_uscc,
        cust_bank=order.cust_bank,
        cust_account=order.cust_account,
        cust_address=order.cust_address,
        cust_postcode=order.cust_postcode,
        contact_name=order.contact_name,
        contact_phone=order.contact_phone,
        price_includes_tax=order.price_includes_tax,
        lines=lines,
        net_total=order.net_total,
        tax_total=order.tax_total,
        goods_total=order.goods_total,
        freight=order.freight,
        discount=order.discount,
        total=order.total,
        total_words=rmb_upper(order.total),
        payment_terms=order.payment_terms,
        invoice_type=order.invoice_type,
        wanted_date=order.wanted_date,
        payment_due_date=order.payment_due_date,
        remarks=order.remarks,
        review_round=order.review_round,
        on_hold=order.on_hold,
        holds=holds,
        verdicts=verdicts,
        attachments=attachments,
        retention_until=order.retention_until,
        created_at=order.created_at,
        prepay_pct=order.prepay_pct,
        credit_days=order.credit_days,
    )
