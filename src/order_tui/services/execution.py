"""Step 4: production plans, picking with stock locks, packing, holds."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session

from order_tui.domain.errors import ValidationError
from order_tui.domain.lifecycle import Action, Status
from order_tui.domain.terms import HOLD_KINDS, HOLD_SOLUTIONS
from order_tui.services import views
from order_tui.services.common import Actor, authorize, move, now_utc, today, transition
from order_tui.store import repo
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

DEFAULT_OPERATIONS = ("下料 cutting", "加工 machining", "装配 assembly", "检验 inspection")


@dataclass
class OperationInput:
    name: str
    owner: str
    planned_start: date
    due_date: date


def _default_operations(start: date, due: date, owner: str) -> list[OperationInput]:
    span = max((due - start).days, len(DEFAULT_OPERATIONS))
    step = span // len(DEFAULT_OPERATIONS)
    ops = []
    for i, name in enumerate(DEFAULT_OPERATIONS):
        begin = start + timedelta(days=i * step)
        end = due if i == len(DEFAULT_OPERATIONS) - 1 else begin + timedelta(days=step)
        ops.append(OperationInput(name, owner, begin, end))
    return ops


def plan_production(
    db: Database,
    actor: Actor,
    order_no: str,
    operations: dict[int, list[OperationInput]] | None = None,
    expected_version: int | None = None,
) -> list[str]:
    """Plan every made-to-order line; returns warnings where the plan misses the wanted date."""
    warnings: list[str] = []
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, Action.PLAN_PRODUCTION, expected_version)
        assert order.id is not None
        start = today(db)
        for line in repo.order_lines(session, order.id):
            if not line.made_to_order:
                continue
            product = session.get(Product, line.product_id)
            assert product is not None and line.id is not None
            lead_due = start + timedelta(days=product.lead_time_days)
            ops = (operations or {}).get(line.line_no) or _default_operations(
                start, lead_due, actor.display_name
            )
            for op in ops:
                if op.due_date < op.planned_start:
                    raise ValidationError(f"{op.name}: due before its start", "due_date")
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
            raise ValidationError("no open operation to complete", field="operation")
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


def start_picking(
    db: Database, actor: Actor, order_no: str, expected_version: int | None = None
) -> views.OrderDetail:
    return transition(
        db, actor, order_no, Action.START_PICKING, Status.PICKING, expected_version=expected_version
    )


def _lock(
    session: Session, actor: Actor, order: SalesOrder, line: OrderLine, qty: Decimal, kind: str
) -> None:
    stock = repo.stock_for(session, line.product_id)
    if kind == "lock":
        available = stock.on_hand - stock.locked
        if qty > available:
            raise ValidationError(
                f"line {line.line_no} {line.name}: only {available} available to lock", "qty"
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
        wanted = quantities or {no: ln.qty - ln.picked_qty for no, ln in lines.items()}
        picked: dict[str, str] = {}
        for no, qty in wanted.items():
            line = lines.get(no)
            if line is None:
                raise ValidationError(f"the order has no line {no}", field="line")
            if scanned and no in scanned:
                code, spec = scanned[no]
                if code != line.product_code or (spec and spec != line.spec):
                    raise ValidationError(
                        f"line {no}: scanned {code} {spec} does not match "
                        f"{line.product_code} {line.spec}",
                        "product",
                    )
            if qty < 0:
                raise ValidationError(f"line {no}: quantity cannot be negative", "qty")
            if line.picked_qty + qty > line.qty:
                raise ValidationError(
                    f"line {no}: picking {qty} would exceed the ordered {line.qty} "
                    f"({line.picked_qty} already picked)",
                    "qty",
                )
            if qty == 0:
                continue
            _lock(session, actor, order, line, qty, "lock")
            line.picked_qty += qty
            picked[str(no)] = str(qty)
        if not picked:
            raise ValidationError("nothing to pick", field="qty")
        move(session, actor, order, Action.PICK, None, changes={"picked": picked})
        session.flush()
        session.refresh(order)
        return views.detail(session, order)


def pack(
    db: Database,
    actor: Actor,
    order_no: str,
    packages: list[tuple[int, Decimal, str]] | None = None,
) -> views.OrderDetail:
    """Record packages (count, weight kg, notes) and move the order to packed."""
    packages = packages or [(1, Decimal("0"), "")]
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, Action.PACK)
        for count, weight, notes in packages:
            if count < 1 or weight < 0:
                raise ValidationError("packages need a count >= 1 and a weight >= 0", "packages")
            session.add(
                Package(
                    order_id=order.id or 0,
                    count=count,
                    weight_kg=weight,
                    notes=notes,
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


def raise_hold_in_session(
    session: Session,
    actor: Actor,
    order: SalesOrder,
    kind: str,
    description: str,
    owner: str | None = None,
) -> None:
    if kind not in HOLD_KINDS:
        raise ValidationError(f"hold kind must be one of: {', '.join(HOLD_KINDS)}", "kind")
    if not description.strip():
        raise ValidationError("describe the problem", field="description")
    session.add(
        Hold(
            order_id=order.id or 0,
            kind=kind,
            description=description.strip(),
            owner=owner or actor.username,
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
        changes={"kind": kind, "description": description.strip()},
    )


def raise_hold(
    db: Database, actor: Actor, order_no: str, kind: str, description: str, owner: str | None = None
) -> None:
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
            f"solution must be one of: {', '.join(HOLD_SOLUTIONS)}", "solution_kind"
        )
    if not solution.strip():
        raise ValidationError("describe the solution agreed with the customer", "solution")
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, Action.RELEASE_HOLD)
        holds = repo.open_holds(session, order.id or 0)
        if not holds:
            raise ValidationError(f"order {order_no} is not on hold", field="hold")
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


def release_locks(session: Session, actor: Actor, order: SalesOrder) -> None:
    """Give back whatever stock the order's picks still hold (cancellation)."""
    for line in repo.order_lines(session, order.id or 0):
        held = line.picked_qty - line.shipped_qty
        if held > 0:
            _lock(session, actor, order, line, held, "unlock")
            line.picked_qty = line.shipped_qty
