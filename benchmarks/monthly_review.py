"""The monthly review at scale: time to compute one month's review on a seeded database.

The seeded databases hold orders only (no history), so this copies one into a temporary
directory (the cached file is never changed) and writes a history for every order there,
consistent with its status, in time order as the services would have: create, submit,
approval (and its review round), shipment (and its shipment row), sign-off (some after the
wanted date), feedback (some complaints), completion, archiving; a tenth of the approved
orders got a delay hold, the returned ones a rejection with a reason. Then
`monthly_review()` runs for the month of the latest orders and the month before, cold
(first call) and warm (median of the runs).

    python -m benchmarks.monthly_review                     # 10 thousand orders
    python -m benchmarks.monthly_review --orders 1000000 --runs 3
"""

import argparse
import shutil
import sqlite3
import statistics
import tempfile
import time
from contextlib import closing
from pathlib import Path

from benchmarks.common import open_seeded, seeded
from order_tui.domain.monthly import shift_month
from order_tui.services import monthly_review, operators
from order_tui.store.migrate import ensure_schema

# How far each order got: its status's place in the flow.
RANK = """CASE status WHEN 'draft' THEN 0 WHEN 'in_review' THEN 1 WHEN 'returned' THEN 1
 WHEN 'cancelled' THEN 1 WHEN 'approved' THEN 2 WHEN 'in_production' THEN 2
 WHEN 'picking' THEN 2 WHEN 'packed' THEN 2 WHEN 'shipped' THEN 3 WHEN 'delivered' THEN 4
 WHEN 'completed' THEN 5 WHEN 'archived' THEN 6 END"""


def _t(base: str, offset: str) -> str:
    """An SQLite datetime expression in the stored format (microseconds included)."""
    return f"strftime('%Y-%m-%d %H:%M:%S', {base}, {offset}) || '.000000'"


APPROVED = _t("created_at", "'+1 days', '+' || (id % 48) || ' hours'")
SHIPPED = _t(APPROVED.replace(" || '.000000'", ""), "'+2 days', '+' || (id % 5) || ' days'")
SIGNED = _t(SHIPPED.replace(" || '.000000'", ""), "'+1 days', '+' || (id % 13) || ' days'")
FEEDBACK = _t(SIGNED.replace(" || '.000000'", ""), "'+1 days'")
REJECTED = _t("created_at", "'+1 days'")
COMPLETED = _t(FEEDBACK.replace(" || '.000000'", ""), "'+2 days'")
ARCHIVED = _t(COMPLETED.replace(" || '.000000'", ""), "'+20 days'")
EVENTS = [
    # (time, action, from, to, which orders)
    ("created_at", "create", "", "draft", "1"),
    (_t("created_at", "'+1 hours'"), "submit", "draft", "in_review", "rank >= 1"),
    (REJECTED, "reject", "in_review", "returned", "status = 'returned'"),
    (APPROVED, "approve", "in_review", "approved", "rank >= 2"),
    (SHIPPED, "ship", "packed", "shipped", "rank >= 3"),
    (SIGNED, "sign_off", "shipped", "delivered", "rank >= 4"),
    (FEEDBACK, "record_feedback", "delivered", "delivered", "rank >= 4"),
    (COMPLETED, "complete", "delivered", "completed", "rank >= 5"),
    (ARCHIVED, "archive", "completed", "archived", "rank >= 6"),
]


