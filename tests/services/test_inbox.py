"""The approval inbox: per-department queues paged by key, filters, batch option codes."""

from pathlib import Path

import pytest

from order_tui.domain.errors import Conflict
from order_tui.domain.lifecycle import Status
from order_tui.services import inbox, orders, review
from order_tui.services.demo import DemoCast, drive_to, new_order
from order_tui.store.engine import Database
from tests.reader import READER


def _submitted(db: Database, cast: DemoCast, customer: str, lines: list[tuple[str, str]]) -> str:
    no = new_order(db, cast, customer, lines)
    review.submit(db, cast["zhao"], no)
    return no


def test_each_department_sees_its_pending_orders(db: Database, cast: DemoCast) -> None:
    plain = _submitted(db, cast, "C0001", [("P0001", "1")])
    mto = _submitted(db, cast, "C0002", [("P0006", "1")])
    assert [r.order_no for r in inbox.page(db, cast["chen"])] == [plain, mto]
    assert [r.order_no for r in inbox.page(db, cast["sun"])] == [mto]  # production: MTO only
    assert inbox.counts(db, cast["liu"]) == {"warehouse": 2}
    review.approve(db, cast["chen"], plain)
    assert [r.order_no for r in inbox.page(db, cast["chen"])] == [mto]
    assert [r.order_no for r in inbox.page(db, cast["zhang"])] == [plain, mto]
    review.reject(db, cast["zhang"], plain, "price", "价格需重新确认")
    # A rejection ends the round: nobody waits on that order any more.
    assert plain not in [r.order_no for r in inbox.page(db, cast["liu"])]
    _, version = orders.order_input_of(db, READER, plain)
    review.resubmit(db, cast["zhao"], plain, version)
    # The new round asks every department again, finance included.
    rows = {r.order_no: r for r in inbox.page(db, cast["chen"])}
    assert rows[plain].round_no == 2


def test_keyset_pages_sorts_and_filters(db: Database, cast: DemoCast) -> None:
    made = [
        _submitted(db, cast, c, [("P0001", q)])
        for c, q in [("C0001", "1"), ("C0002", "3"), ("C0003", "2"), ("C0005", "5")]
    ]
    first = inbox.page(db, cast["chen"], limit=3)
    rest = inbox.page(db, cast["chen"], limit=3, after=first[-1].cursor)
    assert [r.order_no for r in first + rest] == made
    by_amount = [r.order_no for r in inbox.page(db, cast["chen"], sort="amount", descending=True)]
    assert by_amount == [made[3], made[1], made[2], made[0]]
    assert [r.order_no for r in inbox.page(db, cast["chen"], text="hxjm")] == [made[2]]
    low, high = inbox.parse_amount_range("13000-21000") or (None, None)
    ranged = inbox.page(db, cast["chen"], amount_min=low, amount_max=high)
    assert {r.order_no for r in ranged} == {made[1], made[2]}
    assert inbox.parse_amount_range("bjhy") is None


def test_flags_come_from_the_findings(db: Database, cast: DemoCast) -> None:
    no = new_order(db, cast, "C0004", [("P0002", "40")])  # small credit limit, short stock
    review.submit(db, cast["zhao"], no)
    (row,) = inbox.page(db, cast["liu"], text=no)
    assert "stock" in row.flags and "credit" in row.flags


def test_batch_option_codes_report_each_result(db: Database, cast: DemoCast) -> None:
    a = _submitted(db, cast, "C0001", [("P0001", "1")])
    b = _submitted(db, cast, "C0002", [("P0001", "1")])
    c = _submitted(db, cast, "C0003", [("P0001", "1")])
    results = inbox.run_batch(
        db,
        cast["chen"],
        [
            inbox.BatchEntry(a, "1"),
            inbox.BatchEntry(b, "4"),  # no reason: refused, the others still run
            inbox.BatchEntry(c, "4", reason="invoice", text="发票抬头有误"),
            inbox.BatchEntry(a, "5"),
            inbox.BatchEntry(a, "7"),
        ],
    )
    assert [(r.order_no, r.ok) for r in results] == [
        (a, True),
        (b, False),
        (c, True),
        (a, True),
        (a, False),
    ]
    assert orders.get_order(db, READER, c).status == "returned"
    assert "reason code" in results[1].message
    assert [r.order_no for r in inbox.page(db, cast["chen"])] == [b]


def test_two_reviewers_racing_count_once(db: Database, cast: DemoCast) -> None:
    from order_tui.services import operators

    operators.add_operator(db, cast["admin"], "chen2", "财务二", "finance", "1234")
    second = operators.find_actor(db, "chen2")
    no = _submitted(db, cast, "C0001", [("P0001", "1")])
    review.approve(db, cast["chen"], no)
    with pytest.raises(Conflict, match="already gave its verdict"):
        review.approve(db, second, no)
    detail = orders.get_order(db, READER, no)
    assert [v["department"] for v in detail.verdicts] == ["finance"]


def test_cancel_in_review_clears_the_inbox(db: Database, cast: DemoCast, tmp_path: Path) -> None:
    from order_tui.services import closing

    no = _submitted(db, cast, "C0001", [("P0001", "1")])
    closing.cancel(db, cast["zhang"], no, "customer")
    assert inbox.page(db, cast["chen"]) == []
    other = new_order(db, cast, "C0002", [("P0001", "1")])
    drive_to(db, cast, other, Status.APPROVED, tmp_path)
    assert inbox.counts(db, cast["zhang"]) == {"sales": 0}
