"""The Alembic environment of the order store, driven from code (there is no alembic.ini).

`order_tui.store.migrate` builds the Alembic config and passes the connection in; this package
only holds env.py, the revision template and the revisions themselves.
"""

from pathlib import Path

# A real directory, not an importlib Traversable: Alembic globs and execs files by path. Wheels
# are installed unpacked, so this holds for an installed package too (not for a zipapp).
SCRIPT_LOCATION = Path(__file__).resolve().parent
