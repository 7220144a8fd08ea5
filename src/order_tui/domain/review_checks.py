"""The checks of step 3 as pure functions: facts in, findings per department out."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from order_tui.domain import terms
from order_tui.domain.roles import Department


@dataclass(frozen=True)
class Finding:
    department: Department
    # credit, price_low, price_high, stock, capacity, lead_time, terms, terms_loose, invoice
    code: str
    severity: str  # "block" (the reviewer should reject unless agreed) or "warn"
    message: str
    evidence: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LineFacts:
    line_no: int
    product_code: str
    name: str
    qty: Decimal
    unit_price: Decimal  # as entered (tax included or not, like floor/ceiling)
    floor_price: Decimal
    ceiling_price: Decimal
    made_to_order: bool
    lead_time_days: int
    available: Decimal  # on hand minus locked
    incoming: Decimal
    incoming_date: date | None
    stocked: bool = True  # False for a service (installation, freight): no stock to check


@dataclass(frozen=True)
class ReviewFacts:
    order_total: Decimal
    credit_limit: Decimal
    open_orders: tuple[tuple[str, Decimal], ...]  # other open orders: (number, total)
    payment_terms: str
    allowed_terms: frozenset[str]
    invoice_type: str
    invoice_fields: dict[str, str]  # name, uscc, address_phone, bank_account
    order_date: date
    wanted_date: date | None
    lines: tuple[LineFacts, ...]
    # The terms in numbers; None: the defaults of `payment_terms`.
    prepay_pct: int | None = None
    credit_days: int | None = None

    @property
    def terms_numbers(self) -> terms.TermNumbers:
        default = terms.TERM_NUMBERS.get(self.payment_terms, terms.TermNumbers(0, 0))
        return terms.TermNumbers(
            default.prepay_pct if self.prepay_pct is None else self.prepay_pct,
            default.credit_days if self.credit_days is None else self.credit_days,
        )


def check_credit(f: ReviewFacts) -> list[Finding]:
    exposure = sum((t for _, t in f.open_orders), Decimal("0.00")) + f.order_total
    # An order paid in full before shipping carries no credit risk (whatever its code says).
    if not f.terms_numbers.has_balance or exposure <= f.credit_limit:
        return []
    return [
        Finding(
            Department.SALES,
            "credit",
            "block",
            f"credit exposure {exposure} exceeds the limit {f.credit_limit}",
            {
                "limit": str(f.credit_limit),
                "exposure": str(exposure),
                "this_order": str(f.order_total),
                "open_orders": "; ".join(f"{no} {t}" for no, t in f.open_orders),
            },
        )
    ]


def check_prices(f: ReviewFacts) -> list[Finding]:
    out: list[Finding] = []
    for line in f.lines:
        evidence = {
            "line": str(line.line_no),
            "product": line.product_code,
            "price": str(line.unit_price),
            "floor": str(line.floor_price),
            "ceiling": str(line.ceiling_price),
        }
        if line.unit_price < line.floor_price:
            for dept in (Department.SALES, Department.FINANCE):
                msg = f"line {line.line_no} {line.name}: price {line.unit_price} below floor"
                out.append(Finding(dept, "price_low", "block", msg, evidence))
        elif line.unit_price > line.ceiling_price:
            msg = f"line {line.line_no} {line.name}: price {line.unit_price} above ceiling"
            out.append(Finding(Department.FINANCE, "price_high", "warn", msg, evidence))
    return out


def check_stock(f: ReviewFacts) -> list[Finding]:
    out: list[Finding] = []
    for line in f.lines:
        if line.made_to_order or not line.stocked or line.qty <= line.available:
            continue
        short = line.qty - max(line.available, Decimal(0))
        when = line.incoming_date.isoformat() if line.incoming_date and line.incoming else "?"
        covered = line.incoming >= short
        msg = f"line {line.line_no} {line.name}: short {short}, replenishment {when}"
        out.append(
            Finding(
                Department.WAREHOUSE,
                "stock",
                "warn" if covered else "block",
                msg,
                {
                    "line": str(line.line_no),
                    "ordered": str(line.qty),
                    "available": str(line.available),
                    "shortfall": str(short),
                    "incoming": str(line.incoming),
                    "replenishment_date": when,
                },
            )
        )
    return out


def earliest_date(f: ReviewFacts) -> date:
    days = max((line.lead_time_days for line in f.lines), default=0)
    return f.order_date + timedelta(days=days)


def check_capacity(f: ReviewFacts) -> list[Finding]:
    out: list[Finding] = []
    for line in f.lines:
        if not line.made_to_order:
            continue
        ready = f.order_date + timedelta(days=line.lead_time_days)
        late = f.wanted_date is not None and ready > f.wanted_date
        msg = f"line {line.line_no} {line.name}: made to order, lead time {line.lead_time_days} d"
        if late:
            msg += f", ready {ready} after wanted {f.wanted_date}"
        out.append(
            Finding(
                Department.PRODUCTION,
                "capacity",
                "block" if late else "warn",
                msg,
                {
                    "line": str(line.line_no),
                    "lead_time_days": str(line.lead_time_days),
                    "ready": ready.isoformat(),
                    **({"wanted": f.wanted_date.isoformat()} if late and f.wanted_date else {}),
                },
            )
        )
    return out


def check_lead_time(f: ReviewFacts) -> list[Finding]:
    if f.wanted_date is None:
        return []
    earliest = earliest_date(f)
    if f.wanted_date >= earliest:
        return []
    return [
        Finding(
            Department.SALES,
            "lead_time",
            "block",
            f"wanted date {f.wanted_date} is before the earliest possible {earliest}",
            {"wanted": f.wanted_date.isoformat(), "earliest": earliest.isoformat()},
        )
    ]


def check_terms(f: ReviewFacts) -> list[Finding]:
    if f.payment_terms in f.allowed_terms:
        return []
    return [
        Finding(
            Department.FINANCE,
            "terms",
            "block",
            f"payment terms {f.payment_terms} are not allowed for this customer",
            {"terms": f.payment_terms, "allowed": ", ".join(sorted(f.allowed_terms))},
        )
    ]


def check_terms_numbers(f: ReviewFacts) -> list[Finding]:
    """Prepayment and credit days no looser than the customer's allowed codes grant.

    Only for an allowed code: an order whose code is not allowed already has the `terms`
    finding, and fixing the code resets the numbers."""
    if f.payment_terms not in f.allowed_terms:
        return []
    numbers = f.terms_numbers
    looser = terms.looser_than_allowed(numbers, f.allowed_terms)
    limits = terms.allowed_limits(f.allowed_terms)
    if not looser or limits is None:
        return []
    parts = []
    if "prepay_pct" in looser:
        parts.append(f"prepayment {numbers.prepay_pct}% below the {limits.prepay_pct}% required")
    if "credit_days" in looser:
        parts.append(f"{numbers.credit_days} credit days above the {limits.credit_days} allowed")
    return [
        Finding(
            Department.FINANCE,
            "terms_loose",
            "block",
            "payment terms looser than the customer is allowed: " + "; ".join(parts),
            {
                "prepay_pct": str(numbers.prepay_pct),
                "credit_days": str(numbers.credit_days),
                "min_prepay_pct": str(limits.prepay_pct),
                "max_credit_days": str(limits.credit_days),
                "looser": ", ".join(looser),
                "allowed": ", ".join(c for c in terms.PAYMENT_TERMS if c in f.allowed_terms),
                "terms_zh": terms.describe(numbers.prepay_pct, numbers.credit_days, "zh"),
                "terms_en": terms.describe(numbers.prepay_pct, numbers.credit_days, "en"),
            },
        )
    ]


INVOICE_FIELDS = ("name", "uscc", "address_phone", "bank_account")


def check_invoice(f: ReviewFacts) -> list[Finding]:
    if f.invoice_type != "special":
        return []
    missing = [k for k in INVOICE_FIELDS if not f.invoice_fields.get(k, "").strip()]
    if not missing:
        return []
    return [
        Finding(
            Department.FINANCE,
            "invoice",
            "block",
            "VAT special invoice without complete invoice data: " + ", ".join(missing),
            {"missing": ", ".join(missing)},
        )
    ]


ALL_CHECKS = (
    check_credit,
    check_prices,
    check_stock,
    check_capacity,
    check_lead_time,
    check_terms,
    check_terms_numbers,
    check_invoice,
)


def review_findings(f: ReviewFacts) -> list[Finding]:
    return [finding for check in ALL_CHECKS for finding in check(f)]


def required_departments(has_made_to_order: bool) -> tuple[Department, ...]:
    base = (Department.SALES, Department.FINANCE, Department.WAREHOUSE)
    return (*base, Department.PRODUCTION) if has_made_to_order else base


def round_complete(required: tuple[Department, ...], approved: set[Department]) -> bool:
    return all(d in approved for d in required)
