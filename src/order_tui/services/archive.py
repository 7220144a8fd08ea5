"""Step 6 for the archivist and everyone who looks back: the completion queue with its
document checklist, the archive search, an archived order with its whole history, and the
purge of orders past their retention date (administrator).

Completing and archiving themselves are services/closing.py; attaching is
services/attachments.py.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from order_tui.domain import messages
from order_tui.domain.archive import (
    PURGERS,
    READERS,
    checklist,
    normalize_order_prefix,
    prefix_days,
    purge_cutoff,
)
from order_tui.domain.errors import InvalidValue, ReadOnly, ValidationError
from order_tui.domain.lifecycle import Action
from order_tui.domain.money import MONEY_PLACES
from order_tui.domain.roles import Role
from order_tui.domain.terms import ARCHIVE_CHECKLIST, missing_documents
from order_tui.domain.text import number_problem
from order_tui.services import attachments, inputs, views
from order_tui.services.common import (
    Actor,
    audit,
    authorize,
    now_utc,
    record_refusal,
    require_role,
    today,
)
from order_tui.store import archive_queries, repo
from order_tui.store import delivery_queries as dq
from order_tui.store.engine import Database

messages.register(
    {
        "archive.bad_date": ("日期格式应为 2025-03-15", "a date looks like 2025-03-15"),
        "archive.bad_amount": ("金额应为不小于 0 的数字", "an amount is a number, 0 or more"),
        "archive.range": ("起始值不能大于结束值", "the start is after the end"),
        "archive.item": (
            "归档清单项目应为以下之一：{allowed}",
            "the checklist item must be one of: {allowed}",
        ),
        "archive.not_archived": (
            "订单 {order_no} 尚未归档，不能清理",
            "order {order_no} is not archived and cannot be purged",
        ),
        "archive.retained": (
            "订单 {order_no} 保管至 {until}，期满前不能删除",
            "order {order_no} is kept until {until} and cannot be deleted before",
        ),
    }
)

_WHAT_READ = ("查看订单", "reading orders")
_WHAT_COMPLETE = ("归档工作", "completion and archiving")
_WHAT_PURGE = ("清理过期订单", "purging orders")


# -- the completion queue ---------------------------------------------------------------------


@dataclass(frozen=True)
class CompletionRow:
    order_no: str
    order_day: date
    customer: str
    total: Decimal
    status: str  # delivered (feedback recorded: to complete) or completed (to archive)
    missing: tuple[str, ...]  # checklist items without a document
    on_hold: bool
    version: int
    cursor: tuple[int, date, int]


_PHASES = ("delivered", "completed")


def completion_queue(
    db: Database, actor: Actor, after: tuple[int, date, int] | None = None, limit: int = 50
) -> list[CompletionRow]:
    """Delivered orders whose feedback is recorded, then completed ones waiting to be
    archived; oldest first, keyset-paged on (phase, order day, serial)."""
    require_role(actor, {Role.ARCHIVIST}, _WHAT_COMPLETE)
    rows: list[CompletionRow] = []
    with db.reading() as session:
        start = after[0] if after is not None else 0
        for phase in range(start, len(_PHASES)):
            key = (after[1], after[2]) if after is not None and phase == after[0] else None
            orders = repo.completion_page(session, _PHASES[phase], key, limit - len(rows))
            kinds = repo.attachment_kinds_of(session, [o.id for o in orders if o.id])
            for order in orders:
                rows.append(
                    CompletionRow(
                        order_no=order.order_no,
                        order_day=order.order_day,
                        customer=order.cust_name,
                        total=order.total,
                        status=order.status,
                        missing=missing_documents(kinds.get(order.id or 0, set())),
                        on_hold=order.on_hold,
                        version=order.version,
                        cursor=(phase, order.order_day, order.serial),
                    )
                )
            if len(rows) >= limit:
                break
    return rows


def order_checklist(db: Database, actor: Actor, order_no: str) -> list[tuple[str, bool]]:
    """The archive checklist of one order: (item, a document is attached)."""
    require_role(actor, set(READERS), _WHAT_READ)
    with db.reading() as session:
        order = repo.get_order(session, order_no)
        return checklist(repo.attachment_kinds(session, order.id or 0))


def attach_document(db: Database, actor: Actor, order_no: str, item: str, path: Path) -> str:
    """Attach the file for one checklist item (its attachment kind is the item's name)."""
    if item not in ARCHIVE_CHECKLIST:
        raise ValidationError(
            code="archive.item", field="item", allowed=", ".join(ARCHIVE_CHECKLIST)
        )
    return attachments.attach(db, actor, order_no, path, item)


# -- the archive search -----------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveQuery:
    """The search fields as typed; blank ones do not filter."""

    number: str = ""
    customer: str = ""
    product: str = ""
    day_from: str = ""
    day_to: str = ""
    amount_from: str = ""
    amount_to: str = ""

    def is_blank(self) -> bool:
        return not any(str(v).strip() for v in self.__dict__.values())


@dataclass(frozen=True)
class ArchiveRow:
    order_no: str
    order_day: date
    customer: str
    total: Decimal
    archived_at: datetime | None
    retention_until: date | None
    cursor: tuple[date, int]


def _day(text: str, name: str) -> date | None:
    value = text.strip()
    if not value:
        return None
    try:
        if value.isdigit() and len(value) == 8:
            return date(int(value[:4]), int(value[4:6]), int(value[6:]))
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(code="archive.bad_date", field=name) from None


def _amount(text: str, name: str) -> Decimal | None:
    value = text.strip().replace(",", "").replace("，", "")
    if not value:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValidationError(code="archive.bad_amount", field=name) from None
    # 1e30 or NaN parse as Decimals, but no amount column can hold them
    if number_problem(amount, MONEY_PLACES, exact=False) is not None or amount < 0:
        raise ValidationError(code="archive.bad_amount", field=name)
    return amount.quantize(Decimal("0.01"))


def criteria(query: ArchiveQuery) -> archive_queries.Criteria | None:
    """The typed fields checked and normalized; None when no order can match (a number
    prefix that is no date)."""
    for name, typed in query.__dict__.items():
        # a NUL ends the full-text query early ("unterminated string")
        inputs.text(typed, name)
    try:
        prefix = normalize_order_prefix(query.number)
    except InvalidValue as exc:
        raise ValidationError(code=exc.code, field="number") from None
    day_from, day_to = _day(query.day_from, "day_from"), _day(query.day_to, "day_to")
    if day_from and day_to and day_from > day_to:
        raise ValidationError(code="archive.range", field="day_to")
    amount_min = _amount(query.amount_from, "amount_from")
    amount_max = _amount(query.amount_to, "amount_to")
    if amount_min is not None and amount_max is not None and amount_min > amount_max:
        raise ValidationError(code="archive.range", field="amount_to")
    if prefix and len(prefix) > 2:
        days = prefix_days(prefix)
        if days is None:
            return None
        day_from = max(day_from or days[0], days[0])
        day_to = min(day_to or days[1], days[1])
        if day_from > day_to:
            return None
    return archive_queries.Criteria(
        order_no_prefix=prefix if len(prefix) > 2 else "",
        customer=query.customer.strip(),
        product=query.product.strip(),
        day_from=day_from,
        day_to=day_to,
        amount_min=amount_min,
        amount_max=amount_max,
    )


def search(
    db: Database,
    actor: Actor,
    query: ArchiveQuery,
    after: tuple[date, int] | None = None,
    limit: int = 50,
) -> list[ArchiveRow]:
    """Archived orders meeting every filled-in field, newest first, a page after `after`."""
    require_role(actor, set(READERS), _WHAT_READ)
    crit = criteria(query)
    if crit is None:
        return []
    with db.reading() as session:
        customers = (
            archive_queries.find_names(session, "customer", crit.customer)
            if crit.customer
            else None
        )
        products = (
            archive_queries.find_names(session, "product", crit.product) if crit.product else None
        )
        found = archive_queries.search_orders(session, crit, customers, products, after, limit)
    return [
        ArchiveRow(
            order_no=r.order_no,
            order_day=r.order_day,
            customer=r.cust_name,
            total=r.total,
            archived_at=r.archived_at,
            retention_until=r.retention_until,
            cursor=(r.order_day, r.serial),
        )
        for r in found
    ]


# -- one archived order, read only, with its history ----------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    action: str
    from_status: str
    to_status: str
    changes: dict[str, Any]


@dataclass(frozen=True)
class ArchivedOrder:
    detail: views.OrderDetail
    archived_at: datetime | None
    history: list[HistoryEntry]
    rounds: list[dict[str, Any]]
    shipments: list[dict[str, Any]]
    sign_offs: list[dict[str, Any]]
    feedback: dict[str, Any] | None
    holds: list[dict[str, Any]] = field(default_factory=list)
    checklist: list[tuple[str, bool]] = field(default_factory=list)

    @property
    def read_only(self) -> bool:
        return self.detail.status == "archived"


def _changes(text: str) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {"text": text}
    return value if isinstance(value, dict) else {"value": value}


def archived_order(db: Database, actor: Actor, order_no: str) -> ArchivedOrder:
    """An order (archived or not) with everything that happened to it, for reading."""
    require_role(actor, set(READERS), _WHAT_READ)
    with db.reading() as session:
        order = repo.get_order(session, order_no)
        oid = order.id or 0
        detail = views.detail(session, order)
        history = [
            HistoryEntry(
                at=e.at,
                who=e.operator_name,
                action=e.action,
                from_status=e.from_status,
                to_status=e.to_status,
                changes=_changes(e.changes),
            )
            for e in repo.audit_of_order(session, oid)
        ]
        names = repo.operator_names(session, [r.submitted_by for r in repo.rounds_of(session, oid)])
        rounds = [
            {
                "round": r.round_no,
                "submitted_at": r.submitted_at,
                "submitted_by": names.get(r.submitted_by, ""),
                "outcome": r.outcome,
                "departments": [d for d in r.required_departments.split(";") if d],
            }
            for r in repo.rounds_of(session, oid)
        ]
        lines = {ln.id: ln for ln in repo.order_lines(session, oid)}
        shipments = [
            {
                "carrier": s.carrier,
                "mode": s.mode,
                "tracking_no": s.tracking_no,
                "ship_date": s.ship_date,
                "lines": [
                    (lines[sl.line_id].line_no if sl.line_id in lines else 0, sl.qty)
                    for sl in shipment_lines
                ],
            }
            for s, shipment_lines in dq.shipments_of(session, oid)
        ]
        sign_offs = [
            {
                "signer": s.signer_name,
                "signed_at": s.signed_at,
                "qty_ok": s.qty_ok,
                "appearance_ok": s.appearance_ok,
                "packaging_ok": s.packaging_ok,
                "discrepancy": s.discrepancy,
            }
            for s in dq.sign_offs_of(session, oid)
        ]
        fb = repo.feedback_of(session, oid)
        feedback = (
            {
                "done_at": fb.done_at,
                "reached": fb.reached,
                "satisfaction": fb.satisfaction,
                "remarks": fb.remarks,
                "after_sales": fb.after_sales if fb.after_sales_needed else "",
            }
            if fb is not None
            else None
        )
        holds = [
            {
                "kind": h.kind,
                "description": h.description,
                "raised_at": h.raised_at,
                "released_at": h.released_at,
                "solution": h.solution,
            }
            for h in repo.holds_of(session, oid)
        ]
        kinds = repo.attachment_kinds(session, oid)
        return ArchivedOrder(
            detail=detail,
            archived_at=order.archived_at,
            history=history,
            rounds=rounds,
            shipments=shipments,
            sign_offs=sign_offs,
            feedback=feedback,
            holds=holds,
            checklist=checklist(kinds),
        )


def request_change(db: Database, actor: Actor, order_no: str, action: Action) -> None:
    """May this operator take `action` on the order now? Raises the coded reason if not; a
    change asked of an archived order is refused and the refusal is logged."""
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, action)


