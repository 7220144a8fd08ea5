"""Step 4: production plans, picking with stock locks, packing, holds.

Writes: `plan_production`, `revise_operation`, `complete_operation`, `start_picking`, `pick`,
`pick_scanned`, `pack`, `raise_hold`, `release_hold` (and `release_locks` inside a
cancellation). Reads for the screens: `production_view`, `open_plans`, `orders_to_plan`,
`pick_view`, `pick_queue`, `holds`, `hold_durations`.

Products that are not stocked (services: installation, freight, training) are neither locked
nor picked: `start_picking` counts their lines as picked at once.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from order_tui.domain import messages
from order_tui.domain.errors import ValidationError
from order_tui.domain.lifecycle import Action, Status
from order_tui.domain.terms import HOLD_KINDS, HOLD_SOLUTIONS
from order_tui.services import inputs, views
from order_tui.services.common import Actor, audit, authorize, move, now_utc, require_read, today
from order_tui.store import limits, repo
from order_tui.store.engine import Database
from order_tui.store.models import (
    Hold,
    OrderLine,
    Package,
    Product,
    ProductionOperation,
    ProductionPlan,
    SalesOrder,
    StockMovement,
)

messages.register(
    {
        # production
        "exec.op_name": ("请填写工序名称", "name the operation"),
        "exec.op_owner": ("请填写工序“{name}”的负责人", "{name}: name the owner"),
        "exec.op_dates": (
            "工序“{name}”的完工日期 {due} 早于开工日期 {start}",
            "{name}: due {due} before its start {start}",
        ),
        "exec.no_ops": ("第 {line} 行至少需要一道工序", "line {line} needs at least one operation"),
        "exec.not_mto": (
            "第 {line} 行不是定制产品，无需排产",
            "line {line} is not made to order: nothing to plan",
        ),
        "exec.no_open_op": ("没有未完工的工序", "no open operation to complete"),
        "exec.op_gone": (
            "工序不存在或已完工（可能已被他人处理）",
            "the operation does not exist or is done already",
        ),
        # picking
        "exec.no_line": ("订单没有第 {line} 行", "the order has no line {line}"),
        "exec.mismatch": (
            "第 {line} 行：扫描的 {product} {spec} 与订单的 {want_code} {want_spec} 不符",
            "line {line}: scanned {product} {spec} does not match {want_code} {want_spec}",
        ),
        "exec.negative": (
            "第 {line} 行：数量不能为负数",
            "line {line}: quantity cannot be negative",
        ),
        "exec.too_much": (
            "第 {line} 行：再拣 {qty} 将超过订购数量 {ordered}（已拣 {picked}）",
            "line {line}: picking {qty} would exceed the ordered {ordered} "
            "({picked} already picked)",
        ),
        "exec.nothing_to_pick": ("没有可拣的数量", "nothing to pick"),
        "exec.short": (
            "第 {line} 行 {name}：可锁定的库存只有 {available}",
            "line {line} {name}: only {available} available to lock",
        ),
        "exec.not_stocked": (
            "第 {line} 行 {name} 为非库存项目（服务），无需拣货",
            "line {line} {name} is not stocked (a service): nothing to pick",
        ),
        "exec.unknown_code": ("没有编码为 {product} 的产品", "no product has the code {product}"),
        "exec.not_on_order": (
            "{product} {name} 不在本订单上",
            "{product} {name} is not on this order",
        ),
        "exec.spec_differs": (
            "规格不符：订单第 {line} 行要 {want}，扫描的是 {got}",
            "spec differs: line {line} wants {want}, scanned {got}",
        ),
        "exec.scan_too_much": (
            "{product} 只剩 {left} {unit}待拣，不能拣 {qty}",
            "{product}: only {left} {unit} left to pick, not {qty}",
        ),
        "exec.scan_done": (
            "{product} 已拣足（{ordered} {unit}）",
            "{product} is picked in full already ({ordered} {unit})",
        ),
        "exec.qty_positive": ("数量必须大于 0", "the quantity must be more than 0"),
        # packing
        "exec.pack_count": ("件数至少为 1", "the package count must be at least 1"),
        "exec.pack_weight": ("重量不能为负数", "the weight cannot be negative"),
        # holds
        "exec.hold_kind": ("挂起类别必须是：{kinds}", "hold kind must be one of: {kinds}"),
        "exec.hold_text": ("请说明问题", "describe the problem"),
        "exec.hold_owner": ("没有操作员 {owner}", "no operator is called {owner}"),
        "exec.solution_kind": ("解决方式必须是：{kinds}", "solution must be one of: {kinds}"),
        "exec.solution_text": (
            "请填写与客户商定的解决方案",
            "describe the solution agreed with the customer",
        ),
        "exec.not_on_hold": ("订单 {order_no} 没有挂起", "order {order_no} is not on hold"),
    }
)

DEFAULT_OPERATIONS = ("下料 cutting", "加工 machining", "装配 assembly", "检验 inspection")


def _q(value: Decimal) -> str:
    """A quantity for a message: 3, 1.5 (no store zeros)."""
    return f"{value.normalize():f}"


# -- production ----------------------------------------------------------------------------


@dataclass
class OperationInput:
    name: str
    owner: str
    planned_start: date
    due_date: date


@dataclass(frozen=True)
class OperationView:
    id: int | None  # None: proposed, not saved yet
    seq: int
    name: str
    owner: str
    planned_start: date
    due_date: date
    done_at: datetime | None = None
    done_by: str = ""


@dataclass(frozen=True)
class PlanLineView:
    line_no: int
    product_code: str
    name: str
    spec: str
    qty: Decimal
    unit: str
    lead_time_days: int
    planned: bool
    due_date: date | None
    operations: list[OperationView]

    @property
    def ready_date(self) -> date | None:
        return max((op.due_date for op in self.operations), default=None)


@dataclass(frozen=True)
class ProductionView:
    order_no: str
    status: str
    version: int
    customer: str
    order_day: date
    wanted_date: date | None
    on_hold: bool
    holds: list[dict[str, Any]]
    lines: list[PlanLineView]

    @property
    def planned(self) -> bool:
        return bool(self.lines) and all(ln.planned for ln in self.lines)


@dataclass(frozen=True)
class PlanRow:
    """One open plan in the list across orders."""

    plan_id: int
    order_no: str
    customer: str
    line_no: int
    product_code: str
    name: str
    qty: Decimal
    unit: str
    due_date: date
    wanted_date: date | None
    on_hold: bool
    done: int
    total: int
    next_name: str
    next_owner: str
    next_due: date | None

    @property
    def late(self) -> bool:
        return self.wanted_date is not None and self.due_date > self.wanted_date

    @property
    def cursor(self) -> tuple[date, int]:
        return (self.due_date, self.plan_id)


def late_lines(lines: list[PlanLineView], wanted: date | None) -> list[PlanLineView]:
    """Lines whose plan is ready after the order's wanted date."""
    if wanted is None:
        return []
    return [ln for ln in lines if ln.ready_date is not None and ln.ready_date > wanted]


