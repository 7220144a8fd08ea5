"""Master data: a menu of customers, products, stock, operators and import, each shown only to
roles that may at least look at it (import: to those who may change some master data). Enter
(or the entry's digit) opens one.

`MasterDataScreen(db, lang, actor)`; the list screens are in `md_customers`, `md_products`,
`md_stock` and `md_operators`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from order_tui.screens.base import OrderScreen, TitleBar
from order_tui.screens.i18n import localize_bindings, register
from order_tui.screens.md_common import may
from order_tui.widgets.cells import fit

if TYPE_CHECKING:
    from order_tui.screens.md_common import MdListScreen
    from order_tui.services import Database
    from order_tui.services.common import Actor

register(
    {
        "md.menu.customers": ("客户", "Customers"),
        "md.menu.products": ("产品", "Products"),
        "md.menu.stock": ("库存", "Stock"),
        "md.menu.operators": ("操作员", "Operators"),
        "md.menu.customers_about": (
            "客户档案、联系人、收货地址",
            "Customer records, contacts, delivery addresses",
        ),
        "md.menu.products_about": (
            "产品、规格、价格区间、税率、生产周期",
            "Products, specs, price ranges, tax, lead times",
        ),
        "md.menu.stock_about": (
            "现存、锁定、可用、在途；入库与调整；流水",
            "On hand, locked, incoming; receipts; ledger",
        ),
        "md.menu.operators_about": ("账号、角色、PIN、停用", "Accounts, roles, PINs, disabling"),
        "md.menu.import": ("导入", "Import"),
        "md.menu.import_about": (
            "从 CSV/XLSX 导入客户、产品、库存数量",
            "Customers, products, stock levels from CSV/XLSX",
        ),
        "md.menu.hint": (
            "↑↓ 选择 · Enter 或数字键打开 · Esc 返回",
            "↑↓ move · Enter or the digit opens · Esc back",
        ),
        "md.menu.edit": ("可修改", "can edit"),
        **{f"key.md_pick_{n}": (f"打开第 {n} 项", f"Open entry {n}") for n in range(1, 6)},
    }
)

# (entry, permission to change it, permission to see it at all: None = everyone)
ENTRIES: list[tuple[str, str, str | None]] = [
    ("customers", "customer", None),
    ("products", "product", None),
    ("stock", "stock", None),
    ("operators", "operator", "operator"),
    ("import", "import", "import"),  # whoever may change customers, products or stock
]


def _may(actor: Actor | None, permission: str) -> bool:
    if permission == "import":
        from order_tui.screens.import_screen import importable

        return bool(importable(actor))
    return may(actor, permission)


def visible_entries(actor: Actor | None) -> list[str]:
    """The entries this operator may open (operators: admin only)."""
    return [name for name, _edit, view in ENTRIES if view is None or _may(actor, view)]


class MenuOptions(OptionList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Open", id="open"),
    ]


class MasterDataScreen(OrderScreen):
    """The master-data menu."""

    DEFAULT_CSS = """
    MasterDataScreen MenuOptions {
        height: auto;
        max-height: 1fr;
        margin: 1 2;
        border: round $primary;
        padding: 0 1;
    }
    MasterDataScreen MenuOptions:nocolor > .option-list--option-highlighted {
        text-style: reverse bold;
    }
    MasterDataScreen #hint {
        height: 1;
        padding: 0 2;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(str(n), f"pick({n})", f"Open entry {n}", id=f"md_pick_{n}", show=False)
        for n in range(1, len(ENTRIES) + 1)
    ]
    HELP_EXTRA: ClassVar[list[tuple[str, str]]] = [("Up / Down", "key.move")]

    def __init__(self, db: Database, lang: str, actor: Actor) -> None:
        super().__init__(db, lang, actor)
        self.entries = visible_entries(actor)

    def compose(self) -> ComposeResult:
        yield TitleBar(self.title_text(self.t("md.title")))
        yield MenuOptions(*self._options(), id="menu")
        yield Static(self.t("md.menu.hint"), id="hint", markup=False)
        yield Footer(show_command_palette=False)

    def _options(self) -> list[Option]:
        edit_map = {name: edit for name, edit, _view in ENTRIES}
        options = []
        for number, name in enumerate(self.entries, start=1):
            line = Text(f"{number}  ", style="bold")
            line.append(fit(self.t(f"md.menu.{name}"), 11), style="bold")
            line.append(fit(self.t(f"md.menu.{name}_about"), 46))
            marker = (
                self.t("md.menu.edit")
                if _may(self.actor, edit_map[name])
                else self.t("md.read_only")
            )
            line.append(" " + marker, style="dim")
            options.append(Option(line, id=name))
        return options

    def on_mount(self) -> None:
        menu = self.query_one(MenuOptions)
        localize_bindings(menu, self.lang)
        menu.highlighted = 0
        menu.focus()

    @on(OptionList.OptionSelected, "#menu")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option_id:
            self.open(event.option_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick":
            return bool(parameters) and int(str(parameters[0])) <= len(self.entries)
        return True

    def action_pick(self, number: int) -> None:
        if 1 <= number <= len(self.entries):
            self.open(self.entries[number - 1])

    def open(self, name: str) -> None:
        """Push the list screen `name` ("customers", "products", "stock", "operators"), or
        the import screen ("import")."""
        if name not in self.entries:
            return
        assert self.actor is not None
        if name == "import":
            from order_tui.screens.import_screen import ImportScreen

            self.app.push_screen(ImportScreen(self.db, self.lang, self.actor))
            return
        screen: MdListScreen
        if name == "customers":
            from order_tui.screens.md_customers import CustomersScreen

            screen = CustomersScreen(self.db, self.lang, self.actor)
        elif name == "products":
            from order_tui.screens.md_products import ProductsScreen

            screen = ProductsScreen(self.db, self.lang, self.actor)
        elif name == "stock":
            from order_tui.screens.md_stock import StockScreen

            screen = StockScreen(self.db, self.lang, self.actor)
        else:
            from order_tui.screens.md_operators import OperatorsScreen

            screen = OperatorsScreen(self.db, self.lang, self.actor)
        self.app.push_screen(screen)
