"""Queries and guarded writes the services need. All SQL lives in store/."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import bindparam, case, delete, func, insert, text, update
from sqlmodel import Session, SQLModel, col, select

from order_tui.domain import audit_chain, messages
from order_tui.domain.errors import Conflict, NotFound
from order_tui.store import limits  # also checks every ORM flush against the columns
from order_tui.store.engine import WRITING
from order_tui.store.models import (
    Attachment,
    AuditEvent,
    Customer,
    CustomerAddress,
    CustomerContact,
    Feedback,
    FormDraft,
    Hold,
    Operator,
    OrderCounter,
    OrderLine,
    Package,
    Product,
    ProductionOperation,
    ProductionPlan,
    Requirement,
    RequirementLine,
    ReviewRound,
    ReviewTask,
    ReviewVerdict,
    SalesOrder,
    Shipment,
    ShipmentLine,
    SignOff,
    Stock,
    StockMovement,
)

messages.register(
    {
        "order.not_found": ("没有订单 {order_no}", "order {order_no} not found"),
        "order.not_found_id": ("没有编号为 {id} 的订单", "order #{id} not found"),
        "order.changed": (
            "订单 {order_no} 已被他人修改（{who}，{when}），请重新载入后再试",
            "order {order_no} was changed by {who} at {when}; reload and try again",
        ),
        "customer.not_found": ("没有客户 {customer}", "customer {customer} not found"),
        "product.not_found": ("没有产品 {product}", "product {product} not found"),
    }
)

# session.info key: (the transaction, ids of the orders it read under their row lock)
_LOCKED = "order_tui.locked_orders"

OPEN_STATUSES = (
    "in_review",
    "approved",
    "in_production",
    "picking",
    "packed",
    "shipped",
)


def next_serial(session: Session, day: date) -> int:
    """Bump the day's counter by one upsert in the caller's transaction: gap-free, unique."""
    # The dialect's own INSERT (for ON CONFLICT), imported here: a process loads only the
    # dialect it runs on (the other one's modules cost 1-2 MB of memory, issue 7).
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as insert_fn
    else:
        from sqlalchemy.dialects.sqlite import insert as insert_fn
    table = OrderCounter.__table__  # type: ignore[attr-defined]
    stmt = (
        insert_fn(table)
        .values(day=day, last=1)
        .on_conflict_do_update(index_elements=["day"], set_={"last": table.c.last + 1})
        .returning(table.c.last)
    )
    return int(session.execute(stmt).scalar_one())


def _core(session: Session, statement: Any, params: dict[str, Any]) -> Any:
    """Run a Core statement (no ORM entities) on the session's connection, in its transaction.

    Session.execute would run it the same, after deciding it has no ORM work to do: that
    decision cost the write path about a tenth of an approval's CPU over its five Core
    statements. Nothing is flushed either way (pending ORM changes flush at the next ORM
    query or at COMMIT, as before)."""
    return session.connection().execute(statement, params)


def _locks_rows(session: Session) -> bool:
    """Whether orders read in `session` are read under their row lock: a write transaction
    (Database.writing) on PostgreSQL. SQLite's BEGIN IMMEDIATE already excludes every other
    writer; reads never lock."""
    return bool(session.info.get(WRITING)) and session.get_bind().dialect.name != "sqlite"


def _locked_ids(session: Session) -> set[int]:
    """Ids of the orders read under their row lock in the session's current transaction (a
    rollback ends the transaction and its locks, so the set is kept per transaction)."""
    transaction = session.get_transaction()
    held = session.info.get(_LOCKED)
    if held is None or held[0] is not transaction:
        held = (transaction, set())
        session.info[_LOCKED] = held
    return held[1]


def lock_order(session: Session, order: SalesOrder) -> None:
    """PostgreSQL: make sure the order is read under its row lock, held to COMMIT, so what the
    write decides from (status, version, hold) cannot change under it; a guarded UPDATE of
    another session waits meanwhile. An order `get_order` read in this write transaction
    already is (its SELECT ... FOR UPDATE); any other is re-read under the lock here."""
    if session.get_bind().dialect.name == "sqlite":
        return
    if order.id is not None and order.id in _locked_ids(session):
        return
    session.refresh(order, with_for_update=True)
    if order.id is not None:
        _locked_ids(session).add(order.id)


# Statements the write path runs on every action are built once, with bound parameters:
# building a select anew each call cost more Python than SQLite took to answer it.
_ORDER_BY_NO = select(SalesOrder).where(SalesOrder.order_no == bindparam("order_no"))
# The same under the row lock (PostgreSQL write transactions): one statement where reading and
# then re-reading FOR UPDATE took two. READ COMMITTED returns the newest committed row once the
# lock is granted, and populate_existing overwrites an object this session had read before.
_ORDER_BY_NO_LOCKED = _ORDER_BY_NO.with_for_update().execution_options(populate_existing=True)


def get_order(session: Session, order_no: str) -> SalesOrder:
    """The order numbered `order_no`; in a write transaction on PostgreSQL, read under its row
    lock (every write that loads an order by number goes on to authorize a change of it)."""
    if _locks_rows(session):
        order = session.exec(_ORDER_BY_NO_LOCKED, params={"order_no": order_no}).first()
        if order is not None and order.id is not None:
            _locked_ids(session).add(order.id)
    else:
        order = session.exec(_ORDER_BY_NO, params={"order_no": order_no}).first()
    if order is None:
        raise NotFound(code="order.not_found", order_no=order_no)
    return order


def get_order_by_id(session: Session, order_id: int) -> SalesOrder:
    order = session.get(SalesOrder, order_id)
    if order is None:
        raise NotFound(code="order.not_found_id", id=order_id)
    return order


def order_lines(session: Session, order_id: int) -> list[OrderLine]:
    stmt = select(OrderLine).where(OrderLine.order_id == order_id).order_by(col(OrderLine.line_no))
    return list(session.exec(stmt))


def last_change(session: Session, entity: str, entity_id: int) -> tuple[str, str]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
        .order_by(col(AuditEvent.id).desc())
        .limit(1)
    )
    event = session.exec(stmt).first()
    if event is None:
        return ("someone", "")
    return (event.operator_name, event.at.isoformat(timespec="seconds"))


@cache
def _guarded_update_of(columns: tuple[str, ...]) -> Any:
    """The guarded UPDATE setting `columns`, built once per set of columns."""
    table = SalesOrder.__table__  # type: ignore[attr-defined]
    return (
        update(table)
        .where(
            table.c.id == bindparam("w_id"),
            table.c.version == bindparam("w_version"),
            table.c.status == bindparam("w_status"),
        )
        .values(
            version=table.c.version + 1,
            **{name: bindparam(f"v_{name}", type_=table.c[name].type) for name in columns},
        )
    )


def guarded_update(
    session: Session,
    order: SalesOrder,
    *,
    expected_version: int,
    expected_status: str,
    values: dict[str, Any],
) -> None:
    """One UPDATE that only hits the row as it was read; 0 rows means someone came first.

    `values` are plain column values (bound as parameters, not SQL expressions)."""
    limits.check_values(SalesOrder.__table__.columns, values)  # type: ignore[attr-defined]
    params = {f"v_{name}": value for name, value in values.items()}
    params.update(w_id=order.id, w_version=expected_version, w_status=expected_status)
    result = _core(session, _guarded_update_of(tuple(values)), params)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        assert order.id is not None
        who, when = last_change(session, "order", order.id)
        raise Conflict(
            changed_by=who,
            changed_at=when,
            code="order.changed",
            order_no=order.order_no,
            who=who,
            when=when,
        )
    session.expire(order)


def find_customer(session: Session, code: str) -> Customer:
    customer = session.exec(select(Customer).where(Customer.code == code)).first()
    if customer is None:
        raise NotFound(code="customer.not_found", customer=code)
    return customer


def default_contact(session: Session, customer_id: int) -> CustomerContact | None:
    stmt = (
        select(CustomerContact)
        .where(CustomerContact.customer_id == customer_id)
        .order_by(col(CustomerContact.is_default).desc(), col(CustomerContact.id))
    )
    return session.exec(stmt).first()


def default_address(session: Session, customer_id: int) -> CustomerAddress | None:
    stmt = (
        select(CustomerAddress)
        .where(CustomerAddress.customer_id == customer_id)
        .order_by(col(CustomerAddress.is_default).desc(), col(CustomerAddress.id))
    )
    return session.exec(stmt).first()


def find_product(session: Session, code: str) -> Product:
    product = session.exec(select(Product).where(Product.code == code)).first()
    if product is None:
        raise NotFound(code="product.not_found", product=code)
    return product


def stock_for(session: Session, product_id: int) -> Stock:
    """The product's stock row for changing it in this transaction (created at zero).

    PostgreSQL: read under its row lock, as it is now (orders of other sessions pick and ship
    the same product at the same time; without the lock one's change overwrites the other's).
    Changes made to it earlier in this transaction are flushed first, so the fresh read keeps
    them. SQLite's BEGIN IMMEDIATE already excludes every other writer.
    """
    if session.get_bind().dialect.name != "sqlite":
        session.flush()
        stock = session.get(Stock, product_id, with_for_update=True, populate_existing=True)
    else:
        stock = session.get(Stock, product_id)
    if stock is None:
        stock = Stock(product_id=product_id)
        session.add(stock)
        session.flush()
    return stock


def open_orders_of_customer(
    session: Session, customer_id: int, exclude_id: int | None
) -> list[tuple[str, Decimal]]:
    stmt = select(SalesOrder.order_no, SalesOrder.total).where(
        SalesOrder.customer_id == customer_id, col(SalesOrder.status).in_(OPEN_STATUSES)
    )
    if exclude_id is not None:
        stmt = stmt.where(SalesOrder.id != exclude_id)
    return [(no, total) for no, total in session.exec(stmt)]


def recent_orders_of_customer(session: Session, customer_id: int, limit: int = 10) -> list[str]:
    stmt = (
        select(SalesOrder.order_no)
        .where(SalesOrder.customer_id == customer_id)
        .order_by(col(SalesOrder.order_day).desc(), col(SalesOrder.serial).desc())
        .limit(limit)
    )
    return list(session.exec(stmt))


def open_holds(session: Session, order_id: int) -> list[Hold]:
    stmt = select(Hold).where(Hold.order_id == order_id, col(Hold.released_at).is_(None))
    return list(session.exec(stmt))


def attachment_kinds(session: Session, order_id: int) -> set[str]:
    stmt = select(Attachment.kind).where(Attachment.order_id == order_id)
    return set(session.exec(stmt))


def attachments_of(session: Session, order_id: int) -> list[Attachment]:
    stmt = select(Attachment).where(Attachment.order_id == order_id).order_by(col(Attachment.id))
    return list(session.exec(stmt))


_CURRENT_ROUND = (
    select(ReviewRound)
    .where(ReviewRound.order_id == bindparam("order_id"))
    .order_by(col(ReviewRound.round_no).desc())
    .limit(1)
)


def current_round(session: Session, order_id: int) -> ReviewRound | None:
    return session.exec(_CURRENT_ROUND, params={"order_id": order_id}).first()


# The current round and its verdicts so far in one statement (a verdict reads both).
_CURRENT_ROUND_WITH_VERDICTS = (
    select(ReviewRound, ReviewVerdict)
    .outerjoin(ReviewVerdict, col(ReviewVerdict.round_id) == col(ReviewRound.id))
    .where(
        col(ReviewRound.id)
        == select(ReviewRound.id)
        .where(ReviewRound.order_id == bindparam("order_id"))
        .order_by(col(ReviewRound.round_no).desc())
        .limit(1)
        .scalar_subquery()
    )
    .order_by(col(ReviewVerdict.id))
)


def current_round_and_verdicts(
    session: Session, order_id: int
) -> tuple[ReviewRound | None, list[ReviewVerdict]]:
    """`current_round` and `verdicts_of_round` of it (in the order given), in one query."""
    rows = session.exec(_CURRENT_ROUND_WITH_VERDICTS, params={"order_id": order_id}).all()
    if not rows:
        return None, []
    return rows[0][0], [verdict for _round, verdict in rows if verdict is not None]


def rounds_of(session: Session, order_id: int) -> list[ReviewRound]:
    stmt = (
        select(ReviewRound)
        .where(ReviewRound.order_id == order_id)
        .order_by(col(ReviewRound.round_no))
    )
    return list(session.exec(stmt))


_VERDICTS_OF_ROUND = (
    select(ReviewVerdict)
    .where(ReviewVerdict.round_id == bindparam("round_id"))
    .order_by(col(ReviewVerdict.id))
)


def verdicts_of_round(session: Session, round_id: int) -> list[ReviewVerdict]:
    return list(session.exec(_VERDICTS_OF_ROUND, params={"round_id": round_id}))


def plans_of(session: Session, order_id: int) -> list[ProductionPlan]:
    stmt = (
        select(ProductionPlan)
        .where(ProductionPlan.order_id == order_id)
        .order_by(col(ProductionPlan.id))
    )
    return list(session.exec(stmt))


def operations_of(session: Session, plan_ids: Sequence[int]) -> list[ProductionOperation]:
    if not plan_ids:
        return []
    stmt = (
        select(ProductionOperation)
        .where(col(ProductionOperation.plan_id).in_(plan_ids))
        .order_by(col(ProductionOperation.plan_id), col(ProductionOperation.seq))
    )
    return list(session.exec(stmt))


def feedback_of(session: Session, order_id: int) -> Feedback | None:
    return session.exec(select(Feedback).where(Feedback.order_id == order_id)).first()


def operator_by_username(session: Session, username: str) -> Operator | None:
    return session.exec(select(Operator).where(Operator.username == username)).first()


def operator_by_os_user(session: Session, os_user: str) -> Operator | None:
    stmt = select(Operator).where(Operator.os_user == os_user, col(Operator.active).is_(True))
    return session.exec(stmt).first()


def all_operators(session: Session) -> list[Operator]:
    return list(session.exec(select(Operator).order_by(col(Operator.username))))


def audit_of_order(session: Session, order_id: int) -> list[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.entity == "order", AuditEvent.entity_id == order_id)
        .order_by(col(AuditEvent.id))
    )
    return list(session.exec(stmt))


def count_audit(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(AuditEvent)).one())


def list_orders(
    session: Session,
    *,
    statuses: Sequence[str] | None = None,
    after: tuple[date, int] | None = None,
    limit: int = 50,
) -> list[SalesOrder]:
    """Keyset-paged by (order_day, serial) descending: newest first, no OFFSET."""
    stmt = select(SalesOrder)
    if statuses:
        stmt = stmt.where(col(SalesOrder.status).in_(statuses))
    if after is not None:
        day, serial = after
        stmt = stmt.where(
            (col(SalesOrder.order_day) < day)
            | ((col(SalesOrder.order_day) == day) & (col(SalesOrder.serial) < serial))
        )
    stmt = stmt.order_by(col(SalesOrder.order_day).desc(), col(SalesOrder.serial).desc())
    return list(session.exec(stmt.limit(limit)))


def feedback_due(session: Session, now: datetime, limit: int = 100) -> list[tuple[Feedback, str]]:
    stmt = (
        select(Feedback, SalesOrder.order_no)
        .join(SalesOrder, col(SalesOrder.id) == Feedback.order_id)
        .where(col(Feedback.done_at).is_(None))
        .order_by(col(Feedback.due_at))
        .limit(limit)
    )
    return [(fb, no) for fb, no in session.exec(stmt)]


def customer_exists(session: Session, *, code: str | None = None, uscc: str | None = None) -> bool:
    stmt = select(Customer.id)
    stmt = (
        stmt.where(Customer.code == code) if code is not None else stmt.where(Customer.uscc == uscc)
    )
    return session.exec(stmt).first() is not None


def product_exists(session: Session, code: str) -> bool:
    return session.exec(select(Product.id).where(Product.code == code)).first() is not None


def peek_stock(session: Session, product_id: int) -> Stock:
    """The stock row for reading; a product never stocked reads as zero (nothing is written)."""
    return session.get(Stock, product_id) or Stock(product_id=product_id)


def requirement_lines(session: Session, requirement_id: int) -> list[RequirementLine]:
    stmt = (
        select(RequirementLine)
        .where(RequirementLine.requirement_id == requirement_id)
        .order_by(col(RequirementLine.line_no))
    )
    return list(session.exec(stmt))


def orders_in_status_oldest_first(session: Session, status: str, limit: int) -> list[SalesOrder]:
    stmt = (
        select(SalesOrder)
        .where(SalesOrder.status == status)
        .order_by(col(SalesOrder.order_day), col(SalesOrder.serial))
        .limit(limit)
    )
    return list(session.exec(stmt))


def last_rejection(session: Session, order_id: int) -> ReviewVerdict | None:
    stmt = (
        select(ReviewVerdict)
        .where(ReviewVerdict.order_id == order_id, ReviewVerdict.verdict == "reject")
        .order_by(col(ReviewVerdict.id).desc())
        .limit(1)
    )
    return session.exec(stmt).first()


def orders_on_hold(session: Session, limit: int) -> list[tuple[SalesOrder, Hold]]:
    """Held orders with their oldest open hold, oldest hold first."""
    stmt = (
        select(SalesOrder, Hold)
        .join(Hold, col(Hold.order_id) == SalesOrder.id)
        .where(col(SalesOrder.on_hold).is_(True), col(Hold.released_at).is_(None))
        .order_by(col(Hold.raised_at))
        .limit(limit)
    )
    seen: set[int] = set()
    out = []
    for order, hold in session.exec(stmt):
        if order.id not in seen:
            seen.add(order.id or 0)
            out.append((order, hold))
    return out


def feedback_due_orders(session: Session, limit: int) -> list[tuple[Feedback, SalesOrder]]:
    """Open feedback calls with their orders, earliest due first."""
    stmt = (
        select(Feedback, SalesOrder)
        .join(SalesOrder, col(SalesOrder.id) == Feedback.order_id)
        .where(col(Feedback.done_at).is_(None))
        .order_by(col(Feedback.due_at))
        .limit(limit)
    )
    return [(fb, order) for fb, order in session.exec(stmt)]


def form_draft(session: Session, operator_id: int, form_key: str) -> FormDraft | None:
    stmt = select(FormDraft).where(
        FormDraft.operator_id == operator_id, FormDraft.form_key == form_key
    )
    return session.exec(stmt).first()


def form_drafts_of(session: Session, operator_id: int) -> list[FormDraft]:
    stmt = (
        select(FormDraft)
        .where(FormDraft.operator_id == operator_id)
        .order_by(col(FormDraft.saved_at).desc())
    )
    return list(session.exec(stmt))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_customers(session: Session, text: str, limit: int = 20) -> list[Customer]:
    """By code, name substring, pinyin initials, USCC or a contact's phone."""
    text = text.strip()
    stmt = select(Customer).where(col(Customer.active).is_(True))
    if text:
        pattern = _like(text)
        phones = select(CustomerContact.customer_id).where(
            col(CustomerContact.phone).like(pattern, escape="\\")
        )
        stmt = stmt.where(
            col(Customer.code).ilike(pattern, escape="\\")
            | col(Customer.legal_name).like(pattern, escape="\\")
            | col(Customer.mnemonic).like(_like(text.lower()), escape="\\")
            | col(Customer.uscc).like(_like(text.upper()), escape="\\")
            | col(Customer.id).in_(phones)
        )
    return list(session.exec(stmt.order_by(col(Customer.code)).limit(limit)))


