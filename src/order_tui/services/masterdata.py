"""Customers, products and stock: validated with the same rules as the screens."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Session

from order_tui.domain import codes, messages, money, terms
from order_tui.domain.errors import Conflict, InvalidValue, ValidationError
from order_tui.domain.mnemonic import mnemonic
from order_tui.domain.roles import PERMISSIONS
from order_tui.services import inputs
from order_tui.services.common import Actor, audit, now_utc, require_read, require_role
from order_tui.store import repo
from order_tui.store.engine import Database
from order_tui.store.models import (
    Customer,
    CustomerAddress,
    CustomerContact,
    Product,
    StockMovement,
)

CUSTOMER_ROLES = PERMISSIONS["customer"]
PRODUCT_ROLES = PERMISSIONS["product"]
STOCK_ROLES = PERMISSIONS["stock"]

messages.register(
    {
        "md.customer_code_required": ("请填写客户编码", "customer code is required"),
        "md.legal_name_required": (
            "请填写名称（与营业执照一致）",
            "legal name (as on the business licence) is required",
        ),
        "md.delivery_contact_required": ("请填写收货联系人", "delivery contact is required"),
        "md.address_part_required": (
            "请填写收货地址的{part}",
            "{part} of the delivery address is required",
        ),
        "md.default_terms": (
            "默认付款条件必须在可用付款条件中",
            "default payment terms must be among the allowed",
        ),
        "md.credit_negative": ("信用额度不能为负数", "credit limit cannot be negative"),
        "md.customer_exists": (
            "客户编码 {customer} 已存在",
            "customer code {customer} already exists",
        ),
        "md.uscc_exists": (
            "已有客户使用统一社会信用代码 {uscc}",
            "a customer with USCC {uscc} already exists",
        ),
        "md.product_required": ("请填写编码、名称和单位", "code, name and unit are required"),
        "md.field_required": ("请填写{name}", "{name} is required"),
        "md.price_order": (
            "价格须满足：底价 ≤ 标准价 ≤ 最高价",
            "prices must satisfy floor <= list <= ceiling",
        ),
        "md.lead_time_negative": ("交货周期不能为负数", "lead time cannot be negative"),
        "md.lead_time_too_long": (
            "交货周期最多 {most} 天",
            "lead time can be at most {most} days",
        ),
        "md.price_negative": ("价格不能为负数", "prices cannot be negative"),
        "md.incoming_negative": ("在途数量不能为负数", "quantity on order cannot be negative"),
        "md.product_exists": ("产品编码 {product} 已存在", "product code {product} already exists"),
        "md.below_locked": (
            "调整后在库数量将低于已锁定的 {locked}",
            "on hand would fall below the locked {locked}",
        ),
        "md.changed": (
            "{kind} {record} 已被他人修改（{who}，{when}），请重新载入后再试",
            "{kind} {record} was changed by {who} at {when}; reload and try again",
        ),
        "md.contact_required": ("请填写联系人姓名", "contact name is required"),
    }
)
_ADDRESS_PARTS = {
    "province": ("省份", "province"),
    "city": ("城市", "city"),
    "detail": ("详细地址", "detail"),
}
# The columns' lengths (store/models.py), checked before the write names the field.
CONTACT_NAME_MOST = 80
ADDRESS_PART_MOST = {"province": 40, "city": 40, "district": 40, "detail": 300}
_PRODUCT_FIELDS = {"name": ("名称", "name"), "unit": ("单位", "unit")}
_KINDS = {"customer": ("客户", "customer"), "product": ("产品", "product")}


@dataclass
class CustomerInput:
    code: str
    legal_name: str
    uscc: str
    contact_name: str
    contact_phone: str
    province: str
    city: str
    district: str
    detail: str
    postcode: str = ""
    bank_name: str = ""
    bank_account: str = ""
    credit_limit: Decimal = Decimal("0.00")
    payment_terms: list[str] = field(default_factory=lambda: ["prepaid"])
    default_payment_terms: str = "prepaid"
    invoice_type: str = "normal"
    invoice_address: str = ""
    invoice_phone: str = ""


def _field(fn_name: str, value: str, check: object) -> str:
    try:
        return check(value)  # type: ignore[operator,no-any-return]
    except InvalidValue as exc:
        raise ValidationError(code=exc.code, field=fn_name, **exc.params) from None


def validate_customer(data: CustomerInput) -> CustomerInput:
    """Normalise and check every field; the first problem is raised with its field name."""
    if not data.code.strip():
        raise ValidationError(code="md.customer_code_required", field="code")
    if not data.legal_name.strip():
        raise ValidationError(code="md.legal_name_required", field="legal_name")
    uscc = _field("uscc", data.uscc, codes.check_uscc)
    if not data.contact_name.strip():
        raise ValidationError(code="md.delivery_contact_required", field="contact_name")
    phone = _field("contact_phone", data.contact_phone, codes.check_phone)
    for name in ("province", "city", "detail"):
        if not getattr(data, name).strip():
            raise ValidationError(
                code="md.address_part_required", field=name, part=_ADDRESS_PARTS[name]
            )
    postcode = _field("postcode", data.postcode, codes.check_postcode) if data.postcode else ""
    account = (
        _field("bank_account", data.bank_account, codes.check_bank_account)
        if data.bank_account
        else ""
    )
    invoice_phone = (
        _field("invoice_phone", data.invoice_phone, codes.check_phone) if data.invoice_phone else ""
    )
    for t in [*data.payment_terms, data.default_payment_terms]:
        _field("payment_terms", t, lambda v: terms.check_code(v, terms.PAYMENT_TERMS, "terms"))
    if data.default_payment_terms not in data.payment_terms:
        raise ValidationError(code="md.default_terms", field="payment_terms")
    _field(
        "invoice_type",
        data.invoice_type,
        lambda v: terms.check_code(v, terms.INVOICE_TYPES, "invoice type"),
    )
    if inputs.number(data.credit_limit, "credit_limit", money.MONEY_PLACES, exact=False) < 0:
        raise ValidationError(code="md.credit_negative", field="credit_limit")
    return CustomerInput(
        code=data.code.strip(),
        legal_name=data.legal_name.strip(),
        uscc=uscc,
        contact_name=data.contact_name.strip(),
        contact_phone=phone,
        province=data.province.strip(),
        city=data.city.strip(),
        district=data.district.strip(),
        detail=data.detail.strip(),
        postcode=postcode,
        bank_name=data.bank_name.strip(),
        bank_account=account,
        credit_limit=money.quantize_money(data.credit_limit),
        payment_terms=list(dict.fromkeys(data.payment_terms)),
        default_payment_terms=data.default_payment_terms,
        invoice_type=data.invoice_type,
        invoice_address=data.invoice_address.strip(),
        invoice_phone=invoice_phone,
    )


def add_customer(db: Database, actor: Actor, data: CustomerInput) -> int:
    require_role(actor, CUSTOMER_ROLES, ("新增客户", "adding a customer"))
    clean = validate_customer(data)
    with db.writing() as session:
        return insert_customer(session, actor, clean)


def insert_customer(session: Session, actor: Actor, c: CustomerInput) -> int:
    """A validated customer inside the caller's transaction (one, or a whole import)."""
    if repo.customer_exists(session, code=c.code):
        raise ValidationError(code="md.customer_exists", field="code", customer=c.code)
    if repo.customer_exists(session, uscc=c.uscc):
        raise ValidationError(code="md.uscc_exists", field="uscc", uscc=c.uscc)
    customer = Customer(
        code=c.code,
        legal_name=c.legal_name,
        uscc=c.uscc,
        mnemonic=mnemonic(c.legal_name),
        bank_name=c.bank_name,
        bank_account=c.bank_account,
        credit_limit=c.credit_limit,
        payment_terms=";".join(c.payment_terms),
        default_payment_terms=c.default_payment_terms,
        invoice_type=c.invoice_type,
        invoice_address=c.invoice_address,
        invoice_phone=c.invoice_phone,
    )
    session.add(customer)
    session.flush()
    assert customer.id is not None
    session.add(
        CustomerContact(customer_id=customer.id, name=c.contact_name, phone=c.contact_phone)
    )
    session.add(
        CustomerAddress(
            customer_id=customer.id,
            province=c.province,
            city=c.city,
            district=c.district,
            detail=c.detail,
            postcode=c.postcode,
        )
    )
    audit(
        session,
        actor,
        "customer",
        customer.id,
        "add_customer",
        changes={"code": c.code, "legal_name": c.legal_name, "uscc": c.uscc},
    )
    return customer.id


