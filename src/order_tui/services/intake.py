"""Step 1: the Customer Requirement Registration Form and its feasibility check."""

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from order_tui.domain import codes, feasibility, messages
from order_tui.domain.errors import Conflict, NotFound, ValidationError
from order_tui.domain.roles import PERMISSIONS
from order_tui.services import inputs, orders, views
from order_tui.services.common import (
    Actor,
    audit,
    now_utc,
    require_read,
    require_role,
    to_json,
    today,
)
from order_tui.store import repo
from order_tui.store.engine import Database
from order_tui.store.models import Customer, Product, Requirement, RequirementLine


@dataclass
class RequirementLineInput:
    product_code: str  # "" for an item the customer described that is not a product yet
    qty: Decimal
    description: str = ""
    spec: str = ""
    parameters: str = ""  # technical parameters as the customer gave them


@dataclass
class RequirementInput:
    customer_code: str
    contact_name: str
    contact_phone: str
    lines: list[RequirementLineInput]
    channel: str = "phone"
    description: str = ""
    key_demands: str = ""
    special_requirements: str = ""
    budget: Decimal | None = None
    wanted_date: date | None = None


@dataclass
class RequirementResult:
    id: int
    customer_code: str
    status: str
    feasibility: list[dict[str, Any]] = field(default_factory=list)
    earliest: date | None = None
    linked_orders: list[str] = field(default_factory=list)
    open_matters: list[str] = field(default_factory=list)
    version: int = 1  # what `update_requirement` is given back as expected_version


CHANNELS = ("phone", "visit", "online")
_STATUS_WORDS = {"open": ("待处理", "open"), "converted": ("已转订单", "converted")}

messages.register(
    {
        "intake.contact_required": ("请填写客户联系人", "customer contact is required"),
        "intake.channel": ("来源渠道应为以下之一：{allowed}", "channel must be one of: {allowed}"),
        "intake.no_lines": ("请至少填写一项产品", "name at least one product"),
        "intake.qty_positive": (
            "第 {line} 行：数量必须大于 0",
            "line {line}: quantity must be positive",
        ),
        "intake.line_unnamed": (
            "第 {line} 行：请选择产品或描述所需物品",
            "line {line}: name a product or describe the item",
        ),
        # a line's own field, named after its line as order entry names its lines
        "intake.line_field": ("第 {line} 行 {what}：{problem}", "line {line}: {what} {problem}"),
        "intake.line_problem": ("第 {line} 行：{problem}", "line {line}: {problem}"),
        "intake.alternative_required": ("请填写商定的替代方案", "describe the alternative agreed"),
        "intake.not_found": ("没有需求 #{id}", "requirement {id} not found"),
        "intake.status": ("需求 #{id} 已是“{status}”状态", "requirement {id} is {status}"),
        "intake.unmatched": (
            "第 {lines} 行描述的物品还不是产品：转为订单前请为每行选择产品",
            "line(s) {lines} describe items that are not products yet: choose a product "
            "for each before converting",
        ),
    }
)


# What each field of a line is called in a message, and the most its column holds.
_LINE_FIELDS = {
    "product_code": (("产品编码", "product code"), 40),
    "description": (("名称", "name"), 500),
    "spec": (("规格", "spec"), 200),
    "parameters": (("参数", "parameters"), 2000),
    "qty": (("数量", "quantity"), None),
}


def _line_refusal(no: int, name: str, exc: ValidationError) -> ValidationError:
    """`exc` about field `name` of line `no`, said with the line's number (and the field's)."""
    what, _most = _LINE_FIELDS[name]
    return ValidationError(
        code="intake.line_field",
        field=f"lines.{no}.{name}",
        line=no,
        what=what,
        problem=messages.pair(exc),
    )


def _check_line(no: int, li: RequirementLineInput) -> None:
    """A line's typed text and quantity as the columns take them, before anything is written."""
    for name, (_what, most) in _LINE_FIELDS.items():
        try:
            if name == "qty":
                inputs.number(li.qty, name, inputs.QUANTITY_PLACES)
            else:
                inputs.text(getattr(li, name), name, most)
        except ValidationError as exc:
            raise _line_refusal(no, name, exc) from None


