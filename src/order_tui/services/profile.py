"""The customer profile: what one customer has ordered, how we delivered, what went wrong, and
how much of the credit limit is in use. Read only; for sales and finance.

Figures cover the orders placed in the last `months` calendar months (the window), except
the all-time totals, the credit in use, the open holds and the open orders, which are the
state of today. Computed by aggregate queries (store/report_queries.py) and the pure rules of
domain/profile.py.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from order_tui.domain import messages
from order_tui.domain import profile as rules
from order_tui.domain.errors import ValidationError
from order_tui.services.common import Actor, now_utc, require_role, today
from order_tui.services.intake import HISTORY_OPEN_STATUSES
from order_tui.store import repo
from order_tui.store import report_queries as rq
from order_tui.store.engine import Database

messages.register(
    {
        "profile.months": ("月数应为 1 到 {most}", "months must be 1 to {most}"),
    }
)
WHAT = ("查看客户档案", "viewing a customer profile")
MAX_MONTHS = 36
LIST_LIMIT = 100  # open orders listed; the count says how many there are
DETAIL_LIMIT = 20  # open holds and complaints listed


@dataclass(frozen=True)
class OpenOrder:
    order_no: str
    order_day: date
    status: str
    total: Decimal
    wanted_date: date | None
    on_hold: bool


@dataclass(frozen=True)
class OpenHold:
    order_no: str
    kind: str
    description: str
    owner: str
    raised_at: datetime


@dataclass(frozen=True)
class Complaint:
    order_no: str
    done_at: datetime
    satisfaction: int | None
    remarks: str
    after_sales_needed: bool
    after_sales: str


@dataclass(frozen=True)
class CustomerProfile:
    code: str
    name: str
    as_of: date  # today in the business time zone (or the day asked for)
    months: int
    since: date  # first day of the window
    credit: rules.CreditUse
    month_figures: list[rules.MonthFigure]
    all_orders: int  # deals of all time (drafts and cancelled orders left out)
    all_amount: Decimal
    first_order_day: date | None
    cycle: rules.CycleStats
    on_time: rules.OnTime
    returns: int  # review rounds that sent an order back to the clerk
    return_reasons: list[tuple[str, int]]  # rejecting verdicts by reason code
    holds: int
    holds_by_kind: list[tuple[str, int]]
    open_holds: list[OpenHold]
    feedback_calls: int
    complaints: int
    complaint_list: list[Complaint]
    open_count: int
    open_orders: list[OpenOrder] = field(default_factory=list)

    @property
    def window_orders(self) -> int:
        return sum(m.orders for m in self.month_figures)

    @property
    def window_amount(self) -> Decimal:
        return sum((m.amount for m in self.month_figures), Decimal("0.00"))


def customer_profile(
    db: Database,
    actor: Actor,
    customer_code: str,
    months: int = 12,
    as_of: date | None = None,
) -> CustomerProfile:
    """The profile of `customer_code` for the `months` months up to `as_of` (default today).

    Refused (PermissionDenied, code common.needs_role) unless the operator is a sales rep,
    sales clerk, sales manager or in finance; NotFound for an unknown customer."""
    require_role(actor, rules.PROFILE_ROLES, WHAT)
    if not 1 <= months <= MAX_MONTHS:
        raise ValidationError(code="profile.months", field="months", most=MAX_MONTHS)
    day = as_of or today(db)
    since = rules.window_start(day, months)
    offset = rules.utc_offset_minutes(db.timezone, now_utc())
    with db.reading() as session:
        customer = repo.find_customer(session, customer_code)
        cid = customer.id
        assert cid is not None
        totals = rq.customer_totals(session, cid, repo.OPEN_STATUSES, HISTORY_OPEN_STATUSES)
        buckets = rq.cycle_buckets(session, cid, since, db.timezone, offset)
        by_kind = rq.holds_by_kind(session, cid, since)
        calls, complaint_count = rq.feedback_counts(session, cid, since, rules.LOW_SATISFACTION)
        return CustomerProfile(
            code=customer.code,
            name=customer.legal_name,
            as_of=day,
            months=months,
            since=since,
            credit=rules.CreditUse(customer.credit_limit, totals.exposure),
            month_figures=rules.fill_months(day, months, rq.deals_by_month(session, cid, since)),
            all_orders=totals.deals,
            all_amount=totals.amount,
            first_order_day=totals.first_day,
            cycle=rules.cycle_stats(buckets),
            on_time=rules.on_time(buckets),
            returns=rq.returns_count(session, cid, since),
            return_reasons=rq.rejections_by_reason(session, cid, since),
            holds=sum(n for _, n in by_kind),
            holds_by_kind=by_kind,
            open_holds=[
                OpenHold(h.order_no, h.kind, h.description, h.owner, h.raised_at)
                for h in rq.open_holds(session, cid, DETAIL_LIMIT)
            ],
            feedback_calls=calls,
            complaints=complaint_count,
            complaint_list=[
                Complaint(
                    c.order_no,
                    c.done_at,
                    c.satisfaction,
                    c.remarks,
                    c.after_sales_needed,
                    c.after_sales,
                )
                for c in rq.complaints(session, cid, since, rules.LOW_SATISFACTION, DETAIL_LIMIT)
            ],
            open_count=totals.open_orders,
            open_orders=[
                OpenOrder(o.order_no, o.order_day, o.status, o.total, o.wanted_date, o.on_hold)
                for o in rq.open_orders(session, cid, HISTORY_OPEN_STATUSES, LIST_LIMIT)
            ],
        )
