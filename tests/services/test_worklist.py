"""The worklist shows what waits for MY roles, holds first."""

from pathlib import Path

from order_tui.domain.lifecycle import Status
from order_tui.services import execution, review, worklist
from order_tui.services.demo import DemoCast, drive_to, new_order
from order_tui.store.engine import Database


def test_clerk_sees_holds_first_then_returned_and_drafts(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    draft = new_order(db, cast, "C0001", [("P0001", "1")])
    returned = new_order(db, cast, "C0002", [("P0001", "1")])
    drive_to(db, cast, returned, Status.RETURNED, tmp_path)
    held = new_order(db, cast, "C0003", [("P0001", "1")])
    drive_to(db, cast, held, Status.APPROVED, tmp_path)
    execution.raise_hold(db, cast["liu"], held, "quality", "外观划伤")
    queues = worklist.worklist(db, cast["zhao"])
    assert [q.key for q in queues] == ["holds", "returned", "drafts"]
    assert queues[0].items[0].order_no == held and "外观划伤" in queues[0].items[0].note
    assert queues[1].items[0].order_no == returned and "invoice" in queues[1].items[0].note
    assert queues[2].items[0].order_no == draft


def test_reviewer_sees_only_orders_awaiting_their_department(db: Database, cast: DemoCast) -> None:
    no = new_order(db, cast, "C0002", [("P0001", "1")])
    review.submit(db, cast["zhao"], no)
    finance = {q.key: q for q in worklist.worklist(db, cast["chen"])}
    assert [i.order_no for i in finance["review"].items] == [no]
    review.approve(db, cast["chen"], no)
    finance = {q.key: q for q in worklist.worklist(db, cast["chen"])}
    assert finance["review"].items == []
    sales = {q.key: q for q in worklist.worklist(db, cast["zhang"])}
    assert [i.order_no for i in sales["review"].items] == [no]


def test_the_archivist_sees_delivered_orders_once_their_feedback_is_recorded(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    from order_tui.services import delivery

    no = new_order(db, cast, "C0001", [("P0001", "1")])
    drive_to(db, cast, no, Status.DELIVERED, tmp_path)

    def to_close() -> list[str]:
        queues = {q.key: q for q in worklist.worklist(db, cast["wu"])}
        return [i.order_no for i in queues["to_close"].items]

    assert no not in to_close()  # the call is the sales rep's first
    delivery.record_feedback(db, cast["wang"], no, reached=True, satisfaction=5)
    assert no in to_close()
