"""Step 2: create and edit draft orders. The customer is snapshotted as entered."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlmodel import Session

from order_tui.domain import messages, money, terms
from order_tui.domain.errors import InvalidValue, PermissionDenied, ValidationError
from order_tui.domain.lifecycle import Action, Status
from order_tui.domain.order_numbers import format_order_no
from order_tui.domain.roles import PERMISSIONS
from order_tui.domain.text import number_problem
from order_tui.services import inputs, views
from order_tui.services.common import (
    Actor,
    audit,
    authorize,
    move,
    now_utc,
    require_read,
    today,
)
from order_tui.store import repo
from order_tui.store.engine import Database
from order_tui.store.models import Customer, OrderLine, SalesOrder

CREATE_ROLES = PERMISSIONS["create_order"]

messages.register(
    {
        "order.address_not_customers": (
            "该地址不是此客户的地址",
            "that address is not one of this customer's",
        ),
        "order.no_lines": ("订单至少需要一行明细", "an order needs at least one line"),
        "order.qty_positive": (
            "第 {line} 行：数量必须大于 0",
            "line {line}: quantity must be positive",
        ),
        "order.price_negative": (
            "第 {line} 行：单价不能为负数",
            "line {line}: price cannot be negative",
        ),
        "order.line_problem": ("第 {line} 行：{problem}", "line {line}: {problem}"),
        "order.customer_inactive": ("客户 {customer} 已停用", "customer {customer} is inactive"),
        "order.wanted_before_order": (
            "要求交货日期早于订单日期",
            "wanted delivery date is before the order date",
        ),
        "order.create_needs_role": (
            "新建订单需要以下角色：销售内勤",
            "creating an order needs role: sales_clerk",
        ),
        "order.no_attachment": ("此订单没有该附件", "no such attachment on this order"),
    }
)


@dataclass
class LineInput:
    product_code: str
    qty: Decimal
    unit_price: Decimal | None = None  # None: the product's list price
    tax_code: str | None = None  # None: the product's tax code


@dataclass
class OrderInput:
    customer_code: str
    lines: list[LineInput] = field(default_factory=list)
    freight: Decimal = Decimal("0.00")
    discount: Decimal = Decimal("0.00")
    price_includes_tax: bool = True
    payment_terms: str | None = None  # None: the customer's default
    # The terms in numbers; None: the default of the chosen terms (net60 -> 0 %, 60 days).
    prepay_pct: int | None = None  # percent of the total paid before shipping
    credit_days: int | None = None  # days after the order date the balance is due
    invoice_type: str | None = None  # None: the customer's default
    wanted_date: date | None = None
    payment_due_date: date | None = None  # None: from the payment terms
    contact_name: str | None = None  # None: the customer's default contact
    contact_phone: str | None = None
    address_id: int | None = None  # None: the customer's default delivery address
    remarks: str = ""


def format_address(province: str, city: str, district: str, detail: str) -> str:
    """One line as on a waybill; a municipality (北京市, 上海市...) is its own city."""
    parts = [province] + ([city] if city != province else []) + [district, detail]
    return "".join(parts)


def _snapshot(session: Session, customer: Customer, data: OrderInput) -> dict[str, object]:
    assert customer.id is not None
    contact = repo.default_contact(session, customer.id)
    address = repo.default_address(session, customer.id)
    if data.address_id is not None:
        address = next(
            (a for a in repo.addresses_of(session, customer.id) if a.id == data.address_id), None
        )
        if address is None:
            raise ValidationError(code="order.address_not_customers", field="address")
    addr_text = ""
    if address is not None:
        addr_text = format_address(address.province, address.city, address.district, address.detail)
    return {
        "customer_id": customer.id,
        "cust_name": customer.legal_name,
        "cust_uscc": customer.uscc,
        "cust_bank": customer.bank_name,
        "cust_account": customer.bank_account,
        "cust_address": addr_text,
        "cust_postcode": address.postcode if address else "",
        "contact_name": data.contact_name or (contact.name if contact else ""),
        "contact_phone": data.contact_phone or (contact.phone if contact else ""),
        "invoice_address": customer.invoice_address,
        "invoice_phone": customer.invoice_phone,
        "cust_mnemonic": customer.mnemonic,
    }


def _build_lines(session: Session, data: OrderInput) -> tuple[list[OrderLine], money.OrderTotals]:
    if not data.lines:
        raise ValidationError(code="order.no_lines", field="lines")
    lines: list[OrderLine] = []
    amounts: list[money.LineAmounts] = []
    for no, li in enumerate(data.lines, start=1):
        product = repo.find_product(session, li.product_code)
        assert product.id is not None
        if inputs.number(li.qty, f"lines.{no}.qty", inputs.QUANTITY_PLACES) <= 0:
            raise ValidationError(code="order.qty_positive", field=f"lines.{no}.qty", line=no)
        price = product.list_price if li.unit_price is None else li.unit_price
        inputs.number(price, f"lines.{no}.price", inputs.PRICE_PLACES)
        if price < 0:
            raise ValidationError(code="order.price_negative", field=f"lines.{no}.price", line=no)
        tax_code = li.tax_code or product.tax_code
        try:
            amt = money.line_amounts(
                li.qty, price, tax_code, price_includes_tax=data.price_includes_tax
            )
        except (ValueError, TypeError) as exc:
            raise ValidationError(
                code="order.line_problem", field=f"lines.{no}", line=no, problem=messages.pair(exc)
            ) from None
        problem = number_problem(amt.gross, money.MONEY_PLACES)
        if problem is not None:  # qty x price beyond what an amount column holds
            raise ValidationError(
                code="order.line_problem",
                field=f"lines.{no}",
                line=no,
                problem=messages.pair(problem),
            )
        amounts.append(amt)
        lines.append(
            OrderLine(
                order_id=0,
                line_no=no,
                product_id=product.id,
                product_code=product.code,
                name=product.name,
                spec=product.spec,
                unit=product.unit,
                qty=li.qty,
                unit_price=price,
                tax_code=tax_code,
                net=amt.net,
                tax=amt.tax,
                gross=amt.gross,
                made_to_order=product.made_to_order,
            )
        )
    inputs.number(data.freight, "freight", inputs.MONEY_PLACES)
    inputs.number(data.discount, "discount", inputs.MONEY_PLACES)
    try:
        totals = money.order_totals(amounts, freight=data.freight, discount=data.discount)
    except InvalidValue as exc:
        raise ValidationError(code=exc.code, field="discount", **exc.params) from None
    return lines, totals


def _header_values(
    session: Session, db: Database, data: OrderInput, order_day: date
) -> dict[str, object]:
    customer = repo.find_customer(session, data.customer_code)
    if not customer.active:
        raise ValidationError(
            code="order.customer_inactive", field="customer", customer=customer.code
        )
    pay = data.payment_terms or customer.default_payment_terms
    inv = data.invoice_type or customer.invoice_type
    try:
        terms.check_code(pay, terms.PAYMENT_TERMS, "payment terms")
        terms.check_code(inv, terms.INVOICE_TYPES, "invoice type")
    except InvalidValue as exc:
        raise ValidationError(code=exc.code, field="payment_terms", **exc.params) from None
    if data.wanted_date is not None and data.wanted_date < order_day:
        raise ValidationError(code="order.wanted_before_order", field="wanted_date")
    numbers = terms.resolve_numbers(pay, data.prepay_pct, data.credit_days)
    due = terms.due_date(order_day, numbers.prepay_pct, numbers.credit_days)
    return {
        **_snapshot(session, customer, data),
        "price_includes_tax": data.price_includes_tax,
        "payment_terms": pay,
        "prepay_pct": numbers.prepay_pct,
        "credit_days": numbers.credit_days,
        "invoice_type": inv,
        "wanted_date": data.wanted_date,
        "payment_due_date": data.payment_due_date or due,
        "remarks": data.remarks,
    }


def _totals_values(totals: money.OrderTotals) -> dict[str, object]:
    return {
        "net_total": totals.net,
        "tax_total": totals.tax,
        "goods_total": totals.goods,
        "freight": totals.freight,
        "discount": totals.discount,
        "total": totals.total,
    }


def create_in_session(
    session: Session,
    db: Database,
    actor: Actor,
    data: OrderInput,
    *,
    requirement_id: int | None = None,
) -> SalesOrder:
    """Insert a draft; the number is allocated last so the day's counter is held briefly."""
    day = today(db)
    header = _header_values(session, db, data, day)
    lines, totals = _build_lines(session, data)
    serial = repo.next_serial(session, day)
    now = now_utc()
    order = SalesOrder(
        order_no=format_order_no(day, serial),
        order_day=day,
        serial=serial,
        requirement_id=requirement_id,
        status=Status.DRAFT.value,
        created_by=actor.id,
        created_at=now,
        updated_by=actor.id,
        updated_at=now,
        **header,  # type: ignore[arg-type]
        **_totals_values(totals),  # type: ignore[arg-type]
    )
    session.add(order)
    session.flush()
    assert order.id is not None
    for line in lines:
        line.order_id = order.id
        session.add(line)
    audit(
        session,
        actor,
        "order",
        order.id,
        "create",
        order_no=order.order_no,
        to_status=Status.DRAFT.value,
        changes={
            "customer": data.customer_code,
            "lines": len(lines),
            "total": totals.total,
            "payment_terms": order.payment_terms,
            "prepay_pct": order.prepay_pct,
            "credit_days": order.credit_days,
        },
    )
    return order


