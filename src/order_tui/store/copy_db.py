"""Copy a SQLite database into an empty PostgreSQL database (`order-tui migrate-db --to URL`).

The copy is one PostgreSQL transaction: every table, the sequences, then a verification that
reads the target back (row counts and a checksum per table) and compares it with what was read
from the source. Only a verified copy commits. An interrupted copy (Ctrl+C, a lost connection,
a killed process) is rolled back by the server, so the target is either empty or complete,
never half-filled.

The source is read in one SQLite read transaction, a consistent snapshot. If anyone commits
to the source while the copy runs, that work would be missing from the target: the copy
notices (`PRAGMA data_version`) and rolls back instead of committing, and says why.

Rows are copied through the same column types they were written with (money as scaled
integers on both sides). Triggers that maintain derived rows (the archive-name dictionary)
are switched off for the copy inside the transaction, so the copied rows land exactly as
they were; the source's SQLite-only search index is rebuilt on PostgreSQL by its own index.
"""

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, func, select, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from order_tui.store import models  # noqa: F401  (registers the tables in the metadata)
from order_tui.store.engine import Database, open_database
from order_tui.store.maintenance import MaintenanceError
from order_tui.store.migrate import current_revision, ensure_schema, head_revision
from order_tui.store.sequences import continue_sequences

BATCH = 2000
# One copy at a time into a target: a second `migrate-db` waits, then finds it not empty.
COPY_LOCK = 0x6F72_6465_7263_7079  # "ordercpy"

Progress = Callable[[str, int], None]


class CopyError(MaintenanceError):
    """The copy was refused or rolled back; the message says why and what to do."""


@dataclass
class TableCopy:
    name: str
    rows: int
    checksum: str


@dataclass
class CopyReport:
    target: str
    tables: list[TableCopy] = field(default_factory=list)
    seconds: float = 0.0
    attachments: int = 0

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def tables() -> list[Table]:
    """Every table of the schema, parents before children."""
    return list(SQLModel.metadata.sorted_tables)


def row_digest(values: Iterable[Any]) -> int:
    # Values come back through the column types, so both sides give the same Python objects
    # (Decimal, datetime, bool, int, str) with the same text. NUL marks NULL: PostgreSQL text
    # cannot hold one, so no stored value looks like it.
    body = "\x1e".join(["\x00" if v is None else str(v) for v in values])
    return int.from_bytes(hashlib.sha256(body.encode()).digest(), "big")


class TableSum:
    """Row count and an order-free checksum (the sum of the rows' SHA-256, mod 2^256): the
    two databases sort text differently, so the checksum must not depend on row order."""

    def __init__(self) -> None:
        self.rows = 0
        self.total = 0

    def add(self, values: Iterable[Any]) -> None:
        self.rows += 1
        self.total = (self.total + row_digest(values)) % (1 << 256)

    @property
    def hex(self) -> str:
        return f"{self.total:064x}"


def table_sum(conn: Connection, table: Table) -> TableSum:
    summed = TableSum()
    for row in conn.execution_options(yield_per=BATCH).execute(select(table)):
        summed.add(row)
    return summed


