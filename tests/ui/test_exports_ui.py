"""F8 exports the list in view, the master-data menu imports files, F8 on an order prints
the sales order sheet: at 80x24, keys only, in zh and en."""

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from order_tui.app import OrderApp
from order_tui.screens.import_screen import ImportScreen
from order_tui.screens.md_customers import CustomersScreen
from order_tui.screens.order_detail import OrderDetailScreen
from order_tui.screens.print_dialog import PrintPathDialog
from order_tui.services import Database
from tests.ui.pilot import logged_in, press, screen_text, settle, until

SIZE = (80, 24)


async def test_f8_on_the_worklist_writes_xlsx(db: Database) -> None:
    app = OrderApp(db, demo=True, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        await press(pilot, "f8")
        assert isinstance(app.screen, PrintPathDialog)
        assert "导出 我的待办" in screen_text(pilot)
        await press(pilot, "enter")
        await settle(pilot)
        [path] = (db.data_dir / "exports").glob("worklist-*.xlsx")
        rows = list(load_workbook(path).active.iter_rows(values_only=True))
        assert rows[0][:2] == ("队列", "订单号")
        assert any(r[3] == "北京华宇科技有限公司" for r in rows[1:])
        # the status line or the toast says so (a worklist refresh may take the status line)
        await until(pilot, lambda: "已导出" in screen_text(pilot))


async def test_f8_on_the_customers_list_writes_csv_in_english(db: Database) -> None:
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        await press(pilot, "f7", "1")
        assert isinstance(app.screen, CustomersScreen)
        await press(pilot, "f8")
        assert "Export Customers" in screen_text(pilot)
        await press(pilot, "end", *["backspace"] * 4, *"csv", "enter")
        await settle(pilot)
        [path] = (db.data_dir / "exports").glob("customers-*.csv")
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(path.open(encoding="utf-8-sig")))
        assert rows[0] == ["Code", "Legal name", "USCC", "Credit limit"]
        assert rows[1][:2] == ["C0001", "北京华宇科技有限公司"]


async def test_import_from_the_master_data_menu(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a short relative path to type
    bad = tmp_path / "p.csv"
    bad.write_text(
        "产品编码,产品名称,单位,标准价\nP9001,新品,台,100\nP9002,坏价,台,abc\n", encoding="utf-8"
    )
    for lang, rejected, done in (("zh", "第", "已导入 1 行"), ("en", "rows rejected", "1 rows")):
        app = OrderApp(db, demo=True, lang=lang)
        async with app.run_test(size=SIZE) as pilot:
            await logged_in(pilot, "zhang")  # the sales manager may change products
            await press(pilot, "f7")
            text = screen_text(pilot)
            assert ("导入" if lang == "zh" else "Import") in text
            await press(pilot, "4")
            assert isinstance(app.screen, ImportScreen)
            await press(pilot, "right", "tab")  # customers -> products, then the path
            await pilot.press(*"p.csv")
            await press(pilot, "enter")
            await settle(pilot)
            text = screen_text(pilot)
            if lang == "zh":
                assert "未导入任何数据" in text and "标准价" in text and "3" in text
            else:
                assert rejected in text and "List price" in text
            await press(pilot, "f10")
            await settle(pilot)
            assert done in screen_text(pilot)
        bad.write_text(bad.read_text(encoding="utf-8").replace("P9001", "P9003"), encoding="utf-8")


async def test_f8_on_an_order_prints_the_sales_order(db: Database) -> None:
    app = OrderApp(db, demo=True, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        await press(pilot, "enter")
        assert isinstance(app.screen, OrderDetailScreen), screen_text(pilot)
        order_no = app.screen.order_no
        await press(pilot, "f8")
        assert isinstance(app.screen, PrintPathDialog)
        await press(pilot, "enter")
        await settle(pilot)
        assert (db.data_dir / "documents" / f"{order_no}-sales-order.pdf").exists()


async def test_f8_on_a_paged_list_walks_every_page(db: Database) -> None:
    """The holds list (a `PagedListScreen`): F8 exports what its query returns, page by page."""
    app = OrderApp(db, demo=True, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "zhao")
        await press(pilot, "h", "f8", "enter")
        await settle(pilot)
        [path] = (db.data_dir / "exports").glob("holds-*.xlsx")
        rows = list(load_workbook(path).active.iter_rows(values_only=True))
        assert rows[0][2] == "订单号" and len(rows) == 3  # the header and the two holds
        assert {r[3] for r in rows[1:]} >= {"上海浦江精密机械有限公司"}
