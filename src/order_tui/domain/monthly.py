"""The monthly review's pure rules: months in the business time zone, step durations, their
percentiles and histograms, lateness and what counts as a complaint.

A month is "YYYY-MM" and means the calendar month in the company's time zone (default
Asia/Shanghai), not in UTC: an order approved at 00:30 on 1 December in Beijing belongs to
December although it is still 30 November in UTC.
"""

import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from order_tui.domain import messages
from order_tui.domain.errors import InvalidValue

messages.register(
    {
        "monthly.bad_month": (
            "月份“{text}”无效，请按 YYYY-MM 填写，如 2026-11",
            "{text!r} is not a month: type YYYY-MM, e.g. 2026-11",
        ),
    }
)

_MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)

# Histogram bucket edges of a step's duration, in days: [0,1) [1,2) [2,3) [3,5) [5,7)
# [7,14) [14,30) [30,...). Fixed edges (not equal widths) so that months compare at a glance.
DAY_EDGES: tuple[float, ...] = (0, 1, 2, 3, 5, 7, 14, 30)

# Feedback at or below this satisfaction (1-5) is a complaint, as is any after-sales need.
COMPLAINT_MAX_SATISFACTION = 2


def parse_month(text: str) -> tuple[int, int]:
    """ "2026-11" -> (2026, 11); anything else (spaces, "2026-1", month 13) is refused."""
    match = _MONTH_RE.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        raise InvalidValue(code="monthly.bad_month", text=str(text))
    return int(match.group(1)), int(match.group(2))


def format_month(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def shift_month(month: str, n: int) -> str:
    """The month `n` months after `month` (before, for negative n)."""
    year, mon = parse_month(month)
    index = year * 12 + (mon - 1) + n
    return format_month(index // 12, index % 12 + 1)


def last_months(month: str, n: int) -> list[str]:
    """The `n` months ending with `month`, oldest first."""
    return [shift_month(month, k) for k in range(1 - n, 1)]


def month_days(month: str) -> tuple[date, date]:
    """First day of the month and first day of the next: a half-open range of business days."""
    year, mon = parse_month(month)
    nxt = parse_month(shift_month(month, 1))
    return date(year, mon, 1), date(nxt[0], nxt[1], 1)


def zone(tz_name: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {tz_name!r}") from None


def month_bounds(month: str, tz_name: str) -> tuple[datetime, datetime]:
    """The month as a half-open UTC range [start, end): local midnights of its first day and
    of the next month's first day, converted to UTC."""
    local = zone(tz_name)
    first, following = month_days(month)
    start = datetime(first.year, first.month, first.day, tzinfo=local)
    end = datetime(following.year, following.month, following.day, tzinfo=local)
    return start.astimezone(UTC), end.astimezone(UTC)


def month_of(moment: datetime, tz_name: str) -> str:
    """The business month of an aware moment."""
    if moment.utcoffset() is None:
        raise ValueError("month_of needs a datetime with a time zone, got a naive one")
    local = moment.astimezone(zone(tz_name))
    return format_month(local.year, local.month)


def step_days(start: datetime, end: datetime) -> float:
    """Days from `start` to `end`; never negative (a sign-off time typed a little before the
    recorded shipment is a zero-day step, not a negative one)."""
    return max(0.0, (end - start).total_seconds() / 86400)


def days_late(delivered: date, wanted: date | None) -> int:
    """Whole days a delivery came after the wanted date; 0 when on time or no date wanted."""
    if wanted is None:
        return 0
    return max(0, (delivered - wanted).days)


def is_complaint(satisfaction: int | None, after_sales_needed: bool) -> bool:
    return after_sales_needed or (
        satisfaction is not None and satisfaction <= COMPLAINT_MAX_SATISFACTION
    )


# -- distributions -----------------------------------------------------------------------------


def percentile(ordered: Sequence[float], p: float) -> float:
    """The p-quantile (0 <= p <= 1) of sorted values, interpolating linearly between ranks
    (numpy's default, statistics.quantiles(method="inclusive")); p=0.5 is the median."""
    if not ordered:
        raise ValueError("percentile of no values")
    if not 0 <= p <= 1:
        raise ValueError(f"p must be within 0..1, got {p}")
    pos = (len(ordered) - 1) * p
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    frac = pos - low
    if frac == 0:
        return float(ordered[low])
    return float(ordered[low] + (ordered[high] - ordered[low]) * frac)


def histogram(values: Iterable[float], edges: Sequence[float] = DAY_EDGES) -> list[int]:
    """Counts per bucket [edges[i], edges[i+1]), the last bucket open-ended; values below the
    first edge count in the first bucket."""
    counts = [0] * len(edges)
    for value in values:
        index = 0
        for i, edge in enumerate(edges):
            if value >= edge:
                index = i
            else:
                break
        counts[index] += 1
    return counts


def bucket_labels(edges: Sequence[float] = DAY_EDGES) -> list[str]:
    """ "0-1", "1-2", ..., "30+" (days): plain ASCII, the same in both languages."""

    def num(x: float) -> str:
        return f"{x:g}"

    labels = [f"{num(a)}-{num(b)}" for a, b in itertools.pairwise(edges)]
    return [*labels, f"{num(edges[-1])}+"]


@dataclass(frozen=True)
class Distribution:
    """A step's durations in days: how many, median, 90th percentile, worst, histogram."""

    count: int
    median: float | None
    p90: float | None
    max: float | None
    histogram: tuple[int, ...]


def distribution(values: Iterable[float], edges: Sequence[float] = DAY_EDGES) -> Distribution:
    ordered = sorted(values)
    if not ordered:
        return Distribution(0, None, None, None, tuple(histogram([], edges)))
    return Distribution(
        count=len(ordered),
        median=percentile(ordered, 0.5),
        p90=percentile(ordered, 0.9),
        max=float(ordered[-1]),
        histogram=tuple(histogram(ordered, edges)),
    )
