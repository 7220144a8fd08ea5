"""Crash safety: writer processes are SIGKILLed at random moments; the database must stay whole.

Two writer processes do mixed writes through the services (new orders with their lines,
imports of several orders in one transaction, lifecycle moves, attachment records) on one
SQLite file. The script kills one of them with SIGKILL at a random moment, checks the database
while the other keeps writing, starts a new writer and repeats. After each kill:

- `PRAGMA integrity_check` and `PRAGMA foreign_key_check` are clean;
- no order is half-written: no header without lines, no lines without a header, and every
  order's audit trail ends in its status (a status without its audit row fails);
- the numbers of committed orders are unique and gap-free (`order-tui check`);
- locked stock equals what open picks hold.

Every tenth kill (and once at least), `order-tui backup` copies the database while the
writers run, and `order-tui check --full` must pass on the copy.

    python -m benchmarks.crash --kills 100
"""

import argparse
import contextlib
import io
import multiprocessing as mp
import os
import random
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

from sqlalchemy import text

from benchmarks.soak import (
    IMPORTER,
    OPERATORS,
    LockWaits,
    act_once,
    import_batch,
    make_files,
    prepare,
)
from order_tui.store.engine import Database, open_database

WRITERS = 2
BACKUP_EVERY = 10


def writer_main(path: str, seed: int, ready: Any, in_write: "Synchronized[int]") -> None:
    """Write until killed; `in_write` is 1 while a write transaction is open."""
    from contextlib import contextmanager

    from benchmarks.soak import _actor

    db = open_database(f"sqlite:///{path}", Path(path).parent)
    waits = LockWaits(db)
    writing = db.writing

    @contextmanager
    def flagged() -> Any:
        with writing() as session:
            in_write.value = 1
            try:
                yield session
            finally:
                in_write.value = 0

    db.writing = flagged  # type: ignore[method-assign]
    actors = [_actor(db, name) for name in OPERATORS]
    importer = _actor(db, IMPORTER)
    rng = random.Random(seed)
    files = make_files(Path(path).parent / f"files-{seed}")
    while True:
        if rng.random() < 0.1:
            # An import that fails (a domain refusal, say) is no crash: carry on writing.
            with contextlib.suppress(Exception):
                import_batch(db, importer, rng, rng.randint(2, 8))
        else:
            act_once(db, rng.choice(actors), rng, files, waits)
        ready.set()


def _half_written(db: Database) -> tuple[str, str, bool]:
    with db.read_engine.connect() as conn:
        headers = conn.execute(
            text(
                "SELECT order_no FROM sales_order o "
                "WHERE NOT EXISTS (SELECT 1 FROM order_line l WHERE l.order_id = o.id)"
            )
        ).scalars()
        no_lines = list(headers)
        orphans = conn.execute(
            text(
                "SELECT COUNT(*) FROM order_line l "
                "WHERE NOT EXISTS (SELECT 1 FROM sales_order o WHERE o.id = l.order_id)"
            )
        ).scalar_one()
    if not no_lines and not orphans:
        return ("half-written orders", "none: every header has lines, every line a header", True)
    return (
        "half-written orders",
        f"{len(no_lines)} headers without lines {no_lines[:5]}, {orphans} lines without header",
        False,
    )


def check_after_kill(db: Database) -> list[tuple[str, str, bool]]:
    from order_tui.store.maintenance import check, check_audit_trail, check_locked_stock

    lines = check(db, full=True).lines
    lines.append(_half_written(db))
    lines.append(check_audit_trail(db))
    lines.append(check_locked_stock(db))
    return lines


def backup_and_check(db_path: Path, dest: Path) -> tuple[str, str, bool]:
    """`order-tui backup` while writers run, then `order-tui check --full` on the copy."""
    from order_tui import cli

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        backed = cli.main(["--db", str(db_path), "backup", str(dest)])
    if backed != 0 or not dest.exists():
        return ("backup", f"order-tui backup exited {backed}: {out.getvalue()}", False)
    with contextlib.redirect_stdout(out):
        checked = cli.main(["--db", str(dest), "check", "--full"])
    copy = open_database(f"sqlite:///{dest}", dest.parent)
    try:
        extra = [_half_written(copy)]
        from order_tui.store.maintenance import check_audit_trail, check_locked_stock

        extra += [check_audit_trail(copy), check_locked_stock(copy)]
    finally:
        copy.dispose()
    bad = [f"{name}: {detail}" for name, detail, passed in extra if not passed]
    if checked != 0 or bad:
        shown = out.getvalue().replace("\n", " | ")
        return ("backup", f"order-tui check exited {checked}: {shown}; {'; '.join(bad)}", False)
    return ("backup", f"{dest.name}: written while writing, order-tui check passed", True)


@dataclass
class CrashResult:
    kills: int = 0
    mid_write: int = 0
    orders: int = 0
    backups: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def crash(folder: Path, kills: int, *, seed: int = 1, max_delay: float = 0.4) -> CrashResult:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "crash.db"
    prepare(path)
    db = open_database(f"sqlite:///{path}", folder)
    # Preloaded once, each writer forks from the server in milliseconds.
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["benchmarks.soak", "order_tui.services.actions"])
    rng = random.Random(seed)
    result = CrashResult()
    serial = 0

    def start() -> tuple[Any, Any, Any]:
        nonlocal serial
        serial += 1
        ready, flag = ctx.Event(), ctx.Value("i", 0)
        proc = ctx.Process(
            target=writer_main, args=(str(path), seed * 1000 + serial, ready, flag), daemon=True
        )
        proc.start()
        return proc, ready, flag

    writers = [start() for _ in range(WRITERS)]
    try:
        for kill in range(1, kills + 1):
            victim = rng.randrange(len(writers))
            proc, ready, flag = writers[victim]
            if not ready.wait(60):
                result.failures.append(f"kill {kill}: the writer never wrote")
                break
            time.sleep(rng.uniform(0, max_delay))
            result.mid_write += flag.value
            os.kill(proc.pid, signal.SIGKILL)
            proc.join()
            result.kills += 1
            writers[victim] = start()  # starts while the checks below run
            lines = check_after_kill(db)
            if kill % BACKUP_EVERY == 0 or kill == kills:
                lines.append(backup_and_check(path, folder / f"backup-{kill}.db"))
                result.backups += 1
            for name, detail, passed in lines:
                if not passed:
                    result.failures.append(f"kill {kill}: {name}: {detail}")
            if result.failures:
                break
    finally:
        for proc, _ready, _flag in writers:
            if proc.is_alive():
                os.kill(proc.pid, signal.SIGKILL)
            proc.join()
    with db.reading() as session:
        result.orders = int(session.execute(text("SELECT COUNT(*) FROM sales_order")).scalar_one())
    db.dispose()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, help="keep the database and backups here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="crash-") as tmp:
        started = time.monotonic()
        result = crash(args.dir or Path(tmp), args.kills, seed=args.seed)
        took = time.monotonic() - started
    print(
        f"crash: {result.kills} SIGKILLs of {WRITERS} writers, {os.cpu_count()} cores, {took:.0f} s"
    )
    print(
        f"kills inside an open write transaction: {result.mid_write}; orders committed: "
        f"{result.orders}; backups taken while writing: {result.backups}"
    )
    if result.ok:
        print(
            f"ok    all checks passed after each of the {result.kills} kills "
            "(integrity_check, foreign keys, statuses, order numbers, half-written orders, "
            "audit trail, locked stock; backups: order-tui check)"
        )
        return 0
    for failure in result.failures:
        print(f"FAIL  {failure}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
