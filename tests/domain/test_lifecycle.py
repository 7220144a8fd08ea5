"""The lifecycle table itself: complete, consistent, and authorize() reads it faithfully."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from order_tui.domain.errors import GuardFailed, InvalidTransition, PermissionDenied
from order_tui.domain.lifecycle import (
    LIFECYCLE,
    TERMINAL,
    Action,
    OrderFacts,
    Status,
    allowed_actions,
    authorize,
    markdown_table,
    reachable_statuses,
    rule_for,
)
from order_tui.domain.roles import Role


def test_every_status_is_reachable_from_draft() -> None:
    assert reachable_statuses() == frozenset(Status)


def test_one_rule_per_status_and_action() -> None:
    seen: set[tuple[Status, Action]] = set()
    for rule in LIFECYCLE:
        for status in rule.sources:
            assert (status, rule.action) not in seen, (status, rule.action)
            seen.add((status, rule.action))


def test_terminal_statuses_allow_nothing() -> None:
    for status in TERMINAL:
        assert allowed_actions(status, set(Role)) == []


def test_admin_approves_nothing() -> None:
    for status in Status:
        assert allowed_actions(status, {Role.ADMIN}) == []


def test_every_action_has_labels_and_a_key() -> None:
    for rule in LIFECYCLE:
        assert rule.label[0] and rule.label[1] and rule.key


def test_state_is_checked_before_role() -> None:
    with pytest.raises(InvalidTransition, match="cannot approve an order that is draft"):
        authorize(Status.DRAFT, Action.APPROVE, {Role.SALES_CLERK})
    with pytest.raises(PermissionDenied, match="needs role"):
        authorize(Status.IN_REVIEW, Action.APPROVE, {Role.SALES_CLERK})


def test_guards_name_the_reason() -> None:
    with pytest.raises(GuardFailed, match="on hold"):
        authorize(Status.PACKED, Action.SHIP, {Role.LOGISTICS}, OrderFacts(on_hold=True))
    with pytest.raises(GuardFailed, match="production"):
        authorize(
            Status.APPROVED,
            Action.START_PICKING,
            {Role.WAREHOUSE},
            OrderFacts(has_made_to_order=True, production_done=False),
        )
    with pytest.raises(GuardFailed, match="documents"):
        authorize(
            Status.DELIVERED,
            Action.COMPLETE,
            {Role.ARCHIVIST},
            OrderFacts(feedback_recorded=True, missing_documents=("invoice_copy",)),
        )


@given(
    status=st.sampled_from(list(Status)),
    action=st.sampled_from(list(Action)),
    roles=st.sets(st.sampled_from(list(Role))),
)
def test_authorize_agrees_with_the_table(status: Status, action: Action, roles: set[Role]) -> None:
    rule = rule_for(status, action)
    if rule is None:
        with pytest.raises(InvalidTransition):
            authorize(status, action, roles)
    elif not rule.roles & roles:
        with pytest.raises(PermissionDenied):
            authorize(status, action, roles)
    else:
        assert authorize(status, action, roles) is rule
        assert action in allowed_actions(status, roles)


def test_markdown_table_has_a_row_per_rule() -> None:
    assert markdown_table().count("\n") == len(LIFECYCLE) + 1