def default_operations(start: date, due: date, owner: str) -> list[OperationInput]:
    """The workshop's usual four operations, spread evenly from `start` to `due`."""
    span = max((due - start).days, len(DEFAULT_OPERATIONS))
    step = span // len(DEFAULT_OPERATIONS)
    ops = []
    for i, name in enumerate(DEFAULT_OPERATIONS):
        begin = start + timedelta(days=i * step)
        end = due if i == len(DEFAULT_OPERATIONS) - 1 else begin + timedelta(days=step)
        ops.append(OperationInput(name, owner, begin, max(end, begin)))
    return ops


def _check_operation(op: OperationInput) -> OperationInput:
    name, owner = op.name.strip(), op.owner.strip()
    if not name:
        raise ValidationError(code="exec.op_name", field="name")
    if not owner:
        raise ValidationError(code="exec.op_owner", field="owner", name=name)
    if op.due_date < op.planned_start:
        raise ValidationError(
            code="exec.op_dates",
            field="due_date",
            name=name,
            due=op.due_date.isoformat(),
            start=op.planned_start.isoformat(),
        )
    return OperationInput(name, owner, op.planned_start, op.due_date)


def plan_production(
    db: Database,
    actor: Actor,
    order_no: str,
    operations: dict[int, list[OperationInput]] | None = None,
    expected_version: int | None = None,
) -> list[str]:
    """Plan every made-to-order line (operations by line number; a line left out gets the
    usual four from its product's lead time); returns warnings where the plan misses the
    wanted date (English, for the command line; screens compute theirs with `late_lines`)."""
    warnings: list[str] = []
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, Action.PLAN_PRODUCTION, expected_version)
        assert order.id is not None
        start = today(db)
        lines = repo.order_lines(session, order.id)
        by_no = {ln.line_no: ln for ln in lines}
        for no in operations or {}:
            if no not in by_no:
                raise ValidationError(code="exec.no_line", field="line", line=no)
            if not by_no[no].made_to_order:
                raise ValidationError(code="exec.not_mto", field="line", line=no)
        for line in lines:
            if not line.made_to_order:
                continue
            product = session.get(Product, line.product_id)
            assert product is not None and line.id is not None
            given = (operations or {}).get(line.line_no)
            if given is not None and not given:
                raise ValidationError(code="exec.no_ops", field="operations", line=line.line_no)
            lead_due = start + timedelta(days=product.lead_time_days)
            ops = [_check_operation(op) for op in given] if given else None
            ops = ops or default_operations(start, lead_due, actor.display_name)
            due = max(op.due_date for op in ops)
            if order.wanted_date is not None and due > order.wanted_date:
                warnings.append(
                    f"line {line.line_no} {line.name}: ready {due}, "
                    f"after the wanted date {order.wanted_date}"
                )
            plan = ProductionPlan(
                order_id=order.id,
                line_id=line.id,
                due_date=due,
                created_by=actor.id,
                created_at=now_utc(),
            )
            session.add(plan)
            session.flush()
            assert plan.id is not None
            for seq, op in enumerate(ops, start=1):
                session.add(
                    ProductionOperation(
                        plan_id=plan.id,
                        seq=seq,
                        name=op.name,
                        owner=op.owner,
                        planned_start=op.planned_start,
                        due_date=op.due_date,
                    )
                )
        move(
            session,
            actor,
            order,
            Action.PLAN_PRODUCTION,
            Status.IN_PRODUCTION,
            changes={"warnings": warnings},
        )
    return warnings


