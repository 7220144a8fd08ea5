"""Sales-order numbers and the business day (rules: shared notes, section 4)."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from order_tui.domain.order_numbers import (
    DEFAULT_TZ,
    business_day,
    format_order_no,
    order_no_sort_key,
    parse_order_no,
)

MAY_DAY = date(2024, 5, 1)


@pytest.mark.parametrize(
    ("serial", "number"),
    [
        (1, "SO20240501001"),
        (42, "SO20240501042"),
        (999, "SO20240501999"),
        (1000, "SO202405011000"),
        (12345, "SO2024050112345"),
    ],
)
def test_format_and_parse(serial: int, number: str) -> None:
    assert format_order_no(MAY_DAY, serial) == number
    assert parse_order_no(number) == (MAY_DAY, serial)


def test_early_years_keep_four_digits() -> None:
    assert format_order_no(date(999, 1, 2), 1) == "SO09990102001"
    assert parse_order_no("SO09990102001") == (date(999, 1, 2), 1)


@pytest.mark.parametrize("serial", [0, -1])
def test_format_refuses_serials_below_one(serial: int) -> None:
    with pytest.raises(ValueError, match="1 or more"):
        format_order_no(MAY_DAY, serial)


def test_format_refuses_wrong_types() -> None:
    with pytest.raises(TypeError, match="business_day"):
        format_order_no(datetime(2024, 5, 1, 12, tzinfo=UTC), 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_order_no("2024-05-01", 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_order_no(MAY_DAY, True)
    with pytest.raises(TypeError):
        format_order_no(MAY_DAY, 1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SO202405010001", "too many leading zeros, did you mean SO20240501001?"),
        ("SO2024050101000", "did you mean SO202405011000?"),
        ("SO20240501000", "serials start at 001"),
        ("SO20240230001", "2024-02-30 is not a date"),
        ("SO20241301001", "2024-13-01 is not a date"),
        ("SO00000101001", "0000-01-01 is not a date"),
        ("SO20240501", "is not an order number like SO20240501001"),
        ("SO2024050101", "is not an order number like"),
        ("so20240501001", "is not an order number like"),
        (" SO20240501001", "is not an order number like"),
        ("SO20240501001 ", "is not an order number like"),
        ("PO20240501001", "is not an order number like"),
        ("SO-20240501-001", "is not an order number like"),
        ("SO2024050１001", "is not an order number like"),
        ("", "is not an order number like"),
    ],
)
def test_parse_is_strict(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("?", r"\?")):
        parse_order_no(text)


def test_parse_refuses_non_text() -> None:
    with pytest.raises(TypeError):
        parse_order_no(20240501001)  # type: ignore[arg-type]


def test_sort_puts_the_thousandth_order_after_the_999th() -> None:
    numbers = ["SO202405011000", "SO20240502001", "SO20240501999", "SO20240501001"]
    assert sorted(numbers) != sorted(numbers, key=order_no_sort_key)  # why the key exists
    assert sorted(numbers, key=order_no_sort_key) == [
        "SO20240501001",
        "SO20240501999",
        "SO202405011000",
        "SO20240502001",
    ]
    assert order_no_sort_key("SO202405011000") == (MAY_DAY, 1000)


days = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
serials = st.integers(1, 10**7)


@given(days, serials)
def test_round_trip(day: date, serial: int) -> None:
    number = format_order_no(day, serial)
    assert parse_order_no(number) == (day, serial)
    assert len(number) == 10 + max(3, len(str(serial)))


@given(days, serials, days, serials)
def test_sort_key_orders_by_day_then_serial(
    day_a: date, serial_a: int, day_b: date, serial_b: int
) -> None:
    key_a = order_no_sort_key(format_order_no(day_a, serial_a))
    key_b = order_no_sort_key(format_order_no(day_b, serial_b))
    assert (key_a < key_b) == ((day_a, serial_a) < (day_b, serial_b))


# --- business day ------------------------------------------------------------------------------


def test_default_zone() -> None:
    assert DEFAULT_TZ == "Asia/Shanghai"


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime(2024, 4, 30, 16, 30, tzinfo=UTC), date(2024, 5, 1)),
        (datetime(2024, 4, 30, 15, 59, 59, 999999, tzinfo=UTC), date(2024, 4, 30)),
        (datetime(2024, 4, 30, 16, 0, tzinfo=UTC), date(2024, 5, 1)),
        (datetime(2024, 5, 1, 0, 30, tzinfo=timezone(timedelta(hours=8))), date(2024, 5, 1)),
        (datetime(2024, 4, 30, 12, 0, tzinfo=timezone(timedelta(hours=-4))), date(2024, 5, 1)),
        (datetime(2024, 12, 31, 16, 0, tzinfo=UTC), date(2025, 1, 1)),
    ],
)
def test_business_day_in_shanghai(moment: datetime, day: date) -> None:
    assert business_day(moment) == day


def test_business_day_in_another_zone() -> None:
    moment = datetime(2024, 4, 30, 16, 30, tzinfo=UTC)
    assert business_day(moment, "UTC") == date(2024, 4, 30)
    assert business_day(moment, "Europe/Berlin") == date(2024, 4, 30)
    assert business_day(moment, "Asia/Urumqi") == date(2024, 4, 30)  # UTC+6


def test_business_day_refuses_naive_and_unknown() -> None:
    with pytest.raises(ValueError, match="time zone"):
        business_day(datetime(2024, 5, 1, 0, 30))
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        business_day(datetime(2024, 5, 1, tzinfo=UTC), "Mars/Olympus")
    with pytest.raises(ValueError, match="unknown time zone"):
        business_day(datetime(2024, 5, 1, tzinfo=UTC), "../etc/passwd")
    with pytest.raises(TypeError):
        business_day(date(2024, 5, 1))  # type: ignore[arg-type]


# Shanghai kept summer time 1986-1991 and local mean time before 1901; since then it is UTC+8.
@given(
    st.datetimes(
        min_value=datetime(1992, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    )
)
def test_business_day_is_utc_plus_8(moment: datetime) -> None:
    assert business_day(moment) == (moment.replace(tzinfo=None) + timedelta(hours=8)).date()
