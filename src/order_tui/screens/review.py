"""Step 3, one order: the order as the clerk entered it and, beside it (below it at 80
columns), the findings of the review checks with their evidence; approve, reject, hold.

The findings pane lists, in this order: what changed since the last round (on a resubmitted
order), the findings of MY department, the checks that passed for it, and the findings of the
other departments, marked as theirs. `?` (or Enter) on a finding explains its rule.

Verdicts go through `services.review` with the order version this screen showed, so a
reviewer who acted first (or a change made meanwhile) comes back as `Conflict`: the screen says
who and when, reloads, and nothing is recorded twice. After a verdict the screen closes with
the verdict as its result (the inbox reloads its list).

The dialogs (`VerdictDialog`, `ExplainDialog`) are shared with the inbox's batch options.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group as RichGroup
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from order_tui.domain.errors import (
    Conflict,
    GuardFailed,
    InvalidTransition,
)
from order_tui.domain.lifecycle import Action, Status, status_label
from order_tui.domain.review_checks import required_departments
from order_tui.domain.roles import DEPARTMENT_ROLE, Department
from order_tui.domain.terms import (
    HOLD_KINDS,
    INVOICE_TYPES,
    PAYMENT_TERMS,
    REJECT_REASONS,
    label,
    terms_text,
)
from order_tui.domain.text import text_problem
from order_tui.screens import i18n
from order_tui.screens.base import OrderScreen, TitleBar, settle
from order_tui.screens.fmt import local_time, money, qty
from order_tui.screens.i18n import localize_bindings, pick, register, t
from order_tui.widgets.field_input import FieldInput

if TYPE_CHECKING:
    from order_tui.domain.review_checks import Finding
    from order_tui.services import Database
    from order_tui.services.common import Actor
    from order_tui.services.views import OrderDetail

WIDE = 110  # from this many columns the findings sit beside the order, not below it

register(
    {
        # keys (by binding id)
        "key.review_approve": ("批准", "Approve"),
        "key.review_reject": ("驳回", "Reject"),
        "key.review_hold": ("挂起", "Hold"),
        "key.review_explain": ("说明", "Explain"),
        "key.review_ok": ("确认", "OK"),
        "key.review_cancel": ("取消", "Cancel"),
        "key.review_close": ("关闭", "Close"),
        "key.review_reason": ("选原因", "Pick reason"),
        "review.key_tab": ("切换 订单/检查 区域", "Switch between order and checks"),
        "review.key_scroll": ("滚动 / 选检查项", "Scroll / choose a finding"),
        # screen
        "review.title": ("审核 {order_no}", "Review {order_no}"),
        "review.title_dept": ("审核 {order_no} · {dept}", "Review {order_no} · {dept}"),
        "review.loading": ("正在加载订单与检查结果…", "Loading the order and its checks…"),
        "review.error": (
            "无法打开订单 {order_no}：{error}",
            "Cannot open order {order_no}: {error}",
        ),
        "review.round": ("第 {round} 轮", "Round {round}"),
        "review.pending": ("待审", "open"),
        "review.you": ("（您）", " (you)"),
        "review.on_hold": ("【挂起】", "[ON HOLD]"),
        "review.not_in_review": (
            "订单当前状态：{status}，不在审核中",
            "The order is {status}, not in review",
        ),
        "review.not_reviewer": (
            "您的角色不审核此订单（只读）",
            "None of your roles reviews this order (read only)",
        ),
        "review.decided": (
            "{dept}已在本轮给出意见：{verdict}",
            "{dept} has given its verdict this round: {verdict}",
        ),
        "review.held_no_approve": (
            "订单挂起中，不能批准：可驳回，或待挂起解除后再批准",
            "The order is on hold and cannot be approved: reject it, or approve once released",
        ),
        "review.o.payment": ("付款", "Pay"),
        "review.o.wanted": ("交期", "Wanted"),
        "review.o.due": ("应收", "Due"),
        "review.order_pane": ("订单（按录入）", "Order as entered"),
        "review.checks_pane": ("检查结果", "Checks"),
        # findings pane
        "review.mine": ("{dept}的检查（{count}）", "{dept} checks ({count})"),
        "review.mine_none": ("（{dept}的检查没有发现问题）", "(no findings for {dept})"),
        "review.passed": ("通过：{checks}", "Passed: {checks}"),
        "review.theirs": (
            "其他部门的检查（{count}，由各部门自行审核）",
            "Other departments' findings ({count}, theirs to judge)",
        ),
        "review.theirs_tag": ("{dept}的", "for {dept}"),
        "review.changes": (
            "自第 {round} 轮以来的修改（{count}）",
            "Changed since round {round} ({count})",
        ),
        "review.no_changes": (
            "重新提交，但订单内容未作修改",
            "Resubmitted without any change to the order",
        ),
        "review.last_reject": (
            "第 {round} 轮 {dept} 驳回：{reason}",
            "Round {round}: {dept} rejected: {reason}",
        ),
        "review.line_added": ("第 {no} 行 新增：{what}", "line {no} added: {what}"),
        "review.line_removed": ("第 {no} 行 删除：{what}", "line {no} removed: {what}"),
        "review.line_changed": ("第 {no} 行 {what}：", "line {no} {what}: "),
        "review.more": ("…另 {count} 项", "… {count} more"),
        "review.days": ("{days} 天", "{days} days"),
        "review.sev.block": ("严重", "BLOCK"),
        "review.sev.warn": ("注意", "WARN"),
        "review.sev_help": (
            "严重：除非已与相关方协商同意，应驳回；注意：核实后可批准。",
            "BLOCK: reject unless agreed with those concerned; WARN: check, then you may approve.",
        ),
        # verdicts
        "review.approved": (
            "已批准 {order_no}（{dept}）：订单状态 {status}",
            "Approved {order_no} ({dept}): the order is {status}",
        ),
        "review.rejected": (
            "已驳回 {order_no}（{dept}），退回内勤修改",
            "Rejected {order_no} ({dept}): back to the clerk",
        ),
        "review.held": ("已挂起 {order_no}：{kind}", "Put {order_no} on hold: {kind}"),
        "review.saving": ("正在提交…", "Submitting…"),
        "review.conflict": (
            "{who} 于 {when} 先处理了此单：{what}。已重新载入，您的意见未记录。",
            "{who} acted first at {when}: {what}. Reloaded; your verdict was not recorded.",
        ),
        "review.conflict_anon": (
            "订单已先被处理：{what}。已重新载入，您的意见未记录。",
            "Someone acted first: {what}. Reloaded; your verdict was not recorded.",
        ),
        "review.failed": ("未能提交：{error}", "Not done: {error}"),
        # dialogs
        "review.dlg.approve": ("批准 {order_no}", "Approve {order_no}"),
        "review.dlg.reject": ("驳回 {order_no}", "Reject {order_no}"),
        "review.dlg.hold": ("挂起 {order_no}", "Hold {order_no}"),
        "review.dlg.progress": ("需填原因 第 {n}/{total} 单", "reason {n} of {total}"),
        "review.dlg.comment": ("意见（可不填）", "Comment (optional)"),
        "review.dlg.reason": ("驳回原因（↑↓ 或数字选择）", "Reason (Up/Down or its number)"),
        "review.dlg.kind": ("挂起类别（↑↓ 或数字选择）", "Kind of hold (Up/Down or its number)"),
        "review.dlg.text": (
            "说明（必填，内勤据此修改）",
            "Text (required: the clerk works from it)",
        ),
        "review.dlg.hold_text": ("问题说明（必填）", "What is wrong (required)"),
        "review.dlg.ph_approve": ("例如：同意", "e.g. agreed"),
        "review.dlg.ph_reject": (
            "例如：第 1 行单价低于最低价，请与客户确认",
            "e.g. line 1 is below the floor price: confirm with the customer",
        ),
        "review.dlg.ph_hold": ("例如：客户付款逾期，待财务确认", "e.g. customer payment overdue"),
        "review.dlg.need_text": ("请填写说明", "Write a text"),
        "review.dlg.hint": (
            "Enter 确认 · Tab 切换 · Esc 取消",
            "Enter: confirm · Tab: next field · Esc: cancel",
        ),
        "review.dlg.hint_batch": (
            "Enter 确认 · Tab 切换 · Esc 取消整批（不执行任何操作）",
            "Enter: confirm · Tab: next field · Esc: cancel the whole batch (nothing runs)",
        ),
        "review.explain_title": ("规则说明：{name}", "Rule: {name}"),
        "review.explain_owner": ("负责审核：{dept}", "Judged by: {dept}"),
        "review.explain_hint": ("Esc / Enter 关闭", "Esc / Enter to close"),
        "review.changes_title": ("本轮的修改", "Changes in this round"),
        "review.changes_rule": (
            "重新提交的订单开启新一轮审核；这里列出与上一轮相比改动的字段和明细行（旧 → 新）。"
            "各部门须重新给出意见。",
            "A resubmitted order opens a new review round; this lists the fields and lines "
            "that differ from the last round (old → new). Every department decides again.",
        ),
        "review.check.credit": ("信用额度", "credit limit"),
        "review.check.price": ("价格", "prices"),
        "review.check.lead_time": ("交期", "delivery date"),
        "review.check.terms": ("付款条件", "payment terms"),
        "review.check.invoice": ("开票资料", "invoice data"),
        "review.check.stock": ("库存", "stock"),
        "review.check.capacity": ("定制/产能", "made to order / capacity"),
        # finding names and rules
        "review.code.credit": ("信用额度", "Credit limit"),
        "review.code.price_low": ("低于最低价", "Below floor price"),
        "review.code.price_high": ("高于最高价", "Above ceiling price"),
        "review.code.stock": ("库存不足", "Stock shortfall"),
        "review.code.capacity": ("定制/产能", "Made to order / capacity"),
        "review.code.lead_time": ("交期过早", "Date too early"),
        "review.code.terms": ("付款条件", "Payment terms"),
        "review.code.terms_loose": ("付款条件过宽", "Terms too loose"),
        "review.code.invoice": ("开票资料", "Invoice data"),
        "review.rule.credit": (
            "信用敞口 = 客户其他未结订单金额 + 本单金额，不得超过客户的信用额度。"
            "款到发货的订单不占用额度。超出时由销售经理决定是否接受（例如客户先付部分款）。",
            "Credit exposure = the customer's other open orders + this order; it must not "
            "exceed the customer's credit limit. Prepaid orders do not count. Over the limit, "
            "the sales manager decides (e.g. a part payment first).",
        ),
        "review.rule.price_low": (
            "每行单价不得低于产品的最低价（与单价同为含税或不含税）。低于最低价须销售经理和财务都同意。",
            "No line may be priced below the product's floor price (tax treatment as the "
            "price). Below the floor needs both the sales manager and finance to agree.",
        ),
        "review.rule.price_high": (
            "单价高于产品最高价时提示财务核对：可能录入错误，或须与客户确认。",
            "A price above the product's ceiling asks finance to check: a typing error, or "
            "something to confirm with the customer.",
        ),
        "review.rule.stock": (
            "非定制行的数量不得超过可用库存（现存量减已锁定）。不足时看在途数量和预计到货日期："
            "在途可补足为“注意”，否则为“严重”。",
            "A stock line's quantity must not exceed what is available (on hand minus locked). "
            "When short, incoming stock and its date decide: covered is WARN, not covered BLOCK.",
        ),
        "review.rule.capacity": (
            "定制行须安排生产：下单日加生产周期得到预计完工日。晚于要求交期为“严重”，否则提示生产确认排产。",
            "A made-to-order line needs production: order date + lead time gives the ready "
            "date. Later than the wanted date is BLOCK; otherwise production confirms the slot.",
        ),
        "review.rule.lead_time": (
            "要求交期不得早于最早可交日期（下单日加各行最长的生产或备货周期）。",
            "The wanted date may not be before the earliest possible date (order date + the "
            "longest lead time of the lines).",
        ),
        "review.rule.terms": (
            "订单的付款方式须是客户资料中允许的付款方式之一。",
            "The order's payment terms must be among those allowed for the customer.",
        ),
        "review.rule.terms_loose": (
            "预付比例不得低于客户允许的付款方式所要求的最低比例，余款账期不得长于其中最长的账期"
            "（款到发货 100% 预付；货到付款 0%、0 天；月结 N 天 0%、N 天）。",
            "The prepayment may not be below the least any of the customer's allowed terms asks, "
            "and the balance's credit days not above the longest they give (prepaid: 100 %; "
            "cash on delivery: 0 %, 0 days; net N: 0 %, N days).",
        ),
        "review.rule.invoice": (
            "开增值税专用发票须有完整的开票资料：名称、统一社会信用代码、地址电话、开户行及账号。",
            "A VAT special invoice needs complete invoice data: name, USCC, address and "
            "phone, bank and account.",
        ),
        # evidence
        "review.ev.credit": (
            "敞口 {exposure} / 额度 {limit}（超出 {over}）",
            "exposure {exposure} / limit {limit} (over by {over})",
        ),
        "review.ev.credit_parts": (
            "本单 {this} + 未结订单 {count} 单：",
            "this order {this} + {count} open order(s):",
        ),
        "review.ev.line": ("第 {no} 行 {product}", "line {no} {product}"),
        "review.ev.price_low": (
            "单价 {price} < 最低价 {floor}（最高价 {ceiling}）",
            "price {price} < floor {floor} (ceiling {ceiling})",
        ),
        "review.ev.price_high": (
            "单价 {price} > 最高价 {ceiling}（最低价 {floor}）",
            "price {price} > ceiling {ceiling} (floor {floor})",
        ),
        "review.ev.stock": (
            "订 {ordered}，可用 {available}，缺 {short}",
            "ordered {ordered}, available {available}, short {short}",
        ),
        "review.ev.incoming": (
            "在途 {incoming}，预计 {date} 到货",
            "incoming {incoming}, expected {date}",
        ),
        "review.ev.no_incoming": ("无在途补货", "nothing incoming"),
        "review.ev.capacity": (
            "定制，生产周期 {days} 天，预计完工 {ready}",
            "made to order, lead time {days} d, ready {ready}",
        ),
        "review.ev.after_wanted": ("晚于要求交期 {wanted}", "after the wanted date {wanted}"),
        "review.ev.lead_time": (
            "要求交期 {wanted}，最早可交 {earliest}",
            "wanted {wanted}, earliest possible {earliest}",
        ),
        "review.ev.terms": (
            "付款方式 {terms} 不在客户允许的 {allowed} 之内",
            "terms {terms} are not among the allowed: {allowed}",
        ),
        "review.ev.invoice": ("专用发票缺：{missing}", "special invoice lacks: {missing}"),
        "review.ev.terms_loose": ("本单：{terms}", "this order: {terms}"),
        "review.ev.prepay_low": (
            "预付 {pct}% 低于要求的 {least}%",
            "prepay {pct}% below the {least}% required",
        ),
        "review.ev.credit_long": (
            "账期 {days} 天 超过允许的 {most} 天",
            "credit {days} days above the {most} allowed",
        ),
        "review.ev.allowed": ("客户允许：{allowed}", "allowed: {allowed}"),
        "review.inv.name": ("名称", "name"),
        "review.inv.uscc": ("统一社会信用代码", "USCC"),
        "review.inv.address_phone": ("地址电话", "address and phone"),
        "review.inv.bank_account": ("开户行及账号", "bank and account"),
        # field names in the changes panel
        "review.f.customer_code": ("客户", "Customer"),
        "review.f.cust_name": ("客户名称", "Customer name"),
        "review.f.cust_uscc": ("信用代码", "USCC"),
        "review.f.cust_bank": ("开户行", "Bank"),
        "review.f.cust_account": ("账号", "Account"),
        "review.f.cust_address": ("地址", "Address"),
        "review.f.cust_postcode": ("邮编", "Postcode"),
        "review.f.contact_name": ("联系人", "Contact"),
        "review.f.contact_phone": ("电话", "Phone"),
        "review.f.price_includes_tax": ("单价含税", "Prices include tax"),
        "review.f.payment_terms": ("付款方式", "Payment terms"),
        "review.f.prepay_pct": ("预付比例", "Prepayment"),
        "review.f.credit_days": ("账期", "Credit days"),
        "review.f.invoice_type": ("发票", "Invoice"),
        "review.f.wanted_date": ("要求交期", "Wanted by"),
        "review.f.payment_due_date": ("应收日期", "Payment due"),
        "review.f.remarks": ("备注", "Remarks"),
        "review.f.freight": ("运费", "Freight"),
        "review.f.discount": ("折扣", "Discount"),
        "review.f.total": ("合计", "Total"),
        "review.f.goods_total": ("货款", "Goods"),
        "review.f.net_total": ("不含税", "Net"),
        "review.f.tax_total": ("税额", "Tax"),
        "review.f.order_day": ("下单日", "Order date"),
        "review.f.product_code": ("产品", "product"),
        "review.f.name": ("品名", "name"),
        "review.f.spec": ("规格", "spec"),
        "review.f.unit": ("单位", "unit"),
        "review.f.qty": ("数量", "qty"),
        "review.f.unit_price": ("单价", "price"),
        "review.f.tax_code": ("税率", "tax"),
        "review.f.gross": ("价税合计", "gross"),
        "review.f.made_to_order": ("定制", "made to order"),
        "review.yes": ("是", "yes"),
        "review.no": ("否", "no"),
        "review.empty": ("（空）", "(empty)"),
    }
)

# Which department judges each finding (the checks of `domain.review_checks`).
CODE_DEPARTMENTS: dict[str, tuple[Department, ...]] = {
    "credit": (Department.SALES,),
    "price_low": (Department.SALES, Department.FINANCE),
    "price_high": (Department.FINANCE,),
    "stock": (Department.WAREHOUSE,),
    "capacity": (Department.PRODUCTION,),
    "lead_time": (Department.SALES,),
    "terms": (Department.FINANCE,),
    "terms_loose": (Department.FINANCE,),
    "invoice": (Department.FINANCE,),
}
# The checks each department owns, for the "passed" line (price_low / price_high share one).
DEPARTMENT_CHECKS: dict[Department, tuple[tuple[str, tuple[str, ...]], ...]] = {
    Department.SALES: (
        ("credit", ("credit",)),
        ("price", ("price_low",)),
        ("lead_time", ("lead_time",)),
    ),
    Department.FINANCE: (
        ("price", ("price_low", "price_high")),
        ("terms", ("terms", "terms_loose")),
        ("invoice", ("invoice",)),
    ),
    Department.WAREHOUSE: (("stock", ("stock",)),),
    Department.PRODUCTION: (("capacity", ("capacity",)),),
}
# A finding suggests the reject reason the reviewer most likely wants.
FINDING_REASON = {
    "credit": "credit",
    "price_low": "price",
    "price_high": "price",
    "stock": "stock",
    "capacity": "capacity",
    "lead_time": "date",
    "terms": "terms",
    "terms_loose": "terms",
    "invoice": "invoice",
}
SEVERITY_STYLE = {"block": "bold reverse", "warn": "bold"}
MONEY_FIELDS = {"freight", "discount", "total", "goods_total", "net_total", "tax_total"}
MONEY_LINE_FIELDS = {"unit_price", "gross", "net", "tax"}
# Fields of the changes panel, most telling first; derived amounts last, capital words never.
FIELD_ORDER = (
    "customer_code",
    "cust_name",
    "cust_uscc",
    "cust_bank",
    "cust_account",
    "cust_address",
    "cust_postcode",
    "contact_name",
    "contact_phone",
    "payment_terms",
    "prepay_pct",
    "credit_days",
    "invoice_type",
    "wanted_date",
    "payment_due_date",
    "price_includes_tax",
    "freight",
    "discount",
    "remarks",
    "total",
    "goods_total",
    "net_total",
    "tax_total",
)
DERIVED_FIELDS = {"goods_total", "net_total", "tax_total"}
SKIPPED_FIELDS = {"total_words", "retention_until", "attachments"}
LINE_FIELD_ORDER = (
    "product_code",
    "name",
    "spec",
    "qty",
    "unit",
    "unit_price",
    "tax_code",
    "made_to_order",
    "gross",
)
# The app's keys that these screens keep out of the footer (F1 help still lists them), so that
# at 80 columns it shows the keys a reviewer uses most: the verdicts, F1, F5, Esc. Each runs the
# app's own action; priority keys stay priority (the app's binding still handles them first).
QUIET_APP_KEYS: list[BindingType] = [
    Binding("f2", "app.home", "Home", id="home", show=False),
    Binding("ctrl+p", "app.palette", "Commands", id="palette", show=False, priority=True),
    Binding("ctrl+q", "app.quit", "Quit", id="quit", show=False, priority=True),
]
MAX_OPEN_ORDERS = 6  # credit evidence: open orders listed one a line, the rest counted


def dept_name(code: str, lang: str) -> str:
    key = f"dept.{code}"
    from order_tui.screens.i18n import STRINGS

    return t(key, lang) if key in STRINGS else code


def code_name(code: str, lang: str) -> str:
    from order_tui.screens.i18n import STRINGS

    key = f"review.code.{code}"
    return t(key, lang) if key in STRINGS else code


def verdict_word(verdict: str, lang: str) -> str:
    from order_tui.screens.i18n import STRINGS

    key = f"verdict.{verdict}"
    return t(key, lang) if key in STRINGS else verdict


def _money(text: str) -> str:
    return money(text) if text not in ("", "?") else text


def _qty(text: str) -> str:
    from decimal import Decimal, InvalidOperation

    try:
        return qty(Decimal(text))
    except InvalidOperation:
        return text


def _colon(lang: str) -> str:
    return "：" if lang == "zh" else ": "


# -- evidence ----------------------------------------------------------------------------------


def evidence_lines(finding: Finding, lang: str, names: dict[int, str] | None = None) -> list[str]:
    """The finding's evidence as short lines in the operator's language (no colour needed)."""
    ev = finding.evidence
    code = finding.code
    lines: list[str] = []

    def line_head() -> str:
        no = ev.get("line", "")
        product = ev.get("product", "")
        if names and no.isdigit() and int(no) in names:
            product = f"{product} {names[int(no)]}".strip()
        return t("review.ev.line", lang, no=no, product=product).strip()

    if code == "credit":
        from decimal import Decimal, InvalidOperation

        try:
            over = money(str(Decimal(ev.get("exposure", "0")) - Decimal(ev.get("limit", "0"))))
        except InvalidOperation:
            over = "?"
        lines.append(
            t(
                "review.ev.credit",
                lang,
                exposure=_money(ev.get("exposure", "")),
                limit=_money(ev.get("limit", "")),
                over=over,
            )
        )
        opens = [o.strip() for o in ev.get("open_orders", "").split(";") if o.strip()]
        lines.append(
            t(
                "review.ev.credit_parts",
                lang,
                this=_money(ev.get("this_order", "")),
                count=len(opens),
            )
        )
        for entry in opens[:MAX_OPEN_ORDERS]:
            number, _, amount = entry.partition(" ")
            lines.append(f"  {number}  {_money(amount)}")
        if len(opens) > MAX_OPEN_ORDERS:
            lines.append("  " + t("review.more", lang, count=len(opens) - MAX_OPEN_ORDERS))
    elif code in ("price_low", "price_high"):
        lines.append(
            line_head()
            + _colon(lang)
            + t(
                f"review.ev.{code}",
                lang,
                price=_money(ev.get("price", "")),
                floor=_money(ev.get("floor", "")),
                ceiling=_money(ev.get("ceiling", "")),
            )
        )
    elif code == "stock":
        head = line_head()
        lines.append(
            head
            + _colon(lang)
            + t(
                "review.ev.stock",
                lang,
                ordered=_qty(ev.get("ordered", "")),
                available=_qty(ev.get("available", "")),
                short=_qty(ev.get("shortfall", "")),
            )
        )
        incoming = ev.get("incoming", "0")
        when = ev.get("replenishment_date", "?")
        if when != "?" and incoming not in ("", "0", "0.00"):
            lines.append("  " + t("review.ev.incoming", lang, incoming=_qty(incoming), date=when))
        else:
            lines.append("  " + t("review.ev.no_incoming", lang))
    elif code == "capacity":
        text = line_head() + _colon(lang)
        text += t(
            "review.ev.capacity",
            lang,
            days=ev.get("lead_time_days", ""),
            ready=ev.get("ready", ""),
        )
        lines.append(text)
        if ev.get("wanted"):
            lines.append("  " + t("review.ev.after_wanted", lang, wanted=ev["wanted"]))
    elif code == "lead_time":
        lines.append(
            t(
                "review.ev.lead_time",
                lang,
                wanted=ev.get("wanted", ""),
                earliest=ev.get("earliest", ""),
            )
        )
    elif code == "terms":
        allowed = [a.strip() for a in ev.get("allowed", "").split(",") if a.strip()]
        lines.append(
            t(
                "review.ev.terms",
                lang,
                terms=label(PAYMENT_TERMS, ev.get("terms", ""), lang),
                allowed=("、" if lang == "zh" else ", ").join(
                    label(PAYMENT_TERMS, a, lang) for a in allowed
                )
                or "-",
            )
        )
    elif code == "terms_loose":
        sep = "、" if lang == "zh" else ", "
        lines.append(
            t("review.ev.terms_loose", lang, terms=ev.get(f"terms_{lang}", ev.get("terms_en", "")))
        )
        looser = ev.get("looser", "")
        if "prepay_pct" in looser:
            lines.append(
                "  "
                + t(
                    "review.ev.prepay_low",
                    lang,
                    pct=ev.get("prepay_pct", ""),
                    least=ev.get("min_prepay_pct", ""),
                )
            )
        if "credit_days" in looser:
            lines.append(
                "  "
                + t(
                    "review.ev.credit_long",
                    lang,
                    days=ev.get("credit_days", ""),
                    most=ev.get("max_credit_days", ""),
                )
            )
        allowed = [a.strip() for a in ev.get("allowed", "").split(",") if a.strip()]
        lines.append(
            "  "
            + t(
                "review.ev.allowed",
                lang,
                allowed=sep.join(label(PAYMENT_TERMS, a, lang) for a in allowed) or "-",
            )
        )
    elif code == "invoice":
        missing = [m.strip() for m in ev.get("missing", "").split(",") if m.strip()]
        from order_tui.screens.i18n import STRINGS

        words = [t(f"review.inv.{m}", lang) if f"review.inv.{m}" in STRINGS else m for m in missing]
        lines.append(
            t("review.ev.invoice", lang, missing=("、" if lang == "zh" else ", ").join(words))
        )
    else:
        lines.append(finding.message)
    return lines


def finding_text(
    finding: Finding, lang: str, names: dict[int, str] | None = None, theirs: bool = False
) -> Text:
    """[严重] 信用额度  敞口 … — the severity as a word, the evidence on the next lines."""
    text = Text(no_wrap=False)
    severity = (
        t(f"review.sev.{finding.severity}", lang)
        if finding.severity in ("block", "warn")
        else finding.severity
    )
    if theirs:
        owner = t("review.theirs_tag", lang, dept=dept_name(finding.department.value, lang))
        text.append(f"[{owner}] ", style="italic")
    text.append(f"[{severity}]", style=SEVERITY_STYLE.get(finding.severity, ""))
    text.append(" " + code_name(finding.code, lang), style="bold")
    lines = evidence_lines(finding, lang, names)
    if lines:
        text.append("  " + lines[0])
    for extra in lines[1:]:
        text.append(
            "\n    " + extra.lstrip() if not extra.startswith("  ") else "\n    " + extra.strip()
        )
    if theirs:
        text.stylize("dim")
    return text


# -- the order as entered ----------------------------------------------------------------------


def render_order(d: OrderDetail, lang: str) -> RichGroup:
    """The order compactly, terms first: what a reviewer checks, in the fewest rows."""
    from rich.table import Table

    from order_tui.screens.fmt import day, tax

    none = t("detail.none", lang)
    terms = Text(overflow="fold")
    terms.append(t("review.o.payment", lang) + " ", style="bold")
    terms.append(terms_text(d.payment_terms, d.prepay_pct, d.credit_days, lang) + " · ")
    terms.append(label(INVOICE_TYPES, d.invoice_type, lang) + " · ")
    terms.append(t("review.o.wanted", lang) + " ", style="bold")
    terms.append(day(d.wanted_date, lang) + " · ")
    terms.append(t("review.o.due", lang) + " ", style="bold")
    terms.append(day(d.payment_due_date, lang))
    people = Table.grid(padding=(0, 1))
    people.add_column(style="bold", no_wrap=True)
    people.add_column(overflow="fold")
    name = d.cust_name + (f" ({d.customer_code})" if d.customer_code else "")
    people.add_row(t("detail.name", lang), name)
    people.add_row(t("detail.uscc", lang), d.cust_uscc or none)
    people.add_row(
        t("detail.bank", lang), " ".join(x for x in (d.cust_bank, d.cust_account) if x) or none
    )
    people.add_row(
        t("detail.contact", lang),
        " ".join(x for x in (d.contact_name, d.contact_phone) if x) or none,
    )
    people.add_row(
        t("detail.address", lang),
        " ".join(x for x in (d.cust_address, d.cust_postcode) if x) or none,
    )
    lines = Table(
        box=None, show_edge=False, pad_edge=False, expand=True, header_style="bold underline"
    )
    lines.add_column(t("detail.col.no", lang), justify="right", no_wrap=True)
    lines.add_column(t("detail.col.product", lang), ratio=1, overflow="fold")
    lines.add_column(t("detail.col.qty", lang), justify="right", no_wrap=True)
    lines.add_column(t("detail.col.price", lang), justify="right", no_wrap=True)
    lines.add_column(t("detail.col.tax", lang), justify="right", no_wrap=True)
    lines.add_column(t("detail.col.gross", lang), justify="right", no_wrap=True)
    for ln in d.lines:
        product = Text(f"{ln.product_code} {ln.name}")
        if ln.made_to_order:
            product.append(f" [{t('detail.mto', lang)}]", style="bold")
        if ln.spec:
            product.append(f" {ln.spec}", style="dim")
        lines.add_row(
            str(ln.line_no),
            product,
            f"{qty(ln.qty)} {ln.unit}",
            money(ln.unit_price),
            tax(ln.tax_code, lang),
            money(ln.gross),
        )
    total = Text(t("detail.total", lang) + " ", style="bold")
    total.append(f"¥{money(d.total)}", style="bold")
    total.append(f"  {d.total_words}")
    amounts = Text(style="dim")
    for key, value in (
        ("detail.net", d.net_total),
        ("detail.tax", d.tax_total),
        ("detail.freight", d.freight),
        ("detail.discount", d.discount),
    ):
        amounts.append(f"{t(key, lang)} {money(value)}  ")
    pricing = "detail.price_incl" if d.price_includes_tax else "detail.price_excl"
    amounts.append(f"({t(pricing, lang)})")
    parts: list[Any] = [
        terms,
        lines,
        total,
        amounts,
    ]
    if d.remarks:
        parts.append(Text(f"{t('detail.remarks', lang)}{_colon(lang)}{d.remarks}"))
    parts += [Text(t("detail.customer_head", lang), style="bold underline"), people]
    if d.holds:
        parts.append(Text(t("detail.holds", lang, count=len(d.holds)), style="bold underline"))
        for h in d.holds:
            kind = label(HOLD_KINDS, str(h.get("kind", "")), lang)
            parts.append(Text(f"[{kind}] {h.get('description', '')}"))
    return RichGroup(*parts)


# -- what changed since the last round ----------------------------------------------------------


def _value(field: str, value: Any, lang: str) -> str:
    if value is None or value == "":
        return t("review.empty", lang)
    if isinstance(value, bool):
        return t("review.yes" if value else "review.no", lang)
    if field == "payment_terms":
        return label(PAYMENT_TERMS, str(value), lang)
    if field == "prepay_pct":
        return f"{value}%"
    if field == "credit_days":
        return t("review.days", lang, days=value)
    if field == "invoice_type":
        return label(INVOICE_TYPES, str(value), lang)
    if field in MONEY_FIELDS or field in MONEY_LINE_FIELDS:
        return money(str(value))
    if field == "qty":
        from decimal import Decimal, InvalidOperation

        try:
            return qty(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
    return str(value)


def _field_name(field: str, lang: str) -> str:
    from order_tui.screens.i18n import STRINGS

    key = f"review.f.{field}"
    return t(key, lang) if key in STRINGS else field


def _line_summary(line: dict[str, Any], lang: str) -> str:
    """P0001 工业控制器 2 台 × 6,800.00 = 13,600.00"""
    amount = _value("qty", line.get("qty", ""), lang)
    return (
        f"{line.get('product_code', '')} {line.get('name', '')} {amount} {line.get('unit', '')}"
        f" × {_value('unit_price', line.get('unit_price', ''), lang)}"
        f" = {_value('gross', line.get('gross', ''), lang)}"
    )


def _change(field: str, pair: Any, lang: str) -> str:
    old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
    return (
        f"{_field_name(field, lang)}{_colon(lang)}{_value(field, old, lang)}"
        f" → {_value(field, new, lang)}"
    )


def change_lines(
    changes: dict[str, Any], lang: str, names: dict[int, str] | None = None
) -> list[str]:
    """Each changed field and line, old -> new, one entry each; `names` (line number ->
    "P0005 不锈钢法兰") says which product a changed line holds now."""
    out: list[str] = []
    fields = [f for f in changes if f != "lines" and f not in SKIPPED_FIELDS]
    fields.sort(key=lambda f: FIELD_ORDER.index(f) if f in FIELD_ORDER else len(FIELD_ORDER))
    derived = [f for f in fields if f in DERIVED_FIELDS]  # after the lines that cause them
    for field in [f for f in fields if f not in DERIVED_FIELDS]:
        out.append(_change(field, changes[field], lang))
    lines = changes.get("lines") or {}
    for no in sorted(lines, key=lambda n: int(n) if str(n).isdigit() else 0):
        kind, data = [*lines[no], None, None][:2]
        data = data or {}
        if kind == "added":
            out.append(t("review.line_added", lang, no=no, what=_line_summary(data, lang)))
        elif kind == "removed":
            out.append(t("review.line_removed", lang, no=no, what=_line_summary(data, lang)))
        else:
            parts = []
            keys = [k for k in data if k not in ("net", "tax", "picked_qty", "shipped_qty")]
            keys.sort(
                key=lambda k: (
                    LINE_FIELD_ORDER.index(k) if k in LINE_FIELD_ORDER else len(LINE_FIELD_ORDER)
                )
            )
            for key in keys:
                old, new = [*data[key], None, None][:2]
                parts.append(
                    f"{_field_name(key, lang)} {_value(key, old, lang)} → {_value(key, new, lang)}"
                )
            what = names.get(int(no), "") if names and str(no).isdigit() else ""
            head = t("review.line_changed", lang, no=no, what=what)
            if not what:
                head = head.replace(" ：", "：").replace(" :", ":")
            out.append(head + ("；" if lang == "zh" else "; ").join(parts))
    out.extend(_change(field, changes[field], lang) for field in derived)
    return out


# -- dialogs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerdictInput:
    reason: str  # reject: reason code; hold: hold kind; approve: ""
    text: str  # reject / hold: the text; approve: the optional comment


class ReasonList(OptionList):
    """The reasons of a dialog; a digit picks the reason with that number."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *[
            Binding(str(n), f"pick({n})", "Pick reason", id="review_reason", show=False)
            for n in range(1, 10)
        ],
    ]

    def action_pick(self, number: int) -> None:
        if number <= self.option_count:
            self.highlighted = number - 1