def _feasibility(
    session: Session, db: Database, req: Requirement, lines: list[RequirementLine]
) -> list[feasibility.FeasibilityResult]:
    inputs = []
    for ln in lines:
        if ln.product_id is None:
            continue
        product = session.get(Product, ln.product_id)
        assert product is not None
        stock = repo.peek_stock(session, ln.product_id)
        inputs.append(
            feasibility.FeasibilityLine(
                line_no=ln.line_no,
                product_code=product.code,
                qty=ln.qty,
                on_hand=stock.on_hand,
                locked=stock.locked,
                incoming=stock.incoming,
                incoming_date=stock.incoming_date,
                made_to_order=product.made_to_order,
                lead_time_days=product.lead_time_days,
                stocked=product.stocked,
            )
        )
    return feasibility.assess(inputs, today(db), req.wanted_date)


def record_requirement(db: Database, actor: Actor, data: RequirementInput) -> RequirementResult:
    """Register the requirement, run the feasibility check and link the customer's history."""
    return _save_requirement(db, actor, data, None, None)


def _save_requirement(
    db: Database,
    actor: Actor,
    data: RequirementInput,
    requirement_id: int | None,
    expected_version: int | None,
) -> RequirementResult:
    """Record a new requirement (`requirement_id` None) or replace an open one's form, with
    the same checks either way, then run the feasibility check on what is now saved."""
    require_role(
        actor, PERMISSIONS["record_requirement"], ("登记客户需求", "recording a requirement")
    )
    if not data.contact_name.strip():
        raise ValidationError(code="intake.contact_required", field="contact_name")
    try:
        phone = codes.check_phone(data.contact_phone)
    except codes.InvalidCode as exc:
        raise ValidationError(code=exc.code, field="contact_phone", **exc.params) from None
    if data.channel not in CHANNELS:
        raise ValidationError(code="intake.channel", field="channel", allowed=", ".join(CHANNELS))
    if not data.lines:
        raise ValidationError(code="intake.no_lines", field="lines")
    for no, li in enumerate(data.lines, start=1):
        _check_line(no, li)
    if data.budget is not None:
        inputs.number(data.budget, "budget", inputs.MONEY_PLACES)
    with db.writing() as session:
        try:
            customer = repo.find_customer(session, data.customer_code)
        except NotFound as exc:
            raise ValidationError(code=exc.code, field="customer_code", **exc.params) from None
        assert customer.id is not None
        linked = repo.recent_orders_of_customer(session, customer.id)
        open_matters = [no for no, _ in repo.open_orders_of_customer(session, customer.id, None)]
        form = {
            "customer_id": customer.id,
            "contact_name": data.contact_name.strip(),
            "contact_phone": phone,
            "channel": data.channel,
            "description": data.description,
            "key_demands": data.key_demands,
            "special_requirements": data.special_requirements,
            "budget": data.budget,
            "wanted_date": data.wanted_date,
            "linked_orders": ";".join(linked),
        }
        before: dict[str, Any] = {}
        if requirement_id is None:
            req = Requirement(**form, created_by=actor.id, created_at=now_utc())
            session.add(req)
        else:
            req = _open_requirement(session, requirement_id, expected_version)
            before = _form_state(session, req)
            for name, value in form.items():
                setattr(req, name, value)
            for old in repo.requirement_lines(session, requirement_id):
                session.delete(old)
            req.version += 1
        session.flush()
        assert req.id is not None
        lines = []
        for no, li in enumerate(data.lines, start=1):
            if li.qty <= 0:
                raise ValidationError(code="intake.qty_positive", field=f"lines.{no}.qty", line=no)
            if li.product_code.strip():
                try:
                    product = repo.find_product(session, li.product_code.strip())
                except NotFound as exc:
                    raise ValidationError(
                        code="intake.line_problem",
                        field=f"lines.{no}.product_code",
                        line=no,
                        problem=messages.pair(exc),
                        product=exc.params.get("product", ""),
                    ) from None
                line = RequirementLine(
                    requirement_id=req.id,
                    line_no=no,
                    product_id=product.id,
                    description=li.description or product.name,
                    spec=li.spec or product.spec,
                    parameters=li.parameters.strip(),
                    qty=li.qty,
                )
            elif li.description.strip():
                line = RequirementLine(
                    requirement_id=req.id,
                    line_no=no,
                    product_id=None,
                    description=li.description.strip(),
                    spec=li.spec.strip(),
                    parameters=li.parameters.strip(),
                    qty=li.qty,
                )
            else:
                raise ValidationError(
                    code="intake.line_unnamed", field=f"lines.{no}.description", line=no
                )
            session.add(line)
            lines.append(line)
        results = _feasibility(session, db, req, lines)
        req.feasibility = to_json([asdict(r) for r in results])
        if requirement_id is None:
            audit(
                session,
                actor,
                "requirement",
                req.id,
                "record_requirement",
                changes={"customer": data.customer_code, "lines": len(lines)},
            )
        else:
            after = _form_state(session, req)
            changed = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
            audit(session, actor, "requirement", req.id, "update_requirement", changes=changed)
        return RequirementResult(
            id=req.id,
            customer_code=customer.code,
            status=req.status,
            feasibility=json.loads(req.feasibility),
            earliest=feasibility.earliest_possible(results),
            linked_orders=linked,
            open_matters=open_matters,
            version=req.version,
        )


