"""The tables. Amounts are Decimal in Python and scaled integers in the database (see types).

Every table that operators change carries `version` for optimistic locking. Datetimes are
timezone-aware UTC; business dates (order day, wanted date) are plain dates in the company's
time zone.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from order_tui.store.types import Fen, Micros, Quantity

ZERO = Decimal("0.00")

# Named constraints: SQLite batch migrations can only drop or alter what has a name.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Operator(SQLModel, table=True):
    __tablename__ = "operator"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=40, unique=True)
    display_name: str = Field(max_length=80)
    roles: str = Field(max_length=200)  # ';'-separated Role values
    pin_hash: str = Field(max_length=200)
    os_user: str | None = Field(default=None, max_length=64, unique=True)
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = None
    version: int = 1
    created_at: datetime


class Customer(SQLModel, table=True):
    __tablename__ = "customer"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    legal_name: str = Field(max_length=200, index=True)
    uscc: str = Field(max_length=18, unique=True)
    mnemonic: str = Field(max_length=200, index=True)
    bank_name: str = Field(default="", max_length=200)
    bank_account: str = Field(default="", max_length=32)
    credit_limit: Decimal = Field(default=ZERO, sa_type=Fen())
    payment_terms: str = Field(default="prepaid", max_length=200)  # allowed, ';'-separated
    default_payment_terms: str = Field(default="prepaid", max_length=20)
    invoice_type: str = Field(default="normal", max_length=20)
    invoice_address: str = Field(default="", max_length=300)
    invoice_phone: str = Field(default="", max_length=40)
    active: bool = True
    version: int = 1


class CustomerContact(SQLModel, table=True):
    __tablename__ = "customer_contact"
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    name: str = Field(max_length=80)
    phone: str = Field(max_length=40)
    is_default: bool = True


class CustomerAddress(SQLModel, table=True):
    __tablename__ = "customer_address"
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    province: str = Field(max_length=40)
    city: str = Field(max_length=40)
    district: str = Field(default="", max_length=40)
    detail: str = Field(max_length=300)
    postcode: str = Field(default="", max_length=6)
    is_default: bool = True


class Product(SQLModel, table=True):
    __tablename__ = "product"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200, index=True)
    spec: str = Field(default="", max_length=200)
    unit: str = Field(max_length=20)
    list_price: Decimal = Field(sa_type=Micros())
    floor_price: Decimal = Field(sa_type=Micros())
    ceiling_price: Decimal = Field(sa_type=Micros())
    tax_code: str = Field(default="13", max_length=10)
    made_to_order: bool = False
    # False for services (installation, freight, training): nothing to stock, lock or pick.
    stocked: bool = True
    lead_time_days: int = 0
    mnemonic: str = Field(max_length=200, index=True)
    active: bool = True
    version: int = 1


class Stock(SQLModel, table=True):
    __tablename__ = "stock"
    product_id: int = Field(foreign_key="product.id", primary_key=True)
    on_hand: Decimal = Field(default=Decimal(0), sa_type=Quantity())
    locked: Decimal = Field(default=Decimal(0), sa_type=Quantity())
    incoming: Decimal = Field(default=Decimal(0), sa_type=Quantity())
    incoming_date: date | None = None
    location: str = Field(default="", max_length=40)
    version: int = 1


class StockMovement(SQLModel, table=True):
    """The stock ledger: every change of on-hand or locked quantity, with its cause."""

    __tablename__ = "stock_movement"
    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    order_id: int | None = Field(default=None, foreign_key="sales_order.id", index=True)
    kind: str = Field(max_length=20)  # receipt, lock, unlock, issue, adjust
    qty: Decimal = Field(sa_type=Quantity())
    at: datetime
    operator_id: int | None = Field(default=None, foreign_key="operator.id")
    note: str = Field(default="", max_length=200)


class Requirement(SQLModel, table=True):
    """The Customer Requirement Registration Form of step 1."""

    __tablename__ = "requirement"
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    contact_name: str = Field(max_length=80)
    contact_phone: str = Field(max_length=40)
    channel: str = Field(default="phone", max_length=20)  # phone, visit, online
    description: str = Field(default="", max_length=2000)
    key_demands: str = Field(default="", max_length=2000)
    special_requirements: str = Field(default="", max_length=2000)
    budget: Decimal | None = Field(default=None, sa_type=Fen())
    wanted_date: date | None = None
    status: str = Field(default="open", max_length=20)  # open, converted, dropped
    feasibility: str = Field(default="", max_length=20000)  # JSON of the last check
    alternative_agreed: str = Field(default="", max_length=2000)
    linked_orders: str = Field(default="", max_length=2000)  # order numbers, ';'-separated
    created_by: int = Field(foreign_key="operator.id")
    created_at: datetime
    version: int = 1


class RequirementLine(SQLModel, table=True):
    __tablename__ = "requirement_line"
    id: int | None = Field(default=None, primary_key=True)
    requirement_id: int = Field(foreign_key="requirement.id", index=True)
    line_no: int
    product_id: int | None = Field(default=None, foreign_key="product.id")
    description: str = Field(default="", max_length=500)
    spec: str = Field(default="", max_length=200)
    parameters: str = Field(default="", max_length=2000)  # technical parameters as asked
    qty: Decimal = Field(sa_type=Quantity())


class SalesOrder(SQLModel, table=True):
    __tablename__ = "sales_order"
    __table_args__ = (
        UniqueConstraint("order_day", "serial", name="uq_order_day_serial"),
        Index("ix_order_status_day", "status", "order_day", "serial"),
        Index("ix_order_customer", "customer_id", "order_day"),
        # The archive search (store/archive_queries.py): how many archived orders a customer
        # or an amount range has, answered from the index alone.
        Index("ix_order_customer_status", "customer_id", "status", "order_day", "serial"),
        Index("ix_order_status_total", "status", "total"),
    )
    id: int | None = Field(default=None, primary_key=True)
    order_no: str = Field(max_length=20, unique=True)
    order_day: date
    serial: int
    requirement_id: int | None = Field(default=None, foreign_key="requirement.id")
    customer_id: int = Field(foreign_key="customer.id")
    # Snapshot of the customer as entered: later master-data edits never rewrite an order.
    cust_name: str = Field(max_length=200)
    cust_uscc: str = Field(max_length=18)
    cust_bank: str = Field(default="", max_length=200)
    cust_account: str = Field(default="", max_length=32)
    cust_address: str = Field(default="", max_length=400)
    cust_postcode: str = Field(default="", max_length=6)
    contact_name: str = Field(default="", max_length=80)
    contact_phone: str = Field(default="", max_length=40)
    invoice_address: str = Field(default="", max_length=300)
    invoice_phone: str = Field(default="", max_length=40)
    cust_mnemonic: str = Field(default="", max_length=200)
    price_includes_tax: bool = True
    freight: Decimal = Field(default=ZERO, sa_type=Fen())
    discount: Decimal = Field(default=ZERO, sa_type=Fen())
    net_total: Decimal = Field(default=ZERO, sa_type=Fen())
    tax_total: Decimal = Field(default=ZERO, sa_type=Fen())
    goods_total: Decimal = Field(default=ZERO, sa_type=Fen())
    total: Decimal = Field(default=ZERO, sa_type=Fen())
    payment_terms: str = Field(default="prepaid", max_length=20)
    # The terms in numbers: percent paid before shipping, days of credit for the rest.
    prepay_pct: int = 100
    credit_days: int = 0
    invoice_type: str = Field(default="normal", max_length=20)
    wanted_date: date | None = None
    payment_due_date: date | None = None
    remarks: str = Field(default="", max_length=2000)
    status: str = Field(default="draft", max_length=20)
    review_round: int = 0
    on_hold: bool = False
    cancel_reason: str = Field(default="", max_length=500)
    created_by: int = Field(foreign_key="operator.id")
    created_at: datetime
    updated_by: int = Field(foreign_key="operator.id")
    updated_at: datetime
    delivered_at: datetime | None = None
    archived_at: datetime | None = None
    retention_until: date | None = None
    version: int = 1


class OrderLine(SQLModel, table=True):
    __tablename__ = "order_line"
    __table_args__ = (UniqueConstraint("order_id", "line_no", name="uq_order_line_no"),)
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    line_no: int
    product_id: int = Field(foreign_key="product.id", index=True)
    product_code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    spec: str = Field(default="", max_length=200)
    unit: str = Field(max_length=20)
    qty: Decimal = Field(sa_type=Quantity())
    unit_price: Decimal = Field(sa_type=Micros())
    tax_code: str = Field(max_length=10)
    net: Decimal = Field(sa_type=Fen())
    tax: Decimal = Field(sa_type=Fen())
    gross: Decimal = Field(sa_type=Fen())
    made_to_order: bool = False
    picked_qty: Decimal = Field(default=Decimal(0), sa_type=Quantity())
    shipped_qty: Decimal = Field(default=Decimal(0), sa_type=Quantity())


class Attachment(SQLModel, table=True):
    """A file copied into the data directory under its SHA-256."""

    __tablename__ = "attachment"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int | None = Field(default=None, foreign_key="sales_order.id", index=True)
    requirement_id: int | None = Field(default=None, foreign_key="requirement.id")
    kind: str = Field(max_length=40)
    original_name: str = Field(max_length=255)
    sha256: str = Field(max_length=64, index=True)
    size: int
    uploaded_by: int = Field(foreign_key="operator.id")
    uploaded_at: datetime


class ReviewRound(SQLModel, table=True):
    __tablename__ = "review_round"
    __table_args__ = (UniqueConstraint("order_id", "round_no", name="uq_review_round"),)
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    round_no: int
    required_departments: str = Field(max_length=100)  # ';'-separated Department values
    findings: str = Field(default="", max_length=20000)  # JSON of the domain checks
    changes: str = Field(default="", max_length=20000)  # JSON: what changed since last round
    snapshot: str = Field(default="", max_length=200000)  # JSON of the order as submitted
    outcome: str = Field(default="open", max_length=20)  # open, approved, returned, cancelled
    submitted_by: int = Field(foreign_key="operator.id")
    submitted_at: datetime
    closed_at: datetime | None = None


class ReviewVerdict(SQLModel, table=True):
    __tablename__ = "review_verdict"
    __table_args__ = (UniqueConstraint("round_id", "department", name="uq_verdict_department"),)
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="review_round.id", index=True)
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    department: str = Field(max_length=20)
    verdict: str = Field(max_length=10)  # approve, reject
    reason_code: str = Field(default="", max_length=20)
    comment: str = Field(default="", max_length=2000)
    operator_id: int = Field(foreign_key="operator.id")
    at: datetime


class ProductionPlan(SQLModel, table=True):
    __tablename__ = "production_plan"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    line_id: int = Field(foreign_key="order_line.id", unique=True)
    due_date: date
    created_by: int = Field(foreign_key="operator.id")
    created_at: datetime
    version: int = 1


class ProductionOperation(SQLModel, table=True):
    __tablename__ = "production_operation"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="production_plan.id", index=True)
    seq: int
    name: str = Field(max_length=100)
    owner: str = Field(max_length=80)
    planned_start: date
    due_date: date
    done_at: datetime | None = None
    done_by: int | None = Field(default=None, foreign_key="operator.id")


class Hold(SQLModel, table=True):
    """An exception on an order: a flag with a reason and an owner, not a status."""

    __tablename__ = "hold"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    kind: str = Field(max_length=20)  # quality, delay, discrepancy, stock, credit, other
    description: str = Field(max_length=2000)
    owner: str = Field(max_length=40)
    raised_by: int = Field(foreign_key="operator.id")
    raised_at: datetime
    solution_kind: str = Field(default="", max_length=20)
    solution: str = Field(default="", max_length=2000)
    released_by: int | None = Field(default=None, foreign_key="operator.id")
    released_at: datetime | None = None


class Package(SQLModel, table=True):
    __tablename__ = "package"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    count: int
    weight_kg: Decimal = Field(sa_type=Quantity())
    notes: str = Field(default="", max_length=500)
    packed_by: int = Field(foreign_key="operator.id")
    packed_at: datetime


class Shipment(SQLModel, table=True):
    __tablename__ = "shipment"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    carrier: str = Field(max_length=80)
    mode: str = Field(max_length=20)  # parcel, ltl, ftl, pickup
    tracking_no: str = Field(default="", max_length=60)
    ship_date: date
    shipped_by: int = Field(foreign_key="operator.id")
    shipped_at: datetime


class ShipmentLine(SQLModel, table=True):
    __tablename__ = "shipment_line"
    id: int | None = Field(default=None, primary_key=True)
    shipment_id: int = Field(foreign_key="shipment.id", index=True)
    line_id: int = Field(foreign_key="order_line.id")
    qty: Decimal = Field(sa_type=Quantity())


class SignOff(SQLModel, table=True):
    __tablename__ = "sign_off"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    signer_name: str = Field(max_length=80)
    signed_at: datetime
    qty_ok: bool
    appearance_ok: bool
    packaging_ok: bool
    discrepancy: str = Field(default="", max_length=2000)
    receipt_attachment_id: int | None = Field(default=None, foreign_key="attachment.id")
    recorded_by: int = Field(foreign_key="operator.id")
    recorded_at: datetime


class Feedback(SQLModel, table=True):
    """The follow-up call due 24 hours after delivery."""

    __tablename__ = "feedback"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", unique=True)
    due_at: datetime = Field(index=True)
    done_at: datetime | None = None
    reached: bool | None = None
    satisfaction: int | None = None
    remarks: str = Field(default="", max_length=2000)
    after_sales_needed: bool = False
    after_sales: str = Field(default="", max_length=2000)
    recorded_by: int | None = Field(default=None, foreign_key="operator.id")


class AuditEvent(SQLModel, table=True):
    """Append-only: triggers refuse UPDATE and DELETE (see the migrations)."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    operator_id: int | None = Field(default=None, foreign_key="operator.id")
    operator_name: str = Field(max_length=40)
    entity: str = Field(max_length=20)  # order, customer, product, operator, requirement, stock
    entity_id: int
    order_no: str = Field(default="", max_length=20, index=True)
    action: str = Field(max_length=40)
    from_status: str = Field(default="", max_length=20)
    to_status: str = Field(default="", max_length=20)
    changes: str = Field(default="", max_length=200000)  # JSON
    # SHA-256 of the previous entry's chain and this entry's fields (domain/audit_chain.py).
    chain: str = Field(default="", max_length=64)