# A verdict's comment and a hold's description hold at most this many characters.
VERDICT_TEXT_MOST = 2000


class VerdictDialog(ModalScreen[VerdictInput | None]):
    """Approve (a comment), reject (a reason from the list + text) or hold (a kind + text).

    Returns the input, or None when cancelled. `subject` says which order (number, customer,
    amount, department); `progress` ("2/3") is shown in a batch.
    """

    DEFAULT_CSS = """
    VerdictDialog {
        align: center middle;
    }
    VerdictDialog > Vertical {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    VerdictDialog .dlg-label {
        text-style: bold;
        margin-top: 1;
    }
    VerdictDialog ReasonList {
        height: auto;
        max-height: 10;
        border: none;
        padding: 0;
    }
    VerdictDialog ReasonList:focus > .option-list--option-highlighted {
        text-style: bold reverse;
    }
    VerdictDialog Input {
        width: 1fr;
    }
    VerdictDialog #dlg-error {
        color: $error;
        text-style: bold;
        height: auto;
    }
    VerdictDialog #dlg-error:nocolor {
        text-style: bold reverse;
    }
    VerdictDialog #dlg-hint {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="review_cancel", priority=True),
    ]

    def __init__(
        self,
        lang: str,
        kind: str,
        order_no: str,
        subject: str,
        *,
        reason: str = "",
        text: str = "",
        progress: str = "",
        batch: bool = False,
    ) -> None:
        super().__init__()
        self.lang = lang
        self.kind = kind  # "approve", "reject" or "hold"
        self.order_no = order_no
        self.subject = subject
        self.reason = reason
        self.text = text
        self.progress = progress
        self.in_batch = batch
        localize_bindings(self, lang)

    @property
    def reasons(self) -> dict[str, tuple[str, str]]:
        if self.kind == "reject":
            return REJECT_REASONS
        if self.kind == "hold":
            return HOLD_KINDS
        return {}

    def compose(self) -> ComposeResult:
        lang = self.lang
        box = Vertical()
        box.border_title = t(f"review.dlg.{self.kind}", lang, order_no=self.order_no)
        with box:
            subject = self.subject
            if self.progress:
                subject += "  " + self.progress
            yield Static(subject, id="dlg-subject", markup=False)
            if self.reasons:
                key = "review.dlg.reason" if self.kind == "reject" else "review.dlg.kind"
                yield Static(t(key, lang), classes="dlg-label", markup=False)
                yield ReasonList(
                    *[
                        Option(f"{n}. {pick(pair, lang)}", id=code)
                        for n, (code, pair) in enumerate(self.reasons.items(), 1)
                    ],
                    id="dlg-reasons",
                    compact=True,
                )
            if self.kind == "approve":
                text_label = t("review.dlg.comment", lang)
            elif self.kind == "reject":
                text_label = t("review.dlg.text", lang)
            else:
                text_label = t("review.dlg.hold_text", lang)
            yield Static(text_label, classes="dlg-label", markup=False)
            placeholder = t(f"review.dlg.ph_{self.kind}", lang)
            yield FieldInput(self.text, placeholder=placeholder, id="dlg-text", compact=True)
            yield Static("", id="dlg-error", markup=False)
            hint = "review.dlg.hint_batch" if self.in_batch else "review.dlg.hint"
            yield Static(t(hint, lang), id="dlg-hint", markup=False)

    def on_mount(self) -> None:
        if self.reasons:
            reasons = self.query_one(ReasonList)
            localize_bindings(reasons, self.lang)
            codes = list(self.reasons)
            reasons.highlighted = codes.index(self.reason) if self.reason in codes else 0
            reasons.focus()
        else:
            self.query_one("#dlg-text", Input).focus()

    @on(OptionList.OptionSelected, "#dlg-reasons")
    def _reason_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#dlg-text", Input).focus()

    @on(Input.Submitted, "#dlg-text")
    async def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        await settle(event.input)
        self.confirm()

    def confirm(self) -> None:
        text = self.query_one("#dlg-text", Input).value.strip()
        reason = ""
        if self.reasons:
            reasons = self.query_one(ReasonList)
            index = reasons.highlighted or 0
            reason = str(reasons.get_option_at_index(index).id)
        if self.kind != "approve" and not text:
            self.query_one("#dlg-error", Static).update("! " + t("review.dlg.need_text", self.lang))
            self.query_one("#dlg-text", Input).focus()
            return
        # The service would refuse it after the dialog is gone, and the text with it.
        problem = text_problem(text, VERDICT_TEXT_MOST)
        if problem is not None:
            self.query_one("#dlg-error", Static).update("! " + i18n.error_text(problem, self.lang))
            self.query_one("#dlg-text", Input).focus()
            return
        self.dismiss(VerdictInput(reason, text))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ExplainDialog(ModalScreen[None]):
    """`?` on a finding: what the rule checks, who judges it, what the severities mean."""

    DEFAULT_CSS = """
    ExplainDialog {
        align: center middle;
    }
    ExplainDialog > VerticalScroll {
        width: 72;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    ExplainDialog #explain-hint {
        color: $text-muted;
        margin-top: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,enter,question_mark,f1", "close", "Close", id="review_close", priority=True
        ),
    ]

    def __init__(self, lang: str, title: str, body: str) -> None:
        super().__init__()
        self.lang = lang
        self.title_text = title
        self.body = body
        localize_bindings(self, lang)

    def compose(self) -> ComposeResult:
        box = VerticalScroll()
        box.border_title = self.title_text
        box.can_focus = False
        with box:
            yield Static(self.body, markup=False)
            yield Static(t("review.explain_hint", self.lang), id="explain-hint", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)


