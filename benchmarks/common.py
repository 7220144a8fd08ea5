"""What the benchmarks share: seeded databases cached between runs, and a timing table."""

import os
import sqlite3
import statistics
import subprocess
import sys
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

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
