"""What the benchmarks share: seeded databases cached between runs, and a timing table."""

import asyncio
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
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
        _publish(partial, path)
    return path


def open_seeded(where: Path | str) -> Database:
    """A seeded database: a SQLite file, or a PostgreSQL URL (see `on_postgres`)."""
    if isinstance(where, str):
        return open_database(where, CACHE / "postgres-data")
    return open_database(f"sqlite:///{where}", where.parent)


def migrated(orders: int, cache: Path = CACHE) -> Path:
    """A copy of the seeded database at this build's schema, made once."""
    import shutil

    from order_tui.store.migrate import ensure_schema, head_revision

    source = seeded(orders, cache)
    path = cache / f"seed-{orders}-r{head_revision()}.db"
    if not path.exists():
        partial = path.with_suffix(".partial.db")
        shutil.copyfile(source, partial)
        db = open_seeded(partial)
        begin = time.perf_counter()
        ensure_schema(db)
        MIGRATIONS[path] = time.perf_counter() - begin
        db.dispose()
        _publish(partial, path)
    return path


def _publish(partial: Path, path: Path) -> None:
    """Fold the write-ahead log in, so that renaming the one file moves all of it."""
    import sqlite3  # here: the memory benchmark's PostgreSQL child must not load it

    with closing(sqlite3.connect(partial)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    partial.rename(path)


MIGRATIONS: dict[Path, float] = {}


def on_postgres(orders: int, server: str, cache: Path = CACHE) -> str:
    """The same seeded database on PostgreSQL: `bench_<orders>_r<schema>` on the server that
    `server` (a URL of any database there) points at, copied once by `order-tui migrate-db`.
    The copy is all or nothing, so a database with rows in it is a finished copy."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from order_tui.store.copy_db import copy_database
    from order_tui.store.migrate import head_revision

    name = f"bench_{orders}_r{head_revision()}"
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            known = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if known is not None:
                done = create_engine(url)
                try:
                    with done.connect() as probe:
                        filled = probe.execute(
                            text(
                                "SELECT EXISTS (SELECT 1 FROM information_schema.tables "
                                "WHERE table_name = 'sales_order') "
                                "AND EXISTS (SELECT 1 FROM sales_order)"
                            )
                        ).scalar_one()
                finally:
                    done.dispose()
                if filled:
                    return url
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    print(f"copying {orders} seeded orders to PostgreSQL {name} (once) ...", file=sys.stderr)
    source = open_seeded(migrated(orders, cache))
    try:
        copy_database(source, url)
    finally:
        source.dispose()
    return url


@contextmanager
def empty_postgres(server: str, name: str) -> Iterator[str]:
    """A new empty database on the PostgreSQL server of `server`, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"{name}_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def where(orders: int, pg: str | None, cache: Path = CACHE) -> Path | str:
    """The seeded database of `orders` at this schema: the SQLite file, or with `pg` (a
    PostgreSQL server URL) its copy there."""
    return on_postgres(orders, pg, cache) if pg else migrated(orders, cache)


def engine_name(pg: str | None) -> str:
    return "PostgreSQL" if pg else "SQLite"


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
