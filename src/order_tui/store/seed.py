"""Synthetic orders for benchmarks: many orders in every status, inserted in batches.

Bulk Core inserts, not the unit of work (about 50x faster, notes/data-layer.md 6.1), in
short write transactions with a pause between them so interactive writers get the lock.
Numbers come from the same per-day counters, so they stay unique and gap-free.
"""

import random
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TextIO

from sqlalchemy import Connection, insert, select

from order_tui.domain.lifecycle import Status
from order_tui.domain.money import line_amounts, order_totals
from order_tui.domain.order_numbers import format_order_no
from order_tui.domain.terms import TERM_NUMBERS, TermNumbers
from order_tui.store.engine import Database
from order_tui.store.models import (
    Customer,
    CustomerAddress,
    Operator,
    OrderCounter,
    OrderLine,
    Product,
    ReviewRound,
    ReviewTask,
    SalesOrder,
)
from order_tui.store.sequences import continue_sequences

BATCH = 2000
ORDERS_PER_DAY = 400
# Most orders of a long-running company are archived; every status is present.
STATUS_WEIGHTS = {
    Status.ARCHIVED: 70,
    Status.COMPLETED: 6,
    Status.DELIVERED: 4,
    Status.SHIPPED: 3,
    Status.PACKED: 2,
    Status.PICKING: 2,
    Status.IN_PRODUCTION: 1,
    Status.APPROVED: 3,
    Status.IN_REVIEW: 4,
    Status.RETURNED: 1,
    Status.DRAFT: 2,
    Status.CANCELLED: 2,
}


class SeedError(Exception):
    """The seed cannot run: the master data it draws on is missing."""


def seed_orders(
    db: Database, count: int, *, seed: int = 7, progress: TextIO | None = None, pause: float = 0.005
) -> int:
    rng = random.Random(seed)
    with db.reading() as session:
        customers = list(session.exec(select(Customer)).scalars())  # type: ignore[call-overload]
        products = list(session.exec(select(Product)).scalars())  # type: ignore[call-overload]
        operator = session.exec(select(Operator)).scalars().first()  # type: ignore[call-overload]
        addresses = {
            a.customer_id: a
            for a in session.exec(select(CustomerAddress)).scalars()  # type: ignore[call-overload]
        }
    if not customers or not products or operator is None:
        raise SeedError("seeding needs customers, products and an operator: load master data")
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    now = datetime.now(UTC)
    day = date.today() - timedelta(days=1)
    made = 0
    orders_t = SalesOrder.__table__  # type: ignore[attr-defined]
    lines_t = OrderLine.__table__  # type: ignore[attr-defined]
    counter_t = OrderCounter.__table__  # type: ignore[attr-defined]
    while made < count:
        n = min(BATCH, count - made)
        with db.write_engine.begin() as conn:
            order_rows: list[dict[str, object]] = []
            line_specs: list[list[dict[str, object]]] = []
            while len(order_rows) < n:
                last = (
                    conn.execute(
                        select(counter_t.c.last).where(counter_t.c.day == day)
                    ).scalar_one_or_none()
                    or 0
                )
                take = min(ORDERS_PER_DAY - last, n - len(order_rows))
                if take <= 0:
                    day -= timedelta(days=1)
                    continue
                for serial in range(last + 1, last + take + 1):
                    row, lines = _order(
                        rng,
                        day,
                        serial,
                        customers,
                        products,
                        addresses,
                        operator.id,
                        now,
                        statuses,
                        weights,
                    )
                    order_rows.append(row)
                    line_specs.append(lines)
                if last:
                    conn.execute(
                        counter_t.update().where(counter_t.c.day == day).values(last=last + take)
                    )
                else:
                    conn.execute(insert(counter_t).values(day=day, last=take))
            first_id = (
                conn.execute(
                    select(orders_t.c.id).order_by(orders_t.c.id.desc()).limit(1)
                ).scalar_one_or_none()
                or 0
            ) + 1
            for offset, row in enumerate(order_rows):
                row["id"] = first_id + offset
            conn.execute(insert(orders_t), order_rows)
            all_lines = []
            for offset, lines in enumerate(line_specs):
                for line in lines:
                    line["order_id"] = first_id + offset
                    all_lines.append(line)
            conn.execute(insert(lines_t), all_lines)
            _open_reviews(conn, order_rows, line_specs, operator.id)
            continue_sequences(conn, [orders_t, ReviewRound.__table__])  # type: ignore[attr-defined]
        made += n
        if progress is not None:
            print(f"\rseeded {made}/{count}", end="", file=progress, flush=True)
        time.sleep(pause)
    if progress is not None:
        print(file=progress)
    return made


