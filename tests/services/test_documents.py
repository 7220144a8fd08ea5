"""The printable documents: real PDFs whose text (Chinese included) can be read back."""

from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from order_tui.domain import messages
from order_tui.domain.errors import PermissionDenied, ValidationError
from order_tui.domain.lifecycle import Status
from order_tui.services import delivery, documents, execution
from order_tui.services.demo import DemoCast, drive_to, new_order
from order_tui.store import repo
from order_tui.store.engine import Database
from tests.reader import READER

CUSTOMER = "北京华宇科技有限公司"


def text_of(path: Path) -> str:
    assert path.read_bytes().startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture
def order_no(db: Database, cast: DemoCast, tmp_path: Path) -> str:
    with db.writing() as session:
        repo.find_product(session, "P0012").stocked = False  # installation: a service
    no = new_order(db, cast, "C0001", [("P0001", "2"), ("P0012", "1")])
    drive_to(db, cast, no, Status.PICKING, tmp_path)
    return no


def test_pick_list_goes_to_the_data_directory(db: Database, cast: DemoCast, order_no: str) -> None:
    path = documents.pick_list_pdf(db, cast["liu"], order_no)
    assert path == db.data_dir / "documents" / f"{order_no}-pick-list.pdf"
    text = text_of(path)
    for expected in (order_no, CUSTOMER, "拣货单", "工业控制器", "PLC-CK200-CPU224", "A-01-03"):
        assert expected in text
    assert "非库存" in text  # the installation line needs no picking
    assert "中关村南大街12号华宇大厦8层" in text and "李经理" in text


def test_packing_slip_and_receipt_where_the_operator_says(
    db: Database, cast: DemoCast, order_no: str, tmp_path: Path
) -> None:
    execution.pick(db, cast["liu"], order_no)
    execution.pack(db, cast["liu"], order_no, [(2, Decimal("36.5"), "木箱")])
    slip = documents.packing_slip_pdf(db, cast["liu"], order_no, tmp_path / "out" / "slip.pdf")
    assert slip == tmp_path / "out" / "slip.pdf"
    text = text_of(slip)
    assert order_no in text and CUSTOMER in text and "装箱单" in text and "木箱" in text
    assert "36.5" in text

    delivery.ship(db, cast["zhou"], order_no, carrier="顺丰速运", mode="parcel", tracking_no="SF1")
    folder = tmp_path / "receipts"
    folder.mkdir()
    receipt = documents.delivery_receipt_pdf(db, cast["zhou"], order_no, folder)
    assert receipt == folder / f"{order_no}-receipt.pdf"
    text = text_of(receipt)
    for expected in (order_no, CUSTOMER, "送货签收单", "收货人签字", "签收日期", "数量相符"):
        assert expected in text
    assert "工业控制器" in text and "安装调试服务" in text


def test_documents_refused_out_of_turn_with_a_code(
    db: Database, cast: DemoCast, order_no: str
) -> None:
    with pytest.raises(ValidationError) as info:
        documents.delivery_receipt_pdf(db, cast["liu"], order_no)
    assert info.value.code == "doc.not_now"
    assert messages.localized(info.value, "zh") == "拣货中的订单不能打印送货签收单"
    with pytest.raises(PermissionDenied) as denied:
        documents.pick_list_pdf(db, cast["admin"], order_no)
    assert denied.value.code == "doc.denied"
    assert not (db.data_dir / "documents").exists()


def test_an_unwritable_path_says_so(db: Database, cast: DemoCast, order_no: str, tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        documents.pick_list_pdf(db, cast["liu"], order_no, blocker / "sub" / "x.pdf")
    assert info.value.code == "doc.write_failed" and info.value.field == "path"


def test_sales_order_sheet_for_the_customer_to_sign(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    from order_tui.domain.money import rmb_upper
    from order_tui.services import orders

    no = new_order(db, cast, "C0001", [("P0001", "2"), ("P0012", "1")])  # a draft
    path = documents.sales_order_pdf(db, cast["zhao"], no)
    assert path == db.data_dir / "documents" / f"{no}-sales-order.pdf"
    text = text_of(path)
    total = orders.get_order(db, READER, no).total
    words = "人民币" + rmb_upper(total)
    for expected in (no, CUSTOMER, "销售订单", "91110108700286417J", "工业控制器", words, "13%"):
        assert expected in text.replace("\n", ""), expected
    for label in ("统一社会信用代码", "开户银行", "付款条件", "付款到期日", "买方", "卖方", "运费"):
        assert label in text
    assert f"{total:,.2f}" in text
    with pytest.raises(PermissionDenied):
        documents.sales_order_pdf(db, cast["admin"], no)
