"""Backup and consistency checks of the order database.

A backup is `VACUUM INTO` a temporary file, verified with `PRAGMA integrity_check`, fsynced and
only then renamed: a consistent snapshot even while other sessions write, and never a
half-written file under the final name (notes/data-layer.md section 7).

PostgreSQL is backed up by its own tools: `backup` refuses and prints the pg_dump command for
the database (README: PostgreSQL). `check` runs there too: the server guards its own pages and
foreign keys, so instead of the SQLite pragmas it checks that the archive search's trigram
index can index Chinese text, then the same business invariants, in one REPEATABLE READ
snapshot.
"""

import os
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from order_tui.domain import audit_chain
from order_tui.domain.lifecycle import Action, Status, reachable_statuses, rule_for
from order_tui.store.engine import Database, sqlite_path
from order_tui.store.migrate import current_revision, head_revision
from order_tui.store.models import AuditEvent

# How many offending rows a check line names before it just counts them.
SHOWN = 5


class MaintenanceError(Exception):
    """A backup or check could not be done; the message says why and what to do."""


def _fsync_dir(directory: Path) -> None:
    # The rename is only durable once the directory entry is on disk.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup(db: Database, dest: Path) -> Path:
    """Write a verified copy of the SQLite database to `dest`; refuses to overwrite.

    Safe while other sessions write: VACUUM INTO reads one snapshot and does not block writers
    in WAL mode.
    """
    if sqlite_path(db.url) is None:
        if db.is_sqlite:
            raise MaintenanceError("an in-memory database cannot be backed up")
        raise MaintenanceError(pg_dump_advice(db.url, Path(dest)))
    dest = Path(dest).absolute()
    if dest.exists():
        raise MaintenanceError(f"{dest} already exists; choose a new name")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    try:
        # Claim the temporary name atomically; VACUUM INTO accepts an existing empty file, and
        # only a file we created is ever deleted below.
        os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        raise MaintenanceError(
            f"{tmp} exists: another backup is running or one was interrupted; "
            "delete it if no backup is running"
        ) from None
    try:
        _vacuum_into(db, tmp)
        problems = _integrity_of_copy(tmp)
        if problems:
            raise MaintenanceError("the backup copy failed integrity_check: " + "; ".join(problems))
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        _publish(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(dest.parent)
    return dest


def pg_dump_advice(url: str, dest: Path) -> str:
    """What to run instead of `backup` on PostgreSQL: pg_dump's custom format is consistent
    while others write (one snapshot) and pg_restore reads it back."""
    # libpq's own URL, without the password: pg_dump takes it from ~/.pgpass or PGPASSWORD.
    # (URL.set() ignores None, so the field is replaced on the named tuple itself.)
    bare = make_url(url).set(drivername="postgresql")._replace(password=None)
    libpq = bare.render_as_string(hide_password=False)
    dump = dest.with_suffix(".dump") if dest.suffix == ".db" else dest
    return (
        "backup copies SQLite files; back up PostgreSQL with its own tool, e.g. "
        f"pg_dump --format=custom --file={dump} '{libpq}' "
        f"(password from ~/.pgpass or PGPASSWORD); restore into a new, empty database with "
        f"pg_restore --no-owner --exit-on-error --dbname=URL {dump}"
    )


def _vacuum_into(db: Database, tmp: Path) -> None:
    # The raw driver connection: VACUUM cannot run inside a transaction, and SQLAlchemy would
    # begin one. The pool's connections have isolation_level=None, so the driver begins none.
    raw = db.read_engine.raw_connection()
    try:
        driver = cast(sqlite3.Connection, raw.driver_connection)
        # A bound parameter, not string pasting: any quote in the path stays data.
        driver.execute("VACUUM INTO ?", (str(tmp),))
    except sqlite3.Error as exc:
        raise MaintenanceError(f"backup failed: {exc}") from exc
    finally:
        raw.close()


def _publish(tmp: Path, dest: Path) -> None:
    """Give the finished copy its final name without ever replacing an existing file."""
    try:
        # link() refuses an existing name atomically, unlike rename(); the caller drops tmp.
        os.link(tmp, dest)
    except FileExistsError:
        raise MaintenanceError(f"{dest} already exists; choose a new name") from None
    except OSError:
        # Filesystems without hard links (FAT on a USB stick): check, then rename.
        if dest.exists():
            raise MaintenanceError(f"{dest} already exists; choose a new name") from None
        os.rename(tmp, dest)


def _integrity_of_copy(path: Path) -> list[str]:
    """integrity_check of a backup file; empty when it is 'ok'."""
    # A plain sqlite3 connection: the copy is not part of the app's database, and opening it
    # read-only (mode=ro) makes sure the check cannot change it.
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        rows = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.Error as exc:
        return [str(exc)]
    finally:
        conn.close()
    return [] if rows == ["ok"] else rows


@dataclass
class CheckReport:
    """The result of `check`: one line per check, as (name, detail, passed)."""

    ok: bool
    lines: list[tuple[str, str, bool]] = field(default_factory=list)


def _shown(items: list[Any]) -> str:
    head = ", ".join(str(item) for item in items[:SHOWN])
    return head if len(items) <= SHOWN else f"{head} and {len(items) - SHOWN} more"


def _check_sqlite_integrity(conn: Connection, full: bool) -> tuple[str, str, bool]:
    pragma = "integrity_check" if full else "quick_check"
    rows = [str(row[0]) for row in conn.exec_driver_sql(f"PRAGMA {pragma}")]
    if rows == ["ok"]:
        return (pragma, "ok", True)
    return (pragma, _shown(rows), False)


def _check_foreign_keys(conn: Connection) -> tuple[str, str, bool]:
    rows = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    if not rows:
        return ("foreign keys", "no broken references", True)
    broken = [f"{table} row {rowid} -> {parent}" for table, rowid, parent, _fk in rows]
    return ("foreign keys", f"{len(rows)} broken: {_shown(broken)}", False)


def _check_trigram_ctype(conn: Connection) -> tuple[str, str, bool]:
    """pg_trgm makes no trigrams of Chinese characters under LC_CTYPE C: the archive search
    still finds the names, but by reading the whole index instead of a few of its entries."""
    ctype = conn.execute(
        text("SELECT datctype FROM pg_database WHERE datname = current_database()")
    ).scalar_one()
    trigrams = conn.execute(text("SELECT cardinality(show_trgm('华为科技'))")).scalar_one()
    if trigrams:
        return ("search index", f"pg_trgm indexes Chinese text (LC_CTYPE {ctype})", True)
    return (
        "search index",
        f"LC_CTYPE {ctype} makes pg_trgm skip Chinese text, so name searches read the whole "
        "index; create the database with LC_CTYPE 'C.UTF-8' (README: PostgreSQL)",
        False,
    )


def _check_statuses(conn: Connection) -> tuple[str, str, bool]:
    rows = conn.execute(
        text("SELECT status, COUNT(*) FROM sales_order GROUP BY status ORDER BY status")
    ).all()
    known = {status.value for status in Status}
    reachable = {status.value for status in reachable_statuses()}
    unknown = [f"{status!r} ({count})" for status, count in rows if status not in known]
    unreachable = [f"{status!r} ({count})" for status, count in rows if status in known - reachable]
    if not unknown and not unreachable:
        return ("order status", f"{sum(count for _s, count in rows)} orders, all known", True)
    parts = []
    if unknown:
        parts.append(f"unknown status {_shown(unknown)}")
    if unreachable:
        parts.append(f"status no order can reach {_shown(unreachable)}")
    return ("order status", "; ".join(parts), False)


def _check_stock(conn: Connection) -> tuple[str, str, bool]:
    # Both columns carry the same scale, so comparing the stored integers is exact.
    rows = conn.execute(
        text(
            "SELECT product_id, on_hand, locked FROM stock "
            "WHERE locked > on_hand OR locked < 0 ORDER BY product_id"
        )
    ).all()
    if not rows:
        return ("stock", "locked within 0..on hand everywhere", True)
    bad = [f"product {pid}" for pid, _on_hand, _locked in rows]
    return ("stock", f"locked outside 0..on hand: {_shown(bad)}", False)


def _check_locked_matches_picks(conn: Connection) -> tuple[str, str, bool]:
    """Per stocked product, stock.locked equals what picks hold: picked and not yet shipped.

    Not part of `check`: `order-tui seed` writes packed orders without locking their stock.
    """
    # Quantities share one scale, so the stored integers compare exactly.
    rows = conn.execute(
        text(
            "SELECT s.product_id, s.locked, COALESCE(h.held, 0) FROM stock s "
            "JOIN product p ON p.id = s.product_id "
            "LEFT JOIN (SELECT l.product_id, SUM(l.picked_qty - l.shipped_qty) AS held "
            "  FROM order_line l JOIN sales_order o ON o.id = l.order_id "
            "  WHERE o.status <> 'cancelled' GROUP BY l.product_id) h "
            "ON h.product_id = s.product_id "
            "WHERE p.stocked AND s.locked <> COALESCE(h.held, 0) ORDER BY s.product_id"
        )
    ).all()
    if not rows:
        return ("locked stock", "equals what open picks hold, for every product", True)
    bad = [f"product {pid}: locked {locked}, picks hold {held}" for pid, locked, held in rows]
    return ("locked stock", f"differs from open picks: {_shown(bad)}", False)


def check_locked_stock(db: Database) -> tuple[str, str, bool]:
    """The stock ledger against the order lines (a soak and crash-test check)."""
    with db.read_engine.connect() as conn:
        return _check_locked_matches_picks(conn)


def _step_allowed(action: str, from_status: str, to_status: str) -> bool:
    """Whether one audited step is a move the lifecycle table allows."""
    try:
        rule = rule_for(Status(from_status), Action(action))
    except ValueError:  # not a lifecycle action (remove_attachment, revise_operation...)
        return from_status == to_status
    if rule is None:
        return False
    if not rule.targets:
        return from_status == to_status
    return Status(to_status) in rule.targets


def _check_audit_trail(conn: Connection) -> tuple[str, str, bool]:
    """Each order's audit rows chain from creation to its status by moves of the table.

    The first row is the creation (nothing -> draft), each row starts where the previous one
    ended, every move is one the table allows, and the last row ends in the order's status:
    a status without its audit row, or an audit row without its change, shows up here.
    Not part of `check`: `order-tui seed` writes orders without audit rows.
    """
    statuses = {
        int(oid): (str(no), str(status))
        for oid, no, status in conn.execute(text("SELECT id, order_no, status FROM sales_order"))
    }
    last: dict[int, str] = {}
    problems: list[str] = []
    rows = conn.execute(
        text(
            "SELECT entity_id, action, from_status, to_status FROM audit_event "
            "WHERE entity = 'order' AND to_status <> '' ORDER BY entity_id, id"
        )
    )
    for oid, action, from_status, to_status in rows:
        no = statuses.get(int(oid), (f"id {oid}", ""))[0]
        if int(oid) not in last:
            if action != "create" or from_status or to_status != Status.DRAFT.value:
                problems.append(f"{no}: first row {action} {from_status}->{to_status}")
        elif from_status != last[int(oid)]:
            problems.append(f"{no}: {action} from {from_status}, was {last[int(oid)]}")
        elif not _step_allowed(str(action), str(from_status), str(to_status)):
            problems.append(f"{no}: {action} {from_status}->{to_status} not in the table")
        last[int(oid)] = str(to_status)
    for oid, (no, status) in statuses.items():
        if last.get(oid) != status:
            problems.append(f"{no}: status {status}, audit ends at {last.get(oid)}")
    if not problems:
        return ("audit trail", f"{len(statuses)} orders, every status by audited moves", True)
    return ("audit trail", f"{len(problems)} problems: {_shown(problems)}", False)


def check_audit_trail(db: Database) -> tuple[str, str, bool]:
    with db.read_engine.connect() as conn:
        return _check_audit_trail(conn)


def _check_order_numbers(conn: Connection) -> tuple[str, str, bool]:
    """Per day, serials must be exactly 1..order_counter.last: unique and without gaps."""
    serials: dict[str, list[int]] = defaultdict(list)
    for day, serial in conn.execute(text("SELECT order_day, serial FROM sales_order")):
        serials[str(day)].append(int(serial))
    counters = {
        str(day): int(last)
        for day, last in conn.execute(text("SELECT day, last FROM order_counter"))
    }
    problems: list[str] = []
    for day in sorted(set(serials) | set(counters)):
        found = serials.get(day, [])
        last = counters.get(day)
        duplicates = sorted(serial for serial, n in Counter(found).items() if n > 1)
        if duplicates:
            problems.append(f"{day}: serial {_shown(duplicates)} used twice")
        if last is None:
            problems.append(f"{day}: orders but no counter")
            continue
        expected = set(range(1, last + 1))
        missing = sorted(expected - set(found))
        extra = sorted(set(found) - expected)
        if missing:
            problems.append(f"{day}: serial {_shown(missing)} missing (counter at {last})")
        if extra:
            problems.append(f"{day}: serial {_shown(extra)} beyond the counter ({last})")
    if not problems:
        return ("order numbers", f"{len(serials)} days, gap-free and unique", True)
    return ("order numbers", "; ".join(problems[:SHOWN]), False)


def _check_audit_chain(conn: Connection) -> tuple[str, str, bool]:
    """Recompute the audit log's hash chain in id order and name the first row that breaks it."""

    table = cast(Any, AuditEvent).__table__
    fields = [table.c[name] for name in audit_chain.FIELDS]
    previous, after, count = audit_chain.GENESIS, 0, 0
    while True:
        rows = conn.execute(
            select(table.c.id, table.c.chain, *fields)
            .where(table.c.id > after)
            .order_by(table.c.id)
            .limit(5000)
        ).all()
        if not rows:
            break
        broken, previous = audit_chain.first_break(
            ((row[0], row[1], list(row[2:])) for row in rows), previous
        )
        if broken is not None:
            return (
                "audit chain",
                f"broken at entry {broken}: it or an entry before it was edited, removed or "
                "inserted since it was written",
                False,
            )
        count += len(rows)
        after = rows[-1][0]
    return ("audit chain", f"{count} entries, every link holds", True)


def check(db: Database, *, full: bool = False) -> CheckReport:
    """Check the schema revision, the file's integrity and the business invariants.

    `full` runs integrity_check instead of the faster quick_check (after a restore, say).
    Never raises for a problem in the data: every finding becomes a failed line.
    """
    lines: list[tuple[str, str, bool]] = []
    head = head_revision()
    try:
        current = current_revision(db)
    except SQLAlchemyError as exc:
        current = None
        lines.append(("schema", f"cannot read the revision: {exc}", False))
    else:
        if current == head:
            lines.append(("schema", f"revision {current} (current)", True))
        elif current is None:
            lines.append(("schema", f"not created (this program knows up to {head})", False))
        else:
            lines.append(("schema", f"revision {current}, this program expects {head}", False))

    # One connection, one read transaction: every check below sees the same snapshot (on
    # PostgreSQL that takes REPEATABLE READ; READ COMMITTED re-reads per statement).
    engine = db.read_engine
    if not db.is_sqlite:
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with engine.connect() as conn:
        checks: list[tuple[str, Callable[[], tuple[str, str, bool]]]] = []
        if db.is_sqlite:
            pragma = "integrity_check" if full else "quick_check"
            checks.append((pragma, lambda: _check_sqlite_integrity(conn, full)))
            checks.append(("foreign keys", lambda: _check_foreign_keys(conn)))
        else:
            lines.append(("integrity", "pages and foreign keys guarded by the server", True))
            if current is not None:  # pg_trgm comes with the schema (migration 0007)
                checks.append(("search index", lambda: _check_trigram_ctype(conn)))
        if current is not None:  # without a schema there are no tables to look at
            checks.append(("order status", lambda: _check_statuses(conn)))
            checks.append(("stock", lambda: _check_stock(conn)))
            checks.append(("order numbers", lambda: _check_order_numbers(conn)))
            checks.append(("audit chain", lambda: _check_audit_chain(conn)))
        for name, run in checks:
            try:
                lines.append(run())
            except SQLAlchemyError as exc:
                # A damaged file or an old schema: report it and go on with the other checks.
                conn.rollback()
                reason = getattr(exc, "orig", None) or exc
                lines.append((name, f"could not check: {reason}", False))
    return CheckReport(ok=all(passed for _name, _detail, passed in lines), lines=lines)
