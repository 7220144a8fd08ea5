"""Step 6 and the way out: completion, archiving with retention, cancellation."""

from order_tui.domain import messages
from order_tui.domain.errors import InvalidValue, ValidationError
from order_tui.domain.lifecycle import Action, Status
from order_tui.domain.terms import CANCEL_REASONS, retention_date
from order_tui.services import views
from order_tui.services.common import Actor, authorize, move, now_utc, today, transition
from order_tui.services.execution import release_locks
from order_tui.store import repo
from order_tui.store.engine import Database

messages.register(
    {
        "close.retention_policy": (
            "保管期限不能短于公司规定的 {years} 年",
            "retention cannot be shorter than the company's {years} years",
        ),
        "close.cancel_reason": (
            "取消原因须为以下之一：{codes}",
            "reason must be one of: {codes}",
        ),
    }
)


def complete(
    db: Database, actor: Actor, order_no: str, expected_version: int | None = None
) -> views.OrderDetail:
    return transition(
        db, actor, order_no, Action.COMPLETE, Status.COMPLETED, expected_version=expected_version
    )


def archive(
    db: Database,
    actor: Actor,
    order_no: str,
    retention_years: int | None = None,
    expected_version: int | None = None,
) -> views.OrderDetail:
    """Archive a completed order: kept read-only until the retention date, `retention_years`
    (default: the configured years, db.retention_years) after today; longer is allowed,
    shorter than the configuration is not."""
    years = retention_years or db.retention_years
    if years < db.retention_years:
        raise ValidationError(
            code="close.retention_policy", field="retention_years", years=db.retention_years
        )
    try:
        until = retention_date(today(db), years)
    except InvalidValue as exc:
        raise ValidationError(code=exc.code, field="retention_years", **exc.params) from None
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, Action.ARCHIVE, expected_version)
        move(
            session,
            actor,
            order,
            Action.ARCHIVE,
            Status.ARCHIVED,
            values={"archived_at": now_utc(), "retention_until": until},
            changes={"retention_until": until, "years": years},
        )
        session.flush()
        session.refresh(order)
        return views.detail(session, order)


def cancel(
    db: Database,
    actor: Actor,
    order_no: str,
    reason_code: str,
    text: str = "",
    expected_version: int | None = None,
) -> views.OrderDetail:
    """Cancel with a reason; stock the order's picks still hold is released."""
    if reason_code not in CANCEL_REASONS:
        raise ValidationError(
            code="close.cancel_reason", field="reason", codes=", ".join(CANCEL_REASONS)
        )
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, Action.CANCEL, expected_version)
        release_locks(session, actor, order)
        repo.delete_review_tasks(session, order_id=order.id or 0)
        rnd = repo.current_round(session, order.id or 0)
        if rnd is not None and rnd.outcome == "open":
            rnd.outcome = "cancelled"
            rnd.closed_at = now_utc()
        reason = f"{reason_code}: {text.strip()}" if text.strip() else reason_code
        move(
            session,
            actor,
            order,
            Action.CANCEL,
            Status.CANCELLED,
            values={"cancel_reason": reason},
            changes={"reason": reason},
        )
        session.flush()
        session.refresh(order)
        return views.detail(session, order)
