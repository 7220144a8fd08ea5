"""The last line before a write: every value checked against its column's limits.

Services check their fields with their own coded messages first; this catches whatever they
did not think of (a 10,000-character name, a NUL byte, NaN in an amount) and turns it into a
`ValidationError` naming the column as the field, before the driver would raise something
no operator can read, or PostgreSQL would refuse what SQLite let through (varchar lengths,
NUL). It runs before every ORM flush and for the one UPDATE that bypasses the ORM
(`repo.guarded_update`). A lookup typed with a lone surrogate (undecodable bytes from a
terminal) cannot even be sent as a query parameter: that becomes a coded error too.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Engine, Integer, String, event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlmodel.sql.sqltypes import AutoString

from order_tui.domain.errors import InvalidValue, ValidationError
from order_tui.domain.text import number_problem, text_problem
from order_tui.store.types import ScaledDecimal


def value_problem(column: Column[Any], value: Any) -> InvalidValue | None:
    """Why `value` cannot go into `column`; None when it can (or is not ours to judge)."""
    if value is None:
        return None
    kind = column.type
    if isinstance(value, str):
        return text_problem(value, _length(kind))
    if isinstance(kind, ScaledDecimal) and isinstance(value, Decimal | int):
        return number_problem(Decimal(value), kind.places)
    if isinstance(kind, Integer) and isinstance(value, int) and not isinstance(value, bool):
        return number_problem(value)
    return None


def _length(kind: Any) -> int | None:
    # SQLModel's str columns are AutoString, a TypeDecorator (not a String) with a length
    return kind.length if isinstance(kind, String | AutoString) else None


def length_of(table_model: Any, field: str) -> int | None:
    """The most characters `field` of a table model holds: for a service that checks a text
    with its own field name before the write (the schema stays the one place it is said)."""
    return _length(table_model.__table__.c[field].type)


def _refuse(field: str, problem: InvalidValue) -> ValidationError:
    return ValidationError(code=problem.code, field=field, **problem.params)


# id(a table's column collection) -> (the collection, its columns by key): the write path
# checks the same few tables' columns on every action (43 of them for an order). Only a
# table's own collection (`Table.columns`, one object for the table's life) is kept.
_BY_KEY: dict[int, tuple[object, dict[str, Column[Any]]]] = {}


def _columns_by_key(columns: Iterable[Column[Any]]) -> dict[str, Column[Any]]:
    known = _BY_KEY.get(id(columns))
    if known is not None and known[0] is columns:
        return known[1]
    by_key = {c.key: c for c in columns}
    if isinstance(columns, ReadOnlyColumnCollection):
        _BY_KEY[id(columns)] = (columns, by_key)
    return by_key


def check_values(columns: Iterable[Column[Any]], values: Mapping[str, Any]) -> None:
    """Raise a ValidationError for the first value in `values` its column cannot hold."""
    by_key = _columns_by_key(columns)
    for key, value in values.items():
        column = by_key.get(key)
        if column is None:
            continue
        problem = value_problem(column, value)
        if problem is not None:
            raise _refuse(key, problem)


def _check_object(obj: object) -> None:
    state = sa_inspect(obj)
    mapper = state.mapper
    for attr in mapper.column_attrs:
        if attr.key not in state.dict:
            continue
        for column in attr.columns:
            if not isinstance(column, Column):
                continue
            problem = value_problem(column, state.dict[attr.key])
            if problem is not None:
                raise _refuse(attr.key, problem)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: object, _instances: object) -> None:
    for obj in list(session.new) + list(session.dirty):
        _check_object(obj)


@event.listens_for(Engine, "handle_error")
def _unencodable_parameter(context: ExceptionContext) -> None:
    if not isinstance(context.original_exception, UnicodeEncodeError):
        return
    params = context.parameters
    rows = params if isinstance(params, list | tuple) else [params]
    for row in rows:
        values = (
            row.values()
            if isinstance(row, Mapping)
            else row
            if isinstance(row, list | tuple)
            else []
        )
        for value in values:
            if isinstance(value, str):
                problem = text_problem(value)
                if problem is not None:
                    raise ValidationError(code=problem.code, **problem.params)
    raise ValidationError(code="text.unencodable", position="?")
