"""Aggregate queries of the customer profile: one customer's figures, computed in SQL.

Every query starts from the customer's orders through `ix_order_customer (customer_id,
order_day)` and returns counts and sums, grouped: a customer with thousands of orders in a
database of a million costs a range scan of that index, never a load of the orders. Lists
(open orders, open holds, complaints) are capped by the caller.

Days: `order_day` is a business day already; a delivery moment (UTC) is turned into one in
the business time zone (PostgreSQL: with the zone; SQLite: with its UTC offset, see
domain.profile.utc_offset_minutes).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Integer, case, cast, extract, func
from sqlmodel import Session, col, select

from order_tui.domain.profile import NOT_A_DEAL, CycleBucket
from order_tui.store.models import (
    Feedback,
    Hold,
    ReviewRound,
    ReviewVerdict,
    SalesOrder,
)

ZERO = Decimal("0.00")


def _local_day(session: Session, moment: Any, timezone: str, offset_minutes: int) -> Any:
    """SQL for the business day of a UTC timestamp column."""
    if session.get_bind().dialect.name == "postgresql":
        # timezone(zone, timestamptz) is the wall-clock time in that zone, whatever the
        # session's TimeZone; its date is the business day.
        return cast(func.timezone(timezone, moment), Date)
    return func.date(moment, f"{offset_minutes:+d} minutes")


def _days_between(session: Session, start: Any, end: Any) -> Any:
    """Whole days from the date `start` to the date `end`."""
    if session.get_bind().dialect.name == "postgresql":
        return end - start
    return cast(func.julianday(end) - func.julianday(start), Integer)


def _of_customer(customer_id: int, since: date | None) -> list[Any]:
    where = [col(SalesOrder.customer_id) == customer_id]
    if since is not None:
        where.append(col(SalesOrder.order_day) >= since)
    return where


def deals_by_month(
    session: Session, customer_id: int, since: date
) -> dict[tuple[int, int], tuple[int, Decimal]]:
    """(year, month) of the order day -> (orders, amount), drafts and cancelled left out."""
    year = extract("year", col(SalesOrder.order_day))
    month = extract("month", col(SalesOrder.order_day))
    stmt = (
        select(year, month, func.count(), func.sum(col(SalesOrder.total)))
        .where(*_of_customer(customer_id, since), col(SalesOrder.status).not_in(NOT_A_DEAL))
        .group_by(year, month)
    )
    return {
        (int(y), int(m)): (int(n), amount if amount is not None else ZERO)
        for y, m, n, amount in session.exec(stmt)
    }


@dataclass(frozen=True)
class CustomerTotals:
    deals: int  # all time, drafts and cancelled orders left out
    amount: Decimal
    first_day: date | None
    exposure: Decimal  # totals of the orders in `exposure_statuses`
    open_orders: int  # orders in `open_statuses`


def customer_totals(
    session: Session,
    customer_id: int,
    exposure_statuses: Sequence[str],
    open_statuses: Sequence[str],
) -> CustomerTotals:
    """All-time figures of the customer in one pass over its orders."""
    status, total = col(SalesOrder.status), col(SalesOrder.total)
    is_deal = status.not_in(NOT_A_DEAL)
    stmt = select(
        func.sum(case((is_deal, 1), else_=0)),
        func.sum(case((is_deal, total), else_=0)),
        func.min(case((is_deal, col(SalesOrder.order_day)), else_=None)),
        func.sum(case((status.in_(exposure_statuses), total), else_=0)),
        func.sum(case((status.in_(open_statuses), 1), else_=0)),
    ).where(*_of_customer(customer_id, None))
    deals, amount, first, exposure, open_count = session.exec(stmt).one()
    if isinstance(first, str):  # SQLite hands back MIN() over an expression as text
        first = date.fromisoformat(first)
    return CustomerTotals(
        int(deals or 0), _fen(amount), first, _fen(exposure), int(open_count or 0)
    )


def _fen(value: Decimal | None) -> Decimal:
    """A sum (typed as the amount column: already yuan) or ZERO for no rows."""
    return value if value is not None else ZERO


def cycle_buckets(
    session: Session, customer_id: int, since: date, timezone: str, offset_minutes: int
) -> list[CycleBucket]:
    """Delivered orders placed since `since`, grouped by cycle length in days, with how many
    had a wanted date and how many of those were delivered by it."""
    delivered = _local_day(session, col(SalesOrder.delivered_at), timezone, offset_minutes)
    days = _days_between(session, col(SalesOrder.order_day), delivered)
    wanted = col(SalesOrder.wanted_date)
    stmt = (
        select(
            days,
            func.count(),
            func.sum(case((wanted.is_not(None), 1), else_=0)),
            func.sum(case((wanted.is_not(None) & (delivered <= wanted), 1), else_=0)),
        )
        .where(*_of_customer(customer_id, since), col(SalesOrder.delivered_at).is_not(None))
        .group_by(days)
        .order_by(days)
    )
    return [
        CycleBucket(int(d), int(n), int(w or 0), int(ok or 0)) for d, n, w, ok in session.exec(stmt)
    ]


def returns_count(session: Session, customer_id: int, since: date) -> int:
    """Review rounds of the customer's orders that ended with the order back at the clerk."""
    stmt = (
        select(func.count())
        .select_from(SalesOrder)
        .join(ReviewRound, col(ReviewRound.order_id) == col(SalesOrder.id))
        .where(*_of_customer(customer_id, since), col(ReviewRound.outcome) == "returned")
    )
    return int(session.exec(stmt).one())


