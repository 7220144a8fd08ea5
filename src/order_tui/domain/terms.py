"""Payment terms, invoice types, reason codes and other closed lists the clerk picks from."""

from datetime import date, timedelta

from order_tui.domain import messages
from order_tui.domain.errors import InvalidValue

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
    check_code(terms, PAYMENT_TERMS, "payment terms")
    days = PAYMENT_TERMS[terms][2]
    return None if days is None else order_date + timedelta(days=days)


def missing_documents(kinds: set[str]) -> tuple[str, ...]:
    return tuple(item for item, accepted in ARCHIVE_CHECKLIST.items() if not accepted & kinds)


def retention_date(archived_on: date, years: int) -> date:
    if years < MIN_RETENTION_YEARS:
        raise InvalidValue(code="terms.retention", years=MIN_RETENTION_YEARS)
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
