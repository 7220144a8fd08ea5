"""The monthly review on the fixed data set of `monthly_world` (its docstring tells the
story of each order), every figure worked out by hand below; who may read it; the notes'
versions and their audit."""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select

from order_tui.domain.errors import Conflict, PermissionDenied, ValidationError
from order_tui.domain.roles import Role
from order_tui.services import monthly_review, operators
from order_tui.services.common import Actor
from order_tui.services.demo import DemoCast
from order_tui.store.engine import Database
from order_tui.store.migrate import ensure_schema
from order_tui.store.models import AuditEvent
from tests import pg
from tests.services.monthly_world import Orders, build_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, DemoCast, Orders]]:
    folder = tmp_path_factory.mktemp("monthly")
    with pg.blank_database(folder) as db:
        ensure_schema(db)
        cast, made = build_world(db, folder)
        yield db, cast, made


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
    with pytest.raises(ValidationError) as nothing:  # a version of notes never saved
        monthly_review.save_review_notes(db, zhang, "2026-08", "x", 1)
    assert nothing.value.code == "monthly.no_notes"
    with pytest.raises(ValidationError) as too_long:
        monthly_review.save_review_notes(db, zhang, "2026-09", "x" * 20001, 2)
    assert too_long.value.code == "monthly.notes_too_long"
