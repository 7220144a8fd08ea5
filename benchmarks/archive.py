"""The archive browser at scale: time from opening it to its first rows painted, per page-down,
and from a search to its first results painted, for an order-number prefix, pinyin initials,
a Chinese name part of four and of two characters and an amount range; and each search's
query alone (first page, next page). Headless Textual at 80x24 as the archivist (wu), median
of the runs, on databases of different sizes.

    python -m benchmarks.archive                      # 10 thousand and 1 million orders
    python -m benchmarks.archive --orders 2000 --runs 3

The seeded databases (benchmarks/common.py) are shared with other benchmarks and stay at the
schema they were made with; this benchmark works on a migrated copy beside each
(`seed-N-rREV.db`), made once, and reports how long that migration (the search index build)
took. Goals (issue 6): first results within 100 ms, page-down within 50 ms, the 1M/10k ratio
at most 1.5.
"""

import argparse
import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text
from textual import events

from benchmarks.common import (
    MIGRATIONS,
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
from order_tui.screens.archive import ArchiveBrowser
from order_tui.services import archive, operators
from order_tui.services.archive import ArchiveQuery
from order_tui.store.engine import Database
from order_tui.store.migrate import head_revision

PAGE_DOWNS = 8
USER = "wu"


def searches(db: Database) -> dict[str, ArchiveQuery]:
    """The same kinds of search on every size: a day's number prefix from the middle of the
    archive, a customer's initials, a four- and a two-character part of a name, an amount
    range."""
    with db.read_engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM sales_order")).scalar_one()
        number = conn.execute(
            text(
                "SELECT order_no FROM sales_order WHERE status = 'archived' AND id >= :middle "
                "ORDER BY id LIMIT 1"
            ),
            {"middle": count // 2},
        ).scalar_one()
    return {
        "number": ArchiveQuery(number=number[:10]),
        "pinyin": ArchiveQuery(customer="hxjm"),
        "chinese4": ArchiveQuery(customer="精密电子"),
        "chinese2": ArchiveQuery(customer="华宇"),
        "amount": ArchiveQuery(amount_from="100000", amount_to="120000"),
    }


LABELS = {
    "number": "order-number prefix (one day)",
    "pinyin": "customer pinyin initials `hxjm`",
    "chinese4": "customer name part `精密电子` (trigram index)",
    "chinese2": "customer name part `华宇` (2 characters)",
    "amount": "amount 100,000-120,000",
}


class TimedBrowser(ArchiveBrowser):
    """The browser, stamping the moment after the refresh that follows a first page."""

    painted_at: float | None = None

    def _got(self, generation: int, first: bool, head: list[object], page: list[object]) -> None:
        super()._got(generation, first, head, page)  # type: ignore[arg-type]
        if first:
            self.call_after_refresh(self._stamp)

    def _stamp(self) -> None:
        self.painted_at = time.perf_counter()


@dataclass
class Run:
    first_rows: float
    fields_ready: float
    page_downs: list[float]
    fetching: list[float]
    searched: dict[str, float] = field(default_factory=dict)


async def one_run(db: Database, queries: dict[str, ArchiveQuery]) -> Run:
    app = OrderApp(db, lang="zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, USER)
        assert app.actor is not None
        screen = TimedBrowser(db, "zh", app.actor)
        start = time.perf_counter()
        app.push_screen(screen)
        await wait_until(lambda: screen.painted_at is not None, "the archive browser")
        assert screen.painted_at is not None
        first = screen.painted_at - start
        # The search fields mount after the first rows: when can the operator type in them?
        await wait_until(lambda: bool(screen.query("#s-customer")), "the search fields")
        await painted(screen)
        fields = time.perf_counter() - start
        await app.workers.wait_for_complete()
        await pilot.pause(0.05)
        options = screen.table.options
        await wait_until(lambda: app.focused is options, "the archive browser")
        await pilot.pause(0.05)
        downs: list[float] = []
        fetching: list[float] = []
        for _ in range(PAGE_DOWNS):
            loaded = len(screen.items)
            was = options.highlighted
            if not screen.more and was == options.option_count - 1:
                break
            begin = time.perf_counter()
            app._driver.send_message(events.Key("pagedown", None))  # type: ignore[union-attr]
            try:
                await wait_until(
                    lambda was=was: options.highlighted != was, "the archive browser", 0.5
                )
            except TimeoutError:
                # Right after a fetch the option list may page by its old line cache and stay
                # put (a Textual quirk); the operator presses again. Counted from the first key.
                app._driver.send_message(events.Key("pagedown", None))  # type: ignore[union-attr]
                await wait_until(lambda was=was: options.highlighted != was, "the archive browser")
            await wait_until(lambda: not screen.fetching, "the archive browser")
            await painted(screen)
            took = time.perf_counter() - begin
            downs.append(took)
            if len(screen.items) > loaded:
                fetching.append(took)
        run = Run(first, fields, downs, fetching)
        for name, query in queries.items():
            screen.painted_at = None
            screen.query_fields = query
            begin = time.perf_counter()
            screen.reload()
            await wait_until(lambda: screen.painted_at is not None, "the archive browser")
            assert screen.painted_at is not None and screen.items, name
            run.searched[name] = screen.painted_at - begin
            await app.workers.wait_for_complete()
        return run


def _query_alone(db: Database, query: ArchiveQuery, repeat: int = 5) -> tuple[float, float]:
    wu = operators.find_actor(db, USER)
    firsts, nexts = [], []
    for _ in range(repeat):
        begin = time.perf_counter()
        rows = archive.search(db, wu, query)
        firsts.append(time.perf_counter() - begin)
        begin = time.perf_counter()
        archive.search(db, wu, query, after=rows[-1].cursor)
        nexts.append(time.perf_counter() - begin)
    return median(firsts), median(nexts)


def measure(path: Path | str, runs: int) -> dict[str, float]:
    db = open_seeded(path)
    try:
        queries = searches(db)
        results = [asyncio.run(one_run(db, queries)) for _ in range(runs)]
        figures = {
            "first": median([r.first_rows for r in results]),
            "fields": median([r.fields_ready for r in results]),
            "down": median([median(r.page_downs) for r in results]),
            "fetch": median([median(r.fetching) for r in results if r.fetching]),
        }
        for name, query in queries.items():
            figures[f"ui:{name}"] = median([r.searched[name] for r in results])
            first, after = _query_alone(db, query)
            figures[f"q1:{name}"] = first
            figures[f"q2:{name}"] = after
    finally:
        db.dispose()
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, action="append", help="database sizes to compare")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pg", metavar="URL", help="on PostgreSQL: a URL of any database there")
    args = parser.parse_args(argv)
    sizes = args.orders or [10_000, 1_000_000]
    paths = {n: where(n, args.pg) for n in sizes}
    measured = {n: measure(paths[n], args.runs) for n in sizes}
    header = [
        f"archive browser (archivist, 80x24), {engine_name(args.pg)}",
        *(f"{n:,} orders" for n in sizes),
    ]
    rows = [
        [f"open to first rows painted (median of {args.runs})"]
        + [ms(measured[n]["first"]) for n in sizes],
        ["open to search fields painted (mounted after the first rows)"]
        + [ms(measured[n]["fields"]) for n in sizes],
        ["page-down to repaint"] + [ms(measured[n]["down"]) for n in sizes],
        ["page-down that fetches the next page"] + [ms(measured[n]["fetch"]) for n in sizes],
    ]
    for name, label in LABELS.items():
        rows.append(
            [f"search to first results painted: {label}"]
            + [ms(measured[n][f"ui:{name}"]) for n in sizes]
        )
    for name, label in LABELS.items():
        rows.append(
            [f"query alone, first / next page: {label}"]
            + [f"{ms(measured[n][f'q1:{name}'])} / {ms(measured[n][f'q2:{name}'])}" for n in sizes]
        )
    if len(sizes) > 1:
        small, big = measured[sizes[0]], measured[sizes[-1]]
        keys = ["first", "down", "fetch", *(f"ui:{name}" for name in LABELS)]
        worst = max(big[k] / small[k] for k in keys)
        ratio = ", ".join(f"{k.removeprefix('ui:')} {big[k] / small[k]:.2f}" for k in keys)
        rows.append([f"ratio {sizes[-1]:,} / {sizes[0]:,} (worst {worst:.2f})", ratio])
    print(table(header, [r + [""] * (len(header) - len(r)) for r in rows]))
    for path, seconds in MIGRATIONS.items():
        print(f"\nmigrated {path.name} to {head_revision()} (index built) in {seconds:.1f} s")


if __name__ == "__main__":
    main()
