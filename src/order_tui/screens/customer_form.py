"""A customer master record on one scrolling form: new (from the intake, F6) or edit (master data).

`CustomerFormScreen(db, lang, actor, code=None, initial={...})` dismisses with the customer's
code once the service saved it, or None when the operator leaves. Every message appears on the
line under its field and nothing typed is lost; codes (USCC, phone, postcode, bank account) are
checked when the cursor leaves the field, the whole record again by the service on save.

Also here, because the intake uses them too: `ConfirmDialog` (leave / keep draft / discard),
`error_text()` (the "!" mark of an error line) and `LeaveGuard` (Esc / F3 / F2 ask before
dropping typed input). The services' refusals come coded; `i18n.error_text` words them.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from order_tui.domain import codes
from order_tui.domain.errors import DomainError, ValidationError
from order_tui.domain.terms import INVOICE_TYPES, PAYMENT_TERMS
from order_tui.screens import i18n
from order_tui.screens.base import OrderScreen, TitleBar
from order_tui.screens.fmt import local_time
from order_tui.screens.i18n import localize_bindings, pick, register, t
from order_tui.widgets.field_input import FieldInput

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor

register(
    {
        # the form
        "customer.title_new": ("新建客户", "New customer"),
        "customer.title_edit": ("客户资料 {code}", "Customer {code}"),
        "customer.code": ("客户编码", "Code"),
        "customer.code_ph": ("例如 C0011", "e.g. C0011"),
        "customer.legal_name": ("名称（营业执照）", "Legal name"),
        "customer.legal_name_ph": ("与营业执照一致", "as on the business licence"),
        "customer.uscc": ("统一社会信用代码", "USCC"),
        "customer.uscc_ph": ("18 位", "18 characters"),
        "customer.contact_name": ("收货联系人", "Delivery contact"),
        "customer.contact_phone": ("联系电话", "Contact phone"),
        "customer.phone_ph": ("手机或座机 010-12345678", "mobile or 010-12345678"),
        "customer.address": ("省 / 市 / 区县", "Prov./city/dist."),
        "customer.province": ("省份", "Province"),
        "customer.city": ("城市", "City"),
        "customer.district": ("区县", "District"),
        "customer.detail": ("详细地址", "Street address"),
        "customer.postcode": ("邮编", "Postcode"),
        "customer.bank_name": ("开户行", "Bank"),
        "customer.bank_account": ("银行账号", "Bank account"),
        "customer.credit_limit": ("信用额度", "Credit limit"),
        "customer.payment_terms": ("可用付款条件", "Payment terms"),
        "customer.default_terms": ("默认付款条件", "Default terms"),
        "customer.invoice_type": ("发票类型", "Invoice type"),
        "customer.invoice_address": ("开票地址", "Invoice address"),
        "customer.invoice_phone": ("开票电话", "Invoice phone"),
        "customer.required": (
            "* 为必填；付款条件用 ↑↓ 选择、空格勾选",
            "* required; payment terms: Up/Down, Space ticks",
        ),
        "customer.loading": ("正在加载客户资料…", "Loading the customer…"),
        "customer.saving": ("正在保存…", "Saving…"),
        "customer.saved": ("已保存客户 {code}", "Customer {code} saved"),
        "customer.fix": ("请更正标 ! 的项目", "Correct the field marked !"),
        "customer.failed": ("保存失败：{error}", "Could not save: {error}"),
        "customer.load_failed": ("无法加载客户 {code}：{error}", "Cannot load {code}: {error}"),
        "customer.draft_restored": (
            "已恢复 {when} 的草稿（Esc 可放弃）",
            "Draft of {when} restored (Esc to discard)",
        ),
        "customer.bad_amount": ("请输入金额，例如 50000", "Enter an amount, e.g. 50000"),
        # keys
        "key.customer_save": ("保存", "Save"),
        "key.customer_leave": ("返回", "Back"),
        "key.customer_home": ("首页", "Home"),
        "key.customer_toggle": ("勾选/取消", "Tick / untick"),
        # the leave dialog
        "customer.confirm_title": ("尚未保存", "Not saved yet"),
        "customer.leave_question": (
            "填写的内容尚未保存。",
            "What you typed is not saved yet.",
        ),
        "customer.leave_choices": (
            "Y / Enter  离开，保留草稿（下次打开时恢复）\n"
            "D          离开，丢弃草稿\n"
            "N / Esc    继续填写",
            "Y / Enter  leave, keep the draft (restored next time)\n"
            "D          leave and discard the draft\n"
            "N / Esc    go on typing",
        ),
        "customer.yes_no": ("Y / Enter  是\nN / Esc    否", "Y / Enter  yes\nN / Esc    no"),
        "key.customer_confirm_yes": ("是", "Yes"),
        "key.customer_confirm_no": ("否", "No"),
        "key.customer_confirm_discard": ("丢弃", "Discard"),
    }
)


def error_text(message: str) -> str:
    """The mark that makes an error line readable without colour."""
    return f"! {message}" if message else ""


def parse_amount(text: str) -> Decimal | None:
    """ "50,000", "５００００", "¥50000.5" -> Decimal; "" -> None; ValueError if not a number."""
    import unicodedata

    cleaned = unicodedata.normalize("NFKC", text).replace(",", "").replace("¥", "").strip()
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value


# -- a small modal: yes / no, or leave / discard / stay --------------------------------------


class ConfirmDialog(ModalScreen[str | None]):
    """Returns "yes", "discard" (only when offered) or None (no / Esc)."""

    DEFAULT_CSS = """
    ConfirmDialog {
        align: center middle;
    }
    ConfirmDialog > Vertical {
        width: 64;
        max-width: 100%;
        height: auto;
        border: round $warning;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    ConfirmDialog #confirm-choices {
        margin-top: 1;
        text-style: bold;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer('yes')", "Yes", id="customer_confirm_yes", priority=True),
        Binding("d", "answer('discard')", "Discard", id="customer_confirm_discard", priority=True),
        Binding("n,escape", "answer('')", "No", id="customer_confirm_no", priority=True),
    ]

    def __init__(self, lang: str, title: str, message: str, *, discard: bool = False) -> None:
        super().__init__()
        self.lang = lang
        self.title_text = title
        self.message = message
        self.discard = discard
        localize_bindings(self, lang)

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = self.title_text
        with box:
            yield Static(self.message, id="confirm-message", markup=False)
            choices = "customer.leave_choices" if self.discard else "customer.yes_no"
            yield Static(t(choices, self.lang), id="confirm-choices", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "answer" and parameters == ("discard",):
            return self.discard
        return True

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer or None)


