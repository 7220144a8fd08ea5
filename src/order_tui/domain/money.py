"""Money, VAT arithmetic and amounts in capital words (人民币大写).

Money is ``Decimal`` from the keyboard to the database. A float has already lost cents by the
time it gets here, so floats are refused with ``TypeError`` instead of being converted.
Rounding is always ROUND_HALF_UP (四舍五入): Python's ``round`` and ROUND_HALF_EVEN give a
different cent on exact ties (2.50 x 9% must be 0.23, not 0.22).
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from itertools import product

from order_tui.domain import messages
from order_tui.domain.errors import InvalidValue

messages.register(
    {
        "money.required": ("请填写{what}", "{what} is required"),
        "money.not_a_number": (
            "{what}必须是数字，例如 {example}，现在是“{typed}”",
            "{what} must be a number like {example}, got {typed!r}",
        ),
        "money.grouping": (
            "{what}：逗号只能用于每 3 位分组，例如 {example}",
            "{what}: put ',' only between groups of 3 digits, like {example}",
        ),
        "money.places": (
            "{what}最多 {places} 位小数",
            "{what} can have at most {places} decimal places",
        ),
        "money.places_got": (
            "{what}最多 2 位小数，现在是 {amount}",
            "{what} can have at most 2 decimal places, got {amount}",
        ),
        "money.negative": ("{what}不能为负数", "{what} cannot be negative"),
        "money.too_large": ("{what}太大", "{what} is too large"),
        "money.discount_too_large": (
            "折扣 {discount} 超过了货款加运费 {limit}",
            "Discount {discount} is more than goods plus freight {limit}",
        ),
        "money.tax_code": (
            "未知税率代码“{tax}”，可用：{codes}",
            "unknown tax code {tax!r}; use one of {codes}",
        ),
    }
)

# The names of the amounts a form asks for, as the messages above show them.
_WHAT: dict[str, tuple[str, str]] = {
    "Amount": ("金额", "Amount"),
    "Quantity": ("数量", "Quantity"),
    "Price": ("单价", "Price"),
    "Freight": ("运费", "Freight"),
    "Discount": ("折扣", "Discount"),
}


class InvalidAmount(InvalidValue):
    """A typed amount, quantity or price breaks a rule; a ValueError, as before, with a code."""


def _what(name: str) -> tuple[str, str]:
    return _WHAT.get(name, (name, name))


CENT = Decimal("0.01")
MONEY_PLACES = 2
QUANTITY_PLACES = 4
PRICE_PLACES = 6

# qty x price of a large order can need more than the default 28 significant digits; every
# intermediate result must be exact so that the only rounding is the one the rules ask for.
_PRECISION = 60
_ZERO = Decimal("0.00")
# A typed number may have at most this many digits once scaled to its smallest unit.
_MAX_SCALED_DIGITS = 18


# --- type and place checks -------------------------------------------------------------------


def _require_decimal(value: object, what: str) -> Decimal:
    # bool is an int subclass; True as an amount is always a bug, never one yuan.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{what} must be a finite number, got {result}")
    return result


def _require_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    return value


def _decimal_places(value: Decimal) -> int:
    """Significant decimal places: Decimal("1.500") has 1, so typed trailing zeros never count."""
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    places = -exponent
    kept = len(digits)
    while places and kept and digits[kept - 1] == 0:
        places -= 1
        kept -= 1
    return places if kept else 0


def _scaled_int(value: Decimal, places: int) -> int:
    """value x 10**places as an exact int (the caller guarantees it is whole).

    Works on the digit tuple instead of multiplying, so no context precision can round it.
    """
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite values only; checked by the callers
    coefficient = int("".join(map(str, digits)))
    shift = exponent + places
    scaled = coefficient * 10**shift if shift >= 0 else coefficient // 10**-shift
    return -scaled if sign else scaled


def _positive_zero(value: Decimal) -> Decimal:
    # -0.00 comes out of rounding tiny negatives and would print as "-0.00".
    return abs(value) if value.is_zero() else value


def _round(value: Decimal, exponent: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        try:
            rounded = value.quantize(exponent, rounding=ROUND_HALF_UP)
        except InvalidOperation:
            raise ValueError(f"amount {value} is too large") from None
    return _positive_zero(rounded)


def quantize_money(x: Decimal) -> Decimal:
    """Round to whole cents, half up."""
    return _round(_require_decimal(x, "amount"), CENT)


def to_fen(amount: Decimal) -> int:
    """Amount in yuan -> integer fen. Refuses fractions of a fen instead of rounding them away."""
    amount = _require_decimal(amount, "amount")
    if _decimal_places(amount) > MONEY_PLACES:
        raise ValueError(f"amount {amount} has more than 2 decimal places; round it first")
    return _scaled_int(amount, MONEY_PLACES)


def from_fen(fen: int) -> Decimal:
    """Integer fen -> yuan with exactly 2 places."""
    # Building from text is exact; scaleb() or division would go through the context.
    return _positive_zero(Decimal(f"{_require_int(fen, 'fen')}E-{MONEY_PLACES}"))


def to_micros(price: Decimal) -> int:
    """Unit price -> integer millionths of a yuan (unit prices carry up to 6 places)."""
    price = _require_decimal(price, "price")
    if _decimal_places(price) > PRICE_PLACES:
        raise ValueError(f"price {price} has more than {PRICE_PLACES} decimal places")
    return _scaled_int(price, PRICE_PLACES)


def from_micros(micros: int) -> Decimal:
    """Integer millionths of a yuan -> unit price with exactly 6 places."""
    return _positive_zero(Decimal(f"{_require_int(micros, 'micros')}E-{PRICE_PLACES}"))


# --- operator input and display --------------------------------------------------------------

# Applied after NFKC, which has already turned full-width ￥ into ¥, full-width digits, points
# and commas into ASCII, and the ideographic space into a plain one.
_NUMBER_RE = re.compile(
    r"""
    (?P<sign1>[-\u2212])?\s*
    (?P<currency>¥)?\s*
    (?P<sign2>[-\u2212])?\s*
    (?P<int>[0-9][0-9,]*)?
    (?:\.(?P<frac>[0-9]*))?
    """,
    re.VERBOSE | re.ASCII,
)
_GROUPED_RE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+", re.ASCII)


def _parse_number(text: str, *, what: str, example: str, places: int, currency: bool) -> Decimal:
    if not isinstance(text, str):
        raise TypeError(f"{what} text must be str, not {type(text).__name__}")
    # A Chinese IME in full-width mode types 。 for the decimal point; it means nothing else here.
    cleaned = unicodedata.normalize("NFKC", text).strip().replace("\u3002", ".")
    if not cleaned:
        raise InvalidAmount(code="money.required", what=_what(what))
    match = _NUMBER_RE.fullmatch(cleaned)
    if (
        match is None
        or (match["sign1"] and match["sign2"])
        or not (match["int"] or match["frac"])
        or (match["currency"] and not currency)
    ):
        raise InvalidAmount(
            code="money.not_a_number", what=_what(what), example=example, typed=text.strip()
        )
    integer = match["int"] or "0"
    # "1,5" is a European 1.5 more often than a typo for 15: refuse rather than guess.
    if "," in integer and not _GROUPED_RE.fullmatch(integer):
        raise InvalidAmount(code="money.grouping", what=_what(what), example=example)
    digits = integer.replace(",", "")
    value = Decimal(f"{digits}.{match['frac']}" if match["frac"] else digits)
    if _decimal_places(value) > places:
        raise InvalidAmount(code="money.places", what=_what(what), places=places)
    if not value.is_zero() and value.adjusted() + places >= _MAX_SCALED_DIGITS:
        # stored as an integer of 10**-places units (store/types.py): 64 bits hold 18 digits
        raise InvalidAmount(code="money.too_large", what=_what(what))
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        # "1.500000" typed as a quantity: keep the value, drop the zeros beyond its places.
        value = value.quantize(Decimal(1).scaleb(-places))
    if match["sign1"] or match["sign2"]:
        value = -value
    return _positive_zero(value)


def parse_money(text: str) -> Decimal:
    """Clerk-typed amount -> Decimal with 2 places. Messages are meant to be shown as they are."""
    value = _parse_number(
        text, what="Amount", example="1,234.50", places=MONEY_PLACES, currency=True
    )
    return value.quantize(CENT)


def parse_quantity(text: str) -> Decimal:
    """Clerk-typed quantity (up to 4 places), as typed: "2" stays Decimal("2")."""
    return _parse_number(
        text, what="Quantity", example="12.5", places=QUANTITY_PLACES, currency=False
    )


def parse_price(text: str) -> Decimal:
    """Clerk-typed unit price (up to 6 places; ¥ allowed), as typed."""
    return _parse_number(text, what="Price", example="3.25", places=PRICE_PLACES, currency=True)


def format_money(amount: Decimal) -> str:
    """1234.5 -> "1,234.50"; rounds half up to cents first."""
    return f"{quantize_money(amount):,.2f}"


# --- VAT -------------------------------------------------------------------------------------

# Exempt (免税) and zero-rated both carry no tax, but the invoice prints them differently,
# so they stay distinct codes instead of being inferred from a zero rate.
_TAX_RATES: dict[str, Decimal] = {
    "13": Decimal("0.13"),
    "9": Decimal("0.09"),
    "6": Decimal("0.06"),
    "3": Decimal("0.03"),
    "1": Decimal("0.01"),
    "0": Decimal("0"),
    "exempt": Decimal("0"),
}
TAX_CODES: tuple[str, ...] = tuple(_TAX_RATES)
EXEMPT = "exempt"


def tax_rate(code: str) -> Decimal:
    """Rate of a tax code: "13" -> Decimal("0.13"); "exempt" -> 0."""
    try:
        return _TAX_RATES[code]
    except (KeyError, TypeError):
        raise InvalidValue(code="money.tax_code", tax=code, codes=", ".join(TAX_CODES)) from None


def tax_label(code: str) -> str:
    """Label for lists and invoices: "13" -> "13%"; "exempt" -> "exempt"."""
    tax_rate(code)
    return code if code == EXEMPT else f"{code}%"


def _require_money(value: object, what: str) -> Decimal:
    amount = _require_decimal(value, what)
    if _decimal_places(amount) > MONEY_PLACES:
        raise InvalidAmount(code="money.places_got", what=_what(what), amount=amount)
    return _round(amount, CENT)


@dataclass(frozen=True)
class LineAmounts:
    """One line's 金额 / 税额 / 价税合计, each in whole cents, with net + tax == gross."""

    net: Decimal
    tax: Decimal
    gross: Decimal

    def __post_init__(self) -> None:
        # Totals are sums of these, so a line that does not add up would poison every total.
        for name in ("net", "tax", "gross"):
            object.__setattr__(self, name, _require_money(getattr(self, name), name))
        if self.net + self.tax != self.gross:
            raise ValueError(f"net {self.net} + tax {self.tax} does not equal gross {self.gross}")


