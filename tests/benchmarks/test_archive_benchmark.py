"""The archive benchmark's short run: it seeds, migrates a copy, opens the browser, pages down
and runs every kind of search, finding results each time. Timings are reported, not asserted
(a loaded CI machine would make them flaky)."""

from pathlib import Path

from benchmarks import archive
from benchmarks.common import migrated


def test_archive_benchmark_finds_results_for_every_search(tmp_path: Path) -> None:
    path = migrated(800, cache=tmp_path)
    assert path.exists() and not Path(f"{path}-wal").exists()
    figures = archive.measure(path, runs=1)
    for name in archive.LABELS:
        assert figures[f"ui:{name}"] > 0  # the screen painted results for it
        assert figures[f"q1:{name}"] > 0 and figures[f"q2:{name}"] > 0
    assert 0 < figures["first"] < 30 and 0 < figures["down"] < 30
