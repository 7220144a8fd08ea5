"""Step 2, order entry: the header, the line grid, live totals, attachments, save and submit.

`OrderEntryScreen(db, lang, actor, order_no=None)`: None is a new order (it gets its number on
the first Ctrl+S). Everything that reads or writes the database runs in a thread worker; the
screen keeps what was typed as text, so a wrong value is shown with its message and never lost,
and the app's autosave keeps it across a dropped SSH session (`form_snapshot`).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import WorkerError

from order_tui.domain import money
from order_tui.domain.errors import Conflict, DomainError, ValidationError
from order_tui.domain.lifecycle import Action, Status, allowed_actions, status_label
from order_tui.domain.order_numbers import business_day
from order_tui.domain.roles import Role
from order_tui.domain.terms import (
    ATTACHMENT_KINDS,
    INVOICE_TYPES,
    PAYMENT_TERMS,
    REJECT_REASONS,
    check_numbers,
    default_numbers,
    due_date,
    label,
    payment_due,
)
from order_tui.screens.base import OrderScreen, TitleBar, settle
from order_tui.screens.fmt import local_time
from order_tui.screens.fmt import money as fmt_money
from order_tui.screens.fmt import qty as fmt_qty
from order_tui.screens.i18n import STRINGS, error_text, localize_bindings, register, t
from order_tui.widgets.cells import fit, width_of
from order_tui.widgets.field_input import FieldInput
from order_tui.widgets.line_grid import EDITABLE, GridLine, LineGrid, tax_text
from order_tui.widgets.stock_strip import InfoLine, StockStrip

if TYPE_CHECKING:
    from order_tui.domain.review_checks import Finding
    from order_tui.services import Database
    from order_tui.services.common import Actor
    from order_tui.services.views import OrderDetail

EDITABLE_STATUSES = (Status.DRAFT.value, Status.RETURNED.value)
ENTRY_KINDS = ("purchase_confirmation", "technical_agreement", "communication")
SNAPSHOT_VERSION = 1

register(
    {
        # keys (binding ids)
        "key.entry_save": ("保存", "Save"),
        "key.entry_submit": ("提交审核", "Submit"),
        "key.entry_lookup": ("查找", "Look up"),
        "key.entry_attachments": ("附件", "Attachments"),
        "key.entry_switch": ("表头/明细", "Header/lines"),
        "key.entry_back": ("返回", "Back"),
        "key.entry_home": ("首页", "Home"),
        "key.entry_reload": ("重新载入", "Reload"),
        "key.entry_new": ("新订单", "New order"),
        "key.entry_enter": ("确认 / 下一项", "Confirm / next"),
        "key.entry_next": ("下一项", "Next field"),
        "key.entry_previous": ("上一项", "Previous field"),
        "key.entry_edit": ("编辑", "Edit"),
        "key.ask_cancel": ("取消", "Cancel"),
        "key.findings_cancel": ("返回修改", "Back to editing"),
        "key.dialog_cancel": ("取消", "Cancel"),
        "key.dialog_next": ("下一项 / 保存", "Next field / save"),
        "key.att_close": ("关闭", "Close"),
        "key.att_remove": ("删除附件", "Remove"),
        # the line grid and the stock strip (their widgets take the texts from here)
        "grid.col.no": ("#", "#"),
        "grid.col.code": ("编码", "Code"),
        "grid.col.product": ("品名 / 规格", "Product / spec"),
        "grid.col.qty": ("数量", "Qty"),
        "grid.col.price": ("单价", "Price"),
        "grid.col.tax": ("税率", "Tax"),
        "grid.col.gross": ("价税合计", "Gross"),
        "grid.col.tax_amount": ("税额", "Tax amt"),
        "entry.line_amounts": (
            "第 {no} 行：不含税 {net} · 税额 {tax} · 价税合计 {gross}",
            "Line {no}: net {net} · tax {tax} · gross {gross}",
        ),
        "grid.mark.low": ("低", "lo"),
        "grid.mark.high": ("高", "hi"),
        "grid.pending": ("查找中…", "looking up…"),
        "grid.what.qty": ("数量", "Quantity"),
        "grid.err.required": ("{what}必填", "{what} is required"),
        "grid.err.positive": ("数量必须大于 0", "Quantity must be more than 0"),
        "grid.err.negative": ("单价不能为负数", "Price cannot be negative"),
        "grid.err.tax": (
            "税率只能是 13、9、6、3、1、0 或 免税",
            "Tax must be 13, 9, 6, 3, 1, 0 or exempt",
        ),
        "grid.err.code": (
            "没有编码为 {code} 的产品（按 F4 查找）",
            "No product {code} (F4 to look up)",
        ),
        "grid.err.too_large": ("金额过大", "Amount too large"),
        "grid.warn.low": (
            "单价 {price} 低于底价 {floor}：审核时销售和财务会看到",
            "Price {price} is below the floor {floor}: the reviewers will see it",
        ),
        "grid.warn.high": (
            "单价 {price} 高于顶价 {ceiling}：审核时财务会看到",
            "Price {price} is above the ceiling {ceiling}: finance will see it",
        ),
        "grid.ask_delete": (
            "删除第 {no} 行 {what}？ y 删除 / n 保留",
            "Delete line {no} {what}? y = delete, n = keep",
        ),
        "key.grid_edit": ("编辑单元格", "Edit cell"),
        "key.grid_add": ("加行", "Add line"),
        "key.grid_delete": ("删行", "Delete line"),
        "key.grid_duplicate": ("复制行", "Duplicate line"),
        "key.grid_next": ("下一格", "Next cell"),
        "key.grid_previous": ("上一格", "Previous cell"),
        "key.grid_first": ("首行", "First line"),
        "key.grid_last": ("末行", "Last line"),
        "stock.none": (
            "输入产品编码回车（可扫码），或按 F4 查找产品",
            "Type or scan a product code and Enter, or F4 to look up",
        ),
        "stock.mto": ("定制品，生产周期 {days} 天", "Made to order, lead time {days} d"),
        "stock.not_stocked": ("服务项目，无需库存", "Service: not stocked"),
        "stock.on_hand": ("库存 {qty}", "stock {qty}"),
        "stock.locked": ("锁定 {qty}", "lock {qty}"),
        "stock.available": ("可用 {qty}", "avail {qty}"),
        "stock.incoming": ("在途 {qty}（{date}到）", "in {qty} on {date}"),
        "stock.range": ("价格 {floor}~{ceiling}", "price {floor}~{ceiling}"),
        # the screen
        "entry.new": ("新订单", "New order"),
        "entry.order": ("{order_no}（{status}）", "{order_no} ({status})"),
        "entry.customer": ("客户", "Customer"),
        "entry.contact": ("联系人", "Contact"),
        "entry.address": ("地址", "Address"),
        "entry.invoice": ("发票", "Invoice"),
        "entry.terms": ("付款", "Terms"),
        "entry.prepay": ("预付", "Prepay"),
        "entry.prepay_unit": ("%", "%"),
        "entry.credit": ("账期", "Credit"),
        "entry.credit_unit": ("天", "d"),
        "entry.pricing": ("单价", "Prices"),
        "entry.wanted": ("交期", "Wanted"),
        "entry.due": ("收款日", "Pay by"),
        "entry.freight": ("运费", "Freight"),
        "entry.discount": ("折扣", "Discount"),
        "entry.remarks": ("备注", "Remarks"),
        "entry.incl": ("含税", "incl. tax"),
        "entry.excl": ("不含税", "excl. tax"),
        "entry.uscc": ("信用代码", "USCC"),
        "entry.bank": ("开户行", "Bank"),
        "entry.account": ("账号", "Account"),
        "entry.cust_hint": (
            "输入客户编码回车，或按 F4 查找",
            "Type a customer code and Enter, or F4 to look up",
        ),
        "entry.pick": ("（请选择）", "(choose)"),
        "entry.contact_new": ("＋ 新增联系人…", "+ New contact…"),
        "entry.address_new": ("＋ 新增地址…", "+ New address…"),
        "entry.contact_order": ("{name} {phone}（订单原值）", "{name} {phone} (as ordered)"),
        "entry.terms_not_allowed": ("{label}（不在允许范围）", "{label} (not allowed)"),
        "entry.date_ph": ("年-月-日", "YYYY-MM-DD"),
        "entry.due_ph": ("发货前", "on shipping"),
        "entry.remarks_ph": ("交货、包装等说明", "Delivery and packing notes"),
        "entry.err.date": ("日期格式应为 YYYY-MM-DD", "Use a date like YYYY-MM-DD"),
        "entry.err.past": (
            "交期不能早于今天（{today}）",
            "The wanted date cannot be before today ({today})",
        ),
        "entry.err.negative": ("不能为负数", "Cannot be negative"),
        "entry.err.discount": (
            "折扣 {discount} 超过货款加运费 {limit}",
            "Discount {discount} is more than goods plus freight {limit}",
        ),
        "entry.err.customer_unknown": (
            "没有编码为 {code} 的客户（按 F4 查找）",
            "No customer {code} (F4 to look up)",
        ),
        "entry.err.customer_needed": (
            "请先选择客户（输入编码回车或按 F4）",
            "Choose a customer first (code and Enter, or F4)",
        ),
        "entry.err.no_lines": ("订单至少要有一行产品", "An order needs at least one line"),
        "entry.err.code_required": ("请输入产品编码", "Enter a product code"),
        "entry.err.line": ("第 {no} 行：{message}", "Line {no}: {message}"),
        "entry.err.read_only": (
            "此订单状态为「{status}」，只能查看，不能在这里修改",
            "This order is {status}: it can be viewed, not changed here",
        ),
        "entry.err.load": ("无法打开：{error}", "Cannot open: {error}"),
        "entry.err.failed": ("操作失败：{error}", "Failed: {error}"),
        "entry.err.busy": (
            "请稍候，上一个操作还在进行",
            "Please wait: the last action is still running",
        ),
        "entry.field_error": ("{label}：{message}", "{label}: {message}"),
        "entry.loading": ("正在加载…", "Loading…"),
        "entry.saving": ("正在保存…", "Saving…"),
        "entry.saved": (
            "已保存 {order_no}（版本 {version}）",
            "Saved {order_no} (version {version})",
        ),
        "entry.restored": (
            "已恢复 {time} 的未保存输入（Ctrl+S 保存，Esc 放弃）",
            "Restored unsaved input from {time} (Ctrl+S saves, Esc drops it)",
        ),
        "entry.ready_new": (
            "新订单：先输入客户，再录入明细（F6 切换表头/明细）",
            "New order: customer first, then the lines (F6 header/lines)",
        ),
        "entry.ready_edit": (
            "Ctrl+S 保存 · F10 保存并提交审核 · F6 切换表头/明细",
            "Ctrl+S saves · F10 saves and submits · F6 header/lines",
        ),
        "entry.conflict": (
            "订单已被 {who} 于 {when} 修改；您的输入仍保留",
            "{who} changed this order at {when}; your input is kept",
        ),
        "entry.conflict_ask": (
            "r 重新载入（放弃您的输入）\nk 保留您的输入，在最新版本上保存（覆盖对方修改）\n"
            "Esc 稍后决定",
            "r  reload (drop your input)\nk  keep your input and save it over the new version\n"
            "Esc  decide later",
        ),
        "entry.conflict_title": ("版本冲突", "Changed by someone else"),
        "entry.conflict_kept": (
            "已基于版本 {version}：按 Ctrl+S 保存您的输入",
            "Now on version {version}: Ctrl+S saves your input over it",
        ),
        "entry.conflict_later": (
            "订单已被 {who} 于 {when} 修改：F5 重新载入，或再按 Ctrl+S 选择",
            "{who} changed this order at {when}: F5 reloads, Ctrl+S asks again",
        ),
        "entry.ask_leave": (
            "有未保存的输入。\n\ny 放弃输入并离开 · n 留下",
            "There is unsaved input.\n\ny  drop it and leave · n  stay",
        ),
        "entry.ask_reload": (
            "有未保存的输入。\n\ny 放弃输入并重新载入 · n 取消",
            "There is unsaved input.\n\ny  drop it and reload · n  cancel",
        ),
        "entry.ask_title": ("请确认", "Please confirm"),
        "entry.checking": ("正在检查审核项…", "Checking what the reviewers will see…"),
        "entry.submitting": ("正在提交…", "Submitting…"),
        "entry.submitted": ("{order_no} 已提交审核", "{order_no} submitted for review"),
        "entry.save_first": (
            "新订单还没有编号：先按 Ctrl+S 保存，再添加附件",
            "A new order has no number yet: Ctrl+S first, then attachments",
        ),
        "entry.f4_where": (
            "F4 用于客户编码和产品行",
            "F4 works on the customer code and on the lines",
        ),
        "entry.goods": ("货款", "Goods"),
        "entry.net": ("不含税", "Net"),
        "entry.tax": ("税额", "Tax"),
        "entry.total": ("合计", "Total"),
        "entry.words": ("大写", "In words"),
        "entry.incomplete": ("（{count} 行未完成，未计入）", "({count} unfinished, not counted)"),
        "entry.attach_count": ("附件 {count}", "{count} attachment(s)"),
        "entry.fix_head": (
            "【退回】第 {round} 轮审核意见，请修改后按 F10 重新提交：",
            "[RETURNED] Round {round}: fix these, then F10 resubmits:",
        ),
        "entry.findings_title": (
            "提交前检查：审核人将看到",
            "Before submitting: the reviewers will see",
        ),
        "entry.findings_none": ("没有发现问题。", "Nothing to report."),
        "entry.findings_ask": (
            "y 确认提交审核 · n / Esc 返回修改",
            "y  submit for review · n / Esc  back to editing",
        ),
        "entry.findings_ask_re": (
            "y 确认重新提交 · n / Esc 返回修改",
            "y  resubmit for review · n / Esc  back to editing",
        ),
        "entry.sev.block": ("【阻断】", "[BLOCK]"),
        "entry.sev.warn": ("【提醒】", "[warn]"),
        "entry.f.credit": (
            "信用额度 {limit}，占用 {exposure}（本单 {this_order}）超出额度",
            "Credit exposure {exposure} (this order {this_order}) exceeds the limit {limit}",
        ),
        "entry.f.price_low": (
            "第 {line} 行 {product} 单价 {price} 低于底价 {floor}",
            "Line {line} {product}: price {price} is below the floor {floor}",
        ),
        "entry.f.price_high": (
            "第 {line} 行 {product} 单价 {price} 高于顶价 {ceiling}",
            "Line {line} {product}: price {price} is above the ceiling {ceiling}",
        ),
        "entry.f.stock": (
            "第 {line} 行 订 {ordered}，可用 {available}，缺 {shortfall}；"
            "补货 {replenishment_date}",
            "Line {line}: ordered {ordered}, available {available}, short {shortfall}; "
            "replenished {replenishment_date}",
        ),
        "entry.f.no_date": ("未定", "not scheduled"),
        "entry.f.capacity": (
            "第 {line} 行 定制品，生产周期 {lead_time_days} 天，预计 {ready} 完成",
            "Line {line}: made to order, lead time {lead_time_days} d, ready {ready}",
        ),
        "entry.f.lead_time": (
            "要求交期 {wanted} 早于最早可交货日 {earliest}",
            "Wanted date {wanted} is before the earliest possible {earliest}",
        ),
        "entry.f.terms": (
            "付款方式 {terms} 不在客户允许范围（{allowed}）",
            "Payment terms {terms} are not allowed for this customer ({allowed})",
        ),
        "entry.f.terms_loose": (
            "付款条件 {terms} 宽于客户允许（预付至少 {min_prepay_pct}%，账期最多 "
            "{max_credit_days} 天）",
            "Payment terms {terms} are looser than allowed (prepay at least "
            "{min_prepay_pct}%, credit at most {max_credit_days} days)",
        ),
        "entry.err.whole": ("请输入整数", "Enter a whole number"),
        "entry.f.invoice": (
            "专用发票资料不全：{missing}",
            "VAT special invoice data incomplete: {missing}",
        ),
        "entry.att.title": ("附件 · {order_no}", "Attachments · {order_no}"),
        "entry.att.none": ("（尚无附件）", "(no attachments yet)"),
        "entry.att.path": ("文件路径", "File path"),
        "entry.att.kind": ("类型", "Kind"),
        "entry.att.hint": (
            "Enter 添加 · Del 删除所选 · Tab 切换 · Esc 关闭",
            "Enter adds · Del removes · Tab switches · Esc closes",
        ),
        "entry.att.ask_remove": ("删除附件 {name}？ y 删除 / n 保留", "Remove {name}? y / n"),
        "entry.att.added": ("已添加 {name}", "Added {name}"),
        "entry.att.removed": ("已删除 {name}", "Removed {name}"),
        "entry.att.locked": (
            "订单已提交：附件只能添加，不能删除",
            "The order is submitted: attachments can be added, not removed",
        ),
        "entry.att.need_path": ("请输入文件路径", "Enter a file path"),
        "entry.att.working": ("处理中…", "Working…"),
        "entry.ct.title": ("新增联系人 · {customer}", "New contact · {customer}"),
        "entry.ct.name": ("姓名", "Name"),
        "entry.ct.phone": ("电话", "Phone"),
        "entry.ad.title": ("新增送货地址 · {customer}", "New delivery address · {customer}"),
        "entry.ad.province": ("省", "Province"),
        "entry.ad.city": ("市", "City"),
        "entry.ad.district": ("区县", "District"),
        "entry.ad.detail": ("详细地址", "Street"),
        "entry.ad.postcode": ("邮编", "Postcode"),
        "entry.dialog_hint": ("Enter 下一项/保存 · Esc 取消", "Enter: next / save · Esc: cancel"),
        "entry.help.arrows": ("明细：在单元格间移动", "Lines: move between cells"),
        "entry.help.type": ("明细：直接输入即开始编辑", "Lines: typing starts editing"),
        "entry.help.tab": (
            "明细：下一格 / 上一格（末格新增一行）",
            "Lines: next / previous cell (a new line after the last)",
        ),
        "entry.help.escape": ("明细：取消正在编辑的单元格", "Lines: cancel the cell being edited"),
        "entry.help.submit": (
            "F10 先保存，再显示审核人将看到的检查结果，按 y 提交（退回的订单为重新提交）。",
            "F10 saves, shows what the reviewers will see, then y submits (resubmits a "
            "returned order).",
        ),
        "entry.help.f4": (
            "查找客户（客户编码上）或产品（明细行上）",
            "Look up the customer (on its code) or the product (on a line)",
        ),
    }
)


def tr_for(lang: str) -> Callable[..., str]:
    """`tr(key, **fields)` in `lang`: what the grid and the stock strip are given."""

    def tr(key: str, **fields: object) -> str:
        return t(key, lang, **fields)

    return tr


def department(code: str, lang: str) -> str:
    key = f"dept.{code}"
    return t(key, lang) if key in STRINGS else code


MONEY_EVIDENCE = ("price", "floor", "ceiling", "limit", "exposure", "this_order")
QTY_EVIDENCE = ("ordered", "available", "shortfall", "incoming")


def _evidence(evidence: dict[str, str], lang: str) -> dict[str, str]:
    """The checks' evidence as the screen shows numbers: 2,800.00 and 5, not 2800.000000."""
    shown = dict(evidence)
    for key, value in evidence.items():
        with contextlib.suppress(ArithmeticError, ValueError):
            if key in MONEY_EVIDENCE:
                shown[key] = fmt_money(Decimal(value))
            elif key in QTY_EVIDENCE:
                shown[key] = fmt_qty(Decimal(value))
    if f"terms_{lang}" in evidence:  # the terms in words, given in both languages
        shown["terms"] = evidence[f"terms_{lang}"]
    if shown.get("replenishment_date") == "?":
        shown["replenishment_date"] = t("entry.f.no_date", lang)
    return shown


