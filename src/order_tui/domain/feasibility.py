"""The first feasibility check of step 1: can stock, production and logistics meet the date?"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal


@dataclass(frozen=True)
class FeasibilityLine:
    line_no: int
    product_code: str
    qty: Decimal
    on_hand: Decimal
    locked: Decimal
    incoming: Decimal
    incoming_date: date | None
    made_to_order: bool
    lead_time_days: int
    stocked: bool = True  # False for a service (installation, freight): nothing to stock

    @property
    def available(self) -> Decimal:
        return max(self.on_hand - self.locked, Decimal(0))

    @property
    def shortfall(self) -> Decimal:
        if self.made_to_order or not self.stocked:
            return Decimal(0)
        return max(self.qty - self.available, Decimal(0))


@dataclass(frozen=True)
class FeasibilityResult:
    line_no: int
    product_code: str
    qty: Decimal
    on_hand: Decimal
    locked: Decimal
    available: Decimal
    shortfall: Decimal
    lead_time_days: int
    earliest: date | None  # None: cannot be promised (short and nothing incoming)
    risk: str  # "", "shortage", "late", "no_supply"
    incoming: Decimal = Decimal(0)
    incoming_date: date | None = None
    made_to_order: bool = False
    stocked: bool = True


def assess_line(
    line: FeasibilityLine, today: date, wanted: date | None, shipping_days: int = 2
) -> FeasibilityResult:
    if line.made_to_order:
        earliest: date | None = today + timedelta(days=line.lead_time_days + shipping_days)
    elif line.shortfall == 0:
        earliest = today + timedelta(days=max(line.lead_time_days, 0) + shipping_days)
    elif line.incoming >= line.shortfall and line.incoming_date is not None:
        earliest = max(line.incoming_date, today) + timedelta(days=shipping_days)
    else:
        earliest = None
    if earliest is None:
        risk = "no_supply"
    elif wanted is not None and earliest > wanted:
        risk = "late"
    elif line.shortfall > 0:
        risk = "shortage"
    else:
        risk = ""
    return FeasibilityResult(
        line_no=line.line_no,
        product_code=line.product_code,
        qty=line.qty,
        on_hand=line.on_hand,
        locked=line.locked,
        available=line.available,
        shortfall=line.shortfall,
        lead_time_days=line.lead_time_days,
        earliest=earliest,
        risk=risk,
        incoming=line.incoming,
        incoming_date=line.incoming_date,
        made_to_order=line.made_to_order,
        stocked=line.stocked,
    )


def assess(
    lines: list[FeasibilityLine], today: date, wanted: date | None
) -> list[FeasibilityResult]:
    return [assess_line(line, today, wanted) for line in lines]


def earliest_possible(results: list[FeasibilityResult]) -> date | None:
    dates = [r.earliest for r in results]
    if any(d is None for d in dates) or not dates:
        return None
    return max(d for d in dates if d is not None)
