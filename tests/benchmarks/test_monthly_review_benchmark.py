"""The monthly review benchmark's short run: history written into a copy, one review timed,
so that the figures in README stay reproducible. Timings are reported, not asserted."""

import shutil
from pathlib import Path

from benchmarks import monthly_review
from benchmarks.common import seeded


def test_monthly_review_benchmark_runs_on_a_copy(tmp_path: Path) -> None:
    source = seeded(400, cache=tmp_path / "cache")  # one day of orders
    before = source.read_bytes()
    path = tmp_path / "copy.db"
    shutil.copy(source, path)
    assert monthly_review.add_history(path) > 400  # create, submit, ... per order
    figures = monthly_review.measure(path, runs=1)
    month = next(k for k in figures if k.endswith(" received")).split()[0]
    assert figures[f"{month} received"] == 400
    assert 0 < figures[f"{month} warm"] < 30
    assert source.read_bytes() == before  # the cached file is never changed
