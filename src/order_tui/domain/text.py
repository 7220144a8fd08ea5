"""What typed text and numbers may be before they are stored: the rules every field shares.

A field's own rules (a USCC's checksum, a phone number's digits) come first, in its service;
these are the ones no field may break, checked for every column before anything is written
(store/limits.py), so that a paste from a web page or a broken scanner gets a clear message
instead of a crash or a row PostgreSQL would refuse:

- no control characters: NUL is refused by PostgreSQL, ESC sequences would repaint the next
  clerk's terminal, and none of them is visible in a form. Tab and line breaks stay allowed
  (multi-line remarks);
- no lone surrogates (they cannot be written as UTF-8);
- at most the column's length, counted in characters (as PostgreSQL's varchar counts);
- numbers finite, within the column's decimal places and within a 64-bit integer once scaled.
"""

import unicodedata
from decimal import Decimal

from order_tui.domain import messages
from order_tui.domain.errors import InvalidValue

messages.register(
    {
        "text.control": (
            "含有不可见的控制字符（第 {position} 个字符），请删除后重试",
            "contains an invisible control character (character {position}); remove it",
        ),
        "text.unencodable": (
            "含有无法保存的字符（第 {position} 个字符）",
            "contains a character that cannot be stored (character {position})",
        ),
        "text.too_long": (
            "最多 {most} 个字符，现在是 {count} 个",
            "can be at most {most} characters long, got {count}",
        ),
        "number.not_finite": ("必须是一个确定的数字", "must be a finite number"),
        "number.places": ("最多 {places} 位小数", "can have at most {places} decimal places"),
        "number.too_large": ("数值太大", "is too large"),
    }
)

_ALLOWED_CONTROLS = frozenset("\t\n\r")
INT64_MAX = 2**63 - 1


def text_problem(value: str, most: int | None = None) -> InvalidValue | None:
    """Why `value` cannot be stored as text of at most `most` characters; None if it can."""
    # isprintable() is False for every control character and lone surrogate (and for other
    # invisible ones that are fine here): a printable value, most of them, skips the walk
    # through it character by character, which every stored string pays for.
    if not value.isprintable():
        return _character_problem(value) or _length_problem(value, most)
    return _length_problem(value, most)


def _character_problem(value: str) -> InvalidValue | None:
    for position, ch in enumerate(value, start=1):
        category = unicodedata.category(ch)
        if category == "Cc" and ch not in _ALLOWED_CONTROLS:
            return InvalidValue(code="text.control", position=position)
        if category == "Cs":
            return InvalidValue(code="text.unencodable", position=position)
    return None


def _length_problem(value: str, most: int | None) -> InvalidValue | None:
    if most is not None and len(value) > most:
        return InvalidValue(code="text.too_long", most=most, count=len(value))
    return None


def check_text(value: str, most: int | None = None) -> str:
    """`value` unchanged if it can be stored; else raise the InvalidValue saying why."""
    problem = text_problem(value, most)
    if problem is not None:
        raise problem
    return value


def number_problem(
    value: Decimal | int, places: int = 0, *, exact: bool = True
) -> InvalidValue | None:
    """Why `value` cannot be stored with `places` decimal places in a 64-bit integer column;
    with `exact` False more places are fine (the caller rounds them away)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if -INT64_MAX <= value <= INT64_MAX else InvalidValue(code="number.too_large")
    if not value.is_finite():
        return InvalidValue(code="number.not_finite")
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    # Significant places only: Decimal("1.500") has one.
    stripped = list(digits)
    exp = exponent
    while exp < 0 and len(stripped) > 1 and stripped[-1] == 0:
        stripped.pop()
        exp += 1
    if exact and exp < -places and any(stripped):
        return InvalidValue(code="number.places", places=places)
    # adjusted() is the power of ten of the leading digit: cheap even for 1E+999999.
    if not value.is_zero() and value.adjusted() + places >= 18:
        scaled = abs(value).scaleb(places)
        if value.adjusted() + places > 19 or scaled > INT64_MAX:
            return InvalidValue(code="number.too_large")
    return None


def check_number(value: Decimal, places: int = 0, *, exact: bool = True) -> Decimal:
    """`value` unchanged if it is finite and fits; else raise the InvalidValue saying why."""
    problem = number_problem(value, places, exact=exact)
    if problem is not None:
        raise problem
    return value