messages.register(
    {
        "intake.update_missing": ("没有编号为 {id} 的需求", "requirement {id} not found"),
        "intake.update_not_open": (
            "需求 #{id} 已{status}，不能再修改",
            "requirement {id} is {status} and can no longer be changed",
        ),
        "intake.update_stale": (
            "需求 #{id} 已被 {who} 于 {when} 修改",
            "requirement {id} was changed by {who} at {when}",
        ),
    }
)
REQUIREMENT_STATUS = {
    "open": ("打开", "open"),
    "converted": ("转为订单", "converted into an order"),
    "dropped": ("放弃", "dropped"),
}


def update_requirement(
    db: Database,
    actor: Actor,
    requirement_id: int,
    data: RequirementInput,
    expected_version: int,
) -> RequirementResult:
    """Save the form again after the first check (F9 on the edited form): the same checks as
    recording it, against the version the representative saw, audited with what changed;
    refused once the requirement is converted. The feasibility check runs again."""
    return _save_requirement(db, actor, data, requirement_id, expected_version)


def _open_requirement(
    session: Session, requirement_id: int, expected_version: int | None
) -> Requirement:
    """The requirement to change: it exists, is still open, and is the version expected."""
    req = session.get(Requirement, requirement_id)
    if req is None:
        raise NotFound(code="intake.update_missing", id=requirement_id)
    if req.status != "open":
        status = REQUIREMENT_STATUS.get(req.status, (req.status, req.status))
        raise ValidationError(
            code="intake.update_not_open", field="status", id=requirement_id, status=status
        )
    if expected_version is not None and expected_version != req.version:
        who, when = repo.last_change(session, "requirement", requirement_id)
        raise Conflict(
            code="intake.update_stale",
            changed_by=who,
            changed_at=when,
            id=requirement_id,
            who=who,
            when=when,
            version=req.version,  # to save over it, when the representative chooses to
        )
    return req


def _form_state(session: Session, req: Requirement) -> dict[str, Any]:
    """The form as saved, for the audit of what an update changed."""
    assert req.id is not None
    customer = session.get(Customer, req.customer_id)
    lines = []
    for ln in repo.requirement_lines(session, req.id):
        product = session.get(Product, ln.product_id) if ln.product_id is not None else None
        code = product.code if product is not None else ""
        qty = f"{Decimal(ln.qty).normalize():f}"
        lines.append(f"{code} {ln.description} {ln.spec} {ln.parameters} x{qty}".strip())
    return {
        "customer": customer.code if customer is not None else "",
        "contact_name": req.contact_name,
        "contact_phone": req.contact_phone,
        "channel": req.channel,
        "description": req.description,
        "key_demands": req.key_demands,
        "special_requirements": req.special_requirements,
        "budget": req.budget,
        "wanted_date": req.wanted_date,
        "lines": lines,
    }


def agree_alternative(db: Database, actor: Actor, requirement_id: int, text: str) -> int:
    """Record what was agreed with the customer when feasibility showed a risk; returns the
    requirement's new version (to save the form against afterwards)."""
    require_role(
        actor, PERMISSIONS["record_requirement"], ("记录替代方案", "recording an alternative")
    )
    if not text.strip():
        raise ValidationError(code="intake.alternative_required", field="alternative")
    with db.writing() as session:
        req = session.get(Requirement, requirement_id)
        if req is None:
            raise NotFound(code="intake.not_found", id=requirement_id)
        req.alternative_agreed = text.strip()
        req.version += 1
        audit(
            session,
            actor,
            "requirement",
            requirement_id,
            "agree_alternative",
            changes={"alternative": text.strip()},
        )
        return req.version


