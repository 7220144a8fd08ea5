"""Concurrency soak: operators and a bulk import share one database, then everything is checked.

Four operator processes with mixed roles take random actions that the lifecycle table allows
for an order's status and their roles, through the services; one importer process creates
draft orders through the services in batches. Each process logs every action (ok, refused by
a domain rule, or failed with any other exception) with its time and its wait for the write
lock. Afterwards the script checks the database against the logs:

- no "database is locked" (or any other exception) escaped a service;
- every successful action left exactly its audit rows, inside its own time window, and no
  refused or failed one left any;
- `order-tui check` passes (integrity, foreign keys, statuses, gap-free unique numbers);
- locked stock equals what open picks hold; every order's audit trail runs from creation to
  its status by moves of the table.

    python -m benchmarks.soak --seconds 60            # the full run (README, "Measured")
    python -m benchmarks.soak --seconds 60 --no-writer-queue   # the same without the queue
    python -m benchmarks.soak --seconds 60 --db postgresql+psycopg://...   # an EMPTY database

On PostgreSQL there is no writer queue and no write lock to wait for at BEGIN: writers wait
on row locks inside their statements, so the "wait" figures there are the whole write
transaction (a bound on the lock waits), and a lock timeout, serialization failure or
deadlock (the coded store.busy refusal) counts as an escaped "database is locked".
"""

import argparse
import json
import multiprocessing as mp
import os
import random
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from benchmarks.common import table
from order_tui.domain.errors import DomainError
from order_tui.domain.lifecycle import Action, Status, allowed_actions
from order_tui.domain.roles import DEPARTMENT_ROLE, Role
from order_tui.store.engine import Database, display_url, open_database

# username -> roles: every step of the flow is someone's, and each operator holds two roles.
OPERATORS = {
    "soak_entry": "sales_clerk;sales_rep",
    "soak_review": "sales_manager;finance",
    "soak_floor": "warehouse;production",
    "soak_ship": "logistics;archivist",
}
IMPORTER = "soak_import"
PIN = "1234"
PRODUCTS = ("P0001", "P0003", "P0004", "P0005", "P0006", "P0008", "P0009")
CUSTOMERS = ("C0001", "C0002", "C0003", "C0004", "C0005", "C0006", "C0007", "C0008")
ARCHIVE_KINDS = ("purchase_confirmation", "invoice_copy", "communication")
# How often each action is chosen when it is allowed: the flow forward mostly, side paths
# (reject, edit, hold, cancel) often enough that every one of them runs in a short soak.
WEIGHTS: dict[Action, int] = {
    Action.SUBMIT: 10,
    Action.RESUBMIT: 10,
    Action.APPROVE: 12,
    Action.REJECT: 2,
    Action.EDIT: 2,
    Action.ATTACH: 2,
    Action.PLAN_PRODUCTION: 10,
    Action.COMPLETE_OPERATION: 10,
    Action.START_PICKING: 10,
    Action.PICK: 10,
    Action.PACK: 10,
    Action.SHIP: 10,
    Action.SIGN_OFF: 10,
    Action.RECORD_FEEDBACK: 10,
    Action.COMPLETE: 10,
    Action.ARCHIVE: 10,
    Action.CANCEL: 1,
    Action.HOLD: 1,
    Action.RELEASE_HOLD: 8,
}
SIDE_ACTIONS = frozenset({Action.HOLD, Action.ATTACH, Action.CANCEL, Action.RELEASE_HOLD})
OPEN_STATUSES = [s.value for s in Status if s not in (Status.ARCHIVED, Status.CANCELLED)]


# -- timing of the write lock ------------------------------------------------------------------


