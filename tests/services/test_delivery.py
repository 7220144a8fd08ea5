"""Step 5 services: partial shipments and backorders, services that ship with the goods,
sign-off gating and discrepancy holds, feedback calls due 24 hours after delivery (frozen
clock), the lists, and who may do what."""

import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from order_tui.domain.errors import DomainError, GuardFailed, PermissionDenied, ValidationError
from order_tui.domain.lifecycle import Status
from order_tui.domain.shipping import LineState, completes, normalize_tracking, plan_shipment
from order_tui.services import delivery, execution, orders, worklist
from order_tui.services.demo import DemoCast, drive_to, new_order
from order_tui.store import repo
from order_tui.store.engine import Database
from order_tui.store.models import Stock, StockMovement
from tests.reader import READER

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Iterator[Clock]:
    """Every service's `now_utc` reads this clock; tests move it by hand."""
    frozen = Clock(T0)
    with pytest.MonkeyPatch.context() as patch:
        for name, module in list(sys.modules.items()):
            if name.startswith("order_tui.services") and hasattr(module, "now_utc"):
                patch.setattr(module, "now_utc", frozen)
        yield frozen


def _code(exc: pytest.ExceptionInfo[DomainError]) -> str | None:
    return exc.value.code


def _stock(db: Database, code: str) -> Stock:
    with db.reading() as session:
        product = repo.find_product(session, code)
        return repo.peek_stock(session, product.id or 0)


def _receipt(tmp_path: Path) -> Path:
    path = tmp_path / "签收单.jpg"
    path.write_bytes(b"\xff\xd8 signed")
    return path


def _not_stocked(db: Database, code: str) -> None:
    with db.writing() as session:
        repo.find_product(session, code).stocked = False


def _packed_with_service(db: Database, cast: DemoCast, tmp_path: Path) -> str:
    """2 controllers and 1 installation (not stocked), the controllers picked and packed.

    Packing an order with a service line belongs to the pick/pack screens; here the order is
    put in `packed` directly, as they will leave it.
    """
    _not_stocked(db, "P0012")
    no = new_order(db, cast, "C0002", [("P0001", "2"), ("P0012", "1")])
    drive_to(db, cast, no, Status.PICKING, tmp_path)
    execution.pick(db, cast["liu"], no, {1: Decimal("2")})
    with db.writing() as session:
        order = repo.get_order(session, no)
        order.status = Status.PACKED.value
        order.version += 1
    return no


# -- the plan of one shipment (pure) -----------------------------------------------------------


def test_plan_ships_everything_packed_and_services_with_the_last_goods() -> None:
    goods = LineState(1, Decimal(4), Decimal(4), Decimal(1))
    service = LineState(2, Decimal(1), Decimal(0), Decimal(0), stocked=False)
    plan = plan_shipment([goods, service])
    assert plan == {1: Decimal(3), 2: Decimal(1)}
    assert completes([goods, service], plan)
    partial = plan_shipment([goods, service], {1: Decimal(2)})
    assert partial == {1: Decimal(2)}  # the installation waits for the last controller
    assert not completes([goods, service], partial)
    held_back = plan_shipment([goods, service], {1: Decimal(3), 2: Decimal(0)})
    assert held_back == {1: Decimal(3)}
    with pytest.raises(ValidationError) as too_much:
        plan_shipment([goods, service], {1: Decimal(4)})
    assert too_much.value.code == "ship.too_much" and too_much.value.params["most"] == "3"
    with pytest.raises(ValidationError) as unknown:
        plan_shipment([goods], {9: Decimal(1)})
    assert unknown.value.code == "ship.no_line"
    with pytest.raises(ValidationError) as nothing:
        plan_shipment([goods], {1: Decimal(0)})
    assert nothing.value.code == "ship.nothing"


_lines = st.lists(
    st.tuples(st.integers(1, 50), st.integers(0, 50), st.integers(0, 50), st.booleans()).map(
        lambda t: (t[0], min(t[1], t[0]), min(t[2], t[1], t[0]), t[3])  # qty >= picked >= shipped
    ),
    min_size=1,
    max_size=5,
)