def line_amounts(
    qty: Decimal, unit_price: Decimal, tax_code: str, *, price_includes_tax: bool
) -> LineAmounts:
    """Amounts of one order line, rounded once per line as invoices do.

    Tax-inclusive prices take the net first and the tax as the difference, so that
    net + tax == gross exactly, as 含税金额 = 不含税金额 + 税额 requires.
    """
    qty = _require_decimal(qty, "quantity")
    unit_price = _require_decimal(unit_price, "unit price")
    rate = tax_rate(tax_code)
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        ctx.rounding = ROUND_HALF_UP
        extended = qty * unit_price
        if price_includes_tax:
            gross = _round(extended, CENT)
            net = _round(gross / (1 + rate), CENT)
            tax = gross - net
        else:
            net = _round(extended, CENT)
            tax = _round(net * rate, CENT)
            gross = net + tax
    return LineAmounts(net=net, tax=tax, gross=gross)


@dataclass(frozen=True)
class OrderTotals:
    """Document totals. goods is 价税合计 of the lines; total is what the customer pays."""

    net: Decimal
    tax: Decimal
    goods: Decimal
    freight: Decimal
    discount: Decimal
    total: Decimal


def order_totals(
    lines: Iterable[LineAmounts], freight: Decimal = _ZERO, discount: Decimal = _ZERO
) -> OrderTotals:
    """Sum the lines. Never re-derive tax from the total: 7 x 1.00 at 13% is 6.16 + 0.84 as
    lines, but 6.19 + 0.81 if the 7.00 were split once."""
    freight = _require_money(freight, "Freight")
    discount = _require_money(discount, "Discount")
    if freight < 0:
        raise InvalidAmount(code="money.negative", what=_what("Freight"))
    if discount < 0:
        raise InvalidAmount(code="money.negative", what=_what("Discount"))
    net = tax = goods = _ZERO
    for line in lines:
        if not isinstance(line, LineAmounts):
            raise TypeError(f"order lines must be LineAmounts, not {type(line).__name__}")
        net += line.net
        tax += line.tax
        goods += line.gross
    # A zero discount is always fine, even on a credit (red-letter) order whose goods are < 0.
    if discount and discount > goods + freight:
        raise InvalidAmount(
            code="money.discount_too_large",
            discount=format_money(discount),
            limit=format_money(goods + freight),
        )
    return OrderTotals(
        net=net,
        tax=tax,
        goods=goods,
        freight=freight,
        discount=discount,
        total=goods + freight - discount,
    )


