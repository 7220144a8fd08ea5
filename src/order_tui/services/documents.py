"""Printable documents: the sales order for the customer to sign (step 2), pick list,
packing slip, delivery receipt (steps 4 and 5), as PDF.

ReportLab draws them with its built-in CID font STSong-Light (Adobe's Song for Simplified
Chinese), which every PDF reader has: no font file ships with the app, and the Chinese names
and addresses come out as real text (searchable, extractable). Labels are in both languages,
as warehouse and customer may read either.

Each `*_pdf(db, actor, order_no, path=None) -> Path` writes the file (to `path`, a directory
or a file name; else `<data dir>/documents/<order no>-<kind>.pdf`) and returns where it went.
"""

import os
import tempfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from order_tui.domain import messages
from order_tui.domain.errors import PermissionDenied, ValidationError
from order_tui.domain.lifecycle import Status, status_label
from order_tui.domain.roles import Role
from order_tui.services import views
from order_tui.services.common import Actor, now_utc
from order_tui.store import repo
from order_tui.store.engine import Database

messages.register(
    {
        "doc.denied": (
            "打印单据需要业务角色（管理员不参与订单流程）",
            "printing needs a role in the order flow (the admin has none)",
        ),
        "doc.not_now": (
            "{status}的订单不能打印{what}",
            "{what}: not for an order that is {status}",
        ),
        "doc.write_failed": ("无法写入 {path}：{error}", "cannot write {path}: {error}"),
    }
)

FONT = "STSong-Light"
KINDS: dict[str, tuple[str, str]] = {
    "sales_order": ("销售订单", "Sales order"),
    "pick_list": ("拣货单", "Pick list"),
    "packing_slip": ("装箱单", "Packing slip"),
    "receipt": ("送货签收单", "Delivery receipt"),
}
FILE_NAMES = {
    "sales_order": "sales-order",
    "pick_list": "pick-list",
    "packing_slip": "packing-slip",
    "receipt": "receipt",
}
# The statuses in which each document makes sense.
ALLOWED: dict[str, frozenset[Status]] = {
    # The order sheet goes to the customer for signature from the draft on; a cancelled
    # order is not to be signed.
    "sales_order": frozenset(Status) - {Status.CANCELLED},
    "pick_list": frozenset({Status.APPROVED, Status.IN_PRODUCTION, Status.PICKING, Status.PACKED}),
    "packing_slip": frozenset(
        {
            Status.PICKING,
            Status.PACKED,
            Status.SHIPPED,
            Status.DELIVERED,
            Status.COMPLETED,
            Status.ARCHIVED,
        }
    ),
    "receipt": frozenset(
        {Status.PACKED, Status.SHIPPED, Status.DELIVERED, Status.COMPLETED, Status.ARCHIVED}
    ),
}


@dataclass(frozen=True)
class DocLine:
    line_no: int
    product_code: str
    name: str
    spec: str
    unit: str
    qty: Decimal
    picked: Decimal
    shipped: Decimal
    location: str
    stocked: bool


@dataclass(frozen=True)
class DocData:
    order_no: str
    order_day: date
    status: str
    customer: str
    address: str
    contact: str
    wanted_date: date | None
    remarks: str
    lines: list[DocLine]
    packages: list[tuple[int, Decimal, str]]
    printed: str  # local time and who


@dataclass(frozen=True)
class SalesOrderData:
    """The seed's sales order information sheet, as the order snapshot holds it."""

    order_no: str
    order_day: date
    status: str
    customer: str
    uscc: str
    bank: str
    account: str
    address: str
    contact: str
    phone: str
    invoice_type: tuple[str, str]
    invoice_address: str
    invoice_phone: str
    lines: list[views.LineView]
    price_includes_tax: bool
    net_total: Decimal
    tax_total: Decimal
    goods_total: Decimal
    freight: Decimal
    discount: Decimal
    total: Decimal
    total_words: str  # 人民币… capital words
    terms: tuple[str, str]  # the payment terms in words (zh, en)
    wanted_date: date | None
    payment_due_date: date | None
    remarks: str
    printed: str


def documents_dir(db: Database) -> Path:
    return db.data_dir / "documents"


def default_path(db: Database, kind: str, order_no: str) -> Path:
    return documents_dir(db) / f"{order_no}-{FILE_NAMES[kind]}.pdf"


def _target(db: Database, kind: str, order_no: str, path: Path | str | None) -> Path:
    if path is None or str(path).strip() == "":
        return default_path(db, kind, order_no)
    target = Path(path).expanduser()
    if target.is_dir() or str(path).endswith(("/", os.sep)):
        return target / default_path(db, kind, order_no).name
    return target


