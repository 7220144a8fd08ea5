"""Master-data screens at 80x24, keys only, in zh and en: menu, customers, products, stock,
operators."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input

import order_tui.app as app_module
from order_tui.app import OrderApp
from order_tui.screens.customer_form import CustomerFormScreen
from order_tui.screens.i18n import STRINGS
from order_tui.screens.masterdata import MasterDataScreen
from order_tui.screens.md_common import PAGE, MdDialog, PagedOptions, PagedTable
from order_tui.screens.md_customers import CustomersScreen
from order_tui.screens.md_operators import OperatorFormScreen, OperatorsScreen, RolesDialog
from order_tui.screens.md_products import ProductFormScreen, ProductsScreen
from order_tui.screens.md_stock import LedgerScreen, ReceiptDialog, StockScreen
from order_tui.services import Database, masterdata, operators
from order_tui.services.demo import build_demo
from order_tui.store.engine import open_database
from order_tui.store.migrate import ensure_schema
from tests.reader import READER
from tests.ui.pilot import screen_text, until

SIZE = (80, 24)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, built once per module and copied for each test."""
    folder = tmp_path_factory.mktemp("md-demo-template")
    db = open_database(f"sqlite:///{folder}/orders.db", folder)
    ensure_schema(db)
    build_demo(db)
    db.dispose()
    return folder / "orders.db"


class MdApp(OrderApp):
    """The real app, logged in as `username`, starting on the given master-data screen."""

    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))  # not next to this file

    def __init__(self, db: Database, username: str, lang: str, start: str = "menu") -> None:
        super().__init__(db, lang=lang)
        self.username = username
        self.start = start

    def show_login(self) -> None:
        actor = operators.find_actor(self.db, self.username)
        self.actor = actor
        screens: dict[str, type[Screen[object]]] = {
            "menu": MasterDataScreen,
            "customers": CustomersScreen,
            "products": ProductsScreen,
            "stock": StockScreen,
            "operators": OperatorsScreen,
        }
        self.push_screen(screens[self.start](self.db, self.lang, actor))  # type: ignore[call-arg]


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.05)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def go_to(pilot: Pilot[None], key: str) -> None:
    """Down until the cursor is on row `key` of the list in view."""
    options = pilot.app.screen.query_one(PagedOptions)
    for _ in range(options.option_count + 1):
        index = options.highlighted
        if index is not None and options.get_option_at_index(index).id == key:
            return
        await pilot.press("down")
    raise AssertionError(f"{key} is not in the list")


def value(pilot: Pilot[None], name: str) -> str:
    return pilot.app.screen.query_one(f"#f-{name}", Input).value


def error(pilot: Pilot[None], name: str) -> str:
    from textual.widgets import Static

    widget = pilot.app.screen.query_one(f"#e-{name}", Static)
    return str(widget.content) if widget.has_class("-shown") else ""


def footer_line(pilot: Pilot[None]) -> str:
    return screen_text(pilot).splitlines()[-1]


# -- menu ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "lang", "expected"),
    [
        ("zhao", "zh", ["客户", "产品", "库存", "导入"]),
        ("liu", "en", ["Customers", "Products", "Stock", "Import"]),
        ("admin", "zh", ["客户", "产品", "库存", "操作员"]),
        ("admin", "en", ["Customers", "Products", "Stock", "Operators"]),
    ],
)
async def test_menu_shows_what_the_roles_may_see(
    db: Database, username: str, lang: str, expected: list[str]
) -> None:
    async with MdApp(db, username, lang).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, MasterDataScreen)
        assert screen.entries == [
            "customers",
            "products",
            "stock",
            # admin: operators; who may change some master data: import
            *(["operators"] if username == "admin" else ["import"]),
        ]
        text = screen_text(pilot)
        for label in expected:
            assert re.search(rf"\d  {label}", text), text
        # the digit of an entry opens it; Esc comes back
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(pilot.app.screen, StockScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, MasterDataScreen)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ProductsScreen)


async def test_non_admin_sees_no_operators_entry(db: Database) -> None:
    async with MdApp(db, "zhang", "zh").run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(pilot)
        assert "操作员" not in text.split("\n", 1)[1]  # (the title bar says 张总's role)
        assert "账号、角色" not in text
        await pilot.press("5")  # no fifth entry (the fourth is import): nothing opens
        await settle(pilot)
        assert isinstance(pilot.app.screen, MasterDataScreen)
        await pilot.press("end", "up", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, StockScreen)


