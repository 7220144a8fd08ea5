"""The monthly review's fixed data set: a few orders driven through the real services on a
hand-moved clock, so that every figure of November 2026 can be worked out by hand
(tests/services/test_monthly_review.py does; the review's snapshots show it).

Times are UTC; Shanghai is UTC+8, so 17:00 UTC is 01:00 the next day there.

  order  customer  lines                     created (UTC)   what happens
  A      C0001     P0001 x1 (6800)            Oct 28 02:00    approved Oct 29 02:00, delay hold,
                                                              shipped Nov 2 02:00, signed Nov 3
                                                              02:00 (wanted Oct 31), feedback 5
  F      C0004     P0009 x5 (45)              Oct 31 17:00    = Nov 1 01:00 in Shanghai: a
                                                              November order; approved Nov 1 05:00
  B      C0002     P0005 x10 (185.50)         Nov 1 01:00     approved Nov 2 13:00, shipped Nov 5
                                                              13:00, signed Nov 6 01:00, feedback
                                                              2 "包装破损", completed Nov 8
  E      C0005     P0003 x2 (requirement      Nov 2 02:00     a draft, converted from a requirement
                   recorded Oct 30 02:00)                     recorded Oct 30 02:00
  C      C0003     P0001 x1, P0008 x20 (12.80) Nov 3 02:00    rejected (credit) twice by finance
  D      C0001     P0002 x2 (3200)            Nov 4 02:00     rejected (price) by sales
  G      C0006     P0005 x1                   Nov 30 17:00    = Dec 1 in Shanghai: not November
Every order has 200.00 freight; prices include tax, so total = sum(qty x price) + 200.
"""

import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from order_tui.services import (
    attachments,
    closing,
    delivery,
    execution,
    intake,
    orders,
    review,
)
from order_tui.services.demo import DemoCast, load_master_data
from order_tui.store.engine import Database


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 10, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def at(self, month: int, day: int, hour: int) -> None:
        moment = datetime(2026, month, day, hour, tzinfo=UTC)
        assert moment >= self.now, "the audit log is written in time order"
        self.now = moment


@dataclass
class Orders:
    a: str
    b: str
    c: str
    d: str
    e: str
    f: str
    g: str


def _order(
    db: Database, cast: DemoCast, customer: str, lines: list[tuple[str, str]], wanted: date
) -> str:
    data = orders.OrderInput(
        customer_code=customer,
        lines=[orders.LineInput(code, Decimal(qty)) for code, qty in lines],
        freight=Decimal("200.00"),
        wanted_date=wanted,
    )
    return orders.create_order(db, cast["zhao"], data).order_no


def _approve(db: Database, cast: DemoCast, no: str) -> None:
    for name in ("zhang", "chen", "liu"):
        review.approve(db, cast[name], no)


def _ship(db: Database, cast: DemoCast, no: str) -> None:
    execution.start_picking(db, cast["liu"], no)
    execution.pick(db, cast["liu"], no)
    execution.pack(db, cast["liu"], no)
    delivery.ship(
        db, cast["zhou"], no, carrier="顺丰速运", mode="parcel", tracking_no=f"SF{no[-9:]}"
    )


def _sign(db: Database, cast: DemoCast, no: str, folder: Path) -> None:
    receipt = folder / f"{no}-签收单.txt"
    receipt.write_text("签收", encoding="utf-8")
    delivery.sign_off(
        db, cast["zhou"], no, signer="李经理", qty_ok=True, appearance_ok=True,
        packaging_ok=True, receipt=receipt,
    )  # fmt: skip


def build_world(db: Database, folder: Path) -> tuple[DemoCast, Orders]:
    """Fill a migrated, empty database with the master data and the orders above."""
    clock = Clock()
    with pytest.MonkeyPatch.context() as patch:
        for name, module in list(sys.modules.items()):
            if name.startswith("order_tui.services") and hasattr(module, "now_utc"):
                patch.setattr(module, "now_utc", clock)
        cast = load_master_data(db)
        clock.at(10, 28, 2)
        a = _order(db, cast, "C0001", [("P0001", "1")], date(2026, 10, 31))
        review.submit(db, cast["zhao"], a)
        clock.at(10, 29, 2)
        _approve(db, cast, a)
        clock.at(10, 29, 3)
        execution.raise_hold(db, cast["liu"], a, "delay", "供应商延迟到货", owner="zhao")
        clock.at(10, 30, 2)
        req = intake.record_requirement(
            db,
            cast["wang"],
            intake.RequirementInput(
                customer_code="C0005",
                contact_name="李经理",
                contact_phone="13800138000",
                lines=[intake.RequirementLineInput("P0003", Decimal("2"))],
                wanted_date=date(2026, 12, 1),
            ),
        )
        clock.at(10, 31, 1)
        execution.release_hold(db, cast["zhao"], a, "new_date", "客户同意延期")
        clock.at(10, 31, 17)
        f = _order(db, cast, "C0004", [("P0009", "5")], date(2026, 12, 1))
        review.submit(db, cast["zhao"], f)
        clock.at(11, 1, 1)
        b = _order(db, cast, "C0002", [("P0005", "10")], date(2026, 12, 1))
        review.submit(db, cast["zhao"], b)
        clock.at(11, 1, 5)
        _approve(db, cast, f)
        clock.at(11, 2, 2)
        e = intake.convert_to_order(db, cast["zhao"], req.id).order_no
        _ship(db, cast, a)
        clock.at(11, 2, 13)
        _approve(db, cast, b)
        clock.at(11, 3, 2)
        _sign(db, cast, a, folder)
        c = _order(db, cast, "C0003", [("P0001", "1"), ("P0008", "20")], date(2026, 12, 1))
        review.submit(db, cast["zhao"], c)
        clock.at(11, 3, 6)
        review.reject(db, cast["chen"], c, "credit", "超出信用额度")
        clock.at(11, 4, 2)
        delivery.record_feedback(db, cast["wang"], a, reached=True, satisfaction=5, remarks="满意")
        review.resubmit(db, cast["zhao"], c)
        d = _order(db, cast, "C0001", [("P0002", "2")], date(2026, 12, 1))
        review.submit(db, cast["zhao"], d)
        clock.at(11, 4, 3)
        review.reject(db, cast["chen"], c, "credit", "仍超出信用额度")
        review.reject(db, cast["zhang"], d, "price", "价格低于底价")
        clock.at(11, 5, 13)
        _ship(db, cast, b)
        clock.at(11, 6, 1)
        _sign(db, cast, b, folder)
        clock.at(11, 7, 2)
        delivery.record_feedback(
            db, cast["wang"], b, reached=True, satisfaction=2, remarks="包装破损"
        )
        clock.at(11, 8, 2)
        for kind in ("purchase_confirmation", "invoice_copy", "communication"):
            doc = folder / f"{b}-{kind}.txt"
            doc.write_text(kind, encoding="utf-8")
            attachments.attach(db, cast["wu"], b, doc, kind)
        closing.complete(db, cast["wu"], b)
        clock.at(11, 30, 17)
        g = _order(db, cast, "C0006", [("P0005", "1")], date(2026, 12, 20))
    return cast, Orders(a, b, c, d, e, f, g)