class OrderCounter(SQLModel, table=True):
    """One row per business day; bumped by one upsert in the order's own transaction."""

    __tablename__ = "order_counter"
    day: date = Field(primary_key=True)
    last: int


class FormDraft(SQLModel, table=True):
    """What an operator has typed into a form and not yet saved as a record.

    Saved every few seconds and on hang-up, so a dropped SSH session loses nothing; it may
    hold input that does not validate yet, which is why it is JSON and not an order.
    """

    __tablename__ = "form_draft"
    __table_args__ = (UniqueConstraint("operator_id", "form_key", name="uq_form_draft_key"),)
    id: int | None = Field(default=None, primary_key=True)
    operator_id: int = Field(foreign_key="operator.id", index=True)
    form_key: str = Field(max_length=80)  # e.g. "order:new", "order:SO20261127001"
    payload: str = Field(max_length=1_000_000)
    saved_at: datetime


class ReviewTask(SQLModel, table=True):
    """One row per department still to give its verdict in an open review round.

    The approval inbox pages over this small table by key (age, amount or customer), so it
    stays instant with a million orders; the row goes when the department decides or the
    round closes.
    """

    __tablename__ = "review_task"
    __table_args__ = (
        UniqueConstraint("round_id", "department", name="uq_review_task_department"),
        Index("ix_review_task_age", "department", "submitted_at", "id"),
        Index("ix_review_task_age_all", "submitted_at", "id"),
        Index("ix_review_task_amount", "department", "total", "id"),
        Index("ix_review_task_customer", "department", "cust_mnemonic", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    round_id: int = Field(foreign_key="review_round.id")
    round_no: int
    department: str = Field(max_length=20)
    order_no: str = Field(max_length=20)
    cust_name: str = Field(max_length=200)
    cust_mnemonic: str = Field(default="", max_length=200)
    total: Decimal = Field(sa_type=Fen())
    wanted_date: date | None = None
    submitted_at: datetime
    flags: str = Field(default="", max_length=200)  # finding codes for this order, ';'-separated


class ReviewNote(SQLModel, table=True):
    """What the sales manager wrote at a month's review, kept with that month."""

    __tablename__ = "review_note"
    month: str = Field(primary_key=True, max_length=7)  # YYYY-MM
    notes: str = Field(default="", max_length=20000)
    updated_by: int = Field(foreign_key="operator.id")
    updated_at: datetime
    version: int = 1


class ArchiveName(SQLModel, table=True):
    """Every name orders were entered under: customers and products as in the master data,
    plus the names of orders entered before a rename (kind "customer" / "product", ref_id their
    id).

    Small (one row per distinct name, not per order); triggers on customer and product keep
    it current (migration 0007), so writing orders costs nothing here. The archive search
    finds names here, by substring through a trigram index or by pinyin initials and code
    prefix, and then orders by the indexed ids.
    """

    __tablename__ = "archive_name"
    __table_args__ = (
        UniqueConstraint("kind", "ref_id", "name", name="uq_archive_name"),
        Index("ix_archive_name_mnemonic", "kind", "mnemonic"),
        Index("ix_archive_name_code", "kind", "code"),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)
    ref_id: int
    name: str = Field(max_length=200)
    code: str = Field(default="", max_length=40)
    mnemonic: str = Field(default="", max_length=200)
