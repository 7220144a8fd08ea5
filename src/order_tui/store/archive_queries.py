"""The archive search over a million archived orders: every query here uses an index.

How a search runs:
1. Names first. Customer and product criteria are looked up in `archive_name`, the small
   dictionary of names orders were entered under (migration 0007): a substring of three
   characters or more through the trigram index (SQLite FTS5 here, pg_trgm on PostgreSQL),
   shorter ones (华为) by a LIKE over the dictionary, which holds one row per distinct name,
   not per order; pinyin initials and codes by prefix range on their indexes. That gives
   customer and product ids.
2. Then orders, newest first, keyset-paged on (order_day, serial). Each selective criterion
   (customer ids, product ids, amount range) is probed on its own index with a cap: if one
   matches at most PROBE_CAP archived orders, the search drives from those ids and sorts
   them; otherwise matches are dense enough that walking the archived orders by date (index
   ix_order_status_day, also cut by a date range or an order-number prefix) meets a page of
   them within a few thousand rows, the other criteria filtering as it goes.

The unary `+` in front of a column keeps SQLite from using an index for that term, so the
plan is the one chosen above and not a guess of the planner's. PostgreSQL has no unary `+` on
text or dates, and its planner costs the terms itself, so there the marker is left out. The
FTS5 statements are the only SQLite-only SQL; PostgreSQL takes the LIKE branch (ILIKE: SQLite's
LIKE ignores ASCII case), which pg_trgm serves from its index. pg_trgm only makes trigrams of
Chinese characters when the database's LC_CTYPE is a UTF-8 one (README: PostgreSQL).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Integer, String, bindparam, text
from sqlmodel import Session
from sqlmodel.sql.sqltypes import UTCDateTime

from order_tui.store.types import Fen

PROBE_CAP = 5000
# More names than this and the name list is not worth sending as parameters: the match is
# broad, and the date walk filters on the name text itself.
MAX_NAMES = 500
TRIGRAM = 3

# FTS5 keeps its index in shadow tables named after the virtual table; they have no model.
SEARCH_INDEX_TABLE = "archive_name_fts"
# pg_trgm's GIN index on PostgreSQL (migration 0007): no model describes it either.
TRIGRAM_INDEX = "ix_archive_name_trgm"


def is_search_index_table(name: str) -> bool:
    return name == SEARCH_INDEX_TABLE or name.startswith(SEARCH_INDEX_TABLE + "_")


def include_name(name: str | None, type_: str, _parent: Any) -> bool:
    """For Alembic's model comparison: the search index's tables and index are not models."""
    if type_ == "index" and name == TRIGRAM_INDEX:
        return False
    return not (type_ == "table" and name is not None and is_search_index_table(name))


@dataclass(frozen=True)
class NameMatch:
    ref_id: int
    name: str


@dataclass(frozen=True)
class Criteria:
    """What the store filters on, already normalized by the service."""

    order_no_prefix: str = ""
    customer: str = ""
    product: str = ""
    day_from: date | None = None
    day_to: date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(is_sqlite: bool) -> str:
    """SQLite's LIKE ignores ASCII case; PostgreSQL's ILIKE is the same match."""
    return "LIKE" if is_sqlite else "ILIKE"


def _prefix_upper(prefix: str) -> str:
    """The smallest string above every string starting with `prefix` (for a range scan)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def find_names(
    session: Session, kind: str, query: str, limit: int = MAX_NAMES + 1
) -> list[NameMatch]:
    """Names of this kind containing `query`, or whose code or pinyin initials start with it."""
    query = query.strip()
    if not query:
        return []
    is_sqlite = session.get_bind().dialect.name == "sqlite"
    params: dict[str, Any] = {"kind": kind, "limit": limit}
    if len(query) >= TRIGRAM and is_sqlite:
        params["match"] = '"' + query.replace('"', '""') + '"'
        substring = (
            "SELECT n.ref_id, n.name FROM archive_name_fts f "
            "JOIN archive_name n ON n.id = f.rowid "
            "WHERE archive_name_fts MATCH :match AND n.kind = :kind"
        )
    else:
        params["like"] = "%" + _escape_like(query) + "%"
        substring = (
            "SELECT ref_id, name FROM archive_name "
            f"WHERE kind = :kind AND name {_like(is_sqlite)} :like ESCAPE '\\'"
        )
    parts = [substring]
    if query.isascii():
        params["lower"], params["lower_hi"] = query.lower(), _prefix_upper(query.lower())
        params["upper"], params["upper_hi"] = query.upper(), _prefix_upper(query.upper())
        parts.append(
            "SELECT ref_id, name FROM archive_name "
            "WHERE kind = :kind AND mnemonic >= :lower AND mnemonic < :lower_hi"
        )
        parts.append(
            "SELECT ref_id, name FROM archive_name "
            "WHERE kind = :kind AND code >= :upper AND code < :upper_hi"
        )
    sql = " UNION ".join(parts) + " LIMIT :limit"
    return [NameMatch(int(r), str(n)) for r, n in session.execute(text(sql), params)]


