"""After rows went in with explicit ids (bulk seed, migrate-db), PostgreSQL's serial sequences
still stand where they were and the next ordinary insert would collide; move them past the
highest id. SQLite takes max(rowid) + 1 by itself."""

from sqlalchemy import Connection, Table, text


def continue_sequences(conn: Connection, tables: list[Table]) -> None:
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
        )
