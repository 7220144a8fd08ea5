"""Use cases: one transaction each (authorize -> validate -> change -> audit).

`Database` is re-exported so the UI can name the handle it passes around without importing
the store.
"""

from order_tui.store.engine import Database

__all__ = ["Database"]
