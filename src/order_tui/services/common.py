"""What every service shares: the acting operator, the audit trail and the guarded transition.

Each service opens ONE write transaction and, inside it: authorizes with the lifecycle table,
validates, applies the change with a version check, appends the audit event. The UI's gating is
a convenience; this is the authority.
"""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from order_tui.domain import audit_chain, lifecycle, messages
from order_tui.domain.errors import Conflict, PermissionDenied, ReadOnly
from order_tui.domain.lifecycle import Action, Rule, Status
from order_tui.domain.order_numbers import business_day
from order_tui.domain.roles import READS, ROLE_LABELS, Role
from order_tui.domain.terms import missing_documents as documents_missing
from order_tui.store import repo
from order_tui.store.engine import Database
from order_tui.store.models import AuditEvent, OrderLine, SalesOrder

if TYPE_CHECKING:
    from order_tui.services.views import OrderDetail

messages.register(
    {
        "common.needs_role": ("{what}需要以下角色之一：{roles}", "{what} needs role: {roles}"),
        "order.read_only": (
            "订单 {order_no} 已归档，只能查看",
            "order {order_no} is archived and read-only",
        ),
    }
)


@dataclass(frozen=True)
class Actor:
    """The logged-in operator, as the services see them."""

    id: int
    username: str
    display_name: str
    roles: frozenset[Role]

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))


def now_utc() -> datetime:
    return datetime.now(UTC)


def today(db: Database) -> date:
    return business_day(now_utc(), db.timezone)


def require_role(actor: Actor, roles: frozenset[Role] | set[Role], what: tuple[str, str]) -> None:
    """Refuse unless `actor` holds one of `roles`; `what` (zh, en) names the work refused."""
    if not actor.roles & roles:
        needed = ", ".join(sorted(r.value for r in roles))
        raise PermissionDenied(
            code="common.needs_role",
            what=what,
            roles=("、".join(ROLE_LABELS[r][0] for r in sorted(roles)), needed),
        )


def require_read(actor: Actor, what: str) -> None:
    """Refuse a query unless `actor` holds a role that may read `what` (domain.roles.READS)."""
    roles, label = READS[what]
    require_role(actor, roles, label)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return value


def to_json(value: Any) -> str:
    return json.dumps(_jsonable(value), ensure_ascii=False, sort_keys=True)


def audit(
    session: Session,
    actor: Actor,
    entity: str,
    entity_id: int,
    action: str,
    *,
    order_no: str = "",
    from_status: str = "",
    to_status: str = "",
    changes: dict[str, Any] | None = None,
) -> None:
    values: dict[str, Any] = {
        "at": now_utc(),
        "operator_id": actor.id,
        "operator_name": actor.username,
        "entity": entity,
        "entity_id": entity_id,
        "order_no": order_no,
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "changes": to_json(changes) if changes else "",
    }
    # Inside the write transaction the last link is stable (BEGIN IMMEDIATE on SQLite, an
    # advisory lock on PostgreSQL: see repo.last_audit_link); the query flushes this
    # transaction's pending objects first.
    values["chain"] = audit_chain.link(
        repo.last_audit_link(session), [values[name] for name in audit_chain.FIELDS]
    )
    repo.insert_row(session, AuditEvent, values)


class LazyOrderFacts:
    """The guards' facts of one order, each looked up the first time a guard reads it.

    Read inside the write transaction, as the eager version was; a rule pays only for what
    its guards read: approving reads the hold flag of the order already loaded, not its
    lines, production plans, feedback and attachments.
    """

    def __init__(self, session: Session, order: SalesOrder) -> None:
        assert order.id is not None
        self._session, self._order, self._order_id = session, order, order.id

    @property
    def on_hold(self) -> bool:
        return self._order.on_hold

    @cached_property
    def _lines(self) -> list[OrderLine]:
        return repo.order_lines(self._session, self._order_id)

    @property
    def line_count(self) -> int:
        return len(self._lines)

    @property
    def has_made_to_order(self) -> bool:
        return any(ln.made_to_order for ln in self._lines)

    @cached_property
    def production_done(self) -> bool:
        made_to_order = [ln for ln in self._lines if ln.made_to_order]
        if not made_to_order:
            return True
        plans = repo.plans_of(self._session, self._order_id)
        planned_lines = {p.line_id for p in plans}
        ops = repo.operations_of(self._session, [p.id for p in plans if p.id is not None])
        return all(ln.id in planned_lines for ln in made_to_order) and all(
            op.done_at is not None for op in ops
        )

    @property
    def all_picked(self) -> bool:
        return bool(self._lines) and all(ln.picked_qty >= ln.qty for ln in self._lines)

    @cached_property
    def feedback_recorded(self) -> bool:
        feedback = repo.feedback_of(self._session, self._order_id)
        return feedback is not None and feedback.done_at is not None

    @cached_property
    def missing_documents(self) -> tuple[str, ...]:
        return documents_missing(repo.attachment_kinds(self._session, self._order_id))