# -- products ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "message"),
    [("zh", "价格须满足 最低价 ≤ 标准价 ≤ 最高价"), ("en", "Prices must satisfy floor ≤ list")],
)
async def test_product_with_floor_above_list_is_refused_then_fixed(
    db: Database, lang: str, message: str
) -> None:
    async with MdApp(db, "zhang", lang, "products").run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ProductFormScreen)
        await pilot.press(*"P0099", "enter", *"测试水泵", "enter", *"TP-100", "enter")
        await pilot.press(*"台", "enter", *"1,000", "enter", *"1200", "enter", *"1500", "enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ProductFormScreen)
        assert message in error(pilot, "list_price")
        assert message in screen_text(pilot)
        # nothing typed is lost
        assert value(pilot, "name") == "测试水泵"
        assert value(pilot, "floor_price") == "1200"
        # fix the floor price (the cursor is on the list price: Tab to the floor)
        await pilot.press("tab", *["backspace"] * 4, *"900", "ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ProductsScreen), screen_text(pilot)
        saved, version = masterdata.product_input(db, READER, "P0099")
        assert (saved.name, saved.spec, saved.unit) == ("测试水泵", "TP-100", "台")
        assert (saved.floor_price, saved.list_price, saved.ceiling_price) == (
            Decimal("900"),
            Decimal("1000"),
            Decimal("1500"),
        )
        assert version == 1
        assert "P0099" in screen_text(pilot)
        assert pilot.app.screen.query_one(PagedTable).highlighted_key == "P0099"


async def test_product_edit_keeps_input_on_a_stale_version(db: Database) -> None:
    async with MdApp(db, "zhang", "en", "products").run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to(pilot, "P0005")
        await pilot.press("enter")
        await settle(pilot)
        assert value(pilot, "name") == "不锈钢法兰"
        # someone else changes the product meanwhile
        data, version = masterdata.product_input(db, READER, "P0005")
        data.lead_time_days = 9
        masterdata.update_product(db, operators.find_actor(db, "zhang"), data, version)
        await pilot.press("end", *"-A")  # the cursor is in the name field
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Someone else changed this record" in screen_text(pilot)
        await pilot.press("n")  # keep my input
        await settle(pilot)
        assert isinstance(pilot.app.screen, ProductFormScreen)
        assert value(pilot, "name") == "不锈钢法兰-A"
        assert "Changed by someone else" in screen_text(pilot)


async def test_zhao_sees_products_read_only(db: Database) -> None:
    async with MdApp(db, "zhao", "zh", "products").run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(pilot)
        assert "产品（只读）" in text
        assert "新增" not in footer_line(pilot)
        await pilot.press("a")  # not allowed: nothing happens
        await settle(pilot)
        assert isinstance(pilot.app.screen, ProductsScreen)
        await pilot.press("enter")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, ProductFormScreen)
        assert form.read_only
        assert "只读：只有销售经理可以修改产品" in screen_text(pilot)
        assert value(pilot, "name") == "工业控制器"
        assert all(w.disabled for w in form.query(".md-input"))
        assert "保存" not in footer_line(pilot)
        await pilot.press(*"xyz", "ctrl+s")
        await settle(pilot)
        assert masterdata.product_input(db, READER, "P0001")[1] == 1  # unchanged
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ProductsScreen)


async def test_products_load_the_next_page_near_the_end(db: Database) -> None:
    manager = operators.find_actor(db, "zhang")
    for n in range(PAGE):
        masterdata.add_product(
            db,
            manager,
            masterdata.ProductInput(
                f"Q{n:04d}", f"批量产品{n}", "", "件", Decimal(10), Decimal(9), Decimal(11)
            ),
        )
    async with MdApp(db, "zhang", "en", "products").run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = pilot.app.screen.query_one(PagedTable)
        assert len(table.rows) == PAGE and table.more
        await pilot.press("end")
        await settle(pilot)
        assert len(table.rows) == PAGE + 14  # 14 demo products + 50 more
        assert not table.more
        await pilot.press("end")
        assert table.highlighted_key == "Q0049"
        assert "64 rows" in screen_text(pilot)


async def test_filter_by_initials_and_clear(db: Database) -> None:
    async with MdApp(db, "zhao", "zh").run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("slash", *"bjhy")
        await settle(pilot)
        table = pilot.app.screen.query_one(PagedTable)
        assert [r.key for r in table.rows] == ["C0001"]
        assert "筛选“bjhy”：1 项" in screen_text(pilot)
        await pilot.press("escape")  # clears the filter, stays on the screen
        await settle(pilot)
        assert isinstance(pilot.app.screen, CustomersScreen)
        assert len(table.rows) == 10
        await pilot.press("escape")  # now Esc goes back
        await settle(pilot)
        assert isinstance(pilot.app.screen, MasterDataScreen)