@dataclass
class ProductInput:
    code: str
    name: str
    spec: str
    unit: str
    list_price: Decimal
    floor_price: Decimal
    ceiling_price: Decimal
    tax_code: str = "13"
    made_to_order: bool = False
    lead_time_days: int = 0
    stocked: bool = True  # False for a service (installation, training, freight)


# Ten years: longer is a typo, and today + lead time must stay a date.
MAX_LEAD_TIME_DAYS = 3650


def _check_product_numbers(p: ProductInput) -> None:
    """Prices and lead time of a new or changed product, in the form's field order."""
    for name in ("list_price", "floor_price", "ceiling_price"):
        if inputs.number(getattr(p, name), name, inputs.PRICE_PLACES) < 0:
            raise ValidationError(code="md.price_negative", field=name)
    if not (p.floor_price <= p.list_price <= p.ceiling_price):
        raise ValidationError(code="md.price_order", field="list_price")
    _field("tax_code", p.tax_code, money.tax_rate)
    if p.lead_time_days < 0:
        raise ValidationError(code="md.lead_time_negative", field="lead_time_days")
    if p.lead_time_days > MAX_LEAD_TIME_DAYS:
        raise ValidationError(
            code="md.lead_time_too_long", field="lead_time_days", most=MAX_LEAD_TIME_DAYS
        )


