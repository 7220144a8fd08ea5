"""Orders with a known history for the customer profile's tests, written straight into the
tables: order days, delivery moments and outcomes set exactly, so the expected figures can be
worked out by hand. (The services would stamp today on everything.)

Imported as `from tests.profile_data import History` (pytest puts the project root on the path).
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from order_tui.store.engine import Database
from order_tui.store.models import (
    Customer,
    Feedback,
    Hold,
    Operator,
    ReviewRound,
    ReviewVerdict,
    SalesOrder,
)

AT = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class History:
    """Add orders for one customer: `order(...)` returns the order's id for the extras."""

    db: Database
    customer_code: str
    serials: dict[date, int] = field(default_factory=dict)

    def _ids(self, session: Session) -> tuple[Customer, int]:
        customer = session.exec(select(Customer).where(Customer.code == self.customer_code)).one()
        operator = session.exec(select(Operator).order_by(Operator.id)).first()  # type: ignore[arg-type]
        assert operator is not None and operator.id is not None
        return customer, operator.id

    def order(
        self,
        day: date,
        status: str,
        total: str,
        *,
        wanted: date | None = None,
        delivered_at: datetime | None = None,
        on_hold: bool = False,
    ) -> tuple[int, str]:
        serial = self.serials.get(day, 100) + 1  # above the counter's numbers: no clash
        self.serials[day] = serial
        order_no = f"SO{day:%Y%m%d}{serial:03d}"
        with self.db.writing() as session:
            customer, op = self._ids(session)
            order = SalesOrder(
                order_no=order_no,
                order_day=day,
                serial=serial,
                customer_id=customer.id or 0,
                cust_name=customer.legal_name,
                cust_uscc=customer.uscc,
                goods_total=Decimal(total),
                net_total=Decimal(total),
                total=Decimal(total),
                wanted_date=wanted,
                status=status,
                on_hold=on_hold,
                delivered_at=delivered_at,
                created_by=op,
                created_at=AT,
                updated_by=op,
                updated_at=AT,
            )
            session.add(order)
            session.flush()
            assert order.id is not None
            return order.id, order_no

    def review(self, order_id: int, round_no: int, outcome: str, reason: str = "") -> None:
        """A review round; a returned one carries the finance department's rejection."""
        with self.db.writing() as session:
            _, op = self._ids(session)
            rnd = ReviewRound(
                order_id=order_id,
                round_no=round_no,
                required_departments="sales;finance;warehouse",
                outcome=outcome,
                submitted_by=op,
                submitted_at=AT,
                closed_at=AT,
            )
            session.add(rnd)
            session.flush()
            if outcome == "returned":
                session.add(
                    ReviewVerdict(
                        round_id=rnd.id or 0,
                        order_id=order_id,
                        department="finance",
                        verdict="reject",
                        reason_code=reason,
                        comment="请修改",
                        operator_id=op,
                        at=AT,
                    )
                )

    def hold(self, order_id: int, kind: str, description: str, *, released: bool = False) -> None:
        with self.db.writing() as session:
            _, op = self._ids(session)
            session.add(
                Hold(
                    order_id=order_id,
                    kind=kind,
                    description=description,
                    owner="zhao",
                    raised_by=op,
                    raised_at=AT,
                    solution_kind="resolved" if released else "",
                    released_by=op if released else None,
                    released_at=AT if released else None,
                )
            )

    def feedback(
        self,
        order_id: int,
        done_at: datetime | None,
        satisfaction: int | None,
        remarks: str = "",
        after_sales: str = "",
    ) -> None:
        with self.db.writing() as session:
            _, op = self._ids(session)
            session.add(
                Feedback(
                    order_id=order_id,
                    due_at=done_at or AT,
                    done_at=done_at,
                    reached=done_at is not None,
                    satisfaction=satisfaction,
                    remarks=remarks,
                    after_sales_needed=bool(after_sales),
                    after_sales=after_sales,
                    recorded_by=op if done_at else None,
                )
            )


def utc(y: int, m: int, d: int, hour: int = 2, minute: int = 0) -> datetime:
    return datetime(y, m, d, hour, minute, tzinfo=UTC)


