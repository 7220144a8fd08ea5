"""The command line drives an order from intake to archive with the right operators."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from order_tui.cli import main
from tests import pg


@pytest.fixture
def demo_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ORDER_TUI_PIN", "1234")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    # Errors follow the locale when neither --lang nor a config says otherwise.
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    pg.demo_for_cli(monkeypatch, tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(list(args))
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out.strip()


def test_intake_to_archive(demo_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = run(
        capsys,
        "intake",
        "add",
        "--user",
        "wang",
        "--customer",
        "C0001",
        "--contact",
        "李经理",
        "--phone",
        "13800138000",
        "--line",
        "P0001:2",
        "--line",
        "P0006:1",
        "--wanted",
        "2099-01-31",
        "--json",
    )
    req = json.loads(out)
    assert [f["risk"] for f in req["feasibility"]] == ["", ""]
    number = run(capsys, "intake", "convert", str(req["id"]), "--user", "zhao")
    assert number.startswith("SO")

    def act(user: str, action: str, *extra: str) -> str:
        return run(capsys, "orders", "act", number, action, "--user", user, *extra)

    act("zhao", "submit")
    assert "returned" in act("chen", "reject", "--reason", "invoice", "--comment", "缺开票电话")
    act("zhao", "resubmit")
    for user in ("zhang", "chen", "liu"):
        assert act(user, "approve").endswith("status in_review")
    assert act("sun", "approve").endswith("status approved")
    act("sun", "plan_production")
    for _ in range(4):
        act("sun", "complete_operation")
    act("liu", "start_picking")
    act("liu", "pick")
    act("liu", "pack")
    act("zhou", "ship", "--carrier", "顺丰速运", "--mode", "parcel", "--tracking", "SF1001")
    receipt = demo_env / "receipt.jpg"
    receipt.write_bytes(b"scan")
    assert act("zhou", "sign_off", "--signer", "李经理", "--receipt", str(receipt)).endswith(
        "delivered"
    )
    act("wang", "record_feedback", "--satisfaction", "5", "--comment", "满意")
    for kind in ("purchase_confirmation", "invoice_copy", "communication"):
        act("wu", "attach", "--path", str(receipt), "--kind", kind)
    act("wu", "complete")
    assert act("wu", "archive").endswith("status archived")
    shown = json.loads(run(capsys, "orders", "show", number, "--json", "--user", "zhao"))
    assert shown["status"] == "archived"
    assert shown["retention_until"] >= "2029"
    assert [v["verdict"] for v in shown["verdicts"]][:1] == ["reject"]
    # An archived order refuses every change with one clear line.
    assert main(["orders", "act", number, "cancel", "--user", "zhang", "--reason", "customer"]) == 1
    assert "archived and read-only" in capsys.readouterr().err
    assert run(capsys, "check").count("FAIL") == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["orders", "show", "SO20990101001", "--user", "zhao"], "not found"),
        (["orders", "act", "SO20990101001", "fly", "--user", "zhao"], "unknown action"),
        (["orders", "list", "--status", "lost"], "unknown status"),
        (["orders", "act", "SO20990101001", "submit", "--user", "nobody"], "unknown"),
        (["orders", "new", "--user", "zhao", "--customer", "C0001", "--line", "P0001"], "CODE:QTY"),
        (
            ["orders", "new", "--user", "wang", "--customer", "C0001", "--line", "P0001:1"],
            "sales_clerk",
        ),
    ],
)
def test_errors_are_one_line(
    demo_env: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(args) != 0
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("locale", "args", "message"),
    [
        (
            "C.UTF-8",
            ["orders", "show", "SO20990101001", "--lang", "zh", "--user", "zhao"],
            "没有订单 SO20990101001",
        ),
        (
            "zh_CN.UTF-8",
            ["orders", "new", "--user", "wang", "--customer", "C0001", "--line", "P0001:1"],
            "新建订单需要以下角色：销售内勤",
        ),
        (
            "zh_CN.UTF-8",
            ["orders", "show", "SO20990101001", "--lang", "en", "--user", "zhao"],
            "order SO20990101001 not found",
        ),
    ],
)
def test_refusals_speak_the_cli_language(
    demo_env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    locale: str,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.setenv("LANG", locale)  # --lang first, then the locale
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.strip() == f"order-tui: error: {message}"


def test_wrong_pin_and_no_traceback_in_a_real_process(demo_env: Path) -> None:
    env = {**os.environ, "ORDER_TUI_PIN": "9999"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "order_tui",
            "orders",
            "act",
            "SO20990101001",
            "submit",
            "--user",
            "zhao",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 1
    assert "wrong PIN" in proc.stderr
    assert "Traceback" not in proc.stderr


@pg.sqlite_only("a missing database file; a missing PostgreSQL database is the server's error")
def test_missing_database_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["orders", "list", "--db", str(tmp_path / "none.db")]) == 1
    assert "order-tui init" in capsys.readouterr().err


def test_backup_and_check(demo_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = demo_env / "copy.db"
    if pg.on_postgres():
        assert main(["backup", str(target)]) == 1
        assert "pg_dump --format=custom" in capsys.readouterr().err
        assert not target.exists()
        assert "FAIL" not in run(capsys, "check")
        return
    assert "backup written" in run(capsys, "backup", str(target))
    assert target.exists()
    assert main(["backup", str(target)]) == 1  # never overwrites
    capsys.readouterr()
    assert "FAIL" not in run(capsys, "check", "--db", str(target))


def test_user_commands(
    demo_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORDER_TUI_NEW_PIN", "4321")
    run(capsys, "user", "add", "qian", "--roles", "sales_clerk;sales_rep", "--user", "admin")
    listed = json.loads(run(capsys, "user", "list", "--json", "--user", "admin"))
    assert any(u["username"] == "qian" and "sales_rep" in u["roles"] for u in listed)
    # Only the admin adds operators.
    assert main(["user", "add", "sun2", "--roles", "production", "--user", "zhao"]) == 1
    assert "admin" in capsys.readouterr().err
    run(capsys, "user", "disable", "qian", "--user", "admin")
    monkeypatch.setenv("ORDER_TUI_PIN", "4321")
    assert main(["orders", "list", "--user", "qian"]) == 1  # a disabled operator reads nothing
    assert "disabled" in capsys.readouterr().err
    # Nor does anyone but the administrator list the operators.
    monkeypatch.setenv("ORDER_TUI_PIN", "1234")
    assert main(["user", "list", "--user", "zhao"]) == 1
    assert "admin" in capsys.readouterr().err


def test_orders_new_with_terms_in_numbers(
    demo_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["orders", "new", "--user", "zhao", "--customer", "C0002", "--line", "P0005:2"]
    number = run(capsys, *base, "--terms", "net60", "--prepay", "30%", "--credit-days", "60")
    shown = run(capsys, "orders", "show", number, "--user", "zhao")
    assert "预付 Prepay: 30%" in shown and "账期 Credit: 60 天 days" in shown
    assert "30% 预付，余款月结60天 / 30% prepaid, balance net 60" in shown
    data = json.loads(run(capsys, "orders", "show", number, "--json", "--user", "zhao"))
    assert (data["prepay_pct"], data["credit_days"]) == (30, 60)
    # out of range: the service's line; not a number: argparse's
    assert main([*base, "--credit-days", "400"]) == 1
    assert "credit days must be whole days from 0 to 365" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*base, "--prepay", "lots"])
    assert "not a whole number" in capsys.readouterr().err


def test_purge_lists_asks_and_removes(
    demo_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date, timedelta

    from sqlalchemy import text

    from order_tui.config import load_config
    from order_tui.store.engine import open_database

    assert run(capsys, "purge", "--user", "admin") == "no archived order is past its retention date"
    db = open_database(load_config().db_url, demo_env)  # ORDER_TUI_DB: a path or a URL
    with db.writing() as session:
        number = session.execute(
            text("SELECT order_no FROM sales_order WHERE status = 'archived'")
        ).scalar_one()
        session.execute(
            text("UPDATE sales_order SET retention_until = :d WHERE order_no = :n"),
            {"d": (date.today() - timedelta(days=3)).isoformat(), "n": number},
        )
    db.dispose()

    listed = run(capsys, "purge", "--user", "admin", "--dry-run")
    assert number in listed and "1 order(s) past retention" in listed
    assert main(["purge", "--user", "wu", "--yes"]) == 1  # the administrator's alone
    assert "admin" in capsys.readouterr().err
    assert main(["purge", "--user", "admin"]) == 1  # no terminal to ask in, no --yes
    assert "--yes" in capsys.readouterr().err
    out = run(capsys, "purge", "--user", "admin", "--yes")
    assert "removed 1 order(s)" in out
    assert main(["orders", "show", number, "--user", "zhang"]) == 1
    capsys.readouterr()