def validate_new_product(p: ProductInput) -> None:
    """The rules for a new product (the form's and the import's); the first problem raised."""
    if not p.code.strip() or not p.name.strip() or not p.unit.strip():
        raise ValidationError(code="md.product_required", field="code")
    _check_product_numbers(p)


def add_product(db: Database, actor: Actor, p: ProductInput) -> int:
    require_role(actor, PRODUCT_ROLES, ("新增产品", "adding a product"))
    validate_new_product(p)
    with db.writing() as session:
        return insert_product(session, actor, p)


def insert_product(session: Session, actor: Actor, p: ProductInput) -> int:
    """Inside the caller's transaction (one product, or a whole import)."""
    if repo.product_exists(session, p.code.strip()):
        raise ValidationError(code="md.product_exists", field="code", product=p.code)
    product = Product(
        code=p.code.strip(),
        name=p.name.strip(),
        spec=p.spec.strip(),
        unit=p.unit.strip(),
        list_price=p.list_price,
        floor_price=p.floor_price,
        ceiling_price=p.ceiling_price,
        tax_code=p.tax_code,
        made_to_order=p.made_to_order,
        lead_time_days=p.lead_time_days,
        stocked=p.stocked,
        mnemonic=mnemonic(p.name),
    )
    session.add(product)
    session.flush()
    assert product.id is not None
    repo.stock_for(session, product.id)
    audit(
        session,
        actor,
        "product",
        product.id,
        "add_product",
        changes={"code": product.code, "name": product.name},
    )
    return product.id


def receive_stock(
    db: Database,
    actor: Actor,
    product_code: str,
    qty: Decimal,
    *,
    location: str | None = None,
    incoming: Decimal | None = None,
    incoming_date: date | None = None,
    note: str = "",
) -> None:
    """Goods received (qty > 0) or a count correction (qty < 0); incoming is what is on order."""
    require_role(actor, STOCK_ROLES, ("调整库存", "changing stock"))
    with db.writing() as session:
        receive_in(
            session,
            actor,
            product_code,
            qty,
            location=location,
            incoming=incoming,
            incoming_date=incoming_date,
            note=note,
        )


