"""Every string the screens show, in Chinese and English: `t("key", lang, **fields)`.

Labels that belong to the business (statuses, actions, roles, terms) come from `domain/`;
this table holds only the UI's own words. Key descriptions are looked up by binding id
(`key.<id>`), so a `Binding` keeps its English description for the code and the table gives
the operator's language on screen (`localize_bindings`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.dom import DOMNode

LANGS = ("zh", "en")

STRINGS: dict[str, tuple[str, str]] = {
    # app and keys (by binding id)
    "app.title": ("订单管理", "Order desk"),
    "key.quit": ("退出", "Quit"),
    "key.help": ("帮助", "Help"),
    "key.home": ("首页", "Home"),
    "key.refresh": ("刷新", "Refresh"),
    "key.back": ("返回", "Back"),
    "key.help_quit": ("退出提示", "Quit hint"),
    "key.open": ("打开", "Open"),
    "key.next_field": ("下一项/登录", "Next / log in"),
    "key.close": ("关闭", "Close"),
    "key.focus_next": ("下一项", "Next field"),
    "key.focus_previous": ("上一项", "Previous field"),
    "key.scroll": ("滚动", "Scroll"),
    "key.move": ("上下移动", "Move up/down"),
    "key.page": ("翻页", "Page up/down"),
    "quit.hint": ("按 Ctrl+Q 退出", "Press Ctrl+Q to quit"),
    "key.palette": ("菜单", "Menu"),  # the command palette; F4 is 查找/Find (look up)
    "key.filter": ("筛选", "Filter"),
    "key.clear_filter": ("清除筛选", "Clear filter"),
    "key.palette_run": ("执行", "Run"),
    "key.palette_down": ("下一项", "Next"),
    "key.palette_up": ("上一项", "Previous"),
    "key.palette_page_down": ("下一页", "Page down"),
    "key.palette_page_up": ("上一页", "Page up"),
    "key.confirm_yes": ("确认", "Confirm"),
    "key.confirm_no": ("取消", "Cancel"),
    # status line (bottom row above the keys) and the wait notice of slow writes
    "status.nobody": ("未登录", "not logged in"),
    "status.db": ("数据库 {name}", "DB {name}"),
    "wait.save": ("等待其他操作员保存…", "Waiting for another operator's save…"),
    "wait.failed": ("操作失败：{error}", "Failed: {error}"),
    "error.busy": (
        "数据库忙：其他操作员正在保存，请稍后重试",
        "The database is busy with another operator's save: try again in a moment",
    ),
    # command palette (Ctrl+P)
    "palette.title": ("命令面板", "Command palette"),
    "palette.placeholder": (
        "订单号、客户名称或拼音首字母，或命令",
        "order number, customer name or initials, or a command",
    ),
    "palette.hint": (
        "上下键选择 · Enter 执行 · Esc 关闭",
        "Up/Down: choose · Enter: run · Esc: close",
    ),
    "palette.actions": ("订单 {order_no}：您可执行", "Order {order_no}: you may"),
    "palette.screens": ("界面与按键", "Screens and keys"),
    "palette.orders": ("订单", "Orders"),
    "palette.searching": ("正在查找订单…", "Searching orders…"),
    "palette.nothing": ("没有匹配项", "Nothing matches"),
    "palette.count": ("{count} 项", "{count} found"),
    "palette.confirm": ("{action}：订单 {order_no}？", "{action}: order {order_no}?"),
    "palette.confirm_hint": ("Enter 确认 · Esc 取消", "Enter: confirm · Esc: cancel"),
    "palette.done": ("订单 {order_no}：{action}完成", "{action}: done for order {order_no}"),
    "palette.needs_form": (
        "“{action}”需要填写内容，请在订单的办理界面操作",
        "{action} needs more input: use the order's own screen",
    ),
    # login
    "login.title": ("操作员登录", "Operator login"),
    "login.username": ("用户名", "Username"),
    "login.pin": ("PIN 码", "PIN"),
    "login.username_ph": ("例如 zhao", "e.g. zhao"),
    "login.pin_ph": ("4-12 位数字", "4 to 12 digits"),
    "login.hint": (
        "Enter 下一项/登录 · Tab 切换输入框",
        "Enter: next field / log in · Tab: switch field",
    ),
    "login.need_username": ("请输入用户名", "Enter your username"),
    "login.need_pin": ("请输入 PIN 码", "Enter your PIN"),
    "login.checking": ("正在验证…", "Checking…"),
    "login.demo": ("演示账号（PIN 均为 1234）", "Demo operators (PIN 1234 each)"),
    "login.failed": ("登录失败：{error}", "Login failed: {error}"),
    # home
    "home.title": ("我的待办", "My worklist"),
    "home.loading": ("正在加载待办…", "Loading the worklist…"),
    "home.col.flag": ("标记", "Flag"),
    "home.col.order": ("订单号", "Order no"),
    "home.col.customer": ("客户", "Customer"),
    "home.col.total": ("金额", "Total"),
    "home.col.wanted": ("交期", "Wanted"),
    "home.col.note": ("备注", "Note"),
    "home.hold": ("挂起", "HOLD"),
    "home.late": ("逾期", "LATE"),
    "home.hold_late": ("挂逾", "H+L"),
    "home.empty_queue": ("（无）", "(none)"),
    "home.nothing": ("没有等待您处理的订单。", "Nothing waits for you."),
    "home.no_queues": (
        "您的角色没有订单队列（管理员只管理操作员和设置）。",
        "Your roles have no order queues (the admin manages operators and settings).",
    ),
    "home.summary": (
        "共 {count} 单 · 挂起 {held} · 逾期 {late} · {time} 更新",
        "{count} orders · {held} on hold · {late} overdue · updated {time}",
    ),
    "home.error": ("加载失败：{error}", "Could not load: {error}"),
    "home.due": ("截止 {when}", "by {when}"),
    "home.filter": ("筛选", "Filter"),
    "home.filter_ph": (
        "订单号、客户、拼音首字母或金额 1000-5000",
        "order no, customer, initials or amount 1000-5000",
    ),
    "home.filtered": (
        "筛选：显示 {shown}/{count} 单 · Esc 清除",
        "Filter: {shown} of {count} shown · Esc clears",
    ),
    # order detail
    "detail.title": ("订单 {order_no}", "Order {order_no}"),
    "detail.loading": ("正在加载订单…", "Loading the order…"),
    "detail.error": ("无法打开订单 {order_no}：{error}", "Cannot open order {order_no}: {error}"),
    "detail.status": ("状态", "Status"),
    "detail.on_hold": ("【挂起】", "[ON HOLD]"),
    "detail.order_day": ("下单日", "Order date"),
    "detail.version": ("版本", "Version"),
    "detail.round": ("审核轮次", "Review round"),
    "detail.customer_head": ("客户信息", "Customer"),
    "detail.name": ("名称", "Name"),
    "detail.uscc": ("统一社会信用代码", "USCC"),
    "detail.contact": ("联系人", "Contact"),
    "detail.address": ("地址", "Address"),
    "detail.bank": ("开户行/账号", "Bank / account"),
    "detail.lines": ("明细（{count} 行）", "Lines ({count})"),
    "detail.col.no": ("#", "#"),
    "detail.col.product": ("产品 / 规格", "Product / spec"),
    "detail.col.qty": ("数量", "Qty"),
    "detail.col.price": ("单价", "Price"),
    "detail.col.tax": ("税率", "Tax"),
    "detail.col.gross": ("价税合计", "Gross"),
    "detail.mto": ("定制", "MTO"),
    "tax.exempt": ("免税", "exempt"),
    "detail.totals": ("金额", "Amounts"),
    "detail.net": ("不含税", "Net"),
    "detail.tax": ("税额", "Tax"),
    "detail.freight": ("运费", "Freight"),
    "detail.discount": ("折扣", "Discount"),
    "detail.total": ("合计", "Total"),
    "detail.words": ("大写", "In words"),
    "detail.price_incl": ("单价含税", "prices include tax"),
    "detail.price_excl": ("单价不含税", "prices exclude tax"),
    "detail.terms": ("条款", "Terms"),
    "detail.payment": ("付款方式", "Payment"),
    "detail.invoice": ("发票", "Invoice"),
    "detail.wanted": ("要求交期", "Wanted by"),
    "detail.due": ("应收日期", "Payment due"),
    "detail.remarks": ("备注", "Remarks"),
    "detail.holds": ("挂起（{count}）", "Holds ({count})"),
    "detail.hold_owner": ("（负责人 {owner}）", "(owner {owner})"),
    "detail.verdicts": ("审核意见", "Review verdicts"),
    "detail.no_verdicts": ("（尚无）", "(none yet)"),
    "detail.round_no": ("第 {round} 轮", "round {round}"),
    "detail.attachments": ("附件（{count}）", "Attachments ({count})"),
    "detail.actions": ("您可执行", "You may"),
    "detail.held_suffix": ("（挂起中）", " (on hold)"),
    "detail.no_actions": ("（本状态下无）", "(nothing in this status)"),
    "detail.none": ("—", "-"),
    # verdicts and departments
    "verdict.approve": ("批准", "approved"),
    "verdict.reject": ("驳回", "rejected"),
    "dept.sales": ("销售", "Sales"),
    "dept.finance": ("财务", "Finance"),
    "dept.warehouse": ("仓库", "Warehouse"),
    "dept.production": ("生产", "Production"),
    # help
    "help.title": ("帮助", "Help"),
    "help.keys": ("本屏按键", "Keys on this screen"),
    "help.lifecycle": ("我的角色可执行的订单操作", "Order actions for my roles"),
    "help.login_first": (
        "登录后显示您角色可执行的操作。",
        "Log in to see the actions of your roles.",
    ),
    "help.col.action": ("操作", "Action"),
    "help.col.from": ("适用状态", "From"),
    "help.col.to": ("结果状态", "To"),
    "help.col.roles": ("角色", "Roles"),
    "help.same": ("（不变）", "(unchanged)"),
    "help.marks": (
        "标记：挂起＝订单被挂起；逾期＝已过要求交期；挂逾＝两者皆是。",
        "Flags: HOLD = order on hold; LATE = past the wanted date; H+L = both.",
    ),
    "help.close": ("Esc / F1 关闭", "Esc / F1 to close"),
    "help.filter": (
        "筛选 /：订单号、客户名、拼音首字母（hxjm）或金额范围 1000-5000；Esc 清除",
        "/ filter: order no, customer, initials (hxjm), amount 1000-5000; Esc clears",
    ),
}


def register(strings: dict[str, tuple[str, str]]) -> None:
    """Add a screen's own strings to the catalog (each screen module calls this at import).

    Keys are namespaced by screen ("intake.", "entry.", ...); a clash is a bug, not an override.
    """
    clash = sorted(k for k in strings if k in STRINGS and STRINGS[k] != strings[k])
    if clash:
        raise ValueError(f"i18n keys defined twice: {', '.join(clash)}")
    empty = sorted(k for k, (zh, en) in strings.items() if not zh or not en)
    if empty:
        raise ValueError(f"i18n keys without both languages: {', '.join(empty)}")
    STRINGS.update(strings)


def t(key: str, lang: str, **fields: object) -> str:
    """The UI string `key` in `lang` ("zh" or "en"), formatted with `fields`."""
    zh, en = STRINGS[key]
    text = zh if lang == "zh" else en
    return text.format(**fields) if fields else text


def pick(pair: tuple[str, str], lang: str) -> str:
    """One side of a (zh, en) label pair from the domain."""
    return pair[0] if lang == "zh" else pair[1]


def localize_bindings(node: DOMNode, lang: str) -> None:
    """Give `node`'s bindings descriptions in `lang`, looked up by binding id.

    Textual keeps the merged class bindings per instance in `_bindings`; replacing each
    `Binding` by a copy with another description keeps ids (keymaps) and keys intact.
    """
    from textual.binding import BindingsMap

    keys = {
        key: [
            replace(b, description=t(f"key.{b.id}", lang))
            if b.id and f"key.{b.id}" in STRINGS
            else b
            for b in bindings
        ]
        for key, bindings in node._bindings.key_to_bindings.items()
    }
    node._bindings = BindingsMap.from_keys(keys)


def error_text(error: BaseException, lang: str, timezone: str | None = None) -> str:
    """One line for an error in the operator's language.

    A coded error (every refusal of the rules) is its catalog text, with the time of a
    competing change in the business time zone when `timezone` is given. Anything else: a
    busy SQLite database in words, else the first line of the message (the driver's SQL and
    links are for the log, not the operator).
    """
    from order_tui.domain import messages

    code = getattr(error, "code", None)
    if code and code in messages.MESSAGES:
        params = dict(getattr(error, "params", None) or {})
        if timezone and isinstance(params.get("when"), str):
            from order_tui.screens.fmt import local_time

            params["when"] = local_time(str(params["when"]), timezone, "%m-%d %H:%M")
        line = messages.text(code, lang, params)
        # The catalog's English is written to follow "error: " on the command line.
        return line if lang == "zh" else line[:1].upper() + line[1:]
    message = str(error)
    if "database is locked" in message or "database is busy" in message:
        return t("error.busy", lang)
    first = message.strip().splitlines()[0] if message.strip() else type(error).__name__
    return first.removeprefix("(sqlite3.OperationalError) ")
