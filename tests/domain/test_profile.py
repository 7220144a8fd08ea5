"""The customer profile's arithmetic: months of the window, cycles, on-time rate, credit use."""

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from order_tui.domain import profile as p
from order_tui.domain.order_numbers import business_day
from order_tui.domain.roles import Role

DAY = date(2026, 11, 27)


def test_months_back_crosses_the_year_oldest_first():
    assert p.months_back(DAY, 3) == [(2026, 9), (2026, 10), (2026, 11)]
    assert p.months_back(date(2026, 2, 1), 3) == [(2025, 12), (2026, 1), (2026, 2)]
    assert p.window_start(DAY, 12) == date(2025, 12, 1)
    with pytest.raises(ValueError):
        p.months_back(DAY, 0)


@given(st.dates(date(2000, 1, 1), date(2090, 12, 31)), st.integers(1, 60))
def test_window_is_consecutive_months_ending_in_as_of(as_of: date, months: int):
    keys = p.months_back(as_of, months)
    assert len(keys) == months
    assert keys[-1] == (as_of.year, as_of.month)
    for (y1, m1), (y2, m2) in itertools.pairwise(keys):
        assert y2 * 12 + m2 == y1 * 12 + m1 + 1
    start = p.window_start(as_of, months)
    assert start.day == 1 and (start.year, start.month) == keys[0] and start <= as_of


def test_fill_months_zero_for_quiet_months_and_ignores_outside():
    counted = {(2026, 10): (2, Decimal("300.00")), (2025, 1): (9, Decimal("9.00"))}
    figures = p.fill_months(DAY, 3, counted)
    assert [(f.label, f.orders, f.amount) for f in figures] == [
        ("2026-09", 0, Decimal("0.00")),
        ("2026-10", 2, Decimal("300.00")),
        ("2026-11", 0, Decimal("0.00")),
    ]


def test_cycle_stats_by_hand():
    # 3 orders, cycles 2, 5, 9 days -> average 16/3 = 5.33, worst 9, best 2
    buckets = p.buckets_of(
        [
            (date(2026, 11, 1), date(2026, 11, 3), None),
            (date(2026, 11, 1), date(2026, 11, 6), date(2026, 11, 10)),
            (date(2026, 11, 1), date(2026, 11, 10), date(2026, 11, 8)),
        ]
    )
    stats = p.cycle_stats(buckets)
    assert stats == p.CycleStats(3, Decimal("5.33"), 9, 2)
    # on time: the 5-day one (by 11-10), late: the 9-day one (wanted 11-08); the first had no
    # wanted date and is not counted -> 1 of 2 = 50.0 %
    rate = p.on_time(buckets)
    assert (rate.measured, rate.on_time, rate.late, rate.without_wanted) == (2, 1, 1, 1)
    assert rate.rate == Decimal("50.0")


def test_nothing_delivered_has_no_figures():
    assert p.cycle_stats([]) == p.CycleStats(0, None, None, None)
    assert p.on_time([]).rate is None
    # all delivered without a wanted date: measured 0, the rate is unknown, not 0 %
    only = p.buckets_of([(DAY, DAY, None)])
    assert p.on_time(only) == p.OnTime(0, 0, 1)
    assert p.on_time(only).rate is None


deliveries = st.lists(
    st.tuples(
        st.dates(date(2024, 1, 1), date(2026, 12, 31)),
        st.integers(0, 120),
        st.one_of(st.none(), st.integers(-10, 130)),
    ).map(
        lambda t: (
            t[0],
            t[0] + timedelta(days=t[1]),
            None if t[2] is None else t[0] + timedelta(days=t[2]),
        )
    ),
    max_size=60,
)


@given(deliveries)
def test_bucketed_figures_equal_the_figures_of_each_order(rows):
    """What SQL's GROUP BY hands over (buckets by cycle length) gives the same figures as
    working through every order."""
    buckets = p.buckets_of(rows)
    stats, rate = p.cycle_stats(buckets), p.on_time(buckets)
    cycles = [(d - o).days for o, d, _ in rows]
    assert stats.measured == len(rows)
    if rows:
        expected = (Decimal(sum(cycles)) / len(cycles)).quantize(Decimal("0.01"))
        assert abs(stats.average_days - expected) <= Decimal("0.01")  # type: ignore[operator]
        assert stats.worst_days == max(cycles) and stats.best_days == min(cycles)
    dated = [(d, w) for _, d, w in rows if w is not None]
    assert rate.measured == len(dated)
    assert rate.on_time == sum(1 for d, w in dated if d <= w)
    assert rate.without_wanted == len(rows) - len(dated)
    if rate.rate is not None:
        assert Decimal(0) <= rate.rate <= Decimal(100)
    # the order of the buckets does not matter
    assert p.cycle_stats(reversed(buckets)) == stats


@given(st.datetimes(datetime(2000, 1, 1), datetime(2090, 1, 1), timezones=st.just(UTC)))
def test_offset_gives_the_business_day_in_shanghai(moment: datetime):
    offset = p.utc_offset_minutes("Asia/Shanghai", moment)
    assert offset == 480
    assert (moment + timedelta(minutes=offset)).date() == business_day(moment, "Asia/Shanghai")


def test_complaints_are_unhappy_calls_or_after_sales():
    assert p.is_complaint(1, False) and p.is_complaint(2, False)
    assert not p.is_complaint(3, False) and not p.is_complaint(None, False)
    assert p.is_complaint(5, True)


def test_credit_use():
    use = p.CreditUse(Decimal("500000.00"), Decimal("125000.00"))
    assert use.available == Decimal("375000.00") and not use.over
    assert use.percent == Decimal("25")
    over = p.CreditUse(Decimal("100.00"), Decimal("150.00"))
    assert over.over and over.percent == Decimal("150") and over.available == Decimal("-50.00")
    assert p.CreditUse(Decimal("0.00"), Decimal("10.00")).percent is None


@pytest.mark.parametrize("role", list(Role))
def test_who_may_view(role: Role):
    allowed = {Role.SALES_REP, Role.SALES_CLERK, Role.SALES_MANAGER, Role.FINANCE}
    assert p.may_view({role}) == (role in allowed)
