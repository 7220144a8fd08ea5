"""The customer profile's arithmetic: month buckets, delivery cycles, on-time rate, credit use.

Pure functions over what the store's aggregate queries return (counts per month, orders per
cycle length), so the figures are checked here without a database. Days are business days in
the company's time zone: an order's day is stored as such; a delivery moment (UTC) becomes one
through `order_numbers.business_day`, or in SQL through `utc_offset_minutes`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from order_tui.domain.roles import Role

# Who may read a customer's profile: the people who sell to the customer and finance, who
# sets and watches the credit limit. Warehouse, production, logistics, archivist and admin
# have no use for a customer's figures.
PROFILE_ROLES: frozenset[Role] = frozenset(
    {Role.SALES_REP, Role.SALES_CLERK, Role.SALES_MANAGER, Role.FINANCE}
)

# A follow-up call is a complaint when the customer was unhappy (1 or 2 on the 1-5 scale of
# domain.shipping.SATISFACTION) or asked for after-sales service.
LOW_SATISFACTION = 2

# Statuses that are not (or no longer) a deal: a draft was never sent for review, a
# cancelled order was called off. Every other order counts with its total as the deal amount.
NOT_A_DEAL: tuple[str, ...] = ("draft", "cancelled")

CENT = Decimal("0.01")


def may_view(roles: frozenset[Role] | set[Role]) -> bool:
    return bool(PROFILE_ROLES & set(roles))


# -- months -----------------------------------------------------------------------------------


def months_back(as_of: date, months: int) -> list[tuple[int, int]]:
    """(year, month) of the `months` calendar months up to and including `as_of`'s, oldest
    first: 2026-11-27, 3 -> (2026, 9), (2026, 10), (2026, 11)."""
    if months < 1:
        raise ValueError("months must be 1 or more")
    index = as_of.year * 12 + as_of.month - 1
    return [(i // 12, i % 12 + 1) for i in range(index - months + 1, index + 1)]


def window_start(as_of: date, months: int) -> date:
    """The first day of the window's oldest month."""
    year, month = months_back(as_of, months)[0]
    return date(year, month, 1)


@dataclass(frozen=True)
class MonthFigure:
    year: int
    month: int
    orders: int
    amount: Decimal

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def fill_months(
    as_of: date, months: int, counted: dict[tuple[int, int], tuple[int, Decimal]]
) -> list[MonthFigure]:
    """Every month of the window, oldest first; months without orders show zero.

    `counted` maps (year, month) of the order day to (orders, amount); months outside the
    window are ignored (the query asked for the window, this keeps the two honest)."""
    zero = (0, Decimal("0.00"))
    return [MonthFigure(y, m, *counted.get((y, m), zero)) for y, m in months_back(as_of, months)]


# -- delivery cycle and on-time rate ----------------------------------------------------------


@dataclass(frozen=True)
class CycleBucket:
    """Delivered orders whose cycle (order day to the signed delivery's day) was `days`:
    how many, how many had a wanted date, and how many of those arrived by it."""

    days: int
    orders: int
    with_wanted: int = 0
    on_time: int = 0


@dataclass(frozen=True)
class CycleStats:
    measured: int  # delivered orders
    average_days: Decimal | None  # two places; None without a delivered order
    worst_days: int | None
    best_days: int | None


@dataclass(frozen=True)
class OnTime:
    measured: int  # delivered orders that had a wanted date
    on_time: int  # of those, delivered on or before it
    without_wanted: int  # delivered orders without a wanted date: not counted

    @property
    def late(self) -> int:
        return self.measured - self.on_time

    @property
    def rate(self) -> Decimal | None:
        """Percent, one place; None when no delivered order had a wanted date."""
        if not self.measured:
            return None
        return (Decimal(100 * self.on_time) / self.measured).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def cycle_days(order_day: date, delivered_day: date) -> int:
    return (delivered_day - order_day).days


def is_on_time(delivered_day: date, wanted: date | None) -> bool | None:
    """None: the order had no wanted date, so it neither counts as on time nor as late."""
    return None if wanted is None else delivered_day <= wanted


def cycle_stats(buckets: Iterable[CycleBucket]) -> CycleStats:
    rows = [b for b in buckets if b.orders > 0]
    measured = sum(b.orders for b in rows)
    if not measured:
        return CycleStats(0, None, None, None)
    total = sum(b.days * b.orders for b in rows)
    average = (Decimal(total) / measured).quantize(CENT, rounding=ROUND_HALF_UP)
    return CycleStats(measured, average, max(b.days for b in rows), min(b.days for b in rows))


def on_time(buckets: Iterable[CycleBucket]) -> OnTime:
    rows = list(buckets)
    measured = sum(b.with_wanted for b in rows)
    return OnTime(
        measured=measured,
        on_time=sum(b.on_time for b in rows),
        without_wanted=sum(b.orders for b in rows) - measured,
    )


def buckets_of(deliveries: Iterable[tuple[date, date, date | None]]) -> list[CycleBucket]:
    """Per-order (order day, delivered day, wanted date) -> buckets by cycle length, the shape
    the store's GROUP BY returns (for tests and small in-memory sets)."""
    acc: dict[int, list[int]] = {}
    for ordered, delivered, wanted in deliveries:
        row = acc.setdefault(cycle_days(ordered, delivered), [0, 0, 0])
        row[0] += 1
        hit = is_on_time(delivered, wanted)
        if hit is not None:
            row[1] += 1
            row[2] += int(hit)
    return [CycleBucket(d, *acc[d]) for d in sorted(acc)]


def utc_offset_minutes(timezone: str, at: datetime) -> int:
    """The zone's offset from UTC at `at`, in minutes (480 for Asia/Shanghai).

    SQLite has no time zones: its queries turn a UTC delivery moment into a business day by
    adding this offset. Exact for zones without daylight saving time (Asia/Shanghai); where
    the offset changes, a delivery within an hour of midnight near a change may fall on the
    next or previous day. PostgreSQL converts with the zone itself.
    """
    offset = at.astimezone(ZoneInfo(timezone)).utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 60)


# -- complaints and credit ----------------------------------------------------------------------


def is_complaint(satisfaction: int | None, after_sales_needed: bool) -> bool:
    return after_sales_needed or (satisfaction is not None and satisfaction <= LOW_SATISFACTION)


@dataclass(frozen=True)
class CreditUse:
    """Credit used is the finance check's exposure without a new order: the totals of the
    customer's orders in review or later but not yet delivered (store.repo.OPEN_STATUSES,
    the same set `review_checks.check_credit` sums)."""

    limit: Decimal
    used: Decimal

    @property
    def available(self) -> Decimal:
        return self.limit - self.used

    @property
    def over(self) -> bool:
        return self.used > self.limit

    @property
    def percent(self) -> Decimal | None:
        """Used as a percent of the limit, whole; None for a customer without credit."""
        if self.limit <= 0:
            return None
        return (self.used * 100 / self.limit).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