def revise_operation(
    db: Database, actor: Actor, order_no: str, operation_id: int, op: OperationInput
) -> None:
    """Change an open operation of an order in production (a new owner, a later date); the
    plan's due date follows its operations."""
    checked = _check_operation(op)
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        # The same people and status as completing one: production, in production.
        authorize(session, actor, order, Action.COMPLETE_OPERATION)
        assert order.id is not None
        plans = {p.id: p for p in repo.plans_of(session, order.id)}
        target = session.get(ProductionOperation, operation_id)
        if target is None or target.plan_id not in plans or target.done_at is not None:
            raise ValidationError(code="exec.op_gone", field="operation")
        before = {
            "name": target.name,
            "owner": target.owner,
            "planned_start": target.planned_start,
            "due_date": target.due_date,
        }
        target.name = checked.name
        target.owner = checked.owner
        target.planned_start = checked.planned_start
        target.due_date = checked.due_date
        session.flush()
        plan = plans[target.plan_id]
        plan.due_date = max(o.due_date for o in repo.operations_of(session, [target.plan_id]))
        plan.version += 1
        audit(
            session,
            actor,
            "order",
            order.id,
            "revise_operation",
            order_no=order.order_no,
            from_status=order.status,
            to_status=order.status,
            changes={
                "operation": operation_id,
                "before": before,
                "after": {
                    "name": checked.name,
                    "owner": checked.owner,
                    "planned_start": checked.planned_start,
                    "due_date": checked.due_date,
                },
            },
        )


def complete_operation(
    db: Database, actor: Actor, order_no: str, operation_id: int | None = None
) -> str:
    """Mark one operation done (the next open one when none is named); returns its name."""
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, Action.COMPLETE_OPERATION)
        assert order.id is not None
        plans = repo.plans_of(session, order.id)
        ops = [
            op
            for op in repo.operations_of(session, [p.id for p in plans if p.id])
            if op.done_at is None
        ]
        if operation_id is not None:
            ops = [op for op in ops if op.id == operation_id]
            if not ops:
                raise ValidationError(code="exec.op_gone", field="operation")
        if not ops:
            raise ValidationError(code="exec.no_open_op", field="operation")
        op = ops[0]
        op.done_at = now_utc()
        op.done_by = actor.id
        session.flush()
        _receive_if_finished(session, actor, order, op.plan_id)
        move(
            session,
            actor,
            order,
            Action.COMPLETE_OPERATION,
            None,
            changes={"operation": op.name, "plan": op.plan_id},
        )
        return op.name


def _receive_if_finished(session: Session, actor: Actor, order: SalesOrder, plan_id: int) -> None:
    """The last operation of a plan puts the finished goods into stock, ready to pick."""
    plan = session.get(ProductionPlan, plan_id)
    assert plan is not None
    if any(op.done_at is None for op in repo.operations_of(session, [plan_id])):
        return
    line = session.get(OrderLine, plan.line_id)
    assert line is not None
    stock = repo.stock_for(session, line.product_id)
    stock.on_hand += line.qty
    stock.version += 1
    session.add(
        StockMovement(
            product_id=line.product_id,
            order_id=order.id,
            kind="produce",
            qty=line.qty,
            at=now_utc(),
            operator_id=actor.id,
            note=order.order_no,
        )
    )


def _holds(session: Session, order: SalesOrder) -> list[dict[str, Any]]:
    return [
        {
            "id": h.id,
            "kind": h.kind,
            "description": h.description,
            "owner": h.owner,
            "raised_at": h.raised_at.isoformat(timespec="seconds"),
        }
        for h in repo.open_holds(session, order.id or 0)
    ]


