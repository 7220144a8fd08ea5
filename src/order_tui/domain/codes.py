"""Checks for the codes a clerk types: USCC, phone numbers, postcodes, bank accounts.

Each ``check_*`` function takes what was typed (spaces, full-width characters and the usual
separators are tolerated), returns the canonical form to store, and raises ``InvalidCode``
with a message `code` (namespace "code.") that a form shows beside the field in the
operator's language.
"""

import re
import unicodedata

from order_tui.domain import messages
from order_tui.domain.errors import InvalidValue

messages.register(
    {
        "code.uscc_body_len": (
            "统一社会信用代码前 17 位应为 17 个字符，现在是 {n} 个",
            "USCC body must be 17 characters, got {n}",
        ),
        "code.uscc_len": (
            "统一社会信用代码应为 18 位，现在是 {n} 位",
            "USCC must be 18 characters, got {n}",
        ),
        "code.uscc_char": (
            "统一社会信用代码第 {position} 位的字符 {ch} 不允许",
            "USCC character {ch!r} at position {position} is not allowed",
        ),
        "code.uscc_char_never": (
            "统一社会信用代码第 {position} 位的字符 {ch} 不允许（不使用 I、O、S、V、Z）",
            "USCC character {ch!r} at position {position} is not allowed "
            "(I, O, S, V and Z are never used)",
        ),
        "code.uscc_authority": (
            "统一社会信用代码第 1 位（登记管理部门）应为 1-9、A、N 或 Y，现在是 {ch}",
            "USCC registration authority (1st character) must be 1-9, A, N or Y, got {ch!r}",
        ),
        "code.uscc_category": (
            "统一社会信用代码第 2 位（机构类别）应为数字 1-9，现在是 {ch}",
            "USCC category (2nd character) must be a digit 1-9, got {ch!r}",
        ),
        "code.uscc_region": (
            "统一社会信用代码第 3-8 位（行政区划码）应为数字，现在是 {region}",
            "USCC positions 3-8 (region code) must be digits, got {region!r}",
        ),
        "code.uscc_check": (
            "统一社会信用代码校验位（第 18 位）应为 {expected}，不是 {got}：请检查是否输错",
            "USCC check character should be {expected!r}, not {got!r}; look for a typo in the code",
        ),
        "code.mobile_empty": ("请填写手机号码", "mobile number is empty"),
        "code.mobile_digits": ("手机号码只能是数字", "mobile number may contain only digits"),
        "code.mobile_len": (
            "手机号码应为 11 位，现在是 {n} 位",
            "mobile number must have 11 digits, got {n}",
        ),
        "code.mobile_prefix": (
            "手机号码应以 13 至 19 开头",
            "mobile number must start with 13 to 19",
        ),
        "code.landline_empty": ("请填写座机号码", "landline number is empty"),
        "code.landline_chars": (
            "座机号码只能包含数字、空格、“-”和括号",
            "landline number may contain only digits, spaces, '-', '(' and ')'",
        ),
        "code.landline_area_first": (
            "座机号码须以区号开头，例如 0571-87654321",
            "landline number must start with its area code, like 0571-87654321",
        ),
        "code.landline_area": ("{area} 不是区号", "{area!r} is not an area code"),
        "code.landline_len": (
            "区号 {area} 之后应为 7 或 8 位号码，现在是 {n} 位",
            "landline number must have 7 or 8 digits after area code {area}, got {n}",
        ),
        "code.landline_start": (
            "区号之后的号码不能以 0 或 1 开头",
            "landline number cannot start with 0 or 1 after the area code",
        ),
        "code.phone": ("不是有效的手机或座机号码", "not a valid mobile or landline number"),
        "code.postcode": ("邮编应为 6 位数字", "postcode must be 6 digits"),
        "code.bank_empty": ("请填写银行账号", "bank account is empty"),
        "code.bank_digits": ("银行账号只能是数字", "bank account may contain only digits"),
        "code.bank_len": (
            "银行账号应为 6-32 位数字，现在是 {n} 位",
            "bank account must have 6 to 32 digits, got {n}",
        ),
    }
)


class InvalidCode(InvalidValue):
    """The typed code breaks a rule; its `code` says which one."""


