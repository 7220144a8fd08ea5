"""Aggregate queries of the monthly review, each over one indexed range of one month.

Two ranges carry everything:
- orders received: `sales_order.order_day` (the business day), the leading column of the
  unique (order_day, serial) index;
- steps reached (approved, shipped, signed, completed), rejections and feedback: the audit log.
  `audit_event.at` has no index, but the log is append-only and written inside BEGIN IMMEDIATE
  transactions, so its ids grow with its times: a binary search over the primary key finds
  the month's first and last id in about 25 key lookups, and the month is then a range scan
  of the primary key. A margin of ids either side plus the exact `at` test keep the result
  right even if a clock stepped back a little.
Everything else is reached from those rows by primary key or by an indexed foreign key.
Differences of times are taken in Python (julianday() is SQLite's only), so the SQL runs on
PostgreSQL as well.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from order_tui.store.models import (
    AuditEvent,
    Customer,
    Feedback,
    Hold,
    OrderLine,
    Requirement,
    ReviewNote,
    ReviewVerdict,
    SalesOrder,
)

# Ids searched beyond the binary search's bounds: events written out of time order (a clock
# stepped back) within this many rows of the month's edge are still found.
ID_MARGIN = 2000
CHUNK = 500  # ids per IN (...) list
# A step's event: (audit action, status it led to). Partial shipments stay `packed`, a
# sign-off with a discrepancy stays `shipped`: only the event that completes the step counts.
APPROVED = ("approve", "approved")
SHIPPED = ("ship", "shipped")
SIGNED = ("sign_off", "delivered")
COMPLETED = ("complete", "completed")
NOT_DEALS = ("draft", "cancelled")


def _first_id_at_or_after(session: Session, moment: datetime) -> int:
    """The smallest audit id whose time is >= `moment` (max id + 1 if none)."""
    lo = 0
    hi = (session.exec(select(func.max(AuditEvent.id))).one() or 0) + 1
    while lo < hi:
        mid = (lo + hi) // 2
        row = session.exec(
            select(AuditEvent.id, AuditEvent.at)
            .where(col(AuditEvent.id) >= mid)
            .order_by(col(AuditEvent.id))
            .limit(1)
        ).first()
        if row is None or row[1] >= moment:
            hi = mid
        else:
            lo = row[0] + 1  # every id from mid to this one is earlier
    return lo


class Window:
    """A month of the audit log: an id range (for the index) and the UTC times (exact)."""

    def __init__(self, session: Session, start: datetime, end: datetime) -> None:
        self.start = start
        self.end = end
        self.lo = max(0, _first_id_at_or_after(session, start) - ID_MARGIN)
        self.hi = _first_id_at_or_after(session, end) + ID_MARGIN

    def where(self, event: Any = AuditEvent) -> list[Any]:
        return [
            event.id >= self.lo,
            event.id < self.hi,
            event.at >= self.start,
            event.at < self.end,
            event.entity == "order",
        ]


def _step(event: Any, step: tuple[str, str]) -> list[Any]:
    return [event.action == step[0], event.to_status == step[1]]


def _latest(rows: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """One row per order (first column), the one with the latest event time (second)."""
    best: dict[int, tuple[Any, ...]] = {}
    for row in rows:
        key = row[0]
        if key not in best or row[1] > best[key][1]:
            best[key] = tuple(row)
    return list(best.values())


def _step_time(step: tuple[str, str]) -> Any:
    """When an order last reached `step`: from its own audit rows (index ix_audit_entity)."""
    earlier = aliased(AuditEvent)
    return (
        select(func.max(earlier.at))
        .where(
            earlier.entity == "order",
            earlier.entity_id == AuditEvent.entity_id,
            *_step(earlier, step),
        )
        .scalar_subquery()
    )


# -- steps reached in the month -----------------------------------------------------------------


def approvals(session: Session, w: Window) -> list[tuple[int, datetime, datetime]]:
    """(order id, approved at, order created at) for orders approved in the month."""
    stmt = (
        select(AuditEvent.entity_id, AuditEvent.at, SalesOrder.created_at)
        .join(SalesOrder, col(SalesOrder.id) == col(AuditEvent.entity_id))
        .where(*w.where(), *_step(AuditEvent, APPROVED))
    )
    return _latest(session.exec(stmt))


def shipments(session: Session, w: Window) -> list[tuple[int, datetime, datetime | None]]:
    """(order id, shipped at, approved at) for orders whose shipment completed in the month."""
    stmt = select(AuditEvent.entity_id, AuditEvent.at, _step_time(APPROVED)).where(
        *w.where(), *_step(AuditEvent, SHIPPED)
    )
    return _latest(session.exec(stmt))


def sign_offs(session: Session, w: Window) -> list[tuple[Any, ...]]:
    """(order id, recorded at, signed at, shipped at, order no, customer, wanted date) for
    orders signed for in the month (by the time the sign-off was recorded)."""
    stmt = (
        select(
            AuditEvent.entity_id,
            AuditEvent.at,
            SalesOrder.delivered_at,
            _step_time(SHIPPED),
            SalesOrder.order_no,
            SalesOrder.cust_name,
            SalesOrder.wanted_date,
        )
        .join(SalesOrder, col(SalesOrder.id) == col(AuditEvent.entity_id))
        .where(*w.where(), *_step(AuditEvent, SIGNED))
    )
    return _latest(session.exec(stmt))


def completed_count(session: Session, w: Window) -> int:
    stmt = select(func.count(func.distinct(AuditEvent.entity_id))).where(
        *w.where(), *_step(AuditEvent, COMPLETED)
    )
    return int(session.exec(stmt).one() or 0)


def rejection_reasons(session: Session, w: Window) -> list[tuple[str, int]]:
    """(reason code, verdicts) of the rejections given in the month, most frequent first."""
    rejected = select(AuditEvent.entity_id).where(*w.where(), AuditEvent.action == "reject")
    count = func.count()
    stmt = (
        select(ReviewVerdict.reason_code, count)
        .where(
            col(ReviewVerdict.order_id).in_(rejected),
            ReviewVerdict.verdict == "reject",
            col(ReviewVerdict.at) >= w.start,
            col(ReviewVerdict.at) < w.end,
        )
        .group_by(col(ReviewVerdict.reason_code))
        .order_by(count.desc(), col(ReviewVerdict.reason_code))
    )
    return [(code, int(n)) for code, n in session.exec(stmt)]


def _feedback_in_month(w: Window) -> list[Any]:
    recorded = select(AuditEvent.entity_id).where(
        *w.where(), AuditEvent.action == "record_feedback"
    )
    return [
        col(Feedback.order_id).in_(recorded),
        col(Feedback.done_at) >= w.start,
        col(Feedback.done_at) < w.end,
    ]


def feedback_summary(session: Session, w: Window) -> tuple[int, float | None]:
    """(calls that reached the customer, average satisfaction) of the month's feedback."""
    stmt = select(func.count(), func.avg(Feedback.satisfaction)).where(
        *_feedback_in_month(w), col(Feedback.reached).is_(True)
    )
    count, avg = session.exec(stmt).one()
    return int(count or 0), (float(avg) if avg is not None else None)