def production_view(db: Database, actor: Actor, order_no: str, owner: str = "") -> ProductionView:
    """The order's made-to-order lines with their plans; a line not planned yet shows the
    usual operations proposed from today and its product's lead time, owned by `owner`."""
    require_read(actor, "orders")
    with db.reading() as session:
        order = repo.get_order(session, order_no)
        assert order.id is not None
        start = today(db)
        plans = {p.line_id: p for p in repo.plans_of(session, order.id)}
        ops_by_plan: dict[int, list[ProductionOperation]] = {}
        for op in repo.operations_of(session, [p.id for p in plans.values() if p.id]):
            ops_by_plan.setdefault(op.plan_id, []).append(op)
        done_by = repo.operator_names(
            session, [op.done_by for ops in ops_by_plan.values() for op in ops if op.done_by]
        )
        lines = [ln for ln in repo.order_lines(session, order.id) if ln.made_to_order]
        products = repo.products_by_id(session, [ln.product_id for ln in lines])
        out = []
        for line in lines:
            product = products.get(line.product_id)
            lead = product.lead_time_days if product else 0
            plan = plans.get(line.id or 0)
            if plan is not None:
                operations = [
                    OperationView(
                        op.id,
                        op.seq,
                        op.name,
                        op.owner,
                        op.planned_start,
                        op.due_date,
                        op.done_at,
                        done_by.get(op.done_by or 0, ""),
                    )
                    for op in ops_by_plan.get(plan.id or 0, [])
                ]
            else:
                proposed = default_operations(start, start + timedelta(days=lead), owner)
                operations = [
                    OperationView(None, seq, op.name, op.owner, op.planned_start, op.due_date)
                    for seq, op in enumerate(proposed, start=1)
                ]
            out.append(
                PlanLineView(
                    line_no=line.line_no,
                    product_code=line.product_code,
                    name=line.name,
                    spec=line.spec,
                    qty=line.qty,
                    unit=line.unit,
                    lead_time_days=lead,
                    planned=plan is not None,
                    due_date=plan.due_date if plan else None,
                    operations=operations,
                )
            )
        return ProductionView(
            order_no=order.order_no,
            status=order.status,
            version=order.version,
            customer=order.cust_name,
            order_day=order.order_day,
            wanted_date=order.wanted_date,
            on_hold=order.on_hold,
            holds=_holds(session, order),
            lines=out,
        )


def open_plans(
    db: Database, actor: Actor, after: tuple[date, int] | None = None, limit: int = 50
) -> list[PlanRow]:
    """Open plans across orders, earliest due first, one keyset page after `after`."""
    require_read(actor, "production_queue")
    with db.reading() as session:
        page = repo.open_plans_page(session, after, limit)
        ops = repo.operations_of(session, [p.id for p, _, _ in page if p.id])
        by_plan: dict[int, list[ProductionOperation]] = {}
        for op in ops:
            by_plan.setdefault(op.plan_id, []).append(op)
        rows = []
        for plan, line, order in page:
            mine = by_plan.get(plan.id or 0, [])
            nxt = next((op for op in mine if op.done_at is None), None)
            rows.append(
                PlanRow(
                    plan_id=plan.id or 0,
                    order_no=order.order_no,
                    customer=order.cust_name,
                    line_no=line.line_no,
                    product_code=line.product_code,
                    name=line.name,
                    qty=line.qty,
                    unit=line.unit,
                    due_date=plan.due_date,
                    wanted_date=order.wanted_date,
                    on_hold=order.on_hold,
                    done=sum(op.done_at is not None for op in mine),
                    total=len(mine),
                    next_name=nxt.name if nxt else "",
                    next_owner=nxt.owner if nxt else "",
                    next_due=nxt.due_date if nxt else None,
                )
            )
        return rows


@dataclass(frozen=True)
class OrderRow:
    """An order in a step-4 queue (to plan, to pick)."""

    order_no: str
    customer: str
    status: str
    wanted_date: date | None
    on_hold: bool
    lines: int = 0
    picked_lines: int = 0
    order_id: int = 0

    @property
    def cursor(self) -> tuple[date, int]:
        return (self.wanted_date or repo.FAR_FUTURE, self.order_id)


def orders_to_plan(db: Database, actor: Actor, limit: int = 50) -> list[OrderRow]:
    require_read(actor, "production_queue")
    with db.reading() as session:
        return [
            OrderRow(
                o.order_no, o.cust_name, o.status, o.wanted_date, o.on_hold, order_id=o.id or 0
            )
            for o in repo.orders_to_plan(session, limit)
        ]


