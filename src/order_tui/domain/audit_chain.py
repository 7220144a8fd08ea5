"""The audit log as a hash chain: each entry's link is the SHA-256 of the previous link and
the entry's own fields, so an edited, removed or inserted row breaks every link after it.

Triggers already refuse UPDATE and DELETE on the log; the chain is what shows it was not
touched behind their back (triggers dropped with the sqlite3 shell, a restored file). It
needs no secret: whoever rewrites the log must recompute every later link, and `order-tui
check` compared with a backup, or a link written down at a monthly review, shows that too.
"""

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

# The link before the first entry.
GENESIS = "0" * 64

# The fields an entry is chained over, in this order.
FIELDS: tuple[str, ...] = (
    "at",
    "operator_id",
    "operator_name",
    "entity",
    "entity_id",
    "order_no",
    "action",
    "from_status",
    "to_status",
    "changes",
)


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        # Stored timestamps come back naive or aware depending on the driver; both mean UTC.
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def link(previous: str, values: Sequence[object]) -> str:
    """The link of an entry whose FIELDS hold `values`, after the entry linked `previous`."""
    if len(values) != len(FIELDS):
        raise ValueError(f"an audit entry has {len(FIELDS)} chained fields, got {len(values)}")
    body = json.dumps([_plain(v) for v in values], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{previous}\n{body}".encode()).hexdigest()


def first_break(
    rows: Iterable[tuple[int, str, Sequence[object]]], previous: str = GENESIS
) -> tuple[int | None, str]:
    """Walk rows (id, stored link, values) in id order from the link `previous`.

    Returns the id of the first row whose link does not follow (None if all do) and the last
    good link, so a long log can be walked in batches.
    """
    for row_id, stored, values in rows:
        if stored != link(previous, values):
            return row_id, previous
        previous = stored
    return None, previous