def create_order(db: Database, actor: Actor, data: OrderInput) -> views.OrderDetail:
    if not actor.roles & CREATE_ROLES:
        raise PermissionDenied(code="order.create_needs_role")
    with db.writing() as session:
        order = create_in_session(session, db, actor, data)
        session.flush()
        return views.detail(session, order)


def edit_order(
    db: Database, actor: Actor, order_no: str, data: OrderInput, expected_version: int | None
) -> views.OrderDetail:
    """Replace header and lines of a draft or returned order in one guarded update."""
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, Action.EDIT, expected_version)
        assert order.id is not None
        before = views.detail(session, order)
        header = _header_values(session, db, data, order.order_day)
        lines, totals = _build_lines(session, data)
        for old in repo.order_lines(session, order.id):
            session.delete(old)
        session.flush()
        for line in lines:
            line.order_id = order.id
            session.add(line)
        values = {**header, **_totals_values(totals)}
        changed = {
            k: [getattr(before, k, None), v]
            for k, v in values.items()
            if hasattr(before, k) and getattr(before, k) != v
        }
        changed["lines"] = [len(before.lines), len(lines)]
        move(session, actor, order, Action.EDIT, None, values=values, changes=changed)
        session.flush()
        session.refresh(order)
        return views.detail(session, order)