def finding_text(finding: Finding, lang: str) -> str:
    key = f"entry.f.{finding.code}"
    if key in STRINGS:
        with contextlib.suppress(KeyError, IndexError, ValueError):
            return t(key, lang, **_evidence(finding.evidence, lang))
    return finding.message


def render_findings(findings: list[Finding], lang: str, no_color: bool = False) -> Text:
    """Per department, blocking findings first: what each reviewer will see."""
    if not findings:
        return Text(t("entry.findings_none", lang))
    text = Text()
    order = ["sales", "finance", "warehouse", "production"]
    by_dept: dict[str, list[Finding]] = {}
    for f in findings:
        by_dept.setdefault(str(f.department), []).append(f)
    depts = sorted(by_dept, key=lambda d: order.index(d) if d in order else len(order))
    for index, dept in enumerate(depts):
        if index:
            text.append("\n")
        text.append(department(dept, lang) + "\n", style="bold underline")
        items = sorted(by_dept[dept], key=lambda f: f.severity != "block")
        for f in items:
            block = f.severity == "block"
            style = ("bold reverse" if no_color else "bold red") if block else "bold"
            text.append("  " + t(f"entry.sev.{'block' if block else 'warn'}", lang), style=style)
            text.append(" " + finding_text(f, lang) + "\n")
    text.rstrip()
    return text


def parse_day(text: str) -> date | None:
    """YYYY-MM-DD (full-width digits too); ValueError when it is not a date."""
    import unicodedata

    cleaned = unicodedata.normalize("NFKC", text).strip()
    if not cleaned:
        return None
    if len(cleaned) != 10 or cleaned[4] != "-" or cleaned[7] != "-":
        raise ValueError(cleaned)
    return date.fromisoformat(cleaned)


def parse_amount(text: str) -> Decimal:
    """Freight or discount as typed; blank is 0."""
    if not text.strip():
        return Decimal("0.00")
    return money.parse_money(text)


def address_text(a: Any) -> str:
    parts = [a.province] + ([a.city] if a.city != a.province else []) + [a.district, a.detail]
    return "".join(parts)


@dataclass
class CustomerData:
    """What the header needs of a customer: master record, contacts, delivery addresses."""

    code: str
    legal_name: str
    uscc: str
    bank_name: str
    bank_account: str
    payment_terms: list[str]
    default_payment_terms: str
    invoice_type: str
    contacts: list[Any] = field(default_factory=list)
    addresses: list[Any] = field(default_factory=list)