def convert_to_order(
    db: Database, actor: Actor, requirement_id: int, overrides: orders.OrderInput | None = None
) -> views.OrderDetail:
    """Turn the requirement into a draft order, in one transaction with its number."""
    require_role(
        actor, PERMISSIONS["convert_requirement"], ("将需求转为订单", "converting a requirement")
    )
    with db.writing() as session:
        req = session.get(Requirement, requirement_id)
        if req is None:
            raise NotFound(code="intake.not_found", id=requirement_id)
        if req.status != "open":
            raise ValidationError(
                code="intake.status",
                field="status",
                id=requirement_id,
                status=_STATUS_WORDS.get(req.status, (req.status, req.status)),
            )
        customer = session.get(Customer, req.customer_id)
        assert customer is not None
        req_lines = repo.requirement_lines(session, requirement_id)
        unmatched = [ln.line_no for ln in req_lines if ln.product_id is None]
        if unmatched and overrides is None:
            listed = ", ".join(str(n) for n in unmatched)
            raise ValidationError(code="intake.unmatched", field="lines", lines=listed)
        notes = [
            req.description,
            req.key_demands,
            req.special_requirements,
            f"已商定 agreed: {req.alternative_agreed}" if req.alternative_agreed else "",
        ] + [
            f"{ln.line_no}. {ln.description} {ln.spec} {ln.parameters}".strip()
            for ln in req_lines
            if ln.parameters
        ]
        data = (
            overrides
            or orders.OrderInput(
                customer_code=customer.code,
                lines=[
                    orders.LineInput(
                        product_code=session.get(Product, ln.product_id).code,  # type: ignore[union-attr]
                        qty=ln.qty,
                    )
                    for ln in req_lines
                    if ln.product_id is not None
                ],
                wanted_date=req.wanted_date,
                contact_name=req.contact_name,
                contact_phone=req.contact_phone,
                remarks="; ".join(n for n in notes if n)[:2000],
            )
        )
        order = orders.create_in_session(session, db, actor, data, requirement_id=req.id)
        req.status = "converted"
        req.version += 1
        audit(
            session,
            actor,
            "requirement",
            requirement_id,
            "convert",
            changes={"order_no": order.order_no},
        )
        session.flush()
        return views.detail(session, order)


# For the customer's history every unfinished order is an open matter, drafts included
# (credit exposure counts only submitted ones: see repo.OPEN_STATUSES).
HISTORY_OPEN_STATUSES = ("draft", "returned", *repo.OPEN_STATUSES, "delivered")


@dataclass(frozen=True)
class HistoryOrder:
    order_no: str
    order_day: date
    status: str
    total: Decimal
    on_hold: bool


@dataclass(frozen=True)
class CustomerHistory:
    customer_code: str
    legal_name: str
    recent: list[HistoryOrder]
    open_orders: list[HistoryOrder]
    open_requirements: list[int]
    open_holds: list[str]  # "SO...: kind description"


def customer_history(
    db: Database, actor: Actor, customer_code: str, limit: int = 10
) -> CustomerHistory:
    """Earlier orders and open matters, shown beside the intake form while it is filled in."""
    require_read(actor, "orders")
    with db.reading() as session:
        customer = repo.find_customer(session, customer_code)
        assert customer.id is not None

        def view(o: object) -> HistoryOrder:
            return HistoryOrder(o.order_no, o.order_day, o.status, o.total, o.on_hold)  # type: ignore[attr-defined]

        recent = [view(o) for o in repo.orders_of_customer(session, customer.id, limit)]
        open_orders = [
            view(o)
            for o in repo.orders_of_customer(session, customer.id, 100, HISTORY_OPEN_STATUSES)
        ]
        holds = [
            f"{o.order_no}: {h.kind} {h.description}"
            for o in repo.orders_of_customer(session, customer.id, 100)
            if o.on_hold
            for h in repo.open_holds(session, o.id or 0)
        ]
        return CustomerHistory(
            customer_code=customer.code,
            legal_name=customer.legal_name,
            recent=recent,
            open_orders=open_orders,
            open_requirements=repo.open_requirements_of(session, customer.id),
            open_holds=holds,
        )
