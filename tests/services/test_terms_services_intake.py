"""Payment terms in numbers on the order, non-stocked products, and saving an intake form
again after its feasibility check: roles, validation beside the field, the audit trail."""

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from order_tui.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from order_tui.services import intake, lookup, masterdata, orders, review
from order_tui.services.demo import DemoCast, build_demo, new_order
from order_tui.store import repo
from order_tui.store.engine import Database
from order_tui.store.models import AuditEvent
from tests.reader import READER


def trail(db: Database, entity: str, entity_id: int) -> list[tuple[str, dict[str, Any]]]:
    with db.reading() as session:
        events = session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
            .order_by(col(AuditEvent.id))
        ).all()
        return [(e.action, json.loads(e.changes) if e.changes else {}) for e in events]


def order_trail(db: Database, order_no: str) -> list[tuple[str, dict[str, Any]]]:
    with db.reading() as session:
        order_id = repo.get_order(session, order_no).id or 0
    return trail(db, "order", order_id)


def order_input(**kw: Any) -> orders.OrderInput:
    base: dict[str, Any] = {
        "customer_code": "C0002",
        "lines": [orders.LineInput("P0001", Decimal(2))],
    }
    base.update(kw)
    return orders.OrderInput(**base)


# -- A. payment terms in numbers ---------------------------------------------------------------


def test_order_with_30_percent_prepaid_and_60_days(db: Database, cast: DemoCast) -> None:
    data = order_input(payment_terms="net60", prepay_pct=30, credit_days=60)
    detail = orders.create_order(db, cast["zhao"], data)
    assert (detail.payment_terms, detail.prepay_pct, detail.credit_days) == ("net60", 30, 60)
    assert detail.payment_due_date == detail.order_day + timedelta(days=60)
    action, changes = order_trail(db, detail.order_no)[0]
    assert action == "create"
    assert (changes["prepay_pct"], changes["credit_days"]) == (30, 60)
    again, version = orders.order_input_of(db, READER, detail.order_no)
    assert (again.prepay_pct, again.credit_days) == (30, 60)
    assert version == detail.version


@pytest.mark.parametrize(
    ("terms", "numbers"),
    [(None, (0, 60)), ("prepaid", (100, 0)), ("net30", (0, 30)), ("net90", (0, 90))],
)
def test_numbers_not_given_are_the_defaults_of_the_terms(
    db: Database, cast: DemoCast, terms: str | None, numbers: tuple[int, int]
) -> None:
    detail = orders.create_order(db, cast["zhao"], order_input(payment_terms=terms))
    assert (detail.prepay_pct, detail.credit_days) == numbers  # C0002's default is net60


def test_one_number_given_the_other_from_the_terms(db: Database, cast: DemoCast) -> None:
    detail = orders.create_order(
        db, cast["zhao"], order_input(payment_terms="net30", prepay_pct=50)
    )
    assert (detail.prepay_pct, detail.credit_days) == (50, 30)
    cod = orders.create_order(db, cast["zhao"], order_input(payment_terms="cod", prepay_pct=20))
    assert cod.payment_due_date is None  # the balance is paid on delivery


@pytest.mark.parametrize(
    ("prepay", "days", "field", "code"),
    [
        (120, None, "prepay_pct", "terms.prepay_range"),
        (-1, None, "prepay_pct", "terms.prepay_range"),
        (None, 400, "credit_days", "terms.credit_days_range"),
        (100, 30, "credit_days", "terms.credit_without_balance"),
    ],
)
def test_bad_numbers_are_refused_beside_their_field(
    db: Database, cast: DemoCast, prepay: int | None, days: int | None, field: str, code: str
) -> None:
    data = order_input(payment_terms="net30", prepay_pct=prepay, credit_days=days)
    with pytest.raises(ValidationError) as info:
        orders.create_order(db, cast["zhao"], data)
    assert (info.value.field, info.value.code) == (field, code)
    assert orders.list_orders(db, READER) == []