class LockWaits:
    """The time each write transaction waited for its lock (BEGIN IMMEDIATE and any queue).

    From entering `Database.writing()` (the session begins on its first statement, so that
    is the moment the service wants to write) to the end of the engine's begin hook; per
    thread, so a service's waits add up to the action's wait. On PostgreSQL (row locks are
    waited for inside statements): the whole write transaction, up to its commit.
    """

    def __init__(self, db: Database) -> None:
        self._local = threading.local()
        writing = db.writing
        whole_transaction = not db.is_sqlite

        @contextmanager
        def timed_writing() -> Iterator[Any]:
            self._local.start = time.perf_counter()
            self._local.pending = not whole_transaction
            try:
                with writing() as session:
                    yield session
            finally:
                if whole_transaction:
                    waited = time.perf_counter() - self._local.start
                    self._local.total = getattr(self._local, "total", 0.0) + waited

        db.writing = timed_writing  # type: ignore[method-assign]
        # Registered after the engine's own begin hook, so it runs once the lock is taken.
        event.listen(db.read_engine, "begin", self._after)

    def _after(self, conn: Any) -> None:
        if conn.get_execution_options().get("sqlite_begin") != "IMMEDIATE":
            return
        if not getattr(self._local, "pending", False):
            return  # a write outside Database.writing() (none in the services)
        self._local.pending = False
        waited = time.perf_counter() - self._local.start
        self._local.total = getattr(self._local, "total", 0.0) + waited

    @contextmanager
    def measure(self) -> Iterator[list[float]]:
        self._local.total = 0.0
        self._local.pending = False
        out: list[float] = []
        try:
            yield out
        finally:
            if self._local.pending:  # the BEGIN itself failed: it waited until it gave up
                self._local.total += time.perf_counter() - self._local.start
                self._local.pending = False
            out.append(self._local.total)


# -- one process's log -------------------------------------------------------------------------


@dataclass
class Entry:
    op: str
    action: str
    order_no: str
    outcome: str  # ok, refused, failed
    t0: float
    t1: float
    wait: float
    error: str = ""
    # Audit rows the action must have left: (order_no, action); a sign-off with its receipt
    # also records the attachment, a refused change to an archived order records the refusal.
    audit: list[tuple[str, str]] = field(default_factory=list)


