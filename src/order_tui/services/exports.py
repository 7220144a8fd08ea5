"""Any list out to CSV or XLSX, with Chinese text intact in Excel.

The contract (for every list screen, the command line and scheduled jobs)
-------------------------------------------------------------------------
An `ExportTable` is a title, the column labels (in the operator's language) and the rows as
plain values: `str`, `int`, `Decimal`, `date`, `datetime`, `bool` or `None`. `rows` is any
iterable and is consumed once, lazily: a list source is a generator that walks the SAME
service query the screen shows, page by page by key (`pages` below), so a 100k-row list
never sits in memory at once. `export_table(table, path)` writes it and returns the path; the
format follows the suffix (`.csv` or `.xlsx`).

    def my_table(db, lang) -> ExportTable:
        rows = (
            (r.code, r.name, r.amount)
            for r in pages(lambda after: my_service.page(db, after=after, limit=PAGE),
                           lambda r: r.code)
        )
        return ExportTable(pick(("标题", "Title"), lang), ["编码", "名称", "金额"], rows)

A screen plugs in with a few lines (see `screens/export_dialog.py`, `ExportKey`): derive from
`PagedListScreen` / `MdListScreen` (F8 comes with them), or mix in `ExportKey` and implement
`export_table()`; the key asks for the path, writes in a thread worker and says where.

How values come out
-------------------
- CSV: UTF-8 with a byte-order mark (Excel on Chinese Windows reads a CSV without one as GBK
  and garbles every name), RFC 4180 quoting (commas, quotes, line breaks in a cell), CRLF.
  Decimals as written (no thousands separator), dates ISO.
- XLSX (openpyxl write-only mode: rows stream to the file): money (a Decimal with exactly two
  places) as a number shown `#,##0.00`, other numbers as numbers, dates as real dates, the
  header row bold and frozen.
- Formula injection: a text cell that starts with = + - @ (or a tab / carriage return) would
  run as a formula when the file is opened. CSV gets a leading apostrophe; XLSX stores it as
  text with Excel's quote prefix, so the value reads as typed.
"""

from __future__ import annotations

import csv
import os
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from order_tui.domain import messages
from order_tui.domain.errors import ValidationError
from order_tui.services.common import Actor, now_utc, require_read

if TYPE_CHECKING:
    from order_tui.services.common import Actor
    from order_tui.store.engine import Database

messages.register(
    {
        "export.format": (
            "不支持的文件类型 {suffix}：请用 .xlsx 或 .csv",
            "unsupported file type {suffix}: use .xlsx or .csv",
        ),
        "export.write_failed": ("无法写入 {path}：{error}", "cannot write {path}: {error}"),
        "export.unknown_list": (
            "没有名为 {name} 的清单（可用：{names}）",
            "no list named {name} (one of: {names})",
        ),
    }
)

PAGE = 500  # rows per keyset page while exporting: few round trips, little memory
FORMATS = (".csv", ".xlsx")
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

T = TypeVar("T")
Value = str | int | Decimal | date | datetime | bool | None


@dataclass
class ExportTable:
    title: str
    columns: Sequence[str]
    rows: Iterable[Sequence[Any]]


def pages(fetch: Callable[[Any], Sequence[T]], cursor: Callable[[T], Any]) -> Iterator[T]:
    """Every item of a keyset-paged query: `fetch(None)`, then `fetch(cursor(last item))`
    until a page comes back empty. Only one page is held at a time."""
    after: Any = None
    while True:
        page = fetch(after)
        if not page:
            return
        yield from page
        after = cursor(page[-1])


def defuse(text: str) -> str:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(DANGEROUS) else text


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, int | float):
        return str(value)
    return defuse(str(value))


def _sheet_title(title: str) -> str:
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in title).strip() or "Sheet1"
    return cleaned[:31]


