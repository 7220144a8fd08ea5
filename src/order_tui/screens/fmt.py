"""How numbers, dates and codes look on screen (no I/O, no Textual)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from order_tui.screens.i18n import t


def money(value: Decimal | str | None) -> str:
    """Thousands separators and two decimals (more if the value has them): 7,256.00."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return str(value)
    places = max(2, -amount.normalize().as_tuple().exponent)  # type: ignore[operator]
    return f"{amount:,.{places}f}"


def qty(value: Decimal) -> str:
    """A quantity without the store's trailing zeros: 20, 1.5."""
    text = f"{value.normalize():f}"
    return text


def day(value: date | None, lang: str) -> str:
    return value.isoformat() if value else t("detail.none", lang)


def short_day(value: date | None, this_year: int) -> str:
    """MM-DD for this year's dates, YY-MM-DD otherwise (fits the worklist's date column)."""
    if value is None:
        return ""
    return value.strftime("%m-%d" if value.year == this_year else "%y-%m-%d")


def tax(code: str, lang: str) -> str:
    if code.isdigit():
        return f"{code}%"
    return t("tax.exempt", lang) if code == "exempt" else code


def local_time(stamp: str, timezone: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An ISO timestamp from the services (UTC) in the business time zone: 2026-11-28 02:56."""
    try:
        moment = datetime.fromisoformat(stamp)
        if moment.tzinfo is not None:
            moment = moment.astimezone(ZoneInfo(timezone))
    except (ValueError, KeyError):
        return stamp
    return moment.strftime(fmt)