def receive_in(
    session: Session,
    actor: Actor,
    product_code: str,
    qty: Decimal,
    *,
    location: str | None = None,
    incoming: Decimal | None = None,
    incoming_date: date | None = None,
    note: str = "",
) -> None:
    """`receive_stock` inside the caller's transaction (one receipt, or a whole import)."""
    inputs.number(qty, "qty", inputs.QUANTITY_PLACES)
    if incoming is not None and inputs.number(incoming, "incoming", inputs.QUANTITY_PLACES) < 0:
        raise ValidationError(code="md.incoming_negative", field="incoming")
    product = repo.find_product(session, product_code)
    assert product.id is not None
    stock = repo.stock_for(session, product.id)
    if stock.on_hand + qty < stock.locked:
        raise ValidationError(code="md.below_locked", field="qty", locked=stock.locked)
    stock.on_hand += qty
    if location is not None:
        stock.location = location
    if incoming is not None:
        stock.incoming = incoming
        stock.incoming_date = incoming_date
    stock.version += 1
    if qty:
        session.add(
            StockMovement(
                product_id=product.id,
                kind="receipt" if qty > 0 else "adjust",
                qty=qty,
                at=now_utc(),
                operator_id=actor.id,
                note=note,
            )
        )
    audit(
        session,
        actor,
        "stock",
        product.id,
        "receive_stock",
        changes={"product": product_code, "qty": qty, "incoming": incoming},
    )


def _stale(session: Session, kind: str, code: str, entity_id: int) -> Conflict:
    who, when = repo.last_change(session, kind, entity_id)
    return Conflict(
        changed_by=who,
        changed_at=when,
        code="md.changed",
        kind=_KINDS.get(kind, (kind, kind)),
        record=code,
        who=who,
        when=when,
    )


def update_customer(db: Database, actor: Actor, data: CustomerInput, expected_version: int) -> None:
    """Change the master record; orders keep the snapshot they were entered with."""
    require_role(actor, CUSTOMER_ROLES, ("修改客户", "changing a customer"))
    clean = validate_customer(data)
    with db.writing() as session:
        customer = repo.find_customer(session, clean.code)
        if customer.version != expected_version:
            raise _stale(session, "customer", clean.code, customer.id or 0)
        if clean.uscc != customer.uscc and repo.customer_exists(session, uscc=clean.uscc):
            raise ValidationError(code="md.uscc_exists", field="uscc", uscc=clean.uscc)
        before = {
            "legal_name": customer.legal_name,
            "uscc": customer.uscc,
            "credit_limit": customer.credit_limit,
            "payment_terms": customer.payment_terms,
            "invoice_type": customer.invoice_type,
        }
        customer.legal_name = clean.legal_name
        customer.mnemonic = mnemonic(clean.legal_name)
        customer.uscc = clean.uscc
        customer.bank_name = clean.bank_name
        customer.bank_account = clean.bank_account
        customer.credit_limit = clean.credit_limit
        customer.payment_terms = ";".join(clean.payment_terms)
        customer.default_payment_terms = clean.default_payment_terms
        customer.invoice_type = clean.invoice_type
        customer.invoice_address = clean.invoice_address
        customer.invoice_phone = clean.invoice_phone
        customer.version += 1
        assert customer.id is not None
        contact = repo.default_contact(session, customer.id)
        if contact is not None:
            contact.name, contact.phone = clean.contact_name, clean.contact_phone
        address = repo.default_address(session, customer.id)
        if address is not None:
            address.province, address.city = clean.province, clean.city
            address.district, address.detail = clean.district, clean.detail
            address.postcode = clean.postcode
        after = {k: getattr(customer, k) for k in before}
        changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        audit(session, actor, "customer", customer.id, "update_customer", changes=changed)


def customer_input(db: Database, actor: Actor, code: str) -> tuple[CustomerInput, int]:
    """The record as a form fills it, with the version to save against."""
    require_read(actor, "master_data")
    with db.reading() as session:
        c = repo.find_customer(session, code)
        contact = repo.default_contact(session, c.id or 0)
        address = repo.default_address(session, c.id or 0)
        return (
            CustomerInput(
                code=c.code,
                legal_name=c.legal_name,
                uscc=c.uscc,
                contact_name=contact.name if contact else "",
                contact_phone=contact.phone if contact else "",
                province=address.province if address else "",
                city=address.city if address else "",
                district=address.district if address else "",
                detail=address.detail if address else "",
                postcode=address.postcode if address else "",
                bank_name=c.bank_name,
                bank_account=c.bank_account,
                credit_limit=c.credit_limit,
                payment_terms=[t for t in c.payment_terms.split(";") if t],
                default_payment_terms=c.default_payment_terms,
                invoice_type=c.invoice_type,
                invoice_address=c.invoice_address,
                invoice_phone=c.invoice_phone,
            ),
            c.version,
        )


