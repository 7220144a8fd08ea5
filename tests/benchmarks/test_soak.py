"""The soak's short run (10 s): operators and an importer on one file, every check must pass.

The checks themselves are tested too: each must fail on the damage it is there to find."""

import sqlite3
from pathlib import Path

import pytest

from benchmarks.soak import Entry, SoakResult, run_checks, soak
from order_tui.store.engine import open_database
from order_tui.store.maintenance import check_audit_trail, check_locked_stock


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SoakResult]:
    folder = tmp_path_factory.mktemp("soak")
    return folder, soak(folder, 10)


def _failed(lines: list[tuple[str, str, bool]]) -> list[str]:
    return [f"{name}: {detail}" for name, detail, passed in lines if not passed]


def test_ten_seconds_of_operators_and_an_import_pass_every_check(
    run: tuple[Path, SoakResult],
) -> None:
    _folder, result = run
    assert result.ok, "\n".join(_failed(result.checks))
    summary = result.summary()
    assert summary["ok"] > 20 and summary["imported"] > 20
    assert summary["failed"] == 0
    names = [name for name, _detail, _passed in result.checks]
    for check in ("database is locked", "audit rows", "order numbers", "locked stock"):
        assert check in names


def test_the_checks_find_what_they_are_for(run: tuple[Path, SoakResult]) -> None:
    folder, result = run
    db = open_database(f"sqlite:///{folder}/soak.db", folder)
    try:
        since = 0
        done = next(e for e in result.entries if e.outcome == "ok" and e.audit)
        # A logged success without its audit row, and an audit row nobody logged.
        ghost = Entry("soak_entry", "submit", "SO0", "ok", done.t0, done.t1, 0, "", [("SO0", "x")])
        fake = [e for e in result.entries if e is not done] + [ghost]
        failed = _failed(run_checks(db, fake, since))
        assert any(f.startswith("audit rows") and "1 logged, 0 audit rows" in f for f in failed)
        assert any(f.startswith("audit rows") and "0 logged" in f for f in failed)
        # A service failure that escaped.
        locked = Entry("soak_floor", "pick", "SO1", "failed", 0, 0, 5, "database is locked", [])
        failed = _failed(run_checks(db, [*result.entries, locked], since))
        assert any(f.startswith("database is locked: 1 escaped") for f in failed)
    finally:
        db.dispose()
    with sqlite3.connect(folder / "soak.db") as conn:
        # A status without its audit row; stock locked that no pick holds.
        conn.execute("UPDATE sales_order SET status = 'approved' WHERE status = 'draft'")
        conn.execute("UPDATE stock SET locked = locked + 10000")
    db = open_database(f"sqlite:///{folder}/soak.db", folder)
    try:
        assert not check_audit_trail(db)[2]
        assert not check_locked_stock(db)[2]
    finally:
        db.dispose()
