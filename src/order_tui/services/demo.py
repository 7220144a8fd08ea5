"""The demo database: the seed's people, customers and products from sample_data/, and orders
in every status, each driven there through the real services."""

import csv
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from order_tui.domain.lifecycle import Status
from order_tui.services import (
    attachments,
    closing,
    delivery,
    execution,
    intake,
    masterdata,
    operators,
    orders,
    review,
)
from order_tui.services.common import Actor, today
from order_tui.store.engine import Database

DEMO_PIN = "1234"


def sample_data_dir() -> Path:
    """sample_data/ ships inside the wheel; in a source checkout it is at the top level."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "sample_data", here.parent.parent / "sample_data"):
        if (candidate / "operators.csv").is_file():
            return candidate
    raise FileNotFoundError("sample_data/ not found next to the package")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@dataclass
class DemoCast:
    """The demo operators by role, as the services see them."""

    by_name: dict[str, Actor]

    def __getitem__(self, username: str) -> Actor:
        return self.by_name[username]


def load_master_data(db: Database, source: Path | None = None) -> DemoCast:
    source = source or sample_data_dir()
    cast: dict[str, Actor] = {}
    admin: Actor | None = None
    rows = _rows(source / "operators.csv")
    # The admin comes first: it is the one allowed to add the others.
    rows.sort(key=lambda r: r["username"] != "admin")
    for row in rows:
        actor = operators.add_operator(
            db,
            admin,
            row["username"],
            row["display_name"],
            row["roles"],
            DEMO_PIN,
            row.get("os_user") or None,
        )
        admin = admin or actor
        cast[actor.username] = actor
    clerk, manager, keeper = cast["zhao"], cast["zhang"], cast["liu"]
    for row in _rows(source / "customers.csv"):
        masterdata.add_customer(
            db,
            clerk,
            masterdata.CustomerInput(
                code=row["code"],
                legal_name=row["legal_name"],
                uscc=row["uscc"],
                contact_name=row["contact_name"],
                contact_phone=row["contact_phone"],
                province=row["province"],
                city=row["city"],
                district=row["district"],
                detail=row["detail"],
                postcode=row["postcode"],
                bank_name=row["bank_name"],
                bank_account=row["bank_account"],
                credit_limit=Decimal(row["credit_limit"]),
                payment_terms=row["payment_terms"].split(";"),
                default_payment_terms=row["default_payment_terms"],
                invoice_type=row["invoice_type"],
                invoice_address=row["invoice_address"],
                invoice_phone=row["invoice_phone"],
            ),
        )
    for row in _rows(source / "products.csv"):
        masterdata.add_product(
            db,
            manager,
            masterdata.ProductInput(
                code=row["code"],
                name=row["name"],
                spec=row["spec"],
                unit=row["unit"],
                list_price=Decimal(row["list_price"]),
                floor_price=Decimal(row["floor_price"]),
                ceiling_price=Decimal(row["ceiling_price"]),
                tax_code=row["tax_code"],
                made_to_order=row["made_to_order"] == "1",
                lead_time_days=int(row["lead_time_days"] or 0),
                stocked=row.get("stocked", "1") != "0",
            ),
        )
    for row in _rows(source / "stock.csv"):
        masterdata.receive_stock(
            db,
            keeper,
            row["product_code"],
            Decimal(row["on_hand"]),
            location=row["location"],
            incoming=Decimal(row["incoming"] or "0"),
            incoming_date=date.fromisoformat(row["incoming_date"])
            if row["incoming_date"]
            else None,
            note="opening balance",
        )
    return DemoCast(cast)


def _document(workdir: Path, name: str, text: str) -> Path:
    path = workdir / name
    path.write_text(text, encoding="utf-8")
    return path


# The order in which the flow visits the statuses, for drive_to().
FLOW = (
    Status.DRAFT,
    Status.IN_REVIEW,
    Status.APPROVED,
    Status.IN_PRODUCTION,
    Status.PICKING,
    Status.PACKED,
    Status.SHIPPED,
    Status.DELIVERED,
    Status.COMPLETED,
    Status.ARCHIVED,
)


def drive_to(db: Database, cast: DemoCast, order_no: str, target: Status, workdir: Path) -> None:
    """Move an order forward through the real services until it reaches `target`."""
    if target == Status.CANCELLED:
        closing.cancel(db, cast["zhang"], order_no, "customer", "客户项目取消")
        return
    if target == Status.RETURNED:
        review.submit(db, cast["zhao"], order_no)
        review.reject(db, cast["chen"], order_no, "invoice", "开票信息不全，请与客户确认")
        return
    steps: dict[Status, Callable[[], object]] = {
        Status.IN_REVIEW: lambda: review.submit(db, cast["zhao"], order_no),
        Status.APPROVED: lambda: _approve_all(db, cast, order_no),
        Status.IN_PRODUCTION: lambda: _produce(db, cast, order_no),
        Status.PICKING: lambda: execution.start_picking(db, cast["liu"], order_no),
        Status.PACKED: lambda: (
            execution.pick(db, cast["liu"], order_no),
            execution.pack(db, cast["liu"], order_no, [(2, Decimal("36.5"), "木箱")]),
        ),
        Status.SHIPPED: lambda: delivery.ship(
            db,
            cast["zhou"],
            order_no,
            carrier="顺丰速运",
            mode="parcel",
            tracking_no=f"SF{order_no[-9:]}",
        ),
        Status.DELIVERED: lambda: delivery.sign_off(
            db,
            cast["zhou"],
            order_no,
            signer="李经理",
            qty_ok=True,
            appearance_ok=True,
            packaging_ok=True,
            receipt=_document(workdir, f"{order_no}-receipt.txt", "签收单"),
        ),
        Status.COMPLETED: lambda: _complete(db, cast, order_no, workdir),
        Status.ARCHIVED: lambda: closing.archive(db, cast["wu"], order_no),
    }
    current = orders.get_order(db, cast["zhao"], order_no).status
    if current == target:
        return
    for status in FLOW[FLOW.index(Status(current)) + 1 :]:
        if status == Status.IN_PRODUCTION and not _has_made_to_order(db, cast, order_no):
            continue
        steps[status]()
        if status == target:
            return


def _has_made_to_order(db: Database, cast: DemoCast, order_no: str) -> bool:
    detail = orders.get_order(db, cast["zhao"], order_no)
    return any(line.made_to_order for line in detail.lines)


def _approve_all(db: Database, cast: DemoCast, order_no: str) -> None:
    for name in ("zhang", "chen", "liu", "sun"):
        if orders.get_order(db, cast[name], order_no).status != Status.IN_REVIEW:
            return
        if name == "sun" and not _has_made_to_order(db, cast, order_no):
            continue
        review.approve(db, cast[name], order_no, comment="同意")


def _produce(db: Database, cast: DemoCast, order_no: str) -> None:
    execution.plan_production(db, cast["sun"], order_no)
    while True:
        try:
            execution.complete_operation(db, cast["sun"], order_no)
        except Exception:
            return


def _complete(db: Database, cast: DemoCast, order_no: str, workdir: Path) -> None:
    delivery.record_feedback(
        db, cast["wang"], order_no, reached=True, satisfaction=5, remarks="客户对交货满意"
    )
    for kind in ("purchase_confirmation", "invoice_copy", "communication"):
        attachments.attach(
            db, cast["wu"], order_no, _document(workdir, f"{order_no}-{kind}.txt", kind), kind
        )
    closing.complete(db, cast["wu"], order_no)


def new_order(
    db: Database,
    cast: DemoCast,
    customer: str,
    lines: list[tuple[str, str]],
    *,
    wanted_in_days: int = 30,
    price_factor: Decimal = Decimal(1),
    terms: tuple[str, int, int] | None = None,
) -> str:
    """A draft by the clerk; `terms` (code, prepay %, credit days) or the customer's default."""
    wanted = today(db) + timedelta(days=wanted_in_days)
    term_code, prepay, credit = terms if terms is not None else (None, None, None)
    data = orders.OrderInput(
        customer_code=customer,
        lines=[orders.LineInput(code, Decimal(qty)) for code, qty in lines],
        freight=Decimal("200.00"),
        discount=Decimal("0.00"),
        wanted_date=wanted,
        payment_terms=term_code,
        prepay_pct=prepay,
        credit_days=credit,
    )
    detail = orders.create_order(db, cast["zhao"], data)
    return detail.order_no


