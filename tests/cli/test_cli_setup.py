"""init, seed and the shared-file mode for several OS users."""

import stat
from pathlib import Path

import pytest

from order_tui.cli import main, os_user_name
from tests import pg


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("ORDER_TUI_DB", raising=False)
    monkeypatch.setenv("ORDER_TUI_PIN", "2468")


@pg.sqlite_only("file modes of a shared database file; PostgreSQL grants rights to roles")
def test_init_shared_makes_the_file_group_writable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "srv" / "orders.db"
    assert main(["init", "--shared", "--db", str(db)]) == 0
    assert "created operator admin" in capsys.readouterr().out
    assert stat.S_IMODE(db.stat().st_mode) == 0o660
    assert stat.S_IMODE(db.parent.stat().st_mode) & 0o2070 == 0o2070
    # A second init leaves the operators alone.
    assert main(["init", "--db", str(db)]) == 0
    assert "created operator" not in capsys.readouterr().out
    assert main(["user", "list", "--db", str(db), "--user", "admin"]) == 0
    assert "admin" in capsys.readouterr().out


def test_seed_keeps_numbers_gap_free(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pg.blank_database(tmp_path) as blank:
        db = blank.url if pg.on_postgres() else str(tmp_path / "bench.db")
        _seed_and_check(db, capsys)


def _seed_and_check(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["seed", "--orders", "1500", "--db", str(db)]) == 0
    assert "seeded 1500" in capsys.readouterr().out
    assert main(["check", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out and "1500 orders" in out


def test_common_options_before_or_after_the_subcommand(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pg.blank_database(tmp_path) as blank:
        _init_and_list(blank.url if pg.on_postgres() else str(tmp_path / "x.db"), capsys)


def _init_and_list(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db), "init"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "--user", "admin", "user", "list"]) == 0
    assert "admin" in capsys.readouterr().out
    assert main(["user", "list", "--db", str(db), "--user", "admin"]) == 0
    assert "admin" in capsys.readouterr().out


def test_the_os_user_is_the_real_user_id_not_an_environment_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os
    import pwd

    real = pwd.getpwuid(os.getuid()).pw_name
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "zz-someone-else")
    assert os_user_name() == real


@pg.sqlite_only("the modes of the database file and its side files")
def test_files_are_created_without_world_access(tmp_path: Path) -> None:
    import os

    previous = os.umask(0o022)  # a typical login umask: world-readable files
    try:
        db = tmp_path / "demo" / "orders.db"
        assert main(["demo", "--prepare", "--db", str(db)]) == 0
    finally:
        os.umask(previous)
    made = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert db in made and any("attachments" in p.parts for p in made)
    for path in [*made, *(p for p in tmp_path.rglob("*") if p.is_dir())]:
        assert stat.S_IMODE(path.stat().st_mode) & 0o007 == 0, path
