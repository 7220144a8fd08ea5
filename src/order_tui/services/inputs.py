"""Typed numbers and text checked for a field before a service compares or stores them.

A NaN quantity makes `qty <= 0` raise decimal.InvalidOperation and 1E+30 overflows the
column, so a service checks each number it is given with `number(...)` before its own rules;
text gets the same shared rules with `text(...)`. Both raise a ValidationError for the field
with the shared codes of domain/text.py (the store checks every column again at flush).
"""

from decimal import Decimal

from order_tui.domain.errors import ValidationError
from order_tui.domain.money import MONEY_PLACES, PRICE_PLACES, QUANTITY_PLACES
from order_tui.domain.text import number_problem, text_problem

__all__ = ["MONEY_PLACES", "PRICE_PLACES", "QUANTITY_PLACES", "number", "text", "whole"]


def number(value: Decimal, field: str, places: int, *, exact: bool = True) -> Decimal:
    """`value` if it is a finite number with at most `places` places that a column can hold;
    with `exact` False more places are fine (the service rounds them, as documented)."""
    problem = number_problem(value, places, exact=exact)
    if problem is not None:
        raise ValidationError(code=problem.code, field=field, **problem.params)
    return value


def whole(value: int, field: str) -> int:
    """`value` if a 64-bit integer column can hold it."""
    problem = number_problem(value)
    if problem is not None:
        raise ValidationError(code=problem.code, field=field, **problem.params)
    return value


def text(value: str, field: str, most: int | None = None) -> str:
    """`value` if it has no control characters and at most `most` characters."""
    problem = text_problem(value, most)
    if problem is not None:
        raise ValidationError(code=problem.code, field=field, **problem.params)
    return value
