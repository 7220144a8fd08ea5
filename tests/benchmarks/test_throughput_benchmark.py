"""The throughput benchmark's short run: services and the raw replay of their statements both
approve the orders (timings reported, not asserted)."""

from pathlib import Path

from benchmarks import throughput


def test_throughput_benchmark_replays_the_services_statements(tmp_path: Path) -> None:
    result = throughput.measure(1500, approvals=15, runs=1, cache=tmp_path)
    assert result["approvals"] == 15
    assert result["service_per_s"] > 0 and result["raw_per_s"] > 0
    # The replay ran the same statements, so it cannot be slower by much more than noise.
    assert result["ratio"] > 0.5