def search_products(session: Session, text: str, limit: int = 20) -> list[Product]:
    """By code, name or spec substring, or pinyin initials."""
    text = text.strip()
    stmt = select(Product).where(col(Product.active).is_(True))
    if text:
        pattern = _like(text)
        stmt = stmt.where(
            col(Product.code).ilike(pattern, escape="\\")
            | col(Product.name).like(pattern, escape="\\")
            | col(Product.spec).ilike(pattern, escape="\\")
            | col(Product.mnemonic).like(_like(text.lower()), escape="\\")
        )
    return list(session.exec(stmt.order_by(col(Product.code)).limit(limit)))


def contacts_of(session: Session, customer_id: int) -> list[CustomerContact]:
    stmt = (
        select(CustomerContact)
        .where(CustomerContact.customer_id == customer_id)
        .order_by(col(CustomerContact.is_default).desc(), col(CustomerContact.id))
    )
    return list(session.exec(stmt))


def addresses_of(session: Session, customer_id: int) -> list[CustomerAddress]:
    stmt = (
        select(CustomerAddress)
        .where(CustomerAddress.customer_id == customer_id)
        .order_by(col(CustomerAddress.is_default).desc(), col(CustomerAddress.id))
    )
    return list(session.exec(stmt))


def customers_page(session: Session, after_code: str | None, limit: int) -> list[Customer]:
    stmt = select(Customer)
    if after_code is not None:
        stmt = stmt.where(Customer.code > after_code)
    return list(session.exec(stmt.order_by(col(Customer.code)).limit(limit)))


