"""The approval's write path stays lean (issue 7) and loses none of its checks on the way.

One approval is: authorize by role, check the lifecycle guard (the hold flag), insert the
verdict, drop the department's inbox task, the guarded (version-checked) UPDATE, and the audit
entry chained to the one before it, all in one transaction.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from order_tui.domain.errors import Conflict, GuardFailed, PermissionDenied
from order_tui.services import execution, orders, review
from order_tui.services.demo import DemoCast, new_order
from order_tui.store import maintenance
from order_tui.store.engine import Database
from tests.reader import READER


@contextmanager
def _statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(db.write_engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.write_engine, "before_cursor_execute", before)


def _in_review(db: Database, cast: DemoCast) -> str:
    no = new_order(db, cast, "C0002", [("P0001", "2"), ("P0005", "1")])
    review.submit(db, cast["zhao"], no)
    return no


def test_an_approval_sends_only_the_statements_it_needs(db: Database, cast: DemoCast) -> None:
    no = _in_review(db, cast)
    with _statements(db) as seen:
        review.approve(db, cast["zhang"], no)
    verbs = [s.split(" ", 2)[0] + " " + s.split(" ")[1] for s in seen]
    if db.write_engine.dialect.name == "postgresql":
        # no BEGIN among the statements, but the order read under its row lock (writers run
        # side by side there) by the statement that loads it, not by a second read, and the
        # audit chain's advisory lock
        assert len(seen) == 8, "\n".join(seen)  # 10 with the lock a re-read, the round apart
        assert sum(s.endswith("FOR UPDATE") for s in seen) == 1
        assert seen[0].startswith("SELECT sales_order.id") and seen[0].endswith("FOR UPDATE")
        assert "WHERE sales_order.order_no = " in seen[0]
        assert sum("pg_advisory_xact_lock" in s for s in seen) == 1
    else:
        assert len(seen) == 8, "\n".join(seen)  # was 21 before issue 7, 9 with the round apart
        assert verbs[0] == "BEGIN IMMEDIATE"
    # Guard facts are read on demand: approving reads the hold flag of the loaded order, not
    # the lines, plans, feedback or attachments; no detail view is rebuilt afterwards.
    for table in ("order_line", "production_plan", "feedback", "attachment", "hold", "customer"):
        assert not any(f"FROM {table} " in s for s in seen), table
    # The round and its verdicts so far: one query.
    assert sum(s.startswith("SELECT review_round.id") for s in seen) == 1
    assert sum("FROM review_verdict" in s for s in seen) == 0
    update = next(s for s in seen if s.startswith("UPDATE sales_order"))
    assert "sales_order.version = " in update and "sales_order.status = " in update
    assert sum(s.startswith("INSERT INTO audit_event") for s in seen) == 1
    assert sum(s.startswith("INSERT INTO review_verdict") for s in seen) == 1
    assert sum(s.startswith("DELETE FROM review_task") for s in seen) == 1


def test_the_verdict_returns_the_order_as_it_now_is(db: Database, cast: DemoCast) -> None:
    no = _in_review(db, cast)
    for name, status in (("zhang", "in_review"), ("chen", "in_review"), ("liu", "approved")):
        result = review.approve(db, cast[name], no)
        now = orders.get_order(db, READER, no)
        assert (result.order_no, result.status, result.version) == (no, status, now.version)
        assert now.status == status
    assert [v["department"] for v in now.verdicts] == ["sales", "finance", "warehouse"]
    other = _in_review(db, cast)
    returned = review.reject(db, cast["chen"], other, "credit", "超出信用额度")
    now = orders.get_order(db, READER, other)
    assert (returned.status, returned.version) == ("returned", now.version)


def test_the_checks_still_hold(db: Database, cast: DemoCast) -> None:
    no = _in_review(db, cast)
    before = orders.get_order(db, READER, no)
    with pytest.raises(PermissionDenied):
        review.approve(db, cast["zhao"], no)  # the clerk reviews nothing
    review.approve(db, cast["zhang"], no)
    with pytest.raises(Conflict):  # a stale version: the guarded update refuses
        review.approve(db, cast["chen"], no, expected_version=before.version)
    execution.raise_hold(db, cast["liu"], no, "quality", "外观划伤")
    with pytest.raises(GuardFailed, match="on hold"):
        review.approve(db, cast["chen"], no)
    after = orders.get_order(db, READER, no)
    assert [v["department"] for v in after.verdicts] == ["sales"]
    chain = next(line for line in maintenance.check(db).lines if line[0] == "audit chain")
    assert chain[2], chain
