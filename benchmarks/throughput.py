"""Service throughput: approvals per second through the services (authorization, guards, the
guarded update, the audit entry and its chain link, the writer queue) against raw sqlite3
executing the very same statements, each approval its own transaction.

    python -m benchmarks.throughput                  # 10 thousand orders, 150 approvals, 5 runs
    python -m benchmarks.throughput --approvals 50 --runs 3

How: the sales manager approves N orders waiting for the sales verdict on a copy of a seeded
database while every statement the services send (BEGIN IMMEDIATE included) is recorded; a
second identical copy is timed through the services without recording, and a third replays the
recorded statements with the driver alone. Runs alternate the two timed passes; medians are
reported. Goal (issue 7): at least 300 approvals per second through the services; the ratio
says what the service layer costs over the bare statements.
"""

import argparse
import shutil
import sqlite3
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from benchmarks.common import CACHE, median, ms, open_seeded, seeded, table
from order_tui.services import operators, review
from order_tui.store.engine import Database
from order_tui.store.migrate import ensure_schema

USER = "zhang"


def _waiting(db: Database, count: int) -> list[str]:
    with db.read_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT o.order_no FROM review_task t JOIN sales_order o ON o.id = t.order_id "
                "WHERE t.department = 'sales' AND o.on_hold = 0 ORDER BY t.id LIMIT :n"
            ),
            {"n": count},
        ).all()
    return [row[0] for row in rows]


def _approve_all(db: Database, order_nos: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of the approvals."""
    actor = operators.find_actor(db, USER)
    start, cpu = time.perf_counter(), time.process_time()
    for order_no in order_nos:
        review.approve(db, actor, order_no, department="sales")
    return time.perf_counter() - start, time.process_time() - cpu


def _record(db: Database, order_nos: list[str]) -> list[list[tuple[str, Any]]]:
    """The statements of each approval, as the driver received them."""
    approvals: list[list[tuple[str, Any]]] = []

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        approvals[-1].append((statement, parameters))

    event.listen(db.write_engine, "before_cursor_execute", before)
    actor = operators.find_actor(db, USER)
    try:
        for order_no in order_nos:
            approvals.append([])
            review.approve(db, actor, order_no, department="sales")
    finally:
        event.remove(db.write_engine, "before_cursor_execute", before)
    return approvals


def _replay(
    path: Path, approvals: list[list[tuple[str, Any]]], synchronous: int
) -> tuple[float, float]:
    """Wall and CPU seconds of the replay."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA busy_timeout=5000")
        conn.execute(f"PRAGMA synchronous={synchronous}")
        conn.execute("PRAGMA foreign_keys=ON")
        start, cpu = time.perf_counter(), time.process_time()
        for statements in approvals:
            for statement, parameters in statements:
                conn.execute(statement, parameters)
            conn.commit()
        return time.perf_counter() - start, time.process_time() - cpu


def _copy(source: Path, folder: Path, name: str) -> Path:
    target = folder / name
    shutil.copyfile(source, target)
    return target


def measure(orders: int, approvals: int, runs: int, cache: Path = CACHE) -> dict[str, float]:
    cached = seeded(orders, cache=cache)
    service_times: list[float] = []
    raw_times: list[float] = []
    service_cpu: list[float] = []
    raw_cpu: list[float] = []
    statements: list[int] = []
    for run in range(runs):
        with tempfile.TemporaryDirectory(prefix="order-tui-throughput-") as tmp:
            folder = Path(tmp)
            # The cached database may be at an older schema; the copies are brought to ours.
            base = open_seeded(_copy(cached, folder, "base.db"))
            ensure_schema(base)
            base.dispose()
            source = folder / "base.db"
            recorded_db = open_seeded(_copy(source, folder, "recorded.db"))
            order_nos = _waiting(recorded_db, approvals)
            if len(order_nos) < approvals:
                raise SystemExit(f"only {len(order_nos)} orders wait for sales; seed more")
            with recorded_db.read_engine.connect() as conn:
                synchronous = int(conn.exec_driver_sql("PRAGMA synchronous").scalar_one())
            recorded = _record(recorded_db, order_nos)
            statements.append(median([len(one) for one in recorded]))
            recorded_db.dispose()
            raw_path = _copy(source, folder, "raw.db")
            timed_db = open_seeded(_copy(source, folder, "timed.db"))
            # Alternate which pass goes first, so neither always gets the warmer cache.
            if run % 2 == 0:
                service = _approve_all(timed_db, order_nos)
                raw = _replay(raw_path, recorded, synchronous)
            else:
                raw = _replay(raw_path, recorded, synchronous)
                service = _approve_all(timed_db, order_nos)
            service_times.append(service[0])
            service_cpu.append(service[1])
            raw_times.append(raw[0])
            raw_cpu.append(raw[1])
            timed_db.dispose()
    service, raw = median(service_times), median(raw_times)
    return {
        "approvals": approvals,
        "service_s": service,
        "raw_s": raw,
        "service_per_s": approvals / service,
        "raw_per_s": approvals / raw,
        "ratio": service / raw,
        # On a shared machine the wall time carries other processes' load and disk syncs;
        # the CPU time of this process says what the Python costs on its own.
        "service_cpu_s": median(service_cpu),
        "raw_cpu_s": median(raw_cpu),
        "statements": median(statements),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.throughput")
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--approvals", type=int, default=150)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    result = measure(args.orders, args.approvals, args.runs)
    n = result["approvals"]
    print(
        table(
            ["", "through the services", "raw sqlite3, same statements"],
            [
                [
                    "approvals per second",
                    f"{result['service_per_s']:.0f}",
                    f"{result['raw_per_s']:.0f}",
                ],
                ["per approval", ms(result["service_s"] / n), ms(result["raw_s"] / n)],
                [
                    "CPU per approval (this process)",
                    ms(result["service_cpu_s"] / n),
                    ms(result["raw_cpu_s"] / n),
                ],
                ["statements per approval (BEGIN included)", f"{result['statements']:.0f}", ""],
                ["ratio (services / raw)", f"{result['ratio']:.2f}", ""],
            ],
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