# -- picking and packing ---------------------------------------------------------------------


@dataclass(frozen=True)
class PickLine:
    line_no: int
    product_code: str
    name: str
    spec: str
    unit: str
    qty: Decimal
    picked: Decimal
    location: str
    stocked: bool
    made_to_order: bool
    available: Decimal  # on hand less locked, for every order

    @property
    def left(self) -> Decimal:
        return max(self.qty - self.picked, Decimal(0))


@dataclass(frozen=True)
class PackageView:
    count: int
    weight_kg: Decimal
    notes: str


@dataclass(frozen=True)
class PickView:
    order_no: str
    status: str
    version: int
    customer: str
    address: str
    contact: str
    wanted_date: date | None
    on_hold: bool
    holds: list[dict[str, Any]]
    lines: list[PickLine]
    packages: list[PackageView] = field(default_factory=list)
    picked: dict[str, str] = field(default_factory=dict)  # the last pick: line -> qty
    # Approved or in production: may picking start (made-to-order goods made)?
    production_done: bool = True

    @property
    def all_picked(self) -> bool:
        return bool(self.lines) and all(ln.picked >= ln.qty for ln in self.lines)


def _pick_view(
    session: Session, order: SalesOrder, picked: dict[str, str] | None = None
) -> PickView:
    assert order.id is not None
    lines = repo.order_lines(session, order.id)
    ids = [ln.product_id for ln in lines]
    products = repo.products_by_id(session, ids)
    stock = repo.stock_by_product(session, ids)
    out = []
    for ln in lines:
        product = products.get(ln.product_id)
        row = stock.get(ln.product_id)
        out.append(
            PickLine(
                line_no=ln.line_no,
                product_code=ln.product_code,
                name=ln.name,
                spec=ln.spec,
                unit=ln.unit,
                qty=ln.qty,
                picked=ln.picked_qty,
                location=row.location if row else "",
                stocked=product.stocked if product else True,
                made_to_order=ln.made_to_order,
                available=(row.on_hand - row.locked) if row else Decimal(0),
            )
        )
    packages = [
        PackageView(p.count, p.weight_kg, p.notes) for p in repo.packages_of(session, order.id)
    ]
    contact = " ".join(x for x in (order.contact_name, order.contact_phone) if x)
    address = " ".join(x for x in (order.cust_address, order.cust_postcode) if x)
    production_done = True
    made = [ln for ln in lines if ln.made_to_order]
    if made and order.status in (Status.APPROVED.value, Status.IN_PRODUCTION.value):
        plans = repo.plans_of(session, order.id)
        ops = repo.operations_of(session, [p.id for p in plans if p.id])
        production_done = {p.line_id for p in plans} >= {ln.id for ln in made} and all(
            op.done_at is not None for op in ops
        )
    return PickView(
        order_no=order.order_no,
        status=order.status,
        version=order.version,
        customer=order.cust_name,
        address=address,
        contact=contact,
        wanted_date=order.wanted_date,
        on_hold=order.on_hold,
        holds=_holds(session, order),
        lines=out,
        packages=packages,
        picked=picked or {},
        production_done=production_done,
    )


def pick_view(db: Database, actor: Actor, order_no: str) -> PickView:
    require_read(actor, "orders")
    with db.reading() as session:
        return _pick_view(session, repo.get_order(session, order_no))


def pick_queue(
    db: Database, actor: Actor, after: tuple[date, int] | None = None, limit: int = 50
) -> list[OrderRow]:
    """Orders to pick now, by requested delivery date (undated last), one keyset page."""
    require_read(actor, "pick_queue")
    with db.reading() as session:
        page = repo.pick_queue_page(session, after, limit)
        progress = repo.line_progress(session, [o.id for o in page if o.id])
        return [
            OrderRow(
                o.order_no,
                o.cust_name,
                o.status,
                o.wanted_date,
                o.on_hold,
                *progress.get(o.id or 0, (0, 0)),
                order_id=o.id or 0,
            )
            for o in page
        ]


def start_picking(
    db: Database, actor: Actor, order_no: str, expected_version: int | None = None
) -> views.OrderDetail:
    """The order moves to picking; lines of products that are not stocked count as picked."""
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, Action.START_PICKING, expected_version)
        assert order.id is not None
        lines = repo.order_lines(session, order.id)
        products = repo.products_by_id(session, [ln.product_id for ln in lines])
        free = []
        for line in lines:
            product = products.get(line.product_id)
            if product is not None and not product.stocked and line.picked_qty < line.qty:
                line.picked_qty = line.qty
                free.append(line.line_no)
        move(
            session,
            actor,
            order,
            Action.START_PICKING,
            Status.PICKING,
            changes={"not_stocked": free} if free else None,
        )
        session.flush()
        session.refresh(order)
        return views.detail(session, order)


