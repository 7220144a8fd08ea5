"""Importing customers, products and stock: every row checked by the master-data rules, a
report of row / field / reason, nothing written while a row is bad (unless skipping them)."""

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from order_tui.domain.errors import PermissionDenied, ValidationError
from order_tui.services import imports, masterdata
from order_tui.services.demo import DemoCast
from order_tui.store import repo
from order_tui.store.engine import Database
from tests.reader import READER

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data" / "import"
HEAD_EN = (
    "code,legal_name,uscc,contact_name,contact_phone,province,city,district,detail,"
    "credit_limit,payment_terms"
)
GOOD = (
    "C1001,杭州西溪智能装备有限公司,91330106MA2H3K7P1E,陈工,13957112345,"
    "浙江省,杭州市,西湖区,文三路478号,1000,net30"
)
BAD_USCC = "C1003,坏代码公司,91330106MA2H3K7P1A,王五,13957112345,浙江省,杭州市,,文三路1号,0,"
BAD_PHONE = "C1004,错电话公司,91440300MA5G8XQ21N,赵六,12345,广东省,深圳市,,深南大道1号,0,"
TWO_BAD = (
    "C1006,两处错公司,91440300MA5G8XQ21N,赵六,13957112345,广东省,深圳市,,深南大道1号,abc,weekly"
)


def write(tmp_path: Path, name: str, *lines: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def customer_count(db: Database) -> int:
    return len(masterdata.customers_page(db, READER, None, 1000))


def test_templates_import_clean(db: Database, cast: DemoCast) -> None:
    for kind, who in (("customers", "zhao"), ("products", "zhang"), ("stock", "liu")):
        report = imports.import_file(db, cast[who], kind, SAMPLES / f"{kind}.csv")
        assert report.clean and report.imported == report.rows == 2, report.lines("en")
    with db.reading() as session:
        assert repo.find_customer(session, "C1002").invoice_type == "normal"
        product = repo.find_product(session, "P1002")
        assert not product.stocked and product.tax_code == "6"
        stock = repo.stock_for(session, repo.find_product(session, "P0003").id or 0)
        assert stock.on_hand == Decimal("12.5") and stock.location == "B-02-01"
        assert stock.incoming == Decimal(20)


def test_bad_rows_are_reported_and_nothing_is_imported(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    before = customer_count(db)
    copy = GOOD.replace("C1001", "C1005")
    path = write(tmp_path, "c.csv", HEAD_EN, GOOD, BAD_USCC, BAD_PHONE, copy, TWO_BAD)
    report = imports.import_file(db, cast["zhao"], "customers", path)
    assert report.imported == 0 and customer_count(db) == before
    found = {(p.row, p.field, p.code) for p in report.problems}
    assert (3, "uscc", "code.uscc_check") in found
    assert any(row == 4 and name == "contact_phone" for row, name, _ in found)
    # every cell that does not parse is named, not only the first
    assert {
        (6, "credit_limit", "money.not_a_number"),
        (6, "payment_terms", "import.terms"),
    } <= found
    assert any(
        p.row == 5 and p.field == "uscc" and p.code == "import.duplicate" for p in report.problems
    )
    assert report.rejected == [3, 4, 5, 6] and report.ok_rows == 1
    zh, en = report.lines("zh"), report.lines("en")
    assert "未导入" in zh[0] and "nothing imported" in en[0]
    assert any(line.startswith("第 3 行  统一社会信用代码") for line in zh)
    assert any(line.startswith("row 3  USCC") for line in en)


def test_skip_bad_imports_the_good_rows_in_one_go(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    before = customer_count(db)
    path = write(tmp_path, "c.csv", HEAD_EN, GOOD, BAD_USCC)
    report = imports.import_file(db, cast["zhao"], "customers", path, skip_bad=True)
    assert report.imported == 1 and report.rejected == [3] and report.skipped_bad
    assert customer_count(db) == before + 1


def test_existing_codes_are_rejected_before_writing(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    path = write(
        tmp_path, "p.csv", "code,name,unit,list_price", "P0001,重复,台,1", "P9001,新品,台,1"
    )
    report = imports.import_file(db, cast["zhang"], "products", path)
    assert [(p.row, p.field, p.code) for p in report.problems] == [(2, "code", "md.product_exists")]
    assert report.imported == 0


def test_chinese_headers_gbk_csv_and_xlsx(db: Database, cast: DemoCast, tmp_path: Path) -> None:
    gbk = write(
        tmp_path,
        "p.csv",
        "产品编码,产品名称,单位,标准价,最低价,最高价,订制",
        'P9001,新品甲,台,"1,200.00",1000,1500,是',
        encoding="gbk",
    )
    assert imports.import_file(db, cast["zhang"], "products", gbk).imported == 1
    quoted = write(
        tmp_path,
        "q.csv",
        "产品编码,产品名称,规格,单位,标准价",
        'P9004,"多行,品名","第一行\n第二行",台,10',
    )
    assert imports.import_file(db, cast["zhang"], "products", quoted).imported == 1
    with db.reading() as session:
        assert repo.find_product(session, "P9004").spec == "第一行\n第二行"
    book = Workbook()
    sheet = book.active
    sheet.append(["产品编码", "在库数量", "库位", "在途数量", "预计到货"])
    sheet.append(["P0001", 50, "A-09", 5, "2026-12-31"])
    sheet.append(["P9999", 1, None, None, None])
    sheet.append(["P0002", -1, None, None, "明天"])
    book.save(tmp_path / "s.xlsx")
    report = imports.import_file(db, cast["liu"], "stock", tmp_path / "s.xlsx")
    assert [(p.row, p.field) for p in report.problems] == [
        (3, "product_code"),
        (4, "on_hand"),
        (4, "incoming_date"),
    ]
    assert report.problems[0].message("zh") and report.imported == 0


def test_missing_columns_and_roles(db: Database, cast: DemoCast, tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "code,legal_name", "C1,甲")
    report = imports.import_file(db, cast["zhao"], "customers", path)
    assert {p.field for p in report.problems} >= {"uscc", "contact_phone"}
    assert all(p.row == 1 and p.code == "import.missing_column" for p in report.problems)
    assert "缺少列“统一社会信用代码”" in report.problems[0].message("zh") or any(
        "统一社会信用代码" in p.message("zh") for p in report.problems
    )
    with pytest.raises(PermissionDenied):
        imports.import_file(db, cast["zhou"], "customers", SAMPLES / "customers.csv")
    with pytest.raises(ValidationError) as caught:
        imports.import_file(db, cast["zhao"], "customers", tmp_path / "c.txt")
    assert caught.value.code == "import.format"