def add_history(path: Path) -> int:
    """Write the synthetic history into the database at `path`; returns the audit rows."""
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        op = conn.execute("SELECT id, username FROM operator ORDER BY id LIMIT 1").fetchone()
        conn.execute(f"CREATE TEMP TABLE o AS SELECT *, {RANK} AS rank FROM sales_order")
        parts = [
            f"SELECT {at} AS at, id, order_no, '{action}' AS action, '{src}' AS src, "
            f"'{dst}' AS dst, {n} AS seq FROM o WHERE {where}"
            for n, (at, action, src, dst, where) in enumerate(EVENTS)
        ]
        conn.execute(
            "INSERT INTO audit_event (at, operator_id, operator_name, entity, entity_id, "
            "order_no, action, from_status, to_status, changes) "
            f"SELECT at, {op[0]}, '{op[1]}', 'order', id, order_no, action, src, dst, '' "
            f"FROM ({' UNION ALL '.join(parts)}) ORDER BY at, id, seq"
        )
        rows = conn.execute("SELECT changes() ").fetchone()[0]
        conn.execute(f"UPDATE sales_order SET delivered_at = {SIGNED} WHERE {RANK} >= 4")
        conn.execute(
            "INSERT INTO feedback (order_id, due_at, done_at, reached, satisfaction, remarks, "
            "after_sales_needed, after_sales, recorded_by) "
            f"SELECT id, {FEEDBACK}, {FEEDBACK}, 1, 1 + id % 5, '客户反馈', id % 17 = 0, "
            f"CASE WHEN id % 17 = 0 THEN '需上门调试' ELSE '' END, {op[0]} FROM o WHERE rank >= 4"
        )
        conn.execute(
            "INSERT INTO hold (order_id, kind, description, owner, raised_by, raised_at, "
            "solution_kind, solution, released_by, released_at) "
            f"SELECT id, 'delay', '供应商延迟到货', 'zhao', {op[0]}, {APPROVED}, 'new_date', "
            f"'客户同意延期', {op[0]}, {SHIPPED} FROM o WHERE rank >= 2 AND id % 10 = 0"
        )
        for outcome, closed, where in (
            ("returned", REJECTED, "status = 'returned'"),
            ("approved", APPROVED, "rank >= 2"),
        ):
            conn.execute(
                "INSERT INTO review_round (order_id, round_no, required_departments, findings, "
                "changes, snapshot, outcome, submitted_by, submitted_at, closed_at) "
                f"SELECT id, 1, 'sales;finance;warehouse', '[]', '{{}}', '{{}}', '{outcome}', "
                f"{op[0]}, created_at, {closed} FROM o WHERE {where}"
            )
        conn.execute(
            "INSERT INTO shipment (order_id, carrier, mode, tracking_no, ship_date, shipped_by, "
            f"shipped_at) SELECT id, '顺丰速运', 'parcel', 'SF' || id, date({SHIPPED}), "
            f"{op[0]}, {SHIPPED} FROM o WHERE rank >= 3"
        )
        conn.execute(
            "INSERT INTO review_verdict (round_id, order_id, department, verdict, reason_code, "
            "comment, operator_id, at) "
            "SELECT r.id, r.order_id, 'finance', 'reject', "
            "CASE r.order_id % 3 WHEN 0 THEN 'credit' WHEN 1 THEN 'price' ELSE 'invoice' END, "
            f"'退回', {op[0]}, r.closed_at FROM review_round r WHERE r.outcome = 'returned'"
        )
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(rows)


def measure(path: Path, runs: int = 5) -> dict[str, float]:
    """Seconds per review: cold and warm median, for the latest month and the one before."""
    db = open_seeded(path)
    ensure_schema(db)  # the cached databases may predate the review_note table
    try:
        with closing(sqlite3.connect(path)) as conn:
            last_day = conn.execute("SELECT max(order_day) FROM sales_order").fetchone()[0]
        month = last_day[:7]
        months = [month, shift_month(month, -1)]
        manager = operators.find_actor(db, "zhang")
        figures: dict[str, float] = {}
        for m in months:
            times, cpu = [], []
            for _ in range(runs + 1):
                start, start_cpu = time.perf_counter(), time.process_time()
                review = monthly_review.monthly_review(db, manager, m)
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
            figures[f"{m} cold"] = times[0]
            figures[f"{m} warm"] = statistics.median(times[1:])
            # the CPU this process used: what the wall time is on an idle machine
            figures[f"{m} warm cpu"] = statistics.median(cpu[1:])
            figures[f"{m} received"] = review.counts["received"]
            figures[f"{m} late"] = review.late_total
        return figures
    finally:
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    source = seeded(args.orders)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.db"
        shutil.copy(source, path)
        start = time.perf_counter()
        rows = add_history(path)
        print(f"history: {rows} audit rows written in {time.perf_counter() - start:.1f} s")
        for name, value in measure(path, args.runs).items():
            shown = f"{value * 1000:.0f} ms" if isinstance(value, float) else str(value)
            print(f"{name:>24}: {shown}")


if __name__ == "__main__":
    main()
