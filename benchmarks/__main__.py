"""Every benchmark of issue 7, one after the other, with the machine they ran on.

    python -m benchmarks              # the full sizes (1M orders: tens of minutes)
    python -m benchmarks --quick      # small sizes, a few minutes: checks they all still run
    python -m benchmarks --only grid --only memory
    python -m benchmarks --pg postgresql+psycopg://user@host/db   # and again on PostgreSQL

Each benchmark runs as its own process (a clean peak memory, no warm caches carried over) and
prints its Markdown table; this prints the machine first, then each table under its name.
"""

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime

# name -> (what it measures, full arguments, quick arguments)
BENCHMARKS: dict[str, tuple[str, list[str], list[str]]] = {
    "startup": ("start-up to the first painted screen vs a bare Textual app", [], ["--runs", "2"]),
    "inbox": ("approval inbox at 10k and 1M orders", [], ["--orders", "2000", "--runs", "2"]),
    "archive": (
        "archive browser and search at 10k and 1M",
        [],
        ["--orders", "2000", "--runs", "2"],
    ),
    "throughput": (
        "approvals per second, services vs raw sqlite3",
        [],
        ["--orders", "2000", "--approvals", "30", "--runs", "2"],
    ),
    "grid": ("300-line grid: key press to repaint", [], ["--keys", "10"]),
    "memory": ("peak memory after the inbox and an archive search", [], ["--orders", "2000"]),
    "seed": ("order-tui seed", [], ["--orders", "20000"]),
    "soak": ("4 operators and a bulk writer on one file", [], ["--seconds", "10"]),
    "crash": ("SIGKILLs during writes, then checks", [], ["--kills", "10"]),
}


# Those with a database behind them also run on PostgreSQL when given --pg.
ON_POSTGRES = {"inbox", "archive", "memory", "throughput", "soak"}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {cpu} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · {platform.system()} {platform.release()} · "
        f"load average {load}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--only", action="append", choices=list(BENCHMARKS))
    parser.add_argument(
        "--pg", metavar="URL", help="also run the database benchmarks on this PostgreSQL server"
    )
    args = parser.parse_args(argv)
    print(f"Machine: {machine()}\n")
    failed = []
    for name in args.only or list(BENCHMARKS):
        what, full, quick = BENCHMARKS[name]
        engines = [None, args.pg] if args.pg and name in ON_POSTGRES else [None]
        for pg in engines:
            on = " (PostgreSQL)" if pg else ""
            print(f"### {name}{on}: {what}\n", flush=True)
            begin = time.perf_counter()
            extra = ["--pg", pg] if pg else []
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    f"benchmarks.{name}",
                    *(quick if args.quick else full),
                    *extra,
                ],
                check=False,
            )
            if done.returncode:
                failed.append(name + on)
            print(f"\n({time.perf_counter() - begin:.0f} s)\n", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