def test_editing_the_numbers_is_audited(db: Database, cast: DemoCast) -> None:
    no = new_order(db, cast, "C0002", [("P0005", "3")])
    data, version = orders.order_input_of(db, READER, no)
    assert (data.prepay_pct, data.credit_days) == (0, 60)
    data.prepay_pct, data.credit_days = 30, 45
    detail = orders.edit_order(db, cast["zhao"], no, data, version)
    assert (detail.prepay_pct, detail.credit_days) == (30, 45)
    action, changes = order_trail(db, no)[-1]
    assert action == "edit"
    assert changes["prepay_pct"] == [0, 30] and changes["credit_days"] == [60, 45]
    data.credit_days = 999
    with pytest.raises(ValidationError) as info:
        orders.edit_order(db, cast["zhao"], no, data, detail.version)
    assert info.value.field == "credit_days"
    assert orders.get_order(db, READER, no).credit_days == 45


@pytest.mark.parametrize("who", ["wang", "zhang", "chen", "liu", "admin"])
def test_only_the_clerk_enters_terms(db: Database, cast: DemoCast, who: str) -> None:
    with pytest.raises(PermissionDenied):
        orders.create_order(db, cast[who], order_input(prepay_pct=30, credit_days=60))
    no = new_order(db, cast, "C0002", [("P0005", "3")])
    data, version = orders.order_input_of(db, READER, no)
    data.prepay_pct = 10
    with pytest.raises(PermissionDenied):
        orders.edit_order(db, cast[who], no, data, version)


def test_finance_sees_terms_looser_than_the_customer_allows(db: Database, cast: DemoCast) -> None:
    # C0003 may have prepaid or net30: 60 days are more than it is allowed.
    loose = orders.create_order(
        db,
        cast["zhao"],
        order_input(customer_code="C0003", payment_terms="net30", prepay_pct=30, credit_days=60),
    )
    found = [f for f in review.findings(db, READER, loose.order_no) if f.code == "terms_loose"]
    assert [(f.department.value, f.severity) for f in found] == [("finance", "block")]
    assert found[0].evidence["max_credit_days"] == "30"
    assert found[0].evidence["terms_zh"] == "30% 预付，余款月结60天"
    review.submit(db, cast["zhao"], loose.order_no)
    with db.reading() as session:
        rnd = repo.current_round(session, repo.get_order(session, loose.order_no).id or 0)
        assert rnd is not None
        assert "terms_loose" in {f["code"] for f in json.loads(rnd.findings)}
    # Within the terms: no finding.
    fine = orders.create_order(
        db,
        cast["zhao"],
        order_input(customer_code="C0003", payment_terms="net30", prepay_pct=30, credit_days=30),
    )
    assert not [f for f in review.findings(db, READER, fine.order_no) if f.code.startswith("terms")]


def test_the_demo_has_an_order_with_30_percent_and_60_days(
    empty_db: Database, tmp_path: Path
) -> None:
    made = build_demo(empty_db)
    numbers = [
        (d.prepay_pct, d.credit_days)
        for d in (orders.get_order(empty_db, READER, no) for no in made)
    ]
    assert (30, 60) in numbers
    # the demo requirement includes the installation service, checked as not stocked
    reqs = repo_requirements(empty_db)
    service = [f for f in reqs if f["product_code"] == "P0012"]
    assert service and service[0]["stocked"] is False and service[0]["risk"] == ""


def repo_requirements(db: Database) -> list[dict[str, Any]]:
    from order_tui.store.models import Requirement

    with db.reading() as session:
        rows = session.exec(select(Requirement)).all()
        return [f for r in rows for f in json.loads(r.feasibility or "[]")]


# -- B. non-stocked products -------------------------------------------------------------------


