"""Step 3's approval inbox: what waits for MY departments, paged by key, and batch verdicts.

The inbox reads `review_task`, one small row per department still to decide, so the first
page and every next page cost the same whether the database holds ten thousand orders or a
million. Batch option codes (green-screen style) still run one service call per order.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from order_tui.domain import messages
from order_tui.domain.errors import DomainError, ValidationError
from order_tui.domain.money import MONEY_PLACES, quantize_money
from order_tui.domain.roles import DEPARTMENT_LABELS, DEPARTMENT_ROLE, Department
from order_tui.domain.text import number_problem
from order_tui.services import execution, inputs, review
from order_tui.services.common import Actor
from order_tui.store import repo
from order_tui.store.engine import Database

SORTS = tuple(repo.INBOX_SORTS)

messages.register(
    {
        "inbox.unknown_department": (
            "没有部门“{department}”",
            "unknown department {department!r}",
        ),
        "inbox.not_yours": ("您不代表{dept}审核", "you do not review for {dept}"),
        "inbox.sort": ("排序方式应为以下之一：{allowed}", "sort by one of: {allowed}"),
        "inbox.option": (
            "选项“{option}”：请用以下之一：{allowed}",
            "option {option!r}: use one of {allowed}",
        ),
    }
)

# Green-screen option codes typed beside a row.
OPTION_CODES: dict[str, tuple[str, str]] = {
    "5": ("显示", "Display"),
    "1": ("批准", "Approve"),
    "4": ("驳回", "Reject"),
    "9": ("挂起", "Hold"),
}


@dataclass(frozen=True)
class InboxRow:
    order_no: str
    department: str
    customer: str
    total: Decimal
    wanted_date: date | None
    submitted_at: datetime
    round_no: int
    flags: tuple[str, ...]
    on_hold: bool
    version: int
    cursor: tuple[Any, int]  # pass back as `after` for the next page


def my_departments(actor: Actor) -> list[str]:
    return [d.value for d, role in DEPARTMENT_ROLE.items() if role in actor.roles]


def counts(db: Database, actor: Actor) -> dict[str, int]:
    """Orders waiting per department of mine (the header of the inbox)."""
    with db.reading() as session:
        all_counts = repo.inbox_counts(session)
    return {d: all_counts.get(d, 0) for d in my_departments(actor)}


def page(
    db: Database,
    actor: Actor,
    department: str | None = None,
    *,
    sort: str = "age",
    descending: bool = False,
    after: tuple[Any, int] | None = None,
    text: str = "",
    amount_min: Decimal | None = None,
    amount_max: Decimal | None = None,
    limit: int = 50,
) -> list[InboxRow]:
    """One page of the inbox, oldest first by default; `department` None is all of mine."""
    # Bounds filter whole cents: 0.0909 typed is 0.09 (the amount column holds cents only).
    if amount_min is not None:
        amount_min = quantize_money(inputs.number(amount_min, "amount_min", 2, exact=False))
    if amount_max is not None:
        amount_max = quantize_money(inputs.number(amount_max, "amount_max", 2, exact=False))
    mine = my_departments(actor)
    if department is not None:
        if department not in {d.value for d in Department}:
            raise ValidationError(
                code="inbox.unknown_department", field="department", department=department
            )
        if department not in mine:
            raise ValidationError(
                code="inbox.not_yours",
                field="department",
                dept=DEPARTMENT_LABELS[Department(department)],
            )
        departments = [department]
    else:
        departments = mine
    if not departments:
        return []
    if sort not in SORTS:
        raise ValidationError(code="inbox.sort", field="sort", allowed=", ".join(SORTS))
    column = repo.INBOX_SORTS[sort]
    with db.reading() as session:
        rows = repo.inbox_page(
            session,
            departments,
            sort=sort,
            descending=descending,
            after=after,
            text=text,
            amount_min=amount_min,
            amount_max=amount_max,
            limit=limit,
        )
        return [
            InboxRow(
                order_no=task.order_no,
                department=task.department,
                customer=task.cust_name,
                total=task.total,
                wanted_date=task.wanted_date,
                submitted_at=task.submitted_at,
                round_no=task.round_no,
                flags=tuple(f for f in task.flags.split(";") if f),
                on_hold=order.on_hold,
                version=order.version,
                cursor=(getattr(task, column), task.id or 0),
            )
            for task, order in rows
        ]


def parse_amount_range(text: str) -> tuple[Decimal | None, Decimal | None] | None:
    """ "1000-5000", ">=1000", "<=5000" -> bounds; anything else is not a range (None)."""
    text = text.replace(",", "").replace(" ", "")
    try:
        if text.startswith(">="):
            bounds: tuple[Decimal | None, Decimal | None] = Decimal(text[2:]), None
        elif text.startswith("<="):
            bounds = None, Decimal(text[2:])
        else:
            low, sep, high = text.partition("-")
            if not (sep and low and high):
                return None
            bounds = Decimal(low), Decimal(high)
    except ArithmeticError:
        return None
    # "nan-inf" or "1e30-1e40" parse, but are no amounts
    if any(b is not None and number_problem(b, MONEY_PLACES, exact=False) for b in bounds):
        return None
    return bounds


@dataclass(frozen=True)
class BatchEntry:
    order_no: str
    code: str  # one of OPTION_CODES
    department: str | None = None
    reason: str = ""  # reject: reason code; hold: hold kind
    text: str = ""  # reject / hold: the text; approve: optional comment


@dataclass(frozen=True)
class BatchResult:
    order_no: str
    code: str
    ok: bool
    message: str  # English; `error` says it in the operator's language (messages.localized)
    status: str = ""
    error: DomainError | None = None


def run_batch(db: Database, actor: Actor, entries: list[BatchEntry]) -> list[BatchResult]:
    """Each entry is its own service call and transaction; one failure stops nothing else."""
    results: list[BatchResult] = []
    for entry in entries:
        try:
            if entry.code == "5":
                results.append(BatchResult(entry.order_no, entry.code, True, "display"))
                continue
            if entry.code == "1":
                detail = review.approve(
                    db, actor, entry.order_no, department=entry.department, comment=entry.text
                )
                status = detail.status
            elif entry.code == "4":
                detail = review.reject(
                    db,
                    actor,
                    entry.order_no,
                    entry.reason,
                    entry.text,
                    department=entry.department,
                )
                status = detail.status
            elif entry.code == "9":
                execution.raise_hold(db, actor, entry.order_no, entry.reason or "other", entry.text)
                status = "in_review"
            else:
                raise ValidationError(
                    code="inbox.option",
                    field="code",
                    option=entry.code,
                    allowed=", ".join(OPTION_CODES),
                )
        except DomainError as exc:
            results.append(BatchResult(entry.order_no, entry.code, False, str(exc), error=exc))
        else:
            results.append(BatchResult(entry.order_no, entry.code, True, "done", status))
    return results