def _lock(
    session: Session, actor: Actor, order: SalesOrder, line: OrderLine, qty: Decimal, kind: str
) -> None:
    stock = repo.stock_for(session, line.product_id)
    if kind == "lock":
        available = stock.on_hand - stock.locked
        if qty > available:
            raise ValidationError(
                code="exec.short",
                field="qty",
                line=line.line_no,
                name=line.name,
                available=_q(available),
            )
        stock.locked += qty
    else:
        stock.locked -= qty
    stock.version += 1
    session.add(
        StockMovement(
            product_id=line.product_id,
            order_id=order.id,
            kind=kind,
            qty=qty,
            at=now_utc(),
            operator_id=actor.id,
            note=order.order_no,
        )
    )


def pick(
    db: Database,
    actor: Actor,
    order_no: str,
    quantities: dict[int, Decimal] | None = None,
    *,
    scanned: dict[int, tuple[str, str]] | None = None,
) -> views.OrderDetail:
    """Record picked quantities per line number (None: everything still open) and lock stock.

    `scanned` maps a line number to the (product code, spec) read off the goods; a mismatch
    with the order line is refused, as the seed requires spec and quantity to match.
    """
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, Action.PICK)
        assert order.id is not None
        lines = {ln.line_no: ln for ln in repo.order_lines(session, order.id)}
        products = repo.products_by_id(session, [ln.product_id for ln in lines.values()])
        if quantities is None:
            wanted = {
                no: ln.qty - ln.picked_qty
                for no, ln in lines.items()
                if products[ln.product_id].stocked
            }
        else:
            wanted = dict(quantities)
        picked: dict[str, str] = {}
        for no, qty in wanted.items():
            line = lines.get(no)
            if line is None:
                raise ValidationError(code="exec.no_line", field="line", line=no)
            if scanned and no in scanned:
                code, spec = scanned[no]
                if code != line.product_code or (spec and spec != line.spec):
                    raise ValidationError(
                        code="exec.mismatch",
                        field="product",
                        line=no,
                        product=code,
                        spec=spec,
                        want_code=line.product_code,
                        want_spec=line.spec,
                    )
            inputs.number(qty, "qty", inputs.QUANTITY_PLACES)
            if qty < 0:
                raise ValidationError(code="exec.negative", field="qty", line=no)
            if qty == 0:
                continue
            if not products[line.product_id].stocked:
                raise ValidationError(
                    code="exec.not_stocked", field="line", line=no, name=line.name
                )
            _add_pick(session, actor, order, line, qty)
            picked[str(no)] = _q(qty)
        if not picked:
            raise ValidationError(code="exec.nothing_to_pick", field="qty")
        move(session, actor, order, Action.PICK, None, changes={"picked": picked})
        session.flush()
        session.refresh(order)
        return views.detail(session, order)


def _add_pick(
    session: Session, actor: Actor, order: SalesOrder, line: OrderLine, qty: Decimal
) -> None:
    if line.picked_qty + qty > line.qty:
        raise ValidationError(
            code="exec.too_much",
            field="qty",
            line=line.line_no,
            qty=_q(qty),
            ordered=_q(line.qty),
            picked=_q(line.picked_qty),
        )
    _lock(session, actor, order, line, qty, "lock")
    line.picked_qty += qty