def test_a_service_line_has_no_stock_finding(db: Database, cast: DemoCast) -> None:
    no = new_order(db, cast, "C0001", [("P0001", "1"), ("P0012", "5")])
    assert [f for f in review.findings(db, READER, no) if f.code == "stock"] == []
    short = new_order(db, cast, "C0001", [("P0002", "500"), ("P0012", "5")])
    stock = [f for f in review.findings(db, READER, short) if f.code == "stock"]
    assert [f.evidence["line"] for f in stock] == ["1"]


def test_feasibility_of_a_service_is_not_stocked(db: Database, cast: DemoCast) -> None:
    result = intake.record_requirement(
        db,
        cast["wang"],
        intake.RequirementInput(
            customer_code="C0001",
            contact_name="李经理",
            contact_phone="13800138000",
            lines=[intake.RequirementLineInput("P0012", Decimal(3))],
        ),
    )
    line = result.feasibility[0]
    assert (line["stocked"], line["shortfall"], line["risk"]) == (False, "0", "")
    assert result.earliest is not None


def test_lookup_says_whether_a_product_is_stocked(db: Database) -> None:
    service = lookup.product(db, READER, "P0012")
    goods = lookup.product(db, READER, "P0001")
    assert service is not None and goods is not None
    assert (service.stocked, goods.stocked) == (False, True)
    listed = {p.code: p.stocked for p in masterdata.products_page(db, READER, None, 50)}
    assert listed["P0012"] is False and listed["P0001"] is True


def test_the_manager_sets_the_stocked_flag(db: Database, cast: DemoCast) -> None:
    data, version = masterdata.product_input(db, READER, "P0013")
    assert data.stocked is True
    data.stocked = False
    with pytest.raises(PermissionDenied):
        masterdata.update_product(db, cast["zhao"], data, version)
    masterdata.update_product(db, cast["zhang"], data, version)
    again, new_version = masterdata.product_input(db, READER, "P0013")
    assert again.stocked is False and new_version == version + 1
    with db.reading() as session:
        product_id = repo.find_product(session, "P0013").id or 0
    action, changes = trail(db, "product", product_id)[-1]
    assert action == "update_product" and changes["stocked"] == [True, False]
    masterdata.add_product(
        db,
        cast["zhang"],
        masterdata.ProductInput(
            "P0099",
            "培训服务",
            "现场培训 每天",
            "天",
            Decimal(800),
            Decimal(700),
            Decimal(900),
            "6",
            stocked=False,
        ),
    )
    hit = lookup.product(db, READER, "P0099")
    assert hit is not None and hit.stocked is False


# -- C. saving the intake form again -----------------------------------------------------------


def requirement(qty: str = "20", contact: str = "李经理") -> intake.RequirementInput:
    return intake.RequirementInput(
        customer_code="C0001",
        contact_name=contact,
        contact_phone="13800138000",
        lines=[
            intake.RequirementLineInput("P0002", Decimal(qty)),
            intake.RequirementLineInput("P0012", Decimal(1)),
        ],
        description="产线改造",
    )


def saved_lines(db: Database, requirement_id: int) -> list[tuple[int, Decimal]]:
    with db.reading() as session:
        return [(ln.line_no, ln.qty) for ln in repo.requirement_lines(session, requirement_id)]


def test_update_requirement_saves_and_checks_again(db: Database, cast: DemoCast) -> None:
    first = intake.record_requirement(db, cast["wang"], requirement("60"))
    assert first.feasibility[0]["risk"] != ""  # 60 servo motors are not in stock
    second = intake.update_requirement(db, cast["wang"], first.id, requirement("2"), first.version)
    assert second.id == first.id and second.version == first.version + 1
    assert second.feasibility[0]["qty"] == "2"
    assert saved_lines(db, first.id) == [(1, Decimal(2)), (2, Decimal(1))]
    action, changes = trail(db, "requirement", first.id)[-1]
    assert action == "update_requirement"
    assert set(changes) == {"lines"}
    assert changes["lines"][0][0].endswith("x60") and changes["lines"][1][0].endswith("x2")