def _compact(text: str, drop: str = "") -> str:
    """NFKC (full-width -> half-width, ideographic space -> space), minus whitespace and `drop`."""
    if not isinstance(text, str):
        raise TypeError(f"expected str, not {type(text).__name__}")
    normalised = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in normalised if not ch.isspace() and ch not in drop)


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit() also accepts superscripts and other scripts' digits.
    return text.isascii() and text.isdigit()


# --- Unified Social Credit Code (统一社会信用代码, GB 32100-2015) ------------------------------

# The 31 symbols in value order: digits, then capital letters without I, O, S, V, Z.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {ch: value for value, ch in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_AUTHORITIES = "123456789ANY"


def _uscc_char_problem(ch: str, position: int) -> InvalidCode:
    code = "code.uscc_char_never" if ch in "IOSVZ" else "code.uscc_char"
    return InvalidCode(code=code, ch=ch, position=position)


def uscc_check_char(first17: str) -> str:
    """The mod-31 check character (position 18) for the first 17 characters of a USCC."""
    if len(first17) != 17:
        raise InvalidCode(code="code.uscc_body_len", n=len(first17))
    total = 0
    for position, (ch, weight) in enumerate(zip(first17, _USCC_WEIGHTS, strict=True), start=1):
        value = _USCC_VALUE.get(ch)
        if value is None:
            raise _uscc_char_problem(ch, position)
        total += value * weight
    return USCC_ALPHABET[-total % 31]


def check_uscc(text: str) -> str:
    """Validate a 统一社会信用代码 and return its canonical 18-character form.

    Letter-first codes (A1…, N2…, Y1…) are valid: python-stdnum wrongly demands digits there.
    The category table per authority and the GB 11714 digit at position 17 are not checked:
    the table has grown over the years and some validators skip the latter.
    """
    # Hyphens too: people copy codes grouped like 911100-00600037341L.
    code = _compact(text, drop="-").upper()
    if len(code) != 18:
        raise InvalidCode(code="code.uscc_len", n=len(code))
    for position, ch in enumerate(code, start=1):
        if ch not in _USCC_VALUE:
            raise _uscc_char_problem(ch, position)
    if code[0] not in _USCC_AUTHORITIES:
        raise InvalidCode(code="code.uscc_authority", ch=code[0])
    if code[1] not in "123456789":
        raise InvalidCode(code="code.uscc_category", ch=code[1])
    if not code[2:8].isdigit():
        raise InvalidCode(code="code.uscc_region", region=code[2:8])
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise InvalidCode(code="code.uscc_check", expected=expected, got=code[17])
    return code


# --- phone numbers ---------------------------------------------------------------------------

_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
_ELEVEN_DIGITS_RE = re.compile(r"[0-9]{11}")
# Area code length follows from its digits: 010, 02X, otherwise 0 + 3 digits (0571, 0891).
# Local numbers never start with 0 (trunk prefix) or 1 (service numbers).
_LANDLINE_RE = re.compile(r"(010|02[0-9]|0[3-9][0-9]{2})([2-9][0-9]{6,7})")
_EXTENSION_RE = re.compile(r"\s*(?:转|ext\.?|x)\s*([0-9]{1,6})\Z", re.IGNORECASE | re.ASCII)
_EXTENSION_DIGITS_RE = re.compile(r"[0-9]{1,6}")
_PHONE_SEPARATORS = "-()"


def check_mobile(text: str) -> str:
    """Validate a mainland mobile number; returns the 11 digits.

    Only the shape is checked: number segments change and numbers move between operators.
    """
    number = _compact(text, drop=_PHONE_SEPARATORS)
    for prefix in ("+86", "0086", "86"):
        # "86" alone is only a country code when 11 digits follow; otherwise it is the number.
        if number.startswith(prefix) and _ELEVEN_DIGITS_RE.fullmatch(number[len(prefix) :]):
            number = number[len(prefix) :]
            break
    if _MOBILE_RE.fullmatch(number):
        return number
    if not number:
        raise InvalidCode(code="code.mobile_empty")
    if not _is_ascii_digits(number):
        raise InvalidCode(code="code.mobile_digits")
    if len(number) != 11:
        raise InvalidCode(code="code.mobile_len", n=len(number))
    raise InvalidCode(code="code.mobile_prefix")


