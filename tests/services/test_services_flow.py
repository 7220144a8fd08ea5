"""Services end to end: review rounds, stock locks, partial shipments, holds, conflicts."""

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from order_tui.domain.errors import Conflict, GuardFailed, PermissionDenied, ValidationError
from order_tui.domain.lifecycle import Status
from order_tui.services import (
    closing,
    delivery,
    execution,
    operators,
    orders,
    review,
)
from order_tui.services.demo import DemoCast, drive_to, new_order
from order_tui.store import repo
from order_tui.store.engine import Database
from order_tui.store.models import Stock
from tests.reader import READER


def _stock(db: Database, code: str) -> Stock:
    with db.reading() as session:
        product = repo.find_product(session, code)
        return repo.peek_stock(session, product.id or 0)


def test_totals_snapshot_and_words(db: Database, cast: DemoCast) -> None:
    detail = orders.create_order(
        db,
        cast["zhao"],
        orders.OrderInput(
            customer_code="C0001",
            lines=[
                orders.LineInput("P0001", Decimal("3"), Decimal("6800.00")),
                orders.LineInput("P0002", Decimal("7"), Decimal("1.00")),
            ],
            freight=Decimal("120.50"),
            discount=Decimal("100.00"),
        ),
    )
    assert detail.order_no.startswith("SO")
    assert detail.goods_total == Decimal("20407.00")
    assert detail.total == Decimal("20427.50")
    assert detail.total_words == "贰万零肆佰贰拾柒元伍角"
    assert detail.net_total + detail.tax_total == detail.goods_total
    assert detail.cust_name == "北京华宇科技有限公司" and detail.contact_name == "李经理"


def test_parallel_review_and_resubmission_diff(db: Database, cast: DemoCast) -> None:
    no = new_order(db, cast, "C0002", [("P0001", "2")])
    review.submit(db, cast["zhao"], no)
    review.approve(db, cast["zhang"], no)
    with pytest.raises(Conflict, match="already gave its verdict"):
        review.approve(db, cast["zhang"], no)
    with pytest.raises(ValidationError, match="reason code"):
        review.reject(db, cast["chen"], no, "bogus", "x")
    returned = review.reject(db, cast["chen"], no, "price", "单价低于底价")
    assert returned.status == "returned"
    edited = orders.edit_order(
        db,
        cast["zhao"],
        no,
        orders.OrderInput(customer_code="C0002", lines=[orders.LineInput("P0001", Decimal("3"))]),
        None,
    )
    review.resubmit(db, cast["zhao"], no, edited.version)
    changes = review.round_changes(db, READER, no)
    assert changes["lines"]["1"][0] == "changed"
    assert changes["lines"]["1"][1]["qty"] == ["2.0000", "3.0000"]
    # A new round: the sales verdict of round 1 does not count.
    assert review.approve(db, cast["zhang"], no).status == "in_review"
    review.approve(db, cast["chen"], no)
    assert review.approve(db, cast["liu"], no).status == "approved"


def test_stale_version_names_who_changed_it(db: Database, cast: DemoCast) -> None:
    no = new_order(db, cast, "C0001", [("P0001", "1")])
    seen = orders.get_order(db, READER, no)
    orders.edit_order(
        db,
        cast["zhao"],
        no,
        orders.OrderInput(customer_code="C0001", lines=[orders.LineInput("P0001", Decimal("2"))]),
        seen.version,
    )
    with pytest.raises(Conflict, match="changed by zhao") as info:
        review.submit(db, cast["zhao"], no, expected_version=seen.version)
    assert info.value.changed_by == "zhao"
    assert orders.get_order(db, READER, no).status == "draft"


