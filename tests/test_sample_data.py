"""Sanity checks for sample_data/*.csv, the files the demo database is built from.

The USCC check is implemented here on purpose, independent of the domain validator,
so a bug in one cannot hide a bad code in the other.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"

COLUMNS = {
    "operators.csv": ["username", "display_name", "roles", "os_user"],
    "customers.csv": [
        "code",
        "legal_name",
        "uscc",
        "bank_name",
        "bank_account",
        "credit_limit",
        "payment_terms",
        "default_payment_terms",
        "invoice_type",
        "invoice_address",
        "invoice_phone",
        "contact_name",
        "contact_phone",
        "province",
        "city",
        "district",
        "detail",
        "postcode",
    ],
    "products.csv": [
        "code",
        "name",
        "spec",
        "unit",
        "list_price",
        "floor_price",
        "ceiling_price",
        "tax_code",
        "made_to_order",
        "lead_time_days",
        "stocked",
    ],
    "stock.csv": ["product_code", "on_hand", "incoming", "incoming_date", "location"],
}

ROLES = {
    "sales_rep",
    "sales_clerk",
    "sales_manager",
    "finance",
    "warehouse",
    "production",
    "logistics",
    "archivist",
    "admin",
}
PAYMENT_TERMS = {"prepaid", "cod", "net30", "net60", "net90"}
TAX_CODES = {"13", "9", "6", "3", "1", "0", "exempt"}

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
POSTCODE_RE = re.compile(r"^\d{6}$")
# Area code 0 + 2-3 digits, then a 7-8 digit local number.
LANDLINE_RE = re.compile(r"^0\d{2,3}-\d{7,8}$")
LOCATION_RE = re.compile(r"^[A-Z]-\d{2}-\d{2}$")


def read_rows(name: str) -> list[dict[str, str]]:
    with (SAMPLE_DIR / name).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS[name], f"{name}: unexpected header"
        rows = list(reader)
    for number, row in enumerate(rows, start=2):
        # DictReader puts surplus fields under None and fills missing ones with None.
        assert None not in row, f"{name} line {number}: too many fields"
        assert None not in row.values(), f"{name} line {number}: too few fields"
    return rows


def uscc_problem(code: str) -> str | None:
    """Why ``code`` is not a valid GB 32100 USCC, or None if it is."""
    if len(code) != 18:
        return "length is not 18"
    if any(ch not in USCC_ALPHABET for ch in code):
        return "character outside the USCC alphabet"
    if code[0] not in "123456789ANY":
        return "registration authority (1st char) not 1-9, A, N or Y"
    if code[1] not in "123456789":
        return "entity category (2nd char) not 1-9"
    if not code[2:8].isdigit():
        return "region code (chars 3-8) not digits"
    total = sum(USCC_ALPHABET.index(ch) * pow(3, i, 31) for i, ch in enumerate(code[:17]))
    expected = USCC_ALPHABET[(31 - total % 31) % 31]
    if code[17] != expected:
        return f"check char is {code[17]}, expected {expected}"
    return None


def org_code_check_digit(body: str) -> str:
    """GB 11714 check digit over the 8-char organisation body (letters A=10 .. Z=35)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(ch, 36) * w for ch, w in zip(body, weights, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, ch in enumerate(reversed(digits)):
        value = int(ch) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def money(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        pytest.fail(f"not a decimal amount: {text!r}")
    assert value.is_finite()
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    assert exponent >= -2, f"more than 2 decimals: {text!r}"
    return value


# --- the checker itself --------------------------------------------------------------


@pytest.mark.parametrize("code", ["91110000600037341L", "91350100M000100Y43"])
def test_uscc_checker_accepts_known_good(code: str) -> None:
    assert uscc_problem(code) is None


@pytest.mark.parametrize(
    "code",
    [
        "91110000600037341M",  # wrong check char
        "91110000600037341",  # too short
        "91110000600O37341L",  # O is not in the alphabet
        "01110000600037341X",  # authority 0 does not exist, though the checksum holds
        "9111000A600037341L",  # region code must be digits
    ],
)
def test_uscc_checker_rejects_bad(code: str) -> None:
    assert uscc_problem(code) is not None


# --- operators ---------------------------------------------------------------------------


def test_operators() -> None:
    rows = read_rows("operators.csv")
    usernames = [row["username"] for row in rows]
    assert len(usernames) == len(set(usernames)), "usernames not unique"
    assert set(usernames) >= {"wang", "zhao", "zhang", "chen", "liu", "sun", "zhou", "wu", "admin"}
    covered: set[str] = set()
    for row in rows:
        roles = row["roles"].split(";")
        assert set(roles) <= ROLES, f"{row['username']}: unknown role in {row['roles']!r}"
        assert row["display_name"].strip()
        assert row["os_user"] == ""
        covered.update(roles)
    assert covered == ROLES, "every role needs a demo operator"


# --- customers ---------------------------------------------------------------------------


def test_customer_codes_unique() -> None:
    rows = read_rows("customers.csv")
    codes = [row["code"] for row in rows]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"C\d{4}", code) for code in codes)
    usccs = [row["uscc"] for row in rows]
    assert len(usccs) == len(set(usccs)), "USCCs not unique"


def test_customer_usccs_valid() -> None:
    for row in read_rows("customers.csv"):
        problem = uscc_problem(row["uscc"])
        assert problem is None, f"{row['code']} {row['uscc']}: {problem}"


def test_customer_usccs_pass_strict_org_code_check() -> None:
    # Not required by the check char, but a "strict" validator also checks position 17.
    for row in read_rows("customers.csv"):
        uscc = row["uscc"]
        assert uscc[16] == org_code_check_digit(uscc[8:16]), row["code"]