def products_page(session: Session, after_code: str | None, limit: int) -> list[Product]:
    stmt = select(Product)
    if after_code is not None:
        stmt = stmt.where(Product.code > after_code)
    return list(session.exec(stmt.order_by(col(Product.code)).limit(limit)))


def stock_page(
    session: Session, after_code: str | None, limit: int
) -> list[tuple[Product, Stock | None]]:
    stmt = select(Product, Stock).join(Stock, col(Stock.product_id) == Product.id, isouter=True)
    if after_code is not None:
        stmt = stmt.where(Product.code > after_code)
    return [(p, s) for p, s in session.exec(stmt.order_by(col(Product.code)).limit(limit))]


def movements_of(
    session: Session, product_id: int, limit: int = 100, before_id: int | None = None
) -> list[tuple[StockMovement, str | None, str | None]]:
    stmt = (
        select(StockMovement, Operator.username, SalesOrder.order_no)
        .join(Operator, col(Operator.id) == StockMovement.operator_id, isouter=True)
        .join(SalesOrder, col(SalesOrder.id) == StockMovement.order_id, isouter=True)
        .where(StockMovement.product_id == product_id)
    )
    if before_id is not None:
        stmt = stmt.where(col(StockMovement.id) < before_id)
    stmt = stmt.order_by(col(StockMovement.id).desc()).limit(limit)
    return [(m, who, no) for m, who, no in session.exec(stmt)]


