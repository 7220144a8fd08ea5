"""Archive rules: what an order-number prefix stands for, the checklist, the purge cutoff."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from order_tui.domain.archive import (
    checklist,
    may_purge,
    normalize_order_prefix,
    prefix_days,
    purge_cutoff,
)
from order_tui.domain.errors import InvalidValue
from order_tui.domain.order_numbers import format_order_no


@pytest.mark.parametrize(
    ("typed", "prefix"),
    [("so2025", "SO2025"), (" 20250315 ", "SO20250315"), ("SO", "SO"), ("", "")],
)
def test_a_typed_prefix_is_normalized(typed: str, prefix: str) -> None:
    assert normalize_order_prefix(typed) == prefix


@pytest.mark.parametrize("typed", ["X1", "SO-2025", "SO2025A", "单号"])
def test_anything_else_is_refused(typed: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        normalize_order_prefix(typed)
    assert refused.value.code == "archive.bad_number"


@pytest.mark.parametrize(
    ("prefix", "days"),
    [
        ("SO2025", (date(2025, 1, 1), date(2025, 12, 31))),
        ("SO202503", (date(2025, 3, 1), date(2025, 3, 31))),
        ("SO2025031", (date(2025, 3, 10), date(2025, 3, 19))),
        ("SO20251", (date(2025, 10, 1), date(2025, 12, 31))),
        ("SO202402", (date(2024, 2, 1), date(2024, 2, 29))),
        ("SO20250315001", (date(2025, 3, 15), date(2025, 3, 15))),
        ("SO202", (date(2020, 1, 1), date(2029, 12, 31))),
        ("SO20252", None),  # no month 20-29
        ("SO2025023", None),  # no 30 February
    ],
)
def test_a_prefix_stands_for_a_range_of_days(prefix: str, days: tuple[date, date] | None) -> None:
    assert prefix_days(prefix) == days


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), st.integers(1, 2000))
def test_every_number_falls_in_the_days_of_each_of_its_prefixes(day: date, serial: int) -> None:
    number = format_order_no(day, serial)
    for cut in range(3, len(number) + 1):
        days = prefix_days(number[:cut])
        assert days is not None and days[0] <= day <= days[1], number[:cut]


def test_the_checklist_in_order() -> None:
    assert checklist({"purchase_confirmation", "invoice_copy"}) == [
        ("order_form", True),  # a signed purchase confirmation counts as the order form
        ("signed_receipt", False),
        ("invoice_copy", True),
        ("communication", False),
    ]


def test_purge_only_after_the_retention_date_in_both_calendars() -> None:
    cutoff = purge_cutoff(date(2029, 11, 28), date(2029, 11, 27))
    assert cutoff == date(2029, 11, 27)
    assert may_purge("archived", date(2029, 11, 26), cutoff)
    assert not may_purge("archived", date(2029, 11, 27), cutoff)  # the last day still counts
    assert not may_purge("archived", None, cutoff)
    assert not may_purge("completed", date(2020, 1, 1), cutoff)
