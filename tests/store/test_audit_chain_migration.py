"""Upgrading chains the audit entries written before the chain existed, and keeps the log
append-only."""

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from order_tui.store.engine import Database
from order_tui.store.maintenance import check
from order_tui.store.migrate import ensure_schema, upgrade_to
from tests import pg


def test_entries_before_the_chain_are_chained_by_the_upgrade(tmp_path: Path) -> None:
    with pg.blank_database(tmp_path) as db:
        _chain_the_old_entries(db)


def _chain_the_old_entries(db: Database) -> None:
    upgrade_to(db, "0007")
    with db.write_engine.begin() as conn:
        for n in range(3):
            conn.execute(
                text(
                    "INSERT INTO audit_event (at, operator_name, entity, entity_id, order_no,"
                    " action, from_status, to_status, changes) VALUES"
                    " (:at, 'wu', 'order', :n, 'SO20250301001', 'archive', 'completed',"
                    " 'archived', '')"
                ),
                {"at": f"2025-03-0{n + 1} 08:00:00.000000", "n": n},
            )
    ensure_schema(db)
    lines = {name: (detail, ok) for name, detail, ok in check(db).lines}
    assert lines["audit chain"] == ("3 entries, every link holds", True)
    with db.write_engine.begin() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text("UPDATE audit_event SET action = 'x'"))