# -- purge past retention ---------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeItem:
    order_no: str
    order_day: date
    customer: str
    total: Decimal
    retention_until: date


def _cutoff(db: Database) -> date:
    return purge_cutoff(today(db), datetime.now(UTC).date())


def purge_candidates(db: Database, actor: Actor, limit: int | None = None) -> list[PurgeItem]:
    """The archived orders whose retention has ended, oldest first: what `purge` removes."""
    require_role(actor, set(PURGERS), _WHAT_PURGE)
    with db.reading() as session:
        return [
            PurgeItem(o.order_no, o.order_day, o.cust_name, o.total, o.retention_until)  # type: ignore[arg-type]
            for o in repo.purgeable_orders(session, _cutoff(db), limit)
        ]


def purge(db: Database, actor: Actor, order_nos: list[str] | None = None) -> list[str]:
    """Remove archived orders past retention with everything that hangs on them, in one
    transaction; each leaves a "purge" entry in the audit log. With `order_nos`, only those,
    and an order still under retention among them is refused (and the refusal logged)."""
    if order_nos is None:
        require_role(actor, set(PURGERS), _WHAT_PURGE)
    cutoff = _cutoff(db)
    with db.writing() as session:
        if order_nos is None:
            orders = repo.purgeable_orders(session, cutoff)
        else:
            # Deleting an order under retention is refused (and logged) whoever asks; the role
            # is checked after, so a clerk's attempt on an archived order is on record too.
            orders = [repo.get_order(session, no) for no in order_nos]
            for order in orders:
                kept = order.retention_until is None or order.retention_until >= cutoff
                if order.status == "archived" and kept:
                    until, number = order.retention_until, order.order_no
                    record_refusal(session, actor, order, "purge")
                    raise ReadOnly(
                        code="archive.retained",
                        order_no=number,
                        until=until.isoformat() if until else "-",
                    )
                if order.status != "archived":
                    raise ValidationError(code="archive.not_archived", order_no=order.order_no)
            require_role(actor, set(PURGERS), _WHAT_PURGE)
        done = []
        for order in orders:
            audit(
                session,
                actor,
                "order",
                order.id or 0,
                "purge",
                order_no=order.order_no,
                from_status=order.status,
                changes={
                    "retention_until": order.retention_until,
                    "customer": order.cust_name,
                    "total": order.total,
                    "purged_at": now_utc(),
                },
            )
            done.append(order.order_no)
        repo.delete_orders(session, [o.id for o in orders if o.id is not None])
    return done
