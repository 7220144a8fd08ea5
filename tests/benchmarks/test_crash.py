"""The crash test's short run: 20 SIGKILLs of writers in mid-write, every check after each."""

import sqlite3
from pathlib import Path

import pytest

from benchmarks.crash import CrashResult, check_after_kill, crash
from order_tui.store.engine import open_database


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CrashResult]:
    folder = tmp_path_factory.mktemp("crash")
    return folder, crash(folder, 20)


def test_twenty_kills_leave_a_whole_database_and_good_backups(
    run: tuple[Path, CrashResult],
) -> None:
    _folder, result = run
    assert result.ok, "\n".join(result.failures)
    assert result.kills == 20
    assert result.mid_write > 0, "no kill landed inside a write transaction"
    assert result.backups >= 2 and result.orders > 0


def test_the_checks_find_a_half_written_order(run: tuple[Path, CrashResult]) -> None:
    folder, _result = run
    with sqlite3.connect(folder / "crash.db") as conn:
        oid = conn.execute("SELECT MAX(id) FROM sales_order").fetchone()[0]
        conn.execute("DELETE FROM order_line WHERE order_id = ?", (oid,))
    db = open_database(f"sqlite:///{folder}/crash.db", folder)
    try:
        failed = [name for name, _detail, passed in check_after_kill(db) if not passed]
    finally:
        db.dispose()
    assert "half-written orders" in failed
