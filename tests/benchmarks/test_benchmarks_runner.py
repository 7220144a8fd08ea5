"""`python -m benchmarks` runs each benchmark in its own process after the machine's line."""

import pytest

from benchmarks.__main__ import BENCHMARKS, main


def test_the_runner_prints_the_machine_then_each_table(capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["--quick", "--only", "grid"]) == 0
    out = capfd.readouterr().out
    assert out.startswith("Machine: ") and "cores" in out
    assert "### grid:" in out and "| Down (next line) |" in out


def test_every_benchmark_module_is_listed() -> None:
    from pathlib import Path

    import benchmarks

    modules = {p.stem for p in Path(benchmarks.__file__).parent.glob("*.py")}
    # helpers, and the benchmarks of issue 6 that have their own README rows
    helpers = {"__init__", "__main__", "common", "bare_app", "ssh_demo"}
    helpers |= {"profile", "monthly_review"}
    assert modules - helpers == set(BENCHMARKS)