def record_refusal(session: Session, actor: Actor, order: SalesOrder, what: str) -> None:
    """Log a refused change to an archived order, in a transaction of its own.

    Whatever the refused service already did in its transaction is rolled back first, so the
    refusal is all that is committed; the caller then raises and its transaction ends empty.
    The rollback expires `order`: read what you need from it before.
    """
    order_id, order_no, status = order.id or 0, order.order_no, order.status
    session.rollback()  # frees the write lock, so the next transaction can take it
    with repo.separate_transaction(session) as own:
        audit(
            own,
            actor,
            "order",
            order_id,
            f"refused:{what}",
            order_no=order_no,
            from_status=status,
        )


def authorize(
    session: Session,
    actor: Actor,
    order: SalesOrder,
    action: Action,
    expected_version: int | None = None,
) -> Rule:
    """Check status, role, guards and the version the operator saw, in that order (on the
    order as it is now, locked for this transaction on PostgreSQL)."""
    repo.lock_order(session, order)
    status = Status(order.status)
    if status == Status.ARCHIVED:
        order_no = order.order_no  # the rollback in record_refusal expires the object
        record_refusal(session, actor, order, action.value)
        raise ReadOnly(code="order.read_only", order_no=order_no)
    rule = lifecycle.authorize(status, action, actor.roles)
    if rule.guards:
        lifecycle.check_guards(rule, LazyOrderFacts(session, order))
    if expected_version is not None and expected_version != order.version:
        assert order.id is not None
        who, when = repo.last_change(session, "order", order.id)
        raise Conflict(
            changed_by=who,
            changed_at=when,
            code="order.changed",
            order_no=order.order_no,
            who=who,
            when=when,
        )
    return rule


def move(
    session: Session,
    actor: Actor,
    order: SalesOrder,
    action: Action,
    to_status: Status | None,
    *,
    values: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    """Apply a transition (or a same-status change) with the guarded UPDATE, then audit it."""
    assert order.id is not None
    # The update expires `order`: what the audit entry needs is read before, not reloaded.
    order_id, order_no, from_status = order.id, order.order_no, order.status
    target = to_status.value if to_status is not None else from_status
    rule = lifecycle.rule_for(Status(from_status), action)
    if rule is not None and to_status is not None and rule.targets:
        # The table names every status an action may lead to; anything else is a bug.
        assert to_status in rule.targets, f"{action} cannot lead to {to_status}"
    repo.guarded_update(
        session,
        order,
        expected_version=order.version,
        expected_status=from_status,
        values={
            "status": target,
            "updated_by": actor.id,
            "updated_at": now_utc(),
            **(values or {}),
        },
    )
    audit(
        session,
        actor,
        "order",
        order_id,
        action.value,
        order_no=order_no,
        from_status=from_status,
        to_status=target,
        changes=changes,
    )


def transition(
    db: Database,
    actor: Actor,
    order_no: str,
    action: Action,
    to_status: Status,
    *,
    values: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> "OrderDetail":
    """A whole service for actions that only move the order: one transaction, authorized,
    guarded, audited; returns the order as it now is."""
    from order_tui.services.views import detail

    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, action, expected_version)
        move(session, actor, order, action, to_status, values=values, changes=changes)
        session.flush()
        session.refresh(order)
        return detail(session, order)
