"""The monthly review's pure rules: months in the business time zone, percentiles, histograms."""

import statistics
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from order_tui.domain.errors import InvalidValue
from order_tui.domain.monthly import (
    DAY_EDGES,
    bucket_labels,
    days_late,
    distribution,
    format_month,
    histogram,
    is_complaint,
    last_months,
    month_bounds,
    month_days,
    month_of,
    parse_month,
    percentile,
    shift_month,
    step_days,
)

ZONES = ["Asia/Shanghai", "UTC", "America/New_York", "Europe/Berlin", "Pacific/Chatham"]
months = st.builds(format_month, st.integers(1900, 2200), st.integers(1, 12))
moments = st.datetimes(
    min_value=datetime(1950, 1, 2), max_value=datetime(2150, 1, 1), timezones=st.just(UTC)
)
durations = st.lists(st.floats(0, 400, allow_nan=False), min_size=1, max_size=60)


def test_shanghai_month_starts_at_16_utc_the_day_before() -> None:
    start, end = month_bounds("2026-11", "Asia/Shanghai")
    assert start == datetime(2026, 10, 31, 16, tzinfo=UTC)
    assert end == datetime(2026, 11, 30, 16, tzinfo=UTC)
    # 00:30 on 1 December in Beijing is still November in UTC, but December's business
    assert month_of(datetime(2026, 11, 30, 16, 30, tzinfo=UTC), "Asia/Shanghai") == "2026-12"


def test_december_rolls_into_january() -> None:
    assert shift_month("2026-12", 1) == "2027-01"
    assert shift_month("2027-01", -1) == "2026-12"
    assert month_days("2026-12") == (date(2026, 12, 1), date(2027, 1, 1))
    assert last_months("2027-02", 3) == ["2026-12", "2027-01", "2027-02"]


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-1", "26-11", "2026/11", "", "0000-01"]
)
def test_bad_months_are_refused_with_a_code(text: str) -> None:
    with pytest.raises(InvalidValue) as err:
        parse_month(text)
    assert err.value.code == "monthly.bad_month"


@given(months, st.integers(-300, 300))
def test_shift_is_reversible(month: str, n: int) -> None:
    assert shift_month(shift_month(month, n), -n) == month


@given(months, st.sampled_from(ZONES))
def test_months_tile_time_without_gaps(month: str, zone: str) -> None:
    start, end = month_bounds(month, zone)
    assert start < end
    assert month_bounds(shift_month(month, 1), zone)[0] == end
    assert timedelta(days=27) < end - start < timedelta(days=32)


@given(moments, st.sampled_from(ZONES))
def test_a_moment_lies_in_the_bounds_of_its_month(moment: datetime, zone: str) -> None:
    month = month_of(moment, zone)
    start, end = month_bounds(month, zone)
    assert start <= moment < end


@given(durations, st.floats(0, 1))
def test_percentile_within_range_and_monotone(values: list[float], p: float) -> None:
    ordered = sorted(values)
    q = percentile(ordered, p)
    assert ordered[0] <= q <= ordered[-1]
    assert percentile(ordered, min(1.0, p + 0.1)) >= q
    assert percentile(ordered, 0) == ordered[0]
    assert percentile(ordered, 1) == ordered[-1]


@given(durations)
def test_median_and_p90_agree_with_statistics(values: list[float]) -> None:
    ordered = sorted(values)
    assert percentile(ordered, 0.5) == pytest.approx(statistics.median(ordered))
    if len(ordered) >= 2:
        deciles = statistics.quantiles(ordered, n=10, method="inclusive")
        assert percentile(ordered, 0.9) == pytest.approx(deciles[8])


@given(st.lists(st.floats(-5, 100, allow_nan=False), max_size=60))
def test_histogram_counts_every_value_once(values: list[float]) -> None:
    counts = histogram(values)
    assert sum(counts) == len(values)
    assert len(counts) == len(DAY_EDGES) == len(bucket_labels())
    for value in values:  # each value's bucket holds it: edge <= value < next edge
        index = max((i for i, e in enumerate(DAY_EDGES) if value >= e), default=0)
        assert counts[index] > 0


def test_histogram_edges_are_half_open() -> None:
    # 0.99 in [0,1); 1 and 1.5 in [1,2); 30 and 99 in [30,+)
    assert histogram([0.99, 1, 1.5, 30, 99]) == [1, 2, 0, 0, 0, 0, 0, 2]
    assert bucket_labels() == ["0-1", "1-2", "2-3", "3-5", "5-7", "7-14", "14-30", "30+"]


@given(durations)
def test_distribution_summarises(values: list[float]) -> None:
    d = distribution(values)
    assert d.count == len(values)
    assert d.median is not None and d.p90 is not None and d.max is not None
    assert d.median <= d.p90 <= d.max == max(values)
    assert sum(d.histogram) == len(values)


def test_empty_distribution_has_no_figures() -> None:
    d = distribution([])
    assert (d.count, d.median, d.p90, d.max) == (0, None, None, None)
    assert sum(d.histogram) == 0


def test_steps_lateness_and_complaints() -> None:
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    assert step_days(t0, t0 + timedelta(hours=36)) == 1.5
    assert step_days(t0, t0 - timedelta(hours=1)) == 0.0
    assert days_late(date(2026, 11, 20), date(2026, 11, 17)) == 3
    assert days_late(date(2026, 11, 17), date(2026, 11, 17)) == 0
    assert days_late(date(2026, 11, 17), None) == 0
    assert is_complaint(2, False) and is_complaint(5, True)
    assert not is_complaint(3, False) and not is_complaint(None, False)
