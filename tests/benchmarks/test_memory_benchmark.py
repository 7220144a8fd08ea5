"""The memory benchmark's short run: a child process opens the inbox and an archive search and
reports its peak resident set (the figure is reported, not asserted)."""

from pathlib import Path

from benchmarks import memory


def test_memory_benchmark_reports_the_childs_peak(tmp_path: Path) -> None:
    result = memory.measure(1500, cache=tmp_path)
    assert result["inbox"] is True and result["archive"] is True
    assert 20 < float(result["peak_mb"]) < 2000  # type: ignore[arg-type]