# --- amounts in capital words ----------------------------------------------------------------

_DIGIT_WORDS = "零壹贰叁肆伍陆柒捌玖"
_PLACE_WORDS = ("", "拾", "佰", "仟")  # inside a 4-digit group
# Unit said after the digit at 10**4, 10**8, 10**12: 万 nests under 亿, so 10**12 is 万亿.
_GROUP_WORDS = ("", "万", "亿", "万")
_WORDS_LIMIT = 10**16  # 万万亿 is not a unit anyone prints on a voucher


def _amount_in_fen(amount: Decimal) -> int:
    value = _require_decimal(amount, "amount")
    if abs(value) >= _WORDS_LIMIT:
        raise ValueError("amount too large for capital words (must be under 10^16 yuan)")
    if _decimal_places(value) > MONEY_PLACES:
        raise ValueError(f"amount {value} has more than 2 decimal places; round it to cents first")
    return _scaled_int(value, MONEY_PLACES)


def _group_words(group: int) -> str:
    """1..9999 in words, zeros between digits as one 零; the caller decides any leading 零."""
    words: list[str] = []
    zero_pending = False
    for place in range(3, -1, -1):
        digit = group // 10**place % 10
        if digit == 0:
            zero_pending = bool(words)  # leading zeros are not spoken, trailing ones never flush
            continue
        if zero_pending:
            words.append("零")
        words.append(_DIGIT_WORDS[digit] + _PLACE_WORDS[place])
        zero_pending = False
    return "".join(words)


