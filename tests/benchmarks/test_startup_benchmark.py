"""The start-up benchmark's short run, and the import hygiene that keeps start-up fast.

The benchmark must work end to end (demo database, both programs in tmux, first paint seen)
so that the long run in README stays reproducible; its times are reported, not asserted (a
loaded CI machine would make a timing assertion flaky). What is asserted is the cause of a
slow start: the modules `order-tui` loads before its first screen must not pull in the ORM,
the migrations, pypinyin or the report libraries.
"""

import json
import shutil
import subprocess
import sys

import pytest

from benchmarks import startup

HEAVY = ["sqlalchemy", "sqlmodel", "alembic", "pypinyin", "reportlab", "openpyxl"]


def test_the_first_screen_imports_none_of_the_heavy_libraries() -> None:
    code = (
        "import json, sys\n"
        "import order_tui.cli, order_tui.app\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_startup_benchmark_measures_both_programs() -> None:
    times = startup.measure(runs=2)
    assert set(times) == {"order-tui", "bare"}
    assert all(len(values) == 2 and all(v > 0 for v in values) for values in times.values())
    assert "start-up to first paint" in startup.report(times)