# (customer, lines, target status) — every status, some on hold, some returned.
SCENARIOS: tuple[tuple[str, list[tuple[str, str]], Status], ...] = (
    ("C0001", [("P0001", "2"), ("P0003", "4")], Status.DRAFT),
    ("C0002", [("P0005", "10")], Status.IN_REVIEW),
    ("C0003", [("P0001", "1"), ("P0008", "20")], Status.RETURNED),
    ("C0004", [("P0009", "5")], Status.APPROVED),
    ("C0005", [("P0006", "1"), ("P0001", "1")], Status.IN_REVIEW),
    ("C0001", [("P0007", "2")], Status.APPROVED),
    ("C0002", [("P0001", "3")], Status.PICKING),
    ("C0006", [("P0005", "6")], Status.PACKED),
    ("C0007", [("P0008", "12")], Status.SHIPPED),
    ("C0008", [("P0009", "4"), ("P0005", "2")], Status.DELIVERED),
    ("C0001", [("P0001", "1")], Status.COMPLETED),
    ("C0002", [("P0008", "5")], Status.ARCHIVED),
    ("C0003", [("P0005", "1")], Status.CANCELLED),
)
# Terms agreed in numbers, by scenario index: the order in review pays 30 % before shipping
# and the balance 60 days after the order date (the customer is allowed net60).
SCENARIO_TERMS: dict[int, tuple[str, int, int]] = {1: ("net60", 30, 60)}


def build_demo(db: Database, source: Path | None = None) -> list[str]:
    """Fill an empty, migrated database with the demo; returns the order numbers made."""
    cast = load_master_data(db, source)
    made: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for index, (customer, lines, target) in enumerate(SCENARIOS):
            order_no = new_order(db, cast, customer, lines, terms=SCENARIO_TERMS.get(index))
            drive_to(db, cast, order_no, target, workdir)
            made.append(order_no)
        # A requirement from the seed's customer, checked for feasibility, not yet converted.
        intake.record_requirement(
            db,
            cast["wang"],
            intake.RequirementInput(
                customer_code="C0001",
                contact_name="李经理",
                contact_phone="13800138000",
                lines=[
                    intake.RequirementLineInput("P0002", Decimal("20")),
                    intake.RequirementLineInput("P0006", Decimal("1")),
                    # a service: the check shows it as not stocked, not as a shortage
                    intake.RequirementLineInput("P0012", Decimal("1")),
                ],
                description="产线改造：伺服电机及定制机柜",
                key_demands="12月底前交货",
                special_requirements="木箱包装，整车运输",
                wanted_date=today(db) + timedelta(days=25),
            ),
        )
        # Holds: a delay on an approved order, a quality problem in picking.
        execution.raise_hold(db, cast["liu"], made[3], "delay", "供应商延迟到货", owner="zhao")
        execution.raise_hold(db, cast["liu"], made[6], "quality", "外观划伤，待更换", owner="zhao")
    return made