def get_order(db: Database, actor: Actor, order_no: str) -> views.OrderDetail:
    require_read(actor, "orders")
    with db.reading() as session:
        return views.detail(session, repo.get_order(session, order_no))


def list_orders(
    db: Database,
    actor: Actor,
    *,
    statuses: list[str] | None = None,
    after: tuple[date, int] | None = None,
    limit: int = 50,
) -> list[views.OrderSummary]:
    require_read(actor, "orders")
    with db.reading() as session:
        rows = repo.list_orders(session, statuses=statuses, after=after, limit=limit)
        return [views.summary(o) for o in rows]


def order_input_of(db: Database, actor: Actor, order_no: str) -> tuple[OrderInput, int]:
    """The order as the entry form fills it, with the version to save against."""
    require_read(actor, "orders")
    with db.reading() as session:
        order = repo.get_order(session, order_no)
        customer = session.get(Customer, order.customer_id)
        assert customer is not None and order.id is not None
        lines = [
            LineInput(ln.product_code, ln.qty, ln.unit_price, ln.tax_code)
            for ln in repo.order_lines(session, order.id)
        ]
        # The order keeps the address as text (a snapshot); find which of the customer's
        # addresses it was, so saving the form does not fall back to the default one.
        address_id = next(
            (
                a.id
                for a in repo.addresses_of(session, customer.id or 0)
                if format_address(a.province, a.city, a.district, a.detail) == order.cust_address
            ),
            None,
        )
        return (
            OrderInput(
                customer_code=customer.code,
                lines=lines,
                freight=order.freight,
                discount=order.discount,
                price_includes_tax=order.price_includes_tax,
                payment_terms=order.payment_terms,
                prepay_pct=order.prepay_pct,
                credit_days=order.credit_days,
                invoice_type=order.invoice_type,
                wanted_date=order.wanted_date,
                payment_due_date=order.payment_due_date,
                contact_name=order.contact_name,
                contact_phone=order.contact_phone,
                address_id=address_id,
                remarks=order.remarks,
            ),
            order.version,
        )


def preview_totals(
    data: OrderInput, prices: dict[str, Decimal], tax_codes: dict[str, str]
) -> money.OrderTotals:
    """Totals as the grid shows them live, from the same domain arithmetic as the save."""
    amounts = []
    for li in data.lines:
        price = li.unit_price if li.unit_price is not None else prices[li.product_code]
        code = li.tax_code or tax_codes[li.product_code]
        amounts.append(
            money.line_amounts(li.qty, price, code, price_includes_tax=data.price_includes_tax)
        )
    return money.order_totals(amounts, freight=data.freight, discount=data.discount)


def remove_attachment(db: Database, actor: Actor, order_no: str, sha256: str) -> None:
    """Take a file off an order while it is still being entered (draft or returned)."""
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, Action.EDIT)
        assert order.id is not None
        found = [a for a in repo.attachments_of(session, order.id) if a.sha256 == sha256]
        if not found:
            raise ValidationError(code="order.no_attachment", field="attachment")
        session.delete(found[0])
        audit(
            session,
            actor,
            "order",
            order.id,
            "remove_attachment",
            order_no=order_no,
            from_status=order.status,
            to_status=order.status,
            changes={"name": found[0].original_name, "kind": found[0].kind},
        )


def search_orders(
    db: Database, actor: Actor, text: str, limit: int = 20
) -> list[views.OrderSummary]:
    """Orders whose number, customer name or customer initials contain `text`."""
    if not text.strip():
        return list_orders(db, actor, limit=limit)
    require_read(actor, "orders")
    with db.reading() as session:
        return [views.summary(o) for o in repo.search_orders(session, text, limit)]
