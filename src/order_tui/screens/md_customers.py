"""Customers: a keyset-paged list with the selected customer's contacts and delivery addresses
below it. Adding and editing a customer is `CustomerFormScreen` (shared with the intake);
contacts and addresses are added in small dialogs here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, OptionList, Static

from order_tui.domain.errors import ValidationError
from order_tui.domain.terms import INVOICE_TYPES, PAYMENT_TERMS, label
from order_tui.screens.fmt import money
from order_tui.screens.i18n import localize_bindings, register, t
from order_tui.screens.md_common import (
    MdDialog,
    MdListScreen,
    TickBox,
    error_text,
    field_row,
    may,
)
from order_tui.widgets.field_input import FieldInput
from order_tui.widgets.grouped_table import Column, Row

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor

register(
    {
        "md.customers": ("客户", "Customers"),
        "md.customers_ro": ("客户（只读）", "Customers (read-only)"),
        "md.cust.col.code": ("编码", "Code"),
        "md.cust.col.name": ("名称", "Legal name"),
        "md.cust.col.uscc": ("统一社会信用代码", "USCC"),
        "md.cust.col.credit": ("信用额度", "Credit limit"),
        "md.cust.contacts": ("联系人（{count}）", "Contacts ({count})"),
        "md.cust.addresses": ("收货地址（{count}）", "Delivery addresses ({count})"),
        "md.cust.add_contact_hint": ("c 新增", "c adds"),
        "md.cust.add_address_hint": ("d 新增", "d adds"),
        "md.cust.default": ("默认", "default"),
        "md.cust.more": ("（另有 {count} 个未列出）", "({count} more not listed)"),
        "md.cust.contact_title": ("新增联系人：{code} {name}", "New contact: {code} {name}"),
        "md.cust.address_title": ("新增收货地址：{code} {name}", "New address: {code} {name}"),
        "md.cust.contact_name": ("联系人", "Name"),
        "md.cust.phone": ("电话", "Phone"),
        "md.cust.phone_ph": ("手机或座机 010-12345678", "mobile or 010-12345678"),
        "md.cust.make_default": ("设为默认", "Default"),
        "md.cust.make_default_box": ("下单时默认使用", "use by default on new orders"),
        "md.cust.province": ("省份", "Province"),
        "md.cust.city": ("城市", "City"),
        "md.cust.district": ("区县", "District"),
        "md.cust.detail": ("详细地址", "Street address"),
        "md.cust.postcode": ("邮编", "Postcode"),
        "md.cust.contact_saved": ("已新增联系人", "Contact added"),
        "md.cust.address_saved": ("已新增地址", "Address added"),
        "md.cust.view_title": ("客户 {code}（只读）", "Customer {code} (read-only)"),
        "md.cust.view_close": ("Esc 关闭", "Esc closes"),
        "md.cust.name": ("名称", "Legal name"),
        "md.cust.uscc": ("信用代码", "USCC"),
        "md.cust.contact": ("联系人", "Contact"),
        "md.cust.address": ("地址", "Address"),
        "md.cust.bank": ("开户行/账号", "Bank / account"),
        "md.cust.credit": ("信用额度", "Credit limit"),
        "md.cust.terms": ("付款条件", "Payment terms"),
        "md.cust.invoice": ("发票", "Invoice"),
        "md.cust.terms_list": ("{terms}；默认 {default}", "{terms}; default {default}"),
        "key.md_contact": ("加联系人", "Add contact"),
        "key.md_address": ("加地址", "Add address"),
        "key.md_profile": ("客户档案", "Profile"),  # screens/profile.py
        "md.cust.profile_hint": (
            "p 客户档案：成交、交期、投诉、信用",
            "p profile: deals, delivery, complaints, credit",
        ),
    }
)

SIDE_ROWS = 2  # contacts / addresses shown under the list (the rest counted)


@dataclass(frozen=True)
class CustomerRow:
    code: str
    legal_name: str
    uscc: str
    credit_limit: Decimal


def full_address(a: Any) -> str:
    text = f"{a.province}{a.city if a.city != a.province else ''}{a.district}{a.detail}"
    return f"{text} {a.postcode}".strip()


class CustomersScreen(MdListScreen):
    """Customers by code. Enter / e: edit · a: add · c: add contact · d: add address."""

    DEFAULT_CSS = """
    CustomersScreen #side {
        height: 7;
        padding: 0 1;
        border-top: solid $primary;
        /* one row per contact or address, however long the name: the rows are counted */
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", id="md_add"),
        Binding("e", "edit", "Edit", id="md_edit", show=False),
        # shown beside the contacts / addresses below the list, not in the footer
        Binding("c", "contact", "Add contact", id="md_contact", show=False),
        Binding("d", "address", "Add address", id="md_address", show=False),
        # named below the contacts and addresses (the footer is full at 80 columns)
        Binding("p", "profile", "Profile", id="md_profile", show=False),
    ]

    def __init__(self, db: Database, lang: str, actor: Actor) -> None:
        super().__init__(db, lang, actor)
        self.can_edit = may(actor, "customer")
        self.side_for: str | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_list()
        yield Static("", id="side", markup=False)
        yield Static("", id="status", markup=False)
        yield Footer(show_command_palette=False)

    def export_table(self) -> Any:
        """F8: the service's typed customers table (numbers, dates); the filter's hits as shown."""
        if self.filter_text:
            return super().export_table()
        from order_tui.services import exports

        return exports.customers_table(self.db, self.actor, self.lang)

    def list_title(self) -> str:
        return self.t("md.customers" if self.can_edit else "md.customers_ro")

    def enter_key(self) -> str | None:
        return "md_edit" if self.can_edit else "md_view"

    def columns(self) -> list[Column]:
        return [
            Column(self.t("md.cust.col.code"), 5),
            Column(self.t("md.cust.col.name"), 16, flex=1),
            Column(self.t("md.cust.col.uscc"), 18),
            Column(self.t("md.cust.col.credit"), 12, align="right"),
        ]

    def page(self, after: str | None) -> list[Any]:
        from order_tui.services import masterdata

        return [
            CustomerRow(*c) for c in masterdata.customers_page(self.db, self.actor, after, limit=50)
        ]

    def search(self, text: str) -> list[Any]:
        from order_tui.services import lookup

        return [
            CustomerRow(h.code, h.legal_name, h.uscc, h.credit_limit)
            for h in lookup.customers(self.db, self.actor, text, 200)
        ]

    def row(self, item: Any) -> Row:
        return Row(
            key=item.code,
            cells=(item.code, item.legal_name, item.uscc, money(item.credit_limit)),
        )

    # -- contacts and addresses of the highlighted customer ------------------------------------

    def highlighted(self, key: str | None) -> None:
        if key == self.side_for:
            return
        first = self.side_for is None
        self.side_for = key
        if key is None:
            self.query_one("#side", Static).update("")
            return
        if first:
            self.load_side(key)
        else:
            self.set_timer(0.15, lambda: self._side_due(key))  # not for every row passed over

    def _side_due(self, key: str) -> None:
        if self.is_attached and key == self.side_for:
            self.load_side(key)

    @work(thread=True, exclusive=True, group="md-side", exit_on_error=False)
    def load_side(self, code: str) -> None:
        from order_tui.services import masterdata

        try:
            contacts = masterdata.contacts(self.db, self.actor, code)
            addresses = masterdata.addresses(self.db, self.actor, code)
        except Exception as exc:
            self.app.call_from_thread(self._side_failed, code, exc)
            return
        self.app.call_from_thread(self._show_side, code, contacts, addresses)

    def _side_failed(self, code: str, exc: Exception) -> None:
        if self.is_attached and code == self.side_for:
            self.query_one("#side", Static).update(error_text(exc, self.lang))

    def _show_side(self, code: str, contacts: list[Any], addresses: list[Any]) -> None:
        if not self.is_attached or code != self.side_for:
            return
        mark = self.t("md.cust.default")
        lines: list[Text] = []

        def listed(title: str, hint: str, items: list[Any], render: Any) -> None:
            heading = Text(title, style="bold")
            if len(items) > SIDE_ROWS:
                heading.append("  " + self.t("md.cust.more", count=len(items) - SIDE_ROWS))
            if self.can_edit:
                heading.append("  " + hint, style="dim")
            lines.append(heading)
            for item in sorted(items, key=lambda i: not i.is_default)[:SIDE_ROWS]:
                line = Text("  " + render(item))
                if item.is_default:
                    line.append(f" [{mark}]", style="bold")
                lines.append(line)

        listed(
            self.t("md.cust.contacts", count=len(contacts)),
            self.t("md.cust.add_contact_hint"),
            contacts,
            lambda c: f"{c.name} {c.phone}",
        )
        listed(
            self.t("md.cust.addresses", count=len(addresses)),
            self.t("md.cust.add_address_hint"),
            addresses,
            full_address,
        )
        if self.check_action("profile", ()):
            lines.append(Text(self.t("md.cust.profile_hint"), style="dim"))
        side = Text("\n").join(lines)
        self.query_one("#side", Static).update(side)

    def _refresh_side(self, saved: object) -> None:
        if saved and self.is_attached and self.side_for:
            self.load_side(self.side_for)

    # -- keys -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add", "contact", "address"):
            return self.can_edit
        if action == "profile":  # sales and finance
            from order_tui.domain.profile import may_view

            return self.actor is not None and may_view(self.actor.roles)
        return super().check_action(action, parameters)

    def _current(self) -> CustomerRow | None:
        return self.items.get(self.table.highlighted_key or "")  # type: ignore[no-any-return]

    def action_add(self) -> None:
        from order_tui.screens.customer_form import CustomerFormScreen

        assert self.actor is not None
        self.app.push_screen(CustomerFormScreen(self.db, self.lang, self.actor), self._saved)

    def action_edit(self) -> None:
        item = self._current()
        if item is None:
            return
        assert self.actor is not None
        if not self.can_edit:
            self.app.push_screen(CustomerViewDialog(self.db, self.actor, self.lang, item.code))
            return
        from order_tui.screens.customer_form import CustomerFormScreen

        # initial code: the form leaves its (disabled) code field empty in edit mode otherwise
        form = CustomerFormScreen(self.db, self.lang, self.actor, code=item.code)
        self.app.push_screen(form, self._saved)

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        if event.option_id:
            self.action_edit()

    def _saved(self, code: object) -> None:
        if isinstance(code, str) and self.is_attached:
            self.side_for = None  # reload what is shown below the list too
            self.reload(keep=code)

    def action_profile(self) -> None:
        """`p`: the highlighted customer's profile."""
        from order_tui.screens.profile import open_profile

        item = self._current()
        if item is not None:
            open_profile(self, item.code)

    def action_contact(self) -> None:
        item = self._current()
        if item is None or not self.can_edit:
            return
        assert self.actor is not None
        self.app.push_screen(
            ContactDialog(self.db, self.lang, self.actor, item), self._refresh_side
        )

    def action_address(self) -> None:
        item = self._current()
        if item is None or not self.can_edit:
            return
        assert self.actor is not None
        self.app.push_screen(
            AddressDialog(self.db, self.lang, self.actor, item), self._refresh_side
        )