def test_customer_usccs_include_letters_in_org_part() -> None:
    rows = read_rows("customers.csv")
    assert any(re.search(r"[A-Z]", row["uscc"][8:17]) for row in rows)


def test_customer_contacts_and_addresses() -> None:
    for row in read_rows("customers.csv"):
        code = row["code"]
        assert MOBILE_RE.match(row["contact_phone"]), f"{code}: bad mobile"
        assert POSTCODE_RE.match(row["postcode"]), f"{code}: bad postcode"
        assert row["legal_name"].endswith("有限公司"), f"{code}: not a full legal name"
        for field in ("legal_name", "contact_name", "province", "city", "district", "detail"):
            assert row[field].strip(), f"{code}: {field} empty"
        if row["invoice_phone"]:
            assert LANDLINE_RE.match(row["invoice_phone"]), f"{code}: bad invoice phone"


def test_customer_bank_and_credit() -> None:
    for row in read_rows("customers.csv"):
        code = row["code"]
        assert row["bank_name"].strip(), f"{code}: bank name empty"
        account = row["bank_account"]
        assert re.fullmatch(r"\d{12,19}", account), f"{code}: bad account"
        # Card-length numbers that fail Luhn get a "please re-check" warning in the app;
        # demo data should not trigger it.
        if len(account) >= 16:
            assert luhn_ok(account), f"{code}: card-length account fails Luhn"
        assert re.fullmatch(r"\d+\.\d{2}", row["credit_limit"]), f"{code}: credit limit format"
        assert money(row["credit_limit"]) > 0


def test_customer_terms_and_invoice_type() -> None:
    for row in read_rows("customers.csv"):
        code = row["code"]
        terms = row["payment_terms"].split(";")
        assert terms, code
        assert set(terms) <= PAYMENT_TERMS, f"{code}: unknown term in {row['payment_terms']!r}"
        assert row["default_payment_terms"] in terms, f"{code}: default term not allowed"
        assert row["invoice_type"] in {"special", "normal"}, code


def test_customer_scenarios_present() -> None:
    rows = read_rows("customers.csv")
    assert any(
        row["invoice_type"] == "special" and not row["invoice_address"] and not row["invoice_phone"]
        for row in rows
    ), "need a special-invoice customer without invoice data"
    assert any(
        "科技有限公司" in row["legal_name"] and row["contact_name"] == "李经理" for row in rows
    )
    assert any(row["legal_name"].startswith("华信") for row in rows)
    assert any(money(row["credit_limit"]) <= Decimal("50000") for row in rows)


# --- products ------------------------------------------------------------------------------


def test_product_codes_unique() -> None:
    codes = [row["code"] for row in read_rows("products.csv")]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"P\d{4}", code) for code in codes)


def test_product_prices_ordered() -> None:
    for row in read_rows("products.csv"):
        floor, listed, ceiling = (
            money(row[key]) for key in ("floor_price", "list_price", "ceiling_price")
        )
        assert Decimal(0) < floor <= listed <= ceiling, row["code"]


def test_product_tax_and_lead_times() -> None:
    rows = read_rows("products.csv")
    for row in rows:
        code = row["code"]
        assert row["tax_code"] in TAX_CODES, f"{code}: bad tax code {row['tax_code']!r}"
        assert row["made_to_order"] in {"0", "1"}, code
        assert row["unit"].strip() and row["name"].strip() and row["spec"].strip(), code
        lead = int(row["lead_time_days"])
        if row["made_to_order"] == "1":
            assert 15 <= lead <= 30, f"{code}: made-to-order lead time {lead}"
        else:
            assert 0 <= lead <= 3, f"{code}: stock lead time {lead}"
    assert sum(row["made_to_order"] == "1" for row in rows) == 3
    assert {"13", "9", "6"} <= {row["tax_code"] for row in rows}


def test_services_are_not_stocked() -> None:
    """A service (installation, training, freight) has no stock to check, lock or pick."""
    rows = {row["code"]: row for row in read_rows("products.csv")}
    for code, row in rows.items():
        assert row["stocked"] in {"0", "1"}, code
        if row["stocked"] == "0":
            assert row["made_to_order"] == "0", f"{code}: a service is not made to order"
    assert rows["P0012"]["stocked"] == "0", "P0012 is the installation service"
    stock = {row["product_code"] for row in read_rows("stock.csv")}
    assert not {c for c, r in rows.items() if r["stocked"] == "0"} & stock


# --- stock ---------------------------------------------------------------------------------


def test_stock_rows_name_existing_products() -> None:
    products = {row["code"]: row for row in read_rows("products.csv")}
    stock = read_rows("stock.csv")
    codes = [row["product_code"] for row in stock]
    assert len(codes) == len(set(codes)), "one stock row per product"
    for row in stock:
        assert row["product_code"] in products, f"unknown product {row['product_code']}"


def test_stock_quantities_and_dates() -> None:
    products = {row["code"]: row for row in read_rows("products.csv")}
    short = 0
    for row in read_rows("stock.csv"):
        code = row["product_code"]
        on_hand, incoming = money(row["on_hand"]), money(row["incoming"])
        assert on_hand >= 0 and incoming >= 0, code
        assert LOCATION_RE.match(row["location"]), f"{code}: bad location"
        if incoming > 0:
            date.fromisoformat(row["incoming_date"])
        else:
            assert row["incoming_date"] == "", f"{code}: date without incoming quantity"
        if products[code]["made_to_order"] == "1":
            assert on_hand == 0, f"{code}: made-to-order product on hand"
        elif incoming > 0:
            short += 1
    assert short >= 2, "need some short products with replenishment"
