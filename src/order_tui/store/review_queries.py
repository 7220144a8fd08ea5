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

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import String, case, func, insert, type_coerce, update
from sqlmodel import Session, col, select

from order_tui.store.models import (
    AuditEvent,
    Customer,
    Feedback,
    Hold,
    OrderLine,
    Requirement,
    ReviewNote,
    ReviewRound,
    ReviewVerdict,
    SalesOrder,
    Shipment,
)

# Ids searched beyond the binary search's bounds: events written out of time order (a clock
# stepped back) within this many rows of the month's edge are still found.
ID_MARGIN = 2000
CHUNK = 500  # ids per IN (...) list
STEP_ACTIONS = ("approve", "ship", "sign_off", "complete", "reject", "record_feedback")
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


def _moment(value: Any) -> datetime:
    """A stored UTC time, aware. Month-sized reads take the column's raw value: SQLite gives
    the stored text (naive UTC), which one `fromisoformat` call parses many times faster than
    the column type's own processing; PostgreSQL gives an aware datetime already."""
    if isinstance(value, str):
        return datetime.fromisoformat(value + "+00:00")
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _rows(session: Session, stmt: Any) -> Any:
    """Rows through Core, not the ORM: a month is tens of thousands of rows, and the ORM's
    per-row work would cost more than the query."""
    return session.connection().execute(stmt)


def _raw(column: Any) -> Any:
    return type_coerce(column, String()).label(f"{column.table.name}_{column.key}")


class Window:
    """A month of the audit log: an id range (for the index) and the UTC times (exact)."""

    def __init__(self, session: Session, start: datetime, end: datetime) -> None:
        self.start = start
        self.end = end
        self.lo = max(0, _first_id_at_or_after(session, start) - ID_MARGIN)
        self.hi = _first_id_at_or_after(session, end) + ID_MARGIN

    def where(self) -> list[Any]:
        # `entity || ''`: the same test, but one the planner cannot answer from the (entity,
        # entity_id, id) index; with plain `entity = 'order'` SQLite walks every order's
        # events in that index instead of the month's range of the primary key.
        return [
            col(AuditEvent.id) >= self.lo,
            col(AuditEvent.id) < self.hi,
            col(AuditEvent.at) >= self.start,
            col(AuditEvent.at) < self.end,
            col(AuditEvent.entity).concat("") == "order",
        ]

    def orders(self, action: str, to_status: str | None = None) -> Any:
        """The ids of the orders with `action` (leading to `to_status`) in the month, as a
        subquery: the database joins them, no id lists travel through Python."""
        cond = [*self.where(), AuditEvent.action == action]
        if to_status is not None:
            cond.append(AuditEvent.to_status == to_status)
        return select(AuditEvent.entity_id).where(*cond)


@dataclass(frozen=True)
class Signed:
    """An order signed for in the month."""

    order_no: str
    customer: str
    wanted_date: date | None
    signed_at: datetime  # as on the receipt (the recorded time if none was typed)
    shipped_at: datetime | None  # its last shipment


@dataclass
class MonthEvents:
    """The order steps recorded in a month, by order id (the latest event if several):
    approved -> (approved at, created at); shipped -> (shipped at, approved at); signed ->
    Signed; completed, rejected, feedback -> the ids (the month's verdicts and calls are
    read from their own tables)."""

    approved: dict[int, tuple[datetime, datetime]] = field(default_factory=dict)
    shipped: dict[int, tuple[datetime, datetime | None]] = field(default_factory=dict)
    signed: dict[int, Signed] = field(default_factory=dict)
    completed: set[int] = field(default_factory=set)
    rejected: set[int] = field(default_factory=set)
    feedback: set[int] = field(default_factory=set)