def complaints(
    session: Session, w: Window, max_satisfaction: int, limit: int
) -> tuple[int, list[tuple[Any, ...]]]:
    """(how many, the first `limit` by time) feedback with low satisfaction or an after-sales
    need: (order no, customer, satisfaction, after-sales needed, remarks, after-sales, done)."""
    cond = [
        *_feedback_in_month(w),
        col(Feedback.reached).is_(True),
        (col(Feedback.satisfaction) <= max_satisfaction) | col(Feedback.after_sales_needed),
    ]
    total = int(session.exec(select(func.count()).select_from(Feedback).where(*cond)).one() or 0)
    stmt = (
        select(
            SalesOrder.order_no,
            SalesOrder.cust_name,
            Feedback.satisfaction,
            Feedback.after_sales_needed,
            Feedback.remarks,
            Feedback.after_sales,
            Feedback.done_at,
        )
        .join(SalesOrder, col(SalesOrder.id) == col(Feedback.order_id))
        .where(*cond)
        .order_by(col(Feedback.done_at), col(Feedback.id))
        .limit(limit)
    )
    return total, [tuple(r) for r in session.exec(stmt)]


def holds_of(session: Session, order_ids: Sequence[int]) -> list[tuple[int, str, str, bool]]:
    """(order id, kind, description, released) of every hold ever raised on the orders."""
    rows: list[tuple[int, str, str, bool]] = []
    ids = sorted(set(order_ids))
    for i in range(0, len(ids), CHUNK):
        stmt = (
            select(Hold.order_id, Hold.kind, Hold.description, Hold.released_at)
            .where(col(Hold.order_id).in_(ids[i : i + CHUNK]))
            .order_by(col(Hold.order_id), col(Hold.id))
        )
        rows += [(o, k, d, r is not None) for o, k, d, r in session.exec(stmt)]
    return rows


