"""Errors the business rules raise; the UI and the command line turn them into one clear line."""

from order_tui.domain import messages


class Coded:
    """Mixin: an error that carries a message `code` from `domain.messages` and its `params`.

    Raise as `ValidationError(code="order.qty_positive", field="qty", line=3)`; the English
    text becomes the exception's message and `messages.localized` gives the operator's.
    A plain message without a code still works for errors not meant for an operator.
    """

    code: str | None = None
    params: dict[str, object]

    def _coded(self, message: str | None, code: str | None, params: dict[str, object]) -> str:
        self.code = code
        self.params = params
        if message is None:
            if code is None:
                raise TypeError("an error needs a message or a code")
            message = messages.text(code, "en", params)
        return message


class InvalidValue(Coded, ValueError):
    """A typed or picked value breaks a rule; still a ValueError for callers that catch those.

    A service wraps it into a `ValidationError` for its field, keeping the code and params:
    `raise ValidationError(code=exc.code, field="uscc", **exc.params)`.
    """

    def __init__(self, message: str | None = None, *, code: str | None = None, **params: object):
        super().__init__(self._coded(message, code, params))


class DomainError(Coded, Exception):
    """A rule said no. The message is meant for the operator, not for a log."""

    def __init__(self, message: str | None = None, *, code: str | None = None, **params: object):
        super().__init__(self._coded(message, code, params))


class PermissionDenied(DomainError):
    """The operator's roles do not allow this action."""


class LoginRefused(PermissionDenied):
    """A login said no; the fields let a screen say why in the operator's language."""

    def __init__(
        self,
        message: str | None = None,
        *,
        username: str,
        reason: str,
        tries_left: int | None = None,
        locked_minutes: int | None = None,
        code: str | None = None,
        **params: object,
    ) -> None:
        super().__init__(message, code=code, **params)
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

    def __init__(
        self,
        message: str | None = None,
        field: str | None = None,
        *,
        code: str | None = None,
        **params: object,
    ) -> None:
        super().__init__(message, code=code, **params)
        self.field = field


class NotFound(DomainError):
    """The named record does not exist."""


class Conflict(DomainError):
    """Someone else changed the record since it was read (optimistic lock)."""

    def __init__(
        self,
        message: str | None = None,
        changed_by: str | None = None,
        changed_at: str | None = None,
        *,
        code: str | None = None,
        **params: object,
    ):
        super().__init__(message, code=code, **params)
        self.changed_by = changed_by
        self.changed_at = changed_at


class ReadOnly(DomainError):
    """The record is archived (or otherwise frozen) and refuses every change."""