def _section_words(number: int) -> str:
    """0..99999999 as [group 万] [group]. Whole sections nest under 亿: 12345亿 is
    壹万贰仟叁佰肆拾伍亿, so 10**12 reads 壹万亿 without a separate 万亿 unit."""
    high, low = divmod(number, 10**4)
    if not high:
        return _group_words(low)
    words = _group_words(high) + "万"
    if low:
        # 千位 0 after 万: the 零 is mandatory (10001 -> 壹万零壹). 万位 0 before a non-zero
        # 千位 (107000) takes none in the preferred form: 壹拾万柒仟.
        words += ("零" if low < 1000 else "") + _group_words(low)
    return words


def _integer_words(number: int) -> str:
    high, low = divmod(number, 10**8)
    if not high:
        return _section_words(low)
    words = _section_words(high) + "亿"
    if low:
        # 千万位 0 after 亿: 零 (100007000 -> 壹亿零柒仟, the usual usage for a whole zero 万
        # group; mandatory when the zero run ends inside a group, as in 壹亿零壹佰万).
        words += ("零" if low < 10**7 else "") + _section_words(low)
    return words


def rmb_upper(amount: Decimal) -> str:
    """Amount in capital words, preferred form of the PBoC rules, without the 人民币 prefix.

    1409.50 -> 壹仟肆佰零玖元伍角; 325.04 -> 叁佰贰拾伍元零肆分; 10 -> 壹拾元整.
    Negative amounts (red-letter documents) get 负 in front; there is no official rule for them.
    """
    fen = _amount_in_fen(amount)
    sign = "负" if fen < 0 else ""
    yuan, rest = divmod(abs(fen), 100)
    jiao, fen_digit = divmod(rest, 10)
    if yuan == 0 and rest == 0:
        return "零元整"
    words = _integer_words(yuan) + "元" if yuan else ""
    if rest == 0:
        return f"{sign}{words}整"
    if jiao:
        # 元位 0 before a non-zero 角: the 零 is optional; the first official form writes it.
        if yuan and yuan % 10 == 0:
            words += "零"
        words += _DIGIT_WORDS[jiao] + "角"
    elif yuan:
        words += "零"  # 角 0 before a non-zero 分: 元零X分 is mandatory
    if fen_digit:
        words += _DIGIT_WORDS[fen_digit] + "分"
    # Ending at 角 takes no 整 (the official example); ending at 分 must not take one.
    return sign + words


