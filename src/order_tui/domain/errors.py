"""Errors the business rules raise; the UI and the command line turn them into one clear line."""


class DomainError(Exception):
    """A rule said no. The message is meant for the operator, not for a log."""


class PermissionDenied(DomainError):
    """The operator's roles do not allow this action."""


class InvalidTransition(DomainError):
    """The action is not possible in the order's current status."""


class GuardFailed(InvalidTransition):
    """The status allows the action but a precondition does not hold (e.g. order on hold)."""


class ValidationError(DomainError):
    """Input broke a rule. `field` names the input so a form can show the message beside it."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(DomainError):
    """The named record does not exist."""


class Conflict(DomainError):
    """Someone else changed the record since it was read (optimistic lock)."""

    def __init__(self, message: str, changed_by: str | None = None, changed_at: str | None = None):
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at


class ReadOnly(DomainError):
    """The record is archived (or otherwise frozen) and refuses every change."""
