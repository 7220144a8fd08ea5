"""Step 5's closed lists and light checks: carriers, tracking numbers, the delivery check.

The carriers offered by F4 are the common Chinese freight companies below plus every carrier
already typed on a shipment (the services add those), so a firm's own hauliers become
choices the first time they are used, without a settings screen.
"""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from order_tui.domain import messages
from order_tui.domain.errors import ValidationError

messages.register(
    {
        "ship.tracking_format": (
            "运单号只能由字母、数字和“-”组成，{low}-{high} 位，且至少含一位数字",
            "a tracking number is {low} to {high} letters, digits or '-', with a digit",
        ),
    }
)

# The default carriers; "自提" (customer pickup) is a pseudo-carrier for the pickup mode.
CARRIERS: tuple[str, ...] = (
    "顺丰速运",
    "德邦物流",
    "中通快运",
    "京东物流",
    "安能物流",
    "跨越速运",
    "韵达快运",
    "百世快运",
    "自提",
)
PICKUP_CARRIER = "自提"

# The delivery check at sign-off, in the order it is done with the customer.
SIGN_OFF_CHECKS: dict[str, tuple[str, str]] = {
    "qty": ("数量", "Quantity"),
    "appearance": ("外观", "Appearance"),
    "packaging": ("包装", "Packaging"),
}

SATISFACTION: dict[int, tuple[str, str]] = {
    1: ("很不满意", "Very unhappy"),
    2: ("不满意", "Unhappy"),
    3: ("一般", "Neutral"),
    4: ("满意", "Satisfied"),
    5: ("很满意", "Very satisfied"),
}

TRACKING_LENGTH = (3, 40)
_TRACKING = re.compile(r"[A-Z0-9-]+")


def normalize_tracking(text: str) -> str:
    """A waybill number as carriers print it: upper case, no spaces (SF 1234 5678 ->
    SF12345678); full-width characters typed by a Chinese IME count as their ASCII forms.

    The check is light on purpose: every carrier has its own format and new ones appear,
    so only what no waybill has is refused (other characters, no digit, absurd length).
    """
    value = "".join(unicodedata.normalize("NFKC", text).split()).upper()
    low, high = TRACKING_LENGTH
    if not (
        low <= len(value) <= high
        and _TRACKING.fullmatch(value)
        and any(ch.isdigit() for ch in value)
    ):
        raise ValidationError(code="ship.tracking_format", field="tracking", low=low, high=high)
    return value


def carrier_choices(used: list[str]) -> list[str]:
    """The defaults first, then carriers typed on earlier shipments, each once."""
    seen: list[str] = []
    for name in [*CARRIERS, *used]:
        name = name.strip()
        if name and name not in seen:
            seen.append(name)
    return seen


# -- what one shipment takes ---------------------------------------------------------------

messages.register(
    {
        "ship.no_line": ("订单没有第 {line} 行", "the order has no line {line}"),
        "ship.qty_negative": ("第 {line} 行：数量不能为负", "line {line}: quantity cannot be < 0"),
        "ship.too_much": (
            "第 {line} 行：本次最多可发 {most}",
            "line {line}: at most {most} can ship now",
        ),
        "ship.nothing": ("没有要发运的数量", "nothing to ship"),
    }
)


@dataclass(frozen=True)
class LineState:
    """An order line as shipping sees it. Goods ship from what was picked; a line whose
    product is not stocked (installation, training) has nothing to pick and ships as a
    service."""

    line_no: int
    qty: Decimal
    picked: Decimal
    shipped: Decimal
    stocked: bool = True

    @property
    def ready(self) -> Decimal:
        """What may go in a shipment now."""
        return (self.picked if self.stocked else self.qty) - self.shipped

    @property
    def backorder(self) -> Decimal:
        """Ordered and not shipped yet."""
        return max(self.qty - self.shipped, Decimal(0))


def plan_shipment(
    lines: list[LineState], quantities: Mapping[int, Decimal] | None = None
) -> dict[int, Decimal]:
    """Line number -> quantity in this shipment (only lines with more than zero).

    `quantities` None ships every goods line's ready quantity. Lines not stocked follow one
    rule: named in `quantities`, they ship what is named (0 holds them back); not named, they
    ship in full with the shipment that completes the goods (or at once when only services
    are left), so an installation is on the road with the last machine, never before it.
    """
    by_no = {line.line_no: line for line in lines}
    plan: dict[int, Decimal] = {}
    if quantities is None:
        plan = {ln.line_no: ln.ready for ln in lines if ln.stocked and ln.ready > 0}
    else:
        for no, qty in quantities.items():
            line = by_no.get(no)
            if line is None:
                raise ValidationError(code="ship.no_line", field="qty", line=no)
            if qty < 0:
                raise ValidationError(code="ship.qty_negative", field="qty", line=no)
            if qty > line.ready:
                raise ValidationError(
                    code="ship.too_much", field="qty", line=no, most=_plain(line.ready)
                )
            if qty:
                plan[no] = qty
    named = set(quantities or ())
    goods_done = all(
        ln.shipped + plan.get(ln.line_no, Decimal(0)) >= ln.qty for ln in lines if ln.stocked
    )
    if goods_done:
        for ln in lines:
            if not ln.stocked and ln.line_no not in named and ln.backorder > 0:
                plan[ln.line_no] = ln.backorder
    if not plan:
        raise ValidationError(code="ship.nothing", field="qty")
    return plan


def completes(lines: list[LineState], plan: Mapping[int, Decimal]) -> bool:
    """True when after `plan` nothing of the order is left to ship."""
    return all(ln.shipped + plan.get(ln.line_no, Decimal(0)) >= ln.qty for ln in lines)


def _plain(value: Decimal) -> str:
    """20.0000 -> 20, 1.5000 -> 1.5 (how a quantity reads in a message)."""
    return f"{value.normalize():f}"
