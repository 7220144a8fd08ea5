"""The monthly review on a small data set driven through the real services on a hand-moved
clock, with every figure worked out by hand below; who may read it; the notes' versions.

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
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select

from order_tui.domain.errors import Conflict, PermissionDenied, ValidationError
from order_tui.domain.roles import Role
from order_tui.services import (
    attachments,
    closing,
    delivery,
    execution,
    intake,
    monthly_review,
    operators,
    orders,
    review,
)
from order_tui.services.common import Actor
from order_tui.services.demo import DemoCast, load_master_data
from order_tui.store.engine import Database, open_database
from order_tui.store.migrate import ensure_schema
from order_tui.store.models import AuditEvent


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


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, DemoCast, Orders]]:
    folder = tmp_path_factory.mktemp("monthly")
    db = open_database(f"sqlite:///{folder}/orders.db", folder)
    ensure_schema(db)
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
        yield db, cast, Orders(a, b, c, d, e, f, g)
    db.dispose()


def test_november_figures(world: tuple[Database, DemoCast, Orders]) -> None:
    db, cast, o = world
    r = monthly_review.monthly_review(db, cast["zhang"], "2026-11")
    # received by business day: F and B on Nov 1, E on the 2nd, C the 3rd, D the 4th; A is
    # October's, G is December's (Nov 30 17:00 UTC = Dec 1 01:00 in Shanghai)
    assert r.counts == {"received": 5, "approved": 2, "shipped": 2, "signed": 2, "completed": 1}
    assert r.per_day[:5] == (
        (date(2026, 11, 1), 2),
        (date(2026, 11, 2), 1),
        (date(2026, 11, 3), 1),
        (date(2026, 11, 4), 1),
        (date(2026, 11, 5), 0),
    )
    assert len(r.per_day) == 30
    assert r.per_month[-2:] == (("2026-10", 1), ("2026-11", 5))
    assert next(m for m, _n in r.per_month) == "2025-12"

    # intake -> order: E only, requirement Oct 30 02:00 -> order Nov 2 02:00 = 3.0 days
    intake_ = r.cycles["intake_order"]
    assert (intake_.count, intake_.median, intake_.p90, intake_.max) == (1, 3.0, 3.0, 3.0)
    # order -> approval: F 17:00 -> 05:00 next day = 0.5; B Nov 1 01:00 -> Nov 2 13:00 = 1.5
    # median (0.5 + 1.5) / 2 = 1.0; p90 = 0.5 + (1.5 - 0.5) x 0.9 = 1.4
    approval = r.cycles["order_approval"]
    assert approval.count == 2 and approval.max == 1.5
    assert approval.median == pytest.approx(1.0) and approval.p90 == pytest.approx(1.4)
    assert approval.histogram == (1, 1, 0, 0, 0, 0, 0, 0)  # 0.5 in [0,1), 1.5 in [1,2)
    # approval -> shipment: A Oct 29 02:00 -> Nov 2 02:00 = 4.0; B Nov 2 13:00 -> Nov 5 13:00
    # = 3.0; median 3.5, p90 3.0 + 1.0 x 0.9 = 3.9
    ship = r.cycles["approval_shipment"]
    assert (ship.count, ship.median, ship.max) == (2, 3.5, 4.0)
    assert ship.p90 == pytest.approx(3.9)
    assert ship.histogram == (0, 0, 0, 2, 0, 0, 0, 0)  # both in [3,5)
    # shipment -> sign-off: A Nov 2 02:00 -> Nov 3 02:00 = 1.0; B Nov 5 13:00 -> Nov 6 01:00
    # = 0.5; median 0.75, p90 0.5 + 0.5 x 0.9 = 0.95
    sign = r.cycles["shipment_signoff"]
    assert sign.count == 2
    assert sign.median == pytest.approx(0.75) and sign.p90 == pytest.approx(0.95)

    # late: A signed Nov 3 (Shanghai) against Oct 31 wanted = 3 days; B on time
    assert (r.signed, r.late_total) == (2, 1)
    assert r.on_time_rate == pytest.approx(0.5)
    (late,) = r.late
    assert (late.order_no, late.days_late, late.wanted_date) == (o.a, 3, date(2026, 10, 31))
    assert late.signed_day == date(2026, 11, 3)
    assert [(h.kind, h.description, h.released) for h in late.causes] == [
        ("delay", "供应商延迟到货", True)
    ]
    assert r.late_causes == (("delay", 1),)

    # rejections: C twice for credit (finance), D once for price (sales)
    assert r.rejections == (("credit", 2), ("price", 1))
    # feedback: A 5, B 2 -> 2 calls, average 3.5; B (2 <= 2) is the one complaint
    assert (r.feedback_count, r.satisfaction_avg) == (2, 3.5)
    assert r.complaint_total == 1
    (complaint,) = r.complaints
    assert (complaint.order_no, complaint.satisfaction, complaint.remarks) == (o.b, 2, "包装破损")
    assert complaint.day == date(2026, 11, 7)

    # deals (not drafts, not cancelled): F 5 x 45 + 200 = 425.00; B 10 x 185.50 + 200 =
    # 2055.00; C 6800 + 20 x 12.80 + 200 = 7256.00; D 2 x 3200 + 200 = 6600.00; E is a draft
    assert r.deals == 4
    assert r.deal_amount == Decimal("16336.00")  # 425 + 2055 + 7256 + 6600
    assert [(c.code, c.orders, c.amount) for c in r.top_customers] == [
        ("C0003", 1, Decimal("7256.00")),  # order C
        ("C0001", 1, Decimal("6600.00")),  # order D (A, also C0001's, is October's)
        ("C0002", 1, Decimal("2055.00")),  # order B
        ("C0004", 1, Decimal("425.00")),  # order F
    ]
    # products by line amount: P0001 6800 (C), P0002 6400 (D), P0005 1855 (B), P0008 256 (C),
    # P0009 225 (F)
    assert [(p.code, p.qty, p.amount) for p in r.top_products] == [
        ("P0001", Decimal("1"), Decimal("6800.00")),
        ("P0002", Decimal("2"), Decimal("6400.00")),
        ("P0005", Decimal("10"), Decimal("1855.00")),
        ("P0008", Decimal("20"), Decimal("256.00")),
        ("P0009", Decimal("5"), Decimal("225.00")),
    ]
    assert r.notes.version == 0 and r.notes.notes == ""


def test_october_and_december_keep_their_own(world: tuple[Database, DemoCast, Orders]) -> None:
    db, cast, _o = world
    oct_ = monthly_review.monthly_review(db, cast["zhang"], "2026-10")
    # A received and approved in October (Oct 28 02:00 -> Oct 29 02:00 = 1.0 day)
    assert oct_.counts == {"received": 1, "approved": 1, "shipped": 0, "signed": 0, "completed": 0}
    assert oct_.cycles["order_approval"].median == 1.0
    assert oct_.rejections == () and oct_.late == () and oct_.top_customers[0].orders == 1
    dec = monthly_review.monthly_review(db, cast["zhang"], "2026-12")
    assert dec.counts["received"] == 1  # G: Nov 30 17:00 UTC is Dec 1 in Shanghai
    assert dec.per_month[-3:] == (("2026-10", 1), ("2026-11", 5), ("2026-12", 1))


def test_bad_month_is_a_coded_error(world: tuple[Database, DemoCast, Orders]) -> None:
    db, cast, _o = world
    with pytest.raises(ValidationError) as err:
        monthly_review.monthly_review(db, cast["zhang"], "2026-13")
    assert (err.value.code, err.value.field) == ("monthly.bad_month", "month")


@pytest.mark.parametrize("role", list(Role))
def test_only_the_sales_manager_reads_and_writes(
    world: tuple[Database, DemoCast, Orders], role: Role
) -> None:
    db, cast, _o = world
    actor = Actor(cast["zhang"].id, "x", "x", frozenset({role}))
    if role == Role.SALES_MANAGER:
        assert monthly_review.monthly_review(db, actor, "2026-11").counts["received"] == 5
        assert monthly_review.review_notes(db, actor, "2026-01").version == 0
        return
    for call in (
        lambda: monthly_review.monthly_review(db, actor, "2026-11"),
        lambda: monthly_review.review_notes(db, actor, "2026-11"),
        lambda: monthly_review.save_review_notes(db, actor, "2026-11", "x", 0),
    ):
        with pytest.raises(PermissionDenied) as err:
            call()
        assert err.value.code == "common.needs_role"


def test_notes_save_with_version_and_audit(
    world: tuple[Database, DemoCast, Orders], tmp_path: Path
) -> None:
    db, cast, _o = world
    zhang = cast["zhang"]
    # a second manager, to see whose change a stale save names
    admin = cast["admin"]
    li = operators.add_operator(db, admin, "li", "李经理", "sales_manager", "1234", None)
    first = monthly_review.save_review_notes(db, zhang, "2026-09", "交期偏长，需跟进供应商", 0)
    assert (first.version, first.updated_by) == (1, "张总")
    second = monthly_review.save_review_notes(db, li, "2026-09", "已与供应商沟通", 1)
    assert second.version == 2
    with pytest.raises(Conflict) as err:  # zhang still holds version 1
        monthly_review.save_review_notes(db, zhang, "2026-09", "覆盖", 1)
    assert err.value.code == "monthly.notes_changed"
    assert err.value.changed_by == "李经理"
    assert err.value.params["who"] == "李经理"
    with pytest.raises(Conflict):  # nothing seen yet, but li saved: stale too
        monthly_review.save_review_notes(db, zhang, "2026-09", "新的", 0)
    kept = monthly_review.review_notes(db, zhang, "2026-09")
    assert (kept.notes, kept.version, kept.updated_by) == ("已与供应商沟通", 2, "李经理")
    assert monthly_review.monthly_review(db, zhang, "2026-09").notes == kept
    with db.reading() as session:
        events = list(
            session.exec(
                select(AuditEvent)
                .where(AuditEvent.entity == "review_note", AuditEvent.entity_id == 202609)
                .order_by(col(AuditEvent.id))
            )
        )
    assert [(e.operator_name, e.action) for e in events] == [
        ("zhang", "save_review_notes"),
        ("li", "save_review_notes"),
    ]
    assert "交期偏长" in events[0].changes
    with pytest.raises(ValidationError) as too_long:
        monthly_review.save_review_notes(db, zhang, "2026-09", "x" * 20001, 2)
    assert too_long.value.code == "monthly.notes_too_long"
