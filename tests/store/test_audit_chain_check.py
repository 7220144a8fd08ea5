"""`order-tui check` walks the audit log's hash chain and names the first entry that breaks it."""

import sqlite3
from decimal import Decimal

from sqlalchemy import text

from order_tui.services import orders, review
from order_tui.services.demo import DemoCast
from order_tui.store.engine import Database, sqlite_path
from order_tui.store.maintenance import check


def _chain_line(db: Database) -> tuple[str, bool]:
    report = check(db)
    [(detail, passed)] = [(d, p) for name, d, p in report.lines if name == "audit chain"]
    return detail, passed


def _write_some(db: Database, cast: DemoCast) -> None:
    for customer in ("C0001", "C0002"):
        made = orders.create_order(
            db,
            cast["zhao"],
            orders.OrderInput(
                customer_code=customer, lines=[orders.LineInput("P0001", Decimal(2))]
            ),
        )
        review.submit(db, cast["zhao"], made.order_no)


def _behind_the_triggers(db: Database, statement: str, trigger: str, row_id: int) -> None:
    """Run `statement` (one :id parameter) with the append-only trigger out of the way, as
    someone with the database owner's rights could."""
    if db.is_sqlite:
        path = sqlite_path(db.url)
        assert path is not None
        with sqlite3.connect(path, isolation_level=None) as conn:
            conn.execute(f"DROP TRIGGER {trigger}")
            conn.execute(statement.replace(":id", "?"), (row_id,))
        return
    with db.write_engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change")
        conn.execute(text(statement), {"id": row_id})


def _ids(db: Database) -> list[int]:
    with db.read_engine.connect() as conn:
        return [row[0] for row in conn.execute(text("SELECT id FROM audit_event ORDER BY id"))]


def test_entries_written_by_the_services_chain(db: Database, cast: DemoCast) -> None:
    _write_some(db, cast)
    detail, passed = _chain_line(db)
    assert passed, detail
    assert "every link holds" in detail


def test_an_entry_edited_behind_the_triggers_back_is_named(db: Database, cast: DemoCast) -> None:
    _write_some(db, cast)
    ids = _ids(db)
    victim = ids[len(ids) // 2]
    _behind_the_triggers(
        db,
        "UPDATE audit_event SET operator_name = 'someone' WHERE id = :id",
        "audit_event_no_update",
        victim,
    )
    detail, passed = _chain_line(db)
    assert not passed
    assert f"broken at entry {victim}" in detail


def test_a_removed_entry_is_found_at_the_next_one(db: Database, cast: DemoCast) -> None:
    _write_some(db, cast)
    ids = _ids(db)
    _behind_the_triggers(
        db, "DELETE FROM audit_event WHERE id = :id", "audit_event_no_delete", ids[1]
    )
    detail, passed = _chain_line(db)
    assert not passed and f"broken at entry {ids[2]}" in detail