def explain_text(code: str, lang: str) -> tuple[str, str]:
    """(title, body) of the rule behind a finding code ("changes" for the changes panel)."""
    from order_tui.screens.i18n import STRINGS

    if code == "changes":
        return t("review.changes_title", lang), t("review.changes_rule", lang)
    rule = t(f"review.rule.{code}", lang) if f"review.rule.{code}" in STRINGS else code
    owners = ("、" if lang == "zh" else ", ").join(
        dept_name(d.value, lang) for d in CODE_DEPARTMENTS.get(code, ())
    )
    body = rule
    if owners:
        body += "\n\n" + t("review.explain_owner", lang, dept=owners)
    body += "\n" + t("review.sev_help", lang)
    return t("review.explain_title", lang, name=code_name(code, lang)), body


# -- the screen ------------------------------------------------------------------------------


class FindingList(OptionList):
    """The checks pane: changes, my findings, passed checks, the other departments' findings."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Explain", id="review_explain", show=False),
    ]


@dataclass
class Loaded:
    detail: OrderDetail
    findings: list[Finding]
    changes: dict[str, Any]


class ReviewScreen(OrderScreen):
    """One order under review, for `department` (None: the operator's pending department)."""

    DEFAULT_CSS = """
    ReviewScreen #head {
        height: auto;
        max-height: 3;
        padding: 0 1;
    }
    ReviewScreen #panes {
        height: 1fr;
        layout: vertical;
    }
    ReviewScreen.-wide #panes {
        layout: horizontal;
    }
    ReviewScreen #order-pane, ReviewScreen #checks {
        height: 1fr;
        border-top: solid $primary-muted;
        border-title-align: left;
        border-title-style: bold;
        scrollbar-size-vertical: 1;
    }
    ReviewScreen #order-pane {
        padding: 0 1;
    }
    ReviewScreen #checks {
        border: none;
        border-top: solid $primary-muted;
        background: $background;
    }
    ReviewScreen #order-pane:focus, ReviewScreen #checks:focus {
        border: none;
        border-top: heavy $accent;
        background-tint: $foreground 0%;
    }
    ReviewScreen #order-pane:focus {
        height: 2fr;
    }
    ReviewScreen #checks:focus {
        height: 2fr;
    }
    ReviewScreen.-wide #order-pane, ReviewScreen.-wide #checks {
        height: 1fr;
        width: 1fr;
    }
    ReviewScreen #checks {
        padding: 0 0 0 1;
    }
    ReviewScreen #checks > .option-list--option-disabled {
        color: $text;
        text-style: bold underline;
    }
    ReviewScreen #checks:nocolor > .option-list--option-highlighted {
        text-style: reverse;
    }
    ReviewScreen #status {
        height: auto;
        max-height: 2;
        padding: 0 1;
        color: $text-muted;
    }
    ReviewScreen #status.-error {
        color: $error;
        text-style: bold;
    }
    ReviewScreen #status.-error:nocolor {
        text-style: bold reverse;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a,1", "approve", "Approve", id="review_approve"),
        Binding("r,4", "reject", "Reject", id="review_reject"),
        Binding("h,9", "hold", "Hold", id="review_hold"),
        Binding("question_mark", "explain", "Explain", id="review_explain", key_display="?"),
        *QUIET_APP_KEYS,
    ]
    HELP_EXTRA: ClassVar[list[tuple[str, str]]] = [
        ("Tab", "review.key_tab"),
        ("Up / Down / PgUp / PgDn", "review.key_scroll"),
    ]
    HELP_NOTES: ClassVar[list[str]] = ["review.sev_help"]

    def __init__(
        self,
        db: Database,
        lang: str,
        actor: Actor,
        order_no: str,
        department: str | None = None,
    ) -> None:
        super().__init__(db, lang, actor)
        self.order_no = order_no
        self.department = department
        self.detail: OrderDetail | None = None
        self.loaded: Loaded | None = None
        self.changed = False  # a verdict was given or the order changed under us
        self.busy = False
        self.message = ""
        self._entries: dict[str, tuple[str, Finding | None]] = {}
        self._result: str | None = None
        self._leave_on_resume = False
        self._conflict: tuple[str, str, OrderDetail | None, str] | None = None

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        title = self.t("review.title", order_no=self.order_no)
        if self.department:
            title = self.t(
                "review.title_dept",
                order_no=self.order_no,
                dept=dept_name(self.department, self.lang),
            )
        yield TitleBar(self.title_text(title))
        yield Static(self.t("review.loading"), id="head", markup=False)
        with Container(id="panes"):
            pane = VerticalScroll(id="order-pane")
            pane.border_title = self.t("review.order_pane")
            pane.can_focus = True
            with pane:
                yield Static("", id="order", markup=False)
            checks = FindingList(id="checks")
            checks.border_title = self.t("review.checks_pane")
            yield checks
        yield Static("", id="status", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        localize_bindings(self.query_one(FindingList), self.lang)
        self._fit(self.size.width)
        self.query_one(FindingList).focus()
        self.reload()

    def on_resize(self) -> None:
        self._fit(self.size.width)

    def _fit(self, width: int) -> None:
        self.set_class(width >= WIDE, "-wide")

    # -- data -----------------------------------------------------------------------------

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="review", exit_on_error=False)
    def _load(self) -> None:
        from order_tui.services import orders, review

        try:
            detail = orders.get_order(self.db, self.actor, self.order_no)
            findings = review.findings(self.db, self.actor, self.order_no)
            changes = (
                review.round_changes(self.db, self.actor, self.order_no)
                if detail.review_round > 1
                else {}
            )
        except Exception as exc:  # NotFound, or the database went away: say so, F5 retries
            self.app.call_from_thread(self._failed, exc)
        else:
            self.app.call_from_thread(self._show, Loaded(detail, findings, changes))

    def _failed(self, exc: Exception) -> None:
        if not self.is_attached:
            return
        error = i18n.error_text(exc, self.lang, self.db.timezone)
        self.query_one("#head", Static).update(
            self.t("review.error", order_no=self.order_no, error=error)
        )

    def _show(self, loaded: Loaded) -> None:
        if not self.is_attached:
            return
        assert self.actor is not None
        self.loaded = loaded
        self.detail = loaded.detail
        if self.department is None or self.department not in self.my_departments():
            pending = self.pending_departments()
            mine = self.my_departments()
            self.department = pending[0] if pending else (mine[0] if mine else None)
        if self._conflict is not None:
            self.message = self._conflict_message(*self._conflict)
            self._conflict = None
            self.set_status(self.message, error=True)
        self.query_one("#head", Static).update(self._head())
        self.query_one("#order", Static).update(render_order(loaded.detail, self.lang))
        self._fill_checks()
        self._say_state()
        self.refresh_bindings()

    # -- who decides ----------------------------------------------------------------------

    def required(self) -> list[str]:
        if self.detail is None:
            return []
        has_mto = any(line.made_to_order for line in self.detail.lines)
        return [d.value for d in required_departments(has_mto)]

    def round_verdicts(self) -> dict[str, dict[str, Any]]:
        if self.detail is None:
            return {}
        current = self.detail.review_round
        return {
            str(v.get("department")): v for v in self.detail.verdicts if v.get("round") == current
        }

    def my_departments(self) -> list[str]:
        assert self.actor is not None
        return [d for d in self.required() if DEPARTMENT_ROLE[Department(d)] in self.actor.roles]

    def pending_departments(self) -> list[str]:
        decided = self.round_verdicts()
        return [d for d in self.my_departments() if d not in decided]

    def in_review(self) -> bool:
        return self.detail is not None and self.detail.status == Status.IN_REVIEW.value

    def may_decide(self) -> bool:
        return (
            self.in_review()
            and self.department is not None
            and self.department in self.pending_departments()
        )

    # -- rendering ------------------------------------------------------------------------

    def _head(self) -> RichGroup:
        d = self.detail
        assert d is not None
        lang = self.lang
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append(d.order_no, style="bold")
        head.append(f"  {d.cust_name}  ")
        head.append(f"¥{money(d.total)}", style="bold")
        head.append("  " + status_label(Status(d.status), lang))
        if d.on_hold:
            head.append(" " + t("review.on_hold", lang), style="bold reverse")
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(t("review.round", lang, round=d.review_round) + _colon(lang), style="bold")
        verdicts = self.round_verdicts()
        parts = []
        for dept in self.required():
            part = Text(dept_name(dept, lang) + " ")
            verdict = verdicts.get(dept)
            if verdict is None:
                part.append(t("review.pending", lang))
            else:
                part.append(verdict_word(str(verdict.get("verdict", "")), lang), style="bold")
            if dept == self.department:
                part.append(t("review.you", lang))
            parts.append(part)
        line.append(Text(" · ").join(parts))
        return RichGroup(head, line)

    def _fill_checks(self) -> None:
        loaded = self.loaded
        assert loaded is not None and self.detail is not None
        lang = self.lang
        names = {ln.line_no: ln.name for ln in self.detail.lines}
        mine = self.department
        options: list[Option] = []
        self._entries = {}

        def add(key: str, prompt: Text, code: str, finding: Finding | None = None) -> None:
            self._entries[key] = (code, finding)
            options.append(Option(prompt, id=key))

        def heading(text: str) -> None:
            options.append(Option(Text(text, style="bold"), disabled=True))

        # 1. what changed since the last round
        if self.detail.review_round > 1:
            products = {ln.line_no: f"{ln.product_code} {ln.name}" for ln in self.detail.lines}
            entries = change_lines(loaded.changes, lang, products)
            previous = self.detail.review_round - 1
            heading(t("review.changes", lang, round=previous, count=len(entries)))
            for v in self.detail.verdicts:
                if v.get("round") == previous and v.get("verdict") == "reject":
                    reason = label(REJECT_REASONS, str(v.get("reason", "")), lang)
                    if v.get("comment"):
                        reason += _colon(lang) + str(v["comment"])
                    add(
                        f"r:{v.get('department')}",
                        Text(
                            t(
                                "review.last_reject",
                                lang,
                                round=previous,
                                dept=dept_name(str(v.get("department")), lang),
                                reason=reason,
                            ),
                            style="italic",
                        ),
                        "changes",
                    )
            if not entries:
                add("c:none", Text(t("review.no_changes", lang), style="bold"), "changes")
            for n, entry in enumerate(entries):
                add(f"c:{n}", Text(entry), "changes")

        # 2. my department's findings, then what passed
        own = [f for f in loaded.findings if mine is not None and f.department.value == mine]
        others = [f for f in loaded.findings if mine is None or f.department.value != mine]
        if mine is not None:
            heading(t("review.mine", lang, dept=dept_name(mine, lang), count=len(own)))
            own.sort(key=lambda f: f.severity != "block")
            for n, finding in enumerate(own):
                add(f"m:{n}", finding_text(finding, lang, names), finding.code, finding)
            flagged = {f.code for f in own}
            passed = [
                t(f"review.check.{name}", lang)
                for name, codes in DEPARTMENT_CHECKS.get(Department(mine), ())
                if not flagged & set(codes)
            ]
            if not own:
                add("m:none", Text(t("review.mine_none", lang, dept=dept_name(mine, lang))), "")
            if passed:
                joined = ("、" if lang == "zh" else ", ").join(passed)
                add("m:passed", Text(t("review.passed", lang, checks=joined)), "")

        # 3. the other departments' findings, marked as theirs
        if others:
            heading(t("review.theirs", lang, count=len(others)))
            for n, finding in enumerate(others):
                add(
                    f"o:{n}", finding_text(finding, lang, names, theirs=True), finding.code, finding
                )

        checks = self.query_one(FindingList)
        keep = None
        if checks.highlighted is not None and checks.option_count:
            keep = checks.get_option_at_index(checks.highlighted).id
        checks.set_options(options)
        index = None
        if keep is not None:
            index = next((i for i, o in enumerate(options) if o.id == keep), None)
        if index is None:
            index = next((i for i, o in enumerate(options) if not o.disabled), None)
        checks.highlighted = index

    def _say_state(self) -> None:
        """Why the verdict keys are off, if they are; the last message otherwise."""
        lang = self.lang
        d = self.detail
        if self.message:
            return
        if d is None:
            return
        if not self.in_review():
            self.set_status(
                t("review.not_in_review", lang, status=status_label(Status(d.status), lang))
            )
        elif not self.my_departments():
            self.set_status(t("review.not_reviewer", lang))
        elif self.department and self.department not in self.pending_departments():
            verdict = self.round_verdicts().get(self.department, {})
            self.set_status(
                t(
                    "review.decided",
                    lang,
                    dept=dept_name(self.department, lang),
                    verdict=verdict_word(str(verdict.get("verdict", "")), lang),
                )
            )
        elif d.on_hold:
            self.set_status(t("review.held_no_approve", lang))
        else:
            self.set_status("")

    def set_status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "-error")
        status.display = bool(text)

    # -- keys -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("approve", "reject"):
            if self.detail is None or not self.in_review() or not self.my_departments():
                return False
            return True if self.may_decide() and not self.busy else None
        if action == "hold":
            if self.detail is None or self.detail.status in ("completed", "archived", "cancelled"):
                return False
            return None if self.busy else True
        return True

    def _subject(self) -> str:
        d = self.detail
        assert d is not None
        dept = dept_name(self.department, self.lang) if self.department else ""
        return f"{d.cust_name}  ¥{money(d.total)}  {dept}"

    def _suggested_reason(self) -> str:
        """The reject reason of the finding under the cursor, or of my first finding."""
        checks = self.query_one(FindingList)
        if checks.highlighted is not None and checks.option_count:
            key = checks.get_option_at_index(checks.highlighted).id or ""
            code, finding = self._entries.get(key, ("", None))
            if finding is not None and finding.department.value == self.department:
                return FINDING_REASON.get(code, "")
        for key, (code, finding) in self._entries.items():
            if key.startswith("m:") and finding is not None:
                return FINDING_REASON.get(code, "")
        return ""

    def action_approve(self) -> None:
        if not self.may_decide() or self.detail is None:
            return
        if self.detail.on_hold:
            self.set_status(t("review.held_no_approve", self.lang), error=True)
            return
        dialog = VerdictDialog(self.lang, "approve", self.order_no, self._subject())
        self.app.push_screen(dialog, callback=lambda value: self._verdict("approve", value))

    def action_reject(self) -> None:
        if not self.may_decide() or self.detail is None:
            return
        dialog = VerdictDialog(
            self.lang, "reject", self.order_no, self._subject(), reason=self._suggested_reason()
        )
        self.app.push_screen(dialog, callback=lambda value: self._verdict("reject", value))

    def action_hold(self) -> None:
        if self.detail is None:
            return
        dialog = VerdictDialog(self.lang, "hold", self.order_no, self._subject())
        self.app.push_screen(dialog, callback=lambda value: self._verdict("hold", value))

    def action_explain(self) -> None:
        checks = self.query_one(FindingList)
        if checks.highlighted is None or not checks.option_count:
            return
        key = checks.get_option_at_index(checks.highlighted).id or ""
        code, _finding = self._entries.get(key, ("", None))
        if not code:
            return
        title, body = explain_text(code, self.lang)
        self.app.push_screen(ExplainDialog(self.lang, title, body))

    @on(OptionList.OptionSelected, "#checks")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_explain()

    def run_lifecycle_action(self, action: Action) -> None:
        """The command palette's actions for this order: the verdicts happen here."""
        if action == Action.APPROVE:
            self.action_approve()
        elif action == Action.REJECT:
            self.action_reject()
        elif action == Action.HOLD:
            self.action_hold()
        else:
            from order_tui.domain.lifecycle import action_label

            self.notify(
                t("palette.needs_form", self.lang, action=action_label(action, self.lang)),
                severity="warning",
            )

    # -- verdicts -------------------------------------------------------------------------

    def _verdict(self, kind: str, value: VerdictInput | None) -> None:
        if value is None or self.detail is None or self.actor is None:
            return
        from order_tui.services import execution, review

        db, actor, order_no = self.db, self.actor, self.order_no
        department, version = self.department, self.detail.version

        def call() -> object:
            if kind == "approve":
                return review.approve(
                    db,
                    actor,
                    order_no,
                    department=department,
                    comment=value.text,
                    expected_version=version,
                )
            if kind == "reject":
                return review.reject(
                    db,
                    actor,
                    order_no,
                    value.reason,
                    value.text,
                    department=department,
                    expected_version=version,
                )
            execution.raise_hold(db, actor, order_no, value.reason, value.text)
            return None

        self.busy = True
        self.message = ""
        self.set_status(t("review.saving", self.lang))
        self.refresh_bindings()
        run_write = getattr(self.app, "run_write", None)
        if callable(run_write):
            run_write(
                call,
                on_done=lambda result: self._done(kind, value, result),
                on_error=self._refused,
            )
        else:  # another app (a test harness): the same, without the waiting notice
            self._run(call, kind, value)

    @work(thread=True, group="review-write", exit_on_error=False)
    def _run(self, call: Any, kind: str, value: VerdictInput) -> None:
        try:
            result = call()
        except Exception as exc:
            self.app.call_from_thread(self._refused, exc)
        else:
            self.app.call_from_thread(self._done, kind, value, result)

    def _done(self, kind: str, value: VerdictInput, result: object) -> None:
        self.busy = False
        self.changed = True
        lang = self.lang
        dept = dept_name(self.department or "", lang)
        if kind == "approve":
            status = getattr(result, "status", "in_review")
            message = t(
                "review.approved",
                lang,
                order_no=self.order_no,
                dept=dept,
                status=status_label(Status(status), lang),
            )
        elif kind == "reject":
            message = t("review.rejected", lang, order_no=self.order_no, dept=dept)
        else:
            message = t(
                "review.held",
                lang,
                order_no=self.order_no,
                kind=label(HOLD_KINDS, value.reason, lang),
            )
        self.app.notify(message, timeout=6)
        self._result = kind
        if kind == "hold":  # the order stays in review: show it held, the verdict still open
            self.message = ""
            self.reload()
            return
        self._leave()

    def _conflict_message(self, who: str, when: str, before: OrderDetail | None, error: str) -> str:
        """What happened since this screen showed the order, from the reloaded order."""
        lang = self.lang
        after = self.detail
        what: list[str] = []
        if before is not None and after is not None:
            seen = {(v.get("round"), v.get("department")) for v in before.verdicts}
            for v in after.verdicts:
                if (v.get("round"), v.get("department")) not in seen:
                    what.append(
                        dept_name(str(v.get("department", "")), lang)
                        + " "
                        + verdict_word(str(v.get("verdict", "")), lang)
                    )
            if after.on_hold and not before.on_hold:
                what.append(t("review.on_hold", lang).strip("【】[]"))
            if after.status != before.status:
                what.append(status_label(Status(after.status), lang))
        if not what:
            what.append(error)
        joined = ("，" if lang == "zh" else ", ").join(what)
        if who:
            return t("review.conflict", lang, who=who, when=when, what=joined)
        return t("review.conflict_anon", lang, what=joined)

    def _leave(self) -> None:
        if not self.is_attached:
            return
        if self.is_current:
            self.dismiss(self._result)
        else:  # a help screen or dialog sits on top: leave when we are back on top
            self._leave_on_resume = True

    def on_screen_resume(self) -> None:
        if self._leave_on_resume:
            self._leave_on_resume = False
            self.call_later(self._leave)

    def _refused(self, exc: Exception) -> None:
        self.busy = False
        if not self.is_attached:
            return
        lang = self.lang
        if isinstance(exc, Conflict | InvalidTransition | GuardFailed):
            # Someone acted first (or the order changed): say who and what, once reloaded.
            self.changed = True
            who = when = ""
            if isinstance(exc, Conflict):
                who = exc.changed_by or ""
                when = local_time(exc.changed_at or "", self.db.timezone, "%m-%d %H:%M")
            self._conflict = (who, when, self.detail, i18n.error_text(exc, lang, self.db.timezone))
            self.message = self._conflict[3]
            self.set_status(self.message, error=True)
            self.app.bell()
            self.reload()
            return
        error = i18n.error_text(exc, lang, self.db.timezone)
        self.message = t("review.failed", lang, error=error)
        self.set_status(self.message, error=True)
        self.refresh_bindings()