# -- orders received in the month (by business day) ---------------------------------------------


def _days(first: date, following: date) -> list[Any]:
    return [col(SalesOrder.order_day) >= first, col(SalesOrder.order_day) < following]


def received_per_day(session: Session, first: date, following: date) -> list[tuple[date, int]]:
    """Orders received per business day (every status: what came in, not what came of it).
    The count is answered from the (order_day, serial) index alone."""
    stmt = (
        select(SalesOrder.order_day, func.count())
        .where(*_days(first, following))
        .group_by(col(SalesOrder.order_day))
        .order_by(col(SalesOrder.order_day))
    )
    return [(day, int(n)) for day, n in session.exec(stmt)]


def intake_times(session: Session, first: date, following: date) -> list[tuple[datetime, datetime]]:
    """(requirement recorded at, order created at) of the month's orders made from a
    requirement."""
    stmt = (
        select(Requirement.created_at, SalesOrder.created_at)
        .join(Requirement, col(Requirement.id) == col(SalesOrder.requirement_id))
        .where(*_days(first, following))
    )
    return [(a, b) for a, b in session.exec(stmt)]


def top_customers(
    session: Session, first: date, following: date, limit: int
) -> list[tuple[str, str, int, Decimal]]:
    """(customer code, name, orders, amount) of the month's deals (not drafts, not
    cancelled), largest amount first. The name is as on the orders (their snapshot)."""
    amount = func.sum(SalesOrder.total)
    stmt = (
        select(func.max(Customer.code), func.max(SalesOrder.cust_name), func.count(), amount)
        .join(Customer, col(Customer.id) == col(SalesOrder.customer_id))
        .where(*_days(first, following), col(SalesOrder.status).not_in(NOT_DEALS))
        .group_by(col(SalesOrder.customer_id))
        .order_by(amount.desc(), col(SalesOrder.customer_id))
        .limit(limit)
    )
    return [(code, name, int(n), total) for code, name, n, total in session.exec(stmt)]


def top_products(
    session: Session, first: date, following: date, limit: int
) -> list[tuple[str, str, Decimal, Decimal]]:
    """(product code, name, quantity, amount incl. tax) over the lines of the month's deals."""
    amount = func.sum(OrderLine.gross)
    stmt = (
        select(
            func.max(OrderLine.product_code),
            func.max(OrderLine.name),
            func.sum(OrderLine.qty),
            amount,
        )
        .join(SalesOrder, col(SalesOrder.id) == col(OrderLine.order_id))
        .where(*_days(first, following), col(SalesOrder.status).not_in(NOT_DEALS))
        .group_by(col(OrderLine.product_id))
        .order_by(amount.desc(), col(OrderLine.product_id))
        .limit(limit)
    )
    return [(code, name, qty, total) for code, name, qty, total in session.exec(stmt)]


def deal_total(session: Session, first: date, following: date) -> tuple[int, Decimal]:
    """(deals, amount) of the month: orders received, not drafts, not cancelled."""
    stmt = select(func.count(), func.sum(SalesOrder.total)).where(
        *_days(first, following), col(SalesOrder.status).not_in(NOT_DEALS)
    )
    count, total = session.exec(stmt).one()
    return int(count or 0), total if total is not None else Decimal("0.00")


# -- the notes ----------------------------------------------------------------------------------


def review_note(session: Session, month: str) -> ReviewNote | None:
    return session.get(ReviewNote, month)
