"""F4 prompts: customers and products by code, name, pinyin initials, USCC or phone."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from order_tui.services.common import Actor, require_read
from order_tui.services.orders import format_address
from order_tui.store import repo
from order_tui.store.engine import Database


@dataclass(frozen=True)
class CustomerHit:
    code: str
    legal_name: str
    uscc: str
    mnemonic: str
    contact: str
    phone: str
    address: str
    credit_limit: Decimal
    payment_terms: tuple[str, ...]
    default_payment_terms: str
    invoice_type: str


@dataclass(frozen=True)
class ProductHit:
    code: str
    name: str
    spec: str
    unit: str
    list_price: Decimal
    floor_price: Decimal
    ceiling_price: Decimal
    tax_code: str
    made_to_order: bool
    lead_time_days: int
    on_hand: Decimal
    locked: Decimal
    incoming: Decimal
    incoming_date: date | None
    location: str
    stocked: bool = True  # False for a service: no availability to show

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.locked


def customers(db: Database, actor: Actor, text: str, limit: int = 20) -> list[CustomerHit]:
    require_read(actor, "master_data")
    with db.reading() as session:
        hits = []
        for c in repo.search_customers(session, text, limit):
            contact = repo.default_contact(session, c.id or 0)
            address = repo.default_address(session, c.id or 0)
            hits.append(
                CustomerHit(
                    code=c.code,
                    legal_name=c.legal_name,
                    uscc=c.uscc,
                    mnemonic=c.mnemonic,
                    contact=contact.name if contact else "",
                    phone=contact.phone if contact else "",
                    address=format_address(
                        address.province, address.city, address.district, address.detail
                    )
                    if address
                    else "",
                    credit_limit=c.credit_limit,
                    payment_terms=tuple(t for t in c.payment_terms.split(";") if t),
                    default_payment_terms=c.default_payment_terms,
                    invoice_type=c.invoice_type,
                )
            )
        return hits


def products(db: Database, actor: Actor, text: str, limit: int = 20) -> list[ProductHit]:
    require_read(actor, "master_data")
    with db.reading() as session:
        hits = []
        for p in repo.search_products(session, text, limit):
            stock = repo.peek_stock(session, p.id or 0)
            hits.append(
                ProductHit(
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
                    on_hand=stock.on_hand,
                    locked=stock.locked,
                    incoming=stock.incoming,
                    incoming_date=stock.incoming_date,
                    location=stock.location,
                    stocked=p.stocked,
                )
            )
        return hits


def product(db: Database, actor: Actor, code: str) -> ProductHit | None:
    """Exact code (a barcode scanner types the code and Enter)."""
    require_read(actor, "master_data")
    for hit in products(db, actor, code, limit=50):
        if hit.code == code:
            return hit
    return None
