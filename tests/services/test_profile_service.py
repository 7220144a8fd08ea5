"""The customer profile on a fixed data set (tests/profile_data.known_history) whose figures
are worked out by hand below, the role matrix, and the query plans that keep it fast."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event

from order_tui.domain.errors import NotFound, PermissionDenied, ValidationError
from order_tui.domain.roles import Role
from order_tui.services import profile
from order_tui.services.common import Actor
from order_tui.store.engine import Database
from tests.profile_data import known_history

AS_OF = date(2026, 11, 27)  # window of 3 months: 2026-09-01 .. 2026-11-27
MANAGER = Actor(1, "zhang", "张总", frozenset({Role.SALES_MANAGER}))


@pytest.fixture
def known(db: Database) -> dict[str, str]:
    return known_history(db)


def test_figures_worked_out_by_hand(db: Database, known: dict[str, str]):
    p = profile.customer_profile(db, MANAGER, "C0001", months=3, as_of=AS_OF)
    assert (p.code, p.name, p.since) == ("C0001", "北京华宇科技有限公司", date(2026, 9, 1))

    # Months by order day, drafts (o7) and cancelled orders (o8) left out:
    # Sep: o1 1000 + o2 2000; Oct: o3 3000 + o4 4000; Nov: o5 5000 + o6 600 (returned counts)
    assert [(m.label, m.orders, m.amount) for m in p.month_figures] == [
        ("2026-09", 2, Decimal("3000.00")),
        ("2026-10", 2, Decimal("7000.00")),
        ("2026-11", 2, Decimal("5600.00")),
    ]
    assert (p.window_orders, p.window_amount) == (6, Decimal("15600.00"))
    # All time adds o9 (2026-08-15, 10000): 7 orders, 25600, since 08-15; C0002's not counted
    assert (p.all_orders, p.all_amount, p.first_order_day) == (
        7,
        Decimal("25600.00"),
        date(2026, 8, 15),
    )

    # Cycles of the window's delivered orders: o1 09-02 -> 09-04 = 2 days, o2 09-10 -> 09-15
    # = 5, o3 10-01 -> 10-10 (signed 10-09 16:30 UTC, 00:30 the next day in Shanghai) = 9.
    # Average (2 + 5 + 9) / 3 = 5.33, worst 9, best 2. (o9's 10 days are before the window.)
    assert p.cycle.measured == 3
    assert (p.cycle.average_days, p.cycle.worst_days, p.cycle.best_days) == (
        Decimal("5.33"),
        9,
        2,
    )
    # On time against the wanted date: o1 (by 09-05, came 09-04) yes, o2 (by 09-14, came
    # 09-15) no; o3 had no wanted date and is not counted -> 1 of 2 = 50.0 %.
    assert (p.on_time.measured, p.on_time.on_time, p.on_time.without_wanted) == (2, 1, 1)
    assert p.on_time.rate == Decimal("50.0")

    # Returns: o2 round 1 (price) and o6 round 1 (invoice); o9's is before the window.
    assert p.returns == 2
    assert sorted(p.return_reasons) == [("invoice", 1), ("price", 1)]

    # Holds on the window's orders: o2 quality (released), o4 delay (open) -> 2; open now:
    # o4's only (o9's stock hold is released).
    assert p.holds == 2 and sorted(p.holds_by_kind) == [("delay", 1), ("quality", 1)]
    assert [(h.order_no, h.kind, h.description) for h in p.open_holds] == [
        (known["o4"], "delay", "承运商延误")
    ]

    # Follow-up calls in the window: o1 (5), o2 (2: a complaint), o3 (4 + after-sales: a
    # complaint) -> 3 calls, 2 complaints, newest first; o9's 1 is before the window.
    assert (p.feedback_calls, p.complaints) == (3, 2)
    assert [(c.order_no, c.satisfaction, c.remarks, c.after_sales) for c in p.complaint_list] == [
        (known["o3"], 4, "基本满意", "更换一个传感器"),
        (known["o2"], 2, "交货晚了一天", ""),
    ]

    # Credit used = the finance check's exposure: orders in review .. shipped = o4 4000 +
    # o5 5000 = 9000 of 500000 (2 %); the returned o6 and the draft o7 are not in it.
    assert (p.credit.limit, p.credit.used) == (Decimal("500000.00"), Decimal("9000.00"))
    assert p.credit.percent == Decimal("2") and not p.credit.over

    # Open orders: neither completed, archived nor cancelled, newest first:
    # o7 draft, o6 returned, o5 in review, o4 shipped (on hold), o3 delivered.
    assert p.open_count == 5
    assert [(o.order_no, o.status, o.on_hold) for o in p.open_orders] == [
        (known["o7"], "draft", False),
        (known["o6"], "returned", False),
        (known["o5"], "in_review", False),
        (known["o4"], "shipped", True),
        (known["o3"], "delivered", False),
    ]


def test_the_window_follows_months(db: Database, known: dict[str, str]):
    # 4 months reach back to 2026-08: o9 joins the figures (10-day cycle, on time? wanted
    # 08-20, came 08-25: late) -> cycles 2, 5, 9, 10 avg 6.50, on time 1 of 3 = 33.3 %.
    p = profile.customer_profile(db, MANAGER, "C0001", months=4, as_of=AS_OF)
    assert p.month_figures[0].label == "2026-08" and p.month_figures[0].orders == 1
    assert (p.cycle.average_days, p.cycle.worst_days) == (Decimal("6.50"), 10)
    assert p.on_time.rate == Decimal("33.3")
    assert (p.returns, p.complaints, p.holds) == (3, 3, 3)


def test_a_customer_without_orders(db: Database):
    p = profile.customer_profile(db, MANAGER, "C0010", as_of=AS_OF)
    assert len(p.month_figures) == 12 and p.window_orders == 0
    assert p.cycle.average_days is None and p.on_time.rate is None
    assert (p.all_orders, p.first_order_day, p.open_orders) == (0, None, [])
    assert p.credit.used == Decimal("0.00")


def test_unknown_customer_and_bad_months(db: Database):
    with pytest.raises(NotFound) as err:
        profile.customer_profile(db, MANAGER, "C9999")
    assert err.value.code == "customer.not_found"
    for months in (0, 37):
        with pytest.raises(ValidationError) as bad:
            profile.customer_profile(db, MANAGER, "C0001", months=months)
        assert bad.value.code == "profile.months"


READERS = {Role.SALES_REP, Role.SALES_CLERK, Role.SALES_MANAGER, Role.FINANCE}


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_role_matrix(db: Database, role: Role):
    actor = Actor(1, "someone", "某人", frozenset({role}))
    if role in READERS:
        assert profile.customer_profile(db, actor, "C0001").code == "C0001"
    else:
        with pytest.raises(PermissionDenied) as err:
            profile.customer_profile(db, actor, "C0001")
        assert err.value.code == "common.needs_role"


def test_queries_start_from_the_customer_index(db: Database, known: dict[str, str]):
    """Every aggregate reaches the orders through ix_order_customer, never a table scan."""
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "sales_order" in statement:
            statements.append((statement, parameters))

    event.listen(db.read_engine, "before_cursor_execute", capture)
    try:
        profile.customer_profile(db, MANAGER, "C0001", months=3, as_of=AS_OF)
    finally:
        event.remove(db.read_engine, "before_cursor_execute", capture)
    aggregates = [s for s in statements if "customer.code" not in s[0]]
    assert len(aggregates) >= 9
    with db.read_engine.connect() as conn:
        if not db.is_sqlite:
            # On a few rows PostgreSQL's planner rightly prefers reading the table; with
            # sequential scans priced out it shows whether an index can serve the query.
            conn.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in aggregates:
            explain = "EXPLAIN QUERY PLAN " if db.is_sqlite else "EXPLAIN "
            plan = conn.exec_driver_sql(explain + statement, parameters).all()
            details = " | ".join(str(row[-1]) for row in plan)
            if db.is_sqlite:
                assert "ix_order_customer" in details, (statement, details)
                assert "SCAN sales_order" not in details, (statement, details)
            else:
                # The planner may also come to the orders from the few holds, by primary key.
                assert "Seq Scan on sales_order" not in details, (statement, details)


def test_credit_used_is_the_finance_checks_exposure(db: Database, known: dict[str, str]):
    """The profile's credit in use is what the review's credit check sums for a new order:
    repo.open_orders_of_customer (the review facts' open orders), nothing excluded."""
    from order_tui.store import repo

    with db.reading() as session:
        customer = repo.find_customer(session, "C0001")
        open_orders = repo.open_orders_of_customer(session, customer.id or 0, None)
    exposure = sum((total for _, total in open_orders), Decimal("0.00"))
    p = profile.customer_profile(db, MANAGER, "C0001", months=3, as_of=AS_OF)
    assert p.credit.used == exposure == Decimal("9000.00")