def test_picking_locks_stock_and_cancel_releases_it(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    before = _stock(db, "P0001")
    no = new_order(db, cast, "C0002", [("P0001", "5")])
    drive_to(db, cast, no, Status.PICKING, tmp_path)
    execution.pick(db, cast["liu"], no, {1: Decimal("3")})
    assert _stock(db, "P0001").locked == before.locked + 3
    with pytest.raises(ValidationError, match="exceed the ordered"):
        execution.pick(db, cast["liu"], no, {1: Decimal("3")})
    with pytest.raises(ValidationError, match="does not match"):
        execution.pick(db, cast["liu"], no, {1: Decimal("1")}, scanned={1: ("P0002", "")})
    with pytest.raises(GuardFailed, match="not every line"):
        execution.pack(db, cast["liu"], no)
    closing.cancel(db, cast["zhang"], no, "customer", "客户取消")
    assert _stock(db, "P0001").locked == before.locked
    assert _stock(db, "P0001").on_hand == before.on_hand


def test_partial_shipment_leaves_a_backorder(db: Database, cast: DemoCast, tmp_path: Path) -> None:
    before = _stock(db, "P0001")
    no = new_order(db, cast, "C0002", [("P0001", "4")])
    drive_to(db, cast, no, Status.PACKED, tmp_path)
    part = delivery.ship(
        db,
        cast["zhou"],
        no,
        carrier="德邦",
        mode="ltl",
        tracking_no="DB1",
        quantities={1: Decimal("1")},
    )
    assert part.status == "packed"
    assert _stock(db, "P0001").on_hand == before.on_hand - 1
    rest = delivery.ship(db, cast["zhou"], no, carrier="德邦", mode="ltl", tracking_no="DB2")
    assert rest.status == "shipped"
    after = _stock(db, "P0001")
    assert after.on_hand == before.on_hand - 4 and after.locked == before.locked


def test_discrepancy_raises_a_hold_that_the_clerk_releases(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    no = new_order(db, cast, "C0002", [("P0001", "1")])
    drive_to(db, cast, no, Status.SHIPPED, tmp_path)
    receipt = tmp_path / "scan.png"
    receipt.write_bytes(b"png")
    detail = delivery.sign_off(
        db,
        cast["zhou"],
        no,
        signer="李经理",
        qty_ok=True,
        appearance_ok=False,
        packaging_ok=True,
        receipt=receipt,
        discrepancy="外箱破损",
    )
    assert detail.status == "shipped" and detail.on_hold
    with pytest.raises(GuardFailed, match="on hold"):
        delivery.sign_off(
            db,
            cast["zhou"],
            no,
            signer="李经理",
            qty_ok=True,
            appearance_ok=True,
            packaging_ok=True,
            receipt=receipt,
        )
    with pytest.raises(PermissionDenied):
        execution.release_hold(db, cast["liu"], no, "replacement", "更换外箱")
    execution.release_hold(db, cast["zhao"], no, "replacement", "客户同意更换外箱后签收")
    done = delivery.sign_off(
        db,
        cast["zhou"],
        no,
        signer="李经理",
        qty_ok=True,
        appearance_ok=True,
        packaging_ok=True,
        receipt=receipt,
    )
    assert done.status == "delivered"
    assert delivery.feedback_queue(db, READER)[0]["order_no"] == no


def test_lockout_after_five_wrong_pins(db: Database) -> None:
    for _ in range(4):
        with pytest.raises(PermissionDenied, match="tries left"):
            operators.login(db, "zhao", "0000")
    with pytest.raises(PermissionDenied, match="locked for 15 minutes"):
        operators.login(db, "zhao", "0000")
    with pytest.raises(PermissionDenied, match="locked"):
        operators.login(db, "zhao", "1234")
    assert operators.login(db, "chen", "1234").username == "chen"


_CREATOR = """
import sys
from decimal import Decimal
from pathlib import Path
from order_tui.services import operators, orders
from order_tui.store.engine import open_database
db = open_database(sys.argv[1], Path(sys.argv[2]))
clerk = operators.find_actor(db, "zhao")
for _ in range(int(sys.argv[3])):
    detail = orders.create_order(db, clerk, orders.OrderInput(
        customer_code="C0001", lines=[orders.LineInput("P0001", Decimal("1"))]))
    print(detail.order_no, flush=True)
"""


def test_processes_get_gap_free_serials(db: Database) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CREATOR, db.url, str(db.data_dir), "15"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    numbers: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        numbers += out.split()
    serials = sorted(int(n[10:]) for n in numbers)
    assert serials == list(range(1, 61))
    assert len(set(numbers)) == 60


def test_one_order_through_the_whole_lifecycle(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    """Intake to archive through the services; every step leaves one audit row."""
    from order_tui.services import intake

    req = intake.record_requirement(
        db,
        cast["wang"],
        intake.RequirementInput(
            customer_code="C0001",
            contact_name="李经理",
            contact_phone="138 0013 8000",
            lines=[intake.RequirementLineInput("P0002", Decimal("40"))],
        ),
    )
    assert req.feasibility[0]["risk"] == "shortage"  # 0 on hand, 50 incoming on a date
    intake.agree_alternative(db, cast["wang"], req.id, "先发50台，余10台随下批")
    no = intake.convert_to_order(
        db,
        cast["zhao"],
        req.id,
        orders.OrderInput("C0001", [orders.LineInput("P0001", Decimal(2))]),
    )
    drive_to(db, cast, no.order_no, Status.ARCHIVED, tmp_path)
    with db.reading() as session:
        order = repo.get_order(session, no.order_no)
        trail = [
            (e.action, e.from_status, e.to_status)
            for e in repo.audit_of_order(session, order.id or 0)
        ]
    assert trail[0] == ("create", "", "draft")
    assert ("submit", "draft", "in_review") in trail
    assert ("approve", "in_review", "approved") in trail
    assert ("sign_off", "shipped", "delivered") in trail
    assert trail[-1] == ("archive", "completed", "archived")
    assert order.retention_until is not None
    assert order.retention_until.year - order.order_day.year >= 3
    with pytest.raises(Exception, match="read-only"):
        closing.cancel(db, cast["zhang"], no.order_no, "customer")
    with db.reading() as session:
        last = repo.audit_of_order(session, order.id or 0)[-1]
    assert last.action == "refused:cancel"  # the attempt itself is on record