def orders_of_customer(
    session: Session, customer_id: int, limit: int, statuses: Sequence[str] | None = None
) -> list[SalesOrder]:
    stmt = select(SalesOrder).where(SalesOrder.customer_id == customer_id)
    if statuses:
        stmt = stmt.where(col(SalesOrder.status).in_(statuses))
    stmt = stmt.order_by(col(SalesOrder.order_day).desc(), col(SalesOrder.serial).desc())
    return list(session.exec(stmt.limit(limit)))


def open_requirements_of(session: Session, customer_id: int) -> list[int]:
    stmt = select(Requirement.id).where(
        Requirement.customer_id == customer_id, Requirement.status == "open"
    )
    return [i for i in session.exec(stmt) if i is not None]


def search_orders(session: Session, text: str, limit: int) -> list[SalesOrder]:
    """By order-number part, customer name part or pinyin initials; newest first."""
    text = text.strip()
    pattern = _like(text)
    stmt = select(SalesOrder).where(
        col(SalesOrder.order_no).ilike(pattern, escape="\\")
        | col(SalesOrder.cust_name).like(pattern, escape="\\")
        | col(SalesOrder.cust_mnemonic).like(_like(text.lower()), escape="\\")
    )
    stmt = stmt.order_by(col(SalesOrder.order_day).desc(), col(SalesOrder.serial).desc())
    return list(session.exec(stmt.limit(limit)))


