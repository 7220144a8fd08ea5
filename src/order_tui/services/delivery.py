"""Step 5: shipments (partial allowed), customer sign-off, the 24-hour feedback call."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from order_tui.domain.errors import ValidationError
from order_tui.domain.lifecycle import Action, Status
from order_tui.domain.terms import FEEDBACK_DUE_HOURS, SHIPPING_MODES
from order_tui.services import views
from order_tui.services.attachments import attach_in_session
from order_tui.services.common import Actor, authorize, move, now_utc, today
from order_tui.services.execution import raise_hold_in_session
from order_tui.store import repo
from order_tui.store.engine import Database
from order_tui.store.models import Feedback, Shipment, ShipmentLine, SignOff, StockMovement


def ship(
    db: Database,
    actor: Actor,
    order_no: str,
    *,
    carrier: str,
    mode: str,
    tracking_no: str = "",
    ship_date: date | None = None,
    quantities: dict[int, Decimal] | None = None,
) -> views.OrderDetail:
    """Ship some or all packed goods; the order is `shipped` only when nothing is left."""
    if not carrier.strip():
        raise ValidationError("carrier is required", field="carrier")
    if mode not in SHIPPING_MODES:
        raise ValidationError(f"mode must be one of: {', '.join(SHIPPING_MODES)}", "mode")
    if mode != "pickup" and not tracking_no.strip():
        raise ValidationError("tracking number is required (except customer pickup)", "tracking")
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, Action.SHIP)
        assert order.id is not None
        lines = {ln.line_no: ln for ln in repo.order_lines(session, order.id)}
        wanted = quantities or {no: ln.picked_qty - ln.shipped_qty for no, ln in lines.items()}
        shipment = Shipment(
            order_id=order.id,
            carrier=carrier.strip(),
            mode=mode,
            tracking_no=tracking_no.strip(),
            ship_date=ship_date or today(db),
            shipped_by=actor.id,
            shipped_at=now_utc(),
        )
        session.add(shipment)
        session.flush()
        assert shipment.id is not None
        shipped: dict[str, str] = {}
        for no, qty in wanted.items():
            line = lines.get(no)
            if line is None:
                raise ValidationError(f"the order has no line {no}", field="line")
            if qty < 0 or line.shipped_qty + qty > line.picked_qty:
                raise ValidationError(
                    f"line {no}: can ship at most {line.picked_qty - line.shipped_qty}", "qty"
                )
            if qty == 0:
                continue
            stock = repo.stock_for(session, line.product_id)
            stock.on_hand -= qty
            stock.locked -= qty
            stock.version += 1
            session.add(
                StockMovement(
                    product_id=line.product_id,
                    order_id=order.id,
                    kind="issue",
                    qty=qty,
                    at=now_utc(),
                    operator_id=actor.id,
                    note=order.order_no,
                )
            )
            session.add(ShipmentLine(shipment_id=shipment.id, line_id=line.id or 0, qty=qty))
            line.shipped_qty += qty
            shipped[str(no)] = str(qty)
        if not shipped:
            raise ValidationError("nothing to ship", field="qty")
        complete = all(ln.shipped_qty >= ln.qty for ln in lines.values())
        move(
            session,
            actor,
            order,
            Action.SHIP,
            Status.SHIPPED if complete else Status.PACKED,
            changes={
                "carrier": carrier,
                "mode": mode,
                "tracking_no": tracking_no,
                "lines": shipped,
                "backorder": not complete,
            },
        )
        session.flush()
        session.refresh(order)
        return views.detail(session, order)


def sign_off(
    db: Database,
    actor: Actor,
    order_no: str,
    *,
    signer: str,
    qty_ok: bool,
    appearance_ok: bool,
    packaging_ok: bool,
    receipt: Path,
    discrepancy: str = "",
    signed_at: datetime | None = None,
) -> views.OrderDetail:
    """All three checks confirmed and the receipt attached -> delivered; else a hold."""
    if not signer.strip():
        raise ValidationError("the signer's name is required", field="signer")
    all_ok = qty_ok and appearance_ok and packaging_ok
    if not all_ok and not discrepancy.strip():
        raise ValidationError("describe the discrepancy", field="discrepancy")
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, Action.SIGN_OFF)
        assert order.id is not None
        attachment = attach_in_session(session, db, actor, order, receipt, "signed_receipt")
        when = signed_at or now_utc()
        session.add(
            SignOff(
                order_id=order.id,
                signer_name=signer.strip(),
                signed_at=when,
                qty_ok=qty_ok,
                appearance_ok=appearance_ok,
                packaging_ok=packaging_ok,
                discrepancy=discrepancy.strip(),
                receipt_attachment_id=attachment.id,
                recorded_by=actor.id,
                recorded_at=now_utc(),
            )
        )
        checks = {"qty": qty_ok, "appearance": appearance_ok, "packaging": packaging_ok}
        if all_ok:
            move(
                session,
                actor,
                order,
                Action.SIGN_OFF,
                Status.DELIVERED,
                values={"delivered_at": when},
                changes={"signer": signer, "checks": checks},
            )
            session.add(
                Feedback(order_id=order.id, due_at=when + timedelta(hours=FEEDBACK_DUE_HOURS))
            )
        else:
            move(
                session,
                actor,
                order,
                Action.SIGN_OFF,
                Status.SHIPPED,
                changes={"signer": signer, "checks": checks, "discrepancy": discrepancy},
            )
            session.refresh(order)
            raise_hold_in_session(session, actor, order, "discrepancy", discrepancy, owner=None)
        session.flush()
        session.refresh(order)
        return views.detail(session, order)


def record_feedback(
    db: Database,
    actor: Actor,
    order_no: str,
    *,
    reached: bool,
    satisfaction: int | None = None,
    remarks: str = "",
    after_sales_needed: bool = False,
    after_sales: str = "",
) -> None:
    if reached and (satisfaction is None or not 1 <= satisfaction <= 5):
        raise ValidationError("satisfaction must be 1 to 5", field="satisfaction")
    if after_sales_needed and not after_sales.strip():
        raise ValidationError("describe what after-sales must do", field="after_sales")
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, Action.RECORD_FEEDBACK)
        feedback = repo.feedback_of(session, order.id or 0)
        if feedback is None:
            raise ValidationError("no feedback call is due for this order", "feedback")
        if feedback.done_at is not None and reached is False:
            raise ValidationError("feedback was already recorded", field="feedback")
        if reached:
            feedback.done_at = now_utc()
        feedback.reached = reached
        feedback.satisfaction = satisfaction if reached else None
        feedback.remarks = remarks.strip()
        feedback.after_sales_needed = after_sales_needed
        feedback.after_sales = after_sales.strip()
        feedback.recorded_by = actor.id
        move(
            session,
            actor,
            order,
            Action.RECORD_FEEDBACK,
            None,
            changes={
                "reached": reached,
                "satisfaction": satisfaction,
                "after_sales": after_sales_needed,
            },
        )


def feedback_queue(db: Database, limit: int = 100) -> list[dict[str, object]]:
    now = now_utc()
    with db.reading() as session:
        return [
            {
                "order_no": no,
                "due_at": fb.due_at,
                "overdue": fb.due_at < now,
                "attempted": fb.reached is False,
            }
            for fb, no in repo.feedback_due(session, now, limit)
        ]
