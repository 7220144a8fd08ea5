"""Products: a keyset-paged list and a form (code, name, spec, unit, prices, tax, made to
order, stocked or a service, lead time). Only the sales manager changes products; everyone
else sees them read-only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Input, OptionList, Select, Static

from order_tui.domain import money
from order_tui.domain.errors import Conflict, DomainError, ValidationError
from order_tui.screens.base import TitleBar
from order_tui.screens.fmt import local_time, tax
from order_tui.screens.fmt import money as fmt_money
from order_tui.screens.i18n import register
from order_tui.screens.md_common import (
    ConfirmDialog,
    MdFormScreen,
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
        "md.products": ("产品", "Products"),
        "md.products_ro": ("产品（只读）", "Products (read-only)"),
        "md.product.col.code": ("编码", "Code"),
        "md.product.col.name": ("名称", "Name"),
        "md.product.col.spec": ("规格型号", "Spec / model"),
        "md.product.col.unit": ("单位", "Unit"),
        "md.product.col.price": ("标准价", "List"),
        "md.product.col.tax": ("税率", "Tax"),
        "md.product.col.mto": ("定制", "MTO"),
        "md.product.col.stocked": ("存货", "Stocked"),
        "md.product.new": ("新增产品", "New product"),
        "md.product.edit": ("产品 {code}", "Product {code}"),
        "md.product.view": ("产品 {code}（只读）", "Product {code} (read-only)"),
        "md.product.code": ("产品编码", "Code"),
        "md.product.name": ("名称", "Name"),
        "md.product.spec": ("规格型号", "Spec / model"),
        "md.product.unit": ("单位", "Unit"),
        "md.product.list": ("标准价", "List price"),
        "md.product.floor": ("最低价", "Floor price"),
        "md.product.ceiling": ("最高价", "Ceiling price"),
        "md.product.tax": ("税率", "Tax rate"),
        "md.product.mto": ("定制", "Made to order"),
        "md.product.mto_box": ("按单生产（需生产审核）", "made to order (production reviews)"),
        "md.product.stocked": ("库存管理", "Stocked"),
        "md.product.stocked_box": (
            "有库存（安装、培训、运费等服务项目请取消）",
            "kept in stock (untick for services: installation, training, freight)",
        ),
        "md.product.lead": ("生产周期（天）", "Lead time (days)"),
        "md.product.code_ph": ("例如 P0015", "e.g. P0015"),
        "md.product.unit_ph": ("台 / 件 / 米", "pcs / m / set"),
        "md.product.price_hint": ("不含税，元", "excl. VAT, CNY"),
        "md.product.read_only": (
            "只读：只有销售经理可以修改产品",
            "Read-only: only the sales manager changes products",
        ),
        "md.product.saved": ("已保存产品 {code}", "Product {code} saved"),
        "md.product.loaded": ("版本 {version}", "Version {version}"),
        "md.product.required": ("* 为必填", "* required"),
    }
)

FIELDS = (
    "code",
    "name",
    "spec",
    "unit",
    "list_price",
    "floor_price",
    "ceiling_price",
    "tax_code",
    "made_to_order",
    "stocked",
    "lead_time_days",
)
PRICES = ("list_price", "floor_price", "ceiling_price")


def tax_options(lang: str) -> list[tuple[str, str]]:
    return [(tax(code, lang), code) for code in money.TAX_CODES]


def product_values(p: Any) -> dict[str, object]:
    """A `ProductInput` as the form shows it."""
    return {
        "code": p.code,
        "name": p.name,
        "spec": p.spec,
        "unit": p.unit,
        "list_price": fmt_money(p.list_price),
        "floor_price": fmt_money(p.floor_price),
        "ceiling_price": fmt_money(p.ceiling_price),
        "tax_code": p.tax_code,
        "made_to_order": bool(p.made_to_order),
        "stocked": bool(getattr(p, "stocked", True)),
        "lead_time_days": str(p.lead_time_days),
    }


def check_product(values: dict[str, object], lang: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed values -> (ProductInput arguments, errors by field) with the service's rules."""
    from order_tui.screens.i18n import t

    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    for name in ("code", "name", "spec", "unit"):
        data[name] = str(values.get(name) or "").strip()
    for name in ("code", "name", "unit"):
        if not data[name]:
            errors[name] = t("md.err.required", lang)
    for name in PRICES:
        text = str(values.get(name) or "")
        try:
            data[name] = money.parse_price(text)
        except ValueError:
            errors[name] = t("md.err.required" if not text.strip() else "md.err.number", lang)
            continue
        if data[name] < 0:
            errors[name] = t("md.err.negative", lang)
    if not any(name in errors for name in PRICES) and not (
        data["floor_price"] <= data["list_price"] <= data["ceiling_price"]
    ):
        errors["list_price"] = t("md.err.price_order", lang)
    data["tax_code"] = str(values.get("tax_code") or "13")
    data["made_to_order"] = bool(values.get("made_to_order"))
    data["stocked"] = bool(values.get("stocked", True))
    lead = str(values.get("lead_time_days") or "0").strip() or "0"
    if not lead.isdigit():
        errors["lead_time_days"] = t("md.err.integer", lang)
    else:
        data["lead_time_days"] = int(lead)
    return data, errors


