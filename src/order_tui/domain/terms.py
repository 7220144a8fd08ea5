"""Payment terms, invoice types, reason codes and other closed lists the clerk picks from."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from order_tui.domain import messages
from order_tui.domain.errors import InvalidValue, ValidationError

messages.register(
    {
        "terms.unknown": (
            "未知的{what}“{value}”，可选：{allowed}",
            "unknown {what} {value!r}; one of: {allowed}",
        ),
        "terms.retention": (
            "保管期限至少为 {years} 年",
            "retention must be at least {years} years",
        ),
        "terms.retention_too_long": (
            "保管期限最多为 {years} 年",
            "retention can be at most {years} years",
        ),
        "terms.prepay_range": (
            "预付比例应为 0 到 100 之间的整数（%）",
            "prepayment must be a whole percent from 0 to 100",
        ),
        "terms.credit_days_range": (
            "账期应为 0 到 {most} 之间的整数天数",
            "credit days must be whole days from 0 to {most}",
        ),
        "terms.credit_without_balance": (
            "100% 预付时没有余款，账期应为 0 天",
            "with 100% prepaid there is no balance: credit days must be 0",
        ),
    }
)

# The lists' names as a message shows them.
_WHAT: dict[str, tuple[str, str]] = {
    "payment terms": ("付款条件", "payment terms"),
    "terms": ("付款条件", "terms"),
    "invoice type": ("发票类型", "invoice type"),
}

PAYMENT_TERMS: dict[str, tuple[str, str, int | None]] = {
    # code: (zh, en, days after order date the payment is due; None = before shipping)
    "prepaid": ("款到发货", "Prepayment", 0),
    "cod": ("货到付款", "Cash on delivery", None),
    "net30": ("月结30天", "Net 30 days", 30),
    "net60": ("月结60天", "Net 60 days", 60),
    "net90": ("月结90天", "Net 90 days", 90),
}

INVOICE_TYPES: dict[str, tuple[str, str]] = {
    "special": ("增值税专用发票", "VAT special invoice"),
    "normal": ("增值税普通发票", "VAT ordinary invoice"),
}

REJECT_REASONS: dict[str, tuple[str, str]] = {
    "price": ("价格不符合价格政策", "Price outside the price policy"),
    "credit": ("信用额度不足", "Credit limit exceeded"),
    "terms": ("付款条件不合规", "Payment terms not allowed"),
    "invoice": ("开票信息不全或不符", "Invoice data incomplete or wrong"),
    "stock": ("库存不足", "Stock not available"),
    "capacity": ("产能或交期无法满足", "Capacity or lead time not met"),
    "date": ("交货期不合理", "Delivery date unreasonable"),
    "data": ("客户或订单资料有误", "Customer or order data wrong"),
    "other": ("其他", "Other"),
}

CANCEL_REASONS: dict[str, tuple[str, str]] = {
    "customer": ("客户取消", "Customer cancelled"),
    "credit": ("信用问题", "Credit problem"),
    "stock": ("无法供货", "Cannot supply"),
    "duplicate": ("重复订单", "Duplicate order"),
    "other": ("其他", "Other"),
}

HOLD_KINDS: dict[str, tuple[str, str]] = {
    "quality": ("质量问题", "Quality problem"),
    "delay": ("延期", "Delay"),
    "discrepancy": ("签收异常", "Delivery discrepancy"),
    "stock": ("缺货", "Stock shortage"),
    "credit": ("信用/付款", "Credit or payment"),
    "other": ("其他", "Other"),
}

HOLD_SOLUTIONS: dict[str, tuple[str, str]] = {
    "replacement": ("更换产品", "Replacement product"),
    "new_date": ("调整交期", "New delivery date"),
    "partial": ("部分交货", "Partial delivery"),
    "cancel": ("取消订单", "Cancellation"),
    "resolved": ("已解决", "Resolved as is"),
    "other": ("其他", "Other"),
}

SHIPPING_MODES: dict[str, tuple[str, str]] = {
    "parcel": ("快递", "Parcel"),
    "ltl": ("零担", "Less than truckload"),
    "ftl": ("整车", "Full truck"),
    "pickup": ("客户自提", "Customer pickup"),
}

ATTACHMENT_KINDS: dict[str, tuple[str, str]] = {
    "purchase_confirmation": ("采购确认函", "Purchase confirmation letter"),
    "technical_agreement": ("技术协议", "Technical agreement"),
    "requirement_notes": ("需求说明", "Requirement notes"),
    "order_form": ("销售订单", "Order form"),
    "signed_receipt": ("签收单", "Signed receipt"),
    "invoice_copy": ("发票复印件", "Invoice copy"),
    "communication": ("沟通记录", "Communication records"),
    "other": ("其他", "Other"),
}

# The archive checklist of step 6; an order form may be the customer-signed confirmation.
ARCHIVE_CHECKLIST: dict[str, frozenset[str]] = {
    "order_form": frozenset({"order_form", "purchase_confirmation"}),
    "signed_receipt": frozenset({"signed_receipt"}),
    "invoice_copy": frozenset({"invoice_copy"}),
    "communication": frozenset({"communication"}),
}

FEEDBACK_DUE_HOURS = 24
MIN_RETENTION_YEARS = 3
MAX_RETENTION_YEARS = 100  # a typo of 3000 years would outlive the calendar (year 9999)


def check_code(value: str, table: dict[str, object], what: str) -> str:
    if value not in table:
        raise InvalidValue(
            code="terms.unknown",
            what=_WHAT.get(what, (what, what)),
            value=value,
            allowed=", ".join(table),
        )
    return value


def payment_due(order_date: date, terms: str) -> date | None:
    """The due date of a term code's default numbers (see `due_date`)."""
    numbers = default_numbers(terms)
    return due_date(order_date, numbers.prepay_pct, numbers.credit_days)