class ContactDialog(MdDialog):
    """A further contact of the customer: name, phone, default or not."""

    def __init__(self, db: Database, lang: str, actor: Actor, customer: CustomerRow) -> None:
        super().__init__(db, lang, actor)
        self.customer = customer

    def compose(self) -> ComposeResult:
        box = Vertical(id="dialog")
        box.border_title = self.t(
            "md.cust.contact_title", code=self.customer.code, name=self.customer.legal_name
        )
        with box:
            with Vertical(classes="md-form"):
                yield from field_row(
                    "contact_name",
                    self.t("md.cust.contact_name") + " *",
                    FieldInput(max_length=80, compact=True),
                )
                yield from field_row(
                    "contact_phone",
                    self.t("md.cust.phone") + " *",
                    FieldInput(placeholder=self.t("md.cust.phone_ph"), max_length=40, compact=True),
                )
                yield from field_row(
                    "make_default",
                    self.t("md.cust.make_default"),
                    TickBox(self.t("md.cust.make_default_box"), compact=True),
                )
            yield Static(self.t("md.form_keys"), id="form-status", markup=False)

    def on_mount(self) -> None:
        self.mark_clean()
        self.query_one("#f-contact_name", Input).focus()

    def save(self) -> None:
        values = self.field_values()
        name, phone = str(values["contact_name"]).strip(), str(values["contact_phone"]).strip()
        errors = {}
        if not name:
            errors["contact_name"] = self.t("md.err.required")
        if not phone:
            errors["contact_phone"] = self.t("md.err.required")
        if errors:
            self.show_errors(errors)
            return
        self.busy = True
        self.set_status(self.t("md.saving"))
        self._write(name, phone, bool(values["make_default"]))

    @work(thread=True, exclusive=True, group="md-save", exit_on_error=False)
    def _write(self, name: str, phone: str, make_default: bool) -> None:
        from order_tui.services import masterdata

        try:
            masterdata.add_contact(
                self.db, self.actor, self.customer.code, name, phone, make_default
            )
        except Exception as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._saved)

    def _failed(self, exc: Exception) -> None:
        if not self.is_attached:
            return
        self.busy = False
        message = error_text(exc, self.lang)
        if isinstance(exc, ValidationError) and exc.field in ("contact_name", "contact_phone"):
            self.show_errors({exc.field or "": message})
        else:
            self.set_status(message, error=True)

    def _saved(self) -> None:
        if self.is_attached:
            self.notify(self.t("md.cust.contact_saved"), timeout=3)
            self.dismiss(True)