def _order(
    rng: random.Random,
    day: date,
    serial: int,
    customers: list[Customer],
    products: list[Product],
    addresses: dict[int, CustomerAddress],
    operator_id: int,
    now: datetime,
    statuses: list[Status],
    weights: list[int],
) -> tuple[dict[str, object], list[dict[str, object]]]:
    customer = rng.choice(customers)
    status = rng.choices(statuses, weights)[0]
    lines = []
    amounts = []
    for no in range(1, rng.randint(1, 5) + 1):
        product = rng.choice(products)
        qty = Decimal(rng.randint(1, 20))
        amt = line_amounts(qty, product.list_price, product.tax_code, price_includes_tax=True)
        amounts.append(amt)
        done = status in (Status.SHIPPED, Status.DELIVERED, Status.COMPLETED, Status.ARCHIVED)
        picked = qty if done or status == Status.PACKED else Decimal(0)
        lines.append(
            {
                "line_no": no,
                "product_id": product.id,
                "product_code": product.code,
                "name": product.name,
                "spec": product.spec,
                "unit": product.unit,
                "qty": qty,
                "unit_price": product.list_price,
                "tax_code": product.tax_code,
                "net": amt.net,
                "tax": amt.tax,
                "gross": amt.gross,
                "made_to_order": product.made_to_order,
                "picked_qty": picked,
                "shipped_qty": qty if done else Decimal(0),
            }
        )
    totals = order_totals(amounts, freight=Decimal("100.00"))
    address = addresses.get(customer.id or 0)
    terms = TERM_NUMBERS.get(customer.default_payment_terms, TermNumbers(100, 0))
    created = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
    archived = status == Status.ARCHIVED
    row: dict[str, object] = {
        "order_no": format_order_no(day, serial),
        "order_day": day,
        "serial": serial,
        "customer_id": customer.id,
        "cust_name": customer.legal_name,
        "cust_uscc": customer.uscc,
        "cust_bank": customer.bank_name,
        "cust_account": customer.bank_account,
        "cust_address": f"{address.province}{address.city}{address.detail}" if address else "",
        "cust_postcode": address.postcode if address else "",
        "cust_mnemonic": customer.mnemonic,
        "price_includes_tax": True,
        "freight": totals.freight,
        "discount": totals.discount,
        "net_total": totals.net,
        "tax_total": totals.tax,
        "goods_total": totals.goods,
        "total": totals.total,
        "payment_terms": customer.default_payment_terms,
        # the numbers of the customer's default terms, as an order entered by hand gets them
        "prepay_pct": terms.prepay_pct,
        "credit_days": terms.credit_days,
        "invoice_type": customer.invoice_type,
        "wanted_date": day + timedelta(days=14),
        "status": status.value,
        "review_round": 0 if status == Status.DRAFT else 1,
        "created_by": operator_id,
        "created_at": created,
        "updated_by": operator_id,
        "updated_at": created,
        # archived a month after the order, or now for the last month's orders
        "archived_at": min(created + timedelta(days=30), now) if archived else None,
        "retention_until": day.replace(year=day.year + 3)
        if archived and not (day.month == 2 and day.day == 29)
        else (day + timedelta(days=3 * 366) if archived else None),
        "version": 1,
        "on_hold": False,
    }
    return row, lines


def _open_reviews(
    conn: Connection,
    order_rows: list[dict[str, object]],
    line_specs: list[list[dict[str, object]]],
    operator_id: int | None,
) -> None:
    """Orders seeded in review get an open round and a task per department, like real ones."""
    rounds_t = ReviewRound.__table__  # type: ignore[attr-defined]
    tasks_t = ReviewTask.__table__  # type: ignore[attr-defined]
    pending = [
        (row, lines)
        for row, lines in zip(order_rows, line_specs, strict=True)
        if row["status"] == Status.IN_REVIEW.value
    ]
    if not pending:
        return
    first = (
        conn.execute(select(rounds_t.c.id).order_by(rounds_t.c.id.desc()).limit(1)).scalar() or 0
    ) + 1
    rounds, tasks = [], []
    for offset, (row, lines) in enumerate(pending):
        departments = ["sales", "finance", "warehouse"]
        if any(line["made_to_order"] for line in lines):
            departments.append("production")
        round_id = first + offset
        rounds.append(
            {
                "id": round_id,
                "order_id": row["id"],
                "round_no": 1,
                "required_departments": ";".join(departments),
                "findings": "[]",
                "changes": "{}",
                "snapshot": "{}",
                "outcome": "open",
                "submitted_by": operator_id,
                "submitted_at": row["created_at"],
            }
        )
        for department in departments:
            tasks.append(
                {
                    "order_id": row["id"],
                    "round_id": round_id,
                    "round_no": 1,
                    "department": department,
                    "order_no": row["order_no"],
                    "cust_name": row["cust_name"],
                    "cust_mnemonic": row["cust_mnemonic"],
                    "total": row["total"],
                    "wanted_date": row["wanted_date"],
                    "submitted_at": row["created_at"],
                    "flags": "",
                }
            )
    conn.execute(insert(rounds_t), rounds)
    conn.execute(insert(tasks_t), tasks)