# -- leaving a form: ask, keep or drop the draft --------------------------------------------


class LeaveGuard(OrderScreen):
    """Esc / F3 (back) and F2 (home) ask first when `unsaved_changes()`; the answer keeps the
    draft (saved now, restored next time), discards it, or stays.

    A screen whose typed input cannot be kept as a draft returns False from
    `leave_keeps_draft()` and a question from `leave_question()`: then it is yes / no.
    """

    def leave_keeps_draft(self) -> bool:
        return self.form_key() is not None

    def leave_question(self) -> str:
        return t("customer.leave_question", self.lang)

    async def action_leave(self) -> None:
        await self._leave(home=False)

    async def action_go_home(self) -> None:
        await self._leave(home=True)

    async def _leave(self, *, home: bool) -> None:
        if not self.unsaved_changes():
            await self._go(home)
            return
        keeps = self.leave_keeps_draft()

        async def answered(answer: str | None) -> None:
            if answer == "yes" and keeps:
                await self._keep_draft()
            elif answer == "discard":
                await self._run_blocking(self.forget_form_draft)
            elif answer != "yes":
                return
            await self._go(home)

        self.app.push_screen(
            ConfirmDialog(
                self.lang,
                t("customer.confirm_title", self.lang),
                self.leave_question(),
                discard=keeps,
            ),
            answered,
        )

    async def _keep_draft(self) -> None:
        """Save the draft now (the app's timer may not have run since the last keystroke)."""
        key, snapshot = self.form_key(), self.form_snapshot()
        actor = self.actor
        if key is None or snapshot is None or actor is None:
            return

        def write() -> None:
            from order_tui.services import forms

            forms.save_form(self.db, actor, key, snapshot)

        await self._run_blocking(write)
        saved = getattr(self.app, "saved_drafts", None)
        if isinstance(saved, dict):  # as the app records it, so its timer does not write again
            saved[key] = json.dumps(snapshot, ensure_ascii=False, sort_keys=True, default=str)

    async def _run_blocking(self, fn: Any) -> None:
        """A database call in a thread, waited for (the screen is about to go)."""
        worker = self.run_worker(fn, thread=True, group="leave", exit_on_error=False)
        await worker.wait()

    async def _go(self, home: bool) -> None:
        if home:
            action = getattr(self.app, "action_home", None)
            if callable(action):
                await action()
                return
        if self.app.screen is self:
            self.dismiss(None)