def _landline_digits(text: str) -> str:
    digits = _compact(text, drop=_PHONE_SEPARATORS)
    for prefix in ("+86", "0086"):
        # Written internationally the trunk 0 is dropped: +86 571 87654321.
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
            if not digits.startswith("0"):
                digits = "0" + digits
            break
    return digits


def _landline_problem(digits: str) -> InvalidCode:
    if not digits:
        return InvalidCode(code="code.landline_empty")
    if not _is_ascii_digits(digits):
        return InvalidCode(code="code.landline_chars")
    if not digits.startswith("0"):
        return InvalidCode(code="code.landline_area_first")
    area_length = 3 if digits[1:2] in ("1", "2") else 4
    area = digits[:area_length]
    if not re.fullmatch(r"010|02[0-9]|0[3-9][0-9]{2}", area):
        return InvalidCode(code="code.landline_area", area=area)
    local = digits[area_length:]
    if not 7 <= len(local) <= 8:
        return InvalidCode(code="code.landline_len", area=area, n=len(local))
    return InvalidCode(code="code.landline_start")


def check_landline(text: str) -> str:
    """Validate a landline; returns "0571-87654321" or "0571-87654321-123" (with extension)."""
    if not isinstance(text, str):
        raise TypeError(f"expected str, not {type(text).__name__}")
    cleaned = unicodedata.normalize("NFKC", text).strip()
    extension = ""
    match = _EXTENSION_RE.search(cleaned)
    if match:
        extension = match[1]
        cleaned = cleaned[: match.start()]
    parsed = None
    if not extension:
        # "-NNNN" after a complete number is an extension; but "0571-8765-4321" is one number
        # written in groups, which the whole-number reading below catches.
        head, dash, tail = cleaned.rpartition("-")
        if dash and _EXTENSION_DIGITS_RE.fullmatch(tail.strip()):
            parsed = _LANDLINE_RE.fullmatch(_landline_digits(head))
            if parsed:
                extension = tail.strip()
    digits = _landline_digits(cleaned)
    parsed = parsed or _LANDLINE_RE.fullmatch(digits)
    if parsed is None:
        raise _landline_problem(digits)
    number = f"{parsed[1]}-{parsed[2]}"
    return f"{number}-{extension}" if extension else number


def check_phone(text: str) -> str:
    """Mobile or landline, whichever fits; canonical form as check_mobile / check_landline."""
    try:
        return check_mobile(text)
    except InvalidCode:
        pass
    try:
        return check_landline(text)
    except InvalidCode:
        raise InvalidCode(code="code.phone") from None


# --- postcodes and bank accounts -------------------------------------------------------------


def check_postcode(text: str) -> str:
    """Six digits (邮政编码); Hong Kong and Macau have none, so callers keep the field optional."""
    code = _compact(text)
    if len(code) != 6 or not _is_ascii_digits(code):
        raise InvalidCode(code="code.postcode")
    return code


def _account_digits(text: str) -> str:
    return _compact(text, drop="-")


def check_bank_account(text: str) -> str:
    """Bank account or card number: digits only, 6-32 long.

    Corporate settlement accounts (对公账户) have bank-specific lengths and no public check
    digit, so nothing stricter can be demanded here.
    """
    account = _account_digits(text)
    if not account:
        raise InvalidCode(code="code.bank_empty")
    if not _is_ascii_digits(account):
        raise InvalidCode(code="code.bank_digits")
    if not 6 <= len(account) <= 32:
        raise InvalidCode(code="code.bank_len", n=len(account))
    return account


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, ch in enumerate(reversed(digits)):
        value = int(ch)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def bank_account_warnings(account: str) -> list[str]:
    """Doubts worth showing but not blocking on.

    Card numbers (16-19 digits) carry a Luhn digit, but some old debit cards are reported
    not to, and corporate accounts of the same length have none: so only a warning.
    """
    digits = _account_digits(account)
    if not _is_ascii_digits(digits):
        return []  # check_bank_account reports that
    if 16 <= len(digits) <= 19 and not _luhn_ok(digits):
        return ["card number fails the Luhn check; please re-check"]
    return []