def test_update_requirement_is_checked_like_recording(db: Database, cast: DemoCast) -> None:
    first = intake.record_requirement(db, cast["wang"], requirement())
    with pytest.raises(ValidationError) as info:
        intake.update_requirement(db, cast["wang"], first.id, requirement(contact=" "), 1)
    assert info.value.field == "contact_name"
    with pytest.raises(ValidationError) as info:
        intake.update_requirement(db, cast["wang"], first.id, requirement("0"), 1)
    assert info.value.field == "lines.1.qty"
    assert saved_lines(db, first.id) == [(1, Decimal(20)), (2, Decimal(1))]
    with pytest.raises(NotFound) as missing:
        intake.update_requirement(db, cast["wang"], 9999, requirement(), 1)
    assert missing.value.code == "intake.update_missing"


def test_update_requirement_on_a_stale_version_names_who(db: Database, cast: DemoCast) -> None:
    first = intake.record_requirement(db, cast["wang"], requirement())
    version = intake.agree_alternative(db, cast["zhao"], first.id, "先发10台")
    assert version == first.version + 1
    with pytest.raises(Conflict) as info:
        intake.update_requirement(db, cast["wang"], first.id, requirement("5"), first.version)
    assert info.value.changed_by == "zhao" and info.value.code == "intake.update_stale"
    assert info.value.params["version"] == version  # what saving over it needs
    assert saved_lines(db, first.id)[0] == (1, Decimal(20))
    ok = intake.update_requirement(db, cast["wang"], first.id, requirement("5"), version)
    assert ok.version == version + 1


def test_a_converted_requirement_cannot_be_changed(db: Database, cast: DemoCast) -> None:
    first = intake.record_requirement(db, cast["wang"], requirement("2"))
    intake.convert_to_order(db, cast["zhao"], first.id)
    with pytest.raises(ValidationError) as info:
        intake.update_requirement(db, cast["wang"], first.id, requirement("3"), first.version + 1)
    assert info.value.code == "intake.update_not_open"
    from order_tui.domain.messages import localized

    assert "转为订单" in localized(info.value, "zh")


@pytest.mark.parametrize("who", ["zhang", "chen", "liu", "sun", "zhou", "wu", "admin"])
def test_only_sales_update_a_requirement(db: Database, cast: DemoCast, who: str) -> None:
    first = intake.record_requirement(db, cast["wang"], requirement())
    with pytest.raises(PermissionDenied):
        intake.update_requirement(db, cast[who], first.id, requirement("3"), first.version)
    by_clerk = intake.update_requirement(db, cast["zhao"], first.id, requirement("3"), 1)
    assert by_clerk.version == 2


def test_seeded_orders_carry_the_numbers_of_their_terms(db: Database) -> None:
    from order_tui.domain.terms import TERM_NUMBERS
    from order_tui.store.seed import seed_orders

    seed_orders(db, 40, pause=0)
    with db.reading() as session:
        from order_tui.store.models import SalesOrder

        rows = session.exec(select(SalesOrder)).all()
        assert len(rows) == 40
        for o in rows:
            expected = TERM_NUMBERS[o.payment_terms]
            assert (o.prepay_pct, o.credit_days) == (expected.prepay_pct, expected.credit_days)


def test_a_resubmission_shows_the_reviewers_the_new_terms(db: Database, cast: DemoCast) -> None:
    no = new_order(db, cast, "C0002", [("P0005", "3")])
    review.submit(db, cast["zhao"], no)
    review.reject(db, cast["chen"], no, "terms", "请客户预付三成")
    data, version = orders.order_input_of(db, READER, no)
    data.prepay_pct = 30
    orders.edit_order(db, cast["zhao"], no, data, version)
    review.resubmit(db, cast["zhao"], no)
    changes = review.round_changes(db, READER, no)
    assert changes["prepay_pct"] == [0, 30]
    assert "credit_days" not in changes
    # a round kept before the order had these fields shows no change for them
    assert review.diff_snapshots({"total": "1"}, {"total": "1", "prepay_pct": 30}) == {}
