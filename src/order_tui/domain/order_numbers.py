"""Sales-order numbers: "SO" + business day (YYYYMMDD) + serial of that day.

The serial is padded to 3 digits and simply grows wider after 999, as ERPNext and Odoo do:
the 1000th order of 2024-05-01 is SO202405011000. That number sorts before SO20240501999 as a
string, so lists must sort by ``order_no_sort_key`` (day, serial as an integer).
"""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ORDER_PREFIX = "SO"
DEFAULT_TZ = "Asia/Shanghai"
SERIAL_WIDTH = 3

_ORDER_NO_RE = re.compile(r"SO([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{3,})", re.ASCII)


def format_order_no(day: date, serial: int) -> str:
    """SO + day + serial of at least 3 digits: (2024-05-01, 7) -> SO20240501007."""
    # A datetime is a date too, but its .date() is whatever zone it happens to be in;
    # the caller must go through business_day() so that 00:30 in Beijing is not yesterday.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"day must be a date (see business_day), not {type(day).__name__}")
    if isinstance(serial, bool) or not isinstance(serial, int):
        raise TypeError(f"serial must be an int, not {type(serial).__name__}")
    if serial < 1:
        raise ValueError(f"order serial must be 1 or more, got {serial}")
    return f"{ORDER_PREFIX}{day.year:04d}{day.month:02d}{day.day:02d}{serial:0{SERIAL_WIDTH}d}"


def parse_order_no(text: str) -> tuple[date, int]:
    """SO202405011000 -> (date(2024, 5, 1), 1000).

    Strict: only what format_order_no writes is accepted (no spaces, no lower case, no extra
    zero padding), so that one order never has two spellings.
    """
    if not isinstance(text, str):
        raise TypeError(f"order number must be str, not {type(text).__name__}")
    match = _ORDER_NO_RE.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not an order number like SO20240501001")
    year, month, day_of_month, serial_text = match.groups()
    try:
        day = date(int(year), int(month), int(day_of_month))
    except ValueError:
        raise ValueError(
            f"{text!r} is not an order number: {year}-{month}-{day_of_month} is not a date"
        ) from None
    serial = int(serial_text)
    if serial < 1:
        raise ValueError(f"{text!r} is not an order number: serials start at 001")
    if serial_text != f"{serial:0{SERIAL_WIDTH}d}":
        raise ValueError(
            f"{text!r} is not an order number: too many leading zeros, "
            f"did you mean {format_order_no(day, serial)}?"
        )
    return day, serial


def order_no_sort_key(text: str) -> tuple[date, int]:
    """Sort key that puts SO202405011000 after SO20240501999."""
    return parse_order_no(text)


def business_day(moment: datetime, tz_name: str = DEFAULT_TZ) -> date:
    """The calendar day of `moment` in the business time zone (not the server's, not UTC)."""
    if not isinstance(moment, datetime):
        raise TypeError(f"moment must be a datetime, not {type(moment).__name__}")
    if moment.utcoffset() is None:
        # A naive time could be local or UTC; guessing moves orders near midnight to another day.
        raise ValueError("business_day needs a datetime with a time zone, got a naive one")
    try:
        zone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {tz_name!r}") from None
    return moment.astimezone(zone).date()