def _data_version(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA data_version").scalar_one())


def _refuse_unless_ready(source: Database, target: Database) -> None:
    if not source.is_sqlite:
        raise CopyError(
            "migrate-db copies a SQLite database; to move a PostgreSQL database use "
            "pg_dump and pg_restore (see README)"
        )
    if target.read_engine.dialect.name != "postgresql":
        raise CopyError("migrate-db --to needs a PostgreSQL URL (postgresql+psycopg://...)")
    head = head_revision()
    if current_revision(source) != head:
        raise CopyError(
            f"the source database is at schema {current_revision(source)}, not {head}: "
            "open it once with this version (order-tui check) and run migrate-db again"
        )


def shown_url(url: str) -> str:
    """The URL for messages and logs: never the password."""
    return make_url(url).render_as_string(hide_password=True)


def _refuse_unless_empty(conn: Connection, target_url: str) -> None:
    filled = []
    for table in tables():
        count = conn.execute(select(func.count()).select_from(table)).scalar_one()
        if count:
            filled.append(f"{table.name} ({count})")
    if filled:
        more = f" and {len(filled) - 4} more tables" if len(filled) > 4 else ""
        raise CopyError(
            f"the target database {shown_url(target_url)} is not empty: "
            f"{', '.join(filled[:4])}{more}; migrate-db only copies into an empty database"
        )


def _copy_table(source: Connection, target: Connection, table: Table) -> TableSum:
    """Stream the table with PostgreSQL's COPY (rows as the column types bind them: money as
    scaled integers), summing what was read for the verification."""
    dialect = target.dialect
    binders = [c.type.bind_processor(dialect) for c in table.columns]
    names = ", ".join(f'"{c.name}"' for c in table.columns)
    summed = TableSum()
    raw = target.connection.driver_connection
    assert raw is not None
    with (
        raw.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
    ):
        for row in source.execution_options(yield_per=BATCH).execute(select(table)):
            summed.add(row)
            copy.write_row(
                [
                    v if bind is None or v is None else bind(v)
                    for bind, v in zip(binders, row, strict=True)
                ]
            )
    return summed


def copy_database(
    source: Database, target_url: str, *, progress: Progress | None = None
) -> CopyReport:
    """Copy `source` (SQLite, at the current schema) into the empty PostgreSQL database at
    `target_url`, verify it and commit; raise CopyError (target left empty) otherwise."""
    started = time.perf_counter()
    target = open_database(target_url, source.data_dir)
    try:
        _refuse_unless_ready(source, target)
        ensure_schema(target)
        report = CopyReport(target=shown_url(target_url))
        with target.write_engine.connect() as tconn, tconn.begin():
            tconn.execute(text(f"SELECT pg_advisory_xact_lock({COPY_LOCK})"))
            _refuse_unless_empty(tconn, target_url)
            for table in tables():
                tconn.execute(text(f"ALTER TABLE {table.name} DISABLE TRIGGER USER"))
            with source.read_engine.connect() as sconn:
                before = _data_version(sconn)
                sconn.commit()  # ends the pragma's own transaction; the snapshot starts below
                with sconn.begin():
                    sums = {}
                    for table in tables():
                        sums[table.name] = _copy_table(sconn, tconn, table)
                        if progress is not None:
                            progress(table.name, sums[table.name].rows)
                after = _data_version(sconn)
                sconn.commit()
            for table in tables():
                tconn.execute(text(f"ALTER TABLE {table.name} ENABLE TRIGGER USER"))
            continue_sequences(tconn, tables())
            _verify(tconn, sums)
            if after != before:
                raise CopyError(
                    "someone wrote to the source database while it was being copied; "
                    "nothing was copied. Stop every order-tui on it and run migrate-db again"
                )
            report.tables = [TableCopy(name, s.rows, s.hex) for name, s in sums.items()]
            report.attachments = sums["attachment"].rows if "attachment" in sums else 0
        # Fresh tables have no planner statistics until autovacuum comes round: gather them
        # now, so the first searches on a big copy use their indexes.
        with target.write_engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        report.seconds = time.perf_counter() - started
        return report
    finally:
        target.dispose()


def _verify(conn: Connection, sums: dict[str, TableSum]) -> None:
    """Read every table back inside the copy's transaction: a mismatch rolls it all back."""
    wrong = []
    for table in tables():
        expected, got = sums[table.name], table_sum(conn, table)
        if (got.rows, got.total) != (expected.rows, expected.total):
            wrong.append(
                f"{table.name}: {expected.rows} rows read, {got.rows} written"
                if got.rows != expected.rows
                else f"{table.name}: checksum differs"
            )
    if wrong:
        raise CopyError("the copy did not verify, nothing was copied: " + "; ".join(wrong))