_TASKS = ReviewTask.__table__  # type: ignore[attr-defined]
_DELETE_TASKS = delete(_TASKS).where(_TASKS.c.order_id == bindparam("order_id"))
_DELETE_DEPARTMENT_TASK = _DELETE_TASKS.where(_TASKS.c.department == bindparam("department"))


def delete_review_tasks(session: Session, *, order_id: int, department: str | None = None) -> None:
    # A Core delete built once: no write session holds review_task objects to keep in step,
    # and the ORM's bulk delete spent more Python on that than SQLite spent deleting.
    if department is None:
        _core(session, _DELETE_TASKS, {"order_id": order_id})
    else:
        _core(session, _DELETE_DEPARTMENT_TASK, {"order_id": order_id, "department": department})


INBOX_SORTS = {
    "age": "submitted_at",
    "amount": "total",
    "customer": "cust_mnemonic",
}


def inbox_page(
    session: Session,
    departments: Sequence[str],
    *,
    sort: str = "age",
    descending: bool = False,
    after: tuple[Any, int] | None = None,
    text: str = "",
    amount_min: Decimal | None = None,
    amount_max: Decimal | None = None,
    limit: int = 50,
) -> list[tuple[ReviewTask, SalesOrder]]:
    """Pending review tasks, keyset-paged on (sort column, id): no OFFSET, no whole-table load."""
    column = getattr(ReviewTask, INBOX_SORTS[sort])
    stmt = select(ReviewTask, SalesOrder).join(
        SalesOrder, col(SalesOrder.id) == ReviewTask.order_id
    )
    if len(departments) == 1:
        stmt = stmt.where(col(ReviewTask.department) == departments[0])
    else:
        stmt = stmt.where(col(ReviewTask.department).in_(departments))
    if text.strip():
        pattern = _like(text.strip())
        stmt = stmt.where(
            col(ReviewTask.order_no).ilike(pattern, escape="\\")
            | col(ReviewTask.cust_name).like(pattern, escape="\\")
            | col(ReviewTask.cust_mnemonic).like(_like(text.strip().lower()), escape="\\")
        )
    if amount_min is not None:
        stmt = stmt.where(col(ReviewTask.total) >= amount_min)
    if amount_max is not None:
        stmt = stmt.where(col(ReviewTask.total) <= amount_max)
    if after is not None:
        value, last_id = after
        if descending:
            stmt = stmt.where(
                (col(column) < value) | ((col(column) == value) & (col(ReviewTask.id) < last_id))
            )
        else:
            stmt = stmt.where(
                (col(column) > value) | ((col(column) == value) & (col(ReviewTask.id) > last_id))
            )
    order = (
        (col(column).desc(), col(ReviewTask.id).desc())
        if descending
        else (col(column), col(ReviewTask.id))
    )
    return [(t, o) for t, o in session.exec(stmt.order_by(*order).limit(limit))]


