"""Bring the database schema to this build's head at start-up, safely from several processes.

Every session of the program calls `ensure_schema` when it starts. The common case (already at
head) is one read on the normal read engine and takes no lock. Otherwise the upgrade runs on a
separate engine in ONE write transaction: BEGIN IMMEDIATE on SQLite, so of several sessions
starting together one migrates and the others wait and then find the schema current; on
PostgreSQL a transaction-scoped advisory lock does the same. A failure anywhere rolls the whole
upgrade back and leaves the old schema (notes/data-layer.md section 4).
"""

import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, inspect, text

from order_tui.store.engine import Database, make_engines
from order_tui.store.migrations import SCRIPT_LOCATION

# Sessions that start while another one migrates wait for it; a migration that copies large
# tables can take a while, so this is far longer than the interactive busy timeout.
MIGRATION_BUSY_MS = 60_000

# pg_advisory_xact_lock key, the ASCII bytes of "ordertui": a constant no other app picks by chance.
PG_MIGRATION_LOCK_KEY = 0x6F72646572747569


class SchemaTooNew(Exception):
    """The database was migrated by a newer build; running on it could corrupt its data."""

    def __init__(self, revision: str, head: str) -> None:
        super().__init__(
            f"database schema {revision} is newer than this program (knows up to {head}); "
            "please update order-tui"
        )
        self.revision = revision
        self.head = head


class MigrationError(Exception):
    """The upgrade could not be applied; the database was left as it was."""


def alembic_config() -> Config:
    """An Alembic config for this package's migrations, built in code (there is no alembic.ini)."""
    cfg = Config()
    # Config values go through ConfigParser interpolation: a '%' in the install path would break.
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION).replace("%", "%%"))
    return cfg


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def _head(script: ScriptDirectory) -> str:
    head = script.get_current_head()  # raises if the history ever forks into several heads
    if head is None:
        raise RuntimeError("order-tui ships no migrations")  # a packaging error, not user data
    return head


def head_revision() -> str:
    """The newest schema revision this build knows."""
    return _head(_script())


def _revision_on(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _current(read_engine: Engine) -> str | None:
    with read_engine.connect() as conn:
        return _revision_on(conn)


def current_revision(db: Database) -> str | None:
    """The database's schema revision, None for a database never migrated (e.g. a new file)."""
    return _current(db.read_engine)


def _refuse_unknown(script: ScriptDirectory, revision: str | None, head: str) -> None:
    if revision is None:
        return
    try:
        script.get_revision(revision)
    except CommandError:
        raise SchemaTooNew(revision, head) from None


def _refuse_unversioned(conn: Connection) -> None:
    """A file with tables but no revision is not ours (or predates migrations): don't touch it."""
    tables = [name for name in inspect(conn).get_table_names() if name != "alembic_version"]
    if tables:
        shown = ", ".join(sorted(tables)[:5])
        raise MigrationError(
            f"the database already has tables ({shown}) but no order-tui schema revision; "
            "is this the right database?"
        )


def _check_foreign_keys(conn: Connection) -> None:
    # The migration connection runs with foreign keys off (batch mode would otherwise cascade
    # deletes through the table copies), so the references are checked once at the end.
    rows = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    if rows:
        table, rowid, parent, _fk = rows[0]
        raise MigrationError(
            f"the upgrade would leave {len(rows)} broken reference(s), e.g. {table} row {rowid} "
            f"-> {parent}; nothing was changed"
        )


def _upgrade(url: str, script: ScriptDirectory, target: str) -> tuple[str | None, str | None]:
    """Upgrade to `target` under the migration lock; (revision before, revision after)."""
    head = _head(script)
    _read, write = make_engines(url, foreign_keys=False, busy_ms=MIGRATION_BUSY_MS)
    try:
        with write.begin() as conn:
            is_sqlite = conn.dialect.name == "sqlite"
            if conn.dialect.name == "postgresql":
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK_KEY}
                )
            # Re-read under the lock: another session may have migrated while we waited. (On
            # PostgreSQL this relies on READ COMMITTED, where each statement sees new commits.)
            before = _revision_on(conn)
            if before == target:
                return before, before
            _refuse_unknown(script, before, head)
            if before is None:
                _refuse_unversioned(conn)
            cfg = alembic_config()
            # The connection is already in our transaction, so Alembic's begin_transaction()
            # does nothing and every revision commits or rolls back with it.
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, target)
            if is_sqlite:
                _check_foreign_keys(conn)
            after = _revision_on(conn)
        return before, after
    finally:
        write.dispose()


def ensure_schema(db: Database) -> str:
    """Migrate to head if needed: "up-to-date", "created" or "migrated <from> -> <to>".

    Raises SchemaTooNew when a newer build already migrated the database, and MigrationError
    when the upgrade could not be applied (the schema is then unchanged).
    """
    return _ensure(db.url)


def _ensure(url: str) -> str:
    script = _script()
    head = _head(script)
    # Probe with the migrator's long busy timeout: a program starting while another one
    # migrates (or holds the new file locked) must wait for it, not fail after 5 s.
    probe, _write = make_engines(url, busy_ms=MIGRATION_BUSY_MS)
    try:
        current = _current(probe)
    finally:
        probe.dispose()
    if current == head:
        return "up-to-date"
    _refuse_unknown(script, current, head)
    before, after = _upgrade(url, script, head)
    if before == after:
        return "up-to-date"  # another session migrated while we waited for the lock
    if before is None:
        return "created"
    return f"migrated {before} -> {after}"


def ensure_schema_at(url: str) -> str:
    """`ensure_schema` for a bare URL: for the command line and for separate processes."""
    return _ensure(url)


def upgrade_to(db: Database, revision: str) -> str | None:
    """Upgrade to a given revision, not beyond (tests build old databases with it)."""
    script = _script()
    script.get_revision(revision)  # an unknown target is a caller's mistake: fail loudly
    _before, after = _upgrade(db.url, script, revision)
    return after


def autogenerate_revision(message: str, rev_id: str) -> Path:
    """Write a new revision for model changes (a developer tool; read and tidy the result).

    Compares the models with a scratch SQLite database built at head, so no real database is
    touched. The revision is written into this package's versions/ directory.
    """
    script = _script()
    head = script.get_current_head()  # None only while writing the very first revision
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'autogenerate.db'}"
        if head is not None:
            _upgrade(url, script, head)
        _read, write = make_engines(url)
        try:
            with write.begin() as conn:
                cfg = alembic_config()
                cfg.attributes["connection"] = conn
                result = command.revision(cfg, message, autogenerate=True, rev_id=rev_id)
        finally:
            write.dispose()
    scripts = result if isinstance(result, list) else [result]
    if not scripts or scripts[0] is None:
        raise RuntimeError("Alembic wrote no revision")
    return Path(scripts[0].path)
