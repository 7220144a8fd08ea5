"""Customers, products and stock levels from a CSV or XLSX file (how companies move off
spreadsheets).

`import_file(db, actor, kind, path, skip_bad=False) -> ImportReport`

- Every row is checked with the master-data services' own rules (`masterdata.
  validate_customer`, `validate_new_product`, the stock rules of `receive_in`), plus what only
  a file can get wrong: a missing column, a number or date that does not parse, the same code
  twice. Each rejected row is reported with its row number (as the spreadsheet shows it: the
  header is row 1), the field and the reason as a coded message (`RowProblem.message(lang)`).
- Nothing is written while any row is bad, unless `skip_bad`: then the good rows go in and
  the bad ones are listed. Either way the writing is ONE transaction: a failure half-way
  leaves the database as it was.
- Who may: whoever may edit that master data (`masterdata.CUSTOMER_ROLES` and so on).

The columns (header names in Chinese or English, in any order; `sample_data/import/` holds a
template for each kind):

customers  code 客户编码*, legal_name 客户名称*, uscc 统一社会信用代码*, contact_name 联系人*,
           contact_phone 联系电话*, province 省份*, city 城市*, district 区县, detail 详细地址*,
           postcode 邮编, bank_name 开户银行, bank_account 银行账号, credit_limit 信用额度,
           payment_terms 付款条件 (codes or names, separated by ;), default_payment_terms
           默认付款条件 (default: the first), invoice_type 发票类型 (special/专票, normal/普票),
           invoice_address 开票地址, invoice_phone 开票电话
products   code 产品编码*, name 产品名称*, spec 规格, unit 单位*, list_price 标准价*,
           floor_price 最低价 (default: list), ceiling_price 最高价 (default: list),
           tax_code 税率代码 (default 13), made_to_order 订制 (是/否), lead_time_days 交货周期,
           stocked 库存商品 (是/否, default 是)
stock      product_code 产品编码*, on_hand 在库数量* (the counted level: the difference is
           booked as a receipt or a correction), location 库位, incoming 在途数量,
           incoming_date 预计到货 (YYYY-MM-DD)
(* required)
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from order_tui.domain import messages, money, terms
from order_tui.domain.errors import DomainError, InvalidValue, ValidationError
from order_tui.services import masterdata
from order_tui.services.common import Actor, audit, require_role
from order_tui.store import repo
from order_tui.store.engine import Database

messages.register(
    {
        "import.kind": (
            "不能导入“{kind}”：可导入 客户、产品、库存",
            "cannot import {kind!r}: customers, products or stock",
        ),
        "import.format": (
            "不支持的文件类型 {suffix}：请用 .xlsx 或 .csv",
            "unsupported file type {suffix}: use .xlsx or .csv",
        ),
        "import.unreadable": ("无法读取文件 {path}：{error}", "cannot read {path}: {error}"),
        "import.empty": ("文件中没有数据行", "the file has no data rows"),
        "import.missing_column": (
            "缺少列“{column}”",
            "column {column!r} is missing",
        ),
        "import.required": ("请填写{column}", "{column} is required"),
        "import.date": ("日期格式应为 2026-12-31：{typed}", "date like 2026-12-31 wanted: {typed}"),
        "import.yes_no": ("应填 是/否：{typed}", "yes or no wanted: {typed}"),
        "import.integer": ("应为整数：{typed}", "a whole number wanted: {typed}"),
        "import.negative": ("不能为负数", "cannot be negative"),
        "import.duplicate": (
            "与第 {first} 行重复：{value}",
            "same as row {first}: {value}",
        ),
        "import.terms": ("未知的付款条件：{typed}", "unknown payment terms: {typed}"),
        "import.invoice": ("未知的发票类型：{typed}", "unknown invoice type: {typed}"),
    }
)

Pair = tuple[str, str]


@dataclass(frozen=True)
class Col:
    name: str
    label: Pair
    required: bool = False
    aliases: tuple[str, ...] = ()


CUSTOMER_COLUMNS = (
    Col("code", ("客户编码", "Code"), True, ("编码", "customer code")),
    Col("legal_name", ("客户名称", "Legal name"), True, ("名称", "name", "公司名称")),
    Col("uscc", ("统一社会信用代码", "USCC"), True, ("信用代码", "税号")),
    Col("contact_name", ("联系人", "Contact"), True, ("contact", "收货联系人")),
    Col("contact_phone", ("联系电话", "Phone"), True, ("电话", "手机", "contact phone")),
    Col("province", ("省份", "Province"), True, ("省",)),
    Col("city", ("城市", "City"), True, ("市",)),
    Col("district", ("区县", "District"), False, ("区", "县")),
    Col("detail", ("详细地址", "Address"), True, ("地址", "address detail")),
    Col("postcode", ("邮编", "Postcode"), False, ("邮政编码", "zip")),
    Col("bank_name", ("开户银行", "Bank"), False, ("开户行", "bank name")),
    Col("bank_account", ("银行账号", "Bank account"), False, ("账号", "account")),
    Col("credit_limit", ("信用额度", "Credit limit"), False, ("credit",)),
    Col("payment_terms", ("付款条件", "Payment terms"), False, ("terms",)),
    Col("default_payment_terms", ("默认付款条件", "Default terms"), False, ("default terms",)),
    Col("invoice_type", ("发票类型", "Invoice type"), False, ("发票",)),
    Col("invoice_address", ("开票地址", "Invoice address"), False, ()),
    Col("invoice_phone", ("开票电话", "Invoice phone"), False, ()),
)
PRODUCT_COLUMNS = (
    Col("code", ("产品编码", "Code"), True, ("编码", "product code", "物料编码")),
    Col("name", ("产品名称", "Name"), True, ("名称", "品名")),
    Col("spec", ("规格", "Spec"), False, ("规格型号", "型号", "specification")),
    Col("unit", ("单位", "Unit"), True, ("计量单位",)),
    Col("list_price", ("标准价", "List price"), True, ("单价", "价格", "price")),
    Col("floor_price", ("最低价", "Floor price"), False, ("底价", "floor")),
    Col("ceiling_price", ("最高价", "Ceiling price"), False, ("ceiling",)),
    Col("tax_code", ("税率代码", "Tax code"), False, ("税率", "tax")),
    Col("made_to_order", ("订制", "Made to order"), False, ("定制", "mto")),
    Col("lead_time_days", ("交货周期", "Lead time (days)"), False, ("交货周期（天）", "lead time")),
    Col("stocked", ("库存商品", "Stocked"), False, ("库存管理",)),
)
STOCK_COLUMNS = (
    Col("product_code", ("产品编码", "Code"), True, ("编码", "product", "物料编码")),
    Col("on_hand", ("在库数量", "On hand"), True, ("在库", "库存数量", "数量", "qty")),
    Col("location", ("库位", "Location"), False, ("货位",)),
    Col("incoming", ("在途数量", "Incoming"), False, ("在途",)),
    Col("incoming_date", ("预计到货", "Incoming date"), False, ("到货日期",)),
)
COLUMNS: dict[str, tuple[Col, ...]] = {
    "customers": CUSTOMER_COLUMNS,
    "products": PRODUCT_COLUMNS,
    "stock": STOCK_COLUMNS,
}
KINDS = tuple(COLUMNS)
KIND_LABELS: dict[str, Pair] = {
    "customers": ("客户", "customers"),
    "products": ("产品", "products"),
    "stock": ("库存", "stock"),
}
ROLES = {
    "customers": masterdata.CUSTOMER_ROLES,
    "products": masterdata.PRODUCT_ROLES,
    "stock": masterdata.STOCK_ROLES,
}
# The services name some fields otherwise than the columns: their errors land on the column.
FIELD_ALIASES = {"qty": "on_hand"}
YES = {"1", "是", "y", "yes", "true", "t", "√", "x"}
NO = {"0", "否", "n", "no", "false", "f", ""}


@dataclass(frozen=True)
class RowProblem:
    """Why one row (or the file: row 1 is the header) cannot be imported."""

    row: int
    field: str  # the column's name ("uscc"); "" for the whole row
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str) -> str:
        return messages.text(self.code, lang, self.params)

    def column(self, kind: str, lang: str) -> str:
        """The column's label in `lang` (the field name when it is no column)."""
        for col in COLUMNS.get(kind, ()):
            if col.name == self.field:
                return col.label[0] if lang == "zh" else col.label[1]
        return self.field


