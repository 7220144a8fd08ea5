"""Errors the business rules raise; the UI and the command line turn them into one clear line."""


class DomainError(Exception):
    """A rule said no. The message is meant for the operator, not for a log."""


class PermissionDenied(DomainError):
    """The operator's roles do not allow this action."""


class LoginRefused(PermissionDenied):
    """A login said no; the fields let a screen say why in the operator's language."""

    def __init__(
        self,
        message: str,
        *,
        username: str,
        reason: str,
        tries_left: int | None = None,
        locked_minutes: int | None = None,
    ) -> None:
        super().__init__(message)
        self.username = username
        self.reason = reason  # "unknown", "wrong_pin", "locked_now", "locked"
        self.tries_left = tries_left
        self.locked_minutes = locked_minutes


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