@given(_lines, st.data())
def test_a_plan_never_ships_more_than_is_ready(raw: list, data: st.DataObject) -> None:
    lines = [
        LineState(no, Decimal(q), Decimal(p), Decimal(s), stocked)
        for no, (q, p, s, stocked) in enumerate(raw, start=1)
    ]
    asked = data.draw(
        st.none()
        | st.fixed_dictionaries(
            {ln.line_no: st.integers(0, int(ln.ready)).map(Decimal) for ln in lines}
        )
    )
    try:
        plan = plan_shipment(lines, asked)
    except ValidationError as exc:
        assert exc.code == "ship.nothing"
        return
    for ln in lines:
        qty = plan.get(ln.line_no, Decimal(0))
        assert 0 <= qty <= ln.ready
        if asked is not None and ln.line_no in asked:
            assert qty == asked[ln.line_no]
    goods_done = all(ln.shipped + plan.get(ln.line_no, 0) >= ln.qty for ln in lines if ln.stocked)
    for ln in lines:
        if not ln.stocked and (asked is None or ln.line_no not in asked):
            assert plan.get(ln.line_no, 0) == (ln.backorder if goods_done else 0)


def test_tracking_numbers_are_checked_lightly() -> None:
    assert normalize_tracking(" sf 1234 5678 9012 ") == "SF123456789012"
    assert normalize_tracking("ＤＢ－２０２６１１２０") == "DB-20261120"  # typed full-width
    for bad in ("顺丰123", "ABCDEF", "S1", "SF#123", "1" * 41):
        with pytest.raises(ValidationError) as exc:
            normalize_tracking(bad)
        assert exc.value.code == "ship.tracking_format"


# -- shipping ----------------------------------------------------------------------------------