@dataclass
class ImportReport:
    kind: str
    path: Path
    rows: int = 0  # data rows read
    problems: list[RowProblem] = field(default_factory=list)
    imported: int = 0  # rows written (0 unless clean or skip_bad)
    skipped_bad: bool = False

    @property
    def rejected(self) -> list[int]:
        """The row numbers with at least one problem."""
        return sorted({p.row for p in self.problems})

    @property
    def ok_rows(self) -> int:
        return self.rows - len([r for r in self.rejected if r > 1])

    @property
    def clean(self) -> bool:
        return not self.problems

    def lines(self, lang: str) -> list[str]:
        """The report as text lines: a summary, then row · field · reason per problem."""
        zh = lang == "zh"
        what = KIND_LABELS[self.kind][0 if zh else 1]
        if zh:
            head = (
                f"{what}：共 {self.rows} 行，合格 {self.ok_rows} 行，有问题 {len(self.rejected)} 行"
            )
            head += f"，已导入 {self.imported} 行" if self.imported else "，未导入任何数据"
        else:
            head = (
                f"{what}: {self.rows} rows, {self.ok_rows} ok, {len(self.rejected)} rejected, "
                + (f"{self.imported} imported" if self.imported else "nothing imported")
            )
        out = [head]
        for p in self.problems:
            label = p.column(self.kind, lang)
            if zh:
                out.append(f"第 {p.row} 行  {label or '-'}  {p.message(lang)}")
            else:
                out.append(f"row {p.row}  {label or '-'}  {p.message(lang)}")
        return out


