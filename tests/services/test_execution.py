"""Step 4 services: production plans, picking by scan with stock locks, non-stocked lines,
packing, holds raised and resolved, and the lists the screens page through."""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from order_tui.domain import messages
from order_tui.domain.errors import GuardFailed, PermissionDenied, ValidationError
from order_tui.domain.lifecycle import Status
from order_tui.services import closing, execution, masterdata, orders, worklist
from order_tui.services.common import today
from order_tui.services.demo import DemoCast, drive_to, new_order
from order_tui.services.execution import OperationInput
from order_tui.store import repo
from order_tui.store.engine import Database
from order_tui.store.models import AuditEvent, Product, Stock, StockMovement
from tests.reader import READER


def _stock(db: Database, code: str) -> Stock:
    with db.reading() as session:
        return repo.peek_stock(session, repo.find_product(session, code).id or 0)


def _not_stocked(db: Database, code: str) -> None:
    """A service product (installation): nothing to lock or pick."""
    with db.writing() as session:
        product = repo.find_product(session, code)
        product.stocked = False


def _refusal(call: object, *args: object, **kwargs: object) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        call(*args, **kwargs)  # type: ignore[operator]
    assert info.value.code, "every refusal an operator sees carries a catalog code"
    assert messages.localized(info.value, "zh") != str(info.value)
    return info.value


# -- picking -------------------------------------------------------------------------------


