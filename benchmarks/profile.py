"""The customer profile at scale: time of `services.profile.customer_profile` (every figure of
the screen, 12 months) for one customer, on seeded databases of different sizes. The seed
spreads its orders over the ten demo customers, so a customer of the 1M database has about
100 thousand orders: far more than a real customer's thousands.

    python -m benchmarks.profile                      # 10 thousand and 1 million orders
    python -m benchmarks.profile --orders 2000 --runs 3
"""

import argparse
import time
from pathlib import Path

from benchmarks.common import median, ms, open_seeded, seeded, table
from order_tui.services import operators, profile
from order_tui.store.engine import Database

USER = "zhang"
CUSTOMER = "C0001"


def _orders_of(db: Database, code: str) -> int:
    return profile.customer_profile(db, operators.find_actor(db, USER), code).all_orders


def measure(path: Path, runs: int = 5) -> dict[str, float]:
    """Median seconds of a cold first call and of the warm calls after it."""
    db = open_seeded(path)
    try:
        actor = operators.find_actor(db, USER)
        timings = []
        for _ in range(runs + 1):
            start = time.perf_counter()
            profile.customer_profile(db, actor, CUSTOMER)
            timings.append(time.perf_counter() - start)
        return {
            "first": timings[0],
            "warm": median(timings[1:]),
            "orders": float(_orders_of(db, CUSTOMER)),
        }
    finally:
        db.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, action="append", help="database sizes to compare")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    sizes = args.orders or [10_000, 1_000_000]
    measured = {n: measure(seeded(n), args.runs) for n in sizes}
    header = [f"customer profile ({CUSTOMER}, 12 months)", *(f"{n:,} orders" for n in sizes)]
    rows = [
        ["deals of the customer", *(f"{int(measured[n]['orders']):,}" for n in sizes)],
        ["first call", *(ms(measured[n]["first"]) for n in sizes)],
        [f"warm call (median of {args.runs})", *(ms(measured[n]["warm"]) for n in sizes)],
    ]
    print(table(header, rows))


if __name__ == "__main__":
    main()
