"""Step 1: the Customer Requirement Registration Form, its feasibility check, the alternative
agreed with the customer and the conversion into a draft order.

Keys: F4 looks up the customer or the line's product, F6 adds a new customer, F7 / F8 add and
remove lines, F9 (or Ctrl+S) records the requirement and runs the check, Ctrl+R records the
alternative agreed, F12 converts into a draft order. After the check the form stays editable:
F9 again saves the changes to the same requirement (against the version shown) and checks
again. What is typed before the first F9 is kept as a form draft ("intake:new") and offered
back when the form opens again.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.widget import Widget
from textual.widgets import Footer, Input, Select, Static

from order_tui.domain import codes
from order_tui.domain.errors import Conflict, DomainError, NotFound, ValidationError
from order_tui.domain.lifecycle import Status, status_label
from order_tui.domain.order_numbers import business_day
from order_tui.domain.terms import INVOICE_TYPES, PAYMENT_TERMS, label
from order_tui.screens import i18n
from order_tui.screens.base import TitleBar
from order_tui.screens.customer_form import (
    ConfirmDialog,
    CustomerFormScreen,
    LeaveGuard,
    error_text,
    parse_amount,
)
from order_tui.screens.fmt import local_time, money, qty
from order_tui.screens.i18n import register, t
from order_tui.widgets.field_input import FieldInput

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor
    from order_tui.services.intake import RequirementResult
    from order_tui.services.lookup import CustomerHit, ProductHit

register(
    {
        "intake.title": ("客户需求登记", "Customer requirement"),
        # header fields
        "intake.customer": ("客户", "Customer"),
        "intake.customer_ph": ("编码/F4 查找", "code or F4"),
        "intake.no_customer": (
            "（未选定：F4 查找，F6 新建）",
            "(none yet: F4 to look up, F6 to add)",
        ),
        "intake.contact": ("联系人", "Contact"),
        "intake.contact_ph": ("例如 李经理", "e.g. Manager Li"),
        "intake.phone": ("电话", "Phone"),
        "intake.phone_ph": ("手机或座机", "mobile or landline"),
        "intake.channel": ("渠道", "Channel"),
        "intake.channel.phone": ("电话", "Phone"),
        "intake.channel.visit": ("拜访", "Visit"),
        "intake.channel.online": ("线上", "Online"),
        "intake.wanted": ("要求交期", "Wanted by"),
        "intake.budget": ("预算", "Budget"),
        "intake.budget_ph": ("元", "CNY"),
        "intake.description": ("需求描述", "Need"),
        "intake.description_ph": ("客户要做什么、用在哪里", "what the customer needs it for"),
        "intake.key_demands": ("关键诉求", "Key demands"),
        "intake.key_demands_ph": ("如：交期优先、价格敏感", "e.g. date first, price-sensitive"),
        "intake.special": ("特殊要求", "Special req."),
        "intake.special_ph": ("包装、运输方式等", "packaging, transport mode"),
        "intake.credit": ("额度", "credit"),
        # lines
        "intake.lines": ("需求明细", "Requested items"),
        "intake.lines_hint": (
            "F4 查产品 · F7 加行 · F8 删行",
            "F4 product · F7 add line · F8 remove line",
        ),
        "intake.col.no": ("#", "#"),
        "intake.col.code": ("产品编码", "Product"),
        "intake.col.name": ("名称/描述", "Name / text"),
        "intake.col.spec": ("规格型号", "Spec/model"),
        "intake.col.params": ("技术参数", "Parameters"),
        "intake.col.qty": ("数量", "Qty"),
        "intake.ph.name": ("产品名或自由描述", "product or free text"),
        "intake.ph.spec": ("规格/型号", "spec / model"),
        "intake.ph.params": ("电压、功率、尺寸…", "voltage, power, size…"),
        "intake.available": (
            "可用 {available} {unit}，在途 {incoming}（{when} 到）",
            "available {available} {unit}, {incoming} incoming ({when})",
        ),
        "intake.available_only": ("可用 {available} {unit}", "available {available} {unit}"),
        "intake.mto": ("定制品：生产周期 {days} 天", "made to order: {days} days to make"),
        "intake.service": ("服务项目：无需库存", "service: not stocked"),
        "intake.not_stocked": ("无需库存", "not stocked"),
        "intake.free_text": ("自由描述（无产品编码）", "free text (no product code)"),
        "intake.no_product": (
            "无此产品编码 {code}（F4 查找）",
            "No product {code} (F4 to look up)",
        ),
        # checks in the form
        "intake.need_customer": (
            "请选择客户（F4 查找，F6 新建）",
            "Choose the customer (F4 to look up, F6 to add)",
        ),
        "intake.bad_date": (
            "日期格式：2026-12-20、20261220 或 12-20",
            "Date as 2026-12-20, 20261220 or 12-20",
        ),
        "intake.past_date": ("要求交期不能早于今天", "The wanted date cannot be in the past"),
        "intake.bad_budget": ("请输入金额，例如 50000", "Enter an amount, e.g. 50000"),
        "intake.bad_qty": ("数量应为正数", "Quantity must be a positive number"),
        "intake.need_qty": ("请填写数量", "Enter the quantity"),
        "intake.need_code": (
            "请填写产品编码（F4 查找）",
            "Enter the product code (F4 to look up)",
        ),
        "intake.line_error": ("第 {no} 行：{message}", "Line {no}: {message}"),
        "intake.fix": ("请更正标 ! 的项目", "Correct the fields marked !"),
        # recording and the check
        "intake.recording": ("正在登记并检查可行性…", "Recording and checking…"),
        "intake.recorded": (
            "已登记需求 #{id}。可行性检查结果如下。",
            "Requirement #{id} recorded. Feasibility below.",
        ),
        "intake.updating": ("正在保存修改并重新检查…", "Saving the changes and checking again…"),
        "intake.updated": (
            "需求 #{id} 已保存修改（版本 {version}），可行性已重新检查。",
            "Requirement #{id} saved (version {version}); feasibility checked again.",
        ),
        "intake.edited": (
            "表单有修改尚未保存：F9 保存并重新检查",
            "The form has changes not saved yet: F9 saves and checks again",
        ),
        "intake.convert_edited": (
            "表单有修改尚未保存：先按 F9 保存并查看新的检查结果，再转为订单",
            "The form has changes not saved yet: F9 first to save and see the new check",
        ),
        "intake.leave_edited": (
            "对需求的修改尚未保存（F9）。仍然离开？",
            "The changes to the requirement are not saved yet (F9). Leave anyway?",
        ),
        "intake.conflict": (
            "{message}。您的输入仍保留：再按 F9 以您的输入覆盖保存，或按 Esc 离开",
            "{message}. Your input is kept: F9 again saves it over that change, Esc leaves",
        ),
        "intake.failed": ("操作失败：{error}", "Failed: {error}"),
        "intake.check_head": ("可行性检查（需求 #{id}）", "Feasibility check (requirement #{id})"),
        "intake.col.product": ("产品", "Product"),
        "intake.col.need": ("需求", "Qty"),
        "intake.col.on_hand": ("在库", "On hand"),
        "intake.col.locked": ("锁定", "Locked"),
        "intake.col.available": ("可用", "Avail."),
        "intake.col.shortfall": ("缺口", "Short"),
        "intake.col.lead": ("周期", "Lead"),
        "intake.col.earliest": ("最早交期", "Earliest"),
        "intake.col.risk": ("风险", "Risk"),
        "intake.days": ("{days}天", "{days}d"),
        "intake.mto_mark": ("定制", "MTO"),
        "intake.risk.ok": ("可满足", "OK"),
        "intake.risk.shortage": ("缺货", "SHORTAGE"),
        "intake.risk.late": ("延期", "LATE"),
        "intake.risk.no_supply": ("无货源", "NO SUPPLY"),
        "intake.not_checked": ("未检查（无产品编码）", "not checked (no product)"),
        "intake.cannot_promise": ("无法承诺", "none"),
        "intake.earliest_all": ("全部最早可交：{day}", "Everything by: {day}"),
        "intake.earliest_none": (
            "有明细无货源，无法承诺交期",
            "A line has no supply: no date can be promised",
        ),
        "intake.wanted_day": ("要求交期：{day}", "wanted: {day}"),
        "intake.risky": (
            "{count} 行有风险：请与客户商定替代方案，在下方填写后按 Ctrl+R 记录。",
            "{count} line(s) at risk: agree an alternative with the customer, type it below, "
            "Ctrl+R to record.",
        ),
        "intake.all_ok": ("全部可满足。", "Everything can be met."),
        "intake.history_head": ("客户往来（历史订单与未结事项）", "Customer history"),
        "intake.no_history": ("该客户没有历史订单。", "No earlier orders for this customer."),
        "intake.open": ("未结", "OPEN"),
        "intake.hold": ("挂起", "HOLD"),
        "intake.hold_detail": ("挂起：{what}", "hold: {what}"),
        # the alternative and the order
        "intake.alternative": ("替代方案", "Alternative"),
        "intake.alternative_ph": (
            "与客户商定的替代方案或调整后的预期",
            "what was agreed with the customer",
        ),
        "intake.alternative_hint": (
            "Enter 或 Ctrl+R 记录 · F12 转为草稿订单",
            "Enter or Ctrl+R records it · F12 converts to a draft order",
        ),
        "intake.alternative_saved": ("已记录替代方案。", "Alternative recorded."),
        "intake.agreed": ("已商定：{text}", "Agreed: {text}"),
        "intake.need_alternative": (
            "请先填写与客户商定的替代方案",
            "Type the alternative agreed first",
        ),
        "intake.convert_risky": (
            "检查显示有风险，但尚未记录替代方案。仍转为订单？",
            "The check shows a risk and no alternative is recorded. Convert anyway?",
        ),
        "intake.convert_title": ("转为订单", "Convert to order"),
        "intake.converting": ("正在生成草稿订单…", "Creating the draft order…"),
        "intake.converted": (
            "已转为草稿订单 {order_no}（交销售内勤补全）。",
            "Draft order {order_no} created (for the clerk to complete).",
        ),
        "intake.draft_restored": (
            "已恢复 {when} 保存的草稿（Esc 可放弃）",
            "Draft of {when} restored (Esc to discard it)",
        ),
        "intake.leave_alternative": (
            "替代方案尚未记录（Ctrl+R）。仍然离开？",
            "The alternative is not recorded yet (Ctrl+R). Leave anyway?",
        ),
        "intake.customer_added": ("已新建并选定客户 {code}", "Customer {code} added and chosen"),
        "intake.help.enter": (
            "下一项；客户栏：查找；替代方案栏：记录",
            "next field; in Customer: look up; in Alternative: record it",
        ),
        "intake.help.alternative": (
            "记录替代方案（F9 登记后）",
            "Record the alternative (after F9)",
        ),
        "intake.help.convert": ("转为草稿订单（F9 登记后）", "Convert to a draft order (after F9)"),
        # keys (by binding id)
        "key.intake_lookup": ("查找", "Find"),
        "key.intake_new_customer": ("新客户", "New cust."),
        "key.intake_add_line": ("加行", "Add line"),
        "key.intake_delete_line": ("删行", "Remove line"),
        "key.intake_record": ("登记检查", "Check"),
        "key.intake_alternative": ("替代方案", "Alternative"),
        "key.intake_convert": ("转为订单", "To order"),
        "key.intake_leave": ("返回", "Back"),
        "key.intake_home": ("首页", "Home"),
        # checked here before the service is asked
        "intake.err.contact": ("请填写客户联系人", "Enter the customer's contact"),
    }
)

CHANNELS = ("phone", "visit", "online")
RISK_KEYS = {
    "": "intake.risk.ok",
    "shortage": "intake.risk.shortage",
    "late": "intake.risk.late",
    "no_supply": "intake.risk.no_supply",
}
RISK_STYLE = "bold red"
RISK_STYLE_NO_COLOR = "bold reverse"
LINE_FIELDS = ("code", "name", "spec", "params", "qty")
HEADER_FIELDS = (
    "customer",
    "contact",
    "phone",
    "wanted",
    "budget",
    "description",
    "key_demands",
    "special",
)
# the service's field names -> the error line that shows them
SERVICE_FIELDS = {
    "customer_code": "customer",
    "contact_name": "contact",
    "contact_phone": "phone",
    "channel": "channel",
    "wanted_date": "wanted",
    "budget": "budget",
    "description": "description",
    "key_demands": "key_demands",
    "special_requirements": "special",
}
# A line's fields as the service names them -> as the form's row names them.
SERVICE_LINE_FIELDS = {
    "product_code": "code",
    "description": "name",
    "spec": "spec",
    "parameters": "params",
    "qty": "qty",
}
ERROR_LINE = {"phone": "contact", "channel": "terms", "wanted": "terms", "budget": "terms"}
HISTORY_LIMIT = 12


def parse_day(text: str, today: date) -> date | None:
    """2026-12-20, 2026/12/20, 20261220, 2026年12月20日, or 12-20 (the next such day)."""
    s = unicodedata.normalize("NFKC", text).strip()
    for old, new in (("年", "-"), ("月", "-"), ("日", ""), ("/", "-"), (".", "-")):
        s = s.replace(old, new)
    if not s:
        return None
    if re.fullmatch(r"\d{8}", s):
        return date(int(s[:4]), int(s[4:6]), int(s[6:]))
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{1,2})-(\d{1,2})", s):
        day = date(today.year, int(m[1]), int(m[2]))
        return day if day >= today else date(today.year + 1, day.month, day.day)
    raise ValueError(text)


def _dec(value: object) -> Decimal:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return Decimal(0)


def render_feasibility(
    result: RequirementResult,
    rows: list[dict[str, str]],
    wanted: date | None,
    lang: str,
    no_color: bool,
) -> Group:
    """The per-line check: on hand, locked, available, shortfall, lead time, earliest, risk word."""

    def tr(key: str, **fields: object) -> str:
        return t(key, lang, **fields)

    style = RISK_STYLE_NO_COLOR if no_color else RISK_STYLE
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 0),  # the box's column divider is the one space between columns
        header_style="bold",
    )
    # The product's name is what gives way when the row is too wide (never the figures).
    table.add_column(tr("intake.col.no"), justify="right", no_wrap=True)
    # (a column that may wrap is the one Rich narrows; its cells are one line with an ellipsis)
    table.add_column(tr("intake.col.product"), overflow="ellipsis", max_width=24)
    for key in ("need", "on_hand", "locked", "available", "shortfall"):
        table.add_column(tr(f"intake.col.{key}"), justify="right", no_wrap=True)
    table.add_column(tr("intake.col.lead"), justify="right", no_wrap=True)
    table.add_column(tr("intake.col.earliest"), no_wrap=True)
    table.add_column(tr("intake.col.risk"), no_wrap=True)
    by_line = {int(f["line_no"]): f for f in result.feasibility}
    risky = 0
    for no, row in enumerate(rows, start=1):
        f = by_line.get(no)
        product = Text(row.get("code") or "", style="bold", no_wrap=True, overflow="ellipsis")
        if row.get("name"):
            product.append(" " + row["name"])
        if f is None:
            table.add_row(str(no), product, row.get("qty", ""), "", "", "", "", "", "", "")
            table.add_row("", Text(tr("intake.not_checked"), style="dim"))
            continue
        mto = row.get("mto") == "1"
        risk = str(f.get("risk") or "")
        risky += bool(risk)
        earliest = f.get("earliest")
        if f.get("stocked", True) is False:  # a service: no stock figures, nothing short
            stock: list[str] = ["-", "-", "-", "-"]
            verdict_word = tr(RISK_KEYS[risk]) if risk else tr("intake.not_stocked")
        else:
            stock = [
                qty(_dec(f["on_hand"])),
                qty(_dec(f["locked"])),
                tr("intake.mto_mark") if mto else qty(_dec(f["available"])),
                qty(_dec(f["shortfall"])),
            ]
            verdict_word = tr(RISK_KEYS.get(risk, "intake.risk.ok"))
        table.add_row(
            str(no),
            product,
            qty(_dec(f["qty"])),
            *stock,
            tr("intake.days", days=f.get("lead_time_days", 0)),
            str(earliest) if earliest else tr("intake.cannot_promise"),
            Text(verdict_word, style=style if risk else "bold"),
        )
    summary = Text()
    if result.earliest is not None:
        summary.append(tr("intake.earliest_all", day=result.earliest.isoformat()), style="bold")
    else:
        summary.append(tr("intake.earliest_none"), style=style)
    if wanted is not None:
        summary.append(("；" if lang == "zh" else "; ") + tr("intake.wanted_day", day=wanted))
    verdict = (
        Text(tr("intake.risky", count=risky), style="bold")
        if risky
        else Text(tr("intake.all_ok"), style="bold")
    )
    head = Text(tr("intake.check_head", id=result.id), style="bold underline")
    return Group(head, table, summary, verdict)


def render_history(history: list[dict[str, Any]], lang: str, no_color: bool) -> Group:
    head = Text(t("intake.history_head", lang), style="bold underline")
    if not history:
        return Group(head, Text(t("intake.no_history", lang)))
    style = RISK_STYLE_NO_COLOR if no_color else RISK_STYLE
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(overflow="fold")
    for h in history:
        flags = Text()
        if h["open"]:
            flags.append(t("intake.open", lang), style="bold")
        if h["holds"]:
            flags.append(" " if flags else "")
            flags.append(t("intake.hold_detail", lang, what=h["holds"]), style=style)
        try:
            status = status_label(Status(h["status"]), lang)
        except ValueError:
            status = h["status"]
        table.add_row(h["order_no"], str(h["order_day"]), status, money(h["total"]), flags)
    return Group(head, table)


class LineRow(Vertical):
    """One requested item: product code, name or free text, spec/model, parameters, qty."""

    DEFAULT_CSS = """
    LineRow {
        height: auto;
    }
    LineRow > Horizontal {
        height: 1;
    }
    LineRow .no {
        width: 3;
        text-style: bold;
    }
    LineRow Horizontal:focus-within > .no {
        text-style: bold reverse;
    }
    LineRow Input {
        margin-right: 1;
    }
    LineRow .code {
        width: 9;
    }
    LineRow .name, LineRow .spec, LineRow .params {
        width: 1fr;
    }
    LineRow .qty {
        width: 8;
    }
    LineRow .unit {
        width: 4;
    }
    LineRow .info {
        height: auto;
        padding-left: 3;
        color: $text-muted;
        display: none;
    }
    LineRow .info.-shown {
        display: block;
    }
    LineRow .info.-error {
        color: $error;
        text-style: bold;
    }
    """

    def __init__(self, lang: str, values: dict[str, str] | None = None) -> None:
        super().__init__()
        self.lang = lang
        self.values_at_start = dict(values or {})
        self.mto = self.values_at_start.get("mto") == "1"
        self.resolved = self.values_at_start.get("resolved", "")
        self.error_field = ""  # the field the shown error is about ("" when none)

    def compose(self) -> ComposeResult:
        v = self.values_at_start
        with Horizontal():
            yield Static("", classes="no", markup=False)
            yield FieldInput(
                v.get("code", ""), placeholder="F4", classes="code", compact=True, max_length=30
            )
            for name in ("name", "spec", "params"):
                yield FieldInput(
                    v.get(name, ""),
                    placeholder=t(f"intake.ph.{name}", self.lang),
                    classes=name,
                    compact=True,
                    max_length=300 if name == "params" else 200,
                )
            yield FieldInput(
                v.get("qty", ""),
                placeholder="0",
                classes="qty",
                compact=True,
                max_length=12,
                restrict=r"[0-9.,０-９．]*",
            )
            yield Static(v.get("unit", ""), classes="unit", markup=False)
        yield Static("", classes="info", markup=False)

    def field(self, name: str) -> Input:
        return self.query_one(f".{name}", Input)

    def values(self) -> dict[str, str]:
        values = {name: self.field(name).value for name in LINE_FIELDS}
        values["unit"] = str(self.query_one(".unit", Static).content)
        values["mto"] = "1" if self.mto else ""
        values["resolved"] = self.resolved
        return values

    def is_blank(self) -> bool:
        return not any(self.field(name).value.strip() for name in LINE_FIELDS)

    def set_number(self, no: int) -> None:
        self.query_one(".no", Static).update(f"{no:>2}")

    def set_info(self, text: str, *, error: str = "") -> None:
        """The line under the item: a hint, or an error about the field named by `error`."""
        info = self.query_one(".info", Static)
        info.update(error_text(text) if error else text)
        info.set_class(bool(text), "-shown")
        info.set_class(bool(error), "-error")
        self.error_field = error
        for name in LINE_FIELDS:
            self.field(name).set_class(name == error, "-invalid")

    def use_product(self, hit: ProductHit, lang: str) -> None:
        self.field("code").value = hit.code
        self.resolved = hit.code
        self.mto = hit.made_to_order
        self.field("name").value = hit.name
        self.field("spec").value = hit.spec
        self.query_one(".unit", Static).update(hit.unit)
        if not getattr(hit, "stocked", True):
            info = t("intake.service", lang)
        elif hit.made_to_order:
            info = t("intake.mto", lang, days=hit.lead_time_days)
        elif hit.incoming and hit.incoming_date:
            info = t(
                "intake.available",
                lang,
                available=qty(hit.available),
                unit=hit.unit,
                incoming=qty(hit.incoming),
                when=hit.incoming_date.isoformat(),
            )
        else:
            info = t("intake.available_only", lang, available=qty(hit.available), unit=hit.unit)
        if self.error_field in ("", "code"):  # an error about the quantity stays
            self.set_info(info)


class IntakeScreen(LeaveGuard):
    """The requirement form; after F9 the check, the customer's history and the alternative."""

    DEFAULT_CSS = """
    IntakeScreen #form {
        height: 1fr;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    IntakeScreen .row {
        height: 1;
    }
    IntakeScreen .label {
        width: 13;
        padding-right: 1;
        text-style: bold;
    }
    IntakeScreen .label2 {
        width: auto;
        padding: 0 1;
        text-style: bold;
    }
    IntakeScreen .row:focus-within > .label {
        text-style: bold reverse;
    }
    IntakeScreen #customer-name {
        width: 1fr;
        padding-left: 1;
        text-style: bold;
    }
    IntakeScreen #customer-info {
        height: auto;
        padding-left: 13;
        color: $text-muted;
        display: none;
    }
    IntakeScreen #contact {
        width: 1fr;
        max-width: 40;
    }
    IntakeScreen .row > Input {
        width: 1fr;
    }
    IntakeScreen #customer, IntakeScreen #wanted {
        width: 13;
    }
    IntakeScreen #phone {
        width: 18;
    }
    IntakeScreen #channel {
        width: 10;
    }
    IntakeScreen .error {
        height: auto;
        padding-left: 13;
        color: $error;
        text-style: bold;
        display: none;
    }
    IntakeScreen .error.-shown {
        display: block;
    }
    IntakeScreen #lines-head {
        height: 1;
        margin-top: 1;
    }
    IntakeScreen #lines-title {
        width: auto;
        text-style: bold underline;
        padding-right: 2;
    }
    IntakeScreen #lines-hint {
        width: 1fr;
        color: $text-muted;
    }
    IntakeScreen #line-cols {
        height: 1;
        text-style: bold;
    }
    IntakeScreen #line-cols > Static {
        margin-right: 1;
    }
    IntakeScreen #line-cols .no {
        width: 3;
        margin-right: 0;
    }
    IntakeScreen #line-cols .code {
        width: 9;
    }
    IntakeScreen #line-cols .wide {
        width: 1fr;
    }
    IntakeScreen #line-cols .qty {
        width: 8;
    }
    IntakeScreen #line-cols .unit {
        width: 3;
    }
    IntakeScreen #lines {
        height: auto;
    }
    IntakeScreen #results, IntakeScreen #history {
        height: auto;
        margin-top: 1;
        display: none;
    }
    IntakeScreen #alt-box {
        height: auto;
        margin-top: 1;
        display: none;
    }
    IntakeScreen #customer-info.-shown, IntakeScreen #results.-shown,
    IntakeScreen #history.-shown, IntakeScreen #alt-box.-shown {
        display: block;
    }
    IntakeScreen #alt-hint {
        padding-left: 13;
        color: $text-muted;
    }
    IntakeScreen #status {
        height: auto;
        max-height: 2;
        padding: 0 1;
        text-style: bold;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f4", "lookup", "Look up", id="intake_lookup"),
        Binding("f6", "new_customer", "New customer", id="intake_new_customer", show=False),
        Binding("f7", "add_line", "Add line", id="intake_add_line", show=False),
        Binding("f8", "delete_line", "Remove line", id="intake_delete_line", show=False),
        Binding("f9,ctrl+s", "record", "Record and check", id="intake_record"),
        Binding("ctrl+r", "alternative", "Record alternative", id="intake_alternative"),
        Binding("f12", "convert", "Convert to order", id="intake_convert"),
        Binding("escape,f3", "leave", "Back", id="intake_leave"),
        Binding("f2", "go_home", "Home", id="intake_home", show=False),
    ]

    @property  # type: ignore[override]
    def HELP_EXTRA(self) -> list[tuple[str, str]]:  # read by the F1 screen
        """Besides the active keys, F1 names those that come after F9."""
        extra = [("Tab / Shift+Tab", "key.focus_next"), ("Enter", "intake.help.enter")]
        if self.result is None:
            extra += [("^R", "intake.help.alternative"), ("F12", "intake.help.convert")]
        return extra

    def __init__(self, db: Database, lang: str, actor: Actor) -> None:
        super().__init__(db, lang, actor)
        self.customer: CustomerHit | None = None
        self.autofilled: dict[str, str] = {}  # contact / phone as filled from the customer
        self.error_owner: dict[str, str] = {}  # error line -> the field whose message it shows
        self.result: RequirementResult | None = None
        self.version: int | None = None  # of the requirement as last saved or read
        self.recorded: dict[str, object] | None = None  # the form as last saved
        self.sending: dict[str, object] | None = None  # the form as it is being saved
        self.sent: list[dict[str, str]] = []
        self.wanted: date | None = None
        self.alternative_saved = ""
        self.order_no: str | None = None
        self.busy = False
        self.recording = False
        self.blank: dict[str, object] | None = None

    # -- layout ---------------------------------------------------------------------------

    def _label(self, key: str, cls: str = "label") -> Static:
        return Static(self.t(key), classes=cls, markup=False)

    def _error(self, name: str) -> Static:
        return Static("", id=f"err-{name}", classes="error", markup=False)

    def _input(self, name: str, placeholder: str = "", max_length: int = 200) -> Input:
        ph = self.t(placeholder) if placeholder else ""
        return FieldInput(placeholder=ph, id=name, compact=True, max_length=max_length)

    def compose(self) -> ComposeResult:
        yield TitleBar(self.title_text(self.t("intake.title")))
        with VerticalScroll(id="form"):
            with Horizontal(classes="row"):
                yield self._label("intake.customer")
                yield self._input("customer", "intake.customer_ph", 60)
                yield Static(self.t("intake.no_customer"), id="customer-name", markup=False)
            yield Static("", id="customer-info", markup=False)
            yield self._error("customer")
            with Horizontal(classes="row"):
                yield self._label("intake.contact")
                yield self._input("contact", "intake.contact_ph", 80)
                yield self._label("intake.phone", "label2")
                yield self._input("phone", "intake.phone_ph", 40)
            yield self._error("contact")
            with Horizontal(classes="row"):
                yield self._label("intake.channel")
                yield Select(
                    [(self.t(f"intake.channel.{c}"), c) for c in CHANNELS],
                    value="phone",
                    allow_blank=False,
                    compact=True,
                    id="channel",
                )
                yield self._label("intake.wanted", "label2")
                yield FieldInput(placeholder="YYYY-MM-DD", id="wanted", compact=True, max_length=20)
                yield self._label("intake.budget", "label2")
                yield FieldInput(
                    placeholder=self.t("intake.budget_ph"),
                    id="budget",
                    compact=True,
                    max_length=20,
                    restrict=r"[0-9.,¥ ０-９．，]*",
                )
            yield self._error("terms")
            for name in ("description", "key_demands", "special"):
                with Horizontal(classes="row"):
                    yield self._label(f"intake.{name}")
                    yield self._input(name, f"intake.{name}_ph", 2000)
                yield self._error(name)
            with Horizontal(id="lines-head"):
                yield Static(self.t("intake.lines"), id="lines-title", markup=False)
                yield Static(self.t("intake.lines_hint"), id="lines-hint", markup=False)
            with Horizontal(id="line-cols"):
                yield Static(self.t("intake.col.no"), classes="no", markup=False)
                yield Static(self.t("intake.col.code"), classes="code", markup=False)
                for key in ("name", "spec", "params"):
                    yield Static(self.t(f"intake.col.{key}"), classes="wide", markup=False)
                yield Static(self.t("intake.col.qty"), classes="qty", markup=False)
                yield Static("", classes="unit", markup=False)
            with Vertical(id="lines"):
                yield LineRow(self.lang)
            yield self._error("lines")
            yield Static("", id="results", markup=False)
            yield Static("", id="history", markup=False)
            with Vertical(id="alt-box"):
                with Horizontal(classes="row"):
                    yield self._label("intake.alternative")
                    yield self._input("alternative", "intake.alternative_ph", 2000)
                yield self._error("alternative")
                yield Static(self.t("intake.alternative_hint"), id="alt-hint", markup=False)
        yield Static("", id="status", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self._renumber()
        self.query_one("#customer", Input).focus()
        self.blank = self._fields()
        self.load_draft()

    # -- small helpers --------------------------------------------------------------------

    def _rows(self) -> list[LineRow]:
        return list(self.query(LineRow))

    def _renumber(self) -> None:
        for no, row in enumerate(self._rows(), start=1):
            row.set_number(no)

    def _value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)

    def _focused_row(self) -> LineRow | None:
        node: Widget | None = self.focused
        while node is not None:
            if isinstance(node, LineRow):
                return node
            parent = node.parent
            node = parent if isinstance(parent, Widget) else None
        return None

    def set_error(self, name: str, message: str) -> None:
        line = ERROR_LINE.get(name, name)
        if not message and self.error_owner.get(line, name) != name:
            return  # the line shows another field's message
        self.error_owner[line] = name
        if message and line != name:
            label = self.t(f"intake.{name}")
            message = f"{label}：{message}" if self.lang == "zh" else f"{label}: {message}"
        widget = self.query_one(f"#err-{line}", Static)
        widget.update(error_text(message))
        widget.set_class(bool(message), "-shown")
        for node in self.query(f"#{name}"):
            if isinstance(node, Input):
                node.set_class(bool(message), "-invalid")

    def clear_errors(self) -> None:
        self.error_owner.clear()
        for node in self.query(".error"):
            node.set_class(False, "-shown")
            if isinstance(node, Static):
                node.update("")
        for node in self.query("Input.-invalid"):
            node.set_class(False, "-invalid")
        for row in self._rows():
            if row.error_field:
                row.set_info("")

    def _line_error(self, row: LineRow, message: str, field: str = "code") -> None:
        """`message` under the row, after the row's number as the row shows it."""
        no = self._rows().index(row) + 1
        row.set_info(self.t("intake.line_error", no=no, message=message), error=field)

    def _edited(self) -> bool:
        """The recorded requirement's form was changed since it was last saved."""
        if self.result is None or self.order_no is not None or self.recorded is None:
            return False
        try:
            return self._fields() != self.recorded
        except NoMatches:  # the screen is being taken down
            return False

    # -- drafts ---------------------------------------------------------------------------

    def form_key(self) -> str | None:
        return "intake:new"

    def _fields(self) -> dict[str, object]:
        snap: dict[str, object] = {name: self._value(name) for name in HEADER_FIELDS}
        snap["customer_code"] = self.customer.code if self.customer else ""
        snap["channel"] = str(self.query_one("#channel", Select).value)
        snap["lines"] = [row.values() for row in self._rows()]
        return snap

    def form_snapshot(self) -> dict[str, object] | None:
        if self.result is not None or self.recording or not self.is_attached:
            return None
        try:
            return self._fields()
        except NoMatches:  # the screen is being taken down
            return None

    def unsaved_changes(self) -> bool:
        if not self.is_attached:
            return False
        if self.result is not None:
            if self._edited():
                return True
            typed = self._value("alternative").strip()
            return bool(typed) and typed != self.alternative_saved and self.order_no is None
        fields = self.form_snapshot()
        if fields is None:
            return False
        lines = fields.pop("lines")
        blank = dict(self.blank or {})
        blank.pop("lines", None)
        return fields != blank or any(
            any(str(v).strip() for k, v in line.items() if k in LINE_FIELDS)  # type: ignore[union-attr]
            for line in lines  # type: ignore[union-attr]
        )

    def leave_keeps_draft(self) -> bool:
        return self.result is None

    def leave_question(self) -> str:
        if self._edited():
            return self.t("intake.leave_edited")
        if self.result is not None:
            return self.t("intake.leave_alternative")
        return super().leave_question()

    @work(thread=True, exclusive=True, group="intake-draft", exit_on_error=False)
    def load_draft(self) -> None:
        from order_tui.services import forms, lookup

        assert self.actor is not None
        saved = forms.load_form(self.db, self.actor, "intake:new")
        if saved is None:
            return
        code = str(saved.payload.get("customer_code") or "")
        hit = next((h for h in lookup.customers(self.db, self.actor, code) if h.code == code), None)
        self.app.call_from_thread(self._restore, saved.payload, saved.saved_at, hit)

    async def _restore(self, payload: dict[str, Any], saved_at: datetime, hit: Any) -> None:
        if not self.is_attached or self.result is not None or self.unsaved_changes():
            return  # gone, or typing already started: keep what is on screen
        for name in HEADER_FIELDS:
            if name in payload:
                self.query_one(f"#{name}", Input).value = str(payload[name] or "")
        if payload.get("channel") in CHANNELS:
            self.query_one("#channel", Select).value = payload["channel"]
        if hit is not None:
            self._use_customer(hit, fill_contact=False)
        lines = [ln for ln in payload.get("lines") or [] if isinstance(ln, dict)]
        if lines:
            container = self.query_one("#lines", Vertical)
            await container.remove_children()
            await container.mount_all(
                [LineRow(self.lang, {k: str(v) for k, v in ln.items()}) for ln in lines]
            )
            self._renumber()
        when = local_time(saved_at.isoformat(), self.db.timezone, "%m-%d %H:%M")
        self._status(self.t("intake.draft_restored", when=when))
        self.query_one("#customer", Input).focus()

    # -- the customer -------------------------------------------------------------------------

    def _use_customer(self, hit: CustomerHit, *, fill_contact: bool = True) -> None:
        self.customer = hit
        customer = self.query_one("#customer", Input)
        customer.value = hit.code
        self.query_one("#customer-name", Static).update(hit.legal_name)
        terms = label(
            {k: (zh, en) for k, (zh, en, _d) in PAYMENT_TERMS.items()},
            hit.default_payment_terms,
            self.lang,
        )
        parts = [
            " ".join(x for x in (hit.contact, hit.phone) if x),
            f"{self.t('intake.credit')} {money(hit.credit_limit)}",
            terms,
            label(INVOICE_TYPES, hit.invoice_type, self.lang),
        ]
        info = self.query_one("#customer-info", Static)
        info.update(" · ".join(p for p in parts if p))
        info.add_class("-shown")
        self.set_error("customer", "")
        if fill_contact:  # the customer's default contact, unless one was typed
            for name, value in (("contact", hit.contact), ("phone", hit.phone)):
                field = self.query_one(f"#{name}", Input)
                if not field.value.strip() or field.value == self.autofilled.get(name):
                    field.value = value
                    self.autofilled[name] = value

    @on(Input.Changed, "#customer")
    def _customer_typed(self, event: Input.Changed) -> None:
        if self.customer is not None and event.value.strip() != self.customer.code:
            self.customer = None
            self.query_one("#customer-name", Static).update(self.t("intake.no_customer"))
            self.query_one("#customer-info", Static).remove_class("-shown")

    @on(Input.Blurred, "#customer")
    def _customer_left(self, event: Input.Blurred) -> None:
        text = event.value.strip()
        if text and self.customer is None and self.order_no is None:
            self.find_customer(text, pick_single=True)

    @work(thread=True, exclusive=True, group="intake-customer", exit_on_error=False)
    def find_customer(self, text: str, pick_single: bool = False, chosen: bool = False) -> None:
        """Resolve what was typed (or picked) to one customer; several hits wait for F4."""
        from order_tui.services import lookup

        hits = lookup.customers(self.db, self.actor, text)
        exact = [h for h in hits if text.upper() in (h.code.upper(), h.uscc.upper())]
        hit = exact[0] if exact else (hits[0] if pick_single and len(hits) == 1 else None)
        if hit is not None:
            self.app.call_from_thread(self._customer_found, text, hit, chosen)

    def _customer_found(self, text: str, hit: CustomerHit, chosen: bool) -> None:
        if not self.is_attached or self.order_no is not None:
            return
        if chosen or self._value("customer").strip() in (text, hit.code):
            self._use_customer(hit)

    def _customer_chosen(self, code: str | None) -> None:
        if code:
            self.find_customer(code, chosen=True)
            self.query_one("#contact", Input).focus()

    def _phone_problem(self) -> str:
        """The phone checked as the service will check it ("" when fine)."""
        try:
            codes.check_phone(self._value("phone"))
        except ValueError as exc:
            return i18n.error_text(exc, self.lang)
        return ""

    @on(Input.Blurred, "#phone")
    def _phone_left(self, event: Input.Blurred) -> None:
        if event.value.strip() and self.order_no is None:
            self.set_error("phone", self._phone_problem())

    # -- products -----------------------------------------------------------------------------

    @on(Input.Blurred, "LineRow .code")
    def _code_left(self, event: Input.Blurred) -> None:
        row = next(a for a in event.input.ancestors if isinstance(a, LineRow))
        code = event.value.strip()
        if code and code != row.resolved and self.order_no is None:
            self.find_product(row, code)
        elif not code and row.resolved:
            row.resolved = ""
            row.mto = False
            row.set_info(self.t("intake.free_text") if not row.is_blank() else "")

    @work(thread=True, group="intake-product", exit_on_error=False)
    def find_product(self, row: LineRow, code: str) -> None:
        from order_tui.services import lookup

        hit = lookup.product(self.db, self.actor, code) or lookup.product(
            self.db, self.actor, code.upper()
        )
        self.app.call_from_thread(self._product_found, row, code, hit)

    def _product_found(self, row: LineRow, code: str, hit: ProductHit | None) -> None:
        if not self.is_attached or not row.is_attached or self.order_no is not None:
            return
        if row.field("code").value.strip() not in (code, hit.code if hit else code):
            return  # typed on since
        if hit is None:
            row.resolved = ""
            self._line_error(row, self.t("intake.no_product", code=code))
        else:
            row.use_product(hit, self.lang)

    # -- keys: lookup, new customer, lines ---------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        editing = self.order_no is None and not self.busy  # also after F9: saved again
        if action in ("lookup", "new_customer", "add_line", "delete_line", "record"):
            return editing
        if action in ("alternative", "convert"):
            return self.result is not None and self.order_no is None and not self.busy
        return True

    def action_lookup(self) -> None:
        from order_tui.widgets.lookup import LookupDialog

        row = self._focused_row()
        if row is not None:
            focused = self.focused
            initial = (
                focused.value
                if isinstance(focused, Input) and focused in (row.field("code"), row.field("name"))
                else row.field("code").value
            )

            def picked(code: str | None) -> None:
                if code and row.is_attached:
                    row.field("code").value = code
                    self.find_product(row, code)
                    row.field("qty").focus()

            self.app.push_screen(
                LookupDialog(self.db, self.actor, self.lang, "product", initial), picked
            )
            return
        initial = "" if self.customer else self._value("customer").strip()
        self.app.push_screen(
            LookupDialog(self.db, self.actor, self.lang, "customer", initial), self._customer_chosen
        )

    def action_new_customer(self) -> None:
        assert self.actor is not None
        typed = self._value("customer").strip()
        initial = {
            "contact_name": self._value("contact").strip(),
            "contact_phone": self._value("phone").strip(),
        }
        if typed and self.customer is None and not typed.isascii():
            initial["legal_name"] = typed  # a name was typed, not a code or initials

        def added(code: object) -> None:
            if isinstance(code, str) and code:
                self._status(self.t("intake.customer_added", code=code))
                self.find_customer(code, chosen=True)

        self.app.push_screen(
            CustomerFormScreen(self.db, self.lang, self.actor, initial=initial), added
        )

    async def action_add_line(self) -> None:
        container = self.query_one("#lines", Vertical)
        current = self._focused_row()
        row = LineRow(self.lang)
        if current is not None:
            await container.mount(row, after=current)
        else:
            await container.mount(row)
        self._renumber()
        row.field("code").focus()
        row.scroll_visible()

    async def action_delete_line(self) -> None:
        rows = self._rows()
        row = self._focused_row() or rows[-1]
        if len(rows) == 1:
            for name in LINE_FIELDS:
                row.field(name).value = ""
            row.query_one(".unit", Static).update("")
            row.resolved, row.mto = "", False
            row.set_info("")
            row.field("code").focus()
            return
        index = rows.index(row)
        await row.remove()
        self._renumber()
        rest = self._rows()
        rest[min(index, len(rest) - 1)].field("code").focus()

    # -- Enter moves on; a field left shows its start ---------------------------------------

    @on(Input.Blurred)
    def _show_start(self, event: Input.Blurred) -> None:
        event.input.cursor_position = 0  # Tab selects all and scrolls to the end

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.input.id
        if name == "customer" and self.customer is None and event.value.strip():
            self.action_lookup()
            return
        if name == "alternative":
            self.action_alternative()
            return
        self.focus_next()

    # -- F9: record and check ---------------------------------------------------------------

    def _collect(self) -> tuple[dict[str, Any], list[dict[str, str]]] | None:
        """The typed form as service arguments, or None after marking what is wrong."""
        self.clear_errors()
        bad: list[Widget] = []
        today = business_day(datetime.now().astimezone(), self.db.timezone)
        if self.customer is None:
            self.set_error("customer", self.t("intake.need_customer"))
            bad.append(self.query_one("#customer"))
        if not self._value("contact").strip():
            self.set_error("contact", self.t("intake.err.contact"))
            bad.append(self.query_one("#contact"))
        elif message := self._phone_problem():
            self.set_error("phone", message)
            bad.append(self.query_one("#phone"))
        try:
            wanted = parse_day(self._value("wanted"), today)
        except ValueError:
            wanted = None
            self.set_error("wanted", self.t("intake.bad_date"))
            bad.append(self.query_one("#wanted"))
        else:
            if wanted is not None and wanted < today:
                self.set_error("wanted", self.t("intake.past_date"))
                bad.append(self.query_one("#wanted"))
        try:
            budget = parse_amount(self._value("budget"))
            if budget is not None and budget < 0:
                raise ValueError(budget)
        except ValueError:
            budget = None
            self.set_error("budget", self.t("intake.bad_budget"))
            bad.append(self.query_one("#budget"))
        lines: list[dict[str, str]] = []
        for row in self._rows():
            if row.is_blank():
                continue
            values = row.values()
            try:
                amount = parse_amount(values["qty"])
            except ValueError:
                amount = None
            if amount is None or amount <= 0:
                key = "intake.need_qty" if not values["qty"].strip() else "intake.bad_qty"
                self._line_error(row, self.t(key), "qty")
                bad.append(row.field("qty"))
                continue
            values["qty"] = str(amount)
            values["_row"] = str(id(row))
            lines.append(values)
        if bad:
            bad[0].focus()
            self._status(self.t("intake.fix"))
            return None
        header = {
            "customer_code": self.customer.code if self.customer else "",
            "contact_name": self._value("contact").strip(),
            "contact_phone": self._value("phone").strip(),
            "channel": str(self.query_one("#channel", Select).value),
            "description": self._value("description").strip(),
            "key_demands": self._value("key_demands").strip(),
            "special_requirements": self._value("special").strip(),
            "budget": budget,
            "wanted_date": wanted,
        }
        return header, lines

    def action_record(self) -> None:
        """F9 / Ctrl+S: record the requirement, or save the changes to the recorded one."""
        if self.busy or self.order_no is not None:
            return
        collected = self._collect()
        if collected is None:
            return
        header, lines = collected
        self.busy = True
        self.recording = True
        self.sending = self._fields()
        self.refresh_bindings()
        if self.result is None:
            self._status(self.t("intake.recording"))
            self.record(header, lines, None, None)
        else:
            self._status(self.t("intake.updating"))
            self.record(header, lines, self.result.id, self.version)

    @work(thread=True, exclusive=True, group="intake-record", exit_on_error=False)
    def record(
        self,
        header: dict[str, Any],
        lines: list[dict[str, str]],
        requirement_id: int | None,
        version: int | None,
    ) -> None:
        from order_tui.services import intake, orders

        assert self.actor is not None
        line_fields = {f.name for f in dataclasses.fields(intake.RequirementLineInput)}
        inputs = []
        for ln in lines:
            spec, params = ln["spec"].strip(), ln["params"].strip()
            kwargs: dict[str, Any] = {
                "product_code": ln["code"].strip(),
                "qty": Decimal(ln["qty"]),
                "description": ln["name"].strip(),
            }
            if "parameters" in line_fields:
                kwargs["parameters"] = params
            elif params:  # until the service keeps parameters apart: with the spec
                spec = f"{spec}；{params}" if spec else params
            kwargs["spec"] = spec[:200]
            inputs.append(intake.RequirementLineInput(**kwargs))
        data = intake.RequirementInput(lines=inputs, **header)
        try:
            if requirement_id is None:
                result = intake.record_requirement(self.db, self.actor, data)
            else:
                assert version is not None
                result = intake.update_requirement(
                    self.db, self.actor, requirement_id, data, version
                )
        except (ValidationError, NotFound) as exc:
            self.app.call_from_thread(self._invalid, exc, lines)
            return
        except Conflict as exc:  # someone changed it since: say who, keep what is typed
            self.app.call_from_thread(self._stale, exc)
            return
        except DomainError as exc:
            self.app.call_from_thread(self._failed, self._say(exc))
            return
        except Exception as exc:
            self.app.call_from_thread(self._failed, self.t("intake.failed", error=self._say(exc)))
            return
        self.forget_form_draft()
        history = []
        numbers = list(dict.fromkeys([*result.open_matters, *result.linked_orders]))
        for no in numbers[:HISTORY_LIMIT]:
            try:
                d = orders.get_order(self.db, self.actor, no)
            except Exception:
                continue
            history.append(
                {
                    "order_no": d.order_no,
                    "order_day": d.order_day,
                    "status": d.status,
                    "total": d.total,
                    "open": no in result.open_matters,
                    "holds": "；".join(str(h.get("description", "")) for h in d.holds),
                }
            )
        self.app.call_from_thread(self._recorded, result, lines, header["wanted_date"], history)

    def _invalid(self, exc: DomainError, lines: list[dict[str, str]]) -> None:
        if not self.is_attached:
            return
        self.busy = False
        self.recording = False
        self.refresh_bindings()
        message = self._say(exc)
        field = getattr(exc, "field", None) or ""
        rows = {str(id(r)): r for r in self._rows()}
        target: Widget | None = None
        if m := re.fullmatch(r"lines\.(\d+)\.(\w+)", field):
            index = int(m[1]) - 1
            if 0 <= index < len(lines) and (row := rows.get(lines[index]["_row"])):
                name = SERVICE_LINE_FIELDS.get(m[2], "code")
                if "line" in exc.params:
                    # the service counts the lines it was given, the form's rows count the
                    # blank ones too: the message names the row by the number it shows
                    shown = self._rows().index(row) + 1
                    again = ValidationError(code=exc.code, **{**exc.params, "line": shown})
                    row.set_info(self._say(again), error=name)
                else:
                    self._line_error(row, message, name)
                target = row.field(name)
        elif exc.code == "product.not_found":
            code = str(exc.params.get("product", ""))
            for ln in lines:
                row = rows.get(ln["_row"])
                if row is not None and ln["code"].strip() == code:
                    text = self.t("intake.need_code") if not code else message
                    self._line_error(row, text)
                    target = row.field("code")
                    break
        elif exc.code == "customer.not_found":
            self.set_error("customer", message)
            target = self.query_one("#customer")
        elif field in SERVICE_FIELDS:
            name = SERVICE_FIELDS[field]
            self.set_error(name, message)
            target = self.query_one(f"#{name}")
        elif field == "lines":
            self.set_error("lines", message)
            target = self._rows()[0].field("code")
        if target is None:
            self._status(error_text(message))
            return
        target.focus()
        self._status(self.t("intake.fix"))

    def _say(self, exc: BaseException) -> str:
        return i18n.error_text(exc, self.lang, self.db.timezone)

    def _stale(self, exc: Conflict) -> None:
        """Someone saved the requirement since: say who; the next F9 saves over their
        version (the alternative they recorded stays, the form is the representative's)."""
        latest = exc.params.get("version")
        if isinstance(latest, int):
            self.version = latest
        self._failed(self.t("intake.conflict", message=self._say(exc)))

    def _failed(self, message: str) -> None:
        if not self.is_attached:
            return
        self.busy = False
        self.recording = False
        self.refresh_bindings()
        self._status(error_text(message))

    def _recorded(
        self,
        result: RequirementResult,
        lines: list[dict[str, str]],
        wanted: date | None,
        history: list[dict[str, Any]],
    ) -> None:
        if not self.is_attached:
            return
        first = self.result is None
        self.result = result
        self.version = result.version
        self.recorded = self.sending
        self.sent = lines
        self.wanted = wanted
        self.busy = False
        self.recording = False
        results = self.query_one("#results", Static)
        results.update(render_feasibility(result, lines, wanted, self.lang, self.app.no_color))
        results.add_class("-shown")
        history_box = self.query_one("#history", Static)
        history_box.update(render_history(history, self.lang, self.app.no_color))
        history_box.add_class("-shown")
        self.query_one("#alt-box").add_class("-shown")
        self.refresh_bindings()
        if not first:  # saved again: the clerk stays where they were typing
            self._status(self.t("intake.updated", id=result.id, version=result.version))
            return
        self.query_one("#alternative", Input).focus()
        self._status(self.t("intake.recorded", id=result.id))
        self.call_after_refresh(results.scroll_visible, top=True, animate=False)

    # -- Ctrl+R: the alternative agreed ----------------------------------------------------

    def action_alternative(self) -> None:
        if self.result is None or self.busy or self.order_no is not None:
            return
        text = self._value("alternative").strip()
        self.set_error("alternative", "")
        if not text:
            self.set_error("alternative", self.t("intake.need_alternative"))
            self.query_one("#alternative", Input).focus()
            return
        self.busy = True
        self.refresh_bindings()
        self.save_alternative(self.result.id, text)

    @work(thread=True, exclusive=True, group="intake-alternative", exit_on_error=False)
    def save_alternative(self, requirement_id: int, text: str) -> None:
        from order_tui.services import intake

        assert self.actor is not None
        try:
            version = intake.agree_alternative(self.db, self.actor, requirement_id, text)
        except ValidationError as exc:
            self.app.call_from_thread(self._alternative_invalid, self._say(exc))
            return
        except Exception as exc:
            self.app.call_from_thread(self._failed, self._say(exc))
            return
        self.app.call_from_thread(self._alternative_saved, text, version)

    def _alternative_invalid(self, message: str) -> None:
        if not self.is_attached:
            return
        self.busy = False
        self.refresh_bindings()
        self.set_error("alternative", message)

    def _alternative_saved(self, text: str, version: int | None = None) -> None:
        if not self.is_attached:
            return
        self.busy = False
        self.alternative_saved = text
        if version is not None:  # the next F9 saves against it
            self.version = version
        self.refresh_bindings()
        hint = self.query_one("#alt-hint", Static)
        hint.update(self.t("intake.agreed", text=text) + "\n" + self.t("intake.alternative_hint"))
        self._status(self.t("intake.alternative_saved"))

    # -- F12: convert into a draft order ----------------------------------------------------

    def action_convert(self) -> None:
        if self.result is None or self.busy or self.order_no is not None:
            return
        if self._edited():  # the check on screen is not that of what is typed
            self._status(error_text(self.t("intake.convert_edited")))
            return
        risky = any(f.get("risk") for f in self.result.feasibility)
        if risky and not self.alternative_saved:

            def answered(answer: str | None) -> None:
                if answer == "yes":
                    self._convert_now()

            self.app.push_screen(
                ConfirmDialog(
                    self.lang, self.t("intake.convert_title"), self.t("intake.convert_risky")
                ),
                answered,
            )
            return
        self._convert_now()

    def _convert_now(self) -> None:
        assert self.result is not None
        self.busy = True
        self.refresh_bindings()
        self._status(self.t("intake.converting"))
        self.convert(self.result.id)

    @work(thread=True, exclusive=True, group="intake-convert", exit_on_error=False)
    def convert(self, requirement_id: int) -> None:
        from order_tui.services import intake

        assert self.actor is not None
        try:
            detail = intake.convert_to_order(self.db, self.actor, requirement_id)
        except Exception as exc:
            self.app.call_from_thread(self._failed, self._say(exc))
            return
        self.app.call_from_thread(self._converted, detail.order_no)

    def _converted(self, order_no: str) -> None:
        if not self.is_attached:
            return
        from order_tui.screens.order_detail import OrderDetailScreen

        assert self.actor is not None
        self.busy = False
        self.order_no = order_no
        for node in self.query("#form Input, #form Select"):  # converted: read-only now
            node.disabled = True
        self.refresh_bindings()
        message = self.t("intake.converted", order_no=order_no)
        self._status(message)
        self.notify(message, timeout=6)
        self.app.push_screen(OrderDetailScreen(self.db, self.lang, self.actor, order_no))
