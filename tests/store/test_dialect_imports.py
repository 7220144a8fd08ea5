"""A process loads the database modules of the backend it runs on, not the other's (issue 7's
memory goal: sqlite3 and SQLAlchemy's SQLite dialect cost a PostgreSQL process 1.7 MB, the
PostgreSQL dialect a SQLite one 2.2 MB). Checked in a fresh interpreter that opens the
database, numbers an order (the dialect's own upsert) and reads."""

import json
import subprocess
import sys
from pathlib import Path

from tests import pg

_CODE = """
import json, sys
from datetime import date
from pathlib import Path
import order_tui.app, order_tui.cli
from order_tui.store import repo
from order_tui.store.engine import open_database
db = open_database(sys.argv[1], Path(sys.argv[2]))
with db.writing() as session:
    repo.next_serial(session, date(2026, 11, 27))
    session.rollback()
with db.reading() as session:
    repo.current_round(session, 1)
db.dispose()
watch = ["sqlite3", "sqlalchemy.dialects.sqlite", "psycopg", "sqlalchemy.dialects.postgresql"]
print(json.dumps([m for m in watch if m in sys.modules]))
"""


def _loaded(url: str, folder: Path) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _CODE, url, str(folder)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_a_process_loads_only_its_own_backends_modules(empty_db, tmp_path: Path) -> None:
    loaded = _loaded(empty_db.url, tmp_path)
    if pg.on_postgres():
        assert loaded == ["psycopg", "sqlalchemy.dialects.postgresql"]
    else:
        assert loaded == ["sqlite3", "sqlalchemy.dialects.sqlite"]
