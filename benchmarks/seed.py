"""`order-tui seed`: how long a million synthetic orders take to write.

    python -m benchmarks.seed                       # 1,000,000 orders, once
    python -m benchmarks.seed --orders 100000

Runs the real command in a child process into a temporary file and reports the wall time and
the rate. Goal (issue 7): one million orders within 5 minutes.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import table


def measure(orders: int) -> float:
    with tempfile.TemporaryDirectory(prefix="order-tui-seed-") as tmp:
        target = Path(tmp) / "seed.db"
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "order_tui",
                "--db",
                str(target),
                "seed",
                "--orders",
                str(orders),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.seed")
    parser.add_argument("--orders", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    seconds = measure(args.orders)
    print(
        table(
            ["orders seeded", "wall time", "orders per second", "goal"],
            [
                [
                    f"{args.orders:,}",
                    f"{seconds:.1f} s",
                    f"{args.orders / seconds:,.0f}",
                    "1M in 300 s",
                ]
            ],
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
