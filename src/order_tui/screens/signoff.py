"""Step 5, on arrival: the delivery check with the customer and the signed receipt.

Quantity, appearance and packaging are each confirmed or marked as a discrepancy (Space or
the arrow keys switch); a discrepancy needs its description. The signer is the customer's
designated delivery contact by default; F4 lists the customer's contacts, any other name
may be typed. The signed receipt is a scan or photo given by its file path; it is copied
into the data directory under its SHA-256.

All three confirmed and the receipt attached: the order is delivered and the feedback call
falls due 24 hours after the signing time. A discrepancy puts the order on hold for the
clerk instead, and it stays shipped.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Input, Static

from order_tui.domain.lifecycle import Action, Status, status_label
from order_tui.domain.shipping import SIGN_OFF_CHECKS
from order_tui.domain.terms import FEEDBACK_DUE_HOURS
from order_tui.screens.base import TitleBar
from order_tui.screens.customer_form import ConfirmDialog
from order_tui.screens.delivery_common import (
    Choice,
    ChoiceDialog,
    DeliveryForm,
    local_now,
    parse_when,
)
from order_tui.screens.fmt import local_time
from order_tui.screens.i18n import pick, register
from order_tui.screens.md_common import field_row
from order_tui.screens.shipping import mode_label
from order_tui.widgets.field_input import FieldInput

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor
    from order_tui.services.delivery import SignOffForm

TIME_FORMAT = "%Y-%m-%d %H:%M"

register(
    {
        "key.signoff_lookup": ("联系人", "Contacts"),
        "key.signoff_save": ("保存签收", "Record"),
        "signoff.title": ("签收 {order_no}", "Sign-off {order_no}"),
        "signoff.head": (
            "{order_no} · {customer} · {status}",
            "{order_no} · {customer} · {status}",
        ),
        "signoff.deliver_to": ("收货", "Delivered to"),
        "signoff.shipment": ("发运 {seq}", "Shipment {seq}"),
        "signoff.earlier": (
            "{when} {signer} 签收，异常：{what}（{text}）",
            "{when} signed by {signer}, discrepancy: {what} ({text})",
        ),
        "signoff.check": ("{what}核对", "{what}"),
        "signoff.ok": ("确认", "Confirmed"),
        "signoff.bad": ("异常", "Discrepancy"),
        "signoff.discrepancy": ("异常说明", "Discrepancy"),
        "signoff.discrepancy_hint": ("有异常时必填", "required with a discrepancy"),
        "signoff.signer": ("签收人", "Signed by"),
        "signoff.signer_hint": ("F4 客户联系人", "F4: contacts"),
        "signoff.signed_at": ("签收时间", "Signed at"),
        "signoff.receipt": ("签收单文件", "Signed receipt"),
        "signoff.receipt_ph": ("扫描件或照片的路径", "path of the scan or photo"),
        "signoff.contacts_title": ("选择签收人", "Who signed"),
        "signoff.designated": ("（指定收货人）", " (delivery contact)"),
        "signoff.preview.ok": (
            "三项均确认并附签收单：订单变为“已签收”，回访截止 {due}",
            "All confirmed with the receipt: the order becomes Delivered, feedback call by {due}",
        ),
        "signoff.preview.ok_no_receipt": (
            "三项均确认：请附上签收单文件后保存",
            "All confirmed: attach the signed receipt to record the delivery",
        ),
        "signoff.preview.bad": (
            "有异常（{what}）：订单挂起（签收异常）交内勤处理，保持“已发货”",
            "Discrepancy ({what}): the order goes on hold for the clerk and stays Shipped",
        ),
        "signoff.err.signer": ("请填写签收人（F4 选择联系人）", "Enter who signed (F4: contacts)"),
        "signoff.err.discrepancy": ("请说明异常情况", "Describe the discrepancy"),
        "signoff.err.receipt": (
            "三项均确认时须附签收单文件",
            "Attach the signed receipt to confirm the delivery",
        ),
        "signoff.confirm_title": ("确认签收结果", "Confirm the sign-off"),
        "signoff.confirm": (
            "签收人 {signer} · {when}\n{checks}\n{result}",
            "Signed by {signer} · {when}\n{checks}\n{result}",
        ),
        "signoff.done.delivered": (
            "订单 {order_no} 已签收，回访截止 {due}",
            "Order {order_no} delivered; feedback call by {due}",
        ),
        "signoff.done.held": (
            "订单 {order_no} 已挂起（签收异常），已通知内勤",
            "Order {order_no} is on hold (delivery discrepancy) for the clerk",
        ),
        "signoff.help": (
            "Space 或 ←→ 在“确认”和“异常”之间切换；有异常时须填写异常说明，"
            "保存后订单挂起交内勤处理（订单保持已发货）。三项均确认时须附签收单文件"
            "（扫描件或照片的路径），保存后订单变为已签收，24 小时后回访到期。"
            "签收人默认为订单的收货联系人，F4 列出客户的联系人，也可直接输入。",
            "Space or Left/Right switch between Confirmed and Discrepancy; a discrepancy "
            "needs its description and puts the order on hold for the clerk (it stays "
            "Shipped). With all three confirmed attach the signed receipt (the path of a scan "
            "or photo): the order becomes Delivered and the feedback call falls due 24 hours "
            "later. The signer defaults to the order's delivery contact; F4 lists the "
            "customer's contacts, or type a name.",
        ),
    }
)
CHECK_VALUES = ("ok", "bad")


class SignOffScreen(DeliveryForm):
    """The delivery check of one shipped order. F4 contacts, Ctrl+S records (confirmed)."""

    KIND = "signoff"
    ACTION = Action.SIGN_OFF
    SAVE_KEY = "key.signoff_save"
    FIRST_FIELD = "check_qty"

    DEFAULT_CSS = """
    SignOffScreen #head { height: auto; margin-bottom: 1; }
    SignOffScreen #preview { height: auto; margin-top: 1; text-style: bold; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f4", "lookup", "Contacts", id="signoff_lookup"),
        Binding("f8", "print_receipt", "Receipt", id="dlv_receipt"),
    ]
    HELP_NOTES: ClassVar[list[str]] = ["signoff.help"]

    def __init__(self, db: Database, lang: str, actor: Actor, order_no: str) -> None:
        super().__init__(db, lang, actor, order_no)
        self.data: SignOffForm | None = None
        self.preview_text = ""

    def compose(self) -> ComposeResult:
        yield TitleBar(self.title_text(self.t("signoff.title", order_no=self.order_no)))
        options = [("ok", self.t("signoff.ok")), ("bad", self.t("signoff.bad"))]
        with VerticalScroll(classes="md-form", id="form"):
            yield Static(self.t("dlv.loading"), id="head")
            for check, pair in SIGN_OFF_CHECKS.items():
                yield from field_row(
                    f"check_{check}",
                    self.t("signoff.check", what=pick(pair, self.lang)) + " *",
                    Choice(options, "ok", lang=self.lang),
                )
            yield from field_row(
                "discrepancy",
                self.t("signoff.discrepancy"),
                FieldInput(max_length=2000, compact=True),
                self.t("signoff.discrepancy_hint"),
            )
            yield from field_row(
                "signer",
                self.t("signoff.signer") + " *",
                FieldInput(max_length=80, compact=True, classes="-short"),
                self.t("signoff.signer_hint"),
            )
            yield from field_row(
                "signed_at",
                self.t("signoff.signed_at") + " *",
                FieldInput(
                    placeholder="YYYY-MM-DD HH:MM", max_length=20, compact=True, classes="-short"
                ),
            )
            yield from field_row(
                "receipt",
                self.t("signoff.receipt"),
                FieldInput(placeholder=self.t("signoff.receipt_ph"), max_length=500, compact=True),
            )
            yield Static("", id="preview", markup=False)
        yield Static("", id="form-status", markup=False)
        yield Footer(show_command_palette=False)

    # -- data -------------------------------------------------------------------------------

    def fetch(self) -> Any:
        from order_tui.services import delivery

        assert self.actor is not None
        return delivery.sign_off_form(self.db, self.actor, self.order_no)

    def show_data(self, data: Any, first: bool) -> None:
        form: SignOffForm = data
        lang = self.lang
        colon = "：" if lang == "zh" else ": "
        head = Text()
        head.append(
            self.t(
                "signoff.head",
                order_no=form.order_no,
                customer=form.customer,
                status=status_label(Status(form.status), lang),
            ),
            style="bold",
        )
        if form.on_hold:
            head.append(" " + self.t("dlv.on_hold"), style="bold reverse")
        head.append(f"\n{self.t('signoff.deliver_to')}{colon}{form.address}")
        for s in form.shipments:
            head.append(
                f"\n{self.t('signoff.shipment', seq=s.seq)}{colon}{s.ship_date.isoformat()} "
                f"{s.carrier} {mode_label(s.mode, lang)} {s.tracking_no}",
                style="dim",
            )
        for record in form.sign_offs:
            failed = [k for k, ok in record.checks.items() if not ok]
            if not failed:
                continue
            what = "、".join(pick(SIGN_OFF_CHECKS[k], lang) for k in failed)
            when = local_time(record.signed_at.isoformat(), self.db.timezone, "%m-%d %H:%M")
            head.append(
                "\n"
                + self.t(
                    "signoff.earlier",
                    when=when,
                    signer=record.signer,
                    what=what,
                    text=record.discrepancy,
                ),
                style="dim",
            )
        self.query_one("#head", Static).update(head)
        if first:
            if form.contacts:
                self.query_one("#f-signer", Input).value = form.contacts[0].name
            now = local_now(self, self.db.timezone)
            self.query_one("#f-signed_at", Input).value = now.strftime(TIME_FORMAT)

    def after_values(self) -> None:
        self._preview()

    # -- what the check says --------------------------------------------------------------------

    def _failed_checks(self) -> list[str]:
        return [
            check
            for check in SIGN_OFF_CHECKS
            if self.query_one(f"#f-check_{check}", Choice).value == "bad"
        ]

    def _due(self, when: datetime) -> str:
        due = when + timedelta(hours=FEEDBACK_DUE_HOURS)
        return due.strftime("%m-%d %H:%M")

    def _when(self) -> datetime | None:
        try:
            return parse_when(
                self.query_one("#f-signed_at", Input).value, local_now(self, self.db.timezone)
            )
        except ValueError:
            return None

    def _preview(self) -> None:
        if self.data is None or not self.is_attached:
            return
        failed = self._failed_checks()
        if failed:
            what = "、".join(pick(SIGN_OFF_CHECKS[c], self.lang) for c in failed)
            self.preview_text = self.t("signoff.preview.bad", what=what)
        elif not self.query_one("#f-receipt", Input).value.strip():
            self.preview_text = self.t("signoff.preview.ok_no_receipt")
        else:
            when = self._when() or local_now(self, self.db.timezone)
            self.preview_text = self.t("signoff.preview.ok", due=self._due(when))
        self.query_one("#preview", Static).update(self.preview_text)

    @on(Choice.Changed)
    def _check_changed(self, event: Choice.Changed) -> None:
        self._preview()

    @on(Input.Changed, "#f-receipt, #f-signed_at")
    def _input_changed(self, event: Input.Changed) -> None:
        self._preview()

    def action_lookup(self) -> None:
        """F4: the customer's contacts, the delivery contact first."""
        form = self.data
        if form is None:
            return
        signer = self.query_one("#f-signer", Input)
        mark = self.t("signoff.designated")
        choices = [
            (c.name, f"{c.name}  {c.phone}" + (mark if c.designated else "")) for c in form.contacts
        ]

        def picked(value: str | None) -> None:
            if value:
                signer.value = value
                self.query_one("#f-signed_at", Input).focus()

        self.app.push_screen(
            ChoiceDialog(self.lang, self.t("signoff.contacts_title"), choices, signer.value),
            picked,
        )

    # -- Ctrl+S -----------------------------------------------------------------------------

    def save(self) -> None:
        if self.data is None or self.blocked():
            return
        values = self.field_values()
        failed = self._failed_checks()
        signer = str(values.get("signer") or "").strip()
        discrepancy = str(values.get("discrepancy") or "").strip()
        receipt = str(values.get("receipt") or "").strip()
        errors: dict[str, str] = {}
        if not signer:
            errors["signer"] = self.t("signoff.err.signer")
        if failed and not discrepancy:
            errors["discrepancy"] = self.t("signoff.err.discrepancy")
        if not failed and not receipt:
            errors["receipt"] = self.t("signoff.err.receipt")
        when = self._when()
        if when is None:
            errors["signed_at"] = self.t("dlv.bad_time")
        if errors:
            self.show_errors(errors)
            return
        assert when is not None
        self.clear_errors()
        lines = []
        for check, pair in SIGN_OFF_CHECKS.items():
            mark = self.t("signoff.bad") if check in failed else self.t("signoff.ok")
            lines.append(f"{pick(pair, self.lang)} {mark}")
        message = self.t(
            "signoff.confirm",
            signer=signer,
            when=when.strftime(TIME_FORMAT),
            checks=" · ".join(lines),
            result=self.preview_text,
        )

        def answered(answer: str | None) -> None:
            if answer == "yes":
                self._record(signer, failed, discrepancy, receipt, when)

        self.app.push_screen(
            ConfirmDialog(self.lang, self.t("signoff.confirm_title"), message), answered
        )

    def _record(
        self, signer: str, failed: list[str], discrepancy: str, receipt: str, when: datetime
    ) -> None:
        from order_tui.services import delivery

        def change(actor: Actor, version: int) -> Any:
            return delivery.sign_off(
                self.db,
                actor,
                self.order_no,
                signer=signer,
                qty_ok="qty" not in failed,
                appearance_ok="appearance" not in failed,
                packaging_ok="packaging" not in failed,
                receipt=Path(receipt) if receipt else None,
                discrepancy=discrepancy,
                signed_at=when,
                expected_version=version,
            )

        def done(detail: Any) -> None:
            if detail.status == "delivered":
                note = self.t("signoff.done.delivered", order_no=self.order_no, due=self._due(when))
                self.notify(note)
            else:
                self.notify(self.t("signoff.done.held", order_no=self.order_no), severity="warning")

        self.write(change, done)