def inbox_counts(session: Session) -> dict[str, int]:
    stmt = select(ReviewTask.department, func.count()).group_by(col(ReviewTask.department))
    return {dept: int(n) for dept, n in session.exec(stmt)}


# -- step 4: production plans, the pick queue, holds --------------------------------------------

FAR_FUTURE = date(9999, 12, 31)  # an order without a wanted date sorts after every dated one


def _open_operation_of_plan() -> Any:
    return (
        select(ProductionOperation.id)
        .where(
            col(ProductionOperation.plan_id) == col(ProductionPlan.id),
            col(ProductionOperation.done_at).is_(None),
        )
        .exists()
    )


def open_plans_page(
    session: Session, after: tuple[date, int] | None = None, limit: int = 50
) -> list[tuple[ProductionPlan, OrderLine, SalesOrder]]:
    """Plans of orders in production with an operation still open, by due date then id;
    keyset-paged on (due_date, id): no OFFSET."""
    stmt = (
        select(ProductionPlan, OrderLine, SalesOrder)
        .join(OrderLine, col(OrderLine.id) == ProductionPlan.line_id)
        .join(SalesOrder, col(SalesOrder.id) == ProductionPlan.order_id)
        .where(SalesOrder.status == "in_production", _open_operation_of_plan())
    )
    if after is not None:
        due, last_id = after
        stmt = stmt.where(
            (col(ProductionPlan.due_date) > due)
            | ((col(ProductionPlan.due_date) == due) & (col(ProductionPlan.id) > last_id))
        )
    stmt = stmt.order_by(col(ProductionPlan.due_date), col(ProductionPlan.id)).limit(limit)
    return [(p, ln, o) for p, ln, o in session.exec(stmt)]


def orders_to_plan(session: Session, limit: int = 50) -> list[SalesOrder]:
    """Approved orders with a made-to-order line: production plans them next (oldest first)."""
    mto = (
        select(OrderLine.id)
        .where(col(OrderLine.order_id) == col(SalesOrder.id), col(OrderLine.made_to_order))
        .exists()
    )
    stmt = (
        select(SalesOrder)
        .where(SalesOrder.status == "approved", mto)
        .order_by(func.coalesce(col(SalesOrder.wanted_date), FAR_FUTURE), col(SalesOrder.id))
        .limit(limit)
    )
    return list(session.exec(stmt))


