"""Alembic environment: runs on the connection `order_tui.store.migrate` hands over.

The caller owns the transaction (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL), so
`context.begin_transaction()` below is a no-op and the whole upgrade commits or rolls back as one.
"""

from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import order_tui.store.models  # noqa: F401 - registers every table on SQLModel.metadata
from order_tui.store.archive_queries import include_name
from order_tui.store.types import ScaledDecimal

target_metadata = SQLModel.metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Render ScaledDecimal with its scale.

    TypeDecorator's repr inspects the impl (BigInteger) and would drop `places`, so a generated
    revision would call ScaledDecimal() and fail on import. script.py.mako imports the module.
    """
    if type_ == "type" and isinstance(obj, ScaledDecimal):
        return f"order_tui.store.types.ScaledDecimal({obj.places})"
    return False


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError(
            "order-tui migrations run through order_tui.store.migrate, which passes a connection"
        )
    is_sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=is_sqlite,
        compare_type=True,
        render_item=render_item,
        # The archive search's FTS5 index lives in tables no model describes (migration 0007).
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported; run order-tui instead")
run_migrations_online()