# -- orders ---------------------------------------------------------------------------------

_COLUMNS = (
    "o.id, o.order_no, o.order_day, o.serial, o.cust_name, o.total, o.archived_at, "
    "o.retention_until"
)


@dataclass
class _Query:
    where: list[str]
    params: dict[str, Any]

    def add(self, clause: str, **params: Any) -> None:
        self.where.append(clause)
        self.params.update(params)


def _in_list(prefix: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    names = {f"{prefix}{i}": v for i, v in enumerate(values)}
    return "(" + ", ".join(f":{n}" for n in names) + ")", names


def _fen(value: Decimal) -> int:
    scaled = Fen().process_bind_param(value.quantize(Decimal("0.01")), None)  # type: ignore[arg-type]
    return int(scaled or 0)


_DATE_PARAMS = ("day_from", "day_to", "after_day")
_RESULT_TYPES = {
    "id": Integer(),
    "order_no": String(),
    "order_day": Date(),
    "serial": Integer(),
    "cust_name": String(),
    "total": Fen(),
    "archived_at": UTCDateTime(),
    "retention_until": Date(),
}


def _probe(session: Session, sql: str, params: dict[str, Any]) -> int | None:
    """How many archived orders a criterion's id query matches, or None above the cap
    (counted on its index, stopping at the cap)."""
    count = session.execute(
        text(f"SELECT count(*) FROM ({sql} LIMIT :cap) AS probe"), {**params, "cap": PROBE_CAP + 1}
    ).scalar_one()
    return None if count > PROBE_CAP else int(count)


def search_orders(
    session: Session,
    criteria: Criteria,
    customers: list[NameMatch] | None,
    products: list[NameMatch] | None,
    after: tuple[date, int] | None,
    limit: int,
) -> list[Any]:
    """Archived orders meeting every criterion, newest first, after the keyset cursor.

    `customers` / `products` are the names found for those criteria (None: not searched by
    it); an empty list means nothing can match.
    """
    if customers == [] or products == []:
        return []
    is_sqlite = session.get_bind().dialect.name == "sqlite"
    # The no-index marker (see the module's doc): SQLite only.
    plus = "+" if is_sqlite else ""
    like = _like(is_sqlite)
    q = _Query([f"{plus}o.status = 'archived'"], {})
    # (how many, the id query): the criteria that match few enough orders to lead
    candidates: list[tuple[int, str]] = []

    if customers is not None and len(customers) <= MAX_NAMES:
        ids = sorted({m.ref_id for m in customers})
        id_list, id_params = _in_list("c", ids)
        name_list, name_params = _in_list("cn", sorted({m.name for m in customers}))
        q.add(
            f"{plus}o.customer_id IN {id_list} AND o.cust_name IN {name_list}",
            **id_params,
            **name_params,
        )
        ids_sql = (
            f"SELECT id FROM sales_order WHERE customer_id IN {id_list} AND status = 'archived'"
        )
        count = _probe(session, ids_sql, id_params)
        if count is not None:
            candidates.append((count, ids_sql))
    elif customers is not None:
        q.add(
            f"(o.cust_name {like} :cust_like ESCAPE '\\' "
            f"OR o.cust_mnemonic {like} :cust_initials ESCAPE '\\')",
            cust_like=f"%{_escape_like(criteria.customer)}%",
            cust_initials=f"{_escape_like(criteria.customer.lower())}%",
        )

    if products is not None:
        ids = sorted({m.ref_id for m in products})[:MAX_NAMES]
        id_list, id_params = _in_list("p", ids)
        q.add(
            "EXISTS (SELECT 1 FROM order_line l WHERE l.order_id = o.id "
            f"AND {plus}l.product_id IN {id_list})",
            **id_params,
        )
        ids_sql = f"SELECT order_id FROM order_line WHERE product_id IN {id_list}"
        count = _probe(session, ids_sql, id_params)
        if count is not None:
            candidates.append((count, ids_sql))

    if criteria.amount_min is not None or criteria.amount_max is not None:
        low = _fen(criteria.amount_min) if criteria.amount_min is not None else -(2**62)
        high = _fen(criteria.amount_max) if criteria.amount_max is not None else 2**62
        q.add(f"{plus}o.total BETWEEN :amount_lo AND :amount_hi", amount_lo=low, amount_hi=high)
        ids_sql = (
            "SELECT id FROM sales_order WHERE status = 'archived' "
            "AND total BETWEEN :amount_lo AND :amount_hi"
        )
        count = _probe(session, ids_sql, {"amount_lo": low, "amount_hi": high})
        if count is not None:
            candidates.append((count, ids_sql))

    if criteria.order_no_prefix:
        q.add(
            "o.order_no LIKE :no_like ESCAPE '\\'",
            no_like=_escape_like(criteria.order_no_prefix) + "%",
        )
    day = "o.order_day"
    if candidates:
        # Drive from the criterion with the fewest orders; the sort is over at most
        # PROBE_CAP rows. The id query runs inside SQLite, no ids travel through Python.
        count, ids_sql = min(candidates, key=lambda c: c[0])
        if count == 0:
            return []
        q.add(f"o.id IN ({ids_sql})")
        day = f"{plus}o.order_day"  # no walk by date: the ids lead
    else:
        q.where[0] = "o.status = 'archived'"  # the walk by date, on ix_order_status_day
    if criteria.day_from is not None:
        q.add(f"{day} >= :day_from", day_from=criteria.day_from)
    if criteria.day_to is not None:
        q.add(f"{day} <= :day_to", day_to=criteria.day_to)
    if after is not None:
        q.add(
            f"{day} <= :after_day AND ({day} < :after_day OR o.serial < :after_serial)",
            after_day=after[0],
            after_serial=after[1],
        )
    sql = (
        f"SELECT {_COLUMNS} FROM sales_order o WHERE "
        + " AND ".join(q.where)
        + " ORDER BY o.order_day DESC, o.serial DESC LIMIT :limit"
    )
    stmt = (
        text(sql)
        .bindparams(*(bindparam(k, type_=Date()) for k in _DATE_PARAMS if k in q.params))
        .columns(**_RESULT_TYPES)
    )
    return list(session.execute(stmt, {**q.params, "limit": limit}))


def explain(session: Session, sql: str, params: dict[str, Any]) -> list[str]:
    """The plan's lines: EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL (tests check
    that the search uses its indexes)."""
    is_sqlite = session.get_bind().dialect.name == "sqlite"
    rows = session.execute(text(("EXPLAIN QUERY PLAN " if is_sqlite else "EXPLAIN ") + sql), params)
    return [str(r[-1]) for r in rows]
