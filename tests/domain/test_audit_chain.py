"""The audit hash chain: any edit, removal, insertion or reordering breaks it at that row."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from order_tui.domain.audit_chain import FIELDS, GENESIS, first_break, link

text = st.text(max_size=30)
entries = st.lists(
    st.tuples(
        st.datetimes(
            min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
        ),
        st.one_of(st.none(), st.integers(1, 10**6)),
        text,
        text,
        st.integers(1, 10**9),
        text,
        text,
        text,
        text,
        text,
    ),
    min_size=1,
    max_size=12,
)


def chained(values: list[tuple[object, ...]]) -> list[tuple[int, str, list[object]]]:
    rows, previous = [], GENESIS
    for row_id, entry in enumerate(values, start=1):
        previous = link(previous, list(entry))
        rows.append((row_id, previous, list(entry)))
    return rows


@given(entries)
def test_an_untouched_chain_holds(values: list[tuple[object, ...]]) -> None:
    rows = chained(values)
    assert first_break(rows) == (None, rows[-1][1])


@given(entries, st.data())
def test_any_edited_field_breaks_the_chain_at_that_row(
    values: list[tuple[object, ...]], data: st.DataObject
) -> None:
    rows = chained(values)
    index = data.draw(st.integers(0, len(rows) - 1))
    field = data.draw(st.integers(0, len(FIELDS) - 1))
    row_id, stored, fields = rows[index]
    before = fields[field]
    fields = list(fields)
    if isinstance(before, datetime):
        fields[field] = before + timedelta(microseconds=1)
    elif isinstance(before, int):
        fields[field] = before + 1
    else:
        fields[field] = f"{before or ''}x"
    rows[index] = (row_id, stored, fields)
    assert first_break(rows)[0] == row_id


@given(entries.filter(lambda v: len(v) >= 2), st.data())
def test_a_removed_row_breaks_the_chain_at_the_next(
    values: list[tuple[object, ...]], data: st.DataObject
) -> None:
    rows = chained(values)
    index = data.draw(st.integers(0, len(rows) - 2))
    following = rows[index + 1][0]
    del rows[index]
    assert first_break(rows)[0] == following


def test_the_chain_can_be_walked_in_batches() -> None:
    at = datetime(2026, 11, 27, 1, 2, 3, 456789, tzinfo=UTC)
    rows = chained([(at, 1, "wu", "order", n, "SO1", "archive", "", "", "") for n in range(10)])
    broken, last = first_break(rows[:4])
    assert broken is None
    assert first_break(rows[4:], last) == (None, rows[-1][1])


def test_naive_and_aware_utc_timestamps_link_alike() -> None:
    aware = datetime(2026, 11, 27, 1, 2, 3, tzinfo=UTC)
    values: list[object] = [aware, 1, "wu", "order", 1, "", "x", "", "", ""]
    naive = [aware.replace(tzinfo=None), *values[1:]]
    assert link(GENESIS, values) == link(GENESIS, naive)


def test_the_wrong_number_of_fields_is_a_mistake() -> None:
    with pytest.raises(ValueError):
        link(GENESIS, ["too few"])