# -- payment terms in numbers ---------------------------------------------------------------
#
# An order carries its terms as two numbers: the percent of the total paid before shipping
# and the days of credit for the rest (the balance). A term code stands for default numbers;
# the clerk may agree others (30 % prepaid, balance net 60) and finance reviews them against
# the codes the customer is allowed.

MAX_CREDIT_DAYS = 365


@dataclass(frozen=True)
class TermNumbers:
    prepay_pct: int  # percent of the order total paid before shipping, 0..100
    credit_days: int  # days after the order date the balance is due, 0..MAX_CREDIT_DAYS

    @property
    def has_balance(self) -> bool:
        return self.prepay_pct < 100


# What each code means in numbers: prepaid = everything before shipping; cod = nothing before,
# the rest on delivery; netN = nothing before, the rest N days after the order date.
TERM_NUMBERS: dict[str, TermNumbers] = {
    "prepaid": TermNumbers(100, 0),
    "cod": TermNumbers(0, 0),
    "net30": TermNumbers(0, 30),
    "net60": TermNumbers(0, 60),
    "net90": TermNumbers(0, 90),
}


def default_numbers(code: str) -> TermNumbers:
    """The numbers a term code stands for (ValueError for an unknown code)."""
    check_code(code, PAYMENT_TERMS, "payment terms")
    return TERM_NUMBERS[code]


def check_numbers(prepay_pct: object, credit_days: object) -> TermNumbers:
    """Both numbers, checked: a whole percent 0..100 and whole days 0..365, and no credit days
    when nothing is left to pay. Raises a coded ValidationError naming the field."""
    if not _whole(prepay_pct) or not 0 <= prepay_pct <= 100:  # type: ignore[operator]
        raise ValidationError(code="terms.prepay_range", field="prepay_pct")
    if not _whole(credit_days) or not 0 <= credit_days <= MAX_CREDIT_DAYS:  # type: ignore[operator]
        raise ValidationError(
            code="terms.credit_days_range", field="credit_days", most=MAX_CREDIT_DAYS
        )
    if prepay_pct == 100 and credit_days:
        raise ValidationError(code="terms.credit_without_balance", field="credit_days")
    return TermNumbers(int(prepay_pct), int(credit_days))  # type: ignore[call-overload]


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def resolve_numbers(code: str, prepay_pct: int | None, credit_days: int | None) -> TermNumbers:
    """The order's numbers: each one given, or else the default of the term code; checked."""
    default = default_numbers(code)
    return check_numbers(
        default.prepay_pct if prepay_pct is None else prepay_pct,
        default.credit_days if credit_days is None else credit_days,
    )