def add_contact(
    db: Database,
    actor: Actor,
    customer_code: str,
    name: str,
    phone: str,
    make_default: bool = False,
) -> int:
    require_role(actor, CUSTOMER_ROLES, ("新增联系人", "adding a contact"))
    # named as the forms name the field: the store's own check would say "name"
    inputs.text(name, "contact_name", CONTACT_NAME_MOST)
    if not name.strip():
        raise ValidationError(code="md.contact_required", field="contact_name")
    clean_phone = _field("contact_phone", phone, codes.check_phone)
    with db.writing() as session:
        customer = repo.find_customer(session, customer_code)
        assert customer.id is not None
        if make_default:
            for other in repo.contacts_of(session, customer.id):
                other.is_default = False
        contact = CustomerContact(
            customer_id=customer.id, name=name.strip(), phone=clean_phone, is_default=make_default
        )
        session.add(contact)
        session.flush()
        audit(
            session,
            actor,
            "customer",
            customer.id,
            "add_contact",
            changes={"name": name.strip(), "phone": clean_phone},
        )
        return contact.id or 0


def add_address(
    db: Database,
    actor: Actor,
    customer_code: str,
    province: str,
    city: str,
    district: str,
    detail: str,
    postcode: str = "",
    make_default: bool = False,
) -> int:
    require_role(actor, CUSTOMER_ROLES, ("新增地址", "adding an address"))
    parts = {"province": province, "city": city, "district": district, "detail": detail}
    for name, value in parts.items():  # the first problem in the forms' order
        inputs.text(value, name, ADDRESS_PART_MOST[name])
        if name in _ADDRESS_PARTS and not value.strip():
            raise ValidationError(
                code="md.address_part_required", field=name, part=_ADDRESS_PARTS[name]
            )
    clean_post = _field("postcode", postcode, codes.check_postcode) if postcode.strip() else ""
    with db.writing() as session:
        customer = repo.find_customer(session, customer_code)
        assert customer.id is not None
        if make_default:
            for other in repo.addresses_of(session, customer.id):
                other.is_default = False
        address = CustomerAddress(
            customer_id=customer.id,
            province=province.strip(),
            city=city.strip(),
            district=district.strip(),
            detail=detail.strip(),
            postcode=clean_post,
            is_default=make_default,
        )
        session.add(address)
        session.flush()
        audit(
            session,
            actor,
            "customer",
            customer.id,
            "add_address",
            changes={"address": f"{province}{city}{district}{detail}"},
        )
        return address.id or 0


@dataclass(frozen=True)
class ContactView:
    id: int
    name: str
    phone: str
    is_default: bool


@dataclass(frozen=True)
class AddressView:
    id: int
    province: str
    city: str
    district: str
    detail: str
    postcode: str
    is_default: bool


def contacts(db: Database, actor: Actor, customer_code: str) -> list[ContactView]:
    require_read(actor, "master_data")
    with db.reading() as session:
        customer = repo.find_customer(session, customer_code)
        return [
            ContactView(c.id or 0, c.name, c.phone, c.is_default)
            for c in repo.contacts_of(session, customer.id or 0)
        ]


def addresses(db: Database, actor: Actor, customer_code: str) -> list[AddressView]:
    require_read(actor, "master_data")
    with db.reading() as session:
        customer = repo.find_customer(session, customer_code)
        return [
            AddressView(
                a.id or 0, a.province, a.city, a.district, a.detail, a.postcode, a.is_default
            )
            for a in repo.addresses_of(session, customer.id or 0)
        ]