class AddressDialog(MdDialog):
    """A further delivery address: province, city, district, street, postcode, default."""

    def __init__(self, db: Database, lang: str, actor: Actor, customer: CustomerRow) -> None:
        super().__init__(db, lang, actor)
        self.customer = customer

    def compose(self) -> ComposeResult:
        box = Vertical(id="dialog")
        box.border_title = self.t(
            "md.cust.address_title", code=self.customer.code, name=self.customer.legal_name
        )
        with box:
            with Vertical(classes="md-form"):
                for name, key, required, size in (
                    ("province", "md.cust.province", True, 40),
                    ("city", "md.cust.city", True, 40),
                    ("district", "md.cust.district", False, 40),
                    ("detail", "md.cust.detail", True, 200),
                    ("postcode", "md.cust.postcode", False, 10),
                ):
                    yield from field_row(
                        name,
                        self.t(key) + (" *" if required else ""),
                        FieldInput(
                            max_length=size,
                            compact=True,
                            classes="" if name == "detail" else "-short",
                        ),
                    )
                yield from field_row(
                    "make_default",
                    self.t("md.cust.make_default"),
                    TickBox(self.t("md.cust.make_default_box"), compact=True),
                )
            yield Static(self.t("md.form_keys"), id="form-status", markup=False)

    def on_mount(self) -> None:
        self.mark_clean()
        self.query_one("#f-province", Input).focus()

    def save(self) -> None:
        values = {
            k: v if isinstance(v, bool) else str(v).strip() for k, v in self.field_values().items()
        }
        errors = {
            name: self.t("md.err.required")
            for name in ("province", "city", "detail")
            if not values[name]
        }
        if errors:
            self.show_errors(errors)
            return
        self.busy = True
        self.set_status(self.t("md.saving"))
        self._write(values)

    @work(thread=True, exclusive=True, group="md-save", exit_on_error=False)
    def _write(self, values: dict[str, Any]) -> None:
        from order_tui.services import masterdata

        try:
            masterdata.add_address(
                self.db,
                self.actor,
                self.customer.code,
                values["province"],
                values["city"],
                values["district"],
                values["detail"],
                values["postcode"],
                bool(values["make_default"]),
            )
        except Exception as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._saved)

    def _failed(self, exc: Exception) -> None:
        if not self.is_attached:
            return
        self.busy = False
        message = error_text(exc, self.lang)
        fields = ("province", "city", "district", "detail", "postcode")
        if isinstance(exc, ValidationError) and exc.field in fields:
            self.show_errors({exc.field or "": message})
        else:
            self.set_status(message, error=True)

    def _saved(self) -> None:
        if self.is_attached:
            self.notify(self.t("md.cust.address_saved"), timeout=3)
            self.dismiss(True)