# -- a list of ticks that reads without colour: [x] / [ ] --------------------------------------


class CheckList(OptionList):
    """Several choices, each ticked or not with Space (or Enter); marks are "[x]" / "[ ]"."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space,enter", "toggle", "Tick / untick", id="customer_toggle"),
    ]

    def __init__(self, lang: str, choices: list[tuple[str, str]], ticked: set[str], **kw: Any):
        self.labels = dict(choices)
        self.ticked = {c for c in ticked if c in self.labels}
        super().__init__(*[Option(self._prompt(c), id=c) for c in self.labels], **kw)
        localize_bindings(self, lang)

    def _prompt(self, code: str) -> Text:
        return Text(f"[{'x' if code in self.ticked else ' '}] {self.labels[code]}")

    def _redraw(self) -> None:
        for code in self.labels:
            self.replace_option_prompt(code, self._prompt(code))

    @property
    def selected(self) -> list[str]:
        return [c for c in self.labels if c in self.ticked]

    def deselect_all(self) -> None:
        self.ticked.clear()
        self._redraw()

    def select(self, code: str) -> None:
        if code in self.labels:
            self.ticked.add(code)
            self._redraw()

    def action_toggle(self) -> None:
        if self.highlighted is None:
            return
        code = self.get_option_at_index(self.highlighted).id or ""
        self.ticked.symmetric_difference_update({code})
        self._redraw()


# -- the customer form ------------------------------------------------------------------------

TEXT_FIELDS = (
    "code",
    "legal_name",
    "uscc",
    "contact_name",
    "contact_phone",
    "province",
    "city",
    "district",
    "detail",
    "postcode",
    "bank_name",
    "bank_account",
    "credit_limit",
    "invoice_address",
    "invoice_phone",
)
# which error line shows a field's message (fields sharing a row share the line)
ERROR_LINE = {
    "province": "address",
    "city": "address",
    "district": "address",
    "default_payment_terms": "payment_terms",
}
CHECKS = {
    "uscc": codes.check_uscc,
    "contact_phone": codes.check_phone,
    "invoice_phone": codes.check_phone,
    "postcode": codes.check_postcode,
    "bank_account": codes.check_bank_account,
}
REQUIRED = {"code", "legal_name", "uscc", "contact_name", "contact_phone", "address", "detail"}


class CustomerFormScreen(LeaveGuard):
    """New customer (code None) or edit (code given). F9 / Ctrl+S saves; Esc leaves."""

    DEFAULT_CSS = """
    CustomerFormScreen #cform {
        height: 1fr;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    CustomerFormScreen .row {
        height: 1;
    }
    CustomerFormScreen .label {
        width: 21;
        padding-right: 1;
        text-style: bold;
    }
    CustomerFormScreen .row:focus-within > .label,
    CustomerFormScreen #terms-row:focus-within > .label {
        text-style: bold reverse;
    }
    CustomerFormScreen Input {
        width: 1fr;
    }
    CustomerFormScreen #code, CustomerFormScreen #postcode {
        width: 12;
    }
    CustomerFormScreen #uscc, CustomerFormScreen #contact_phone,
    CustomerFormScreen #invoice_phone, CustomerFormScreen #credit_limit {
        width: 24;
    }
    CustomerFormScreen #province, CustomerFormScreen #city, CustomerFormScreen #district {
        width: 1fr;
        margin-right: 1;
    }
    CustomerFormScreen #terms-row {
        height: auto;
    }
    CustomerFormScreen CheckList, CustomerFormScreen CheckList:focus {
        width: 1fr;
        height: auto;
        border: none;
        padding: 0;
    }
    CustomerFormScreen CheckList:blur > .option-list--option-highlighted {
        background: transparent;
        text-style: none;
    }
    CustomerFormScreen CheckList:focus > .option-list--option-highlighted {
        text-style: bold reverse;
    }
    CustomerFormScreen Select {
        width: 28;
    }
    CustomerFormScreen .error {
        height: auto;
        padding-left: 21;
        color: $error;
        text-style: bold;
        display: none;
    }
    CustomerFormScreen .error.-shown {
        display: block;
    }
    CustomerFormScreen #cform-note {
        color: $text-muted;
        height: auto;
    }
    CustomerFormScreen #cform-status {
        height: 1;
        padding: 0 1;
        text-style: bold;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f9,ctrl+s", "save", "Save", id="customer_save"),
        Binding("escape,f3", "leave", "Back", id="customer_leave"),
        Binding("f2", "go_home", "Home", id="customer_home", show=False),
    ]
    HELP_EXTRA: ClassVar[list[tuple[str, str]]] = [
        ("Tab / Shift+Tab", "key.focus_next"),
    ]

    def __init__(
        self,
        db: Database,
        lang: str,
        actor: Actor,
        code: str | None = None,
        initial: dict[str, str] | None = None,
    ) -> None:
        super().__init__(db, lang, actor)
        self.code = code
        self.initial = dict(initial or {})
        self.version: int | None = None
        self.busy = False
        self.saved = False
        self.loaded_snapshot: dict[str, object] | None = None

    # -- layout ---------------------------------------------------------------------------

    def _row(self, field: str, widget: Input | Select[str], label_key: str) -> ComposeResult:
        mark = " *" if field in REQUIRED else ""
        with Horizontal(classes="row", id=f"row-{field}"):
            yield Static(self.t(label_key) + mark, classes="label", markup=False)
            yield widget
        yield Static("", id=f"err-{field}", classes="error", markup=False)

    def _input(self, field: str, placeholder: str = "", **kw: Any) -> Input:
        # In edit mode the (disabled) code field shows the code being edited.
        default = self.code if field == "code" and self.code else ""
        return FieldInput(
            self.initial.get(field, default),
            placeholder=placeholder,
            id=field,
            compact=True,
            **kw,
        )

    def compose(self) -> ComposeResult:
        title = (
            self.t("customer.title_edit", code=self.code)
            if self.code
            else self.t("customer.title_new")
        )
        yield TitleBar(self.title_text(title))
        with VerticalScroll(id="cform"):
            yield from self._row(
                "code",
                self._input(
                    "code", self.t("customer.code_ph"), max_length=20, disabled=bool(self.code)
                ),
                "customer.code",
            )
            yield from self._row(
                "legal_name",
                self._input("legal_name", self.t("customer.legal_name_ph"), max_length=200),
                "customer.legal_name",
            )
            yield from self._row(
                "uscc",
                self._input("uscc", self.t("customer.uscc_ph"), max_length=24),
                "customer.uscc",
            )
            yield from self._row(
                "contact_name", self._input("contact_name", max_length=80), "customer.contact_name"
            )
            yield from self._row(
                "contact_phone",
                self._input("contact_phone", self.t("customer.phone_ph"), max_length=40),
                "customer.contact_phone",
            )
            with Horizontal(classes="row", id="row-address"):
                yield Static(self.t("customer.address") + " *", classes="label", markup=False)
                yield self._input("province", self.t("customer.province"), max_length=40)
                yield self._input("city", self.t("customer.city"), max_length=40)
                yield self._input("district", self.t("customer.district"), max_length=40)
            yield Static("", id="err-address", classes="error", markup=False)
            yield from self._row("detail", self._input("detail", max_length=200), "customer.detail")
            yield from self._row(
                "postcode", self._input("postcode", max_length=10), "customer.postcode"
            )
            yield from self._row(
                "bank_name", self._input("bank_name", max_length=100), "customer.bank_name"
            )
            yield from self._row(
                "bank_account",
                self._input("bank_account", max_length=40),
                "customer.bank_account",
            )
            yield from self._row(
                "credit_limit",
                self._input("credit_limit", "0.00", max_length=20),
                "customer.credit_limit",
            )
            with Horizontal(id="terms-row"):
                yield Static(self.t("customer.payment_terms"), classes="label", markup=False)
                yield CheckList(
                    self.lang,
                    [(c, pick((zh, en), self.lang)) for c, (zh, en, _d) in PAYMENT_TERMS.items()],
                    {"prepaid"},
                    id="payment_terms",
                )
            yield Static("", id="err-payment_terms", classes="error", markup=False)
            yield from self._row(
                "default_payment_terms",
                Select(
                    [(pick((zh, en), self.lang), c) for c, (zh, en, _d) in PAYMENT_TERMS.items()],
                    value="prepaid",
                    allow_blank=False,
                    compact=True,
                    id="default_payment_terms",
                ),
                "customer.default_terms",
            )
            yield from self._row(
                "invoice_type",
                Select(
                    [(pick(pair, self.lang), c) for c, pair in INVOICE_TYPES.items()],
                    value="normal",
                    allow_blank=False,
                    compact=True,
                    id="invoice_type",
                ),
                "customer.invoice_type",
            )
            yield from self._row(
                "invoice_address",
                self._input("invoice_address", max_length=200),
                "customer.invoice_address",
            )
            yield from self._row(
                "invoice_phone",
                self._input("invoice_phone", self.t("customer.phone_ph"), max_length=40),
                "customer.invoice_phone",
            )
            yield Static(self.t("customer.required"), id="cform-note", markup=False)
        yield Static("", id="cform-status", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        first = "#legal_name" if self.code else "#code"
        self.query_one(first, Input).focus()
        if self.code:
            self._status(self.t("customer.loading"))
            self.load(self.code)
        else:
            self.loaded_snapshot = self.form_snapshot()
            self.load_draft()

    # -- drafts -----------------------------------------------------------------------------

    def form_key(self) -> str | None:
        return f"customer:{self.code or 'new'}"

    def form_snapshot(self) -> dict[str, object] | None:
        if self.saved or not self.is_attached:
            return None
        if self.code and self.version is None:
            return None  # still loading: nothing typed yet
        try:
            snap: dict[str, object] = {f: self.query_one(f"#{f}", Input).value for f in TEXT_FIELDS}
            snap["payment_terms"] = list(self.query_one(CheckList).selected)
            snap["default_payment_terms"] = self.query_one("#default_payment_terms", Select).value
            snap["invoice_type"] = self.query_one("#invoice_type", Select).value
        except NoMatches:  # the screen is being taken down
            return None
        return snap

    def unsaved_changes(self) -> bool:
        snap = self.form_snapshot()
        return snap is not None and snap != self.loaded_snapshot

    def _fill(self, values: dict[str, Any]) -> None:
        for f in TEXT_FIELDS:
            if f in values and not (f == "code" and self.code):
                self.query_one(f"#{f}", Input).value = str(values[f] or "")
        terms = values.get("payment_terms")
        if isinstance(terms, list):
            selection = self.query_one(CheckList)
            selection.deselect_all()
            for term in terms:
                if term in PAYMENT_TERMS:
                    selection.select(term)
        for name, allowed in (
            ("default_payment_terms", PAYMENT_TERMS),
            ("invoice_type", INVOICE_TYPES),
        ):
            value = values.get(name)
            if value in allowed:
                self.query_one(f"#{name}", Select).value = value

    @work(thread=True, exclusive=True, group="customer-draft", exit_on_error=False)
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
        self._fill(payload)
        when = local_time(str(saved_at), self.db.timezone, "%m-%d %H:%M")
        self._status(self.t("customer.draft_restored", when=when))

    # -- edit mode: load the record ---------------------------------------------------------

    @work(thread=True, exclusive=True, group="customer-load", exit_on_error=False)
    def load(self, code: str) -> None:
        from order_tui.services import masterdata

        try:
            data, version = masterdata.customer_input(self.db, self.actor, code)
        except Exception as exc:
            self.app.call_from_thread(
                self._status, self.t("customer.load_failed", code=code, error=self._say(exc))
            )
            return
        self.app.call_from_thread(self._loaded, data, version)

    def _loaded(self, data: Any, version: int) -> None:
        if not self.is_attached:
            return
        values = {f: getattr(data, f) for f in TEXT_FIELDS}
        values["credit_limit"] = str(data.credit_limit)
        values["payment_terms"] = list(data.payment_terms)
        values["default_payment_terms"] = data.default_payment_terms
        values["invoice_type"] = data.invoice_type
        self._fill(values)
        self.version = version
        self.loaded_snapshot = self.form_snapshot()
        self._status("")

    # -- messages beside the fields ----------------------------------------------------------

    def _status(self, text: str) -> None:
        self.query_one("#cform-status", Static).update(text)

    def _field_label(self, field: str) -> str:
        key = {
            "default_payment_terms": "customer.default_terms",
        }.get(field, f"customer.{field}")
        return self.t(key)

    def set_error(self, field: str, message: str) -> None:
        line = ERROR_LINE.get(field, field)
        widget = self.query_one(f"#err-{line}", Static)
        if message and line != field:  # a shared line names its field
            message = (
                f"{self._field_label(field)}：{message}"
                if self.lang == "zh"
                else f"{self._field_label(field)}: {message}"
            )
        widget.update(error_text(message))
        widget.set_class(bool(message), "-shown")
        for node in self.query(f"#{field}"):
            if isinstance(node, Input):
                node.set_class(bool(message), "-invalid")

    def clear_errors(self) -> None:
        for node in self.query(".error"):
            node.set_class(False, "-shown")
            if isinstance(node, Static):
                node.update("")
        for node in self.query(Input):
            node.set_class(False, "-invalid")

    @on(Input.Blurred)
    def _check_code(self, event: Input.Blurred) -> None:
        """Codes are checked as soon as the cursor leaves them (the service checks again)."""
        field = event.input.id or ""
        value = event.value.strip()
        if field == "credit_limit":
            try:
                parse_amount(value)
            except ValueError:
                self.set_error(field, self.t("customer.bad_amount"))
            else:
                self.set_error(field, "")
            return
        check = CHECKS.get(field)
        if check is None:
            return
        if not value:
            if field not in REQUIRED:
                self.set_error(field, "")
            return
        try:
            check(value)
        except ValueError as exc:
            self.set_error(field, i18n.error_text(exc, self.lang))
        else:
            self.set_error(field, "")

    @on(Input.Blurred)
    def _show_start(self, event: Input.Blurred) -> None:
        event.input.cursor_position = 0  # Tab selects all and scrolls to the end

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    # -- save -------------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.busy or self.saved or (self.code and self.version is None):
            return
        self.clear_errors()
        values = {f: self.query_one(f"#{f}", Input).value for f in TEXT_FIELDS}
        try:
            credit = parse_amount(values["credit_limit"]) or Decimal("0.00")
        except ValueError:
            self.set_error("credit_limit", self.t("customer.bad_amount"))
            self.query_one("#credit_limit", Input).focus()
            self._status(self.t("customer.fix"))
            return
        terms = list(self.query_one(CheckList).selected)
        default = str(self.query_one("#default_payment_terms", Select).value)
        if default not in terms:
            terms.append(default)  # the default is always allowed; tick more with Space
        self.busy = True
        self._status(self.t("customer.saving"))
        invoice_type = str(self.query_one("#invoice_type", Select).value)
        self.save(values, credit, terms, default, invoice_type)

    @work(thread=True, exclusive=True, group="customer-save", exit_on_error=False)
    def save(
        self,
        values: dict[str, str],
        credit: Decimal,
        terms: list[str],
        default: str,
        invoice_type: str,
    ) -> None:
        from order_tui.services import masterdata

        assert self.actor is not None
        data = masterdata.CustomerInput(
            **{f: v for f, v in values.items() if f != "credit_limit"},
            credit_limit=credit,
            payment_terms=terms,
            default_payment_terms=default,
            invoice_type=invoice_type,
        )
        try:
            if self.code:
                assert self.version is not None
                masterdata.update_customer(self.db, self.actor, data, self.version)
            else:
                masterdata.add_customer(self.db, self.actor, data)
        except ValidationError as exc:
            self.app.call_from_thread(self._invalid, exc)
            return
        except DomainError as exc:
            self.app.call_from_thread(self._failed, self._say(exc))
            return
        except Exception as exc:
            self.app.call_from_thread(self._failed, self.t("customer.failed", error=self._say(exc)))
            return
        code = values["code"].strip()
        self.saved = True
        self.forget_form_draft()
        self.app.call_from_thread(self._saved, code)

    def _invalid(self, exc: ValidationError) -> None:
        if not self.is_attached:
            return
        self.busy = False
        field = exc.field or ""
        message = self._say(exc)
        known = {*TEXT_FIELDS, *ERROR_LINE, "payment_terms", "invoice_type"}
        if field in known:
            self.set_error(field, message)
            target = self.query(f"#{field}")
            if target:
                target.first().focus()
            self._status(self.t("customer.fix"))
        else:
            self._status(error_text(message))

    def _say(self, exc: BaseException) -> str:
        return i18n.error_text(exc, self.lang, self.db.timezone)

    def _failed(self, message: str) -> None:
        if not self.is_attached:
            return
        self.busy = False
        self._status(error_text(message))

    def _saved(self, code: str) -> None:
        if not self.is_attached:
            return
        self.busy = False
        self.notify(self.t("customer.saved", code=code), timeout=3)
        self.dismiss(code)