def update_product(db: Database, actor: Actor, p: ProductInput, expected_version: int) -> None:
    require_role(actor, PRODUCT_ROLES, ("修改产品", "changing a product"))
    for name in ("name", "unit"):
        if not getattr(p, name).strip():
            raise ValidationError(code="md.field_required", field=name, name=_PRODUCT_FIELDS[name])
    _check_product_numbers(p)
    with db.writing() as session:
        product = repo.find_product(session, p.code)
        if product.version != expected_version:
            raise _stale(session, "product", p.code, product.id or 0)
        fields = (
            "name",
            "spec",
            "unit",
            "list_price",
            "floor_price",
            "ceiling_price",
            "tax_code",
            "made_to_order",
            "lead_time_days",
            "stocked",
        )
        changed = {
            f: [getattr(product, f), getattr(p, f)]
            for f in fields
            if getattr(product, f) != getattr(p, f)
        }
        for f in fields:
            setattr(product, f, getattr(p, f))
        product.mnemonic = mnemonic(p.name)
        product.version += 1
        audit(session, actor, "product", product.id or 0, "update_product", changes=changed)


def product_input(db: Database, actor: Actor, code: str) -> tuple[ProductInput, int]:
    require_read(actor, "master_data")
    with db.reading() as session:
        p = repo.find_product(session, code)
        return (
            ProductInput(
                code=p.code,
                name=p.name,
                spec=p.spec,
                unit=p.unit,
                list_price=p.list_price,
                floor_price=p.floor_price,
                ceiling_price=p.ceiling_price,
                tax_code=p.tax_code,
                made_to_order=p.made_to_order,
                lead_time_days=p.lead_time_days,
                stocked=p.stocked,
            ),
            p.version,
        )


@dataclass(frozen=True)
class StockRow:
    code: str
    name: str
    spec: str
    unit: str
    on_hand: Decimal
    locked: Decimal
    available: Decimal
    incoming: Decimal
    incoming_date: date | None
    location: str


def stock_page(
    db: Database, actor: Actor, after_code: str | None = None, limit: int = 50
) -> list[StockRow]:
    """Keyset-paged by product code."""
    require_read(actor, "master_data")
    with db.reading() as session:
        rows = []
        for p, s in repo.stock_page(session, after_code, limit):
            on_hand = s.on_hand if s else Decimal(0)
            locked = s.locked if s else Decimal(0)
            rows.append(
                StockRow(
                    p.code,
                    p.name,
                    p.spec,
                    p.unit,
                    on_hand,
                    locked,
                    on_hand - locked,
                    s.incoming if s else Decimal(0),
                    s.incoming_date if s else None,
                    s.location if s else "",
                )
            )
        return rows


@dataclass(frozen=True)
class MovementRow:
    id: int
    at: datetime
    kind: str
    qty: Decimal
    note: str
    operator: str
    order_no: str


def movements(
    db: Database, actor: Actor, product_code: str, limit: int = 100, before_id: int | None = None
) -> list[MovementRow]:
    """The product's ledger, newest first, keyset-paged: pass the last row's id as before_id."""
    require_read(actor, "master_data")
    with db.reading() as session:
        product = repo.find_product(session, product_code)
        return [
            MovementRow(m.id or 0, m.at, m.kind, m.qty, m.note, who or "", order_no or "")
            for m, who, order_no in repo.movements_of(session, product.id or 0, limit, before_id)
        ]


def customers_page(
    db: Database, actor: Actor, after_code: str | None = None, limit: int = 50
) -> list[tuple[str, str, str, Decimal]]:
    require_read(actor, "master_data")
    with db.reading() as session:
        return [
            (c.code, c.legal_name, c.uscc, c.credit_limit)
            for c in repo.customers_page(session, after_code, limit)
        ]


def products_page(
    db: Database, actor: Actor, after_code: str | None = None, limit: int = 50
) -> list[ProductInput]:
    require_read(actor, "master_data")
    with db.reading() as session:
        return [
            ProductInput(
                p.code,
                p.name,
                p.spec,
                p.unit,
                p.list_price,
                p.floor_price,
                p.ceiling_price,
                p.tax_code,
                p.made_to_order,
                p.lead_time_days,
                p.stocked,
            )
            for p in repo.products_page(session, after_code, limit)
        ]