def pick_queue_page(
    session: Session, after: tuple[date, int] | None = None, limit: int = 50
) -> list[SalesOrder]:
    """Orders the warehouse can pick now, by requested delivery date (undated last), then id;
    keyset-paged on (wanted date, id).

    Picking ones; approved ones without a made-to-order line; orders in production whose every
    operation is done (their goods are in stock and wait for the picker).
    """
    mto = (
        select(OrderLine.id)
        .where(col(OrderLine.order_id) == col(SalesOrder.id), col(OrderLine.made_to_order))
        .exists()
    )
    open_op = (
        select(ProductionOperation.id)
        .join(ProductionPlan, col(ProductionPlan.id) == ProductionOperation.plan_id)
        .where(
            col(ProductionPlan.order_id) == col(SalesOrder.id),
            col(ProductionOperation.done_at).is_(None),
        )
        .exists()
    )
    wanted = func.coalesce(col(SalesOrder.wanted_date), FAR_FUTURE)
    stmt = select(SalesOrder).where(
        (col(SalesOrder.status) == "picking")
        | ((col(SalesOrder.status) == "approved") & ~mto)
        | ((col(SalesOrder.status) == "in_production") & ~open_op)
    )
    if after is not None:
        day, last_id = after
        stmt = stmt.where((wanted > day) | ((wanted == day) & (col(SalesOrder.id) > last_id)))
    stmt = stmt.order_by(wanted, col(SalesOrder.id)).limit(limit)
    return list(session.exec(stmt))