def _width(text: object) -> int:
    """Columns a label takes in a spreadsheet: a Chinese character is about two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(text))


def _write_csv(table: ExportTable, target: str, progress: Callable[[int], None] | None) -> int:
    count = 0
    with open(target, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow([defuse(str(c)) for c in table.columns])
        for row in table.rows:
            writer.writerow([_csv_cell(v) for v in row])
            count += 1
            if progress is not None and count % 1000 == 0:
                progress(count)
    return count


def _write_xlsx(table: ExportTable, target: str, progress: Callable[[int], None] | None) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(table.title))
    sheet.freeze_panes = "A2"
    # Widths must be set before the first row in write-only mode: from the labels, at least
    # wide enough for a date or an order number.
    for index, label in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, _width(label) + 2)
    bold = Font(bold=True)
    header = []
    for label in table.columns:
        cell = WriteOnlyCell(sheet, value=str(label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)

    def cell_of(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool | int | float):
            return value
        if isinstance(value, Decimal):
            cell = WriteOnlyCell(sheet, value=value)
            if value.as_tuple().exponent == -2:
                cell.number_format = MONEY_FORMAT
            return cell
        if isinstance(value, datetime):
            cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
            cell.number_format = DATETIME_FORMAT
            return cell
        if isinstance(value, date):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = DATE_FORMAT
            return cell
        text = str(value)
        if text.startswith(DANGEROUS):
            cell = WriteOnlyCell(sheet, value=None)
            cell.value = text
            cell.data_type = "s"  # text, never a formula
            cell.quotePrefix = True  # Excel's own "typed with a leading apostrophe"
            return cell
        return text

    count = 0
    for row in table.rows:
        sheet.append([cell_of(v) for v in row])
        count += 1
        if progress is not None and count % 1000 == 0:
            progress(count)
    book.save(target)
    return count


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int


def export_table(
    table: ExportTable, path: Path | str, progress: Callable[[int], None] | None = None
) -> Path:
    """Write `table` to `path` (.csv or .xlsx by its suffix) and return the path.

    The file appears whole or not at all (written beside it, then renamed). `progress` is
    called with the row count every 1000 rows (from the calling thread)."""
    return export(table, path, progress).path


def export(
    table: ExportTable, path: Path | str, progress: Callable[[int], None] | None = None
) -> ExportResult:
    """`export_table`, also saying how many rows were written."""
    target = Path(path).expanduser()
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise ValidationError(code="export.format", field="path", suffix=suffix or "-")
    write = _write_csv if suffix == ".csv" else _write_xlsx
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=suffix + ".tmp")
        os.close(fd)
        try:
            count = write(table, tmp, progress)
            os.replace(tmp, target)  # a reader never sees half a file
        finally:
            Path(tmp).unlink(missing_ok=True)
    except OSError as exc:
        raise ValidationError(
            code="export.write_failed", field="path", path=str(target), error=exc.strerror or exc
        ) from None
    return ExportResult(target, count)


def exports_dir(db: Database) -> Path:
    return db.data_dir / "exports"


def default_path(db: Database, name: str, suffix: str = ".xlsx") -> Path:
    """`<data dir>/exports/<name>-<YYYYMMDD-HHMM>.xlsx`, local time of the business."""
    stamp = now_utc().astimezone(ZoneInfo(db.timezone)).strftime("%Y%m%d-%H%M")
    return exports_dir(db) / f"{name}-{stamp}{suffix}"


# -- the lists the command line exports (the screens use the same queries) -------------------


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def _labels(pairs: Sequence[tuple[str, str]], lang: str) -> list[str]:
    return [_pick(p, lang) for p in pairs]


ORDER_COLUMNS = (
    ("订单号", "Order no."),
    ("下单日期", "Order date"),
    ("状态", "Status"),
    ("客户", "Customer"),
    ("金额", "Total"),
    ("要求交期", "Wanted by"),
    ("挂起", "On hold"),
)
YES_NO = (("是", "yes"), ("否", "no"))


def _yes(flag: bool, lang: str) -> str:
    return _pick(YES_NO[0] if flag else YES_NO[1], lang)


def orders_table(
    db: Database, actor: Actor, lang: str, statuses: Sequence[str] | None = None
) -> ExportTable:
    """All orders (optionally of some statuses), newest first."""
    require_read(actor, "orders")
    from order_tui.domain.lifecycle import Status, status_label
    from order_tui.services import orders

    wanted = list(statuses) if statuses else None

    def fetch(after: Any) -> Sequence[Any]:
        return orders.list_orders(db, actor, statuses=wanted, after=after, limit=PAGE)

    rows = (
        (
            o.order_no,
            o.order_day,
            status_label(Status(o.status), lang),
            o.customer,
            o.total,
            o.wanted_date,
            _yes(o.on_hold, lang),
        )
        # The order number ends in the day's serial: the key after (day, serial).
        for o in pages(fetch, lambda o: (o.order_day, int(o.order_no[10:])))
    )
    return ExportTable(_pick(("订单", "Orders"), lang), _labels(ORDER_COLUMNS, lang), rows)


CUSTOMER_COLUMNS = (
    ("客户编码", "Code"),
    ("名称", "Legal name"),
    ("统一社会信用代码", "USCC"),
    ("信用额度", "Credit limit"),
)


def customers_table(db: Database, actor: Actor, lang: str) -> ExportTable:
    require_read(actor, "master_data")
    from order_tui.services import masterdata

    def fetch(after: Any) -> Sequence[Any]:
        return masterdata.customers_page(db, actor, after, PAGE)

    rows = (tuple(c) for c in pages(fetch, lambda c: c[0]))
    return ExportTable(_pick(("客户", "Customers"), lang), _labels(CUSTOMER_COLUMNS, lang), rows)


PRODUCT_COLUMNS = (
    ("产品编码", "Code"),
    ("名称", "Name"),
    ("规格", "Spec"),
    ("单位", "Unit"),
    ("标准价", "List price"),
    ("最低价", "Floor price"),
    ("最高价", "Ceiling price"),
    ("税率代码", "Tax code"),
    ("订制", "Made to order"),
    ("交货周期（天）", "Lead time (days)"),
    ("库存商品", "Stocked"),
)


def products_table(db: Database, actor: Actor, lang: str) -> ExportTable:
    require_read(actor, "master_data")
    from order_tui.services import masterdata

    def fetch(after: Any) -> Sequence[Any]:
        return masterdata.products_page(db, actor, after, PAGE)

    rows = (
        (
            p.code,
            p.name,
            p.spec,
            p.unit,
            p.list_price,
            p.floor_price,
            p.ceiling_price,
            p.tax_code,
            _yes(p.made_to_order, lang),
            p.lead_time_days,
            _yes(p.stocked, lang),
        )
        for p in pages(fetch, lambda p: p.code)
    )
    return ExportTable(_pick(("产品", "Products"), lang), _labels(PRODUCT_COLUMNS, lang), rows)


STOCK_COLUMNS = (
    ("产品编码", "Code"),
    ("名称", "Name"),
    ("规格", "Spec"),
    ("单位", "Unit"),
    ("在库", "On hand"),
    ("已锁定", "Locked"),
    ("可用", "Available"),
    ("在途", "Incoming"),
    ("预计到货", "Incoming date"),
    ("库位", "Location"),
)


def stock_table(db: Database, actor: Actor, lang: str) -> ExportTable:
    require_read(actor, "master_data")
    from order_tui.services import masterdata

    def fetch(after: Any) -> Sequence[Any]:
        return masterdata.stock_page(db, actor, after, PAGE)

    rows = (
        (
            s.code,
            s.name,
            s.spec,
            s.unit,
            s.on_hand,
            s.locked,
            s.available,
            s.incoming,
            s.incoming_date,
            s.location,
        )
        for s in pages(fetch, lambda s: s.code)
    )
    return ExportTable(_pick(("库存", "Stock"), lang), _labels(STOCK_COLUMNS, lang), rows)


INBOX_COLUMNS = (
    ("订单号", "Order no."),
    ("部门", "Department"),
    ("客户", "Customer"),
    ("金额", "Total"),
    ("要求交期", "Wanted by"),
    ("轮次", "Round"),
    ("提交时间", "Submitted"),
    ("提示", "Flags"),
    ("挂起", "On hold"),
)


def inbox_table(
    db: Database,
    actor: Actor,
    lang: str,
    department: str | None = None,
    *,
    sort: str = "age",
    descending: bool = False,
    text: str = "",
    amount_min: Decimal | None = None,
    amount_max: Decimal | None = None,
) -> ExportTable:
    """The approval inbox as the operator's departments see it (the screen's filters)."""
    from order_tui.domain.roles import DEPARTMENT_LABELS, Department
    from order_tui.services import inbox

    def fetch(after: Any) -> Sequence[Any]:
        return inbox.page(
            db,
            actor,
            department,
            sort=sort,
            descending=descending,
            after=after,
            text=text,
            amount_min=amount_min,
            amount_max=amount_max,
            limit=PAGE,
        )

    def local(moment: datetime) -> datetime:
        aware = moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))
        return aware.astimezone(ZoneInfo(db.timezone)).replace(tzinfo=None)

    rows = (
        (
            r.order_no,
            _pick(DEPARTMENT_LABELS[Department(r.department)], lang),
            r.customer,
            r.total,
            r.wanted_date,
            r.round_no,
            local(r.submitted_at),
            " ".join(r.flags),
            _yes(r.on_hold, lang),
        )
        for r in pages(fetch, lambda r: r.cursor)
    )
    return ExportTable(_pick(("审批", "Approvals"), lang), _labels(INBOX_COLUMNS, lang), rows)


WORKLIST_COLUMNS = (
    ("队列", "Queue"),
    ("订单号", "Order no."),
    ("下单日期", "Order date"),
    ("客户", "Customer"),
    ("金额", "Total"),
    ("状态", "Status"),
    ("要求交期", "Wanted by"),
    ("挂起", "On hold"),
    ("逾期", "Overdue"),
    ("说明", "Note"),
)


def worklist_table(
    db: Database,
    actor: Actor,
    lang: str,
    notes: Callable[[Any], str] | None = None,
    keep: Callable[[Any], bool] | None = None,
    per_queue: int = 10_000,
) -> ExportTable:
    """The home worklist, queue by queue. Its queues are short by nature (what waits for
    one operator now) and the service reads each in one query of at most `per_queue` rows;
    `notes` turns an item into its note in the operator's language (the screen's), `keep`
    says which items the screen's filter lets through."""
    from order_tui.domain.lifecycle import Status, status_label
    from order_tui.services import worklist

    def rows() -> Iterator[tuple[Any, ...]]:
        for queue in worklist.worklist(db, actor, per_queue=per_queue):
            label = _pick(queue.label, lang)
            for item in queue.items:
                if keep is not None and not keep(item):
                    continue
                yield (
                    label,
                    item.order_no,
                    item.order_day,
                    item.customer,
                    Decimal(item.total),
                    status_label(Status(item.status), lang),
                    item.wanted_date,
                    _yes(item.on_hold, lang),
                    _yes(item.overdue, lang),
                    notes(item) if notes else item.note,
                )

    return ExportTable(
        _pick(("我的待办", "My worklist"), lang), _labels(WORKLIST_COLUMNS, lang), rows()
    )


LISTS = ("orders", "customers", "products", "stock", "inbox", "worklist")


def list_table(
    db: Database,
    actor: Actor,
    name: str,
    lang: str,
    *,
    statuses: Sequence[str] | None = None,
    department: str | None = None,
) -> ExportTable:
    """One of `LISTS` by name (the command line's `export LIST`)."""
    if name == "orders":
        return orders_table(db, actor, lang, statuses)
    if name == "customers":
        return customers_table(db, actor, lang)
    if name == "products":
        return products_table(db, actor, lang)
    if name == "stock":
        return stock_table(db, actor, lang)
    if name in ("inbox", "worklist"):
        if name == "inbox":
            return inbox_table(db, actor, lang, department)
        return worklist_table(db, actor, lang)
    raise ValidationError(
        code="export.unknown_list", field="list", name=name, names=", ".join(LISTS)
    )
