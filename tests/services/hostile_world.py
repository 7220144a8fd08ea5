"""What the hostile-input service tests share: the demo world (an order in every status),
a fresh copy of it per example, a fingerprint of the whole database, and the one check every
call must pass: success, or a coded domain error that wrote nothing."""

import hashlib
import itertools
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text

from order_tui.domain import messages
from order_tui.domain.errors import DomainError, PermissionDenied
from order_tui.domain.lifecycle import Status
from order_tui.services import attachments, execution, operators, orders, review
from order_tui.services.common import Actor
from order_tui.services.demo import SCENARIOS, DemoCast, build_demo, drive_to, new_order
from order_tui.store.engine import Database, open_database
from order_tui.store.migrate import ensure_schema
from tests.reader import READER

T = TypeVar("T")

CAST = ["wang", "zhao", "zhang", "chen", "liu", "sun", "zhou", "wu", "admin"]


@dataclass
class World:
    """The demo database as a template file, and its order numbers by status."""

    template: Path
    scratch: Path
    by_status: dict[str, list[str]]
    extras: dict[str, str] = field(default_factory=dict)
    _counter: Iterator[int] = field(default_factory=itertools.count)

    @contextmanager
    def fresh(self) -> Iterator[Database]:
        """A private copy of the template for one example (copying costs about a millisecond;
        opening the engine a few more)."""
        folder = Path(tempfile.mkdtemp(dir=self.scratch, prefix=f"ex{next(self._counter)}-"))
        shutil.copy(self.template, folder / "orders.db")
        db = open_database(f"sqlite:///{folder}/orders.db", folder)
        try:
            yield db
        finally:
            db.dispose()
            shutil.rmtree(folder, ignore_errors=True)

    def order(self, status: str, index: int = 0) -> str:
        return self.by_status[status][index]


def build_world(folder: Path) -> World:
    db = open_database(f"sqlite:///{folder}/orders.db", folder)
    ensure_schema(db)
    made = build_demo(db)
    by_status: dict[str, list[str]] = {}
    for order_no, (_c, _l, status) in zip(made, SCENARIOS, strict=True):
        by_status.setdefault(status.value, []).append(order_no)
    # Ready for the execution tests: the made-to-order order approved ("mto"), and the order
    # in picking off its hold.
    mto = by_status["in_review"].pop(1)
    for name in ("zhang", "chen", "liu", "sun"):
        review.approve(db, actor(db, name), mto)
    by_status["mto"] = [mto]
    execution.release_hold(db, actor(db, "zhao"), by_status["picking"][0], "replacement", "换货")
    cast = DemoCast({name: actor(db, name) for name in CAST})
    made_to_order = new_order(db, cast, "C0002", [("P0001", "1"), ("P0006", "1")])
    drive_to(db, cast, made_to_order, Status.APPROVED, folder)
    execution.plan_production(db, cast["sun"], made_to_order)
    by_status["in_production"] = [made_to_order]
    purchase_order = folder / "po.pdf"
    purchase_order.write_bytes(b"%PDF-1.4 purchase order")
    sha = attachments.attach(
        db, cast["zhao"], by_status["draft"][0], purchase_order, "communication"
    )
    db.dispose()
    scratch = folder / "scratch"
    scratch.mkdir()
    return World(folder / "orders.db", scratch, by_status, {"draft_attachment": sha})


def actor(db: Database, name: str) -> Actor:
    return operators.find_actor(db, name)


def fingerprint(db: Database) -> str:
    """A hash of every row of every table: equal means nothing was written."""
    digest = hashlib.sha256()
    with db.read_engine.connect() as conn:
        names = sorted(sa_inspect(conn).get_table_names())
        for name in names:
            digest.update(name.encode())
            for row in conn.execute(text(f'SELECT * FROM "{name}" ORDER BY 1')):
                digest.update(repr(tuple(row)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def check_coded(exc: DomainError) -> None:
    """The error carries a catalog code whose text renders in both languages."""
    assert exc.code, f"{type(exc).__name__} without a code: {exc}"
    assert exc.code in messages.MESSAGES, f"code {exc.code!r} is not in the catalog"
    for lang in ("zh", "en"):
        line = messages.localized(exc, lang)
        assert line.strip(), f"{exc.code}: empty {lang} text"


def attempt(db: Database, call: Callable[[], T]) -> T | None:
    """Run `call`: it succeeds (its result returned) or raises a coded domain error that left
    the database exactly as it was (None returned). Anything else fails the test."""
    before = fingerprint(db)
    try:
        return call()
    except DomainError as exc:
        check_coded(exc)
        assert not isinstance(exc, PermissionDenied), f"authorization refused: {exc}"
        after = fingerprint(db)
        assert after == before, f"refused with {exc.code} but the database changed"
        return None


def order_version(db: Database, order_no: str) -> int:
    return orders.get_order(db, READER, order_no).version


def field_of(exc: Any) -> str | None:
    return getattr(exc, "field", None)
