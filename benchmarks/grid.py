"""The line-item grid with 300 lines: key press to repaint, headless at 80x24.

    python -m benchmarks.grid              # 60 presses of each key
    python -m benchmarks.grid --keys 20

Two keys a clerk presses most: Down (move to the next line) and a digit typed into the
quantity cell (edit in place). The time runs from sending the key to the end of the
compositor refresh that shows it. Goal (issue 7): median within 16 ms, one frame at 60 Hz.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from benchmarks.common import table
from order_tui.app import OrderApp
from order_tui.screens.order_entry import OrderEntryScreen
from order_tui.services import orders
from order_tui.services.demo import build_demo
from order_tui.store.engine import Database, open_database
from order_tui.store.migrate import ensure_schema
from order_tui.widgets.line_grid import LineGrid

LINES = 300
CODES = ["P0001", "P0003", "P0005", "P0008", "P0009", "P0010", "P0013"]


def _big_order(db: Database, actor: object) -> str:
    data = orders.OrderInput(
        "C0002",
        [orders.LineInput(CODES[i % len(CODES)], Decimal(1 + i % 5)) for i in range(LINES)],
    )
    return orders.create_order(db, actor, data).order_no  # type: ignore[arg-type]


async def _press_timed(app: OrderApp, screen: OrderEntryScreen, key: str) -> float:
    painted: list[float] = []
    original = screen._compositor_refresh

    def timed() -> None:
        original()
        painted.append(time.perf_counter())

    screen._compositor_refresh = timed  # type: ignore[method-assign]
    try:
        start = time.perf_counter()
        await app._press_keys([key])  # the pilot's own way of sending a key
        for _ in range(500):
            if painted:
                break
            await asyncio.sleep(0.001)
    finally:
        screen._compositor_refresh = original  # type: ignore[method-assign]
    if not painted:
        raise RuntimeError(f"no repaint after {key}")
    return (painted[0] - start) * 1000


async def _measure(db: Database, keys: int) -> dict[str, list[float]]:
    app = OrderApp(db, demo=True, user="zhao")
    async with app.run_test(size=(80, 24)) as pilot:
        from order_tui.services import operators

        actor = operators.find_actor(db, "zhao")
        app.actor = actor
        order_no = _big_order(db, actor)
        app.push_screen(OrderEntryScreen(db, "zh", actor, order_no))
        for _ in range(20):
            await pilot.pause()
            await app.workers.wait_for_complete()
            if isinstance(app.screen, OrderEntryScreen) and app.screen.query(LineGrid):
                break
        screen = app.screen
        assert isinstance(screen, OrderEntryScreen)
        grid = screen.query_one(LineGrid)
        assert len(grid.lines) == LINES
        grid.focus()
        await pilot.pause()
        down = [await _press_timed(app, screen, "down") for _ in range(keys)]
        await pilot.press("right")  # onto the quantity cell
        await pilot.pause()
        typed = [await _press_timed(app, screen, "7") for _ in range(keys)]
    return {"Down (next line)": down, "a digit typed into the quantity": typed}


def measure(keys: int = 60) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory(prefix="order-tui-grid-") as tmp:
        db = open_database(f"sqlite:///{tmp}/orders.db", Path(tmp))
        ensure_schema(db)
        build_demo(db)
        try:
            return asyncio.run(_measure(db, keys))
        finally:
            db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.grid")
    parser.add_argument("--keys", type=int, default=60)
    args = parser.parse_args(argv)
    result = measure(args.keys)
    rows = [
        [name, f"{statistics.median(v):.1f} ms", f"{max(v):.1f} ms", "16 ms"]
        for name, v in result.items()
    ]
    print(table([f"{LINES} lines, key to repaint", "median", "worst", "goal"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
