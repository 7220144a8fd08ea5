"""The one lifecycle table of a sales order.

Every (status, action) pair the business allows is declared here once, with the roles that may
do it, the statuses it can lead to and the guards that must hold. Services authorize with it,
screens derive their keys from it, the help screen and README print it, and the tests generate
the whole role x action x status matrix from it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from order_tui.domain import messages
from order_tui.domain.errors import GuardFailed, InvalidTransition, PermissionDenied
from order_tui.domain.roles import ROLE_LABELS, Role

messages.register(
    {
        "lifecycle.wrong_status": (
            "{status}的订单不能{action}",
            "cannot {action} an order that is {status}",
        ),
        "lifecycle.needs_role": (
            "{action}{status}的订单需要以下角色之一：{roles}",
            "{action} on a {status} order needs role: {roles}",
        ),
        "lifecycle.guard_failed": ("{reason}，不能{action}", "cannot {action}: {reason}"),
    }
)


class Status(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    RETURNED = "returned"
    APPROVED = "approved"
    IN_PRODUCTION = "in_production"
    PICKING = "picking"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    ARCHIVED = "archived"
    CANCELLED = "cancelled"


STATUS_LABELS: dict[Status, tuple[str, str]] = {
    Status.DRAFT: ("草稿", "Draft"),
    Status.IN_REVIEW: ("审核中", "In review"),
    Status.RETURNED: ("已退回", "Returned"),
    Status.APPROVED: ("已批准", "Approved"),
    Status.IN_PRODUCTION: ("生产中", "In production"),
    Status.PICKING: ("拣货中", "Picking"),
    Status.PACKED: ("已打包", "Packed"),
    Status.SHIPPED: ("已发货", "Shipped"),
    Status.DELIVERED: ("已签收", "Delivered"),
    Status.COMPLETED: ("已完成", "Completed"),
    Status.ARCHIVED: ("已归档", "Archived"),
    Status.CANCELLED: ("已取消", "Cancelled"),
}

TERMINAL: frozenset[Status] = frozenset({Status.ARCHIVED, Status.CANCELLED})


class Action(StrEnum):
    EDIT = "edit"
    ATTACH = "attach"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    RESUBMIT = "resubmit"
    PLAN_PRODUCTION = "plan_production"
    COMPLETE_OPERATION = "complete_operation"
    START_PICKING = "start_picking"
    PICK = "pick"
    PACK = "pack"
    SHIP = "ship"
    SIGN_OFF = "sign_off"
    RECORD_FEEDBACK = "record_feedback"
    COMPLETE = "complete"
    ARCHIVE = "archive"
    CANCEL = "cancel"
    HOLD = "hold"
    RELEASE_HOLD = "release_hold"


@dataclass(frozen=True)
class OrderFacts:
    """What the guards may look at; the service gathers it inside the write transaction."""

    on_hold: bool = False
    line_count: int = 0
    has_made_to_order: bool = False
    production_done: bool = True
    all_picked: bool = False
    feedback_recorded: bool = False
    missing_documents: tuple[str, ...] = ()


class GuardFacts(Protocol):
    """What a guard reads: an OrderFacts, or a service's object that looks each fact up only
    when a guard asks for it (approving reads the hold flag alone, not every line)."""

    @property
    def on_hold(self) -> bool: ...
    @property
    def line_count(self) -> int: ...
    @property
    def has_made_to_order(self) -> bool: ...
    @property
    def production_done(self) -> bool: ...
    @property
    def all_picked(self) -> bool: ...
    @property
    def feedback_recorded(self) -> bool: ...
    @property
    def missing_documents(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Guard:
    name: str
    check: Callable[[GuardFacts], bool]
    message: tuple[str, str]  # (zh, en): why the guard does not hold


NOT_ON_HOLD = Guard("not_on_hold", lambda f: not f.on_hold, ("订单挂起中", "the order is on hold"))
HAS_LINES = Guard(
    "has_lines", lambda f: f.line_count > 0, ("订单没有明细行", "the order has no lines")
)
MADE_TO_ORDER = Guard(
    "made_to_order",
    lambda f: f.has_made_to_order,
    ("订单没有按单生产的明细行", "the order has no made-to-order line"),
)
PRODUCTION_DONE = Guard(
    "production_done",
    lambda f: not f.has_made_to_order or f.production_done,
    ("按单生产的明细行尚未完工", "production of the made-to-order lines is not finished"),
)
ALL_PICKED = Guard(
    "all_picked",
    lambda f: f.all_picked,
    ("尚有明细行未拣足", "not every line is picked in full"),
)
FEEDBACK_RECORDED = Guard(
    "feedback_recorded",
    lambda f: f.feedback_recorded,
    ("尚未记录客户回访", "the customer feedback is not recorded"),
)
DOCUMENTS_COMPLETE = Guard(
    "documents_complete",
    lambda f: not f.missing_documents,
    ("归档清单中缺少单据", "documents are missing from the archive checklist"),
)


@dataclass(frozen=True)
class Rule:
    action: Action
    sources: frozenset[Status]
    roles: frozenset[Role]
    # Where the order can go; empty means it stays where it is. Several targets mean the
    # service decides from the data (e.g. the last department's approval moves it on).
    targets: tuple[Status, ...] = ()
    guards: tuple[Guard, ...] = ()
    label: tuple[str, str] = ("", "")
    key: str = ""
    needs_reason: bool = False
    description: str = field(default="", compare=False)


_OPEN = frozenset(Status) - TERMINAL
_FLOW_ROLES = frozenset(Role) - {Role.ADMIN}
_REVIEWERS = frozenset({Role.SALES_MANAGER, Role.FINANCE, Role.WAREHOUSE, Role.PRODUCTION})
_EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})


def _s(*statuses: Status) -> frozenset[Status]:
    return frozenset(statuses)


def _r(*roles: Role) -> frozenset[Role]:
    return frozenset(roles)


LIFECYCLE: tuple[Rule, ...] = (
    Rule(Action.EDIT, _EDITABLE, _r(Role.SALES_CLERK), label=("编辑", "Edit"), key="e"),
    Rule(
        Action.ATTACH,
        _OPEN - {Status.CANCELLED},
        _FLOW_ROLES,
        label=("附件", "Attach"),
        key="a",
    ),
    Rule(
        Action.SUBMIT,
        _s(Status.DRAFT),
        _r(Role.SALES_CLERK),
        (Status.IN_REVIEW,),
        (HAS_LINES,),
        ("提交审核", "Submit"),
        "s",
    ),
    Rule(
        Action.APPROVE,
        _s(Status.IN_REVIEW),
        _REVIEWERS,
        (Status.IN_REVIEW, Status.APPROVED),
        (NOT_ON_HOLD,),
        ("批准", "Approve"),
        "1",
    ),
    Rule(
        Action.REJECT,
        _s(Status.IN_REVIEW),
        _REVIEWERS,
        (Status.RETURNED,),
        (),
        ("驳回", "Reject"),
        "4",
        needs_reason=True,
    ),
    Rule(
        Action.RESUBMIT,
        _s(Status.RETURNED),
        _r(Role.SALES_CLERK),
        (Status.IN_REVIEW,),
        (HAS_LINES,),
        ("重新提交", "Resubmit"),
        "s",
    ),
    Rule(
        Action.PLAN_PRODUCTION,
        _s(Status.APPROVED),
        _r(Role.PRODUCTION),
        (Status.IN_PRODUCTION,),
        (MADE_TO_ORDER,),
        ("排产", "Plan production"),
        "p",
    ),
    Rule(
        Action.COMPLETE_OPERATION,
        _s(Status.IN_PRODUCTION),
        _r(Role.PRODUCTION),
        (),
        (),
        ("工序完工", "Operation done"),
        "d",
    ),
    Rule(
        Action.START_PICKING,
        _s(Status.APPROVED, Status.IN_PRODUCTION),
        _r(Role.WAREHOUSE),
        (Status.PICKING,),
        (NOT_ON_HOLD, PRODUCTION_DONE),
        ("开始拣货", "Start picking"),
        "k",
    ),
    Rule(
        Action.PICK,
        _s(Status.PICKING),
        _r(Role.WAREHOUSE),
        (),
        (NOT_ON_HOLD,),
        ("拣货", "Pick"),
        "k",
    ),
    Rule(
        Action.PACK,
        _s(Status.PICKING),
        _r(Role.WAREHOUSE),
        (Status.PACKED,),
        (NOT_ON_HOLD, ALL_PICKED),
        ("打包", "Pack"),
        "b",
    ),
    Rule(
        Action.SHIP,
        _s(Status.PACKED),
        _r(Role.LOGISTICS),
        (Status.PACKED, Status.SHIPPED),
        (NOT_ON_HOLD,),
        ("发货", "Ship"),
        "t",
    ),
    Rule(
        Action.SIGN_OFF,
        _s(Status.SHIPPED),
        _r(Role.LOGISTICS, Role.SALES_REP),
        (Status.DELIVERED, Status.SHIPPED),
        (NOT_ON_HOLD,),
        ("签收", "Sign-off"),
        "g",
    ),
    Rule(
        Action.RECORD_FEEDBACK,
        _s(Status.DELIVERED, Status.COMPLETED),
        _r(Role.SALES_REP),
        (),
        (),
        ("回访", "Feedback"),
        "f",
    ),
    Rule(
        Action.COMPLETE,
        _s(Status.DELIVERED),
        _r(Role.ARCHIVIST),
        (Status.COMPLETED,),
        (NOT_ON_HOLD, FEEDBACK_RECORDED, DOCUMENTS_COMPLETE),
        ("完成", "Complete"),
        "c",
    ),
    Rule(
        Action.ARCHIVE,
        _s(Status.COMPLETED),
        _r(Role.ARCHIVIST),
        (Status.ARCHIVED,),
        (NOT_ON_HOLD,),
        ("归档", "Archive"),
        "r",
    ),
    Rule(
        Action.CANCEL,
        _s(Status.DRAFT, Status.RETURNED),
        _r(Role.SALES_CLERK, Role.SALES_MANAGER),
        (Status.CANCELLED,),
        (),
        ("取消", "Cancel"),
        "x",
        needs_reason=True,
    ),
    Rule(
        Action.CANCEL,
        _s(
            Status.IN_REVIEW,
            Status.APPROVED,
            Status.IN_PRODUCTION,
            Status.PICKING,
            Status.PACKED,
        ),
        _r(Role.SALES_MANAGER),
        (Status.CANCELLED,),
        (),
        ("取消", "Cancel"),
        "x",
        needs_reason=True,
    ),
    Rule(
        Action.HOLD,
        _OPEN - {Status.COMPLETED},
        _FLOW_ROLES - {Role.ARCHIVIST},
        (),
        (),
        ("挂起", "Hold"),
        "9",
        needs_reason=True,
    ),
    Rule(
        Action.RELEASE_HOLD,
        _OPEN,
        _r(Role.SALES_CLERK, Role.SALES_MANAGER),
        (),
        (),
        ("解除挂起", "Release hold"),
        "u",
    ),
)


def rule_for(status: Status, action: Action) -> Rule | None:
    for rule in LIFECYCLE:
        if rule.action == action and status in rule.sources:
            return rule
    return None


def actions_in(status: Status) -> list[Rule]:
    return [rule for rule in LIFECYCLE if status in rule.sources]


def allowed_actions(status: Status, roles: Iterable[Role]) -> list[Action]:
    """Actions these roles may take in this status, ignoring guards (for keys and menus)."""
    held = frozenset(roles)
    return [rule.action for rule in actions_in(status) if rule.roles & held]


def authorize(
    status: Status, action: Action, roles: Iterable[Role], facts: GuardFacts | None = None
) -> Rule:
    """The rule that lets these roles do this action now, or the reason why not.

    The status is checked before the roles so that a clerk asking to approve a draft hears
    that drafts are not approved, not that clerks may not approve.
    """
    rule = rule_for(status, action)
    if rule is None:
        raise InvalidTransition(
            code="lifecycle.wrong_status", action=_action_word(action), status=_status_word(status)
        )
    held = frozenset(roles)
    if not rule.roles & held:
        needed = sorted(rule.roles)
        raise PermissionDenied(
            code="lifecycle.needs_role",
            action=_action_word(action),
            status=_status_word(status),
            roles=("、".join(ROLE_LABELS[r][0] for r in needed), ", ".join(needed)),
        )
    if facts is not None:
        check_guards(rule, facts)
    return rule


def check_guards(rule: Rule, facts: GuardFacts) -> None:
    for guard in rule.guards:
        if not guard.check(facts):
            raise GuardFailed(
                code="lifecycle.guard_failed",
                action=_action_word(rule.action),
                reason=guard.message,
                guard=guard.name,
            )


def _action_word(action: Action) -> tuple[str, str]:
    # English keeps the action's name as typed on the command line ("cannot plan_production").
    return action_label(action, "zh"), action.value


def _status_word(status: Status) -> tuple[str, str]:
    return status_label(status, "zh"), status.value


def reachable_statuses() -> frozenset[Status]:
    """Statuses an order can reach from draft by the table (for integrity checks)."""
    seen = {Status.DRAFT}
    frontier = [Status.DRAFT]
    while frontier:
        current = frontier.pop()
        for rule in actions_in(current):
            for target in rule.targets:
                if target not in seen:
                    seen.add(target)
                    frontier.append(target)
    return frozenset(seen)


def status_label(status: Status, lang: str = "zh") -> str:
    zh, en = STATUS_LABELS[status]
    return zh if lang == "zh" else en


def action_label(action: Action, lang: str = "zh") -> str:
    for rule in LIFECYCLE:
        if rule.action == action:
            return rule.label[0] if lang == "zh" else rule.label[1]
    return action.value


def markdown_table() -> str:
    """The table as README shows it; a test keeps README and this table in agreement."""
    rows = [
        "| action | 动作 | from | to | roles | guards |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    order = list(Status)
    for rule in LIFECYCLE:
        sources = ", ".join(s.value for s in sorted(rule.sources, key=order.index))
        targets = ", ".join(t.value for t in rule.targets) or "(stays)"
        roles = ", ".join(sorted(r.value for r in rule.roles))
        guards = ", ".join(g.name for g in rule.guards) or "-"
        rows.append(
            f"| {rule.action.value} | {rule.label[0]} | {sources} | {targets} | {roles} | "
            f"{guards} |"
        )
    return "\n".join(rows)
