"""One entry point for every lifecycle action by name: the command line and the generated
role x action x status tests drive orders through it, screens call the specific services."""

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from order_tui.domain import messages
from order_tui.domain.errors import ValidationError
from order_tui.domain.lifecycle import Action
from order_tui.services import attachments, closing, delivery, execution, orders, review
from order_tui.services.common import Actor
from order_tui.store.engine import Database

messages.register(
    {
        "actions.param_required": ("此操作需要填写 {name}", "{name} is required for this action"),
        "actions.unknown": ("未知操作 {action}", "unknown action {action}"),
    }
)


def _need(params: dict[str, Any], name: str) -> Any:
    value = params.get(name)
    if value in (None, ""):
        raise ValidationError(code="actions.param_required", field=name, name=name)
    return value


def _qty_map(value: Any) -> dict[int, Decimal] | None:
    if not value:
        return None
    return {int(k): Decimal(str(v)) for k, v in dict(value).items()}


def act(db: Database, actor: Actor, order_no: str, action: Action | str, **params: Any) -> Any:
    """Run `action` on the order with the service that owns it; params by name.

    reason/comment for verdicts, cancel and hold; carrier/mode/tracking for ship; signer,
    receipt and the three checks for sign-off; path/kind for attach; and so on.
    """
    action = Action(action)
    version = params.get("expected_version")
    if action == Action.SUBMIT:
        return review.submit(db, actor, order_no, version)
    if action == Action.RESUBMIT:
        return review.resubmit(db, actor, order_no, version)
    if action == Action.APPROVE:
        return review.approve(
            db,
            actor,
            order_no,
            department=params.get("department"),
            comment=params.get("comment", ""),
            expected_version=version,
        )
    if action == Action.REJECT:
        return review.reject(
            db,
            actor,
            order_no,
            _need(params, "reason"),
            params.get("comment", ""),
            department=params.get("department"),
            expected_version=version,
        )
    if action == Action.EDIT:
        data: orders.OrderInput = _need(params, "order_input")
        return orders.edit_order(db, actor, order_no, data, version)
    if action == Action.ATTACH:
        return attachments.attach(
            db, actor, order_no, Path(_need(params, "path")), params.get("kind") or "other"
        )
    if action == Action.PLAN_PRODUCTION:
        return execution.plan_production(db, actor, order_no, expected_version=version)
    if action == Action.COMPLETE_OPERATION:
        return execution.complete_operation(db, actor, order_no, params.get("operation_id"))
    if action == Action.START_PICKING:
        return execution.start_picking(db, actor, order_no, version)
    if action == Action.PICK:
        return execution.pick(db, actor, order_no, _qty_map(params.get("quantities")))
    if action == Action.PACK:
        return execution.pack(db, actor, order_no, params.get("packages"))
    if action == Action.SHIP:
        ship_date = params.get("ship_date")
        return delivery.ship(
            db,
            actor,
            order_no,
            carrier=_need(params, "carrier"),
            mode=params.get("mode") or "parcel",
            tracking_no=params.get("tracking") or "",
            ship_date=date.fromisoformat(ship_date) if isinstance(ship_date, str) else ship_date,
            quantities=_qty_map(params.get("quantities")),
        )
    if action == Action.SIGN_OFF:
        return delivery.sign_off(
            db,
            actor,
            order_no,
            signer=_need(params, "signer"),
            qty_ok=params.get("qty_ok", True),
            appearance_ok=params.get("appearance_ok", True),
            packaging_ok=params.get("packaging_ok", True),
            receipt=Path(_need(params, "receipt")),
            discrepancy=params.get("comment", ""),
        )
    if action == Action.RECORD_FEEDBACK:
        sat = params.get("satisfaction")
        return delivery.record_feedback(
            db,
            actor,
            order_no,
            reached=params.get("reached", True),
            satisfaction=int(sat) if sat is not None else None,
            remarks=params.get("comment", ""),
            after_sales_needed=bool(params.get("after_sales")),
            after_sales=params.get("after_sales") or "",
        )
    if action == Action.COMPLETE:
        return closing.complete(db, actor, order_no, version)
    if action == Action.ARCHIVE:
        return closing.archive(db, actor, order_no, params.get("retention_years"), version)
    if action == Action.CANCEL:
        return closing.cancel(
            db, actor, order_no, _need(params, "reason"), params.get("comment", ""), version
        )
    if action == Action.HOLD:
        return execution.raise_hold(
            db,
            actor,
            order_no,
            _need(params, "reason"),
            _need(params, "comment"),
            params.get("owner"),
        )
    if action == Action.RELEASE_HOLD:
        return execution.release_hold(
            db, actor, order_no, _need(params, "reason"), _need(params, "comment")
        )
    raise ValidationError(
        code="actions.unknown", action=action
    )  # pragma: no cover - enum is closed