def line_progress(session: Session, order_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """order id -> (lines, lines picked in full), for a page of orders."""
    if not order_ids:
        return {}
    full = func.sum(case((col(OrderLine.picked_qty) >= col(OrderLine.qty), 1), else_=0))
    stmt = (
        select(OrderLine.order_id, func.count(), full)
        .where(col(OrderLine.order_id).in_(order_ids))
        .group_by(col(OrderLine.order_id))
    )
    return {oid: (int(n), int(done or 0)) for oid, n, done in session.exec(stmt)}


def products_by_id(session: Session, ids: Sequence[int]) -> dict[int, Product]:
    if not ids:
        return {}
    stmt = select(Product).where(col(Product.id).in_(ids))
    return {p.id or 0: p for p in session.exec(stmt)}


def stock_by_product(session: Session, ids: Sequence[int]) -> dict[int, Stock]:
    if not ids:
        return {}
    stmt = select(Stock).where(col(Stock.product_id).in_(ids))
    return {s.product_id: s for s in session.exec(stmt)}


def packages_of(session: Session, order_id: int) -> list[Package]:
    stmt = select(Package).where(Package.order_id == order_id).order_by(col(Package.id))
    return list(session.exec(stmt))


def holds_page(
    session: Session,
    *,
    open_only: bool = True,
    after: tuple[datetime, int] | None = None,
    limit: int = 50,
) -> list[tuple[Hold, SalesOrder]]:
    """Holds with their orders, oldest raised first; keyset-paged on (raised_at, id)."""
    stmt = select(Hold, SalesOrder).join(SalesOrder, col(SalesOrder.id) == Hold.order_id)
    if open_only:
        stmt = stmt.where(col(Hold.released_at).is_(None))
    if after is not None:
        raised, last_id = after
        stmt = stmt.where(
            (col(Hold.raised_at) > raised)
            | ((col(Hold.raised_at) == raised) & (col(Hold.id) > last_id))
        )
    stmt = stmt.order_by(col(Hold.raised_at), col(Hold.id)).limit(limit)
    return [(h, o) for h, o in session.exec(stmt)]


def holds_raised_between(
    session: Session, start: datetime, end: datetime
) -> list[tuple[Hold, str]]:
    """Holds raised in [start, end) with their order numbers (the monthly review)."""
    stmt = (
        select(Hold, SalesOrder.order_no)
        .join(SalesOrder, col(SalesOrder.id) == Hold.order_id)
        .where(col(Hold.raised_at) >= start, col(Hold.raised_at) < end)
        .order_by(col(Hold.raised_at), col(Hold.id))
    )
    return [(h, no) for h, no in session.exec(stmt)]


def operator_names(session: Session, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    stmt = select(Operator.id, Operator.username).where(col(Operator.id).in_(set(ids)))
    return {i: name for i, name in session.exec(stmt) if i is not None}


# -- step 6: completion queue, archived order history, purge ------------------------------------


def completion_page(
    session: Session, status: str, after: tuple[date, int] | None, limit: int
) -> list[SalesOrder]:
    """Orders in `status` oldest first, keyset-paged on (order_day, serial); delivered ones
    only once their feedback is recorded (the archivist's queue)."""
    stmt = select(SalesOrder).where(SalesOrder.status == status)
    if status == "delivered":
        done = (
            select(Feedback.id)
            .where(col(Feedback.order_id) == col(SalesOrder.id), col(Feedback.done_at).is_not(None))
            .exists()
        )
        stmt = stmt.where(done)
    if after is not None:
        day, serial = after
        stmt = stmt.where(
            (col(SalesOrder.order_day) > day)
            | ((col(SalesOrder.order_day) == day) & (col(SalesOrder.serial) > serial))
        )
    stmt = stmt.order_by(col(SalesOrder.order_day), col(SalesOrder.serial)).limit(limit)
    return list(session.exec(stmt))


def attachment_kinds_of(session: Session, order_ids: Sequence[int]) -> dict[int, set[str]]:
    if not order_ids:
        return {}
    stmt = select(Attachment.order_id, Attachment.kind).where(
        col(Attachment.order_id).in_(order_ids)
    )
    out: dict[int, set[str]] = {i: set() for i in order_ids}
    for order_id, kind in session.exec(stmt):
        out.setdefault(order_id or 0, set()).add(kind)
    return out


def holds_of(session: Session, order_id: int) -> list[Hold]:
    stmt = select(Hold).where(Hold.order_id == order_id).order_by(col(Hold.id))
    return list(session.exec(stmt))


def purgeable_orders(session: Session, cutoff: date, limit: int | None = None) -> list[SalesOrder]:
    """Archived orders kept until a day before `cutoff`, oldest retention first."""
    stmt = (
        select(SalesOrder)
        .where(
            SalesOrder.status == "archived",
            col(SalesOrder.retention_until).is_not(None),
            col(SalesOrder.retention_until) < cutoff,
        )
        .order_by(col(SalesOrder.retention_until), col(SalesOrder.id))
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.exec(stmt))


def delete_orders(session: Session, order_ids: Sequence[int]) -> None:
    """Remove orders and every row that hangs on them, children first; the stock ledger keeps
    its movements with the order reference cleared, the audit log keeps everything."""
    for start in range(0, len(order_ids), 500):  # bound the parameters per statement
        _delete_orders(session, list(order_ids[start : start + 500]))


def _delete_orders(session: Session, ids: list[int]) -> None:
    shipments = select(Shipment.id).where(col(Shipment.order_id).in_(ids))
    plans = select(ProductionPlan.id).where(col(ProductionPlan.order_id).in_(ids))
    session.execute(delete(ShipmentLine).where(col(ShipmentLine.shipment_id).in_(shipments)))
    session.execute(delete(ProductionOperation).where(col(ProductionOperation.plan_id).in_(plans)))
    for model in (
        Shipment,
        SignOff,
        Feedback,
        Hold,
        Package,
        ReviewTask,
        ReviewVerdict,
        ProductionPlan,
    ):
        session.execute(delete(model).where(col(model.order_id).in_(ids)))  # type: ignore[attr-defined]
    session.execute(delete(ReviewRound).where(col(ReviewRound.order_id).in_(ids)))
    session.execute(delete(Attachment).where(col(Attachment.order_id).in_(ids)))
    session.execute(
        update(StockMovement).where(col(StockMovement.order_id).in_(ids)).values(order_id=None)
    )
    session.execute(delete(OrderLine).where(col(OrderLine.order_id).in_(ids)))
    session.execute(delete(SalesOrder).where(col(SalesOrder.id).in_(ids)))


# pg_advisory_xact_lock key for appending to the audit log, the ASCII bytes of "orderaud".
AUDIT_CHAIN_LOCK_KEY = 0x6F72646572617564
_LAST_LINK = select(AuditEvent.chain).order_by(col(AuditEvent.id).desc()).limit(1)
_AUDIT_CHAIN_LOCK = text("SELECT pg_advisory_xact_lock(:k)")


def last_audit_link(session: Session) -> str:
    """The chain link of the newest audit entry (the genesis link for an empty log).

    The caller appends the next entry in this transaction. SQLite: BEGIN IMMEDIATE already
    made it the only writer. PostgreSQL: writers run side by side, so two could link to the
    same entry; a transaction-scoped advisory lock makes appends take turns from here to
    COMMIT, and as every entry is inserted under it, ids follow the chain's order.
    """
    if session.get_bind().dialect.name == "postgresql":
        _core(session, _AUDIT_CHAIN_LOCK, {"k": AUDIT_CHAIN_LOCK_KEY})
    return session.exec(_LAST_LINK).first() or audit_chain.GENESIS


@cache
def _insert_into(model: type[SQLModel]) -> Any:
    return insert(model.__table__)  # type: ignore[attr-defined]


def insert_row(session: Session, model: type[SQLModel], values: dict[str, Any]) -> None:
    """One row by a Core INSERT, at once. For appends whose object nobody reads back (audit
    entries, verdicts): building the SQLModel object and flushing it cost the approval more
    than the statement itself. The column limits are checked as a flush would."""
    limits.check_values(model.__table__.columns, values)  # type: ignore[attr-defined]
    _core(session, _insert_into(model), values)


@contextmanager
def separate_transaction(session: Session) -> Iterator[Session]:
    """A write transaction of its own on `session`'s database, committed when the block ends
    (a refusal logged after the refused change was rolled back)."""
    with Session(session.get_bind(), info={WRITING: True}) as own, own.begin():
        yield own
