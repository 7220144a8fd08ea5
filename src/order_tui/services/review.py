"""Step 3: submission opens a review round; each department gives its own verdict.

All required departments approving moves the order to `approved`; one rejection returns it to
the clerk. A resubmission opens a new round that records what changed since the last one.
"""

import json
from dataclasses import asdict, replace
from typing import Any

from sqlmodel import Session

from order_tui.domain import messages
from order_tui.domain import review_checks as rc
from order_tui.domain.errors import Conflict, PermissionDenied, ValidationError
from order_tui.domain.lifecycle import Action, Status
from order_tui.domain.roles import DEPARTMENT_LABELS, DEPARTMENT_ROLE, Department
from order_tui.domain.terms import REJECT_REASONS
from order_tui.services import views
from order_tui.services.common import Actor, authorize, move, now_utc, require_read, to_json
from order_tui.store import repo
from order_tui.store.engine import Database
from order_tui.store.models import (
    Customer,
    Product,
    ReviewRound,
    ReviewTask,
    ReviewVerdict,
    SalesOrder,
)

messages.register(
    {
        "review.unknown_department": (
            "没有部门“{department}”",
            "unknown department {department!r}",
        ),
        "review.not_required": ("{dept}不审核此订单", "{dept} does not review this order"),
        "review.not_yours": ("您不代表{dept}审核", "you do not review for {dept}"),
        "review.no_role": ("您的角色都不审核此订单", "none of your roles reviews this order"),
        "review.which_department": (
            "请指明您代表哪个部门审核：{names}",
            "name the department you act for: {names}",
        ),
        "review.decided": (
            "{dept}已在第 {round} 轮给出意见（{verdict}），最后由 {who} 处理",
            "{dept} already gave its verdict ({verdict}) in round {round}; last change by {who}",
        ),
        "review.reason_code": (
            "驳回原因代码应为以下之一：{allowed}",
            "reason code must be one of: {allowed}",
        ),
        "review.need_text": ("驳回须填写给内勤的说明", "a rejection needs a text for the clerk"),
    }
)
_VERDICT_WORDS = {"approve": ("批准", "approved"), "reject": ("驳回", "rejected")}


def review_facts(session: Session, order: SalesOrder) -> rc.ReviewFacts:
    assert order.id is not None
    customer = session.get(Customer, order.customer_id)
    assert customer is not None
    line_facts = []
    for ln in repo.order_lines(session, order.id):
        product = session.get(Product, ln.product_id)
        assert product is not None
        stock = repo.peek_stock(session, ln.product_id)
        line_facts.append(
            rc.LineFacts(
                line_no=ln.line_no,
                product_code=ln.product_code,
                name=ln.name,
                qty=ln.qty,
                unit_price=ln.unit_price,
                floor_price=product.floor_price,
                ceiling_price=product.ceiling_price,
                made_to_order=ln.made_to_order,
                lead_time_days=product.lead_time_days,
                available=stock.on_hand - stock.locked,
                incoming=stock.incoming,
                incoming_date=stock.incoming_date,
                stocked=product.stocked,
            )
        )
    return rc.ReviewFacts(
        order_total=order.total,
        credit_limit=customer.credit_limit,
        open_orders=tuple(repo.open_orders_of_customer(session, customer.id or 0, order.id)),
        payment_terms=order.payment_terms,
        allowed_terms=frozenset(t for t in customer.payment_terms.split(";") if t),
        invoice_type=order.invoice_type,
        invoice_fields={
            "name": order.cust_name,
            "uscc": order.cust_uscc,
            "address_phone": (order.invoice_address and order.invoice_phone) or "",
            "bank_account": (order.cust_bank and order.cust_account) or "",
        },
        order_date=order.order_day,
        wanted_date=order.wanted_date,
        lines=tuple(line_facts),
        prepay_pct=order.prepay_pct,
        credit_days=order.credit_days,
    )


def _snapshot(detail: views.OrderDetail) -> dict[str, Any]:
    data = json.loads(to_json(detail.to_dict()))
    for key in ("status", "version", "review_round", "verdicts", "holds", "on_hold", "created_at"):
        data.pop(key, None)
    return data