@dataclass
class Loaded:
    """The worker's answer when the screen opens (or reloads)."""

    snapshot: dict[str, Any] | None = None  # the order as the form shows it
    detail: OrderDetail | None = None
    version: int | None = None
    customer: CustomerData | None = None
    products: dict[str, Any] = field(default_factory=dict)
    draft: dict[str, Any] | None = None
    draft_customer: CustomerData | None = None
    draft_at: datetime | None = None
    error: str = ""


def fetch_customer(db: Database, actor: Actor, code: str) -> CustomerData | None:
    """The customer by exact code (upper-cased as a fallback), or None."""
    from order_tui.domain.errors import NotFound
    from order_tui.services import masterdata

    for candidate in dict.fromkeys((code.strip(), code.strip().upper())):
        if not candidate:
            continue
        try:
            data, _version = masterdata.customer_input(db, actor, candidate)
        except NotFound:
            continue
        return CustomerData(
            code=data.code,
            legal_name=data.legal_name,
            uscc=data.uscc,
            bank_name=data.bank_name,
            bank_account=data.bank_account,
            payment_terms=list(data.payment_terms),
            default_payment_terms=data.default_payment_terms,
            invoice_type=data.invoice_type,
            contacts=masterdata.contacts(db, actor, data.code),
            addresses=masterdata.addresses(db, actor, data.code),
        )
    return None


def fetch_product(db: Database, actor: Actor, code: str) -> Any | None:
    from order_tui.services import lookup

    for candidate in dict.fromkeys((code.strip(), code.strip().upper())):
        if candidate and (hit := lookup.product(db, actor, candidate)) is not None:
            return hit
    return None


def fetch_products(db: Database, actor: Actor, codes: list[str]) -> dict[str, Any]:
    found = {}
    for code in dict.fromkeys(c.strip() for c in codes if c.strip()):
        hit = fetch_product(db, actor, code)
        if hit is not None:
            found[code] = hit
    return found


# -- small dialogs ------------------------------------------------------------------------------


class AskDialog(ModalScreen[str | None]):
    """A question answered by one key: `choices` maps a key ("y", "r"...) to the result."""

    DEFAULT_CSS = """
    AskDialog { align: center middle; }
    AskDialog > Static {
        width: auto; max-width: 76; height: auto;
        border: round $warning; border-title-style: bold;
        background: $surface; padding: 1 2;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="ask_cancel"),
    ]

    def __init__(self, lang: str, text: str | Text, choices: dict[str, str], title: str = ""):
        super().__init__()
        self.lang = lang
        self.text = text
        self.choices = choices
        self.title_text = title or t("entry.ask_title", lang)
        localize_bindings(self, lang)

    def compose(self) -> ComposeResult:
        body = Static(self.text, markup=False)
        body.border_title = self.title_text
        yield body

    def on_key(self, event: events.Key) -> None:
        char = (event.character or "").lower()
        if char in self.choices:
            event.stop()
            self.dismiss(self.choices[char])

    def action_cancel(self) -> None:
        self.dismiss(None)


class FindingsDialog(ModalScreen[bool]):
    """The checks the reviewers will see, per department; y submits, n or Esc goes back."""

    DEFAULT_CSS = """
    FindingsDialog { align: center middle; }
    FindingsDialog > Vertical {
        width: 78; max-width: 100%; height: auto; max-height: 22;
        border: round $accent; border-title-style: bold;
        background: $surface; padding: 0 1;
    }
    FindingsDialog VerticalScroll { height: auto; max-height: 17; }
    FindingsDialog #findings-ask { margin-top: 1; text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "cancel", "Back to editing", id="findings_cancel"),
    ]

    def __init__(self, lang: str, findings: list[Finding], resubmit: bool, no_color: bool):
        super().__init__()
        self.lang = lang
        self.findings = findings
        self.resubmit = resubmit
        self.no_color = no_color
        localize_bindings(self, lang)

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = t("entry.findings_title", self.lang)
        with box:
            with VerticalScroll(id="findings-body"):
                yield Static(render_findings(self.findings, self.lang, self.no_color))
            ask = "entry.findings_ask_re" if self.resubmit else "entry.findings_ask"
            yield Static(t(ask, self.lang), id="findings-ask", markup=False)

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def on_key(self, event: events.Key) -> None:
        if (event.character or "").lower() == "y":
            event.stop()
            self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class FieldsDialog(ModalScreen[int | None]):
    """A small form (new contact, new address): Enter moves on, Enter on the last field saves
    through `save(values) -> id` in a worker; a `ValidationError` shows on the line under the
    field it names (the rest, a database gone say, under the form)."""

    DEFAULT_CSS = """
    FieldsDialog { align: center middle; }
    FieldsDialog > Vertical {
        width: 64; max-width: 100%; height: auto;
        border: round $accent; border-title-style: bold;
        background: $surface; padding: 0 1;
    }
    FieldsDialog .row { height: 1; }
    FieldsDialog .lbl { width: 10; text-style: bold; }
    FieldsDialog Input { width: 1fr; }
    FieldsDialog .field-error {
        height: auto; min-height: 1; margin-left: 10; color: $text-error; text-style: bold;
    }
    FieldsDialog .field-error:nocolor { text-style: bold reverse; }
    FieldsDialog #fields-error { color: $text-error; text-style: bold; height: auto; }
    FieldsDialog #fields-hint { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog_cancel"),
        # Priority: run before the next key is routed, so a burst ("王工<Enter>139...")
        # types the phone into the phone field, not into the name
        Binding("enter", "next_field", "Next field / save", id="dialog_next", priority=True),
    ]

    def __init__(
        self,
        lang: str,
        title: str,
        fields: list[tuple[str, str]],
        save: Callable[[dict[str, str]], int],
    ) -> None:
        super().__init__()
        self.lang = lang
        self.title_text = title
        self.fields = fields  # (name, label key)
        self.save = save
        localize_bindings(self, lang)

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = self.title_text
        with box:
            for name, key in self.fields:
                with Horizontal(classes="row"):
                    yield Static(t(key, self.lang), classes="lbl", markup=False)
                    yield FieldInput(id=f"f-{name}", compact=True, max_length=120)
                yield Static("", id=f"e-{name}", classes="field-error", markup=False)
            yield Static("", id="fields-error", markup=False)
            yield Static(t("entry.dialog_hint", self.lang), id="fields-hint", markup=False)

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    async def action_next_field(self) -> None:
        """Enter: on to the next field; on the last one, save."""
        inputs = list(self.query(Input))
        focused = self.focused
        if not isinstance(focused, Input) or focused not in inputs:
            return
        await settle(focused)  # the keys typed before Enter are in the field first
        index = inputs.index(focused)
        if index < len(inputs) - 1:
            self.set_focus(inputs[index + 1])
            return
        values = {name: self.query_one(f"#f-{name}", Input).value for name, _ in self.fields}
        for error in self.query(".field-error").results(Static):
            error.update("")
        self.query_one("#fields-error", Static).update(t("entry.att.working", self.lang))
        self._save(values)

    @work(thread=True, exclusive=True, group="fields", exit_on_error=False)
    def _save(self, values: dict[str, str]) -> None:
        try:
            new_id = self.save(values)
        except DomainError as exc:
            self.app.call_from_thread(self._refused, exc)
        except Exception as exc:  # the database is gone, locked...: say so, stay open
            self.app.call_from_thread(self._refused, exc)
        else:
            self.app.call_from_thread(self.dismiss, new_id)

    def _refused(self, exc: Exception) -> None:
        """The service's message under the field it names (and the focus there), or under
        the form when it names none of them."""
        if not self.is_attached:
            return
        name = getattr(exc, "field", None) or ""
        field_name = {"contact_name": "name", "contact_phone": "phone"}.get(name, name)
        message = error_text(exc, self.lang)
        if field_name in dict(self.fields):
            self.query_one(f"#e-{field_name}", Static).update(message)
            self.set_focus(self.query_one(f"#f-{field_name}", Input))
            message = ""
        self.query_one("#fields-error", Static).update(message)

    def action_cancel(self) -> None:
        self.dismiss(None)


class AttachmentsDialog(ModalScreen[int | None]):
    """The order's files: the list, then a path and a kind to add one. Dismisses with the
    number of attachments."""

    DEFAULT_CSS = """
    AttachmentsDialog { align: center middle; }
    AttachmentsDialog > Vertical {
        width: 78; max-width: 100%; height: auto; max-height: 22;
        border: round $accent; border-title-style: bold;
        background: $surface; padding: 0 1;
    }
    AttachmentsDialog OptionList { height: auto; max-height: 10; border: none; }
    AttachmentsDialog .row { height: 1; margin-top: 1; }
    AttachmentsDialog .lbl { width: 10; text-style: bold; }
    AttachmentsDialog #att-path { width: 1fr; }
    AttachmentsDialog #att-kind { width: 36; }
    AttachmentsDialog #att-status { margin-top: 1; height: auto; text-style: bold; }
    AttachmentsDialog #att-hint { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="att_close"),
        Binding("delete", "remove", "Remove", id="att_remove"),
    ]

    def __init__(
        self, db: Database, lang: str, actor: Actor, order_no: str, removable: bool
    ) -> None:
        super().__init__()
        self.db = db
        self.lang = lang
        self.actor = actor
        self.order_no = order_no
        self.removable = removable
        self.items: list[dict[str, Any]] = []
        self.asking: dict[str, Any] | None = None
        localize_bindings(self, lang)

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = t("entry.att.title", self.lang, order_no=self.order_no)
        with box:
            yield OptionList(id="att-list", compact=True)
            with Horizontal(classes="row"):
                yield Static(t("entry.att.path", self.lang), classes="lbl", markup=False)
                yield FieldInput(id="att-path", compact=True, placeholder="~/…/确认函.pdf")
            with Horizontal(classes="row"):
                yield Static(t("entry.att.kind", self.lang), classes="lbl", markup=False)
                yield Select(
                    [(label(ATTACHMENT_KINDS, k, self.lang), k) for k in ENTRY_KINDS],
                    value=ENTRY_KINDS[0],
                    allow_blank=False,
                    compact=True,
                    id="att-kind",
                )
            yield Static("", id="att-status", markup=False)
            yield Static(t("entry.att.hint", self.lang), id="att-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#att-path", Input).focus()
        self.load_list()

    @work(thread=True, exclusive=True, group="attachments", exit_on_error=False)
    def load_list(self) -> None:
        from order_tui.services import orders

        try:
            detail = orders.get_order(self.db, self.actor, self.order_no)
        except Exception as exc:
            self.app.call_from_thread(self._status, error_text(exc, self.lang))
        else:
            self.app.call_from_thread(self._show, detail.attachments)

    def _show(self, items: list[dict[str, Any]]) -> None:
        if not self.is_attached:
            return
        self.items = items
        options = self.query_one("#att-list", OptionList)
        options.clear_options()
        if not items:
            options.add_option(Option(t("entry.att.none", self.lang), disabled=True))
        width = max(options.size.width - 2, 40)
        kind_w = max(width_of(label(ATTACHMENT_KINDS, k, self.lang)) for k in ENTRY_KINDS)
        kind_w = min(kind_w, 18)
        for index, a in enumerate(items):
            kind = label(ATTACHMENT_KINDS, str(a.get("kind", "")), self.lang)
            size = int(a.get("size") or 0)
            size_text = f"{size:,} B" if size < 1024 else f"{size / 1024:,.1f} KB"
            name_w = width - kind_w - 12
            row = f"{fit(kind, kind_w)} {fit(str(a.get('name')), name_w)} {size_text:>10}"
            options.add_option(Option(row, id=str(index)))

    def _status(self, message: str) -> None:
        if self.is_attached:
            self.query_one("#att-status", Static).update(message)

    @on(Input.Submitted, "#att-path")
    def _add(self, event: Input.Submitted) -> None:
        event.stop()
        path = event.value.strip()
        if not path:
            self._status(t("entry.att.need_path", self.lang))
            return
        kind = self.query_one("#att-kind", Select).value
        self._status(t("entry.att.working", self.lang))
        self.attach(path, str(kind))

    @work(thread=True, exclusive=True, group="attachments", exit_on_error=False)
    def attach(self, path: str, kind: str) -> None:
        from order_tui.services import attachments

        try:
            attachments.attach(self.db, self.actor, self.order_no, Path(path).expanduser(), kind)
        except Exception as exc:
            self.app.call_from_thread(self._status, error_text(exc, self.lang))
            return
        self.app.call_from_thread(self._attached, Path(path).name)
        self.load_list()

    def _attached(self, name: str) -> None:
        if not self.is_attached:
            return
        self.query_one("#att-path", Input).value = ""
        self._status(t("entry.att.added", self.lang, name=name))

    def action_remove(self) -> None:
        options = self.query_one("#att-list", OptionList)
        if self.focused is not options or options.highlighted is None:
            return
        option = options.get_option_at_index(options.highlighted)
        if option.id is None:
            return
        if not self.removable:
            self._status(t("entry.att.locked", self.lang))
            return
        self.asking = self.items[int(option.id)]
        self._status(t("entry.att.ask_remove", self.lang, name=self.asking.get("name")))

    def on_key(self, event: events.Key) -> None:
        if self.asking is None:
            return
        event.stop()
        event.prevent_default()
        item, self.asking = self.asking, None
        if (event.character or "").lower() == "y":
            self._status(t("entry.att.working", self.lang))
            self.remove_attachment(item)
        else:
            self._status("")

    @work(thread=True, exclusive=True, group="attachments", exit_on_error=False)
    def remove_attachment(self, item: dict[str, Any]) -> None:
        from order_tui.services import orders

        try:
            orders.remove_attachment(self.db, self.actor, self.order_no, str(item["sha256"]))
        except Exception as exc:
            self.app.call_from_thread(self._status, error_text(exc, self.lang))
            return
        self.app.call_from_thread(
            self._status, t("entry.att.removed", self.lang, name=item.get("name"))
        )
        self.load_list()

    def action_close(self) -> None:
        self.dismiss(len(self.items))


