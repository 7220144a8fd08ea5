"""What the benchmarks share: seeded databases cached between runs, and a timing table."""

import asyncio
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from order_tui.store.engine import Database, open_database

CACHE = Path(os.environ.get("ORDER_TUI_BENCH_DIR", Path.home() / ".cache" / "order-tui-bench"))


def seeded(orders: int, cache: Path = CACHE) -> Path:
    """A database seeded with `orders` synthetic orders, made once and reused."""
    path = cache / f"seed-{orders}.db"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.db")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)
        print(f"seeding {orders} orders into {path} (once) ...", file=sys.stderr)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "order_tui",
                "--db",
                str(partial),
                "seed",
                "--orders",
                str(orders),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        # Fold the write-ahead log in, so that renaming the one file moves all of it.
        with closing(sqlite3.connect(partial)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for suffix in ("-wal", "-shm"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)
        partial.rename(path)
    return path


def open_seeded(path: Path) -> Database:
    return open_database(f"sqlite:///{path}", path.parent)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table, so the output pastes into README as it is."""
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# -- driving the headless app ------------------------------------------------------------------


async def wait_until(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    """Poll every half millisecond (a timing must not wait for a coarser sleep)."""
    end = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > end:
            raise TimeoutError(f"{what} did not answer")
        await asyncio.sleep(0.0005)


async def painted(screen: Any) -> None:
    """Until the screen's next refresh has been drawn."""
    done = asyncio.Event()
    screen.call_after_refresh(done.set)
    await done.wait()


async def log_in(pilot: Any, user: str) -> None:
    """Type the demo operator's name and PIN and wait for the worklist to settle."""
    from order_tui.screens.home import HomeScreen

    app = pilot.app
    await pilot.press(*user, "enter", *"1234", "enter")
    await wait_until(lambda: isinstance(app.screen, HomeScreen), "the login")
    await app.workers.wait_for_complete()
    await pilot.pause(0.1)
