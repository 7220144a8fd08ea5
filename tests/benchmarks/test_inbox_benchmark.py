"""The inbox benchmark's short run: it must work end to end (seed, open, page down) so that
the long run in README stays reproducible. Timings are reported, not asserted: a loaded CI
machine would make a timing assertion flaky."""

from pathlib import Path

from benchmarks import inbox
from benchmarks.common import seeded


def test_inbox_benchmark_measures_first_rows_and_page_downs(tmp_path: Path) -> None:
    path = seeded(2500, cache=tmp_path)  # 4 % wait for review: two pages
    assert path.exists() and not Path(f"{path}-wal").exists()
    figures = inbox.measure(path, runs=1)
    assert set(figures) == {"first", "down", "fetch", "page1", "page2"}
    assert 0 < figures["first"] < 30 and 0 < figures["down"] < 30
    assert figures["fetch"] == figures["fetch"], "no page-down fetched a second page"