def diff_snapshots(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Fields and lines that changed, old -> new, for the reviewers of the next round."""
    changes: dict[str, Any] = {}
    for key in sorted(set(old) | set(new)):
        if key == "lines" or key not in old:  # not in old: a field added by an upgrade since
            continue
        if old.get(key) != new.get(key):
            changes[key] = [old.get(key), new.get(key)]
    old_lines = {ln["line_no"]: ln for ln in old.get("lines", [])}
    new_lines = {ln["line_no"]: ln for ln in new.get("lines", [])}
    line_changes = {}
    for no in sorted(set(old_lines) | set(new_lines)):
        a, b = old_lines.get(no), new_lines.get(no)
        if a is None:
            line_changes[str(no)] = ["added", b]
        elif b is None:
            line_changes[str(no)] = ["removed", a]
        else:
            fields = {k: [a[k], b[k]] for k in a if a[k] != b.get(k)}
            if fields:
                line_changes[str(no)] = ["changed", fields]
    if line_changes:
        changes["lines"] = line_changes
    return changes


def _open_round(session: Session, actor: Actor, order: SalesOrder) -> tuple[int, dict[str, Any]]:
    assert order.id is not None
    facts = review_facts(session, order)
    findings = rc.review_findings(facts)
    snapshot = _snapshot(views.detail(session, order))
    previous = repo.current_round(session, order.id)
    changes = diff_snapshots(json.loads(previous.snapshot), snapshot) if previous else {}
    round_no = order.review_round + 1
    has_mto = any(line.made_to_order for line in facts.lines)
    required = rc.required_departments(has_mto)
    submitted = now_utc()
    rnd = ReviewRound(
        order_id=order.id,
        round_no=round_no,
        required_departments=";".join(d.value for d in required),
        findings=to_json([asdict(f) for f in findings]),
        changes=to_json(changes),
        snapshot=to_json(snapshot),
        submitted_by=actor.id,
        submitted_at=submitted,
    )
    session.add(rnd)
    session.flush()
    assert rnd.id is not None
    flags = ";".join(dict.fromkeys(f.code for f in findings))
    for department in required:
        session.add(
            ReviewTask(
                order_id=order.id,
                round_id=rnd.id,
                round_no=round_no,
                department=department.value,
                order_no=order.order_no,
                cust_name=order.cust_name,
                cust_mnemonic=order.cust_mnemonic,
                total=order.total,
                wanted_date=order.wanted_date,
                submitted_at=submitted,
                flags=flags,
            )
        )
    return round_no, changes


def _submit(
    db: Database, actor: Actor, order_no: str, action: Action, expected_version: int | None
) -> views.OrderDetail:
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, action, expected_version)
        round_no, changes = _open_round(session, actor, order)
        move(
            session,
            actor,
            order,
            action,
            Status.IN_REVIEW,
            values={"review_round": round_no},
            changes={"round": round_no, "changed": changes},
        )
        session.flush()
        session.refresh(order)
        return views.detail(session, order)


def submit(
    db: Database, actor: Actor, order_no: str, expected_version: int | None = None
) -> views.OrderDetail:
    return _submit(db, actor, order_no, Action.SUBMIT, expected_version)


def resubmit(
    db: Database, actor: Actor, order_no: str, expected_version: int | None = None
) -> views.OrderDetail:
    return _submit(db, actor, order_no, Action.RESUBMIT, expected_version)


def _department(
    actor: Actor, required: list[Department], decided: set[Department], asked: str | None
) -> Department:
    mine = [d for d in required if DEPARTMENT_ROLE[d] in actor.roles]
    if asked is not None:
        try:
            dept = Department(asked)
        except ValueError:
            raise ValidationError(
                code="review.unknown_department", field="department", department=asked
            ) from None
        if dept not in required:
            raise PermissionDenied(code="review.not_required", dept=DEPARTMENT_LABELS[dept])
        if dept not in mine:
            raise PermissionDenied(code="review.not_yours", dept=DEPARTMENT_LABELS[dept])
        return dept
    pending = [d for d in mine if d not in decided]
    if not mine:
        raise PermissionDenied(code="review.no_role")
    if len(pending) > 1:
        words = [DEPARTMENT_LABELS[d] for d in pending]
        names = ("、".join(w[0] for w in words), ", ".join(w[1] for w in words))
        raise ValidationError(code="review.which_department", field="department", names=names)
    return pending[0] if pending else mine[0]


def _verdict(
    db: Database,
    actor: Actor,
    order_no: str,
    action: Action,
    *,
    department: str | None,
    reason_code: str = "",
    comment: str = "",
    expected_version: int | None = None,
) -> views.OrderSummary:
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, action, expected_version)
        assert order.id is not None
        rnd, verdicts = repo.current_round_and_verdicts(session, order.id)
        assert rnd is not None and rnd.id is not None
        required = [Department(d) for d in rnd.required_departments.split(";")]
        decided = {Department(v.department): v for v in verdicts}
        dept = _department(actor, required, set(decided), department)
        if dept in decided:
            earlier = decided[dept]
            who = repo.last_change(session, "order", order.id)[0]
            raise Conflict(
                changed_by=who,
                changed_at=earlier.at.isoformat(timespec="seconds"),
                code="review.decided",
                dept=DEPARTMENT_LABELS[dept],
                verdict=_VERDICT_WORDS.get(earlier.verdict, (earlier.verdict, earlier.verdict)),
                round=rnd.round_no,
                who=who,
            )
        repo.insert_row(
            session,
            ReviewVerdict,
            {
                "round_id": rnd.id,
                "order_id": order.id,
                "department": dept.value,
                "verdict": "approve" if action == Action.APPROVE else "reject",
                "reason_code": reason_code,
                "comment": comment,
                "operator_id": actor.id,
                "at": now_utc(),
            },
        )
        if action == Action.REJECT:
            target = Status.RETURNED
        else:
            approved = {d for d, v in decided.items() if v.verdict == "approve"} | {dept}
            target = (
                Status.APPROVED
                if rc.round_complete(tuple(required), approved)
                else Status.IN_REVIEW
            )
        if target != Status.IN_REVIEW:
            rnd.outcome = "approved" if target == Status.APPROVED else "returned"
            rnd.closed_at = now_utc()
            repo.delete_review_tasks(session, order_id=order.id)  # the round is over
        else:
            repo.delete_review_tasks(session, order_id=order.id, department=dept.value)
        # What the verdict's caller shows (the new status) is known here; the order is not
        # read again, nor its whole detail (lines, rounds, holds...), which cost more than
        # the verdict itself. A screen that shows the order afterwards loads it.
        before = views.summary(order)
        move(
            session,
            actor,
            order,
            action,
            target,
            changes={
                "department": dept.value,
                "round": rnd.round_no,
                "reason": reason_code,
                "comment": comment,
            },
        )
        session.flush()
        return replace(before, status=target.value, version=before.version + 1)


def approve(
    db: Database,
    actor: Actor,
    order_no: str,
    *,
    department: str | None = None,
    comment: str = "",
    expected_version: int | None = None,
) -> views.OrderSummary:
    return _verdict(
        db,
        actor,
        order_no,
        Action.APPROVE,
        department=department,
        comment=comment,
        expected_version=expected_version,
    )


def reject(
    db: Database,
    actor: Actor,
    order_no: str,
    reason_code: str,
    text: str,
    *,
    department: str | None = None,
    expected_version: int | None = None,
) -> views.OrderSummary:
    if reason_code not in REJECT_REASONS:
        raise ValidationError(
            code="review.reason_code", field="reason", allowed=", ".join(REJECT_REASONS)
        )
    if not text.strip():
        raise ValidationError(code="review.need_text", field="comment")
    return _verdict(
        db,
        actor,
        order_no,
        Action.REJECT,
        department=department,
        reason_code=reason_code,
        comment=text.strip(),
        expected_version=expected_version,
    )


def findings(db: Database, actor: Actor, order_no: str) -> list[rc.Finding]:
    """The checks as they stand now (the round keeps those of submission time)."""
    require_read(actor, "orders")
    with db.reading() as session:
        return rc.review_findings(review_facts(session, repo.get_order(session, order_no)))


def round_changes(db: Database, actor: Actor, order_no: str) -> dict[str, Any]:
    require_read(actor, "orders")
    with db.reading() as session:
        order = repo.get_order(session, order_no)
        rnd = repo.current_round(session, order.id or 0)
        return json.loads(rnd.changes) if rnd and rnd.changes else {}
