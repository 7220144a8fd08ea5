"""Step 6: the completion queue and its checklist, archiving with retention, refusals of
changes to archived orders (and their log), the archive search by every criterion with keyset
paging, and the purge past retention."""

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from order_tui.domain.errors import GuardFailed, PermissionDenied, ReadOnly, ValidationError
from order_tui.domain.lifecycle import Action, Status
from order_tui.services import archive, attachments, closing, delivery, orders
from order_tui.services.archive import ArchiveQuery
from order_tui.services.demo import DemoCast, drive_to, new_order
from order_tui.store import archive_queries, repo
from order_tui.store.engine import Database
from order_tui.store.models import SalesOrder
from order_tui.store.seed import seed_orders
from tests.reader import READER


def _file(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_text(f"{name} 内容", encoding="utf-8")
    return path


def _delivered_with_feedback(db: Database, cast: DemoCast, tmp_path: Path) -> str:
    order_no = new_order(db, cast, "C0001", [("P0001", "1")])
    drive_to(db, cast, order_no, Status.DELIVERED, tmp_path)
    delivery.record_feedback(db, cast["wang"], order_no, reached=True, satisfaction=5)
    return order_no


def _audit(db: Database, order_no: str) -> list[str]:
    with db.reading() as session:
        order = repo.get_order(session, order_no)
        return [e.action for e in repo.audit_of_order(session, order.id or 0)]


def _archived(db: Database, cast: DemoCast, tmp_path: Path) -> str:
    order_no = _delivered_with_feedback(db, cast, tmp_path)
    for item in ("order_form", "invoice_copy", "communication"):
        archive.attach_document(db, cast["wu"], order_no, item, _file(tmp_path, f"{item}.pdf"))
    closing.complete(db, cast["wu"], order_no)
    closing.archive(db, cast["wu"], order_no)
    return order_no


# -- completion and archive -------------------------------------------------------------------


def test_the_queue_lists_delivered_orders_with_feedback_and_their_missing_documents(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    waiting = new_order(db, cast, "C0002", [("P0001", "1")])
    drive_to(db, cast, waiting, Status.DELIVERED, tmp_path)  # no feedback yet: not listed
    order_no = _delivered_with_feedback(db, cast, tmp_path)

    rows = archive.completion_queue(db, cast["wu"])

    assert [r.order_no for r in rows] == [order_no]
    # the sign-off attached the signed receipt; the rest is missing
    assert rows[0].missing == ("order_form", "invoice_copy", "communication")
    assert rows[0].status == "delivered"
    assert archive.order_checklist(db, cast["wu"], order_no) == [
        ("order_form", False),
        ("signed_receipt", True),
        ("invoice_copy", False),
        ("communication", False),
    ]
    with pytest.raises(PermissionDenied):
        archive.completion_queue(db, cast["zhao"])


def test_complete_needs_every_document_then_archive_sets_retention(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    order_no = _delivered_with_feedback(db, cast, tmp_path)
    wu = cast["wu"]
    with pytest.raises(GuardFailed) as refused:
        closing.complete(db, wu, order_no)
    assert refused.value.params["guard"] == "documents_complete"

    for item in ("order_form", "invoice_copy", "communication"):
        archive.attach_document(db, wu, order_no, item, _file(tmp_path, f"{item}.pdf"))
    with pytest.raises(ValidationError) as bad:
        archive.attach_document(db, wu, order_no, "photo", _file(tmp_path, "x.jpg"))
    assert bad.value.code == "archive.item"
    assert archive.completion_queue(db, wu)[0].missing == ()

    assert closing.complete(db, wu, order_no).status == "completed"
    queued = archive.completion_queue(db, wu)
    assert [(r.order_no, r.status) for r in queued] == [(order_no, "completed")]

    archived = closing.archive(db, wu, order_no)
    assert archived.status == "archived"
    assert archived.retention_until is not None
    assert archived.retention_until >= date.today().replace(year=date.today().year + 3) - timedelta(
        days=1
    )
    assert archive.completion_queue(db, wu) == []


def test_retention_is_configurable_upwards_only(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    order_no = _delivered_with_feedback(db, cast, tmp_path)
    for item in ("order_form", "invoice_copy", "communication"):
        archive.attach_document(db, cast["wu"], order_no, item, _file(tmp_path, f"{item}.pdf"))
    closing.complete(db, cast["wu"], order_no)
    db.retention_years = 5
    with pytest.raises(ValidationError) as short:
        closing.archive(db, cast["wu"], order_no, retention_years=4)
    assert short.value.code == "close.retention_policy"
    detail = closing.archive(db, cast["wu"], order_no, retention_years=7)
    assert detail.retention_until is not None
    assert detail.retention_until.year - date.today().year in (6, 7)  # business day vs UTC


def test_changes_to_an_archived_order_are_refused_and_logged(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    order_no = _archived(db, cast, tmp_path)
    before = _audit(db, order_no)

    with pytest.raises(ReadOnly) as refused:
        attachments.attach(db, cast["wu"], order_no, _file(tmp_path, "late.pdf"), "other")
    assert refused.value.code == "order.read_only"
    with pytest.raises(ReadOnly):
        archive.request_change(db, cast["zhao"], order_no, Action.EDIT)

    assert _audit(db, order_no) == [*before, "refused:attach", "refused:edit"]
    with db.reading() as session:
        order = repo.get_order(session, order_no)
        assert len(repo.attachments_of(session, order.id or 0)) == 4  # nothing attached


def test_the_refusal_alone_is_committed(db: Database, cast: DemoCast, tmp_path: Path) -> None:
    """A service that wrote before it was refused loses that write; the refusal stays."""
    from order_tui.services.common import authorize

    order_no = _archived(db, cast, tmp_path)
    with pytest.raises(ReadOnly), db.writing() as session:
        order = repo.get_order(session, order_no)
        session.execute(text("UPDATE customer SET bank_name = 'forged' WHERE code = 'C0001'"))
        authorize(session, cast["wu"], order, Action.HOLD)
    with db.reading() as session:
        assert repo.find_customer(session, "C0001").bank_name != "forged"
    assert _audit(db, order_no)[-1] == "refused:hold"


def test_the_archived_order_shows_its_whole_history(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    order_no = _archived(db, cast, tmp_path)
    view = archive.archived_order(db, cast["zhang"], order_no)

    assert view.read_only
    actions = [h.action for h in view.history]
    assert actions[0] == "create"
    for action in ("submit", "approve", "ship", "sign_off", "complete", "archive"):
        assert action in actions
    last = view.history[-1]
    assert (last.who, last.from_status, last.to_status) == ("wu", "completed", "archived")
    assert "retention_until" in last.changes
    assert view.rounds and view.rounds[0]["outcome"] == "approved"
    assert view.shipments and view.shipments[0]["carrier"] == "顺丰速运"
    assert view.sign_offs and view.sign_offs[0]["signer"] == "李经理"
    assert view.feedback is not None and view.feedback["satisfaction"] == 5
    assert len(view.detail.attachments) == 4
    assert all(present for _item, present in view.checklist)
    with pytest.raises(PermissionDenied):
        archive.archived_order(db, cast["admin"], order_no)


# -- purge ------------------------------------------------------------------------------------


def _expire(db: Database, order_no: str, until: date) -> None:
    with db.writing() as session:
        session.execute(
            text("UPDATE sales_order SET retention_until = :d WHERE order_no = :n"),
            {"d": until.isoformat(), "n": order_no},
        )


def test_purge_lists_then_removes_orders_past_retention(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    old = _archived(db, cast, tmp_path)
    kept = _archived(db, cast, tmp_path)
    _expire(db, old, date.today() - timedelta(days=2))
    admin = cast["admin"]

    listed = archive.purge_candidates(db, admin)
    assert [p.order_no for p in listed] == [old]
    with pytest.raises(PermissionDenied):
        archive.purge_candidates(db, cast["wu"])
    with pytest.raises(PermissionDenied):
        archive.purge(db, cast["wu"])

    assert archive.purge(db, admin) == [old]

    with db.reading() as session:
        assert (
            session.exec(
                text("SELECT count(*) FROM sales_order WHERE order_no = :n").bindparams(n=old)
            ).one()[0]
            == 0
        )  # type: ignore[call-overload]
        for table in (
            "order_line",
            "attachment",
            "shipment",
            "sign_off",
            "feedback",
            "review_round",
        ):
            left = session.execute(
                text(
                    f"SELECT count(*) FROM {table} "
                    "WHERE order_id NOT IN (SELECT id FROM sales_order)"
                )
            ).scalar_one()
            assert left == 0, table
        events = session.exec(  # type: ignore[call-overload]
            text("SELECT action FROM audit_event WHERE order_no = :n ORDER BY id").bindparams(n=old)
        ).all()
    assert [e[0] for e in events][-1] == "purge"
    assert "create" in [e[0] for e in events]  # the log keeps the purged order's history
    assert archive.purge_candidates(db, admin) == []
    assert orders.get_order(db, READER, kept).status == "archived"


def test_purging_an_order_under_retention_is_refused_and_logged(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    order_no = _archived(db, cast, tmp_path)
    with pytest.raises(ReadOnly) as refused:
        archive.purge(db, cast["admin"], [order_no])
    assert refused.value.code == "archive.retained"
    assert _audit(db, order_no)[-1] == "refused:purge"
    assert orders.get_order(db, READER, order_no).status == "archived"


# -- search -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """1200 seeded orders (about 840 archived) on the demo master data, built once."""
    from order_tui.services.demo import load_master_data
    from order_tui.store.migrate import ensure_schema
    from tests import pg

    with pg.blank_database(tmp_path_factory.mktemp("archive-search")) as db:
        ensure_schema(db)
        load_master_data(db)
        seed_orders(db, 1200, pause=0)
        yield db


def _all_archived(db: Database) -> list[SalesOrder]:
    with db.reading() as session:
        rows = session.exec(  # type: ignore[call-overload]
            text("SELECT id FROM sales_order WHERE status = 'archived'")
        ).all()
        found = [session.get(SalesOrder, r[0]) for r in rows]
        lines = {
            o.id: {(ln.product_code, ln.name) for ln in repo.order_lines(session, o.id or 0)}
            for o in found
            if o is not None
        }
    ordered = sorted((o for o in found if o), key=lambda o: (o.order_day, o.serial), reverse=True)
    for o in ordered:
        o.__dict__["_products"] = lines[o.id]
    return ordered


def _everything(db: Database, actor: object, query: ArchiveQuery, page: int = 37) -> list[str]:
    """Every page of a search, following the keyset cursor."""
    out: list[str] = []
    after = None
    while True:
        rows = archive.search(db, actor, query, after=after, limit=page)  # type: ignore[arg-type]
        out += [r.order_no for r in rows]
        if len(rows) < page:
            return out
        after = rows[-1].cursor


def _expect(db: Database, keep: object) -> list[str]:
    return [o.order_no for o in _all_archived(db) if keep(o)]  # type: ignore[operator]


@pytest.fixture(scope="module")
def reader(seeded: Database) -> object:
    from order_tui.services import operators

    return operators.find_actor(seeded, "chen")


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        (ArchiveQuery(), lambda o: True),
        (ArchiveQuery(customer="华宇"), lambda o: "华宇" in o.cust_name),  # two characters
        (ArchiveQuery(customer="精密"), lambda o: "精密" in o.cust_name),  # two customers
        (ArchiveQuery(customer="精密电子"), lambda o: "精密电子" in o.cust_name),  # trigram index
        (ArchiveQuery(customer="bjhy"), lambda o: o.cust_mnemonic.startswith("bjhy")),
        (ArchiveQuery(customer="SH"), lambda o: o.cust_mnemonic.startswith("sh")),
        (ArchiveQuery(customer="C0003"), lambda o: o.customer_id == 3),
        (ArchiveQuery(product="P0003"), lambda o: any(c == "P0003" for c, _n in o._products)),
        (ArchiveQuery(product="伺服"), lambda o: any("伺服" in n for _c, n in o._products)),
        (
            ArchiveQuery(amount_from="100000", amount_to="300000"),
            lambda o: 100000 <= o.total <= 300000,
        ),
        (ArchiveQuery(amount_from="3000000"), lambda o: o.total >= 3000000),
        (
            ArchiveQuery(day_from="2026-10-01", day_to="2026-10-31"),
            lambda o: date(2026, 10, 1) <= o.order_day <= date(2026, 10, 31),
        ),
        (ArchiveQuery(number="SO202610"), lambda o: o.order_no.startswith("SO202610")),
        (ArchiveQuery(number="2026101"), lambda o: o.order_no.startswith("SO2026101")),
        (
            ArchiveQuery(customer="华宇", amount_from="50000", number="so2026"),
            lambda o: (
                "华宇" in o.cust_name and o.total >= 50000 and o.order_no.startswith("SO2026")
            ),
        ),
        (ArchiveQuery(customer="没有这个客户"), lambda o: False),
        (ArchiveQuery(number="SO20261399"), lambda o: False),
    ],
)
def test_search_by_each_criterion_pages_by_key(
    seeded: Database, reader: object, query: ArchiveQuery, keep: object
) -> None:
    expected = _expect(seeded, keep)
    assert _everything(seeded, reader, query) == expected


def test_search_drives_from_a_small_candidate_set(
    seeded: Database, reader: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below the probe cap the search starts from the matching ids instead of walking by
    date: same answer either way."""
    query = ArchiveQuery(customer="华宇", amount_from="100000")
    walked = _everything(seeded, reader, query)
    monkeypatch.setattr(archive_queries, "PROBE_CAP", 100_000)
    assert _everything(seeded, reader, query) == walked
    monkeypatch.setattr(archive_queries, "PROBE_CAP", 0)
    assert _everything(seeded, reader, query) == walked
    # so many names match that the walk filters on the text itself
    monkeypatch.setattr(archive_queries, "MAX_NAMES", 0)
    assert _everything(seeded, reader, query) == walked
    initials = ArchiveQuery(customer="bjhy")
    assert _everything(seeded, reader, initials) == _expect(
        seeded, lambda o: o.cust_mnemonic.startswith("bjhy")
    )


def test_bad_search_input_is_refused_by_field(seeded: Database, reader: object) -> None:
    for query, code, field in [
        (ArchiveQuery(number="XX1"), "archive.bad_number", "number"),
        (ArchiveQuery(day_from="2026-13-01"), "archive.bad_date", "day_from"),
        (ArchiveQuery(day_from="2026-02-01", day_to="2026-01-01"), "archive.range", "day_to"),
        (ArchiveQuery(amount_from="-1"), "archive.bad_amount", "amount_from"),
        (ArchiveQuery(amount_from="9", amount_to="1"), "archive.range", "amount_to"),
    ]:
        with pytest.raises(ValidationError) as refused:
            archive.search(seeded, reader, query)  # type: ignore[arg-type]
        assert (refused.value.code, refused.value.field) == (code, field)


def test_chinese_substrings_use_the_trigram_index(seeded: Database) -> None:
    if not seeded.is_sqlite:
        _postgresql_uses_the_trigram_index(seeded)
        return
    with seeded.reading() as session:
        plan = archive_queries.explain(
            session,
            "SELECT rowid FROM archive_name_fts WHERE archive_name_fts MATCH :q",
            {"q": '"精密电子"'},
        )
        walk = archive_queries.explain(
            session,
            "SELECT id FROM sales_order o WHERE o.status = 'archived' "
            "ORDER BY o.order_day DESC, o.serial DESC LIMIT 5",
            {},
        )
    assert any("VIRTUAL TABLE INDEX" in line for line in plan)
    assert any("ix_order_status_day" in line for line in walk)
    assert not any("TEMP B-TREE" in line for line in walk)


def _postgresql_uses_the_trigram_index(seeded: Database) -> None:
    """pg_trgm's GIN index serves the substring (and the walk by date needs no sort). On 80
    names the planner rightly reads them all, so the dictionary gets the size of a real one
    for the question, in a transaction that is rolled back."""
    with seeded.reading() as session:
        session.execute(
            text(
                "INSERT INTO archive_name (kind, ref_id, name, code, mnemonic) "
                "SELECT 'customer', g, '测试客户' || g || '有限公司', 'X' || g, '' "
                "FROM generate_series(100000, 120000) AS g"
            )
        )
        session.execute(text("ANALYZE archive_name"))
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = archive_queries.explain(
            session,
            "SELECT ref_id FROM archive_name WHERE name ILIKE :q",
            {"q": "%精密电子%"},
        )
        walk = archive_queries.explain(
            session,
            "SELECT id FROM sales_order o WHERE o.status = 'archived' "
            "ORDER BY o.order_day DESC, o.serial DESC LIMIT 5",
            {},
        )
    assert any("ix_archive_name_trgm" in line for line in plan), plan
    # The newest archived orders come off an index in order (ix_order_status_day, or the
    # day/serial key with the status as a filter): no sort of every archived order.
    assert any("Index Scan" in line for line in walk), walk
    assert not any("Sort" in line for line in walk), walk


def test_names_follow_the_master_data_and_keep_the_old_ones(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    order_no = _archived(db, cast, tmp_path)  # C0001 北京华宇科技有限公司
    with db.writing() as session:
        session.execute(
            text(
                "UPDATE customer SET legal_name = '北京华宇智能科技有限公司', "
                "mnemonic = 'bjhyznkjyxgs' WHERE code = 'C0001'"
            )
        )
        session.execute(text("UPDATE product SET name = '伺服电机（新款）' WHERE code = 'P0002'"))
    with db.reading() as session:
        renamed = archive_queries.find_names(session, "customer", "华宇智能")
        old = archive_queries.find_names(session, "customer", "华宇科技")
        products = archive_queries.find_names(session, "product", "新款")
    assert [m.name for m in renamed] == ["北京华宇智能科技有限公司"]
    assert [m.name for m in old] == ["北京华宇科技有限公司"]
    assert len(products) == 1
    # the archived order keeps the name it was entered under, and is found by it
    found = archive.search(db, cast["wu"], ArchiveQuery(customer="华宇科技"))
    assert order_no in [r.order_no for r in found]
    assert archive.search(db, cast["wu"], ArchiveQuery(customer="华宇智能")) == []


def test_searching_needs_a_role_that_reads_orders(seeded: Database) -> None:
    from order_tui.services import operators

    with pytest.raises(PermissionDenied):
        archive.search(seeded, operators.find_actor(seeded, "admin"), ArchiveQuery())
