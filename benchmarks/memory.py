"""Memory: the app's peak resident set after opening the approval inbox and an archive search,
on a seeded database (1 million orders by default), headless at 80x24 as the sales manager.

    python -m benchmarks.memory                     # 1 million orders
    python -m benchmarks.memory --orders 10000

Each measurement runs in a fresh child process (the peak of that process alone, from
getrusage). Goal (issue 7): at most 150 MB.
"""

import argparse
import asyncio
import json
import resource
import subprocess
import sys
from pathlib import Path

from benchmarks.common import CACHE, engine_name, table

USER = "zhang"
SEARCH = "精密电子"


async def _settle(app: object, rounds: int = 6) -> None:
    for _ in range(rounds):
        await asyncio.sleep(0.02)
        await app.workers.wait_for_complete()  # type: ignore[attr-defined]


async def _drive(path: Path | str) -> dict[str, object]:
    from benchmarks.common import open_seeded
    from order_tui.app import OrderApp
    from order_tui.screens.archive import ArchiveBrowser
    from order_tui.screens.inbox import InboxScreen

    db = open_seeded(path)
    app = OrderApp(db, lang="zh")
    seen: dict[str, object] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*USER, "enter", *"1234", "enter")
        await _settle(app)
        await pilot.press("v")
        await _settle(app)
        seen["inbox"] = isinstance(app.screen, InboxScreen)
        await pilot.press("escape")
        await _settle(app)
        await pilot.press("b")
        await _settle(app)
        await pilot.press("slash", *SEARCH, "enter")
        await _settle(app, 20)
        seen["archive"] = isinstance(app.screen, ArchiveBrowser)
    db.dispose()
    seen["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return seen


def measure(orders: int, pg: str | None = None, cache: Path = CACHE) -> dict[str, object]:
    from benchmarks.common import where

    path = where(orders, pg, cache)
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", "--child", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--pg", metavar="URL", help="on PostgreSQL: a URL of any database there")
    args = parser.parse_args(argv)
    if args.child is not None:
        child = args.child if args.child.startswith("postgresql") else Path(args.child)
        print(json.dumps(asyncio.run(_drive(child))))
        return 0
    result = measure(args.orders, args.pg)
    print(
        table(
            [f"peak resident set, {engine_name(args.pg)}", f"{args.orders:,} orders", "goal"],
            [[f"inbox, then archive search `{SEARCH}`", f"{result['peak_mb']:.0f} MB", "150 MB"]],
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