def _write_log(path: Path, entries: list[Entry]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for e in entries:
            fh.write(json.dumps(e.__dict__, ensure_ascii=False) + "\n")


def read_logs(folder: Path) -> list[Entry]:
    entries = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            raw = json.loads(line)
            raw["audit"] = [tuple(a) for a in raw["audit"]]
            entries.append(Entry(**raw))
    return entries


# -- setup -------------------------------------------------------------------------------------


def prepare(path: Path, url: str | None = None) -> None:
    """A migrated database with the demo master data, the soak's operators and deep stock:
    the SQLite file `path`, or the EMPTY database at `url` (data files beside `path`)."""
    from order_tui.services import masterdata, operators
    from order_tui.services.demo import load_master_data
    from order_tui.store.migrate import current_revision, ensure_schema

    db = open_database(url or f"sqlite:///{path}", path.parent)
    if current_revision(db) is not None:
        db.dispose()
        raise SystemExit(f"soak: {display_url(db.url)} is not empty; give it a new database")
    ensure_schema(db)
    cast = load_master_data(db)
    admin = cast["admin"]
    for username, roles in {**OPERATORS, IMPORTER: "sales_clerk"}.items():
        operators.add_operator(db, admin, username, username, roles, PIN)
    for code in PRODUCTS:
        masterdata.receive_stock(db, cast["liu"], code, Decimal(100000), note="soak")
    db.dispose()


def _actor(db: Database, username: str) -> Any:
    from order_tui.services.common import Actor
    from order_tui.store import repo

    with db.reading() as session:
        op = repo.operator_by_username(session, username)
        assert op is not None and op.id is not None
        roles = frozenset(Role(r) for r in op.roles.split(";") if r)
        return Actor(op.id, op.username, op.display_name, roles)


def _order_input(rng: random.Random, wanted: Any) -> Any:
    from order_tui.services.orders import LineInput, OrderInput

    lines = [
        LineInput(code, Decimal(rng.randint(1, 5)))
        for code in rng.sample(PRODUCTS, rng.randint(1, 3))
    ]
    return OrderInput(customer_code=rng.choice(CUSTOMERS), lines=lines, wanted_date=wanted)


# -- the operators -----------------------------------------------------------------------------


def _pick_order(db: Database, rng: random.Random, roles: frozenset[Role]) -> tuple[str, str, bool]:
    """A recent order in a status where these roles have work, or ('', '', False)."""
    # Statuses where these roles move orders on; side actions (hold, cancel...) happen there
    # too, but a manager who can only cancel approved orders should not go looking for them.
    statuses = [
        s
        for s in OPEN_STATUSES
        if any(a not in SIDE_ACTIONS for a in allowed_actions(Status(s), roles))
    ]
    rng.shuffle(statuses)
    with db.reading() as session:
        if rng.random() < 0.2 and any(
            Action.RELEASE_HOLD in allowed_actions(Status.DRAFT, {role}) for role in roles
        ):  # the clerk's worklist shows held orders first: some get released
            rows = session.execute(
                text(
                    "SELECT order_no, status FROM sales_order WHERE on_hold "
                    "ORDER BY id DESC LIMIT 20"
                )
            ).all()
            if rows:
                no, status = rng.choice(rows)
                if status in OPEN_STATUSES:
                    return str(no), str(status), True
        for status in statuses:
            rows = session.execute(
                text(
                    "SELECT order_no, on_hold FROM sales_order WHERE status = :s "
                    "ORDER BY order_day DESC, serial DESC LIMIT 20"
                ),
                {"s": status},
            ).all()
            if rows:
                no, on_hold = rng.choice(rows)
                return str(no), status, bool(on_hold)
    return "", "", False


def _choose(rng: random.Random, status: str, on_hold: bool, roles: frozenset[Role]) -> Action:
    choices = allowed_actions(Status(status), roles)
    weights = []
    for action in choices:
        w = WEIGHTS.get(action, 1)
        if action == Action.RELEASE_HOLD and not on_hold:
            w = 0
        if on_hold and action == Action.RELEASE_HOLD:
            w = 40
        if action == Action.ATTACH and status == Status.DELIVERED:
            w = 15  # the archive checklist wants three documents before completion
        weights.append(w)
    if not any(weights):
        return rng.choice(choices)
    return rng.choices(choices, weights)[0]


def _department(rng: random.Random, roles: frozenset[Role]) -> str:
    return rng.choice([d.value for d, r in DEPARTMENT_ROLE.items() if r in roles])


def _do(
    db: Database, actor: Any, rng: random.Random, order_no: str, action: Action, files: Path
) -> list[tuple[str, str]]:
    """Run one action through the services; returns the audit rows it must have left."""
    from order_tui.services import actions, orders

    rows = [(order_no, action.value)]
    params: dict[str, Any] = {}
    if action in (Action.APPROVE, Action.REJECT):
        params["department"] = _department(rng, actor.roles)
        params["reason"] = "price"
        params["comment"] = "价格需复核" if action == Action.REJECT else "同意"
    elif action == Action.EDIT:
        data, version = orders.order_input_of(db, actor, order_no)
        data.lines[0].qty += 1
        params.update(order_input=data, expected_version=version)
    elif action == Action.ATTACH:
        kind = rng.choice(ARCHIVE_KINDS)
        params.update(path=files / f"{kind}.txt", kind=kind)
    elif action == Action.SHIP:
        params.update(carrier="顺丰速运", mode="parcel", tracking=f"SF{rng.randint(10**9, 10**10)}")
    elif action == Action.SIGN_OFF:
        if rng.random() < 0.1:  # a discrepancy: the order stays shipped and goes on hold
            params.update(signer="李经理", qty_ok=False, receipt=files / "receipt.txt")
            params["comment"] = "外包装破损"
            rows = [(order_no, "attach"), (order_no, "sign_off"), (order_no, "hold")]
        else:
            params.update(signer="李经理", receipt=files / "receipt.txt")
            rows = [(order_no, "attach"), (order_no, "sign_off")]
    elif action == Action.RECORD_FEEDBACK:
        params.update(reached=True, satisfaction=rng.randint(3, 5), comment="满意")
    elif action == Action.CANCEL:
        params.update(reason="customer", comment="客户取消")
    elif action == Action.HOLD:
        params.update(reason="delay", comment="供应商延迟")
    elif action == Action.RELEASE_HOLD:
        params.update(reason="new_date", comment="已与客户确认新交期")
    actions.act(db, actor, order_no, action, **params)
    return rows


def make_files(folder: Path) -> Path:
    """The documents operators attach: a signed receipt and the archive checklist's three."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("receipt", *ARCHIVE_KINDS):
        (folder / f"{name}.txt").write_text(f"{name} 扫描件", encoding="utf-8")
    return folder


def act_once(
    db: Database, actor: Any, rng: random.Random, files: Path, waits: "LockWaits"
) -> Entry | None:
    """One random allowed action (or a new order) by `actor`; None when nothing waits."""
    from order_tui.domain.errors import ReadOnly
    from order_tui.services import orders
    from order_tui.services.common import today

    creating = Role.SALES_CLERK in actor.roles and rng.random() < 0.15
    order_no, status, on_hold = ("", "", False) if creating else _pick_order(db, rng, actor.roles)
    if not creating and not order_no:
        return None
    action = Action.EDIT if creating else _choose(rng, status, on_hold, actor.roles)
    name = "create" if creating else action.value
    t0 = time.time()
    rows: list[tuple[str, str]] = []
    outcome, error = "ok", ""
    with waits.measure() as waited:
        try:
            if creating:
                wanted = today(db) + timedelta(days=30)
                order_no = orders.create_order(db, actor, _order_input(rng, wanted)).order_no
                rows = [(order_no, "create")]
            else:
                rows = _do(db, actor, rng, order_no, action, files)
        except ReadOnly as exc:  # archived meanwhile: the refusal itself is audited
            outcome, error, rows = "refused", exc.code or "", [(order_no, f"refused:{name}")]
        except DomainError as exc:
            outcome, error, rows = "refused", exc.code or str(exc), []
        except Exception as exc:  # the soak counts whatever escapes
            outcome, error, rows = "failed", f"{type(exc).__name__}: {exc}", []
    return Entry(actor.username, name, order_no, outcome, t0, time.time(), waited[0], error, rows)


def operator_main(
    url: str, data_dir: str, username: str, seconds: float, seed: int, logs: str
) -> None:
    db = open_database(url, Path(data_dir))
    waits = LockWaits(db)
    actor = _actor(db, username)
    rng = random.Random(seed)
    files = make_files(Path(logs) / f"files-{username}")
    entries: list[Entry] = []
    deadline = time.time() + seconds
    while time.time() < deadline:
        entry = act_once(db, actor, rng, files, waits)
        if entry is None:
            time.sleep(0.01)
        else:
            entries.append(entry)
    _write_log(Path(logs) / f"{username}.jsonl", entries)
    db.dispose()


def import_batch(db: Database, actor: Any, rng: random.Random, batch: int) -> list[str]:
    """`batch` new orders in one transaction, as an import makes them."""
    from order_tui.services.common import today
    from order_tui.services.orders import create_in_session

    wanted = today(db) + timedelta(days=30)
    with db.writing() as session:
        return [
            create_in_session(session, db, actor, _order_input(rng, wanted)).order_no
            for _ in range(batch)
        ]


# -- the importer ------------------------------------------------------------------------------


def importer_main(
    url: str, data_dir: str, seconds: float, seed: int, logs: str, batch: int, pause: float
) -> None:
    """A bulk import: `batch` orders per transaction through the services, then a pause."""
    db = open_database(url, Path(data_dir))
    waits = LockWaits(db)
    actor = _actor(db, IMPORTER)
    rng = random.Random(seed)
    entries: list[Entry] = []
    deadline = time.time() + seconds
    while time.time() < deadline:
        t0 = time.time()
        made: list[str] = []
        outcome, error = "ok", ""
        with waits.measure() as waited:
            try:
                made = import_batch(db, actor, rng, batch)
            except DomainError as exc:
                outcome, error, made = "refused", exc.code or str(exc), []
            except Exception as exc:
                outcome, error, made = "failed", f"{type(exc).__name__}: {exc}", []
        entries.append(
            Entry(
                IMPORTER,
                "import",
                "",
                outcome,
                t0,
                time.time(),
                waited[0],
                error,
                [(no, "create") for no in made],
            )
        )
        time.sleep(pause)
    _write_log(Path(logs) / f"{IMPORTER}.jsonl", entries)
    db.dispose()


# -- the checks --------------------------------------------------------------------------------


def _utc(value: Any) -> float:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def check_audit(db: Database, entries: list[Entry], since_id: int) -> tuple[str, str, bool]:
    """Each successful action's audit rows exist once, by its operator, inside its window;
    no other rows were written."""
    expected: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    for e in entries:
        for order_no, action in e.audit:
            expected[(order_no, action, e.op)].append((e.t0, e.t1))
    found: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    with db.read_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT order_no, action, operator_name, at FROM audit_event "
                "WHERE id > :since AND entity = 'order'"
            ),
            {"since": since_id},
        ).all()
    for order_no, action, operator, at in rows:
        found[(str(order_no), str(action), str(operator))].append(_utc(at))
    problems = []
    slack = 1.0  # clocks of one machine; the window only has to exclude other actions
    for key in sorted(set(expected) | set(found)):
        want, got = sorted(expected.get(key, [])), sorted(found.get(key, []))
        if len(want) != len(got):
            problems.append(f"{key}: {len(want)} logged, {len(got)} audit rows")
            continue
        if any(
            not (t0 - slack <= at <= t1 + slack) for (t0, t1), at in zip(want, got, strict=True)
        ):
            problems.append(f"{key}: audit time outside the action's window")
    n = sum(len(v) for v in expected.values())
    if not problems:
        return ("audit rows", f"{n} expected, {len(rows)} found, one each", True)
    return ("audit rows", f"{len(problems)} mismatches: {'; '.join(problems[:5])}", False)


def run_checks(db: Database, entries: list[Entry], since_id: int) -> list[tuple[str, str, bool]]:
    from order_tui.store.maintenance import check, check_audit_trail, check_locked_stock

    # SQLite's "database is locked", or PostgreSQL's lock timeout, serialization failure or
    # deadlock (refused as store.busy): a write that lost a wait.
    locked = [
        e
        for e in entries
        if (e.outcome == "failed" and "locked" in e.error) or e.error == "store.busy"
    ]
    failed = [e for e in entries if e.outcome == "failed"]
    lines = [
        ("database is locked", f"{len(locked)} escaped", not locked),
        (
            "other failures",
            f"{len(failed)}" + (f": {failed[0].error[:200]}" if failed else ""),
            not failed,
        ),
        check_audit(db, entries, since_id),
    ]
    lines += check(db, full=True).lines
    lines.append(check_locked_stock(db))
    lines.append(check_audit_trail(db))
    return lines


# -- the run -----------------------------------------------------------------------------------


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


@dataclass
class SoakResult:
    seconds: float
    entries: list[Entry]
    checks: list[tuple[str, str, bool]]

    @property
    def ok(self) -> bool:
        return all(passed for _n, _d, passed in self.checks)

    def interactive_waits(self) -> list[float]:
        return [e.wait for e in self.entries if e.op != IMPORTER]

    def summary(self) -> dict[str, Any]:
        ops = [e for e in self.entries if e.op != IMPORTER]
        imports = [e for e in self.entries if e.op == IMPORTER]
        waits = self.interactive_waits()
        outcomes = Counter(e.outcome for e in ops)
        return {
            "actions": len(ops),
            "ok": outcomes["ok"],
            "refused": outcomes["refused"],
            "failed": outcomes["failed"],
            "ok_per_s": outcomes["ok"] / self.seconds,
            "imported": sum(len(e.audit) for e in imports),
            "wait_p50_ms": _percentile(waits, 50) * 1000,
            "wait_p99_ms": _percentile(waits, 99) * 1000,
            "wait_max_ms": max(waits, default=float("nan")) * 1000,
            "by_action": Counter(e.action for e in ops if e.outcome == "ok"),
        }


def soak(
    folder: Path,
    seconds: float,
    *,
    seed: int = 1,
    batch: int = 5,
    pause: float = 0.002,
    url: str | None = None,
) -> SoakResult:
    """Run the soak in `folder` (a fresh database there, or the empty one at `url`) and check
    the result."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "soak.db"
    prepare(path, url)
    url = url or f"sqlite:///{path}"
    logs = folder / "logs"
    logs.mkdir(exist_ok=True)
    db = open_database(url, folder)
    with db.reading() as session:
        since = int(
            session.execute(text("SELECT COALESCE(MAX(id), 0) FROM audit_event")).scalar_one()
        )
    ctx = mp.get_context("spawn")
    procs = [
        ctx.Process(
            target=operator_main,
            args=(url, str(folder), name, seconds, seed * 100 + i, str(logs)),
        )
        for i, name in enumerate(OPERATORS)
    ]
    procs.append(
        ctx.Process(
            target=importer_main,
            args=(url, str(folder), seconds, seed, str(logs), batch, pause),
        )
    )
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    entries = read_logs(logs)
    missing = [p.name for p in procs if p.exitcode != 0]
    checks = run_checks(db, entries, since)
    if missing:
        checks.insert(0, ("processes", f"{len(missing)} did not finish cleanly", False))
    db.dispose()
    return SoakResult(seconds, entries, checks)


def report(result: SoakResult, queue: str) -> str:
    s = result.summary()
    rows = [
        [
            queue,
            f"{s['actions']}",
            f"{s['ok']} / {s['refused']} / {s['failed']}",
            f"{s['ok_per_s']:.1f}",
            f"{s['imported']}",
            f"{s['wait_p50_ms']:.1f}",
            f"{s['wait_p99_ms']:.1f}",
            f"{s['wait_max_ms']:.1f}",
        ]
    ]
    out = table(
        [
            "writer queue",
            "actions",
            "ok / refused / failed",
            "ok actions/s",
            "orders imported",
            "wait p50 ms",
            "wait p99 ms",
            "wait max ms",
        ],
        rows,
    )
    checks = "\n".join(
        f"{'ok  ' if passed else 'FAIL'}  {name}: {detail}"
        for name, detail, passed in result.checks
    )
    done = ", ".join(f"{a} {n}" for a, n in sorted(s["by_action"].items()))
    return f"{out}\n\nsuccessful actions: {done}\n\n{checks}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=5, help="orders per import transaction")
    parser.add_argument("--pause", type=float, default=0.002, help="import pause (s)")
    parser.add_argument("--dir", type=Path, help="keep the database and logs here")
    parser.add_argument(
        "--db", help="an EMPTY database URL (e.g. postgresql+psycopg://...) instead of a file"
    )
    parser.add_argument(
        "--pg", metavar="URL", help="on a new empty database on this PostgreSQL server"
    )
    parser.add_argument(
        "--no-writer-queue",
        action="store_true",
        help="writers rely on SQLite's busy handler alone (to measure the difference)",
    )
    args = parser.parse_args(argv)
    if args.pg:
        from benchmarks.common import empty_postgres

        with empty_postgres(args.pg, "soak") as url:
            rest = list(argv if argv is not None else sys.argv[1:])
            at = rest.index("--pg")
            return main([*rest[:at], *rest[at + 2 :], "--db", url])
    if args.no_writer_queue:
        os.environ["ORDER_TUI_WRITER_QUEUE"] = "0"  # inherited by the spawned processes
    queue = "off" if os.environ.get("ORDER_TUI_WRITER_QUEUE") == "0" else "on"
    on_file = args.db is None or args.db.startswith("sqlite")
    if not on_file:
        queue = "n/a (PostgreSQL)"
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        folder = args.dir or Path(tmp)
        result = soak(
            folder, args.seconds, seed=args.seed, batch=args.batch, pause=args.pause, url=args.db
        )
        where = "one file" if on_file else display_url(args.db)
        print(
            f"soak: {args.seconds:g} s, 4 operators + 1 importer on {where}, {os.cpu_count()} cores"
        )
        print(report(result, queue))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
