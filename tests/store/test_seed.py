"""The bulk seed writes explicit ids; the operators' own writes must go on after it (on
PostgreSQL that needs the serial sequences moved past them)."""

from sqlalchemy import func, select

from order_tui.services import review
from order_tui.services.demo import DemoCast, new_order
from order_tui.store.engine import Database
from order_tui.store.models import ReviewRound, SalesOrder
from order_tui.store.seed import seed_orders


def test_orders_entered_after_a_seed_get_fresh_ids(db: Database, cast: DemoCast) -> None:
    assert seed_orders(db, 120, pause=0) == 120
    order_no = new_order(db, cast, "C0001", [("P0001", "1")])
    review.submit(db, cast["zhao"], order_no)
    with db.reading() as session:
        orders = session.execute(select(func.count()).select_from(SalesOrder)).scalar_one()
        rounds = session.execute(
            select(func.count())
            .select_from(ReviewRound)
            .where(
                ReviewRound.order_id.in_(  # type: ignore[attr-defined]
                    select(SalesOrder.id).where(SalesOrder.order_no == order_no)
                )
            )
        ).scalar_one()
    assert orders == 121 and rounds == 1
