"""Rules of the archive (step 6): who reads it, what an order-number prefix means, when an
archived order may be purged. Pure: no I/O."""

import calendar
import re
from datetime import date

from order_tui.domain import messages
from order_tui.domain.errors import InvalidValue
from order_tui.domain.order_numbers import ORDER_PREFIX
from order_tui.domain.roles import Role
from order_tui.domain.terms import ARCHIVE_CHECKLIST, missing_documents

messages.register(
    {
        "archive.bad_number": (
            "订单号应以 SO 开头，后跟数字（可只输入前几位）",
            "an order number is SO followed by digits (a prefix will do)",
        ),
    }
)

# Everyone in the order flow reads archived orders; the administrator manages operators and
# settings and purges, but reads no orders.
READERS: frozenset[Role] = frozenset(Role) - {Role.ADMIN}
PURGERS: frozenset[Role] = frozenset({Role.ADMIN})

_PREFIX_RE = re.compile(r"SO[0-9]*", re.ASCII)


def normalize_order_prefix(text: str) -> str:
    """What the operator typed as the start of an order number: "so2025", "20250315" and
    "SO2025" all mean "SO2025"; anything else is refused."""
    value = text.strip().upper()
    if not value:
        return ""
    if value.isdigit():
        value = ORDER_PREFIX + value
    if not _PREFIX_RE.fullmatch(value):
        raise InvalidValue(code="archive.bad_number")
    return value


def prefix_days(prefix: str) -> tuple[date, date] | None:
    """The order days an order-number prefix can stand for (inclusive), so the search walks
    only those days: SO2025 -> the year 2025, SO2025031 -> 10 to 19 March 2025. None when no
    real date starts that way (SO20251 3 ... is fine, SO20252 is not)."""
    digits = prefix[len(ORDER_PREFIX) :][:8]
    low = _clamp(digits + "0" * (8 - len(digits)), up=False)
    high = _clamp(digits + "9" * (8 - len(digits)), up=True)
    if low is None or high is None or low > high:
        return None
    return low, high


def _clamp(text: str, *, up: bool) -> date | None:
    """YYYYMMDD with out-of-range month or day pulled into range (up: towards the end)."""
    year, month, day = int(text[:4]), int(text[4:6]), int(text[6:8])
    if year < 1:
        year = 1
    if up:
        month = min(month, 12)
        if month < 1:
            return None
        day = min(day, calendar.monthrange(year, month)[1])
        if day < 1:
            return None
    else:
        month = max(month, 1)
        if month > 12:
            return None
        day = max(day, 1)
        if day > calendar.monthrange(year, month)[1]:
            return None
    return date(year, month, day)


def checklist(kinds: set[str]) -> list[tuple[str, bool]]:
    """The archive checklist in order: (item, present) for the attachment kinds an order has."""
    missing = set(missing_documents(kinds))
    return [(item, item not in missing) for item in ARCHIVE_CHECKLIST]


def purge_cutoff(today_local: date, today_utc: date) -> date:
    """Orders kept until a day before this one may go. The database's own guard counts days
    in UTC, the company in its time zone: the earlier of the two keeps both satisfied."""
    return min(today_local, today_utc)


def may_purge(status: str, retention_until: date | None, cutoff: date) -> bool:
    return status == "archived" and retention_until is not None and retention_until < cutoff
