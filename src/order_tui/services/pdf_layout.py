"""How the documents look: ReportLab platypus with the built-in CID font STSong-Light.

Kept apart from `documents` so that reading what may be printed (and the paths) costs no
ReportLab import; only drawing a PDF does.
"""

from decimal import Decimal
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from order_tui.domain.lifecycle import Status, status_label
from order_tui.domain.money import tax_rate
from order_tui.services.documents import FONT, KINDS, DocData, DocLine, SalesOrderData

_FONT_READY = False


def _font() -> str:
    global _FONT_READY
    if not _FONT_READY:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _FONT_READY = True
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=12.5, wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle("title", base, fontSize=18, leading=24, spaceAfter=2),
        "small": ParagraphStyle("small", base, fontSize=8, leading=10, textColor=colors.grey),
        # Labels wrap between words only: "Order date" must not break inside "Order".
        "head": ParagraphStyle("head", base, fontSize=8.5, leading=11, wordWrap=None),
        "box": ParagraphStyle("box", base, fontSize=11, leading=15),
    }


def _esc(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _q(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(_esc(text), style)


def _label(zh: str, en: str) -> str:
    return f"{zh} {en}"


def _head(zh: str, en: str) -> Paragraph:
    """A column or field label: Chinese above English."""
    return Paragraph(f"{_esc(zh)}<br/>{_esc(en)}", _styles()["head"])


def _header(data: DocData, kind: str, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    zh, en = KINDS[kind]
    title = _p(f"{zh}  {en.upper()}", st["title"])
    rows = [
        (
            _head("订单号", "Order no."),
            data.order_no,
            _head("下单日期", "Order date"),
            data.order_day.isoformat(),
        ),
        (
            _head("客户", "Customer"),
            data.customer,
            _head("要求交期", "Wanted by"),
            data.wanted_date.isoformat() if data.wanted_date else "-",
        ),
        (
            _head("收货地址", "Delivery address"),
            data.address or "-",
            _head("收货人", "Receiver"),
            data.contact or "-",
        ),
    ]
    table = Table(
        [[a, _p(b, st["box"]), c, _p(d, st["base"])] for a, b, c, d in rows],
        colWidths=[26 * mm, 80 * mm, 24 * mm, 50 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TEXTCOLOR", (0, 0), (0, -1), colors.grey),
                ("TEXTCOLOR", (2, 0), (2, -1), colors.grey),
                ("LINEBELOW", (0, -1), (-1, -1), 0.6, colors.black),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    printed = _p(f"{_label('打印', 'Printed')}: {data.printed}", st["small"])
    return [title, printed, Spacer(0, 3 * mm), table, Spacer(0, 4 * mm)]


def _grid(head: list[Any], rows: list[list[Any]], widths: list[float], numeric: set[int]) -> Table:
    st = _styles()
    body = [[h if isinstance(h, Flowable) else _p(h, st["head"]) for h in head]]
    for row in rows:
        # Numbers stay plain strings so that the column's ALIGN right applies to them.
        body.append(
            [
                c if isinstance(c, Flowable) else str(c) if i in numeric else _p(c, st["base"])
                for i, c in enumerate(row)
            ]
        )
    table = Table(body, colWidths=widths, repeatRows=1)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("FONT", (0, 1), (-1, -1), FONT, 9.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 1), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 4),
    ]
    style += [("ALIGN", (i, 1), (i, -1), "RIGHT") for i in numeric]
    table.setStyle(TableStyle(style))
    return table


def _product(line: DocLine) -> str:
    return f"{line.name}  {line.spec}".strip()


def _pick_list(data: DocData, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    rows = []
    for ln in data.lines:
        where = ln.location or "-"
        if not ln.stocked:
            where = _label("非库存", "not stocked")
        rows.append(
            [
                ln.line_no,
                ln.product_code,
                _product(ln),
                ln.unit,
                _q(ln.qty),
                _q(ln.picked),
                where,
                "",
            ]
        )
    head = [
        "#",
        _head("编码", "Code"),
        _head("名称/规格", "Name / spec"),
        _head("单位", "Unit"),
        _head("订购", "Ordered"),
        _head("已拣", "Picked"),
        _head("库位", "Location"),
        _head("实拣", "Checked"),
    ]
    widths = [8 * mm, 18 * mm, 62 * mm, 13 * mm, 17 * mm, 17 * mm, 25 * mm, 20 * mm]
    out: list[Flowable] = [_grid(head, rows, widths, {0, 4, 5})]
    out.append(Spacer(0, 6 * mm))
    out.append(_signatures([_head("拣货人", "Picked by"), _head("复核", "Checked by")], st))
    return out


def _packing_slip(data: DocData, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    rows = [
        [ln.line_no, ln.product_code, _product(ln), ln.unit, _q(ln.picked)] for ln in data.lines
    ]
    head = [
        "#",
        _head("编码", "Code"),
        _head("名称/规格", "Name / spec"),
        _head("单位", "Unit"),
        _head("装箱数量", "Packed qty"),
    ]
    widths = [8 * mm, 22 * mm, 100 * mm, 20 * mm, 30 * mm]
    out: list[Flowable] = [_grid(head, rows, widths, {0, 4}), Spacer(0, 5 * mm)]
    if data.packages:
        total_count = sum(c for c, _, _ in data.packages)
        total_weight = sum((w for _, w, _ in data.packages), Decimal(0))
        pack_rows = [[c, _q(w), n or "-"] for c, w, n in data.packages]
        pack_rows.append([total_count, _q(total_weight), _label("合计", "Total")])
        out.append(
            _grid(
                [
                    _head("件数", "Packages"),
                    _head("重量", "Weight kg"),
                    _head("备注", "Notes"),
                ],
                pack_rows,
                [30 * mm, 30 * mm, 120 * mm],
                {0, 1},
            )
        )
    else:
        out.append(_p(_label("尚未记录包装件数与重量", "Packages not recorded yet"), st["small"]))
    out.append(Spacer(0, 6 * mm))
    out.append(_signatures([_head("装箱人", "Packed by"), _head("复核", "Checked by")], st))
    return out


def _receipt(data: DocData, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    rows = [
        [
            ln.line_no,
            ln.product_code,
            _product(ln),
            ln.unit,
            _q(ln.qty),
            _q(ln.shipped) if ln.shipped else "-",
            "",
        ]
        for ln in data.lines
    ]
    head = [
        "#",
        _head("编码", "Code"),
        _head("名称/规格", "Name / spec"),
        _head("单位", "Unit"),
        _head("订购", "Ordered"),
        _head("发货", "Shipped"),
        _head("实收", "Received"),
    ]
    widths = [8 * mm, 18 * mm, 76 * mm, 13 * mm, 20 * mm, 20 * mm, 25 * mm]
    out: list[Flowable] = [_grid(head, rows, widths, {0, 4, 5}), Spacer(0, 5 * mm)]
    checks = "    ".join(
        f"□ {_label(zh, en)}"
        for zh, en in (
            ("数量相符", "quantity OK"),
            ("外观完好", "appearance OK"),
            ("包装完好", "packaging OK"),
        )
    )
    out.append(_p(_label("验收", "Checks") + ":  " + checks, st["base"]))
    out.append(Spacer(0, 2 * mm))
    out.append(_p(_label("异常说明", "Discrepancies") + ":", st["base"]))
    out.append(Spacer(0, 12 * mm))
    out.append(
        _signatures(
            [_head("收货人签字", "Receiver's signature"), _head("签收日期", "Date")],
            st,
            tall=True,
        )
    )
    out.append(Spacer(0, 2 * mm))
    out.append(
        _p(
            "请核对数量、外观和包装后签字并注明日期；如有异常请在上方说明。"
            " Please check quantity, appearance and packaging, then sign and date;"
            " note any discrepancy above.",
            st["small"],
        )
    )
    return out


def _signatures(
    labels: list[Paragraph], st: dict[str, ParagraphStyle], tall: bool = False
) -> Table:
    """Boxes to sign in: a label above an empty box each."""
    height = 22 * mm if tall else 12 * mm
    width = 180 * mm / len(labels)
    table = Table(
        [labels, ["" for _ in labels]],
        colWidths=[width] * len(labels),
        rowHeights=[None, height],
    )
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
                ("INNERGRID", (0, 0), (-1, -1), 0.4, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f2f2")),
            ]
        )
    )
    return table


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _price(value: Decimal) -> str:
    """A unit price: two places, more only when it has them (0.125 stays 0.125)."""
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) else 2
    return f"{value:,.{max(places, 2)}f}"


def _rate(code: str) -> str:
    if code == "exempt":
        return "免税"
    try:
        return f"{(tax_rate(code) * 100).normalize():f}%"
    except ValueError:
        return code


def _day(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else "-"


def _fields(rows: list[tuple[Paragraph, str, Paragraph, str]], widths: list[float]) -> Table:
    """Label / value pairs, two to a line, in a light grid."""
    st = _styles()
    table = Table(
        [[a, _p(b or "-", st["base"]), c, _p(d or "-", st["base"])] for a, b, c, d in rows],
        colWidths=widths,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
                ("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#f2f2f2")),
            ]
        )
    )
    return table


def _sales_order(data: SalesOrderData, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    """The seed's information sheet: order, customer, lines, charges, totals, terms, dates,
    remarks and both parties' signatures."""
    zh, en = KINDS["sales_order"]
    status = Status(data.status)
    out: list[Flowable] = [
        _p(f"{zh}  {en.upper()}", st["title"]),
        _p(f"{_label('打印', 'Printed')}: {data.printed}", st["small"]),
        Spacer(0, 3 * mm),
    ]
    widths = [31 * mm, 59 * mm, 31 * mm, 59 * mm]
    out.append(
        _fields(
            [
                (
                    _head("订单号", "Order no."),
                    data.order_no,
                    _head("下单日期", "Order date"),
                    data.order_day.isoformat(),
                ),
                (
                    _head("订单状态", "Status"),
                    f"{status_label(status, 'zh')} {status_label(status, 'en')}",
                    _head("要求交期", "Wanted by"),
                    _day(data.wanted_date),
                ),
            ],
            widths,
        )
    )
    out.append(Spacer(0, 3 * mm))
    out.append(_p(_label("客户信息", "Customer"), st["box"]))
    out.append(
        _fields(
            [
                (
                    _head("客户名称", "Legal name"),
                    data.customer,
                    _head("统一社会信用代码", "USCC"),
                    data.uscc,
                ),
                (_head("开户银行", "Bank"), data.bank, _head("银行账号", "Account"), data.account),
                (
                    _head("收货地址", "Delivery address"),
                    data.address,
                    _head("联系人", "Contact"),
                    data.contact,
                ),
                (
                    _head("联系电话", "Phone"),
                    data.phone,
                    _head("发票类型", "Invoice type"),
                    f"{data.invoice_type[0]} {data.invoice_type[1]}",
                ),
                (
                    _head("开票地址", "Invoice address"),
                    data.invoice_address,
                    _head("开票电话", "Invoice phone"),
                    data.invoice_phone,
                ),
            ],
            widths,
        )
    )
    out.append(Spacer(0, 3 * mm))
    price_head = (
        ("含税单价", "Unit price incl. tax")
        if data.price_includes_tax
        else (
            "不含税单价",
            "Unit price excl. tax",
        )
    )
    rows = [
        [
            ln.line_no,
            ln.product_code,
            _product_of(ln.name, ln.spec),
            ln.unit,
            _q(ln.qty),
            _price(ln.unit_price),
            _rate(ln.tax_code),
            _money(ln.gross),
        ]
        for ln in data.lines
    ]
    head = [
        "#",
        _head("编码", "Code"),
        _head("名称/规格", "Name / spec"),
        _head("单位", "Unit"),
        _head("数量", "Qty"),
        _head(*price_head),
        _head("税率", "Tax"),
        _head("金额（含税）", "Amount incl. tax"),
    ]
    widths = [8 * mm, 18 * mm, 58 * mm, 12 * mm, 16 * mm, 25 * mm, 14 * mm, 29 * mm]
    out.append(_grid(head, rows, widths, {0, 4, 5, 6, 7}))
    out.append(Spacer(0, 3 * mm))
    sums = [
        (_head("不含税金额", "Net"), _money(data.net_total)),
        (_head("税额", "Tax"), _money(data.tax_total)),
        (_head("货款合计", "Goods total"), _money(data.goods_total)),
        (_head("运费", "Freight"), _money(data.freight)),
        (_head("折扣", "Discount"), "-" + _money(data.discount) if data.discount else _money(0)),
        (_head("订单总金额", "Order total"), _money(data.total)),
    ]
    charges = Table(
        [[a, b] for a, b in sums],
        colWidths=[32 * mm, 32 * mm],
        hAlign="RIGHT",
    )
    charges.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("FONT", (1, 0), (1, -1), FONT, 9.5),
                ("FONT", (1, -1), (1, -1), FONT, 11),
                ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#e8e8e8")),
            ]
        )
    )
    out.append(charges)
    out.append(Spacer(0, 2 * mm))
    out.append(
        _fields(
            [
                (
                    _head("总金额（大写）", "Total in words"),
                    data.total_words,
                    _head("总金额（小写）", "Total in figures"),
                    "¥" + _money(data.total),
                ),
                (
                    _head("付款条件", "Payment terms"),
                    f"{data.terms[0]} / {data.terms[1]}",
                    _head("付款到期日", "Payment due"),
                    _day(data.payment_due_date),
                ),
            ],
            [31 * mm, 69 * mm, 31 * mm, 49 * mm],
        )
    )
    out.append(Spacer(0, 2 * mm))
    out.append(_p(f"{_label('备注', 'Remarks')}: {data.remarks or '-'}", st["base"]))
    out.append(Spacer(0, 6 * mm))
    out.append(
        _signatures(
            [
                _head("买方（客户）签字盖章 / 日期", "Buyer: signature, stamp and date"),
                _head("卖方签字盖章 / 日期", "Seller: signature, stamp and date"),
            ],
            st,
            tall=True,
        )
    )
    out.append(Spacer(0, 2 * mm))
    out.append(
        _p(
            "请核对以上客户信息、品名规格、数量、价格、付款条件与交期，确认无误后签字盖章回传。"
            " Please check the customer data, items, quantities, prices, payment terms and"
            " dates above, then sign, stamp and return this sheet.",
            st["small"],
        )
    )
    return out


def _product_of(name: str, spec: str) -> str:
    return f"{name}  {spec}".strip()


def render(data: DocData | SalesOrderData, kind: str, target: str, author: str) -> None:
    """Draw the document of `kind` for `data` into the file `target`."""
    st = _styles()
    if isinstance(data, SalesOrderData):
        story = _sales_order(data, st)
    else:
        story = _header(data, kind, st)
        body = {"pick_list": _pick_list, "packing_slip": _packing_slip, "receipt": _receipt}[kind]
        story += body(data, st)
    zh, en = KINDS[kind]

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawString(15 * mm, 9 * mm, f"{data.order_no}  {zh} {en}")
        canvas.drawRightString(A4[0] - 15 * mm, 9 * mm, f"第 {doc.page} 页  page {doc.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        target,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=f"{zh} {en} {data.order_no}",
        author=author,
        subject=data.customer,
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
