"""The approval inbox at scale: time from opening the screen to its first rows painted, and
per page-down (including the page-downs that fetch the next keyset page), for finance (chen)
on databases of different sizes. Headless Textual at 80x24, median of the runs.

    python -m benchmarks.inbox                      # 10 thousand and 1 million orders
    python -m benchmarks.inbox --orders 2000 --runs 3

The goal (issue 4 / 7): first rows within 100 ms, page-down within 50 ms, and the ratio of
the biggest database to the smallest at most 1.5 (the cost must not grow with the table).
"""

import argparse
import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from textual import events

from benchmarks.common import (
    engine_name,
    log_in,
    median,
    ms,
    open_seeded,
    painted,
    table,
    wait_until,
    where,
)
from order_tui.app import OrderApp
from order_tui.screens.inbox import InboxScreen
from order_tui.services import inbox, operators
from order_tui.services.inbox import InboxRow
from order_tui.store.engine import Database

PAGE_DOWNS = 12
USER = "chen"


class TimedInbox(InboxScreen):
    """The inbox, stamping the moment after the refresh that follows its first page."""

    painted_at: float | None = None

    def _got_page(self, generation: int, first: bool, rows: list[InboxRow]) -> None:
        super()._got_page(generation, first, rows)
        if first and rows and self.painted_at is None:
            self.call_after_refresh(self._stamp)

    def _stamp(self) -> None:
        self.painted_at = time.perf_counter()


@dataclass
class Run:
    first_rows: float
    page_downs: list[float]
    fetching_page_downs: list[float]


async def one_run(db: Database) -> Run:
    app = OrderApp(db, lang="zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, USER)
        assert app.actor is not None
        screen = TimedInbox(db, "zh", app.actor)
        start = time.perf_counter()
        app.push_screen(screen)
        await wait_until(lambda: screen.painted_at is not None, "the inbox")
        assert screen.painted_at is not None
        first = screen.painted_at - start
        await app.workers.wait_for_complete()
        await pilot.pause(0.05)
        downs: list[float] = []
        fetching: list[float] = []
        for _ in range(PAGE_DOWNS):
            loaded = len(screen.rows)
            was = screen.options.highlighted
            if not screen.more and was == screen.options.option_count - 1:
                break  # a small database's queue ends before the page-downs do
            begin = time.perf_counter()
            # Straight to the driver: pilot.press adds its own pauses to the figure.
            app._driver.send_message(events.Key("pagedown", None))  # type: ignore[union-attr]
            await wait_until(lambda was=was: screen.options.highlighted != was, "the inbox")
            await wait_until(lambda: not screen.fetching, "the inbox")
            await painted(screen)
            took = time.perf_counter() - begin
            downs.append(took)
            if len(screen.rows) > loaded:
                fetching.append(took)
        return Run(first, downs, fetching)


def measure(path: Path | str, runs: int) -> dict[str, float]:
    db = open_seeded(path)
    try:
        results = [asyncio.run(one_run(db)) for _ in range(runs)]
        chen = operators.find_actor(db, USER)
        begin = time.perf_counter()
        rows = inbox.page(db, chen)
        page1 = time.perf_counter() - begin
        begin = time.perf_counter()
        inbox.page(db, chen, after=rows[-1].cursor)
        page2 = time.perf_counter() - begin
    finally:
        db.dispose()
    return {
        "first": median([r.first_rows for r in results]),
        "down": median([median(r.page_downs) for r in results]),
        "fetch": median([median(r.fetching_page_downs) for r in results if r.fetching_page_downs]),
        "page1": page1,
        "page2": page2,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, action="append", help="database sizes to compare")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pg", metavar="URL", help="on PostgreSQL: a URL of any database there")
    args = parser.parse_args(argv)
    sizes = args.orders or [10_000, 1_000_000]
    measured = {n: measure(where(n, args.pg), args.runs) for n in sizes}
    header = [f"inbox (finance, 80x24), {engine_name(args.pg)}", *(f"{n:,} orders" for n in sizes)]
    labels = [
        ("first", f"open to first rows painted (median of {args.runs})"),
        ("down", "page-down to repaint"),
        ("fetch", "page-down that fetches the next page"),
        ("page1", "query alone: first page"),
        ("page2", "query alone: next page"),
    ]
    rows = [[label, *(ms(measured[n][key]) for n in sizes)] for key, label in labels]
    if len(sizes) > 1:
        small, big = measured[sizes[0]], measured[sizes[-1]]
        ratio = ", ".join(f"{k} {big[k] / small[k]:.2f}" for k in ("first", "down", "fetch"))
        rows.append([f"ratio {sizes[-1]:,} / {sizes[0]:,}", ratio, *[""] * (len(sizes) - 1)])
    print(table(header, rows))


if __name__ == "__main__":
    main()
