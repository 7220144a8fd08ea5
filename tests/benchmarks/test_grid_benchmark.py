"""The grid benchmark's short run: both keys repaint a 300-line order (time not asserted)."""

from benchmarks import grid


def test_grid_benchmark_times_both_keys() -> None:
    result = grid.measure(keys=3)
    assert set(result) == {"Down (next line)", "a digit typed into the quantity"}
    assert all(len(times) == 3 and min(times) > 0 for times in result.values())