def month_events(session: Session, w: Window) -> MonthEvents:
    """ONE scan of the month's audit rows (a primary-key range), each joined to its order
    by primary key; the times a step started are fetched only for the rows that need them:
    an order's approval from its approved review round (index on order_id, one row per
    round), a shipment from its shipments (index on order_id)."""
    round_closed = (
        select(func.max(_raw(ReviewRound.closed_at)))
        .where(
            col(ReviewRound.order_id) == col(AuditEvent.entity_id),
            ReviewRound.outcome == "approved",
        )
        .scalar_subquery()
    )
    last_shipment = (
        select(func.max(_raw(Shipment.shipped_at)))
        .where(col(Shipment.order_id) == col(AuditEvent.entity_id))
        .scalar_subquery()
    )
    started = case(
        (AuditEvent.action == SHIPPED[0], round_closed),
        (AuditEvent.action == SIGNED[0], last_shipment),
        else_=None,
    )
    stmt = (
        select(
            AuditEvent.entity_id,
            AuditEvent.action,
            AuditEvent.to_status,
            _raw(AuditEvent.at),
            type_coerce(started, String()).label("started"),
            _raw(SalesOrder.created_at),
            SalesOrder.order_no,
            SalesOrder.cust_name,
            SalesOrder.wanted_date,
            _raw(SalesOrder.delivered_at),
        )
        .join(SalesOrder, col(SalesOrder.id) == col(AuditEvent.entity_id))
        .where(*w.where(), col(AuditEvent.action).in_(STEP_ACTIONS))
    )
    ev = MonthEvents()
    latest: dict[tuple[str, int], Any] = {}
    for row in _rows(session, stmt):
        order_id, action, to_status, at = row[0], row[1], row[2], row[3]
        step = (action, to_status)
        if action in ("reject", "record_feedback", COMPLETED[0]):
            if step == COMPLETED:
                ev.completed.add(order_id)
            elif action == "reject":
                ev.rejected.add(order_id)
            else:
                ev.feedback.add(order_id)
            continue
        if step not in (APPROVED, SHIPPED, SIGNED):  # a partial shipment, a discrepancy
            continue
        key = (action, order_id)
        if key in latest and latest[key] >= at:  # raw times of one format compare as times
            continue
        latest[key] = at
        started_at = _moment(row[4]) if row[4] is not None else None
        if step == APPROVED:
            ev.approved[order_id] = (_moment(at), _moment(row[5]))
        elif step == SHIPPED:
            ev.shipped[order_id] = (_moment(at), started_at)
        else:
            signed_at = _moment(row[9]) if row[9] is not None else _moment(at)
            ev.signed[order_id] = Signed(row[6], row[7], row[8], signed_at, started_at)
    return ev


def rejection_reasons(session: Session, w: Window) -> dict[str, int]:
    """Reason code -> rejections given in the month (verdicts, not orders)."""
    stmt = (
        select(ReviewVerdict.reason_code, func.count())
        .where(
            col(ReviewVerdict.order_id).in_(w.orders("reject")),
            ReviewVerdict.verdict == "reject",
            col(ReviewVerdict.at) >= w.start,
            col(ReviewVerdict.at) < w.end,
        )
        .group_by(col(ReviewVerdict.reason_code))
    )
    return {code: int(n) for code, n in session.exec(stmt)}


def feedback_done(session: Session, w: Window) -> list[tuple[Any, ...]]:
    """The calls that reached the customer, first recorded in the month: (order no,
    customer, satisfaction, after-sales needed, remarks, after-sales, done at)."""
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
        .where(
            col(Feedback.order_id).in_(w.orders("record_feedback")),
            col(Feedback.reached).is_(True),
            col(Feedback.done_at) >= w.start,
            col(Feedback.done_at) < w.end,
        )
    )
    return [tuple(r) for r in _rows(session, stmt)]


def holds_of(session: Session, order_ids: Sequence[int]) -> list[tuple[int, str, str, bool]]:
    """(order id, kind, description, released) of every hold ever raised on the orders."""
    rows: list[tuple[int, str, str, bool]] = []
    ordered = sorted(set(order_ids))
    for ids in (ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)):
        stmt = (
            select(Hold.order_id, Hold.kind, Hold.description, Hold.released_at)
            .where(col(Hold.order_id).in_(ids))
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
        select(_raw(Requirement.created_at), _raw(SalesOrder.created_at))
        .join(Requirement, col(Requirement.id) == col(SalesOrder.requirement_id))
        .where(*_days(first, following))
    )
    return [(_moment(a), _moment(b)) for a, b in session.exec(stmt)]


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


def write_note(
    session: Session,
    month: str,
    notes: str,
    operator_id: int,
    at: datetime,
    expected_version: int,
) -> ReviewNote | None:
    """Write the month's notes if they are still at `expected_version` (0: none yet); None
    when someone saved first. One guarded UPDATE, so two savers on PostgreSQL (where reads do
    not take SQLite's write lock) cannot both win."""
    table = ReviewNote.__table__  # type: ignore[attr-defined]
    values = {"notes": notes, "updated_by": operator_id, "updated_at": at}
    if expected_version == 0:
        if session.get(ReviewNote, month) is not None:
            return None
        session.execute(insert(table).values(month=month, version=1, **values))
    else:
        done = session.execute(
            update(table)
            .where(table.c.month == month, table.c.version == expected_version)
            .values(version=expected_version + 1, **values)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            return None
    return session.get(ReviewNote, month, populate_existing=True)