class CustomerViewDialog(ModalScreen[None]):
    """The customer record for operators who may look but not change it. Esc closes."""

    DEFAULT_CSS = """
    CustomerViewDialog {
        align: center middle;
    }
    CustomerViewDialog > VerticalScroll {
        width: 78;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f3,enter", "close", "Close", id="close"),
    ]

    def __init__(self, db: Database, actor: Actor | None, lang: str, code: str) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.lang = lang
        self.code = code
        localize_bindings(self, lang)

    def compose(self) -> ComposeResult:
        box = VerticalScroll()
        box.border_title = t("md.cust.view_title", self.lang, code=self.code)
        box.border_subtitle = t("md.cust.view_close", self.lang)
        with box:
            yield Static(t("md.loading", self.lang), id="view", markup=False)

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()
        self.load()

    @work(thread=True, exclusive=True, group="md-view", exit_on_error=False)
    def load(self) -> None:
        from order_tui.services import masterdata

        try:
            data, _version = masterdata.customer_input(self.db, self.actor, self.code)
        except Exception as exc:
            self.app.call_from_thread(self._show_text, error_text(exc, self.lang))
            return
        self.app.call_from_thread(self._show, data)

    def _show_text(self, text: str) -> None:
        if self.is_attached:
            self.query_one("#view", Static).update(text)

    def _show(self, d: Any) -> None:
        if not self.is_attached:
            return
        lang = self.lang
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        sep = "、" if lang == "zh" else ", "
        rows = [
            ("md.cust.name", d.legal_name),
            ("md.cust.uscc", d.uscc),
            ("md.cust.contact", f"{d.contact_name} {d.contact_phone}"),
            ("md.cust.address", full_address(d)),
            ("md.cust.bank", f"{d.bank_name} {d.bank_account}".strip() or "-"),
            ("md.cust.credit", money(d.credit_limit)),
            (
                "md.cust.terms",
                t(
                    "md.cust.terms_list",
                    lang,
                    terms=sep.join(label(PAYMENT_TERMS, c, lang) for c in d.payment_terms),
                    default=label(PAYMENT_TERMS, d.default_payment_terms, lang),
                ),
            ),
            ("md.cust.invoice", label(INVOICE_TYPES, d.invoice_type, lang)),
        ]
        for key, value in rows:
            grid.add_row(t(key, lang), value)
        extra = " ".join(x for x in (d.invoice_address, d.invoice_phone) if x)
        if extra:
            grid.add_row("", extra)
        self.query_one("#view", Static).update(Group(grid))

    def action_close(self) -> None:
        self.dismiss(None)