async def test_a_long_contact_name_keeps_to_one_row(db: Database) -> None:
    """The contacts and addresses under the list are counted rows: an 80-character name is
    cut with an ellipsis, not wrapped over the addresses."""
    zhao = operators.login(db, "zhao", "1234")
    masterdata.add_contact(db, zhao, "C0001", "中" * 80, "13912345678", make_default=True)
    async with MdApp(db, "zhao", "zh").run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        rows = screen_text(pilot).splitlines()
        at = next(i for i, row in enumerate(rows) if "中中中" in row)
        assert rows[at].rstrip().endswith("…"), rows[at]
        assert "李经理" in rows[at + 1] and "收货地址" in rows[at + 2], "\n".join(rows)


# -- stock --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_liu_records_a_receipt_and_sees_it_in_the_ledger(db: Database, lang: str) -> None:
    before = {r.code: r for r in masterdata.stock_page(db, READER, None, 50)}["P0003"]
    async with MdApp(db, "liu", lang, "stock").run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to(pilot, "P0003")
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReceiptDialog)
        await pilot.press(*"20", "ctrl+s")  # a reason is required
        await settle(pilot)
        assert error(pilot, "note") == ("请填写原因" if lang == "zh" else "Give a reason")
        await pilot.press(*"PO-7788", "ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, StockScreen)
        after = {r.code: r for r in masterdata.stock_page(db, READER, None, 50)}["P0003"]
        assert after.on_hand == before.on_hand + 20
        row = next(line for line in screen_text(pilot).splitlines() if "P0003" in line)
        assert f" {after.on_hand.normalize():f} " in row
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, LedgerScreen)
        shown = screen_text(pilot).splitlines()
        header = next(i for i, line in enumerate(shown) if re.search(r"(说明|Note) *$", line))
        first = shown[header + 1]  # newest first
        assert re.search(r"(入库|receipt) +\+20 PO-7788", first), first
        # an adjustment that would take on-hand below what is locked is refused
        await pilot.press("r")
        await settle(pilot)
        await pilot.press(*f"-{after.on_hand + 1}", "enter", *"盘点", "ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReceiptDialog)
        assert error(pilot, "qty")


async def test_closing_a_dialog_with_input_asks_first(db: Database) -> None:
    async with MdApp(db, "liu", "en", "stock").run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press(*"7", "escape")
        await settle(pilot)
        assert "Drop what you typed and close?" in screen_text(pilot)
        await pilot.press("n")  # stay: the input is still there
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReceiptDialog)
        assert value(pilot, "qty") == "7"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(pilot.app.screen, StockScreen)


