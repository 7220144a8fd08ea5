"""The sales manager's monthly review: what came in, how fast it moved, what went wrong.

`monthly_review(db, actor, "2026-11")` reads one month in the business time zone:
- counts: orders received (by order day), approved, shipped (shipment complete), signed
  for and completed (by the time the step was recorded in the audit log);
- the four step durations as distributions, each over the orders whose step ENDED in the
  month: intake -> order (requirement recorded -> order created), order -> approval, approval
  -> shipment, shipment -> sign-off (the signed time as entered on the receipt);
- late deliveries: signed for after the wanted date, with the holds raised on them;
- rejection reasons, complaints from feedback, top customers and products by amount (deals:
  orders received in the month that are neither drafts nor cancelled);
- orders received per day of the month and per month over the last twelve.
The notes of the review are saved with the month, with an optimistic version.

Who: the sales manager only. The review ranks customers and reads complaints, which is the
manager's business; finance and the other departments have their own lists, the admin sees
no business figures.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Session

from order_tui.domain import messages, monthly
from order_tui.domain.errors import Conflict, DomainError, InvalidValue, ValidationError
from order_tui.domain.order_numbers import business_day
from order_tui.domain.roles import Role
from order_tui.services.common import Actor, audit, now_utc, require_role
from order_tui.store import review_queries as q
from order_tui.store.engine import Database
from order_tui.store.models import Operator, ReviewNote

messages.register(
    {
        "monthly.notes_too_long": (
            "备注最多 {most} 个字符，现有 {count} 个",
            "notes may hold at most {most} characters, these have {count}",
        ),
        "monthly.no_notes": (
            "{month} 尚无已保存的评审备注，请重新载入",
            "nothing was saved for {month} yet: reload",
        ),
        "monthly.notes_changed": (
            "{month} 的评审备注已被 {who} 于 {when} 修改，请重新载入后再保存",
            "the notes of {month} were changed by {who} at {when}: reload, then save",
        ),
    }
)

READERS = frozenset({Role.SALES_MANAGER})
WRITERS = frozenset({Role.SALES_MANAGER})
_READ = ("查看月度评审", "the monthly review")
_WRITE = ("保存月度评审备注", "saving the monthly review's notes")
NOTES_MAX = 20000
TOP = 10  # customers and products ranked
LIST_LIMIT = 50  # late deliveries and complaints listed (all are counted)
TREND_MONTHS = 12
NO_HOLD = "none"  # the cause of a late delivery without any hold on record

# The step durations, in the order of the process.
STEPS = ("intake_order", "order_approval", "approval_shipment", "shipment_signoff")
# The counts, in the order of the process.
COUNTS = ("received", "approved", "shipped", "signed", "completed")


@dataclass(frozen=True)
class HoldCause:
    kind: str  # HOLD_KINDS code
    description: str
    released: bool


@dataclass(frozen=True)
class LateDelivery:
    order_no: str
    customer: str
    wanted_date: date
    signed_day: date
    days_late: int
    causes: tuple[HoldCause, ...]


@dataclass(frozen=True)
class Complaint:
    order_no: str
    customer: str
    satisfaction: int | None
    after_sales_needed: bool
    remarks: str
    after_sales: str
    day: date | None


@dataclass(frozen=True)
class RankedCustomer:
    code: str
    name: str
    orders: int
    amount: Decimal


@dataclass(frozen=True)
class RankedProduct:
    code: str
    name: str
    qty: Decimal
    amount: Decimal


@dataclass(frozen=True)
class ReviewNotes:
    month: str
    notes: str = ""
    version: int = 0  # 0: nothing saved for the month yet
    updated_by: str = ""
    updated_at: datetime | None = None


@dataclass(frozen=True)
class MonthlyReview:
    month: str
    timezone: str
    counts: dict[str, int]  # COUNTS -> number of orders
    deals: int
    deal_amount: Decimal
    cycles: dict[str, monthly.Distribution]  # STEPS -> durations in days
    signed: int  # deliveries signed for in the month
    late_total: int
    late: tuple[LateDelivery, ...]  # the LIST_LIMIT latest, most days late first
    late_causes: tuple[tuple[str, int], ...]  # (hold kind or NO_HOLD, late orders)
    rejections: tuple[tuple[str, int], ...]  # (REJECT_REASONS code, verdicts)
    feedback_count: int
    satisfaction_avg: float | None
    complaint_total: int
    complaints: tuple[Complaint, ...]
    top_customers: tuple[RankedCustomer, ...]
    top_products: tuple[RankedProduct, ...]
    per_day: tuple[tuple[date, int], ...]  # every day of the month, zero days included
    per_month: tuple[tuple[str, int], ...]  # the last TREND_MONTHS months, oldest first
    notes: ReviewNotes = field(default_factory=lambda: ReviewNotes(""))

    @property
    def on_time_rate(self) -> float | None:
        return None if not self.signed else (self.signed - self.late_total) / self.signed


def _month(month: str) -> str:
    try:
        year, mon = monthly.parse_month(month)
    except InvalidValue as exc:
        raise ValidationError(code=exc.code, field="month", **exc.params) from None
    return monthly.format_month(year, mon)


def _durations(pairs: list[tuple[datetime | None, datetime | None]]) -> monthly.Distribution:
    return monthly.distribution(
        monthly.step_days(a, b) for a, b in pairs if a is not None and b is not None
    )


def _notes(row: ReviewNote | None, month: str, names: dict[int, str]) -> ReviewNotes:
    if row is None:
        return ReviewNotes(month)
    return ReviewNotes(
        month,
        row.notes,
        row.version,
        names.get(row.updated_by, str(row.updated_by)),
        row.updated_at,
    )


def monthly_review(db: Database, actor: Actor, month: str) -> MonthlyReview:
    require_role(actor, READERS, _READ)
    month = _month(month)
    tz = db.timezone
    start, end = monthly.month_bounds(month, tz)
    first, following = monthly.month_days(month)
    trend_first = monthly.month_days(monthly.shift_month(month, 1 - TREND_MONTHS))[0]
    with db.reading() as session:
        w = q.Window(session, start, end)
        ev = q.month_events(session, w)
        rejections = q.rejection_reasons(session, w)
        calls = q.feedback_done(session, w)
        trend = q.received_per_day(session, trend_first, following)
        intake = q.intake_times(session, first, following)
        customers = q.top_customers(session, first, following, TOP)
        products = q.top_products(session, first, following, TOP)
        deals, deal_amount = q.deal_total(session, first, following)
        late_rows = []
        for order_id, signed in ev.signed.items():
            day = business_day(signed.signed_at, tz)
            if monthly.days_late(day, signed.wanted_date):
                late_rows.append(
                    (order_id, signed.order_no, signed.customer, signed.wanted_date, day)
                )
        holds = q.holds_of(session, [r[0] for r in late_rows])
        note = q.review_note(session, month)
        names = {}
        if note is not None:
            op = session.get(Operator, note.updated_by)
            names = {note.updated_by: op.display_name if op else ""}

    complaint_rows = [c for c in calls if monthly.is_complaint(c[2], bool(c[3]))]
    complaint_rows.sort(key=lambda c: (c[6], c[0]))
    scores = [c[2] for c in calls if c[2] is not None]
    causes: dict[int, list[HoldCause]] = defaultdict(list)
    for order_id, kind, description, released in holds:
        causes[order_id].append(HoldCause(kind, description, released))
    late = sorted(
        (
            LateDelivery(no, cust, wanted, day, monthly.days_late(day, wanted), tuple(causes[oid]))
            for oid, no, cust, wanted, day in late_rows
        ),
        key=lambda d: (-d.days_late, d.order_no),
    )
    cause_count: Counter[str] = Counter()
    for oid, *_rest in late_rows:  # each late order counts once per kind of hold it had
        cause_count.update({h.kind for h in causes[oid]} or {NO_HOLD})

    per_day_counts = dict((d, n) for d, n in trend if first <= d < following)
    per_day = tuple(
        (date.fromordinal(o), per_day_counts.get(date.fromordinal(o), 0))
        for o in range(first.toordinal(), following.toordinal())
    )
    per_month: Counter[str] = Counter()
    for d, n in trend:
        per_month[monthly.format_month(d.year, d.month)] += n
    return MonthlyReview(
        month=month,
        timezone=tz,
        counts={
            "received": sum(n for _d, n in per_day),
            "approved": len(ev.approved),
            "shipped": len(ev.shipped),
            "signed": len(ev.signed),
            "completed": len(ev.completed),
        },
        deals=deals,
        deal_amount=deal_amount,
        cycles={
            "intake_order": _durations(list(intake)),
            "order_approval": _durations([(made, at) for at, made in ev.approved.values()]),
            "approval_shipment": _durations([(appr, at) for at, appr in ev.shipped.values()]),
            "shipment_signoff": _durations(
                [(s.shipped_at, s.signed_at) for s in ev.signed.values()]
            ),
        },
        signed=len(ev.signed),
        late_total=len(late),
        late=tuple(late[:LIST_LIMIT]),
        late_causes=tuple(sorted(cause_count.items(), key=lambda kv: (-kv[1], kv[0]))),
        rejections=tuple(sorted(rejections.items(), key=lambda kv: (-kv[1], kv[0]))),
        feedback_count=len(calls),
        satisfaction_avg=sum(scores) / len(scores) if scores else None,
        complaint_total=len(complaint_rows),
        complaints=tuple(
            Complaint(
                no, cust, sat, bool(need), remarks, after, business_day(done, tz) if done else None
            )
            for no, cust, sat, need, remarks, after, done in complaint_rows[:LIST_LIMIT]
        ),
        top_customers=tuple(RankedCustomer(*row) for row in customers),
        top_products=tuple(RankedProduct(*row) for row in products),
        per_day=per_day,
        per_month=tuple((m, per_month.get(m, 0)) for m in monthly.last_months(month, TREND_MONTHS)),
        notes=_notes(note, month, names),
    )


def review_notes(db: Database, actor: Actor, month: str) -> ReviewNotes:
    """The notes saved with `month` (version 0 and empty when none)."""
    require_role(actor, READERS, _READ)
    month = _month(month)
    with db.reading() as session:
        row = q.review_note(session, month)
        names = {}
        if row is not None:
            op = session.get(Operator, row.updated_by)
            names = {row.updated_by: op.display_name if op else ""}
    return _notes(row, month, names)


def _stale(session: Session, db: Database, month: str) -> DomainError:
    """The refusal of a stale save: who saved the month's notes last, and when."""
    row = q.review_note(session, month)
    if row is None:  # a version was expected but nothing was ever saved: a caller's slip
        return ValidationError(code="monthly.no_notes", field="version", month=month)
    op = session.get(Operator, row.updated_by)
    who = op.display_name if op else str(row.updated_by)
    when = row.updated_at.astimezone(monthly.zone(db.timezone)).strftime("%Y-%m-%d %H:%M")
    return Conflict(
        changed_by=who,
        changed_at=when,
        code="monthly.notes_changed",
        month=month,
        who=who,
        when=when,
    )


def save_review_notes(
    db: Database, actor: Actor, month: str, notes: str, expected_version: int
) -> ReviewNotes:
    """Save the month's notes. `expected_version` is the version the operator saw (0 when
    there were none); if someone saved since, a Conflict names who and when, and nothing is
    written."""
    require_role(actor, WRITERS, _WRITE)
    month = _month(month)
    if len(notes) > NOTES_MAX:
        raise ValidationError(
            code="monthly.notes_too_long", field="notes", most=NOTES_MAX, count=len(notes)
        )
    with db.writing() as session:
        before = q.review_note(session, month)
        before_text = before.notes if before is not None else ""
        row = q.write_note(session, month, notes, actor.id, now_utc(), expected_version)
        if row is None:
            raise _stale(session, db, month)
        year, mon = monthly.parse_month(month)
        audit(
            session,
            actor,
            "review_note",
            year * 100 + mon,  # 202611: the month as the entity's id
            "save_review_notes",
            changes={"month": month, "notes": [before_text, notes], "version": row.version},
        )
        saved = ReviewNotes(month, row.notes, row.version, actor.display_name, row.updated_at)
    return saved