def test_partial_shipment_leaves_a_backorder_on_the_order_and_the_list(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    before = _stock(db, "P0001")
    no = new_order(db, cast, "C0002", [("P0001", "4"), ("P0005", "6")])
    drive_to(db, cast, no, Status.PACKED, tmp_path)
    form = delivery.shipping_form(db, cast["zhou"], no)
    assert [ln.ready for ln in form.lines] == [Decimal(4), Decimal(6)]
    assert form.packages == 2 and form.weight_kg == Decimal("36.5")
    part = delivery.ship(
        db,
        cast["zhou"],
        no,
        carrier="德邦物流",
        mode="ltl",
        tracking_no="db 8899 0001",
        quantities={1: Decimal(1), 2: Decimal(6)},
        expected_version=form.version,
    )
    assert part.status == "packed"
    assert [ln.shipped_qty for ln in part.lines] == [Decimal(1), Decimal(6)]
    stock = _stock(db, "P0001")
    assert stock.on_hand == before.on_hand - 1 and stock.locked == before.locked + 3
    row = next(r for r in delivery.shipping_page(db, cast["zhou"]) if r.order_no == no)
    assert row.backorder and row.open_lines == 1 and row.shipments == 1
    form = delivery.shipping_form(db, cast["zhou"], no)
    assert [ln.backorder for ln in form.lines] == [Decimal(3), Decimal(0)]
    assert form.shipments[0].tracking_no == "DB88990001"
    assert form.shipments[0].lines == {1: Decimal(1), 2: Decimal(6)}
    with pytest.raises(ValidationError) as exc:
        delivery.ship(
            db,
            cast["zhou"],
            no,
            carrier="德邦物流",
            mode="ltl",
            tracking_no="DB2",
            quantities={1: Decimal(4)},
        )
    assert exc.value.code == "ship.too_much" and exc.value.params == {"line": 1, "most": "3"}
    rest = delivery.ship(db, cast["zhou"], no, carrier="德邦物流", mode="ltl", tracking_no="DB2")
    assert rest.status == "shipped"
    after = _stock(db, "P0001")
    assert after.on_hand == before.on_hand - 4 and after.locked == before.locked
    assert all(r.order_no != no for r in delivery.shipping_page(db, cast["zhou"]))
    with db.reading() as session:
        order = repo.get_order(session, no)
        trail = [e for e in repo.audit_of_order(session, order.id or 0) if e.action == "ship"]
    assert '"backorder": {"1": "3.0000"}' in trail[0].changes
    assert (trail[0].to_status, trail[1].to_status) == ("packed", "shipped")


def test_services_are_not_issued_from_stock_and_ride_with_the_last_goods(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    no = _packed_with_service(db, cast, tmp_path)
    service_before = _stock(db, "P0012")
    form = delivery.shipping_form(db, cast["zhou"], no)
    assert [(ln.stocked, ln.ready) for ln in form.lines] == [(True, 2), (False, 1)]
    first = delivery.ship(
        db,
        cast["zhou"],
        no,
        carrier="顺丰速运",
        mode="parcel",
        tracking_no="SF1001",
        quantities={1: Decimal(1)},
    )
    assert first.status == "packed"
    assert [ln.shipped_qty for ln in first.lines] == [1, 0]
    last = delivery.ship(db, cast["zhou"], no, carrier="顺丰速运", mode="parcel", tracking_no="SF2")
    assert last.status == "shipped"
    assert [ln.shipped_qty for ln in last.lines] == [2, 1]
    service_after = _stock(db, "P0012")
    assert (service_after.on_hand, service_after.locked) == (
        service_before.on_hand,
        service_before.locked,
    )
    with db.reading() as session:
        product = repo.find_product(session, "P0012")
        moves = session.exec(
            StockMovement.__table__.select().where(  # type: ignore[attr-defined]
                StockMovement.product_id == product.id
            )
        ).all()
    assert moves == []


def test_a_service_held_back_ships_on_its_own_later(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    no = _packed_with_service(db, cast, tmp_path)
    goods = delivery.ship(
        db,
        cast["zhou"],
        no,
        carrier="顺丰速运",
        mode="parcel",
        tracking_no="SF1",
        quantities={1: Decimal(2), 2: Decimal(0)},
    )
    assert goods.status == "packed"  # the installation is a backorder
    row = next(r for r in delivery.shipping_page(db, cast["zhou"]) if r.order_no == no)
    assert row.backorder
    done = delivery.ship(db, cast["zhou"], no, carrier="自提", mode="pickup")
    assert done.status == "shipped" and done.lines[1].shipped_qty == 1


def test_shipping_input_is_checked_with_codes(db: Database, cast: DemoCast, tmp_path: Path) -> None:
    no = new_order(db, cast, "C0002", [("P0005", "2")])
    drive_to(db, cast, no, Status.PACKED, tmp_path)

    def refused(**kw: object) -> str | None:
        args = {"carrier": "顺丰速运", "mode": "parcel", "tracking_no": "SF123"} | kw
        with pytest.raises(ValidationError) as exc:
            delivery.ship(db, cast["zhou"], no, **args)  # type: ignore[arg-type]
        return exc.value.code

    assert refused(carrier=" ") == "ship.carrier_required"
    assert refused(mode="rocket") == "ship.mode_unknown"
    assert refused(tracking_no="") == "ship.tracking_required"
    assert refused(tracking_no="顺丰") == "ship.tracking_format"
    assert refused(ship_date=date.today() + timedelta(days=3)) == "ship.date_future"
    assert refused(ship_date=date(2020, 1, 1)) == "ship.date_before_order"
    assert refused(quantities={1: Decimal(-1)}) == "ship.qty_negative"
    # Customer pickup: no tracking number, the carrier defaults to 自提.
    detail = delivery.ship(db, cast["zhou"], no, carrier="", mode="pickup")
    assert detail.status == "shipped"
    assert delivery.shipping_form(db, cast["zhou"], no).shipments[0].carrier == "自提"


def test_carriers_offer_the_defaults_then_those_used(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    no = new_order(db, cast, "C0002", [("P0005", "2")])
    drive_to(db, cast, no, Status.PACKED, tmp_path)
    delivery.ship(db, cast["zhou"], no, carrier="宏达货运", mode="ftl", tracking_no="HD-001")
    names = delivery.carriers(db, READER)
    assert names[:5] == ["顺丰速运", "德邦物流", "中通快运", "京东物流", "安能物流"]
    assert "自提" in names and names[-1] == "宏达货运"


def test_who_may_ship_and_see_the_list(db: Database, cast: DemoCast, tmp_path: Path) -> None:
    no = new_order(db, cast, "C0002", [("P0005", "2")])
    drive_to(db, cast, no, Status.PACKED, tmp_path)
    for name in ("liu", "zhao", "wang", "chen"):
        with pytest.raises(PermissionDenied):
            delivery.ship(db, cast[name], no, carrier="顺丰速运", mode="parcel", tracking_no="SF1")
    with pytest.raises(PermissionDenied) as exc:
        delivery.shipping_page(db, cast["chen"])
    assert exc.value.code == "delivery.needs_role"
    assert [r.order_no for r in delivery.shipping_page(db, cast["liu"])] == [no]
    execution.raise_hold(db, cast["zhou"], no, "delay", "等客户确认卸货时间")
    with pytest.raises(GuardFailed):
        delivery.ship(db, cast["zhou"], no, carrier="顺丰速运", mode="parcel", tracking_no="SF1")


def test_shipping_list_pages_by_wanted_date(db: Database, cast: DemoCast, tmp_path: Path) -> None:
    made = []
    for days in (40, 10, 25, 10):
        no = new_order(db, cast, "C0002", [("P0005", "1")], wanted_in_days=days)
        drive_to(db, cast, no, Status.PACKED, tmp_path)
        made.append((days, no))
    expected = [no for _, no in sorted(made)]  # by wanted date, then order number
    first = delivery.shipping_page(db, cast["zhou"], limit=3)
    rest = delivery.shipping_page(db, cast["zhou"], after=first[-1].cursor, limit=3)
    assert [r.order_no for r in first + rest] == expected


# -- sign-off ----------------------------------------------------------------------------------


def _shipped(db: Database, cast: DemoCast, tmp_path: Path) -> str:
    no = new_order(db, cast, "C0001", [("P0001", "1")])
    drive_to(db, cast, no, Status.SHIPPED, tmp_path)
    return no


def test_sign_off_needs_all_three_checks_and_the_receipt(
    db: Database, cast: DemoCast, tmp_path: Path, clock: Clock
) -> None:
    no = _shipped(db, cast, tmp_path)
    form = delivery.sign_off_form(db, cast["zhou"], no)
    assert form.contacts[0].designated and form.contacts[0].name == "李经理"
    assert form.last_ship_date == T0.date()

    def refused(**kw: object) -> str | None:
        args = {
            "signer": "李经理",
            "qty_ok": True,
            "appearance_ok": True,
            "packaging_ok": True,
            "receipt": _receipt(tmp_path),
        } | kw
        with pytest.raises(ValidationError) as exc:
            delivery.sign_off(db, cast["zhou"], no, **args)  # type: ignore[arg-type]
        return exc.value.code

    assert refused(signer="  ") == "signoff.signer_required"
    assert refused(receipt=None) == "signoff.receipt_required"
    assert refused(receipt=tmp_path / "none.jpg") == "signoff.receipt_missing"
    assert refused(packaging_ok=False) == "signoff.discrepancy_required"
    assert refused(signed_at=T0 + timedelta(hours=2)) == "signoff.time_future"
    assert refused(signed_at=T0 - timedelta(days=2)) == "signoff.time_before_ship"
    assert orders.get_order(db, READER, no).status == "shipped"

    clock.now = T0 + timedelta(hours=6)
    signed = T0 + timedelta(hours=5)
    done = delivery.sign_off(
        db,
        cast["wang"],  # the sales rep may record it too
        no,
        signer="李经理",
        qty_ok=True,
        appearance_ok=True,
        packaging_ok=True,
        receipt=_receipt(tmp_path),
        signed_at=signed,
        expected_version=form.version,
    )
    assert done.status == "delivered"
    assert any(a["kind"] == "signed_receipt" for a in done.attachments)
    call = delivery.feedback_form(db, cast["wang"], no)
    assert call.due_at == signed + timedelta(hours=24)
    assert call.delivered_at == signed and call.signer == "李经理"


def test_a_discrepancy_raises_a_hold_and_the_order_stays_shipped(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    no = _shipped(db, cast, tmp_path)
    detail = delivery.sign_off(
        db,
        cast["zhou"],
        no,
        signer="王工",
        qty_ok=False,
        appearance_ok=True,
        packaging_ok=True,
        discrepancy="少一台，箱内只有一块面板",
    )  # no receipt: the customer did not sign
    assert detail.status == "shipped" and detail.on_hold
    assert detail.holds[0]["kind"] == "discrepancy"
    assert "少一台" in detail.holds[0]["description"]
    form = delivery.sign_off_form(db, cast["zhou"], no)
    assert form.sign_offs[0].checks == {"qty": False, "appearance": True, "packaging": True}
    assert form.holds == ["少一台，箱内只有一块面板"]
    with db.reading() as session:
        assert repo.feedback_of(session, repo.get_order(session, no).id or 0) is None
    held = {q.key: q for q in worklist.worklist(db, cast["zhao"])}["holds"]
    assert held.items[0].order_no == no and held.items[0].hold_kind == "discrepancy"
    with pytest.raises(GuardFailed):
        delivery.sign_off(
            db,
            cast["zhou"],
            no,
            signer="李经理",
            qty_ok=True,
            appearance_ok=True,
            packaging_ok=True,
            receipt=_receipt(tmp_path),
        )
    execution.release_hold(db, cast["zhao"], no, "partial", "补发一台，客户同意先签收")
    again = delivery.sign_off(
        db,
        cast["zhou"],
        no,
        signer="李经理",
        qty_ok=True,
        appearance_ok=True,
        packaging_ok=True,
        receipt=_receipt(tmp_path),
    )
    assert again.status == "delivered"


def test_who_may_sign_off(db: Database, cast: DemoCast, tmp_path: Path) -> None:
    no = _shipped(db, cast, tmp_path)
    for name in ("liu", "zhao", "zhang", "wu"):
        with pytest.raises(PermissionDenied):
            delivery.sign_off(
                db,
                cast[name],
                no,
                signer="李经理",
                qty_ok=True,
                appearance_ok=True,
                packaging_ok=True,
                receipt=_receipt(tmp_path),
            )
    with pytest.raises(PermissionDenied):
        delivery.sign_off_form(db, cast["liu"], no)


# -- feedback ----------------------------------------------------------------------------------


def _delivered_at(db: Database, cast: DemoCast, tmp_path: Path, clock: Clock, at: datetime) -> str:
    clock.now = at
    no = new_order(db, cast, "C0001", [("P0001", "1")])
    drive_to(db, cast, no, Status.DELIVERED, tmp_path)
    return no


def test_feedback_call_falls_due_24_hours_after_delivery(
    db: Database, cast: DemoCast, tmp_path: Path, clock: Clock
) -> None:
    early = _delivered_at(db, cast, tmp_path, clock, T0)
    late = _delivered_at(db, cast, tmp_path, clock, T0 + timedelta(hours=3))
    rep = cast["wang"]
    clock.now = T0 + timedelta(hours=23)
    calls = delivery.feedback_page(db, rep)
    assert [(c.order_no, c.overdue) for c in calls] == [(early, False), (late, False)]
    assert calls[0].due_at == T0 + timedelta(hours=24)
    clock.now = T0 + timedelta(hours=25)
    calls = delivery.feedback_page(db, rep)
    assert [(c.order_no, c.overdue) for c in calls] == [(early, True), (late, False)]
    assert [c.order_no for c in delivery.feedback_page(db, rep, after=calls[0].cursor)] == [late]
    items = {q.key: q for q in worklist.worklist(db, rep)}["feedback"].items
    assert [(i.order_no, i.overdue) for i in items] == [(early, True), (late, False)]


def test_recording_feedback_closes_the_call_unless_nobody_answered(
    db: Database, cast: DemoCast, tmp_path: Path, clock: Clock
) -> None:
    no = _delivered_at(db, cast, tmp_path, clock, T0)
    rep = cast["wang"]
    clock.now = T0 + timedelta(hours=20)
    assert delivery.record_feedback(db, rep, no, reached=False, remarks="电话无人接听") is False
    clock.now = T0 + timedelta(hours=26)
    assert delivery.record_feedback(db, rep, no, reached=False, remarks="占线") is False
    call = delivery.feedback_page(db, rep)[0]
    assert call.order_no == no and call.attempts == 2 and call.overdue
    assert call.last_attempt_at == T0 + timedelta(hours=26) and call.last_remarks == "占线"
    assert call.due_at == T0 + timedelta(hours=24)  # still as due as before

    def refused(**kw: object) -> str | None:
        with pytest.raises(ValidationError) as exc:
            delivery.record_feedback(db, rep, no, **kw)  # type: ignore[arg-type]
        return exc.value.code

    assert refused(reached=True) == "feedback.satisfaction_range"
    assert refused(reached=True, satisfaction=6) == "feedback.satisfaction_range"
    assert refused(reached=False, satisfaction=3) == "feedback.unreached_rating"
    assert refused(reached=True, satisfaction=2, after_sales_needed=True) == (
        "feedback.after_sales_text"
    )
    clock.now = T0 + timedelta(hours=27)
    closed = delivery.record_feedback(
        db,
        rep,
        no,
        reached=True,
        satisfaction=2,
        remarks="设备运行有异响",
        after_sales_needed=True,
        after_sales="安排工程师上门检查伺服电机",
    )
    assert closed is True
    assert delivery.feedback_page(db, rep) == []
    form = delivery.feedback_form(db, rep, no)
    assert form.closed and form.done_at == T0 + timedelta(hours=27)
    assert [a.reached for a in form.attempts] == [False, False, True]
    assert refused(reached=False) == "feedback.closed"


def test_after_sales_list_newest_first_for_the_manager(
    db: Database, cast: DemoCast, tmp_path: Path, clock: Clock
) -> None:
    first = _delivered_at(db, cast, tmp_path, clock, T0)
    second = _delivered_at(db, cast, tmp_path, clock, T0 + timedelta(hours=1))
    happy = _delivered_at(db, cast, tmp_path, clock, T0 + timedelta(hours=2))
    rep = cast["wang"]
    for hours, no, need in (
        (30, first, "更换法兰垫片"),
        (31, second, "现场培训操作"),
        (32, happy, ""),
    ):
        clock.now = T0 + timedelta(hours=hours)
        delivery.record_feedback(
            db,
            rep,
            no,
            reached=True,
            satisfaction=3 if need else 5,
            after_sales_needed=bool(need),
            after_sales=need,
        )
    rows = delivery.after_sales_page(db, cast["zhang"])
    assert [(r.order_no, r.after_sales) for r in rows] == [
        (second, "现场培训操作"),
        (first, "更换法兰垫片"),
    ]
    assert rows[0].recorded_by == "小王"
    assert [r.order_no for r in delivery.after_sales_page(db, rep, after=rows[0].cursor)] == [first]
    with pytest.raises(PermissionDenied):
        delivery.after_sales_page(db, cast["zhou"])


def test_who_may_record_feedback(
    db: Database, cast: DemoCast, tmp_path: Path, clock: Clock
) -> None:
    no = _delivered_at(db, cast, tmp_path, clock, T0)
    for name in ("zhou", "zhao", "zhang"):
        with pytest.raises(PermissionDenied):
            delivery.record_feedback(db, cast[name], no, reached=True, satisfaction=5)
    with pytest.raises(PermissionDenied) as exc:
        delivery.feedback_page(db, cast["zhou"])
    assert exc.value.code == "delivery.needs_role"
    with pytest.raises(ValidationError) as none:
        delivery.feedback_form(db, cast["wang"], _shipped(db, cast, tmp_path))
    assert none.value.code == "feedback.none_due"