def pick_scanned(
    db: Database,
    actor: Actor,
    order_no: str,
    code: str,
    qty: Decimal = Decimal(1),
    spec: str | None = None,
) -> PickView:
    """What a barcode scanner (or a keeper typing the code) picks: `qty` of product `code`,
    spread over the order's open lines of that product; locks the stock.

    Refused with the reason: a code no product has, a product not on the order, goods whose
    spec differs from the line's (the product master's spec, or `spec` when the scan carries
    one), a product that is not stocked, more than is left to pick, more than is free in stock.
    """
    code = code.strip().upper()
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, Action.PICK)
        assert order.id is not None
        inputs.number(qty, "qty", inputs.QUANTITY_PLACES)
        if qty <= 0:
            raise ValidationError(code="exec.qty_positive", field="qty")
        lines = repo.order_lines(session, order.id)
        same = [ln for ln in lines if ln.product_code.upper() == code]
        product = session.get(Product, same[0].product_id) if same else None
        if product is None:
            product = _product_or_none(session, code)
            if product is None:
                raise ValidationError(code="exec.unknown_code", field="code", product=code)
            twin = next((ln for ln in lines if ln.name == product.name), None)
            if twin is not None:  # the same goods in another spec: the wrong variant
                raise ValidationError(
                    code="exec.spec_differs",
                    field="code",
                    line=twin.line_no,
                    want=f"{twin.product_code} {twin.spec}",
                    got=f"{product.code} {product.spec}",
                )
            raise ValidationError(
                code="exec.not_on_order", field="code", product=product.code, name=product.name
            )
        got = product.spec if spec is None else spec.strip()
        matching = [ln for ln in same if ln.spec == got]
        if not matching:
            raise ValidationError(
                code="exec.spec_differs",
                field="code",
                line=same[0].line_no,
                want=same[0].spec,
                got=got,
            )
        if not product.stocked:
            line = matching[0]
            raise ValidationError(
                code="exec.not_stocked", field="code", line=line.line_no, name=line.name
            )
        left = sum((ln.qty - ln.picked_qty for ln in matching), Decimal(0))
        unit = matching[0].unit
        if left <= 0:
            ordered = sum((ln.qty for ln in matching), Decimal(0))
            raise ValidationError(
                code="exec.scan_done", field="code", product=code, ordered=_q(ordered), unit=unit
            )
        if qty > left:
            raise ValidationError(
                code="exec.scan_too_much",
                field="qty",
                product=code,
                left=_q(left),
                unit=unit,
                qty=_q(qty),
            )
        picked: dict[str, str] = {}
        rest = qty
        for line in matching:
            share = min(rest, line.qty - line.picked_qty)
            if share <= 0:
                continue
            _add_pick(session, actor, order, line, share)
            picked[str(line.line_no)] = _q(share)
            rest -= share
        move(session, actor, order, Action.PICK, None, changes={"picked": picked, "scan": code})
        session.flush()
        session.refresh(order)
        return _pick_view(session, order, picked)


def _product_or_none(session: Session, code: str) -> Product | None:
    from order_tui.domain.errors import NotFound

    try:
        return repo.find_product(session, code)
    except NotFound:
        return None


def pack(
    db: Database,
    actor: Actor,
    order_no: str,
    packages: list[tuple[int, Decimal, str]] | None = None,
) -> views.OrderDetail:
    """Record packages (count, weight kg, notes) and move the order to packed."""
    packages = packages or [(1, Decimal("0"), "")]
    for count, weight, _notes in packages:
        inputs.whole(count, "count")
        inputs.number(weight, "weight", inputs.QUANTITY_PLACES)
        if count < 1:
            raise ValidationError(code="exec.pack_count", field="count")
        if weight < 0:
            raise ValidationError(code="exec.pack_weight", field="weight")
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, Action.PACK)
        for count, weight, notes in packages:
            session.add(
                Package(
                    order_id=order.id or 0,
                    count=count,
                    weight_kg=weight,
                    notes=notes.strip(),
                    packed_by=actor.id,
                    packed_at=now_utc(),
                )
            )
        move(
            session,
            actor,
            order,
            Action.PACK,
            Status.PACKED,
            changes={"packages": [[c, w, n] for c, w, n in packages]},
        )
        session.flush()
        session.refresh(order)
        return views.detail(session, order)


def release_locks(session: Session, actor: Actor, order: SalesOrder) -> None:
    """Give back whatever stock the order's picks still hold (cancellation); lines of products
    that are not stocked never locked anything."""
    lines = repo.order_lines(session, order.id or 0)
    products = repo.products_by_id(session, [ln.product_id for ln in lines])
    for line in lines:
        held = line.picked_qty - line.shipped_qty
        if held <= 0:
            continue
        product = products.get(line.product_id)
        if product is None or product.stocked:
            _lock(session, actor, order, line, held, "unlock")
        line.picked_qty = line.shipped_qty


# -- holds -------------------------------------------------------------------------------------


HOLD_TEXT_MOST = limits.length_of(Hold, "description")  # the solution's is the same
HOLD_OWNER_MOST = limits.length_of(Hold, "owner")


def raise_hold_in_session(
    session: Session,
    actor: Actor,
    order: SalesOrder,
    kind: str,
    description: str,
    owner: str | None = None,
) -> None:
    if kind not in HOLD_KINDS:
        raise ValidationError(code="exec.hold_kind", field="kind", kinds=", ".join(HOLD_KINDS))
    if not description.strip():
        raise ValidationError(code="exec.hold_text", field="description")
    inputs.text(description.strip(), "description", HOLD_TEXT_MOST)
    # checked before it is looked up: the "no such operator" message would echo a NUL or ESC
    owner = inputs.text((owner or "").strip(), "owner", HOLD_OWNER_MOST) or actor.username
    if owner != actor.username and repo.operator_by_username(session, owner) is None:
        raise ValidationError(code="exec.hold_owner", field="owner", owner=owner)
    session.add(
        Hold(
            order_id=order.id or 0,
            kind=kind,
            description=description.strip(),
            owner=owner,
            raised_by=actor.id,
            raised_at=now_utc(),
        )
    )
    move(
        session,
        actor,
        order,
        Action.HOLD,
        None,
        values={"on_hold": True},
        changes={"kind": kind, "description": description.strip(), "owner": owner},
    )