# -- the screen ---------------------------------------------------------------------------------


class OrderEntryScreen(OrderScreen):
    """Header, lines, totals. Ctrl+S saves, F10 submits, F4 looks up, F7 attachments."""

    DEFAULT_CSS = """
    OrderEntryScreen #fixlist {
        height: auto;
        max-height: 4;
        padding: 0 1;
        background: $error 15%;
        display: none;
    }
    OrderEntryScreen #fixlist.-shown { display: block; }
    OrderEntryScreen #header { height: auto; padding: 0 1; }
    OrderEntryScreen #header > Horizontal { height: 1; }
    OrderEntryScreen .lbl { width: auto; padding-right: 1; text-style: bold; }
    OrderEntryScreen .lbl.first { width: 7; }
    OrderEntryScreen.-en .lbl.first { width: 9; }
    OrderEntryScreen .lbl.-error { text-style: bold reverse; color: $text-error; }
    OrderEntryScreen #header Input { margin-right: 1; }
    OrderEntryScreen #header Select { margin-right: 1; }
    OrderEntryScreen #customer { width: 10; }
    OrderEntryScreen #cust-name { padding: 0; }
    OrderEntryScreen #cust-bank { padding: 0; color: $text-muted; }
    OrderEntryScreen #contact { width: 26; }
    OrderEntryScreen #address { width: 1fr; margin-right: 0; }
    OrderEntryScreen #invoice { width: 20; }
    OrderEntryScreen #terms { width: 18; }
    OrderEntryScreen.-en #terms { width: 21; }  /* "Cash on delivery" */
    OrderEntryScreen #header #prepay, OrderEntryScreen #header #credit {
        width: 4; margin-right: 0;
    }
    OrderEntryScreen .unit { width: auto; padding-right: 1; }
    OrderEntryScreen #pricing { width: 12; }
    OrderEntryScreen #wanted, OrderEntryScreen #due { width: 11; }
    OrderEntryScreen #freight, OrderEntryScreen #discount { width: 1fr; max-width: 14; }
    OrderEntryScreen #remarks { width: 1fr; margin-right: 0; }
    OrderEntryScreen #header-error { color: $text-error; text-style: bold; display: none; }
    OrderEntryScreen #header-error.-shown { display: block; }
    OrderEntryScreen #grid { height: 1fr; min-height: 4; }
    OrderEntryScreen #totals { height: 2; background: $panel; }
    /* Without colour, fields are underlined (their extent shows) and the focused list is
       reversed; an input shows its own cursor. */
    OrderEntryScreen Input:nocolor { text-style: underline; }
    OrderEntryScreen Select:nocolor > SelectCurrent { text-style: underline; }
    OrderEntryScreen Select:focus:nocolor > SelectCurrent { text-style: reverse; }
    OrderEntryScreen #totals:nocolor { text-style: bold; }
    """

    AUTO_FOCUS = None
    HELP_NOTES: ClassVar[list[str]] = ["entry.help.f4", "entry.help.submit"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="entry_save"),
        Binding("f10", "submit", "Submit", id="entry_submit"),
        # F4, F6 and F7 move the focus: priority (after `settle`), like Enter and Tab below
        Binding("f4", "lookup", "Look up", id="entry_lookup", priority=True),
        Binding(
            "f7", "attachments", "Attachments", id="entry_attachments", show=False, priority=True
        ),
        Binding("f6", "switch", "Header/lines", id="entry_switch", show=False, priority=True),
        Binding("escape,f3", "leave", "Back", id="entry_back", show=False),
        Binding("f2", "go_home", "Home", id="entry_home", show=False),
        Binding("f5", "reload_form", "Reload", id="entry_reload", show=False),
        # Priority, so that typed-ahead keys wait until the field they were typed into has
        # taken them (see `settle`): "C0003<Enter>2026-12-24<Tab>80" in one burst over SSH
        # must not put the date into the customer field.
        Binding(
            "enter", "enter_key", "Confirm / next", id="entry_enter", show=False, priority=True
        ),
        Binding("tab", "tab_key", "Next field", id="entry_next", show=False, priority=True),
        Binding(
            "shift+tab",
            "tab_key(True)",
            "Previous field",
            id="entry_previous",
            show=False,
            priority=True,
            key_display="Shift+Tab",
        ),
    ]

    def __init__(self, db: Database, lang: str, actor: Actor, order_no: str | None = None) -> None:
        super().__init__(db, lang, actor)
        self.order_no = order_no
        self.version: int | None = None
        self.status = Status.DRAFT.value
        self.order_day: date | None = None
        self.customer: CustomerData | None = None
        self.attachment_count = 0
        self.ready = False  # the form shows what was loaded (or is a fresh new order)
        self.busy = False  # a save or submit is on its way
        self.read_only = False
        self.baseline = ""
        self.status_text = t("entry.loading", lang)
        self.status_error = False
        self.status_mark = -1  # the grid's `touches` when the status was set
        self.order_contact = ("", "")
        self.totals: money.OrderTotals | None = None
        self.field_errors: dict[str, str] = {}
        self.due_auto = True
        # Due dates this screen put in the field whose Changed events are still to come: they
        # follow each key typed into prepay % and credit days, and are not the clerk's own.
        self.due_filled: list[str] = []
        self.numbers_code: str | None = None  # the terms code the prepay/credit fields follow
        self.last_customer_text = ""
        self.previous_select: dict[str, object] = {}
        self.tr = tr_for(lang)
        if lang != "zh":
            self.add_class("-en")

    # -- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield TitleBar(self._title(), id="title")
        yield Static("", id="fixlist", markup=False)
        with Vertical(id="header"):
            with Horizontal():
                yield self._label("customer", first=True)
                yield FieldInput(id="customer", compact=True, max_length=40)
                yield InfoLine(t("entry.cust_hint", lang), id="cust-name")
            with Horizontal():
                yield Static("", classes="lbl first", markup=False)
                yield InfoLine("", id="cust-bank")
            with Horizontal():
                yield self._label("contact", first=True)
                yield self._select("contact")
                yield self._label("address")
                yield self._select("address")
            with Horizontal():
                yield self._label("invoice", first=True)
                yield self._select(
                    "invoice", [(label(INVOICE_TYPES, k, lang), k) for k in INVOICE_TYPES]
                )
                yield self._label("pricing")
                yield Select(
                    [(t("entry.incl", lang), True), (t("entry.excl", lang), False)],
                    value=True,
                    allow_blank=False,
                    compact=True,
                    id="pricing",
                )
                yield self._label("wanted")
                yield self._date_input("wanted", t("entry.date_ph", lang))
            # The payment terms, their numbers and the due date they give, on one row.
            with Horizontal():
                yield self._label("terms", first=True)
                yield self._select("terms")
                yield self._label("prepay")
                yield self._number_input("prepay")
                yield Static(t("entry.prepay_unit", lang), classes="unit", markup=False)
                yield self._label("credit")
                yield self._number_input("credit")
                yield Static(t("entry.credit_unit", lang), classes="unit", markup=False)
                yield self._label("due")
                yield self._date_input("due", t("entry.due_ph", lang))
            with Horizontal():
                yield self._label("freight", first=True)
                yield FieldInput("0.00", id="freight", compact=True, max_length=20)
                yield self._label("discount")
                yield FieldInput("0.00", id="discount", compact=True, max_length=20)
                yield self._label("remarks")
                yield FieldInput(
                    id="remarks",
                    compact=True,
                    max_length=500,
                    placeholder=t("entry.remarks_ph", lang),
                )
        yield InfoLine("", id="header-error")
        grid = LineGrid(lang, self.tr, id="grid")
        localize_bindings(grid, lang)
        yield grid
        yield InfoLine("", id="notice")
        yield StockStrip(self.tr, id="stock")
        totals = InfoLine("", id="totals")
        yield totals
        yield Footer(show_command_palette=False)

    def _label(self, name: str, first: bool = False) -> Static:
        classes = "lbl first" if first else "lbl"
        return Static(t(f"entry.{name}", self.lang), id=f"lbl-{name}", classes=classes)

    def _select(self, name: str, options: list[tuple[str, object]] | None = None) -> Select[Any]:
        return Select(
            options or [],
            prompt=t("entry.pick", self.lang),
            compact=True,
            id=name,
            type_to_search=True,
        )

    def _number_input(self, name: str) -> Input:
        """A whole number (percent, days): digits only, full-width ones too."""
        return FieldInput(id=name, compact=True, max_length=3, restrict=r"[0-9０-９]*")

    def _date_input(self, name: str, placeholder: str) -> Input:
        return FieldInput(
            id=name,
            compact=True,
            max_length=10,
            restrict=r"[0-9０-９\-－]*",
            placeholder=placeholder,
        )

    def _title(self) -> str:
        """新订单, or SO20261127014（草稿）: the number says it is the entry screen; the
        title bar also carries the operator and the clock, so it stays short."""
        if self.order_no is None:
            return self.title_text(t("entry.new", self.lang))
        status = status_label(Status(self.status), self.lang)
        return self.title_text(t("entry.order", self.lang, order_no=self.order_no, status=status))

    @property
    def grid(self) -> LineGrid:
        return self.query_one("#grid", LineGrid)

    @property
    def HELP_EXTRA(self) -> list[tuple[str, str]]:  # type: ignore[override]
        """Keys of the grid that have no binding of their own (and, when the grid is not
        focused, its bound keys too, which the help would not list otherwise)."""
        extra = [
            ("↑ ↓ ← →", "entry.help.arrows"),
            ("PgUp / PgDn", "key.page"),
            ("0-9 A-Z …", "entry.help.type"),
            ("Tab / Shift+Tab", "entry.help.tab"),
            ("Esc", "entry.help.escape"),
        ]
        if not (self.is_mounted and self.focused is self.grid):
            extra += [
                ("Enter", "key.grid_edit"),
                ("Insert / ^N", "key.grid_add"),
                ("Delete", "key.grid_delete"),
                ("^D", "key.grid_duplicate"),
                ("Home / End", "key.grid_first"),
            ]
        return extra

    # -- opening ----------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._update_totals()
        if self.order_no is None:
            self.set_focus(self.query_one("#customer", Input))
        else:
            self.set_focus(self.grid)
        self.load_form()

    def today(self) -> date:
        return business_day(datetime.now(UTC), self.db.timezone)

    @work(thread=True, exclusive=True, group="entry-load", exit_on_error=False)
    def load_form(self, with_draft: bool = True) -> None:
        from order_tui.services import forms, orders

        assert self.actor is not None
        result = Loaded()
        try:
            if self.order_no is not None:
                data, version = orders.order_input_of(self.db, self.actor, self.order_no)
                detail = orders.get_order(self.db, self.actor, self.order_no)
                result.detail, result.version = detail, version
                result.customer = fetch_customer(self.db, self.actor, data.customer_code)
                result.snapshot = self._snapshot_of_order(data, detail, result.customer)
                codes = [li.product_code for li in data.lines]
            else:
                codes = []
            if with_draft:
                key = self.form_key()
                saved = forms.load_form(self.db, self.actor, key) if key else None
                if saved is not None and saved.payload.get("v") == SNAPSHOT_VERSION:
                    result.draft, result.draft_at = saved.payload, saved.saved_at
                    code = str(saved.payload.get("customer", "")).strip()
                    if code:
                        result.draft_customer = (
                            result.customer
                            if result.customer is not None and result.customer.code == code
                            else fetch_customer(self.db, self.actor, code)
                        )
                    codes += [str(row[0]) for row in saved.payload.get("lines", []) if row]
            result.products = fetch_products(self.db, self.actor, codes)
        except Exception as exc:  # NotFound, the database is gone...: say so, stay usable
            result.error = error_text(exc, self.lang)
        self.app.call_from_thread(self._loaded, result)

    def _snapshot_of_order(
        self, data: Any, detail: OrderDetail, customer: CustomerData | None
    ) -> dict[str, Any]:
        contact = None
        if customer is not None:
            contact = next(
                (
                    f"c:{c.id}"
                    for c in customer.contacts
                    if c.name == data.contact_name and c.phone == data.contact_phone
                ),
                None,
            )
            address = next(
                (f"a:{a.id}" for a in customer.addresses if address_text(a) == detail.cust_address),
                None,
            )
        else:
            address = None
        return {
            "v": SNAPSHOT_VERSION,
            "customer": data.customer_code,
            "contact": contact or "order",
            "contact_name": data.contact_name or "",
            "contact_phone": data.contact_phone or "",
            "address": address,
            "invoice": data.invoice_type,
            "terms": data.payment_terms,
            "prepay": "" if data.prepay_pct is None else str(data.prepay_pct),
            "credit": "" if data.credit_days is None else str(data.credit_days),
            "price_incl": bool(data.price_includes_tax),
            "wanted": data.wanted_date.isoformat() if data.wanted_date else "",
            "due": data.payment_due_date.isoformat() if data.payment_due_date else "",
            "freight": fmt_money(data.freight),
            "discount": fmt_money(data.discount),
            "remarks": data.remarks or "",
            "lines": [
                [
                    li.product_code,
                    fmt_qty(li.qty),
                    fmt_money(li.unit_price) if li.unit_price is not None else "",
                    tax_text(li.tax_code, self.lang) if li.tax_code else "",
                ]
                for li in data.lines
            ],
            "cursor": [0, 0],
        }

    def _loaded(self, result: Loaded) -> None:
        if not self.is_attached:
            return
        if result.error:
            self._set_status(t("entry.err.load", self.lang, error=result.error), error=True)
            self.ready = self.order_no is None
            return
        if result.detail is not None:
            detail = result.detail
            self.status = detail.status
            self.version = result.version
            self.order_day = detail.order_day
            self.attachment_count = len(detail.attachments)
            self._show_fixlist(detail)
            assert self.actor is not None
            editable = detail.status in EDITABLE_STATUSES and Action.EDIT in allowed_actions(
                Status(detail.status), self.actor.roles
            )
            self.read_only = not editable
            self.query_one("#title", TitleBar).update(self._title())
        if result.snapshot is not None:
            self._fill(result.snapshot, result.customer, result.products)
        self.ready = True
        self.baseline = self._compare_key(self.form_values())
        message = t("entry.ready_new" if self.order_no is None else "entry.ready_edit", self.lang)
        if self.read_only:
            status = status_label(Status(self.status), self.lang)
            message = t("entry.err.read_only", self.lang, status=status)
        if result.draft is not None and not self.read_only:
            self._fill(result.draft, result.draft_customer, result.products)
            if result.draft.get("version") is not None and self.order_no is not None:
                # typed against that version: a save will say if someone changed it since
                self.version = int(result.draft["version"])
            message = t("entry.restored", self.lang, time=self._clock(result.draft_at))
            self.notify(message, timeout=6)
        self._set_status(message, error=self.read_only)
        self.refresh_bindings()

    def _clock(self, moment: datetime | None) -> str:
        if moment is None:
            return ""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return local_time(moment.isoformat(), self.db.timezone, "%H:%M")

    def _show_fixlist(self, detail: OrderDetail) -> None:
        box = self.query_one("#fixlist", Static)
        if detail.status != Status.RETURNED.value or not detail.verdicts:
            box.remove_class("-shown")
            return
        last = max(int(v.get("round") or 0) for v in detail.verdicts)
        rejected = [
            v
            for v in detail.verdicts
            if int(v.get("round") or 0) == last and v.get("verdict") == "reject"
        ]
        text = Text(t("entry.fix_head", self.lang, round=last), style="bold")
        for v in rejected:
            text.append("\n - ")
            text.append(department(str(v.get("department", "")), self.lang), style="bold")
            reason = str(v.get("reason") or "")
            if reason:
                text.append(" " + label(REJECT_REASONS, reason, self.lang))
            if v.get("comment"):
                text.append(("：" if self.lang == "zh" else ": ") + str(v["comment"]))
        box.update(text)
        box.add_class("-shown")

    # -- filling the form -----------------------------------------------------------------------

    def _fill(
        self, snap: dict[str, Any], customer: CustomerData | None, products: dict[str, Any]
    ) -> None:
        """Put a snapshot (the loaded order or a restored draft) into the widgets."""
        self.query_one("#customer", Input).value = str(snap.get("customer", ""))
        self.last_customer_text = str(snap.get("customer", ""))
        self._apply_customer(customer, snap)
        pricing = self.query_one("#pricing", Select)
        pricing.value = bool(snap.get("price_incl", True))
        for name in ("wanted", "freight", "discount", "remarks"):
            self.query_one(f"#{name}", Input).value = str(snap.get(name, ""))
        self._fill_numbers(snap)
        self.due_auto = bool(snap.get("due_auto", False))
        self.query_one("#due", Input).value = str(snap.get("due", ""))
        if self.due_auto:
            self._default_due()
        grid = self.grid
        grid.set_price_mode(bool(snap.get("price_incl", True)))
        rows = []
        for row in snap.get("lines", []):
            cells = [str(c) for c in [*row, "", "", "", ""][:4]]
            line = GridLine(code=cells[0], qty=cells[1], price=cells[2], tax=cells[3])
            line.product = products.get(line.code.strip())
            rows.append(line)
        cursor = snap.get("cursor") or [0, 0]
        grid.load(rows, (int(cursor[0]), int(cursor[1])))
        grid.set_products(products)
        self._update_totals()

    def _fill_numbers(self, snap: dict[str, Any]) -> None:
        """Prepay % and credit days as the snapshot has them (a draft kept before they were
        on the form has none: the defaults of its terms)."""
        code = self._select_value("terms")
        prepay, credit = snap.get("prepay"), snap.get("credit")
        if (prepay is None or credit is None) and code in PAYMENT_TERMS:
            numbers = default_numbers(str(code))
            prepay = numbers.prepay_pct if prepay is None else prepay
            credit = numbers.credit_days if credit is None else credit
        self.query_one("#prepay", Input).value = "" if prepay is None else str(prepay)
        self.query_one("#credit", Input).value = "" if credit is None else str(credit)
        self.numbers_code = str(code) if code else None

    def _default_numbers(self, code: str) -> None:
        """The terms changed: their prepayment and credit days fill the fields."""
        numbers = default_numbers(code)
        self.query_one("#prepay", Input).value = str(numbers.prepay_pct)
        self.query_one("#credit", Input).value = str(numbers.credit_days)
        self.numbers_code = code
        for name in ("prepay", "credit"):
            self.field_errors.pop(name, None)
        self._show_field_errors()

    def _apply_customer(self, customer: CustomerData | None, prefer: dict[str, Any]) -> None:
        """Fill what follows from the customer; keep `prefer`'s choices where still valid."""
        self.customer = customer
        name = self.query_one("#cust-name", InfoLine)
        bank = self.query_one("#cust-bank", InfoLine)
        contact = self.query_one("#contact", Select)
        address = self.query_one("#address", Select)
        terms = self.query_one("#terms", Select)
        invoice = self.query_one("#invoice", Select)
        if customer is None:
            code = str(prefer.get("customer", "")).strip()
            name.show(
                t("entry.err.customer_unknown", self.lang, code=code)
                if code
                else t("entry.cust_hint", self.lang)
            )
            bank.show("")
            for select in (contact, address, terms):
                select.set_options([])
            return
        head = Text(customer.legal_name, style="bold")
        head.append(f"  {t('entry.uscc', self.lang)} {customer.uscc}")
        name.show(head)
        bank.show(
            f"{t('entry.bank', self.lang)} {customer.bank_name}  "
            f"{t('entry.account', self.lang)} {customer.bank_account}"
        )
        # contacts: the customer's, the order's own if it is not one of them, "new"; as Text,
        # since a Select reads a str as markup ("[/]" in a name would crash the screen)
        options: list[tuple[Text, str]] = [
            (Text(f"{c.name} {c.phone}"), f"c:{c.id}") for c in customer.contacts
        ]
        wanted = prefer.get("contact")
        if wanted == "order" and prefer.get("contact_name"):
            options.insert(
                0,
                (
                    Text(
                        t(
                            "entry.contact_order",
                            self.lang,
                            name=prefer.get("contact_name", ""),
                            phone=prefer.get("contact_phone", ""),
                        )
                    ),
                    "order",
                ),
            )
        options.append((Text(t("entry.contact_new", self.lang)), "new"))
        contact.set_options(options)
        self.order_contact = (
            str(prefer.get("contact_name", "")),
            str(prefer.get("contact_phone", "")),
        )
        values = [v for _, v in options]
        default = next((f"c:{c.id}" for c in customer.contacts if c.is_default), None)
        contact.value = wanted if wanted in values and wanted != "new" else default or values[0]
        self.previous_select["contact"] = contact.value
        # addresses
        addr_options = [(Text(address_text(a)), f"a:{a.id}") for a in customer.addresses]
        addr_options.append((Text(t("entry.address_new", self.lang)), "new"))
        address.set_options(addr_options)
        default_addr = next((f"a:{a.id}" for a in customer.addresses if a.is_default), None)
        wanted_addr = prefer.get("address")
        addr_values = [v for _, v in addr_options]
        address.value = (
            wanted_addr
            if wanted_addr in addr_values and wanted_addr != "new"
            else default_addr or addr_values[0]
        )
        self.previous_select["address"] = address.value
        # terms: the customer's allowed ones (and the order's, marked, if no longer allowed)
        allowed = list(customer.payment_terms)
        chosen = str(prefer.get("terms") or customer.default_payment_terms)
        term_options = [(label(PAYMENT_TERMS, k, self.lang), k) for k in allowed]
        if chosen and chosen not in allowed and chosen in PAYMENT_TERMS:
            text = t(
                "entry.terms_not_allowed", self.lang, label=label(PAYMENT_TERMS, chosen, self.lang)
            )
            term_options.append((text, chosen))
        terms.set_options(term_options)
        if chosen in [v for _, v in term_options]:
            terms.value = chosen
        invoice.value = str(prefer.get("invoice") or customer.invoice_type)
        self._default_due()

    # -- the form as data -----------------------------------------------------------------------

    def _value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value

    def _select_value(self, name: str) -> Any:
        value = self.query_one(f"#{name}", Select).value
        return None if value is Select.NULL else value

    def form_values(self) -> dict[str, Any]:
        contact = self._select_value("contact")
        name, phone = self.order_contact
        if self.customer is not None and isinstance(contact, str) and contact.startswith("c:"):
            found = next((c for c in self.customer.contacts if f"c:{c.id}" == contact), None)
            if found is not None:
                name, phone = found.name, found.phone
        grid = self.grid
        return {
            "v": SNAPSHOT_VERSION,
            "customer": self._value("customer"),
            "contact": contact,
            "contact_name": name,
            "contact_phone": phone,
            "address": self._select_value("address"),
            "invoice": self._select_value("invoice"),
            "terms": self._select_value("terms"),
            "prepay": self._value("prepay"),
            "credit": self._value("credit"),
            "price_incl": self._select_value("pricing") is not False,
            "wanted": self._value("wanted"),
            "due": self._value("due"),
            "due_auto": self.due_auto,
            "freight": self._value("freight"),
            "discount": self._value("discount"),
            "remarks": self._value("remarks"),
            "lines": grid.snapshot(),
            "cursor": [grid.row, grid.col],
            "version": self.version,
        }

    @staticmethod
    def _compare_key(values: dict[str, Any]) -> str:
        values = dict(values)
        for volatile in ("cursor", "version", "due_auto"):
            values.pop(volatile, None)
        values["lines"] = [row for row in values.get("lines", []) if any(c.strip() for c in row)]
        return json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)

    # -- the form-draft protocol ----------------------------------------------------------------

    def form_key(self) -> str | None:
        return f"order:{self.order_no}" if self.order_no else "order:new"

    def form_snapshot(self) -> dict[str, object] | None:
        if not self.is_mounted or not self.ready or self.busy or self.read_only:
            return None
        values = self.form_values()
        if self._compare_key(values) == self.baseline:
            return None
        return values

    def unsaved_changes(self) -> bool:
        if not self.is_mounted or not self.ready or self.read_only:
            return False
        return self._compare_key(self.form_values()) != self.baseline

    # -- status lines ---------------------------------------------------------------------------

    def _set_status(self, message: str, error: bool = False) -> None:
        self.status_text = message
        self.status_error = error
        self.status_mark = self.grid.touches
        self._update_notice()

    def _error_style(self) -> str:
        return "bold reverse" if self.app.no_color else "bold red"

    def _update_notice(self) -> None:
        grid = self.grid
        notice = self.query_one("#notice", InfoLine)
        if grid.prompt:
            notice.show(Text(grid.prompt, style="bold reverse"))
            return
        line = grid.current
        messages = grid.messages_of(line)
        fresh = self.status_text and grid.touches == self.status_mark
        if messages and not fresh:
            style = self._error_style() if line.errors else "bold"
            text = t("entry.err.line", self.lang, no=grid.row + 1, message=" · ".join(messages))
            notice.show(Text(text, style=style))
            return
        if not fresh and line.amounts is not None:
            amounts = line.amounts
            notice.show(
                t(
                    "entry.line_amounts",
                    self.lang,
                    no=grid.row + 1,
                    net=money.format_money(amounts.net),
                    tax=money.format_money(amounts.tax),
                    gross=money.format_money(amounts.gross),
                )
            )
            return
        style = self._error_style() if self.status_error else ""
        notice.show(Text(self.status_text, style=style))

    def _show_field_errors(self) -> None:
        line = self.query_one("#header-error", InfoLine)
        for lbl in self.query(".lbl"):
            if lbl.id and lbl.id.startswith("lbl-"):
                lbl.set_class(lbl.id[4:] in self.field_errors, "-error")
        if not self.field_errors:
            line.show("")
            line.remove_class("-shown")
            return
        parts = [
            t(
                "entry.field_error",
                self.lang,
                label=t(f"entry.{name}", self.lang),
                message=message,
            )
            for name, message in self.field_errors.items()
        ]
        line.show(" · ".join(parts))
        line.add_class("-shown")

    def _field_error(self, name: str, message: str) -> None:
        if message:
            self.field_errors[name] = message
        else:
            self.field_errors.pop(name, None)
        self._show_field_errors()

    def _update_totals(self) -> None:
        grid = self.grid
        freight = self._money_or_zero("freight")
        discount = self._money_or_zero("discount")
        amounts = grid.amounts()
        try:
            totals = money.order_totals(amounts, freight=freight, discount=discount)
        except ValueError:
            totals = money.order_totals(amounts, freight=freight)
        lang = self.lang
        first = Text()
        for key, value in (
            ("entry.goods", totals.goods),
            ("entry.net", totals.net),
            ("entry.tax", totals.tax),
            ("entry.freight", totals.freight),
            ("entry.discount", totals.discount),
        ):
            if first:
                first.append(" · ")
            first.append(t(key, lang) + " ", style="bold")
            first.append(money.format_money(value))
        incomplete = grid.incomplete()
        second = Text(t("entry.total", lang) + " ", style="bold")
        second.append("¥" + money.format_money(totals.total), style="bold")
        try:
            words = money.rmb_upper(totals.total)
        except ValueError:
            words = ""
        second.append("  " + t("entry.words", lang) + " ", style="bold")
        second.append(words, style="bold")
        if incomplete:
            second.append("  " + t("entry.incomplete", lang, count=incomplete))
        if self.attachment_count:
            second.append("  " + t("entry.attach_count", lang, count=self.attachment_count))
        self.query_one("#totals", InfoLine).show(Text("\n").join([first, second]))
        self.totals = totals

    def _money_or_zero(self, name: str) -> Decimal:
        try:
            value = parse_amount(self._value(name))
        except ValueError:
            return Decimal("0.00")
        return value if value >= 0 else Decimal("0.00")

    # -- header events --------------------------------------------------------------------------

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        name = event.input.id or ""
        if name in self.field_errors and name != "customer":
            self._field_error(name, "")
        if name in ("freight", "discount"):
            self._update_totals()
        elif name in ("prepay", "credit"):
            for other in ("prepay", "credit"):  # a pair rule may have named the other one
                if other in self.field_errors:
                    self._field_error(other, "")
            self._default_due()
        elif name == "due":
            if event.value in self.due_filled:
                del self.due_filled[: self.due_filled.index(event.value) + 1]
                return
            self.due_auto = not event.value.strip() or event.value == self._due_default_text()

    @on(Input.Blurred)
    def _input_left(self, event: Input.Blurred) -> None:
        name = event.input.id or ""
        if name in ("wanted", "due", "freight", "discount", "prepay", "credit"):
            self._check_field(name)
        elif name == "customer":
            text = event.value.strip()
            if text and text != self.last_customer_text:
                self.resolve_customer(text)

    async def action_enter_key(self) -> None:
        """Enter: in the grid, the grid's Enter; on a header field, take it and go on (the
        customer code is looked up first); on a list, open it (not ours: skipped)."""
        focused = self.focused
        if focused is None:
            raise SkipAction()
        await settle(focused)
        if focused is self.grid:
            self.grid.press_enter()
            return
        if not isinstance(focused, Input) or focused.parent is None:
            raise SkipAction()
        name = focused.id or ""
        if name == "customer":
            text = focused.value.strip()
            if not text:
                await self._customer_dialog("")
                return
            if text != self.last_customer_text or self.customer is None:
                worker = self.resolve_customer(text, quiet=True)
                with contextlib.suppress(WorkerError):
                    await worker.wait()
                if worker.result is None:  # not a code: search for it in the F4 prompt
                    await self._customer_dialog(text)
                    return
            self.focus_next()
            return
        if name in ("wanted", "due", "freight", "discount", "prepay", "credit"):
            self._check_field(name)
        if name == "remarks":
            self.set_focus(self.grid)
        else:
            self.focus_next()

    async def action_tab_key(self, back: bool = False) -> None:
        """Tab / Shift+Tab after the focused field has taken the keys typed before it."""
        focused = self.focused
        if focused is not None:
            await settle(focused)
        if focused is self.grid:
            self.grid.press_tab(back)
        elif back:
            self.focus_previous()
        else:
            self.focus_next()

    def _numbers(self) -> tuple[int | None, int | None]:
        """Prepay % and credit days as typed (None: blank, the terms' default; -1: not a
        whole number)."""
        import unicodedata

        out: list[int | None] = []
        for name in ("prepay", "credit"):
            text = unicodedata.normalize("NFKC", self._value(name)).strip()
            out.append(None if not text else int(text) if text.isdigit() else -1)
        return out[0], out[1]

    def _check_numbers(self) -> bool:
        """Prepay % and credit days by the domain's rule; the message beside the field it
        names (the other one's earlier message goes)."""
        prepay, credit = self._numbers()
        code = self._select_value("terms")
        default = default_numbers(str(code)) if code in PAYMENT_TERMS else None
        message, name = "", ""
        try:
            check_numbers(
                prepay if prepay is not None else (default.prepay_pct if default else 0),
                credit if credit is not None else (default.credit_days if default else 0),
            )
        except ValidationError as exc:
            name = "credit" if exc.field == "credit_days" else "prepay"
            message = error_text(exc, self.lang)
        for field_name in ("prepay", "credit"):
            self._field_error(field_name, message if field_name == name else "")
        return not message

    def _check_field(self, name: str) -> bool:
        """Validate one header field as it is left; the text stays as typed."""
        if name in ("prepay", "credit"):
            return self._check_numbers()
        value = self._value(name)
        message = ""
        if name in ("wanted", "due"):
            try:
                day = parse_day(value)
            except ValueError:
                message = t("entry.err.date", self.lang)
            else:
                if day is not None:
                    self.query_one(f"#{name}", Input).value = day.isoformat()
                if name == "wanted" and day is not None and day < self.today():
                    message = t("entry.err.past", self.lang, today=self.today().isoformat())
        else:
            try:
                amount = parse_amount(value)
            except ValueError as exc:
                message = error_text(exc, self.lang)
            else:
                if amount < 0:
                    message = t("entry.err.negative", self.lang)
                elif value.strip():
                    self.query_one(f"#{name}", Input).value = money.format_money(amount)
            if not message and name == "discount":
                goods = self.totals
                limit = (goods.goods + goods.freight) if goods is not None else None
                amount = self._money_or_zero("discount")
                if limit is not None and amount and amount > limit:
                    message = t(
                        "entry.err.discount",
                        self.lang,
                        discount=money.format_money(amount),
                        limit=money.format_money(limit),
                    )
        self._field_error(name, message)
        return not message

    def _due_default_text(self) -> str:
        """The due date the terms in numbers give (the code's own when they are blank or
        wrong): it follows each key typed into prepay % and credit days."""
        terms = self._select_value("terms")
        if not terms:
            return ""
        order_day = self.order_day or self.today()
        prepay, credit = self._numbers()
        default = default_numbers(str(terms))
        prepay = default.prepay_pct if prepay is None else prepay
        credit = default.credit_days if credit is None else credit
        try:
            check_numbers(prepay, credit)
        except ValidationError:
            day = payment_due(order_day, str(terms))
        else:
            day = due_date(order_day, prepay, credit)
        return day.isoformat() if day else ""

    def _default_due(self) -> None:
        if self.due_auto:
            due = self.query_one("#due", Input)
            text = self._due_default_text()
            if text != due.value:
                self.due_filled.append(text)
                due.value = text

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        name = event.select.id or ""
        if name in self.field_errors:
            self._field_error(name, "")
        if name == "terms":
            code = event.value
            if isinstance(code, str) and code in PAYMENT_TERMS and code != self.numbers_code:
                self._default_numbers(code)
            self._default_due()
        elif name == "pricing":
            self.grid.set_price_mode(event.value is not False)
        elif name in ("contact", "address"):
            if event.value == "new":
                self._add_master(name)
            else:
                self.previous_select[name] = event.value

    def _add_master(self, name: str) -> None:
        """ "New contact/address…" was chosen: a small form, then pick what it created."""
        customer = self.customer
        assert customer is not None and self.actor is not None
        db, actor, code = self.db, self.actor, customer.code

        def save_contact(values: dict[str, str]) -> int:
            from order_tui.services import masterdata

            return masterdata.add_contact(db, actor, code, values["name"], values["phone"])

        def save_address(values: dict[str, str]) -> int:
            from order_tui.services import masterdata

            return masterdata.add_address(
                db,
                actor,
                code,
                values["province"],
                values["city"],
                values["district"],
                values["detail"],
                values["postcode"],
            )

        if name == "contact":
            dialog = FieldsDialog(
                self.lang,
                t("entry.ct.title", self.lang, customer=customer.legal_name),
                [("name", "entry.ct.name"), ("phone", "entry.ct.phone")],
                save_contact,
            )
        else:
            dialog = FieldsDialog(
                self.lang,
                t("entry.ad.title", self.lang, customer=customer.legal_name),
                [
                    ("province", "entry.ad.province"),
                    ("city", "entry.ad.city"),
                    ("district", "entry.ad.district"),
                    ("detail", "entry.ad.detail"),
                    ("postcode", "entry.ad.postcode"),
                ],
                save_address,
            )

        def done(new_id: int | None) -> None:
            select = self.query_one(f"#{name}", Select)
            if new_id is None:
                previous = self.previous_select.get(name)
                select.value = previous if previous is not None else Select.NULL
                return
            prefer = self.form_values()
            prefer[name] = f"{'c' if name == 'contact' else 'a'}:{new_id}"
            self.refetch_customer(code, prefer)

        self.app.push_screen(dialog, done)

    @work(thread=True, exclusive=True, group="entry-customer", exit_on_error=False)
    def refetch_customer(self, code: str, prefer: dict[str, Any]) -> None:
        try:
            customer = fetch_customer(self.db, self.actor, code)
        except Exception as exc:
            self.app.call_from_thread(
                self._set_status,
                t("entry.err.failed", self.lang, error=error_text(exc, self.lang)),
                True,
            )
            return
        self.app.call_from_thread(self._apply_customer, customer, prefer)

    # -- customer -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="entry-customer", exit_on_error=False)
    def resolve_customer(self, text: str, quiet: bool = False) -> CustomerData | None:
        """The customer for a typed code, shown in the header; an unknown code is an error
        beside the field unless `quiet` (the caller opens the F4 prompt instead)."""
        try:
            customer = fetch_customer(self.db, self.actor, text)
        except Exception as exc:
            self.app.call_from_thread(
                self._set_status,
                t("entry.err.failed", self.lang, error=error_text(exc, self.lang)),
                True,
            )
            return None
        self.app.call_from_thread(self._customer_found, text, customer, quiet)
        return customer

    def _customer_found(self, text: str, customer: CustomerData | None, quiet: bool) -> None:
        if not self.is_attached:
            return
        field_input = self.query_one("#customer", Input)
        if customer is None:
            if not quiet:
                self._field_error("customer", t("entry.err.customer_unknown", self.lang, code=text))
            return
        field_input.value = customer.code
        self.last_customer_text = customer.code
        self._field_error("customer", "")
        self._apply_customer(customer, {})

    async def _customer_dialog(self, initial: str) -> None:
        from order_tui.widgets.lookup import LookupDialog

        def chosen(code: str | None) -> None:
            if code:
                self.query_one("#customer", Input).value = code
                self.resolve_customer(code)

        await self.app.push_screen(
            LookupDialog(self.db, self.actor, self.lang, "customer", initial), chosen
        )

    # -- grid events ----------------------------------------------------------------------------

    @on(LineGrid.Changed)
    def _grid_changed(self, _event: LineGrid.Changed) -> None:
        self._update_totals()
        self._update_notice()

    @on(LineGrid.CursorMoved)
    def _grid_moved(self, _event: LineGrid.CursorMoved) -> None:
        self.query_one("#stock", StockStrip).show_product(self.grid.current.product)
        self._update_notice()

    @on(LineGrid.LookupRequested)
    async def _grid_lookup(self, event: LineGrid.LookupRequested) -> None:
        if not event.dialog:
            self.lookup_product(event.uid, event.text, False)
        else:
            await self._product_dialog(event.uid, event.text)

    async def _product_dialog(self, uid: int, text: str) -> None:
        from order_tui.widgets.lookup import LookupDialog

        def chosen(code: str | None) -> None:
            self.set_focus(self.grid)
            if not code:
                return
            line = self.grid.line_by_uid(uid)
            if line is not None:
                line.pending = True
                self.grid.go_to(self.grid.index_of(uid), "qty")
            self.lookup_product(uid, code, True)

        await self.app.push_screen(
            LookupDialog(self.db, self.actor, self.lang, "product", text), chosen
        )

    @work(thread=True, group="entry-product", exit_on_error=False)
    def lookup_product(self, uid: int, code: str, picked: bool) -> None:
        try:
            hit = fetch_product(self.db, self.actor, code)
        except Exception as exc:
            self.app.call_from_thread(
                self._set_status,
                t("entry.err.failed", self.lang, error=error_text(exc, self.lang)),
                True,
            )
            hit = None
        self.app.call_from_thread(self._product_found, uid, hit, code)

    def _product_found(self, uid: int, hit: Any, code: str) -> None:
        if self.is_attached:
            self.grid.fill_product(uid, hit, code)

    # -- keys -----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save", "submit") and (self.read_only or not self.ready):
            return None
        return True

    async def action_lookup(self) -> None:
        focused = self.focused
        if focused is not None:
            await settle(focused)
        if focused is self.grid:
            uid, text = self.grid.request_lookup()
            await self._product_dialog(uid, text)
        elif focused is not None and focused.id == "customer":
            await self._customer_dialog(self._value("customer").strip())
        else:
            self._set_status(t("entry.f4_where", self.lang))

    async def action_switch(self) -> None:
        if self.focused is not None:
            await settle(self.focused)
        if self.focused is self.grid:
            self.set_focus(self.query_one("#customer", Input))
        else:
            self.set_focus(self.grid)

    async def action_attachments(self) -> None:
        if self.focused is not None:
            await settle(self.focused)
        if self.order_no is None:
            self._set_status(t("entry.save_first", self.lang), error=True)
            return
        assert self.actor is not None

        def closed(count: int | None) -> None:
            if count is not None:
                self.attachment_count = count
                self._update_totals()

        removable = self.status in EDITABLE_STATUSES
        self.app.push_screen(
            AttachmentsDialog(self.db, self.lang, self.actor, self.order_no, removable), closed
        )

    def action_leave(self) -> None:
        self._confirm_drop("entry.ask_leave", lambda: self.dismiss(self.order_no))

    def action_go_home(self) -> None:
        self._confirm_drop("entry.ask_leave", lambda: self.app.run_action("home"))

    def action_reload_form(self) -> None:
        self.reload()

    def reload(self) -> None:
        def again() -> None:
            self.ready = False
            self.field_errors.clear()
            self._show_field_errors()
            self._set_status(t("entry.loading", self.lang))
            if self.order_no is None:
                self._fill({"v": SNAPSHOT_VERSION}, None, {})
                self.ready = True
                self.baseline = self._compare_key(self.form_values())
                self._set_status(t("entry.ready_new", self.lang))
            else:
                self.load_form(with_draft=False)

        self._confirm_drop("entry.ask_reload", again)

    def _confirm_drop(self, question: str, then: Callable[[], object]) -> None:
        """Run `then` at once, or after a y when typed input would be lost (and drop the
        draft the autosave kept, since the operator chose to drop it)."""
        if not self.unsaved_changes():
            then()
            return

        def answered(choice: str | None) -> None:
            if choice == "yes":
                self.discard_draft(self.form_key())
                self.baseline = self._compare_key(self.form_values())
                then()

        self.app.push_screen(AskDialog(self.lang, t(question, self.lang), {"y": "yes"}), answered)

    @work(thread=True, group="entry-draft", exit_on_error=False)
    def discard_draft(self, key: str | None) -> None:
        from order_tui.services import forms

        if key is None or self.actor is None:
            return
        forms.discard_form(self.db, self.actor, key)
        saved: dict[str, str] = getattr(self.app, "saved_drafts", {})
        saved.pop(key, None)

    # -- save -----------------------------------------------------------------------------------

    def action_save(self) -> None:
        self._save()

    def _save(self, then: Callable[[], None] | None = None) -> None:
        if self.busy:
            self._set_status(t("entry.err.busy", self.lang))
            return
        if self.read_only or not self.ready:
            return
        self.grid.commit_edit()
        payload = self._collect()
        if payload is None:
            return
        self.busy = True
        self._set_status(t("entry.saving", self.lang))
        self.save_order(payload, self.order_no, self.version, then)

    def _collect(self) -> dict[str, Any] | None:
        """The form as plain values for `OrderInput`, or None after showing what is wrong."""
        lang = self.lang
        ok = True
        customer = self.customer
        if customer is None or self._value("customer").strip() != customer.code:
            self._field_error("customer", t("entry.err.customer_needed", lang))
            ok = False
        for name in ("wanted", "due", "freight", "discount", "prepay"):
            ok = self._check_field(name) and ok
        grid = self.grid
        lines = []
        first_bad: tuple[int, str] | None = None
        for index, line in enumerate(grid.lines):
            if line.blank:
                continue
            if not line.code.strip():
                grid.set_line_error(index, "code", t("entry.err.code_required", lang))
            if not line.qty.strip():
                grid.set_line_error(
                    index, "qty", t("grid.err.required", lang, what=t("grid.what.qty", lang))
                )
            bad = next((c for c in (*EDITABLE, "amount") if line.errors.get(c)), None)
            if bad is not None:
                first_bad = first_bad or (index, bad if bad in EDITABLE else "qty")
                continue
            lines.append(
                {
                    "index": index,
                    "code": (line.product.code if line.product is not None else line.code.strip()),
                    "qty": money.parse_quantity(line.qty),
                    "price": money.parse_price(line.price) if line.price.strip() else None,
                    "tax": self._tax_code(line.tax),
                }
            )
        if first_bad is not None:
            grid.go_to(*first_bad)
            self.set_focus(grid)
            self._update_notice()
            return None
        if not lines:
            self._set_status(t("entry.err.no_lines", lang), error=True)
            self.set_focus(grid)
            return None
        if not ok:
            self._focus_first_error()
            return None
        assert customer is not None
        values = self.form_values()
        contact_name, contact_phone = values["contact_name"], values["contact_phone"]
        address = values["address"]
        due_text = self._value("due")
        prepay, credit = self._numbers()
        return {
            "customer_code": customer.code,
            "lines": lines,
            "freight": parse_amount(self._value("freight")),
            "discount": parse_amount(self._value("discount")),
            "price_includes_tax": values["price_incl"],
            "payment_terms": values["terms"],
            "prepay_pct": prepay,
            "credit_days": credit,
            "invoice_type": values["invoice"],
            "wanted_date": parse_day(self._value("wanted")),
            "payment_due_date": None if self.due_auto else parse_day(due_text),
            "contact_name": contact_name or None,
            "contact_phone": contact_phone or None,
            "address_id": int(address[2:])
            if isinstance(address, str) and address[:2] == "a:"
            else None,
            "remarks": self._value("remarks"),
        }

    def _tax_code(self, text: str) -> str | None:
        from order_tui.widgets.line_grid import parse_tax

        code, _ = parse_tax(text, self.tr)
        return code

    def _focus_first_error(self) -> None:
        for name in self.field_errors:
            with contextlib.suppress(Exception):
                self.set_focus(self.query_one(f"#{name}"))
                return

    @work(thread=True, exclusive=True, group="entry-save", exit_on_error=False)
    def save_order(
        self,
        payload: dict[str, Any],
        order_no: str | None,
        version: int | None,
        then: Callable[[], None] | None,
    ) -> None:
        from order_tui.services import orders

        assert self.actor is not None
        rows = payload.pop("lines")
        data = orders.OrderInput(
            lines=[orders.LineInput(r["code"], r["qty"], r["price"], r["tax"]) for r in rows],
            **payload,
        )
        try:
            if order_no is None:
                detail = orders.create_order(self.db, self.actor, data)
            else:
                detail = orders.edit_order(self.db, self.actor, order_no, data, version)
        except Conflict as exc:
            self.app.call_from_thread(self._conflict, exc)
            return
        except ValidationError as exc:
            self.app.call_from_thread(self._refused, exc, [r["index"] for r in rows])
            return
        except Exception as exc:  # PermissionDenied, NotFound, the database...: say so
            self.app.call_from_thread(self._refused, exc, [r["index"] for r in rows])
            return
        # the draft was typed under this key ("order:new" for a new order): it is saved now
        with contextlib.suppress(Exception):
            self.forget_form_draft()
        self.app.call_from_thread(self._saved, detail, [r["index"] for r in rows], then)

    def _saved(
        self, detail: OrderDetail, indexes: list[int], then: Callable[[], None] | None
    ) -> None:
        if not self.is_attached:
            return
        old_key = self.form_key()
        self.busy = False
        self.order_no = detail.order_no
        self.version = detail.version
        self.status = detail.status
        self.order_day = detail.order_day
        grid = self.grid
        # what the service filled in (a list price for a blank price, the product's tax)
        for index, view in zip(indexes, detail.lines, strict=False):
            if index < len(grid.lines):
                line = grid.lines[index]
                line.price = fmt_money(view.unit_price)
                line.tax = tax_text(view.tax_code, self.lang)
        grid.load(grid.lines, (grid.row, grid.col))
        self.query_one("#title", TitleBar).update(self._title())
        self.baseline = self._compare_key(self.form_values())
        saved: dict[str, str] = getattr(self.app, "saved_drafts", {})
        if old_key in saved:  # an autosave slipped in while saving
            self.discard_draft(old_key)
        self._set_status(
            t("entry.saved", self.lang, order_no=detail.order_no, version=detail.version)
        )
        self.refresh_bindings()
        if then is not None:
            then()

    def _refused(self, exc: Exception, indexes: list[int]) -> None:
        if not self.is_attached:
            return
        self.busy = False
        message = error_text(exc, self.lang, self.db.timezone)
        name = getattr(exc, "field", None) or ""
        mapping = {
            "customer": "customer",
            "address": "address",
            "payment_terms": "terms",
            "prepay_pct": "prepay",
            "credit_days": "credit",
            "wanted_date": "wanted",
            "discount": "discount",
            "freight": "freight",
            "remarks": "remarks",
            "contact_name": "contact",
            "contact_phone": "contact",
        }
        if name in mapping:
            self._field_error(mapping[name], message)
            self._set_status(t("entry.err.failed", self.lang, error=message), error=True)
            return
        if name.startswith("lines."):
            parts = name.split(".")
            with contextlib.suppress(ValueError, IndexError):
                index = indexes[int(parts[1]) - 1]
                column = parts[2] if len(parts) > 2 else "qty"
                column = {"price": "price", "qty": "qty"}.get(column, "qty")
                self.grid.set_line_error(index, column, message)
                self.grid.go_to(index, column)
                self.set_focus(self.grid)
        self._set_status(t("entry.err.failed", self.lang, error=message), error=True)

    def _conflict(self, exc: Conflict) -> None:
        if not self.is_attached:
            return
        self.busy = False
        who = exc.changed_by or "?"
        when = local_time(exc.changed_at or "", self.db.timezone) if exc.changed_at else "?"
        head = t("entry.conflict", self.lang, who=who, when=when)
        self._set_status(head, error=True)
        text = Text(head + "\n\n", style="bold")
        text.append(t("entry.conflict_ask", self.lang))

        def answered(choice: str | None) -> None:
            if choice == "reload":
                self.discard_draft(self.form_key())
                self.ready = False
                self.load_form(with_draft=False)
            elif choice == "keep":
                self.take_latest_version()
            else:
                self._set_status(
                    t("entry.conflict_later", self.lang, who=who, when=when), error=True
                )

        self.app.push_screen(
            AskDialog(
                self.lang,
                text,
                {"r": "reload", "k": "keep"},
                title=t("entry.conflict_title", self.lang),
            ),
            answered,
        )

    @work(thread=True, exclusive=True, group="entry-load", exit_on_error=False)
    def take_latest_version(self) -> None:
        from order_tui.services import orders

        assert self.order_no is not None
        try:
            _data, version = orders.order_input_of(self.db, self.actor, self.order_no)
        except Exception as exc:
            self.app.call_from_thread(
                self._set_status,
                t("entry.err.failed", self.lang, error=error_text(exc, self.lang)),
                True,
            )
            return
        self.app.call_from_thread(self._took_version, version)

    def _took_version(self, version: int) -> None:
        if self.is_attached:
            self.version = version
            self._set_status(t("entry.conflict_kept", self.lang, version=version))

    # -- submit ---------------------------------------------------------------------------------

    def action_submit(self) -> None:
        if self.busy or self.read_only or not self.ready:
            return
        self.grid.commit_edit()
        if self.order_no is None or self.unsaved_changes():
            self._save(then=self._check_findings)
        else:
            self._check_findings()

    def _check_findings(self) -> None:
        self._set_status(t("entry.checking", self.lang))
        self.busy = True
        self.fetch_findings()

    # Not in the save's group: the save starts this from its own callback, before its worker
    # has returned, and an exclusive start would cancel it. `busy` keeps them one at a time.
    @work(thread=True, exclusive=True, group="entry-findings", exit_on_error=False)
    def fetch_findings(self) -> None:
        from order_tui.services import review

        assert self.order_no is not None
        try:
            found = review.findings(self.db, self.actor, self.order_no)
        except Exception as exc:
            self.app.call_from_thread(self._refused, exc, [])
            return
        self.app.call_from_thread(self._show_findings, found)

    def _show_findings(self, found: list[Finding]) -> None:
        if not self.is_attached:
            return
        self.busy = False
        resubmit = self.status == Status.RETURNED.value
        self._set_status(t("entry.ready_edit", self.lang))

        def answered(yes: bool | None) -> None:
            if yes:
                self.busy = True
                self._set_status(t("entry.submitting", self.lang))
                self.submit_order(resubmit)

        self.app.push_screen(
            FindingsDialog(self.lang, found, resubmit, self.app.no_color), answered
        )

    @work(thread=True, exclusive=True, group="entry-save", exit_on_error=False)
    def submit_order(self, resubmit: bool) -> None:
        from order_tui.services import review

        assert self.actor is not None and self.order_no is not None
        act = review.resubmit if resubmit else review.submit
        try:
            detail = act(self.db, self.actor, self.order_no, self.version)
        except Conflict as exc:
            self.app.call_from_thread(self._conflict, exc)
            return
        except Exception as exc:  # GuardFailed (on hold, no lines), PermissionDenied...
            self.app.call_from_thread(self._refused, exc, [])
            return
        self.app.call_from_thread(self._submitted, detail)

    def _submitted(self, detail: OrderDetail) -> None:
        if not self.is_attached:
            return
        self.busy = False
        self.status = detail.status
        self.version = detail.version
        self.baseline = self._compare_key(self.form_values())
        self.app.notify(t("entry.submitted", self.lang, order_no=detail.order_no), timeout=5)
        self.dismiss(detail.order_no)


def new_order_screen(db: Database, lang: str, actor: Actor) -> OrderEntryScreen:
    return OrderEntryScreen(db, lang, actor, None)


def may_create(actor: Actor | None) -> bool:
    return actor is not None and Role.SALES_CLERK in actor.roles


def may_edit(actor: Actor | None, status: str) -> bool:
    if actor is None or status not in EDITABLE_STATUSES:
        return False
    return Action.EDIT in allowed_actions(Status(status), actor.roles)