# -- reading ---------------------------------------------------------------------------------


def _norm(header: str) -> str:
    text = unicodedata.normalize("NFKC", str(header)).strip().lower().lstrip("*")
    return "".join(ch for ch in text if ch not in " _-*")


def _lookup(kind: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for col in COLUMNS[kind]:
        for alias in (col.name, *col.label, *col.aliases):
            names[_norm(alias)] = col.name
    return names


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # Excel keeps numbers as floats: 6800.0 is "6800", 0.1 stays "0.1"
        return str(Decimal(repr(value)).normalize()) if value != int(value) else str(int(value))
    return str(value).strip()


def _read_rows(path: Path) -> Iterator[list[str]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Saved by Excel on Chinese Windows as "CSV": GBK (GB18030 is its superset).
            text = raw.decode("gb18030")
        yield from csv.reader(io.StringIO(text, newline=""))  # quoted line breaks stay
    elif suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            for row in sheet.iter_rows(values_only=True):
                yield [_cell_text(v) for v in row]
        finally:
            book.close()
    else:
        raise ValidationError(code="import.format", field="path", suffix=suffix or "-")


@dataclass
class _Parsed:
    row: int
    value: Any  # the input for the service


class _RowError(Exception):
    def __init__(self, *problems: RowProblem) -> None:
        super().__init__(problems[0].code)
        self.problems = list(problems)


def _problem(row: int, exc: DomainError | InvalidValue, default_field: str = "") -> RowProblem:
    name = getattr(exc, "field", None) or default_field
    return RowProblem(row, FIELD_ALIASES.get(name, name), exc.code or "", dict(exc.params))


# -- turning text into the services' inputs --------------------------------------------------


class _Cells:
    """One row's cells by column name. The parsers note a problem and go on with a default,
    so that a row's report names every cell that does not parse; `checked()` then raises
    them all before the service's rules run."""

    def __init__(self, kind: str, row: int, values: dict[str, str]) -> None:
        self.kind = kind
        self.row = row
        self.values = values
        self.problems: list[RowProblem] = []

    def note(self, error: _RowError) -> None:
        self.problems.extend(error.problems)

    def checked(self) -> None:
        if self.problems:
            raise _RowError(*self.problems)

    def label(self, name: str) -> Pair:
        col = next(c for c in COLUMNS[self.kind] if c.name == name)
        return col.label

    def fail(self, name: str, code: str, **params: Any) -> _RowError:
        return _RowError(RowProblem(self.row, name, code, params))

    def text(self, name: str) -> str:
        return self.values.get(name, "").strip()

    def required(self, name: str) -> str:
        value = self.text(name)
        if not value:
            self.note(self.fail(name, "import.required", column=self.label(name)))
        return value

    def number(self, name: str, parse: Callable[[str], Decimal], default: Decimal) -> Decimal:
        value = self.text(name)
        if not value:
            return default
        try:
            return parse(value)
        except InvalidValue as exc:
            self.note(_RowError(_problem(self.row, exc, name)))
            return default

    def integer(self, name: str, default: int = 0) -> int:
        value = unicodedata.normalize("NFKC", self.text(name))
        if not value:
            return default
        if not value.isdigit():
            self.note(self.fail(name, "import.integer", typed=value))
            return default
        return int(value)

    def flag(self, name: str, default: bool) -> bool:
        value = self.text(name).lower()
        if not value:
            return default
        if value in YES:
            return True
        if value in NO:
            return False
        self.note(self.fail(name, "import.yes_no", typed=value))
        return default

    def day(self, name: str) -> date | None:
        value = self.text(name)
        if not value:
            return None
        try:
            return date.fromisoformat(value.replace("/", "-")[:10])
        except ValueError:
            self.note(self.fail(name, "import.date", typed=value))
            return None


def _term_code(cells: _Cells, name: str, typed: str) -> str:
    for code, (zh, en, _days) in terms.PAYMENT_TERMS.items():
        if typed.lower() in (code, zh, en.lower()):
            return code
    cells.note(cells.fail(name, "import.terms", typed=typed))
    return "prepaid"


def _invoice_code(cells: _Cells, typed: str) -> str:
    short = {"专票": "special", "普票": "normal"}
    if typed in short:
        return short[typed]
    for code, (zh, en) in terms.INVOICE_TYPES.items():
        if typed.lower() in (code, zh, en.lower()):
            return code
    cells.note(cells.fail("invoice_type", "import.invoice", typed=typed))
    return "normal"


def _customer(cells: _Cells) -> masterdata.CustomerInput:
    for col in CUSTOMER_COLUMNS:
        if col.required:
            cells.required(col.name)
    listed = [
        t.strip()
        for t in cells.text("payment_terms").replace("；", ";").replace("、", ";").split(";")
        if t.strip()
    ]
    payment_terms = [_term_code(cells, "payment_terms", t) for t in listed] or ["prepaid"]
    default_text = cells.text("default_payment_terms")
    default = (
        _term_code(cells, "default_payment_terms", default_text)
        if default_text
        else payment_terms[0]
    )
    invoice = cells.text("invoice_type")
    data = masterdata.CustomerInput(
        code=cells.text("code"),
        legal_name=cells.text("legal_name"),
        uscc=cells.text("uscc"),
        contact_name=cells.text("contact_name"),
        contact_phone=cells.text("contact_phone"),
        province=cells.text("province"),
        city=cells.text("city"),
        district=cells.text("district"),
        detail=cells.text("detail"),
        postcode=cells.text("postcode"),
        bank_name=cells.text("bank_name"),
        bank_account=cells.text("bank_account"),
        credit_limit=cells.number("credit_limit", money.parse_money, Decimal("0.00")),
        payment_terms=payment_terms,
        default_payment_terms=default,
        invoice_type=_invoice_code(cells, invoice) if invoice else "normal",
        invoice_address=cells.text("invoice_address"),
        invoice_phone=cells.text("invoice_phone"),
    )
    cells.checked()
    try:
        return masterdata.validate_customer(data)
    except ValidationError as exc:
        raise _RowError(_problem(cells.row, exc)) from None


def _product(cells: _Cells) -> masterdata.ProductInput:
    for col in PRODUCT_COLUMNS:
        if col.required:
            cells.required(col.name)
    price = cells.number("list_price", money.parse_price, Decimal(0))
    data = masterdata.ProductInput(
        code=cells.text("code"),
        name=cells.text("name"),
        spec=cells.text("spec"),
        unit=cells.text("unit"),
        list_price=price,
        floor_price=cells.number("floor_price", money.parse_price, price),
        ceiling_price=cells.number("ceiling_price", money.parse_price, price),
        tax_code=cells.text("tax_code").removesuffix("%") or "13",
        made_to_order=cells.flag("made_to_order", False),
        lead_time_days=cells.integer("lead_time_days"),
        stocked=cells.flag("stocked", True),
    )
    cells.checked()
    try:
        masterdata.validate_new_product(data)
    except ValidationError as exc:
        raise _RowError(_problem(cells.row, exc)) from None
    return data


@dataclass(frozen=True)
class _StockLevel:
    product_code: str
    on_hand: Decimal
    location: str | None
    incoming: Decimal | None
    incoming_date: date | None


def _stock(cells: _Cells) -> _StockLevel:
    code = cells.required("product_code")
    cells.required("on_hand")
    on_hand = cells.number("on_hand", money.parse_quantity, Decimal(0))
    if on_hand < 0:
        cells.note(cells.fail("on_hand", "import.negative"))
    incoming = (
        cells.number("incoming", money.parse_quantity, Decimal(0))
        if cells.text("incoming")
        else None
    )
    if incoming is not None and incoming < 0:
        cells.note(cells.fail("incoming", "import.negative"))
    level = _StockLevel(
        code,
        on_hand,
        cells.text("location") or None,  # empty: the location stays as it is
        incoming,
        cells.day("incoming_date"),
    )
    cells.checked()
    return level


PARSERS: dict[str, Callable[[_Cells], Any]] = {
    "customers": _customer,
    "products": _product,
    "stock": _stock,
}


def _key(kind: str, value: Any) -> list[tuple[str, str]]:
    """The values that must be unique within the file."""
    if kind == "customers":
        return [("code", value.code), ("uscc", value.uscc)]
    if kind == "products":
        return [("code", value.code.strip())]
    return [("product_code", value.product_code)]


# -- writing ---------------------------------------------------------------------------------


def _write_one(session: Any, actor: Actor, kind: str, value: Any, note: str) -> None:
    if kind == "customers":
        masterdata.insert_customer(session, actor, value)
    elif kind == "products":
        masterdata.insert_product(session, actor, value)
    else:
        product = repo.find_product(session, value.product_code)
        assert product.id is not None
        stock = repo.stock_for(session, product.id)
        masterdata.receive_in(
            session,
            actor,
            value.product_code,
            value.on_hand - stock.on_hand,  # the level counted: book the difference
            location=value.location,
            incoming=value.incoming,
            incoming_date=value.incoming_date if value.incoming is not None else None,
            note=note,
        )


def _check_in_db(session: Any, kind: str, value: Any) -> None:
    """The rules that need the database, checked before anything is written."""
    if kind == "customers":
        if repo.customer_exists(session, code=value.code):
            raise ValidationError(code="md.customer_exists", field="code", customer=value.code)
        if repo.customer_exists(session, uscc=value.uscc):
            raise ValidationError(code="md.uscc_exists", field="uscc", uscc=value.uscc)
    elif kind == "products":
        if repo.product_exists(session, value.code.strip()):
            raise ValidationError(code="md.product_exists", field="code", product=value.code)
    else:
        try:
            product = repo.find_product(session, value.product_code)
        except DomainError as exc:
            raise ValidationError(code=exc.code, field="product_code", **exc.params) from None
        assert product.id is not None
        stock = repo.stock_for(session, product.id)
        if value.on_hand < stock.locked:
            raise ValidationError(code="md.below_locked", field="on_hand", locked=stock.locked)


def _read_file(db: Database, kind: str, path: Path | str) -> tuple[ImportReport, list[_Parsed]]:
    """Read and check every row; nothing is written. The report lists every problem."""
    if kind not in COLUMNS:
        raise ValidationError(code="import.kind", field="kind", kind=kind)
    source = Path(path).expanduser()
    report = ImportReport(kind, source)
    try:
        rows = list(_read_rows(source))
    except (OSError, ValueError, KeyError) as exc:
        if isinstance(exc, ValidationError):
            raise
        error = getattr(exc, "strerror", None) or str(exc)
        raise ValidationError(
            code="import.unreadable", field="path", path=str(source), error=error
        ) from None
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        report.problems.append(RowProblem(1, "", "import.empty"))
        return report, []
    names = _lookup(kind)
    header = [names.get(_norm(h), "") for h in rows[0]]
    for col in COLUMNS[kind]:
        if col.required and col.name not in header:
            report.problems.append(
                RowProblem(1, col.name, "import.missing_column", {"column": col.label})
            )
    report.rows = len(rows) - 1
    if report.problems:
        return report, []
    if report.rows == 0:
        report.problems.append(RowProblem(1, "", "import.empty"))
        return report, []
    parser = PARSERS[kind]
    parsed: list[_Parsed] = []
    seen: dict[tuple[str, str], int] = {}
    with db.reading() as session:
        for number, cells in enumerate(rows[1:], start=2):
            values = {
                name: (cells[i] if i < len(cells) else "").strip()
                for i, name in enumerate(header)
                if name
            }
            try:
                value = parser(_Cells(kind, number, values))
                for name, key in _key(kind, value):
                    first = seen.setdefault((name, key), number)
                    if first != number:
                        raise _RowError(
                            RowProblem(
                                number, name, "import.duplicate", {"first": first, "value": key}
                            )
                        )
                _check_in_db(session, kind, value)
            except _RowError as exc:
                report.problems.extend(exc.problems)
            except (DomainError, InvalidValue) as exc:
                report.problems.append(_problem(number, exc))
            else:
                parsed.append(_Parsed(number, value))
    return report, parsed


def import_file(
    db: Database, actor: Actor, kind: str, path: Path | str, skip_bad: bool = False
) -> ImportReport:
    """Check every row; write them all in one transaction when the file is clean (or only
    the good ones when `skip_bad`). The report says what was rejected and why."""
    if kind in ROLES:
        require_role(actor, ROLES[kind], (f"导入{KIND_LABELS[kind][0]}", f"importing {kind}"))
    report, parsed = _read_file(db, kind, path)
    file_level = any(p.row == 1 for p in report.problems)
    if file_level or (report.problems and not skip_bad) or not parsed:
        return report
    note = f"import {report.path.name}"
    written = 0
    try:
        with db.writing() as session:
            for item in parsed:
                try:
                    _write_one(session, actor, kind, item.value, note)
                except (DomainError, InvalidValue) as exc:
                    # Changed since the check (another operator): nothing of this file stays.
                    report.problems.append(_problem(item.row, exc))
                    raise
                written += 1
            audit(
                session,
                actor,
                "import",
                0,
                f"import_{kind}",
                changes={
                    "file": report.path.name,
                    "rows": written,
                    "rejected": report.rejected,
                },
            )
    except (DomainError, InvalidValue):
        return report
    report.imported = written
    report.skipped_bad = bool(report.problems)
    return report