def rejections_by_reason(session: Session, customer_id: int, since: date) -> list[tuple[str, int]]:
    """Rejecting verdicts by reason code, most frequent first."""
    n = func.count()
    stmt = (
        select(col(ReviewVerdict.reason_code), n)
        .select_from(SalesOrder)
        .join(ReviewVerdict, col(ReviewVerdict.order_id) == col(SalesOrder.id))
        .where(*_of_customer(customer_id, since), col(ReviewVerdict.verdict) == "reject")
        .group_by(col(ReviewVerdict.reason_code))
        .order_by(n.desc(), col(ReviewVerdict.reason_code))
    )
    return [(code, int(count)) for code, count in session.exec(stmt)]


def holds_by_kind(session: Session, customer_id: int, since: date) -> list[tuple[str, int]]:
    """Holds raised on orders placed since `since`, by kind, most frequent first."""
    n = func.count()
    stmt = (
        select(col(Hold.kind), n)
        .select_from(SalesOrder)
        .join(Hold, col(Hold.order_id) == col(SalesOrder.id))
        .where(*_of_customer(customer_id, since))
        .group_by(col(Hold.kind))
        .order_by(n.desc(), col(Hold.kind))
    )
    return [(kind, int(count)) for kind, count in session.exec(stmt)]


@dataclass(frozen=True)
class OpenHoldRow:
    order_no: str
    kind: str
    description: str
    owner: str
    raised_at: datetime


def open_holds(session: Session, customer_id: int, limit: int) -> list[OpenHoldRow]:
    """Holds not yet released on any of the customer's orders, newest first."""
    stmt = (
        select(
            col(SalesOrder.order_no),
            col(Hold.kind),
            col(Hold.description),
            col(Hold.owner),
            col(Hold.raised_at),
        )
        .select_from(SalesOrder)
        .join(Hold, col(Hold.order_id) == col(SalesOrder.id))
        .where(*_of_customer(customer_id, None), col(Hold.released_at).is_(None))
        .order_by(col(Hold.raised_at).desc(), col(Hold.id).desc())
        .limit(limit)
    )
    return [OpenHoldRow(*row) for row in session.exec(stmt)]


def feedback_counts(
    session: Session, customer_id: int, since: date, low_satisfaction: int
) -> tuple[int, int]:
    """(follow-up calls done, complaints among them) for orders placed since `since`."""
    complaint = col(Feedback.after_sales_needed) | (col(Feedback.satisfaction) <= low_satisfaction)
    stmt = (
        select(func.count(), func.sum(case((complaint, 1), else_=0)))
        .select_from(SalesOrder)
        .join(Feedback, col(Feedback.order_id) == col(SalesOrder.id))
        .where(*_of_customer(customer_id, since), col(Feedback.done_at).is_not(None))
    )
    done, complaints = session.exec(stmt).one()
    return int(done), int(complaints or 0)


@dataclass(frozen=True)
class ComplaintRow:
    order_no: str
    done_at: datetime
    satisfaction: int | None
    remarks: str
    after_sales_needed: bool
    after_sales: str


def complaints(
    session: Session, customer_id: int, since: date, low_satisfaction: int, limit: int
) -> list[ComplaintRow]:
    """The complaints themselves, newest call first."""
    complaint = col(Feedback.after_sales_needed) | (col(Feedback.satisfaction) <= low_satisfaction)
    stmt = (
        select(
            col(SalesOrder.order_no),
            col(Feedback.done_at),
            col(Feedback.satisfaction),
            col(Feedback.remarks),
            col(Feedback.after_sales_needed),
            col(Feedback.after_sales),
        )
        .select_from(SalesOrder)
        .join(Feedback, col(Feedback.order_id) == col(SalesOrder.id))
        .where(*_of_customer(customer_id, since), col(Feedback.done_at).is_not(None), complaint)
        .order_by(col(Feedback.done_at).desc(), col(Feedback.id).desc())
        .limit(limit)
    )
    return [ComplaintRow(*row) for row in session.exec(stmt)]


@dataclass(frozen=True)
class OpenOrderRow:
    order_no: str
    order_day: date
    status: str
    total: Decimal
    wanted_date: date | None
    on_hold: bool


def open_orders(
    session: Session, customer_id: int, statuses: Sequence[str], limit: int
) -> list[OpenOrderRow]:
    """The newest `limit` of the customer's orders in `statuses`."""
    stmt = (
        select(
            col(SalesOrder.order_no),
            col(SalesOrder.order_day),
            col(SalesOrder.status),
            col(SalesOrder.total),
            col(SalesOrder.wanted_date),
            col(SalesOrder.on_hold),
        )
        .where(*_of_customer(customer_id, None), col(SalesOrder.status).in_(statuses))
        .order_by(col(SalesOrder.order_day).desc(), col(SalesOrder.serial).desc())
        .limit(limit)
    )
    return [OpenOrderRow(*row) for row in session.exec(stmt)]
