"""Service throughput: approvals per second through the services (authorization, guards, the
guarded update, the audit entry and its chain link, the writer queue) against raw sqlite3
executing the very same statements, each approval its own transaction.

    python -m benchmarks.throughput                  # 10 thousand orders, 150 approvals, 5 runs
    python -m benchmarks.throughput --approvals 50 --runs 3
    python -m benchmarks.throughput --pg postgresql+psycopg://user@host/db   # raw psycopg

How: the sales manager approves N orders waiting for the sales verdict on a copy of a seeded
database while every statement the services send (BEGIN IMMEDIATE included) is recorded; a
second identical copy is timed through the services without recording, and a third replays the
recorded statements with the driver alone (sqlite3, or psycopg on PostgreSQL, where the copies
are databases made from the seeded one as a template). Runs alternate the two timed passes;
medians are reported. Goal (issue 7): at least 300 approvals per second through the services;
the ratio says what the service layer costs over the bare statements.
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

from benchmarks.common import CACHE, engine_name, median, ms, open_seeded, seeded, table
from order_tui.services import operators, review
from order_tui.store.engine import Database
from order_tui.store.migrate import ensure_schema

USER = "zhang"


def _waiting(db: Database, count: int) -> list[str]:
    with db.read_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT o.order_no FROM review_task t JOIN sales_order o ON o.id = t.order_id "
                "WHERE t.department = 'sales' AND NOT o.on_hold ORDER BY t.id LIMIT :n"
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

    actor = operators.find_actor(db, USER)  # before listening: on PostgreSQL one engine reads too
    event.listen(db.write_engine, "before_cursor_execute", before)
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


def _replay_pg(url: str, approvals: list[list[tuple[str, Any]]]) -> tuple[float, float]:
    import psycopg
    from sqlalchemy.engine import make_url

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as conn:
        start, cpu = time.perf_counter(), time.process_time()
        for statements in approvals:
            with conn.cursor() as cursor:
                for statement, parameters in statements:
                    cursor.execute(statement, parameters)
            conn.commit()
        return time.perf_counter() - start, time.process_time() - cpu


class PgCopies:
    """Databases made from the seeded one (CREATE DATABASE ... TEMPLATE), dropped at the end."""

    def __init__(self, template_url: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.template = make_url(template_url)
        self.admin = create_engine(
            self.template.set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        self.made: list[str] = []

    def copy(self, name: str) -> str:
        name = f"{self.template.database}_{name}"
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.template.database}"'))
        self.made.append(name)
        return self.template.set(database=name).render_as_string(hide_password=False)

    def drop(self) -> None:
        with self.admin.connect() as conn:
            for name in self.made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


def measure_pg(orders: int, approvals: int, runs: int, server: str) -> dict[str, float]:
    from benchmarks.common import on_postgres

    copies = PgCopies(on_postgres(orders, server))
    times: dict[str, list[float]] = {"service": [], "raw": [], "service_cpu": [], "raw_cpu": []}
    statements: list[int] = []
    try:
        for run in range(runs):
            recorded_db = open_seeded(copies.copy("recorded"))
            order_nos = _waiting(recorded_db, approvals)
            if len(order_nos) < approvals:
                raise SystemExit(f"only {len(order_nos)} orders wait for sales; seed more")
            recorded = _record(recorded_db, order_nos)
            statements.append(median([len(one) for one in recorded]))
            recorded_db.dispose()
            raw_url = copies.copy("raw")
            timed_db = open_seeded(copies.copy("timed"))
            if run % 2 == 0:
                service = _approve_all(timed_db, order_nos)
                raw = _replay_pg(raw_url, recorded)
            else:
                raw = _replay_pg(raw_url, recorded)
                service = _approve_all(timed_db, order_nos)
            timed_db.dispose()
            times["service"].append(service[0])
            times["service_cpu"].append(service[1])
            times["raw"].append(raw[0])
            times["raw_cpu"].append(raw[1])
    finally:
        copies.drop()
    return _figures(approvals, times, statements)


def _figures(
    approvals: int, times: dict[str, list[float]], statements: list[int]
) -> dict[str, float]:
    service, raw = median(times["service"]), median(times["raw"])
    return {
        "approvals": approvals,
        "service_s": service,
        "raw_s": raw,
        "service_per_s": approvals / service,
        "raw_per_s": approvals / raw,
        "ratio": service / raw,
        # On a shared machine the wall time carries other processes' load and disk syncs;
        # the CPU time of this process says what the Python costs on its own.
        "service_cpu_s": median(times["service_cpu"]),
        "raw_cpu_s": median(times["raw_cpu"]),
        "statements": median(statements),
    }


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
    times = {
        "service": service_times,
        "raw": raw_times,
        "service_cpu": service_cpu,
        "raw_cpu": raw_cpu,
    }
    return _figures(approvals, times, statements)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.throughput")
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--approvals", type=int, default=150)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pg", metavar="URL", help="on PostgreSQL: a URL of any database there")
    args = parser.parse_args(argv)
    if args.pg:
        result = measure_pg(args.orders, args.approvals, args.runs, args.pg)
    else:
        result = measure(args.orders, args.approvals, args.runs)
    n = result["approvals"]
    driver = "raw psycopg (PostgreSQL)" if args.pg else "raw sqlite3"
    print(
        table(
            ["", f"through the services ({engine_name(args.pg)})", f"{driver}, same statements"],
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
                ["statements per approval", f"{result['statements']:.0f}", ""],
                ["ratio (services / raw)", f"{result['ratio']:.2f}", ""],
            ],
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