def raise_hold(
    db: Database, actor: Actor, order_no: str, kind: str, description: str, owner: str | None = None
) -> None:
    """A quality problem or a delay: the order is flagged (its status stays) and the hold
    tops the clerk's worklist."""
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, Action.HOLD)
        raise_hold_in_session(session, actor, order, kind, description, owner)


def release_hold(
    db: Database, actor: Actor, order_no: str, solution_kind: str, solution: str
) -> None:
    """Record the solution agreed with the customer and release every open hold."""
    if solution_kind not in HOLD_SOLUTIONS:
        raise ValidationError(
            code="exec.solution_kind", field="solution_kind", kinds=", ".join(HOLD_SOLUTIONS)
        )
    if not solution.strip():
        raise ValidationError(code="exec.solution_text", field="solution")
    inputs.text(solution.strip(), "solution", HOLD_TEXT_MOST)
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, Action.RELEASE_HOLD)
        holds = repo.open_holds(session, order.id or 0)
        if not holds:
            raise ValidationError(code="exec.not_on_hold", field="hold", order_no=order_no)
        for hold in holds:
            hold.solution_kind = solution_kind
            hold.solution = solution.strip()
            hold.released_by = actor.id
            hold.released_at = now_utc()
        move(
            session,
            actor,
            order,
            Action.RELEASE_HOLD,
            None,
            values={"on_hold": False},
            changes={"solution_kind": solution_kind, "solution": solution.strip()},
        )


@dataclass(frozen=True)
class HoldRow:
    id: int
    order_no: str
    customer: str
    status: str
    kind: str
    description: str
    owner: str
    raised_by: str
    raised_at: datetime
    released_at: datetime | None
    released_by: str
    solution_kind: str
    solution: str

    @property
    def cursor(self) -> tuple[datetime, int]:
        return (self.raised_at, self.id)

    def duration(self, now: datetime) -> timedelta:
        """How long the order was (or has been) held."""
        return _aware(self.released_at or now) - _aware(self.raised_at)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def holds(
    db: Database,
    actor: Actor,
    *,
    open_only: bool = True,
    after: tuple[datetime, int] | None = None,
    limit: int = 50,
) -> list[HoldRow]:
    """Holds, oldest first, one keyset page: the clerk's list of what to resolve."""
    require_read(actor, "holds")
    with db.reading() as session:
        page = repo.holds_page(session, open_only=open_only, after=after, limit=limit)
        names = repo.operator_names(
            session,
            [h.raised_by for h, _ in page] + [h.released_by for h, _ in page if h.released_by],
        )
        return [
            HoldRow(
                id=h.id or 0,
                order_no=o.order_no,
                customer=o.cust_name,
                status=o.status,
                kind=h.kind,
                description=h.description,
                owner=h.owner,
                raised_by=names.get(h.raised_by, ""),
                raised_at=_aware(h.raised_at),
                released_at=_aware(h.released_at) if h.released_at else None,
                released_by=names.get(h.released_by or 0, ""),
                solution_kind=h.solution_kind,
                solution=h.solution,
            )
            for h, o in page
        ]


@dataclass(frozen=True)
class HoldDuration:
    order_no: str
    kind: str
    raised_at: datetime
    released_at: datetime | None
    hours: Decimal  # until release, or until now for a hold still open
    solution_kind: str


def hold_durations(db: Database, actor: Actor, start: date, end: date) -> list[HoldDuration]:
    """Holds raised on business days start..end-1 (the company's time zone) and how long
    each lasted: what the monthly review reads about delays and quality problems."""
    require_read(actor, "holds")
    zone = ZoneInfo(db.timezone)
    lower = datetime.combine(start, time(), zone).astimezone(UTC)
    upper = datetime.combine(end, time(), zone).astimezone(UTC)
    now = now_utc()
    with db.reading() as session:
        out = []
        for h, order_no in repo.holds_raised_between(session, lower, upper):
            raised = _aware(h.raised_at)
            released = _aware(h.released_at) if h.released_at else None
            seconds = Decimal(int(((released or now) - raised).total_seconds()))
            out.append(
                HoldDuration(
                    order_no=order_no,
                    kind=h.kind,
                    raised_at=raised,
                    released_at=released,
                    hours=(seconds / 3600).quantize(Decimal("0.01")),
                    solution_kind=h.solution_kind,
                )
            )
        return out
