"""Lists out to CSV and XLSX: Chinese intact in Excel, typed cells, no formula injection,
and a long list paged through rather than loaded at once."""

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from order_tui.domain.errors import ValidationError
from order_tui.services import exports
from order_tui.services.demo import DemoCast
from order_tui.services.exports import ExportTable, export_table, pages
from order_tui.store.engine import Database
from tests.reader import READER

ROWS = [
    ("C0001", "北京华宇科技有限公司", Decimal("1234.50"), date(2026, 11, 27), '含,逗号\n与"引号"'),
    ("C0002", '=HYPERLINK("http://x")', Decimal("-5.00"), None, "+86 139"),
    ("C0003", "@SUM(A1)", Decimal("2.5"), date(2026, 1, 2), "-1"),
]


def table() -> ExportTable:
    return ExportTable("客户 列表", ["编码", "名称", "金额", "日期", "备注"], iter(ROWS))


def test_csv_has_a_bom_quotes_and_keeps_chinese(tmp_path: Path) -> None:
    path = export_table(table(), tmp_path / "out" / "客户.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel on Chinese Windows reads UTF-8 only so
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["编码", "名称", "金额", "日期", "备注"]
    assert rows[1] == [
        "C0001",
        "北京华宇科技有限公司",
        "1234.50",
        "2026-11-27",
        '含,逗号\n与"引号"',
    ]
    # formula injection: text that a spreadsheet would run gets an apostrophe; numbers stay
    assert rows[2] == ["C0002", '\'=HYPERLINK("http://x")', "-5.00", "", "'+86 139"]
    assert rows[3][1] == "'@SUM(A1)" and rows[3][4] == "'-1"
    assert not list(tmp_path.glob("out/*.tmp"))


def test_xlsx_types_chinese_and_escaping(tmp_path: Path) -> None:
    path = export_table(table(), tmp_path / "客户.XLSX")
    book = load_workbook(path)
    sheet = book.active
    assert sheet.title == "客户 列表"
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["编码", "名称", "金额", "日期", "备注"]
    assert sheet["A1"].font.b
    assert values[1][:2] == ["C0001", "北京华宇科技有限公司"]
    assert values[1][2] == pytest.approx(1234.5) and sheet["C2"].number_format == "#,##0.00"
    assert sheet["D2"].is_date and sheet["D2"].value.date() == date(2026, 11, 27)
    assert sheet["E2"].value == '含,逗号\n与"引号"'
    # stored as text (never a formula), shown as typed
    assert sheet["B3"].data_type == "s" and sheet["B3"].value == '=HYPERLINK("http://x")'
    assert sheet["B3"].quotePrefix
    assert sheet["C3"].value == pytest.approx(-5)  # a negative number is a number
    assert sheet["C4"].number_format != "#,##0.00"  # not money: 2.5 as a plain number


def test_unknown_suffix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        export_table(table(), tmp_path / "x.txt")
    assert caught.value.code == "export.format"


def test_pages_walks_by_key_one_page_at_a_time() -> None:
    data = list(range(1, 1001))
    calls: list[int | None] = []

    def fetch(after: int | None) -> list[int]:
        calls.append(after)
        start = 0 if after is None else after
        return data[start : start + 100]

    walked = pages(fetch, lambda x: x)
    assert next(walked) == 1 and calls == [None]  # lazy: one page asked so far
    assert [1, *walked] == data
    assert calls == [None, *range(100, 1001, 100)]


def test_many_rows_stream_to_xlsx(tmp_path: Path) -> None:
    count = 5_000
    seen: list[int] = []
    rows = ((f"SO{i:08d}", "华东客户", Decimal(i) / 100, date(2026, 1, 1)) for i in range(count))
    result = exports.export(
        ExportTable("大清单", ["订单", "客户", "金额", "日期"], rows),
        tmp_path / "big.xlsx",
        seen.append,
    )
    assert result.rows == count and seen[-1] == count
    sheet = load_workbook(result.path, read_only=True).active
    assert sum(1 for _ in sheet.iter_rows(values_only=True)) == count + 1


def test_service_lists_page_through_the_database(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    path = export_table(exports.customers_table(db, READER, "zh"), tmp_path / "c.xlsx")
    sheet = load_workbook(path).active
    assert sheet["A1"].value == "客户编码" and sheet["B2"].value == "北京华宇科技有限公司"
    assert sheet["D2"].value == pytest.approx(500000) and sheet["D2"].number_format == "#,##0.00"
    stock = export_table(exports.stock_table(db, READER, "en"), tmp_path / "s.csv")
    text = stock.read_text(encoding="utf-8-sig")
    assert text.startswith("Code,Name,Spec,Unit,On hand") and "P0002" in text
    products = list(exports.products_table(db, READER, "en").rows)
    assert len(products) == len({p[0] for p in products}) > 10  # every product once


def test_default_path_is_in_the_exports_folder(db: Database) -> None:
    path = exports.default_path(db, "customers")
    assert path.parent == db.data_dir / "exports"
    assert path.name.startswith("customers-") and path.suffix == ".xlsx"