def due_date(order_date: date, prepay_pct: int, credit_days: int) -> date | None:
    """When the last money of the order is due, counted from the order date.

    - everything prepaid (100 %): the order date (shipping waits for the money);
    - a balance with credit days: the order date + the credit days;
    - a balance without credit days: None, it is paid on delivery (no date at entry).

    For the codes' defaults this is the rule of `payment_due`.
    """
    if prepay_pct >= 100:
        return order_date
    if credit_days > 0:
        return order_date + timedelta(days=credit_days)
    return None


_DESCRIBE: dict[str, tuple[str, str]] = {
    "all": ("100% 预付", "100% prepaid"),
    "cod": ("货到付款", "cash on delivery"),
    "net": ("月结{days}天", "net {days}"),
    "part_cod": ("{pct}% 预付，余款货到付款", "{pct}% prepaid, balance on delivery"),
    "part_net": ("{pct}% 预付，余款月结{days}天", "{pct}% prepaid, balance net {days}"),
}


def describe(prepay_pct: int, credit_days: int, lang: str = "zh") -> str:
    """The terms in words: "30% 预付，余款月结60天" / "30% prepaid, balance net 60"."""
    if prepay_pct >= 100:
        key = "all"
    elif prepay_pct <= 0:
        key = "net" if credit_days > 0 else "cod"
    else:
        key = "part_net" if credit_days > 0 else "part_cod"
    zh, en = _DESCRIBE[key]
    return (zh if lang == "zh" else en).format(pct=prepay_pct, days=credit_days)


def terms_text(code: str, prepay_pct: int, credit_days: int, lang: str = "zh") -> str:
    """How an order's terms read on a screen: the code's name when the numbers are its
    defaults ("月结60天"), else the numbers in words ("30% 预付，余款月结60天")."""
    if TERM_NUMBERS.get(code) == TermNumbers(prepay_pct, credit_days):
        return label(PAYMENT_TERMS, code, lang)
    return describe(prepay_pct, credit_days, lang)


def allowed_limits(allowed: Iterable[str]) -> TermNumbers | None:
    """The loosest terms the customer's allowed codes grant: the lowest prepayment any of them
    asks and the longest credit any of them gives (None when no known code is allowed)."""
    numbers = [TERM_NUMBERS[c] for c in allowed if c in TERM_NUMBERS]
    if not numbers:
        return None
    return TermNumbers(min(n.prepay_pct for n in numbers), max(n.credit_days for n in numbers))


def looser_than_allowed(numbers: TermNumbers, allowed: Iterable[str]) -> tuple[str, ...]:
    """Which numbers go beyond what the allowed codes grant: "prepay_pct" (less paid before
    shipping than any allowed code asks), "credit_days" (more days than the longest allowed
    code; only when there is a balance to be credited)."""
    limits = allowed_limits(allowed)
    if limits is None:
        return ()
    out: list[str] = []
    if numbers.prepay_pct < limits.prepay_pct:
        out.append("prepay_pct")
    if numbers.has_balance and numbers.credit_days > limits.credit_days:
        out.append("credit_days")
    return tuple(out)


def missing_documents(kinds: set[str]) -> tuple[str, ...]:
    return tuple(item for item, accepted in ARCHIVE_CHECKLIST.items() if not accepted & kinds)


def retention_date(archived_on: date, years: int) -> date:
    if years < MIN_RETENTION_YEARS:
        raise InvalidValue(code="terms.retention", years=MIN_RETENTION_YEARS)
    if years > MAX_RETENTION_YEARS:
        raise InvalidValue(code="terms.retention_too_long", years=MAX_RETENTION_YEARS)
    try:
        return archived_on.replace(year=archived_on.year + years)
    except ValueError:  # 29 February
        return archived_on.replace(year=archived_on.year + years, day=28)


def label(
    table: dict[str, tuple[str, str]] | dict[str, tuple[str, str, int | None]],
    code: str,
    lang: str = "zh",
) -> str:
    entry = table.get(code)
    if entry is None:
        return code
    return entry[0] if lang == "zh" else entry[1]
