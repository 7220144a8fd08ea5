"""What waits for MY roles: the home screen's worklist and `order-tui orders list --mine`."""

from dataclasses import dataclass
from datetime import date, datetime

from order_tui.domain.lifecycle import Action, Status, allowed_actions
from order_tui.domain.roles import DEPARTMENT_ROLE, Role
from order_tui.services.common import Actor, now_utc, today
from order_tui.store import repo
from order_tui.store.engine import Database

# Which statuses each role's queue watches, most urgent first.
QUEUES: tuple[tuple[str, tuple[str, str], Status, frozenset[Role]], ...] = (
    (
        "returned",
        ("退回待修改", "Returned for rework"),
        Status.RETURNED,
        frozenset({Role.SALES_CLERK}),
    ),
    ("drafts", ("草稿待完成", "Drafts to finish"), Status.DRAFT, frozenset({Role.SALES_CLERK})),
    (
        "review",
        ("待我审核", "Awaiting my verdict"),
        Status.IN_REVIEW,
        frozenset({Role.SALES_MANAGER, Role.FINANCE, Role.WAREHOUSE, Role.PRODUCTION}),
    ),
    (
        "production",
        ("待排产/生产中", "Production"),
        Status.IN_PRODUCTION,
        frozenset({Role.PRODUCTION}),
    ),
    (
        "to_pick",
        ("待拣货", "To pick"),
        Status.APPROVED,
        frozenset({Role.WAREHOUSE, Role.PRODUCTION}),
    ),
    ("picking", ("拣货中", "Picking"), Status.PICKING, frozenset({Role.WAREHOUSE})),
    ("to_ship", ("待发货", "To ship"), Status.PACKED, frozenset({Role.LOGISTICS})),
    (
        "to_sign",
        ("待签收", "Sign-off to record"),
        Status.SHIPPED,
        frozenset({Role.LOGISTICS, Role.SALES_REP}),
    ),
    (
        "to_close",
        ("待完成", "To complete"),
        Status.DELIVERED,
        frozenset({Role.ARCHIVIST}),
    ),
    ("to_archive", ("待归档", "To archive"), Status.COMPLETED, frozenset({Role.ARCHIVIST})),
)


@dataclass(frozen=True)
class WorkItem:
    queue: str
    order_no: str
    order_day: date
    customer: str
    total: str
    status: str
    wanted_date: date | None
    on_hold: bool
    overdue: bool
    actions: tuple[Action, ...]
    note: str = ""  # plain-text summary (command line); screens use the fields below
    departments: tuple[str, ...] = ()  # review: my departments still to decide
    reason_code: str = ""  # returned: the rejection's reason code
    comment: str = ""  # returned: the reviewer's text; holds: the description
    rejected_by: str = ""  # returned: the department that rejected
    hold_kind: str = ""
    due_at: datetime | None = None  # feedback calls (UTC)


@dataclass(frozen=True)
class Queue:
    key: str
    label: tuple[str, str]
    items: list[WorkItem]


def worklist(db: Database, actor: Actor, per_queue: int = 50) -> list[Queue]:
    """Queues for the operator's roles, oldest first; held orders and overdue ones marked."""
    day = today(db)
    out: list[Queue] = []
    with db.reading() as session:
        if actor.has(Role.SALES_CLERK, Role.SALES_MANAGER):
            # A hold reaches the clerk at once, above everything else.
            held = [
                WorkItem(
                    queue="holds",
                    order_no=order.order_no,
                    order_day=order.order_day,
                    customer=order.cust_name,
                    total=str(order.total),
                    status=order.status,
                    wanted_date=order.wanted_date,
                    on_hold=True,
                    overdue=order.wanted_date is not None and order.wanted_date < day,
                    actions=tuple(allowed_actions(Status(order.status), actor.roles)),
                    note=f"{hold.kind}: {hold.description}",
                    hold_kind=hold.kind,
                    comment=hold.description,
                )
                for order, hold in repo.orders_on_hold(session, per_queue)
            ]
            out.append(Queue("holds", ("挂起待处理", "Holds to resolve"), held))
        for key, label, status, roles in QUEUES:
            if not actor.roles & roles:
                continue
            pending: dict[str, list[str]] = {}
            if status == Status.IN_REVIEW:
                # From the review tasks: only orders still waiting for one of my departments.
                mine = [d.value for d, r in DEPARTMENT_ROLE.items() if r in actor.roles]
                rows = []
                for task, order in repo.inbox_page(session, mine, limit=per_queue * 4):
                    if order.order_no not in pending:
                        rows.append(order)
                    pending.setdefault(order.order_no, []).append(task.department)
                rows = rows[:per_queue]
            elif status == Status.DELIVERED:
                # As in the archivist's queue: an order is ready to complete once the feedback
                # call is recorded; before that it waits for the sales rep, not for us.
                rows = repo.completion_page(session, status.value, None, per_queue)
            else:
                rows = repo.orders_in_status_oldest_first(session, status.value, per_queue)
            items = []
            for order in rows:
                note = ""
                extra: dict[str, object] = {}
                if status == Status.IN_REVIEW:
                    note = "/".join(pending[order.order_no])
                    extra["departments"] = tuple(pending[order.order_no])
                if status == Status.RETURNED:
                    verdict = repo.last_rejection(session, order.id or 0)
                    if verdict is not None:
                        note = f"{verdict.department}: {verdict.reason_code} {verdict.comment}"
                        extra.update(
                            reason_code=verdict.reason_code,
                            comment=verdict.comment,
                            rejected_by=verdict.department,
                        )
                items.append(
                    WorkItem(
                        queue=key,
                        order_no=order.order_no,
                        order_day=order.order_day,
                        customer=order.cust_name,
                        total=str(order.total),
                        status=order.status,
                        wanted_date=order.wanted_date,
                        on_hold=order.on_hold,
                        overdue=order.wanted_date is not None and order.wanted_date < day,
                        actions=tuple(allowed_actions(status, actor.roles)),
                        note=note,
                        **extra,  # type: ignore[arg-type]
                    )
                )
            # Held orders rise to the top of the queue at once.
            items.sort(key=lambda i: (not i.on_hold,))
            out.append(Queue(key, label, items))
        if actor.has(Role.SALES_REP):
            now = now_utc()
            calls = [
                WorkItem(
                    queue="feedback",
                    order_no=order.order_no,
                    order_day=order.order_day,
                    customer=order.cust_name,
                    total=str(order.total),
                    status=order.status,
                    wanted_date=order.wanted_date,
                    on_hold=order.on_hold,
                    overdue=fb.due_at < now,
                    actions=(Action.RECORD_FEEDBACK,),
                    note=f"due {fb.due_at.isoformat(timespec='minutes')}",
                    due_at=fb.due_at,
                )
                for fb, order in repo.feedback_due_orders(session, per_queue)
            ]
            out.append(Queue("feedback", ("待回访", "Feedback calls due"), calls))
    return out
