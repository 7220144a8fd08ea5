"""The SSH recipe (benchmarks/ssh_demo.py) end to end: sshd on a free port of 127.0.0.1 from a
temp config, the supervisor's order-tui behind `ssh -tt`, the clerk's local, one database.
Skipped, with the reason, where sshd or tmux is missing or sshd cannot start (no network is
used: everything stays on the loopback interface)."""

from pathlib import Path

import pytest

from benchmarks.ssh_demo import Unavailable, missing_tools, report, run_demo


def test_supervisor_approves_over_ssh_while_the_clerk_works_locally(tmp_path: Path) -> None:
    missing = missing_tools()
    if missing:
        pytest.skip(f"the SSH demo needs {', '.join(missing)}")
    try:
        result = run_demo(tmp_path)
    except Unavailable as exc:
        pytest.skip(f"sshd cannot run here: {exc}")
    assert result.ok, report(result)
    assert result.accepted and "127.0.0.1" in result.accepted[0]
    # the supervisor's worklist before the clerk submitted, and after F5
    assert result.order_no not in result.ssh_screens["login"]
    assert "待我审核（2）" in result.ssh_screens["login"]
    assert "待我审核（3）" in result.ssh_screens["worklist"]
    assert f"成功  {result.order_no} 销售  批准" in result.ssh_screens["done"]
    assert result.recorded["approvals"] == [("zhang", "in_review", "in_review")]