def known_history(db: Database, code: str = "C0001") -> dict[str, str]:
    """The hand-worked data set of tests/services/test_profile_service.py (see there for the
    expected figures); returns the order numbers by name."""
    h = History(db, code)
    names: dict[str, str] = {}
    # 1: 2 days, on time
    o1, names["o1"] = h.order(
        date(2026, 9, 2), "completed", "1000.00",
        wanted=date(2026, 9, 5), delivered_at=utc(2026, 9, 4),
    )  # fmt: skip
    # 2: 5 days, late; returned once for its price, approved in round 2
    o2, names["o2"] = h.order(
        date(2026, 9, 10), "archived", "2000.00",
        wanted=date(2026, 9, 14), delivered_at=utc(2026, 9, 15, 1),
    )  # fmt: skip
    h.review(o2, 1, "returned", "price")
    h.review(o2, 2, "approved")
    h.hold(o2, "quality", "外观划伤", released=True)
    # 3: signed 2026-10-09 16:30 UTC = 10-10 00:30 in Shanghai: 9 days, not 8; no wanted date
    o3, names["o3"] = h.order(
        date(2026, 10, 1), "delivered", "3000.00", delivered_at=utc(2026, 10, 9, 16, 30)
    )
    # 4, 5: in the finance check's exposure (shipped, in review)
    o4, names["o4"] = h.order(date(2026, 10, 20), "shipped", "4000.00", on_hold=True)
    h.hold(o4, "delay", "承运商延误")
    _o5, names["o5"] = h.order(date(2026, 11, 3), "in_review", "5000.00")
    # 6: returned to the clerk, not in the exposure; 7: a draft; 8: cancelled
    o6, names["o6"] = h.order(date(2026, 11, 5), "returned", "600.00")
    h.review(o6, 1, "returned", "invoice")
    _, names["o7"] = h.order(date(2026, 11, 6), "draft", "700.00")
    _, names["o8"] = h.order(date(2026, 11, 7), "cancelled", "800.00")
    # 9: before the window (all-time totals only): 10 days, a complaint, a return, a hold
    o9, names["o9"] = h.order(
        date(2026, 8, 15), "completed", "10000.00",
        wanted=date(2026, 8, 20), delivered_at=utc(2026, 8, 25),
    )  # fmt: skip
    h.review(o9, 1, "returned", "credit")
    h.hold(o9, "stock", "缺货", released=True)
    h.feedback(o9, utc(2026, 8, 26), 1, "很不满意")
    # Follow-up calls: happy; unhappy (a complaint); satisfied but after-sales (a complaint)
    h.feedback(o1, utc(2026, 9, 5), 5, "满意")
    h.feedback(o2, utc(2026, 9, 16), 2, "交货晚了一天")
    h.feedback(o3, utc(2026, 10, 11), 4, "基本满意", after_sales="更换一个传感器")
    # Another customer's order in the window must not count.
    other = History(db, "C0002")
    other.order(
        date(2026, 10, 5), "completed", "99999.00",
        wanted=date(2026, 10, 6), delivered_at=utc(2026, 10, 30),
    )  # fmt: skip
    return names


# Orders per month before the hand-worked ones (2025-12 .. 2026-08), with their totals: a
# year of history for the screens' snapshots. Each is delivered `cycle` days after its day.
EARLIER: tuple[tuple[date, str, int, int | None], ...] = (
    # (order day, total, cycle days, wanted after days or None)
    (date(2025, 12, 3), "12800.00", 4, 5),
    (date(2025, 12, 18), "6400.00", 6, 5),
    (date(2026, 1, 9), "25600.00", 3, 7),
    (date(2026, 2, 20), "3200.00", 5, 7),
    (date(2026, 3, 2), "18000.00", 7, 10),
    (date(2026, 3, 16), "9600.00", 12, 8),
    (date(2026, 3, 30), "4800.00", 2, None),
    (date(2026, 5, 6), "32000.00", 8, 10),
    (date(2026, 6, 11), "14400.00", 5, 7),
    (date(2026, 6, 25), "7200.00", 4, 7),
    (date(2026, 7, 8), "21000.00", 6, 7),
    (date(2026, 8, 3), "16000.00", 9, 7),
)


def year_of_history(db: Database, code: str = "C0001") -> dict[str, str]:
    """`known_history` plus a year of earlier deliveries: the screens' demo customer."""
    names = known_history(db, code)
    h = History(db, code, serials={date(2026, 8, 15): 101})
    for day, total, cycle, wanted in EARLIER:
        delivered = day + timedelta(days=cycle)
        h.order(
            day,
            "archived",
            total,
            wanted=None if wanted is None else day + timedelta(days=wanted),
            delivered_at=utc(delivered.year, delivered.month, delivered.day),
        )
    return names
