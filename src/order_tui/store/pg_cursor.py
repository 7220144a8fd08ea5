"""psycopg's cursor, with a result description built only when someone reads it.

SQLAlchemy asks `cursor.description` after every statement, but for a statement it has run
before (its compiled cache) it only checks that the description is not None. psycopg builds
a Column object per result column on every call: 43 for a sales order, about 50 µs of CPU,
the largest single cost of reading an order on PostgreSQL (issue 7's approval profile: one
eighth of the CPU of an approval). Here the description is a sequence that knows its length
and builds psycopg's own Column objects the first time an item is read, from the result as
it was when the description was taken (a later statement on the cursor cannot change it).

Imported only for PostgreSQL engines (store/engine.py), so SQLite never loads psycopg.
"""

from collections.abc import Iterator, Sequence
from typing import Any, overload

from psycopg import Column, Cursor, pq

_TUPLES = frozenset(
    {pq.ExecStatus.TUPLES_OK, pq.ExecStatus.SINGLE_TUPLE, pq.ExecStatus.TUPLES_CHUNK}
)


class _ResultOf:
    """What psycopg's Column reads from a cursor, frozen at the moment of the description."""

    __slots__ = ("_encoding", "adapters", "pgresult")

    def __init__(self, cursor: Cursor[Any], result: Any) -> None:
        self.pgresult = result
        self._encoding = cursor._encoding
        self.adapters = cursor.adapters


class LazyDescription(Sequence[Column]):
    """`cursor.description` as psycopg gives it (a sequence of Column), built on first use."""

    __slots__ = ("_columns", "_count", "_source")

    def __init__(self, source: _ResultOf, count: int) -> None:
        self._source: _ResultOf | None = source
        self._count = count
        self._columns: list[Column] | None = None

    def _built(self) -> list[Column]:
        if self._columns is None:
            source = self._source
            self._columns = [Column(source, i) for i in range(self._count)]  # type: ignore[arg-type]
            self._source = None  # no longer keeps the result alive
        return self._columns

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Column: ...
    @overload
    def __getitem__(self, index: slice) -> list[Column]: ...
    def __getitem__(self, index: int | slice) -> Column | list[Column]:
        return self._built()[index]

    def __iter__(self) -> Iterator[Column]:
        return iter(self._built())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyDescription):
            other = other._built()
        return self._built() == other

    def __repr__(self) -> str:
        return repr(self._built())


class LazyDescriptionCursor(Cursor[Any]):
    """The connection's cursor class (psycopg's `cursor_factory`)."""

    @property
    def description(self) -> LazyDescription | None:  # type: ignore[override]
        result = self.pgresult
        # As psycopg's own: columns if there are any, or a result that said it has rows
        # (the "SELECT ;" of a ping has none, and still gets an empty description).
        if result is not None and (result.nfields or result.status in _TUPLES):
            return LazyDescription(_ResultOf(self, result), result.nfields)
        return None