def _gather(db: Database, actor: Actor, order_no: str, kind: str) -> DocData:
    if not actor.roles - {Role.ADMIN}:
        raise PermissionDenied(code="doc.denied")
    with db.reading() as session:
        order = repo.get_order(session, order_no)
        status = Status(order.status)
        if status not in ALLOWED[kind]:
            raise ValidationError(
                code="doc.not_now",
                field="order",
                status=(status_label(status, "zh"), status_label(status, "en")),
                what=KINDS[kind],
            )
        assert order.id is not None
        lines = repo.order_lines(session, order.id)
        ids = [ln.product_id for ln in lines]
        products = repo.products_by_id(session, ids)
        stock = repo.stock_by_product(session, ids)
        doc_lines = [
            DocLine(
                line_no=ln.line_no,
                product_code=ln.product_code,
                name=ln.name,
                spec=ln.spec,
                unit=ln.unit,
                qty=ln.qty,
                picked=ln.picked_qty,
                shipped=ln.shipped_qty,
                location=stock[ln.product_id].location if ln.product_id in stock else "",
                stocked=products[ln.product_id].stocked if ln.product_id in products else True,
            )
            for ln in lines
        ]
        packages = [(p.count, p.weight_kg, p.notes) for p in repo.packages_of(session, order.id)]
    moment = now_utc().astimezone(ZoneInfo(db.timezone)).strftime("%Y-%m-%d %H:%M")
    return DocData(
        order_no=order.order_no,
        order_day=order.order_day,
        status=order.status,
        customer=order.cust_name,
        address=" ".join(x for x in (order.cust_address, order.cust_postcode) if x),
        contact=" ".join(x for x in (order.contact_name, order.contact_phone) if x),
        wanted_date=order.wanted_date,
        remarks=order.remarks,
        lines=doc_lines,
        packages=packages,
        printed=f"{moment}  {actor.display_name} ({actor.username})",
    )


def _gather_sales_order(db: Database, actor: Actor, order_no: str) -> SalesOrderData:
    from order_tui.domain import terms
    from order_tui.domain.money import rmb_upper

    _gather_check(db, actor, order_no, "sales_order")
    with db.reading() as session:
        order = repo.get_order(session, order_no)
        assert order.id is not None
        lines = [views.line_view(ln) for ln in repo.order_lines(session, order.id)]
    moment = now_utc().astimezone(ZoneInfo(db.timezone)).strftime("%Y-%m-%d %H:%M")
    invoice = terms.INVOICE_TYPES.get(order.invoice_type, (order.invoice_type,) * 2)
    return SalesOrderData(
        order_no=order.order_no,
        order_day=order.order_day,
        status=order.status,
        customer=order.cust_name,
        uscc=order.cust_uscc,
        bank=order.cust_bank,
        account=order.cust_account,
        address=" ".join(x for x in (order.cust_address, order.cust_postcode) if x),
        contact=order.contact_name,
        phone=order.contact_phone,
        invoice_type=invoice,
        invoice_address=order.invoice_address,
        invoice_phone=order.invoice_phone,
        lines=lines,
        price_includes_tax=order.price_includes_tax,
        net_total=order.net_total,
        tax_total=order.tax_total,
        goods_total=order.goods_total,
        freight=order.freight,
        discount=order.discount,
        total=order.total,
        total_words="人民币" + rmb_upper(order.total),
        terms=(
            terms.terms_text(order.payment_terms, order.prepay_pct, order.credit_days, "zh"),
            terms.terms_text(order.payment_terms, order.prepay_pct, order.credit_days, "en"),
        ),
        wanted_date=order.wanted_date,
        payment_due_date=order.payment_due_date,
        remarks=order.remarks,
        printed=f"{moment}  {actor.display_name} ({actor.username})",
    )


def _gather_check(db: Database, actor: Actor, order_no: str, kind: str) -> None:
    """Who may print (anyone in the order flow) and whether the order's status allows it."""
    if not actor.roles - {Role.ADMIN}:
        raise PermissionDenied(code="doc.denied")
    with db.reading() as session:
        status = Status(repo.get_order(session, order_no).status)
    if status not in ALLOWED[kind]:
        raise ValidationError(
            code="doc.not_now",
            field="order",
            status=(status_label(status, "zh"), status_label(status, "en")),
            what=KINDS[kind],
        )


def _write(db: Database, actor: Actor, order_no: str, kind: str, path: Path | str | None) -> Path:
    data: DocData | SalesOrderData
    if kind == "sales_order":
        data = _gather_sales_order(db, actor, order_no)
    else:
        data = _gather(db, actor, order_no, kind)
    target = _target(db, kind, order_no, path)
    from order_tui.services.pdf_layout import render

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".pdf.tmp")
        os.close(fd)
        try:
            render(data, kind, tmp, actor.display_name)
            os.replace(tmp, target)  # a reader never sees half a file
        finally:
            Path(tmp).unlink(missing_ok=True)
    except OSError as exc:
        raise ValidationError(
            code="doc.write_failed", field="path", path=str(target), error=exc.strerror or exc
        ) from None
    return target


def sales_order_pdf(
    db: Database, actor: Actor, order_no: str, path: Path | str | None = None
) -> Path:
    """The sales order information sheet for the customer to sign: customer block, lines,
    charges, totals in figures and capital words, terms, dates, signatures of both parties."""
    return _write(db, actor, order_no, "sales_order", path)


def pick_list_pdf(
    db: Database, actor: Actor, order_no: str, path: Path | str | None = None
) -> Path:
    """What to take from where: lines with location, ordered and picked, a box to tick."""
    return _write(db, actor, order_no, "pick_list", path)


def packing_slip_pdf(
    db: Database, actor: Actor, order_no: str, path: Path | str | None = None
) -> Path:
    """What is in the packages: lines with the packed quantity, the packages recorded."""
    return _write(db, actor, order_no, "packing_slip", path)


def delivery_receipt_pdf(
    db: Database, actor: Actor, order_no: str, path: Path | str | None = None
) -> Path:
    """For the customer to sign: lines and quantities, the three checks, a signature and
    date box."""
    return _write(db, actor, order_no, "receipt", path)