def rmb_upper_forms(amount: Decimal) -> set[str]:
    """Every spelling the PBoC rules accept for the amount (without the 人民币 prefix).

    Used to check that a writer's output is acceptable. Deliberately built another way than
    rmb_upper: one walk over the 16 integer digit positions, where each zero run is a choice.
    Covers: optional 零 where a zero run ends at 万位/亿位/万亿位 before a non-zero 千 digit
    and at 元位 before a non-zero 角; 整/正 or nothing after 角; 正 for 整; 圆 for 元; an
    optional 零元 before amounts under one yuan. Traditional characters (貳, 萬, 億) are also
    accepted on paper but are not generated here.
    """
    fen = _amount_in_fen(amount)
    sign = "负" if fen < 0 else ""
    text = f"{abs(fen):018d}"
    digit_at = [int(ch) for ch in reversed(text[:16])]  # digit_at[p] is the digit of 10**p
    jiao, fen_digit = int(text[16]), int(text[17])
    yuan_words = ("元", "圆")
    end_words = ("整", "正")

    choices: list[tuple[str, ...]] = []
    nonzero = [p for p in range(16) if digit_at[p]]
    position = max(nonzero, default=-1)
    while position >= 0:
        digit = digit_at[position]
        if digit:
            group_word = _GROUP_WORDS[position // 4] if position % 4 == 0 else ""
            choices.append((_DIGIT_WORDS[digit] + _PLACE_WORDS[position % 4] + group_word,))
            position -= 1
            continue
        low = position
        while low > 0 and digit_at[low - 1] == 0:
            low -= 1
        # A unit whose own digit is zero is still said if its section has digits above it:
        # 万 covers 4 digits (at 10**4 and, under 亿, at 10**12); 亿 covers 8.
        for boundary in range(position, low - 1, -1):
            span = 8 if boundary == 8 else 4
            if boundary and boundary % 4 == 0 and any(digit_at[boundary : boundary + span]):
                choices.append((_GROUP_WORDS[boundary // 4],))
        if low == 0:
            break  # zeros at the end of the integer part are not spoken
        # Rule 4.2: one 零 for a run inside the number. Rule 4.3: optional when the run ends at
        # 万位 (or 亿位, 万亿位) and the next digit, a 千 digit, is not zero.
        choices.append(("零", "") if low % 4 == 0 else ("零",))
        position = low - 1

    if nonzero:
        choices.append(yuan_words)
        if jiao == 0 and fen_digit == 0:
            choices.append(end_words)
        elif jiao == 0:
            choices.append(("零",))  # rule 4.4: mandatory
        elif digit_at[0] == 0:
            choices.append(("零", ""))  # rule 4.3 at 元位
    elif jiao == 0 and fen_digit == 0:
        choices += [("零",), yuan_words, end_words]
    elif jiao:
        choices.append(("", "零元", "零圆"))
    else:
        # 零元 written means 元 is followed by 角 0 and 分 non-zero: rule 4.4 asks for 零.
        choices.append(("", "零元零", "零圆零"))
    if jiao:
        choices.append((_DIGIT_WORDS[jiao] + "角",))
        if not fen_digit:
            choices.append(("", *end_words))
    if fen_digit:
        choices.append((_DIGIT_WORDS[fen_digit] + "分",))
    return {sign + "".join(parts) for parts in product(*choices)}