async def test_zhao_cannot_record_stock(db: Database) -> None:
    async with MdApp(db, "zhao", "zh", "stock").run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "库存（只读）" in screen_text(pilot)
        assert "入库" not in footer_line(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(pilot.app.screen, StockScreen)


# -- operators ------------------------------------------------------------------------------


async def test_admin_adds_an_operator_and_changes_roles(db: Database) -> None:
    async with MdApp(db, "admin", "zh", "operators").run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(pilot.app.screen, OperatorFormScreen)
        await pilot.press(*"qian", "enter", *"钱会计", "enter", "enter")
        await pilot.press(*"2468", "enter", *"2469", "enter")
        await pilot.press("space", "ctrl+s")  # Sales rep ticked; PINs differ
        await settle(pilot)
        assert error(pilot, "pin2") == "两次输入的 PIN 不一致"
        assert value(pilot, "username") == "qian"
        await pilot.press(*["backspace"] * 4, *"2468", "ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, OperatorsScreen), screen_text(pilot)
        qian = {o["username"]: o for o in operators.list_operators(db, READER)}["qian"]
        assert qian["roles"] == "sales_rep"
        assert re.search(r"qian +钱会计 +销售代表", screen_text(pilot))
        assert pilot.app.screen.query_one(PagedTable).highlighted_key == "qian"
        # change roles: add finance, drop sales rep
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(pilot.app.screen, RolesDialog)
        await pilot.press("space", "down", "down", "down", "space", "ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, OperatorsScreen)
        qian = {o["username"]: o for o in operators.list_operators(db, READER)}["qian"]
        assert qian["roles"] == "finance"
        assert re.search(r"qian +钱会计 +财务", screen_text(pilot))
        operators.login(db, "qian", "2468")  # the PIN works


async def test_admin_resets_a_pin_and_disables(db: Database) -> None:
    async with MdApp(db, "admin", "en", "operators").run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to(pilot, "wu")
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"9999", "enter", *"9999", "enter")  # Enter on the last field saves
        await settle(pilot)
        assert isinstance(pilot.app.screen, OperatorsScreen)
        operators.login(db, "wu", "9999")
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        wu = {o["username"]: o for o in operators.list_operators(db, READER)}["wu"]
        assert not wu["active"]
        assert re.search(r"wu +吴助理 .*disabled", screen_text(pilot))


# -- customers ------------------------------------------------------------------------------


async def test_customer_edit_with_a_stale_version_shows_the_conflict(db: Database) -> None:
    async with MdApp(db, "zhao", "zh", "customers").run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to(pilot, "C0002")
        await pilot.press("enter")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, CustomerFormScreen)
        assert form.query_one("#legal_name", Input).value == "上海浦江精密机械有限公司"
        # another clerk saves the same customer meanwhile
        data, version = masterdata.customer_input(db, READER, "C0002")
        data.credit_limit = Decimal("900000")
        masterdata.update_customer(db, operators.find_actor(db, "wang"), data, version)
        await pilot.press("end", *" HQ", "ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form
        assert "已被他人修改" in screen_text(pilot), screen_text(pilot)
        assert form.query_one("#legal_name", Input).value == "上海浦江精密机械有限公司 HQ"
        assert (
            masterdata.customer_input(db, READER, "C0002")[0].legal_name
            == "上海浦江精密机械有限公司"
        )


async def test_customer_edit_saves_and_the_list_follows(db: Database) -> None:
    async with MdApp(db, "wang", "en", "customers").run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to(pilot, "C0004")
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CustomerFormScreen)
        await pilot.press("end", *"-SZ", "ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CustomersScreen), screen_text(pilot)
        data, version = masterdata.customer_input(db, READER, "C0004")
        assert data.legal_name == "深圳市南山智联自动化有限公司-SZ" and version == 2
        assert "深圳市南山智联自动化有限公司-SZ" in screen_text(pilot)
        assert pilot.app.screen.query_one(PagedTable).highlighted_key == "C0004"


async def test_customer_contacts_and_addresses(db: Database) -> None:
    async with MdApp(db, "zhao", "en", "customers").run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to(pilot, "C0003")
        await until(pilot, lambda: "陈晓燕" in screen_text(pilot))
        text = screen_text(pilot)
        assert "Contacts (1)" in text and "陈晓燕 18662534817 [default]" in text
        assert "Delivery addresses (1)" in text
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(pilot.app.screen, MdDialog)
        await pilot.press(*"周工", "enter", *"123", "ctrl+s")
        await settle(pilot)
        assert error(pilot, "contact_phone") == "Not a valid mobile or landline number"
        await pilot.press(*["backspace"] * 3, *"0512-66581208", "ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CustomersScreen)
        assert [c.name for c in masterdata.contacts(db, READER, "C0003")] == ["陈晓燕", "周工"]
        assert "Contacts (2)" in screen_text(pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press(*"江苏省", "enter", *"苏州市", "enter", "enter", "ctrl+s")
        await settle(pilot)
        assert error(pilot, "detail") == "Required"
        await pilot.press(*"工业园区星湖街 328 号", "ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CustomersScreen)
        assert "Delivery addresses (2)" in screen_text(pilot)
        assert len(masterdata.addresses(db, READER, "C0003")) == 2


async def test_customers_read_only_for_the_warehouse(db: Database) -> None:
    async with MdApp(db, "liu", "zh", "customers").run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "客户（只读）" in screen_text(pilot)
        await pilot.press("a", "c", "d")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CustomersScreen)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(pilot)
        assert "客户 C0001（只读）" in text and "91110108700286417J" in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CustomersScreen)


# -- keys --------------------------------------------------------------------------------------


def test_every_binding_has_an_id_and_both_languages() -> None:
    from order_tui.screens import masterdata as menu
    from order_tui.screens import md_common, md_customers, md_operators, md_products, md_stock

    classes = [
        obj
        for module in (menu, md_common, md_customers, md_operators, md_products, md_stock)
        for obj in vars(module).values()
        if isinstance(obj, type) and obj.__module__ == module.__name__ and "BINDINGS" in vars(obj)
    ]
    assert len(classes) >= 10
    for cls in classes:
        for binding in cls.BINDINGS:
            assert binding.id, (cls.__name__, binding.key)  # type: ignore[union-attr]
            assert f"key.{binding.id}" in STRINGS, binding.id  # type: ignore[union-attr]


async def test_the_manager_marks_a_product_as_not_stocked(db: Database) -> None:
    """The Stocked box by keys (Tab to it, space), saved; the list says 否 in its column."""
    async with MdApp(db, "zhang", "zh", "products").run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "存货" in screen_text(pilot).splitlines()[1]  # the column heading
        await go_to(pilot, "P0013")
        await pilot.press("enter")
        await settle(pilot)
        box = pilot.app.screen.query_one("#f-stocked")
        assert box.value is True  # type: ignore[attr-defined]
        for _ in range(12):
            if pilot.app.screen.focused is box:
                break
            await pilot.press("tab")
        assert pilot.app.screen.focused is box
        await pilot.press("space", "ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ProductsScreen), screen_text(pilot)
        saved, _version = masterdata.product_input(db, READER, "P0013")
        assert saved.stocked is False
        row = next(ln for ln in screen_text(pilot).splitlines() if "P0013" in ln)
        assert row.rstrip().endswith("否")