class ProductsScreen(MdListScreen):
    """All products by code; Enter opens one (read-only unless sales manager), `a` adds."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", id="md_add"),
        Binding("e", "edit", "Edit", id="md_edit", show=False),
    ]

    def __init__(self, db: Database, lang: str, actor: Actor) -> None:
        super().__init__(db, lang, actor)
        self.can_edit = may(actor, "product")

    def compose(self) -> ComposeResult:
        yield from self.compose_list()
        yield Static("", id="status", markup=False)
        yield Footer(show_command_palette=False)

    def export_table(self) -> Any:
        """F8: the service's typed products table (numbers, dates); the filter's hits as shown."""
        if self.filter_text:
            return super().export_table()
        from order_tui.services import exports

        return exports.products_table(self.db, self.actor, self.lang)

    def list_title(self) -> str:
        return self.t("md.products" if self.can_edit else "md.products_ro")

    def enter_key(self) -> str | None:
        return "md_edit" if self.can_edit else "md_view"

    def columns(self) -> list[Column]:
        return [
            Column(self.t("md.product.col.code"), 5),
            Column(self.t("md.product.col.name"), 10, flex=3, max_width=24),
            Column(self.t("md.product.col.spec"), 10, flex=2),
            Column(self.t("md.product.col.unit"), 4),
            Column(self.t("md.product.col.price"), 10, align="right"),
            Column(self.t("md.product.col.tax"), 4, align="right"),
            Column(self.t("md.product.col.mto"), 4),
            Column(self.t("md.product.col.stocked"), 7),
        ]

    def page(self, after: str | None) -> list[Any]:
        from order_tui.services import masterdata

        return masterdata.products_page(self.db, self.actor, after, limit=50)

    def search(self, text: str) -> list[Any]:
        from order_tui.services import lookup

        return lookup.products(self.db, self.actor, text, 200)

    def row(self, item: Any) -> Row:
        return Row(
            key=item.code,
            cells=(
                item.code,
                item.name,
                item.spec,
                item.unit,
                fmt_money(item.list_price),
                tax(item.tax_code, self.lang),
                self.t("md.yes") if item.made_to_order else "",
                "" if getattr(item, "stocked", True) else self.t("md.no"),
            ),
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add":
            return self.can_edit
        return super().check_action(action, parameters)

    def action_add(self) -> None:
        assert self.actor is not None
        self.app.push_screen(
            ProductFormScreen(self.db, self.lang, self.actor), callback=self._back_from_form
        )

    def action_edit(self) -> None:
        code = self.table.highlighted_key
        if code is None:
            return
        assert self.actor is not None
        self.app.push_screen(
            ProductFormScreen(self.db, self.lang, self.actor, code),
            callback=self._back_from_form,
        )

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        if event.option_id:
            self.action_edit()

    def _back_from_form(self, code: object) -> None:
        if isinstance(code, str) and self.is_attached:
            self.reload(keep=code)


class ProductFormScreen(MdFormScreen):
    """New product (code None) or an existing one; saved with its version (optimistic lock).
    Operators without the sales manager role get every field disabled."""

    HELP_EXTRA: ClassVar[list[tuple[str, str]]] = [("Tab / Shift+Tab", "key.focus_next")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "reload_record", "Reload", id="md_reload", show=False),
    ]

    def __init__(self, db: Database, lang: str, actor: Actor, code: str | None = None) -> None:
        super().__init__(db, lang, actor)
        self.code = code
        self.version: int | None = None
        self.read_only = not may(actor, "product")
        self.saved = False

    def compose(self) -> ComposeResult:
        if self.code is None:
            title = self.t("md.product.new")
        elif self.read_only:
            title = self.t("md.product.view", code=self.code)
        else:
            title = self.t("md.product.edit", code=self.code)
        yield TitleBar(self.title_text(title))
        ro = self.read_only
        with VerticalScroll(classes="md-form"):
            yield from field_row(
                "code",
                self.t("md.product.code") + " *",
                FieldInput(
                    placeholder=self.t("md.product.code_ph"),
                    max_length=20,
                    compact=True,
                    disabled=ro or self.code is not None,
                    classes="-short",
                ),
            )
            yield from field_row(
                "name",
                self.t("md.product.name") + " *",
                FieldInput(max_length=100, compact=True, disabled=ro),
            )
            yield from field_row(
                "spec",
                self.t("md.product.spec"),
                FieldInput(max_length=100, compact=True, disabled=ro),
            )
            yield from field_row(
                "unit",
                self.t("md.product.unit") + " *",
                FieldInput(
                    placeholder=self.t("md.product.unit_ph"),
                    max_length=10,
                    compact=True,
                    disabled=ro,
                    classes="-short",
                ),
            )
            for name, label in (
                ("list_price", "md.product.list"),
                ("floor_price", "md.product.floor"),
                ("ceiling_price", "md.product.ceiling"),
            ):
                yield from field_row(
                    name,
                    self.t(label) + " *",
                    FieldInput(max_length=20, compact=True, disabled=ro, classes="-short"),
                    hint=self.t("md.product.price_hint"),
                )
            yield from field_row(
                "tax_code",
                self.t("md.product.tax"),
                Select(
                    tax_options(self.lang),
                    value="13",
                    allow_blank=False,
                    compact=True,
                    disabled=ro,
                ),
            )
            yield from field_row(
                "made_to_order",
                self.t("md.product.mto"),
                TickBox(self.t("md.product.mto_box"), compact=True, disabled=ro),
            )
            yield from field_row(
                "stocked",
                self.t("md.product.stocked"),
                TickBox(self.t("md.product.stocked_box"), value=True, compact=True, disabled=ro),
            )
            yield from field_row(
                "lead_time_days",
                self.t("md.product.lead"),
                FieldInput(
                    "0", max_length=4, restrict=r"\d*", compact=True, disabled=ro, classes="-short"
                ),
            )
            note = self.t("md.product.read_only") if ro else self.t("md.product.required")
            yield Static(note, classes="md-note", markup=False)
        yield Static("", id="form-status", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        if self.code is None:
            self.mark_clean()
            self.query_one("#f-code", Input).focus()
            self.load_draft()
        else:
            self.set_status(self.t("md.loading"))
            self.load(restore_draft=True)

    # -- drafts -----------------------------------------------------------------------------

    def form_key(self) -> str | None:
        return None if self.read_only else f"md:product:{self.code or 'new'}"

    def draft_extra(self) -> dict[str, object]:
        return {"version": self.version}

    def form_snapshot(self) -> dict[str, object] | None:
        return None if self.saved else super().form_snapshot()

    @work(thread=True, exclusive=True, group="md-draft", exit_on_error=False)
    def load_draft(self) -> None:
        from order_tui.services import forms

        key = self.form_key()
        if key is None or self.actor is None:
            return
        saved = forms.load_form(self.db, self.actor, key)
        if saved is not None:
            self.app.call_from_thread(self._restore, saved.payload, saved.saved_at)

    def _restore(self, payload: dict[str, Any], saved_at: object) -> None:
        if not self.is_attached:
            return
        fields = payload.get("fields")
        if not isinstance(fields, dict):
            return
        self.set_values(fields)
        if isinstance(payload.get("version"), int):
            self.version = payload["version"]  # saved against what the operator saw
        when = local_time(str(saved_at), self.db.timezone, "%m-%d %H:%M")
        self.set_status(self.t("md.draft_restored", time=when))

    # -- load -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="md-load", exit_on_error=False)
    def load(self, restore_draft: bool = False) -> None:
        from order_tui.services import forms, masterdata

        assert self.code is not None
        try:
            data, version = masterdata.product_input(self.db, self.actor, self.code)
            key = self.form_key()
            draft = (
                forms.load_form(self.db, self.actor, key)
                if restore_draft and key and self.actor
                else None
            )
        except Exception as exc:
            self.app.call_from_thread(self._load_failed, exc)
            return
        self.app.call_from_thread(self._loaded, data, version)
        if draft is not None:
            self.app.call_from_thread(self._restore, draft.payload, draft.saved_at)

    def _load_failed(self, exc: Exception) -> None:
        if self.is_attached:
            self.set_status(self.t("md.load_failed", error=error_text(exc, self.lang)), True)

    def _loaded(self, data: Any, version: int) -> None:
        if not self.is_attached:
            return
        self.set_values(product_values(data))
        self.version = version
        self.mark_clean()
        self.set_status(self.t("md.product.loaded", version=version))
        if not self.read_only:
            self.query_one("#f-name", Input).focus()

    def action_reload_record(self) -> None:
        if self.code is not None:
            self.clear_errors()
            self.set_status(self.t("md.loading"))
            self.load()
            self.notify(self.t("md.reloaded"), timeout=3)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reload_record":
            return self.code is not None
        return super().check_action(action, parameters)

    # -- save -------------------------------------------------------------------------------

    def save(self) -> None:
        if self.code is not None and self.version is None:
            return  # still loading
        data, errors = check_product(self.field_values(), self.lang)
        if errors:
            self.show_errors(errors)
            return
        self.clear_errors()
        self.busy = True
        self.set_status(self.t("md.saving"))
        self._write(data, self.version)

    @work(thread=True, exclusive=True, group="md-save", exit_on_error=False)
    def _write(self, data: dict[str, Any], version: int | None) -> None:
        from order_tui.services import masterdata

        assert self.actor is not None
        product = masterdata.ProductInput(**data)
        try:
            if version is None:
                masterdata.add_product(self.db, self.actor, product)
            else:
                masterdata.update_product(self.db, self.actor, product, version)
        except Exception as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.saved = True
        self.forget_form_draft()
        self.app.call_from_thread(self._saved, product.code)

    def _failed(self, exc: Exception) -> None:
        if not self.is_attached:
            return
        self.busy = False
        message = error_text(exc, self.lang)
        if isinstance(exc, ValidationError) and exc.field in FIELDS:
            self.show_errors({exc.field: message})
        elif isinstance(exc, Conflict):
            self.set_status(message, error=True)
            self.app.push_screen(
                ConfirmDialog(self.lang, self.t("md.conflict_title"), self.t("md.conflict_ask")),
                self._conflict_answer,
            )
        elif isinstance(exc, DomainError):
            self.set_status(message, error=True)
        else:
            self.set_status(message, error=True)

    def _conflict_answer(self, answer: str | None) -> None:
        if answer == "yes":
            self.action_reload_record()

    def _saved(self, code: str) -> None:
        if not self.is_attached:
            return
        self.busy = False
        self.notify(self.t("md.product.saved", code=code), timeout=3)
        self.dismiss(code)
