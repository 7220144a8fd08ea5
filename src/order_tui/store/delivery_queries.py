"""Queries of step 5: packed orders to ship, shipments, sign-offs, feedback calls, after-sales.

Lists page by key (no OFFSET): the shipping list by (wanted date, order day, serial), the
feedback queue by (due time, id), the after-sales list by (time recorded, id) newest first.
"""

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from order_tui.store.models import (
    AuditEvent,
    Feedback,
    Operator,
    OrderLine,
    Package,
    Product,
    SalesOrder,
    Shipment,
    ShipmentLine,
    SignOff,
)

# Orders without a wanted date sort after every dated one.
NO_DATE = date(9999, 12, 31)


def _wanted_key():  # type: ignore[no-untyped-def]
    return func.coalesce(col(SalesOrder.wanted_date), NO_DATE)


def orders_to_ship(
    session: Session, after: tuple[date, date, int] | None, limit: int, status: str = "packed"
) -> list[SalesOrder]:
    """Packed orders, earliest wanted date first; `after` is the last row's (wanted or
    NO_DATE, order day, serial)."""
    key = _wanted_key()
    stmt = select(SalesOrder).where(SalesOrder.status == status)
    if after is not None:
        wanted, day, serial = after
        stmt = stmt.where(
            (key > wanted)
            | ((key == wanted) & (col(SalesOrder.order_day) > day))
            | (
                (key == wanted)
                & (col(SalesOrder.order_day) == day)
                & (col(SalesOrder.serial) > serial)
            )
        )
    stmt = stmt.order_by(key, col(SalesOrder.order_day), col(SalesOrder.serial)).limit(limit)
    return list(session.exec(stmt))


def lines_of_orders(session: Session, order_ids: Sequence[int]) -> list[OrderLine]:
    if not order_ids:
        return []
    stmt = (
        select(OrderLine)
        .where(col(OrderLine.order_id).in_(order_ids))
        .order_by(col(OrderLine.order_id), col(OrderLine.line_no))
    )
    return list(session.exec(stmt))


def stocked_flags(session: Session, product_ids: Sequence[int]) -> dict[int, bool]:
    """product id -> whether it is kept in stock (False: a service such as installation)."""
    if not product_ids:
        return {}
    stmt = select(Product.id, Product.stocked).where(col(Product.id).in_(set(product_ids)))
    return {pid: bool(stocked) for pid, stocked in session.exec(stmt) if pid is not None}


def shipment_counts(session: Session, order_ids: Sequence[int]) -> dict[int, int]:
    if not order_ids:
        return {}
    stmt = (
        select(Shipment.order_id, func.count())
        .where(col(Shipment.order_id).in_(order_ids))
        .group_by(col(Shipment.order_id))
    )
    return {oid: int(n) for oid, n in session.exec(stmt)}


def shipments_of(session: Session, order_id: int) -> list[tuple[Shipment, list[ShipmentLine]]]:
    shipments = list(
        session.exec(
            select(Shipment).where(Shipment.order_id == order_id).order_by(col(Shipment.id))
        )
    )
    ids = [s.id for s in shipments if s.id is not None]
    by_shipment: dict[int, list[ShipmentLine]] = {i: [] for i in ids}
    if ids:
        stmt = (
            select(ShipmentLine)
            .where(col(ShipmentLine.shipment_id).in_(ids))
            .order_by(col(ShipmentLine.id))
        )
        for line in session.exec(stmt):
            by_shipment[line.shipment_id].append(line)
    return [(s, by_shipment.get(s.id or 0, [])) for s in shipments]


def used_carriers(session: Session, limit: int = 50) -> list[str]:
    """Carriers typed on shipments, most recently used first."""
    last = func.max(col(Shipment.id))
    stmt = select(Shipment.carrier, last).group_by(col(Shipment.carrier)).order_by(last.desc())
    return [carrier for carrier, _ in session.exec(stmt.limit(limit))]


def packages_of(session: Session, order_id: int) -> list[Package]:
    stmt = select(Package).where(Package.order_id == order_id).order_by(col(Package.id))
    return list(session.exec(stmt))


def sign_offs_of(session: Session, order_id: int) -> list[SignOff]:
    stmt = select(SignOff).where(SignOff.order_id == order_id).order_by(col(SignOff.id))
    return list(session.exec(stmt))


def operator_names(session: Session, ids: Sequence[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    stmt = select(Operator.id, Operator.display_name).where(col(Operator.id).in_(wanted))
    return {oid: name for oid, name in session.exec(stmt) if oid is not None}


def open_feedback_page(
    session: Session, after: tuple[datetime, int] | None, limit: int
) -> list[tuple[Feedback, SalesOrder]]:
    """Feedback calls not yet closed, earliest due first."""
    stmt = (
        select(Feedback, SalesOrder)
        .join(SalesOrder, col(SalesOrder.id) == Feedback.order_id)
        .where(col(Feedback.done_at).is_(None))
    )
    if after is not None:
        due, last_id = after
        stmt = stmt.where(
            (col(Feedback.due_at) > due)
            | ((col(Feedback.due_at) == due) & (col(Feedback.id) > last_id))
        )
    stmt = stmt.order_by(col(Feedback.due_at), col(Feedback.id)).limit(limit)
    return [(fb, order) for fb, order in session.exec(stmt)]


def after_sales_page(
    session: Session, after: tuple[datetime, int] | None, limit: int
) -> list[tuple[Feedback, SalesOrder]]:
    """Closed calls that asked for after-sales, the newest first."""
    stmt = (
        select(Feedback, SalesOrder)
        .join(SalesOrder, col(SalesOrder.id) == Feedback.order_id)
        .where(col(Feedback.after_sales_needed).is_(True), col(Feedback.done_at).is_not(None))
    )
    if after is not None:
        done, last_id = after
        stmt = stmt.where(
            (col(Feedback.done_at) < done)
            | ((col(Feedback.done_at) == done) & (col(Feedback.id) < last_id))
        )
    stmt = stmt.order_by(col(Feedback.done_at).desc(), col(Feedback.id).desc()).limit(limit)
    return [(fb, order) for fb, order in session.exec(stmt)]


def feedback_events(session: Session, order_nos: Sequence[str]) -> dict[str, list[AuditEvent]]:
    """The recorded feedback calls (reached or not) of these orders, oldest first."""
    if not order_nos:
        return {}
    stmt = (
        select(AuditEvent)
        .where(
            col(AuditEvent.order_no).in_(order_nos),
            AuditEvent.entity == "order",
            AuditEvent.action == "record_feedback",
        )
        .order_by(col(AuditEvent.id))
    )
    out: dict[str, list[AuditEvent]] = {no: [] for no in order_nos}
    for event in session.exec(stmt):
        out[event.order_no].append(event)
    return out