def test_scans_pick_and_lock_and_refuse_with_the_reason(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    before = _stock(db, "P0001")
    no = new_order(db, cast, "C0002", [("P0001", "3"), ("P0005", "10")])
    drive_to(db, cast, no, Status.PICKING, tmp_path)
    keeper = cast["liu"]

    view = execution.pick_scanned(db, keeper, no, "p0001")  # a scanner: one unit per scan
    assert view.lines[0].picked == 1 and view.picked == {"1": "1"}
    assert view.lines[0].location == "A-01-03"
    assert _stock(db, "P0001").locked == before.locked + 1
    view = execution.pick_scanned(db, keeper, no, "P0001", Decimal("2"))
    assert view.lines[0].picked == 3 and not view.all_picked

    err = _refusal(execution.pick_scanned, db, keeper, no, "P0001")
    assert err.code == "exec.scan_done" and err.field == "code"
    err = _refusal(execution.pick_scanned, db, keeper, no, "P0005", Decimal("11"))
    assert err.code == "exec.scan_too_much"
    assert messages.localized(err, "zh") == "P0005 只剩 10 件待拣，不能拣 11"
    assert _refusal(execution.pick_scanned, db, keeper, no, "P0009").code == "exec.not_on_order"
    assert _refusal(execution.pick_scanned, db, keeper, no, "X999").code == "exec.unknown_code"
    err = _refusal(execution.pick_scanned, db, keeper, no, "P0005", spec="DN80-PN16-304")
    assert err.code == "exec.spec_differs" and "DN100-PN16-304" in str(err)
    assert _refusal(execution.pick_scanned, db, keeper, no, "P0005", Decimal(0)).code == (
        "exec.qty_positive"
    )
    view = execution.pick_scanned(db, keeper, no, "P0005", Decimal("10"))
    assert view.all_picked
    with pytest.raises(PermissionDenied):
        execution.pick_scanned(db, cast["zhou"], no, "P0005")


def test_the_wrong_variant_and_a_changed_master_spec_are_refused(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    masterdata.add_product(
        db,
        cast["zhang"],
        masterdata.ProductInput(
            code="P0101",
            name="工业控制器",
            spec="PLC-CK300-CPU226",
            unit="台",
            list_price=Decimal("7800.00"),
            floor_price=Decimal("7000.00"),
            ceiling_price=Decimal("8600.00"),
        ),
    )
    no = new_order(db, cast, "C0002", [("P0001", "1")])
    drive_to(db, cast, no, Status.PICKING, tmp_path)
    err = _refusal(execution.pick_scanned, db, cast["liu"], no, "P0101")
    assert err.code == "exec.spec_differs"
    assert messages.localized(err, "zh") == (
        "规格不符：订单第 1 行要 P0001 PLC-CK200-CPU224，扫描的是 P0101 PLC-CK300-CPU226"
    )
    with db.writing() as session:  # the master now describes other goods under the code
        repo.find_product(session, "P0001").spec = "PLC-CK200-CPU226"
    assert _refusal(execution.pick_scanned, db, cast["liu"], no, "P0001").code == (
        "exec.spec_differs"
    )


def test_short_stock_is_refused_and_nothing_is_locked(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    no = new_order(db, cast, "C0002", [("P0004", "5")])  # 3 on hand
    drive_to(db, cast, no, Status.PICKING, tmp_path)
    err = _refusal(execution.pick_scanned, db, cast["liu"], no, "P0004", Decimal("4"))
    assert err.code == "exec.short" and "only 3 available" in str(err)
    assert _stock(db, "P0004").locked == 0


def test_non_stocked_lines_count_as_picked_and_lock_nothing(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    _not_stocked(db, "P0012")
    before = _stock(db, "P0001")
    no = new_order(db, cast, "C0002", [("P0001", "2"), ("P0012", "1")])
    drive_to(db, cast, no, Status.APPROVED, tmp_path)
    execution.start_picking(db, cast["liu"], no)
    view = execution.pick_view(db, READER, no)
    service = view.lines[1]
    assert not service.stocked and service.picked == service.qty == 1
    err = _refusal(execution.pick_scanned, db, cast["liu"], no, "P0012")
    assert err.code == "exec.not_stocked"
    with pytest.raises(GuardFailed, match="not every line"):
        execution.pack(db, cast["liu"], no)
    execution.pick(db, cast["liu"], no)  # everything still open: the goods only
    assert _stock(db, "P0001").locked == before.locked + 2
    with db.reading() as session:
        moved = session.exec(select(StockMovement).where(StockMovement.note == no)).all()
        service_id = repo.find_product(session, "P0012").id
    assert moved and all(m.product_id != service_id for m in moved)
    closing.cancel(db, cast["zhang"], no, "customer", "客户取消")
    assert _stock(db, "P0001").locked == before.locked
    assert _stock(db, "P0012").locked == 0
    assert [ln.picked_qty for ln in orders.get_order(db, READER, no).lines] == [0, 0]


def test_cancel_after_picking_gives_back_the_locked_stock(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    before = _stock(db, "P0005")
    no = new_order(db, cast, "C0002", [("P0005", "40")])
    drive_to(db, cast, no, Status.PICKING, tmp_path)
    execution.pick_scanned(db, cast["liu"], no, "P0005", Decimal("25"))
    assert _stock(db, "P0005").locked == before.locked + 25
    closing.cancel(db, cast["zhang"], no, "stock", "")
    after = _stock(db, "P0005")
    assert after.locked == before.locked and after.on_hand == before.on_hand


def test_packing_records_packages_and_refuses_bad_ones(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    no = new_order(db, cast, "C0002", [("P0005", "2")])
    drive_to(db, cast, no, Status.PICKING, tmp_path)
    execution.pick_scanned(db, cast["liu"], no, "P0005", Decimal("2"))
    assert _refusal(execution.pack, db, cast["liu"], no, [(0, Decimal("1"), "")]).field == ("count")
    assert _refusal(execution.pack, db, cast["liu"], no, [(1, Decimal("-1"), "")]).code == (
        "exec.pack_weight"
    )
    detail = execution.pack(db, cast["liu"], no, [(3, Decimal("12.5"), "纸箱 ")])
    assert detail.status == "packed"
    assert execution.pick_view(db, READER, no).packages == [
        execution.PackageView(3, Decimal("12.5000"), "纸箱")
    ]


def test_pick_queue_is_by_wanted_date_and_pages_by_key(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    made = []
    for days in (40, 10, 25, 10, 5):
        no = new_order(db, cast, "C0002", [("P0009", "1")], wanted_in_days=days)
        drive_to(db, cast, no, Status.APPROVED, tmp_path)
        made.append((days, no))
    mto = new_order(db, cast, "C0005", [("P0006", "1")], wanted_in_days=1)
    drive_to(db, cast, mto, Status.APPROVED, tmp_path)  # waits for production: not listed
    execution.start_picking(db, cast["liu"], made[0][1])
    expected = [no for _, no in sorted(made, key=lambda m: m[0])]
    first = execution.pick_queue(db, READER, limit=3)
    rest = execution.pick_queue(db, READER, after=first[-1].cursor, limit=3)
    assert [r.order_no for r in first + rest] == expected
    assert mto not in {r.order_no for r in first + rest}
    assert {r.order_no: r.status for r in rest}[made[0][1]] == "picking"
    assert first[0].lines == 1 and first[0].picked_lines == 0


# -- production ----------------------------------------------------------------------------


def test_plan_with_own_operations_warns_when_it_misses_the_date(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    no = new_order(db, cast, "C0005", [("P0001", "1"), ("P0006", "1")], wanted_in_days=20)
    drive_to(db, cast, no, Status.APPROVED, tmp_path)
    start = today(db)
    proposed = execution.production_view(db, READER, no, owner="孙班长")
    assert [ln.line_no for ln in proposed.lines] == [2] and not proposed.planned
    assert proposed.lines[0].ready_date == start + timedelta(days=25)  # the lead time
    assert [op.owner for op in proposed.lines[0].operations] == ["孙班长"] * 4
    assert execution.late_lines(proposed.lines, proposed.wanted_date) == proposed.lines

    ops = [
        OperationInput("下料", "老周", start, start + timedelta(days=3)),
        OperationInput("焊接", "老吴", start + timedelta(days=3), start + timedelta(days=22)),
    ]
    bad = [OperationInput("焊接", "老吴", start + timedelta(days=3), start)]
    assert _refusal(execution.plan_production, db, cast["sun"], no, {2: bad}).code == (
        "exec.op_dates"
    )
    assert _refusal(execution.plan_production, db, cast["sun"], no, {1: ops}).code == (
        "exec.not_mto"
    )
    assert _refusal(execution.plan_production, db, cast["sun"], no, {2: []}).code == "exec.no_ops"
    warnings = execution.plan_production(db, cast["sun"], no, {2: ops})
    assert len(warnings) == 1 and "after the wanted date" in warnings[0]
    planned = execution.production_view(db, READER, no)
    assert planned.planned and planned.status == "in_production"
    assert [op.name for op in planned.lines[0].operations] == ["下料", "焊接"]
    assert planned.lines[0].due_date == start + timedelta(days=22)


def test_revise_and_complete_operations_put_the_goods_into_stock(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    before = _stock(db, "P0006")
    no = new_order(db, cast, "C0005", [("P0006", "1")], wanted_in_days=40)
    drive_to(db, cast, no, Status.APPROVED, tmp_path)
    execution.plan_production(db, cast["sun"], no)
    ops = execution.production_view(db, READER, no).lines[0].operations
    last = ops[-1]
    assert last.id is not None
    later = OperationInput(last.name, "质检 钱工", last.planned_start, last.due_date + timedelta(7))
    with pytest.raises(PermissionDenied):
        execution.revise_operation(db, cast["liu"], no, last.id, later)
    execution.revise_operation(db, cast["sun"], no, last.id, later)
    line = execution.production_view(db, READER, no).lines[0]
    assert line.due_date == last.due_date + timedelta(7)
    assert line.operations[-1].owner == "质检 钱工"
    with db.reading() as session:
        events = session.exec(select(AuditEvent.action).where(AuditEvent.order_no == no)).all()
    assert "revise_operation" in events

    assert execution.complete_operation(db, cast["sun"], no, ops[1].id) == ops[1].name
    err = _refusal(execution.complete_operation, db, cast["sun"], no, ops[1].id)
    assert err.code == "exec.op_gone"
    err = _refusal(execution.revise_operation, db, cast["sun"], no, ops[1].id, later)
    assert err.code == "exec.op_gone"
    for _ in range(3):
        execution.complete_operation(db, cast["sun"], no)
    assert _refusal(execution.complete_operation, db, cast["sun"], no).code == "exec.no_open_op"
    assert _stock(db, "P0006").on_hand == before.on_hand + 1
    assert no in {r.order_no for r in execution.pick_queue(db, READER)}
    done = execution.production_view(db, READER, no).lines[0].operations
    assert all(op.done_at is not None and op.done_by == "sun" for op in done)


def test_open_plans_by_due_date_and_orders_to_plan(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    plans = []
    for code, days in (("P0007", 50), ("P0006", 30), ("P0011", 40)):
        no = new_order(db, cast, "C0005", [(code, "1")], wanted_in_days=days)
        drive_to(db, cast, no, Status.APPROVED, tmp_path)
        plans.append(no)
    waiting = execution.orders_to_plan(db, READER)
    assert [r.order_no for r in waiting] == [plans[1], plans[2], plans[0]]
    for no in plans:
        execution.plan_production(db, cast["sun"], no)
    assert execution.orders_to_plan(db, READER) == []
    first = execution.open_plans(db, READER, limit=2)
    rest = execution.open_plans(db, READER, after=first[-1].cursor, limit=2)
    rows = first + rest
    assert [r.product_code for r in rows] == ["P0011", "P0006", "P0007"]  # lead 20, 25, 30 days
    assert [r.due_date for r in rows] == sorted(r.due_date for r in rows)
    assert rows[0].total == 4 and rows[0].done == 0 and rows[0].next_name.startswith("下料")
    assert not rows[0].late and rows[1].late is False


# -- holds -----------------------------------------------------------------------------------


def test_hold_raised_tops_the_clerks_worklist_and_is_resolved(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    no = new_order(db, cast, "C0003", [("P0005", "5")])
    drive_to(db, cast, no, Status.PICKING, tmp_path)
    err = _refusal(execution.raise_hold, db, cast["liu"], no, "quality", "划伤", owner="nobody")
    assert err.code == "exec.hold_owner" and err.field == "owner"
    assert _refusal(execution.raise_hold, db, cast["liu"], no, "bogus", "x").code == (
        "exec.hold_kind"
    )
    assert _refusal(execution.raise_hold, db, cast["liu"], no, "quality", " ").code == (
        "exec.hold_text"
    )
    execution.raise_hold(db, cast["liu"], no, "quality", "法兰外观划伤", owner="zhao")
    queues = worklist.worklist(db, cast["zhao"])
    assert queues[0].key == "holds" and queues[0].items[0].order_no == no
    with pytest.raises(GuardFailed, match="on hold"):
        execution.pick_scanned(db, cast["liu"], no, "P0005")
    rows = execution.holds(db, READER)
    assert [(r.order_no, r.kind, r.owner, r.raised_by) for r in rows] == [
        (no, "quality", "zhao", "liu")
    ]
    with pytest.raises(PermissionDenied):
        execution.release_hold(db, cast["liu"], no, "replacement", "换货")
    assert _refusal(execution.release_hold, db, cast["zhao"], no, "refund", "x").code == (
        "exec.solution_kind"
    )
    assert _refusal(execution.release_hold, db, cast["zhao"], no, "replacement", "").code == (
        "exec.solution_text"
    )
    execution.release_hold(db, cast["zhao"], no, "replacement", "客户同意更换同规格法兰")
    assert not orders.get_order(db, READER, no).on_hold
    assert execution.holds(db, READER) == []
    done = execution.holds(db, READER, open_only=False)
    assert done[0].solution_kind == "replacement" and done[0].released_by == "zhao"
    assert done[0].duration(done[0].raised_at) >= timedelta(0)
    err = _refusal(execution.release_hold, db, cast["zhao"], no, "replacement", "again")
    assert err.code == "exec.not_on_hold"
    execution.pick_scanned(db, cast["liu"], no, "P0005")  # the flow goes on


def test_hold_durations_for_the_monthly_review(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    no = new_order(db, cast, "C0001", [("P0005", "1")])
    drive_to(db, cast, no, Status.APPROVED, tmp_path)
    execution.raise_hold(db, cast["liu"], no, "delay", "供应商延迟到货")
    day = today(db)
    open_one = execution.hold_durations(db, READER, day, day + timedelta(days=1))
    assert [(d.order_no, d.kind, d.released_at) for d in open_one] == [(no, "delay", None)]
    execution.release_hold(db, cast["zhao"], no, "new_date", "交期顺延一周")
    closed = execution.hold_durations(db, READER, day.replace(day=1), day + timedelta(days=1))[0]
    assert closed.released_at is not None and closed.solution_kind == "new_date"
    assert closed.hours >= 0
    assert execution.hold_durations(db, READER, date(2000, 1, 1), date(2000, 2, 1)) == []


def test_every_execution_message_has_both_languages() -> None:
    codes = [c for c in messages.MESSAGES if c.startswith("exec.")]
    assert len(codes) > 20
    for code in codes:
        zh, en = messages.MESSAGES[code]
        assert zh != en and zh and en


def test_sample_master_data_marks_the_service_product_not_stocked(db: Database) -> None:
    with db.reading() as session:
        assert not session.get(Product, repo.find_product(session, "P0012").id).stocked
        assert session.get(Product, repo.find_product(session, "P0001").id).stocked
