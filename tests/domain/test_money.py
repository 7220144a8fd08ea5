"""Money, VAT arithmetic and capital-letter amounts (rules: shared notes, sections 2 and 3)."""

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from order_tui.domain.money import (
    CENT,
    PRICE_PLACES,
    TAX_CODES,
    LineAmounts,
    OrderTotals,
    format_money,
    from_fen,
    from_micros,
    line_amounts,
    order_totals,
    parse_money,
    parse_price,
    parse_quantity,
    quantize_money,
    rmb_upper,
    rmb_upper_forms,
    tax_label,
    tax_rate,
    to_fen,
    to_micros,
)

D = Decimal

# --- an independent reader of capital words, for round trips ----------------------------------

_DIGIT_VALUES = {ch: value for value, ch in enumerate("零壹贰叁肆伍陆柒捌玖")}
_PLACE_VALUES = {"拾": 10, "佰": 100, "仟": 1000}


def _group_value(words: str) -> int:
    total = digit = 0
    for ch in words:
        if ch in _DIGIT_VALUES:
            digit = _DIGIT_VALUES[ch]
        elif ch in _PLACE_VALUES:
            assert digit, f"{ch} without a digit before it in {words!r}"
            total += digit * _PLACE_VALUES[ch]
            digit = 0
        else:
            raise AssertionError(f"unexpected {ch!r} in {words!r}")
    return total + digit


def _integer_value(words: str) -> int:
    if "亿" in words:
        high, low = words.split("亿")
        return _integer_value(high) * 10**8 + _integer_value(low)
    if "万" in words:
        high, low = words.split("万")
        return _group_value(high) * 10**4 + _group_value(low)
    return _group_value(words)


def words_to_amount(words: str) -> Decimal:
    """Capital words (any accepted form, 人民币 prefix optional) back to a Decimal."""
    words = words.removeprefix("人民币")
    negative = words.startswith("负")
    words = words.removeprefix("负").replace("圆", "元").replace("正", "整").removesuffix("整")
    integer_words, _, fraction = words.rpartition("元")
    fraction = fraction.removeprefix("零")
    jiao = fen = 0
    if "角" in fraction:
        jiao_word, fraction = fraction.split("角")
        jiao = _DIGIT_VALUES[jiao_word]
    if "分" in fraction:
        fen_word, fraction = fraction.split("分")
        fen = _DIGIT_VALUES[fen_word]
    assert fraction == "", f"left over {fraction!r}"
    cents = _integer_value(integer_words) * 100 + jiao * 10 + fen
    return D(-cents if negative else cents).scaleb(-2)


def test_words_to_amount_reads_the_official_examples() -> None:
    assert words_to_amount("人民币壹拾万零柒仟元伍角叁分") == D("107000.53")
    assert words_to_amount("壹万贰仟亿元整") == D("1200000000000")
    assert words_to_amount("零元零伍分") == D("0.05")


# --- capital words: examples ------------------------------------------------------------------

OFFICIAL_AND_BRIEF_EXAMPLES = [
    ("1409.50", "壹仟肆佰零玖元伍角"),
    ("6007.14", "陆仟零柒元壹角肆分"),
    ("325.04", "叁佰贰拾伍元零肆分"),
    ("10", "壹拾元整"),
    ("0.50", "伍角"),
    ("0.05", "伍分"),
    ("0", "零元整"),
    ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),
    ("107000.53", "壹拾万柒仟元零伍角叁分"),
    ("100007000", "壹亿零柒仟元整"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("10011001.01", "壹仟零壹万壹仟零壹元零壹分"),
    ("1.00", "壹元整"),
    ("10001", "壹万零壹元整"),
    ("1000100", "壹佰万零壹佰元整"),
    ("100000", "壹拾万元整"),
    ("2000000000000", "贰万亿元整"),
    ("-100", "负壹佰元整"),
]

ZERO_RULE_EXAMPLES = [
    # runs of zeros inside the 个 group
    ("101", "壹佰零壹元整"),
    ("110", "壹佰壹拾元整"),
    ("1000", "壹仟元整"),
    ("1001", "壹仟零壹元整"),
    ("1010", "壹仟零壹拾元整"),
    ("1011", "壹仟零壹拾壹元整"),
    ("1100", "壹仟壹佰元整"),
    ("1101", "壹仟壹佰零壹元整"),
    ("9009", "玖仟零玖元整"),
    # inside the 万 group and at its boundary
    ("20000", "贰万元整"),
    ("10010", "壹万零壹拾元整"),
    ("10100", "壹万零壹佰元整"),
    ("11000", "壹万壹仟元整"),
    ("10000001", "壹仟万零壹元整"),
    ("10000010", "壹仟万零壹拾元整"),
    ("10001000", "壹仟万壹仟元整"),
    ("10010000", "壹仟零壹万元整"),
    ("10100000", "壹仟零壹拾万元整"),
    ("50008000", "伍仟万捌仟元整"),
    # 亿 boundary
    ("100000000", "壹亿元整"),
    ("100000001", "壹亿零壹元整"),
    ("100010000", "壹亿零壹万元整"),
    ("101000000", "壹亿零壹佰万元整"),
    ("110000000", "壹亿壹仟万元整"),
    ("1000000000", "壹拾亿元整"),
    ("1050000000", "壹拾亿伍仟万元整"),
    ("10500000000", "壹佰零伍亿元整"),
    ("100000000000", "壹仟亿元整"),
    # 万亿: 万 nests under 亿
    ("1000000000000", "壹万亿元整"),
    ("1000000000001", "壹万亿零壹元整"),
    ("1000000005000", "壹万亿零伍仟元整"),
    ("1000100000000", "壹万零壹亿元整"),
    ("1200000000000", "壹万贰仟亿元整"),
    ("10000000000000", "壹拾万亿元整"),
    ("101000000000000", "壹佰零壹万亿元整"),
    ("1000000000005000", "壹仟万亿零伍仟元整"),
    # 10-19 always with 壹
    ("11", "壹拾壹元整"),
    ("19", "壹拾玖元整"),
    ("15.5", "壹拾伍元伍角"),
    ("150000", "壹拾伍万元整"),
    # under one yuan
    ("0.01", "壹分"),
    ("0.09", "玖分"),
    ("0.10", "壹角"),
    ("0.11", "壹角壹分"),
    ("0.99", "玖角玖分"),
    # x.0y and x.y0
    ("1.01", "壹元零壹分"),
    ("10.01", "壹拾元零壹分"),
    ("100.09", "壹佰元零玖分"),
    ("1.10", "壹元壹角"),
    ("10.10", "壹拾元零壹角"),
    ("100.11", "壹佰元零壹角壹分"),
    ("100000000.50", "壹亿元零伍角"),
    # the largest amount accepted
    (
        "9999999999999999.99",
        "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分",
    ),
    # negatives (no official rule; 负 in front like cn2an and hutool)
    ("-0.05", "负伍分"),
    ("-199.01", "负壹佰玖拾玖元零壹分"),
    ("-0.00", "零元整"),
]


@pytest.mark.parametrize(("amount", "words"), OFFICIAL_AND_BRIEF_EXAMPLES + ZERO_RULE_EXAMPLES)
def test_rmb_upper_writes_the_preferred_form(amount: str, words: str) -> None:
    assert rmb_upper(D(amount)) == words
    assert words in rmb_upper_forms(D(amount))
    assert words_to_amount(words) == D(amount)


@pytest.mark.parametrize(
    ("amount", "accepted"),
    [
        # both official forms of rule 4.3
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("107000.53", "壹拾万零柒仟元伍角叁分"),
        # rule 4.3 literally allows dropping the 零 of a whole zero 万 group
        ("100007000", "壹亿柒仟元整"),
        # 整 after 角 is optional; 正 for 整; 圆 for 元
        ("1409.50", "壹仟肆佰零玖元伍角整"),
        ("1409.50", "壹仟肆佰零玖圆伍角正"),
        ("1.00", "壹圆正"),
        # 零元 before sub-yuan amounts
        ("0.50", "零元伍角"),
        ("0.50", "零元伍角整"),
        ("0.05", "零元零伍分"),
        # vectors of other implementations that the notes found acceptable
        ("908888.20", "玖拾万零捌仟捌佰捌拾捌元贰角整"),
        ("50008000", "伍仟万零捌仟元整"),
    ],
)
def test_rmb_upper_forms_accepts_the_alternatives(amount: str, accepted: str) -> None:
    assert accepted in rmb_upper_forms(D(amount))


@pytest.mark.parametrize(
    ("amount", "refused"),
    [
        ("1.00", "壹元"),  # nzh: an amount ending at 元 needs 整
        ("10011001.01", "壹仟零壹万壹仟零壹元壹分整"),  # money2hanzi: no 零, 整 after 分
        ("0.02", "零贰分"),  # not a recognised form
        ("0.05", "零元伍分"),  # once 零元 is written, rule 4.4 asks for 零 before 分
        ("325.04", "叁佰贰拾伍元肆分"),  # rule 4.4: 元零X分 is mandatory
        ("10", "拾元整"),  # always 壹拾
        ("6007.14", "陆仟零零柒元壹角肆分"),  # one 零 for a run
        ("1001", "壹仟零零壹元整"),
        ("10001", "壹万壹元整"),  # 千位 0 after 万: 零 mandatory
        ("0.55", "伍角伍分整"),
    ],
)
def test_rmb_upper_forms_refuses_wrong_spellings(amount: str, refused: str) -> None:
    assert refused not in rmb_upper_forms(D(amount))


def test_rmb_upper_accepts_ints_and_trailing_zeros() -> None:
    assert rmb_upper(10) == "壹拾元整"
    assert rmb_upper(D("1.500")) == "壹元伍角"
    assert rmb_upper(D("1E+3")) == "壹仟元整"


@pytest.mark.parametrize("amount", [D(10) ** 16, -(D(10) ** 16), D("1E+20")])
def test_rmb_upper_refuses_amounts_too_large(amount: Decimal) -> None:
    with pytest.raises(ValueError, match="amount too large"):
        rmb_upper(amount)
    with pytest.raises(ValueError, match="amount too large"):
        rmb_upper_forms(amount)


@pytest.mark.parametrize("amount", ["1.505", "0.001", "-2.125"])
def test_rmb_upper_refuses_fractions_of_a_fen(amount: str) -> None:
    with pytest.raises(ValueError, match="more than 2 decimal places"):
        rmb_upper(D(amount))


@pytest.mark.parametrize("amount", [1.5, 0.0, True, "12", None])
def test_rmb_upper_refuses_non_decimals(amount: object) -> None:
    with pytest.raises(TypeError):
        rmb_upper(amount)  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity"])
def test_rmb_upper_refuses_non_finite(amount: str) -> None:
    with pytest.raises(ValueError, match="finite"):
        rmb_upper(D(amount))


# --- capital words: properties ----------------------------------------------------------------

_MAX_FEN = 10**18 - 1
_DIGIT_WORD = "壹贰叁肆伍陆柒捌玖"


def _from_cents(cents: int) -> Decimal:
    return D(f"{cents}E-2")


# Uniform integers hardly ever have zeros in the middle; these mostly have runs of them.
_sparse_cents = st.lists(st.sampled_from("0000000159"), min_size=1, max_size=18).map(
    lambda digits: int("".join(digits))
)
amounts = st.one_of(st.integers(0, _MAX_FEN), _sparse_cents).map(_from_cents)
signed_amounts = st.one_of(
    amounts, amounts.map(lambda amount: -amount), st.integers(-_MAX_FEN, _MAX_FEN).map(_from_cents)
)


@given(signed_amounts)
def test_rmb_upper_is_an_accepted_form_and_reads_back(amount: Decimal) -> None:
    words = rmb_upper(amount)
    forms = rmb_upper_forms(amount)
    assert words in forms
    assert words_to_amount(words) == amount
    for form in forms:
        assert words_to_amount(form) == amount, form
        assert re.search(f"(?<![{_DIGIT_WORD}])拾", form) is None, form
        assert not form.endswith(("分整", "分正")), form
        assert "零零" not in form, form


@given(amounts)
def test_rmb_upper_uses_only_the_preferred_characters(amount: Decimal) -> None:
    words = rmb_upper(amount)
    assert set(words) <= set("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整")
    assert not words.startswith("拾")
    # 整 exactly when the amount is whole yuan; never after 角 in the preferred form
    assert words.endswith("整") == (amount == amount.to_integral_value())


# --- money conversions, parsing and display ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.01"),
        ("0.004999", "0.00"),
        ("2.675", "2.68"),
        ("-0.005", "-0.01"),
        ("-0.001", "0.00"),
        ("7", "7.00"),
    ],
)
def test_quantize_money_rounds_half_up(value: str, expected: str) -> None:
    result = quantize_money(D(value))
    assert str(result) == expected
    assert result.as_tuple().exponent == -2
    assert D("0.01") == CENT


def test_quantize_money_refuses_floats() -> None:
    with pytest.raises(TypeError, match="float"):
        quantize_money(0.1)  # type: ignore[arg-type]


def test_fen_conversions() -> None:
    assert to_fen(D("1234.50")) == 123450
    assert to_fen(D("-0.05")) == -5
    assert to_fen(D("1.500")) == 150
    assert to_fen(D("1E+2")) == 10000
    assert to_fen(12) == 1200
    assert str(from_fen(5)) == "0.05"
    assert str(from_fen(-123450)) == "-1234.50"
    assert str(from_fen(0)) == "0.00"
    with pytest.raises(ValueError, match="more than 2 decimal places"):
        to_fen(D("0.001"))
    with pytest.raises(TypeError):
        to_fen(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        from_fen(D("1"))  # type: ignore[arg-type]


def test_micros_conversions() -> None:
    assert PRICE_PLACES == 6
    assert to_micros(D("3.250001")) == 3250001
    assert to_micros(D("3.25")) == 3250000
    assert str(from_micros(3250001)) == "3.250001"
    with pytest.raises(ValueError, match="more than 6 decimal places"):
        to_micros(D("0.0000001"))
    with pytest.raises(TypeError):
        to_micros(0.5)  # type: ignore[arg-type]


@given(st.integers(-(10**20), 10**20))
def test_fen_round_trip(fen: int) -> None:
    amount = from_fen(fen)
    assert amount.as_tuple().exponent == -2
    assert to_fen(amount) == fen
    assert from_fen(to_fen(amount)) == amount


@given(st.integers(-(10**20), 10**20))
def test_micros_round_trip(micros: int) -> None:
    assert to_micros(from_micros(micros)) == micros


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.5", "1234.50"),
        ("1,234.50", "1234.50"),
        ("¥1,234.50", "1234.50"),
        ("\uffe51,234.50", "1234.50"),  # full-width yen sign
        ("  \uff11\uff0c\uff12\uff13\uff14\uff0e\uff15  ", "1234.50"),  # full-width digits
        ("\u3000123\u3000", "123.00"),  # ideographic spaces
        ("12\u30025", "12.50"),  # IME full stop as the decimal point
        ("¥ 5", "5.00"),
        (".5", "0.50"),
        ("5.", "5.00"),
        ("0", "0.00"),
        ("1.500", "1.50"),
        ("-1,234.50", "-1234.50"),
        ("-¥3", "-3.00"),
        ("¥-3", "-3.00"),
        ("-0", "0.00"),
        ("1,234,567.89", "1234567.89"),
    ],
)
def test_parse_money_accepts_what_clerks_type(text: str, expected: str) -> None:
    result = parse_money(text)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Amount is required"),
        ("   ", "Amount is required"),
        ("abc", "Amount must be a number like 1,234.50, got 'abc'"),
        ("12a", "must be a number"),
        ("1.2.3", "must be a number"),
        ("¥", "must be a number"),
        ("-", "must be a number"),
        ("--5", "must be a number"),
        ("-¥-5", "must be a number"),
        ("5¥", "must be a number"),
        ("1 234", "must be a number"),
        ("1.234", "Amount can have at most 2 decimal places"),
        ("0.001", "at most 2 decimal places"),
        ("1,5", "put ',' only between groups of 3 digits"),
        ("12,34.5", "groups of 3 digits"),
        (",123", "must be a number"),
        ("1e5", "must be a number"),
    ],
)
def test_parse_money_refuses_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_money(text)


def test_parse_money_refuses_non_text() -> None:
    with pytest.raises(TypeError):
        parse_money(12)  # type: ignore[arg-type]


def test_parse_quantity_and_price() -> None:
    assert parse_quantity("2") == D("2")
    assert str(parse_quantity("1,000.2500")) == "1000.2500"
    assert str(parse_quantity("1.500000")) == "1.5000"
    assert parse_quantity("-3") == D("-3")
    assert str(parse_price("¥3.250001")) == "3.250001"
    assert parse_price("\uff10\uff0e\uff15") == D("0.5")
    with pytest.raises(ValueError, match="Quantity can have at most 4 decimal places"):
        parse_quantity("0.00001")
    with pytest.raises(ValueError, match="Quantity must be a number"):
        parse_quantity("¥5")
    with pytest.raises(ValueError, match="Price can have at most 6 decimal places"):
        parse_price("0.0000001")
    with pytest.raises(ValueError, match="Quantity is required"):
        parse_quantity("")


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("1234.5", "1,234.50"),
        ("-1234.5", "-1,234.50"),
        ("0", "0.00"),
        ("-0.001", "0.00"),
        ("1234567.895", "1,234,567.90"),
        ("999", "999.00"),
        ("1000", "1,000.00"),
    ],
)
def test_format_money(amount: str, text: str) -> None:
    assert format_money(D(amount)) == text


def test_format_money_refuses_floats() -> None:
    with pytest.raises(TypeError):
        format_money(1.5)  # type: ignore[arg-type]


@given(st.integers(-(10**17), 10**17).map(_from_cents))
def test_parse_money_reads_format_money(amount: Decimal) -> None:
    assert parse_money(format_money(amount)) == amount


# --- tax ---------------------------------------------------------------------------------------


def test_tax_codes() -> None:
    assert TAX_CODES == ("13", "9", "6", "3", "1", "0", "exempt")
    assert tax_rate("13") == D("0.13")
    assert tax_rate("1") == D("0.01")
    assert tax_rate("0") == 0
    assert tax_rate("exempt") == 0
    assert tax_label("13") == "13%"
    assert tax_label("0") == "0%"
    assert tax_label("exempt") == "exempt"
    for bad in ("5", "13%", "", "EXEMPT"):
        with pytest.raises(ValueError, match="unknown tax code"):
            tax_rate(bad)
        with pytest.raises(ValueError, match="unknown tax code"):
            tax_label(bad)


@pytest.mark.parametrize(
    ("qty", "price", "code", "net", "tax", "gross"),
    [
        # half-up ties, where float and half-even lose a cent
        ("1", "2.50", "9", "2.50", "0.23", "2.73"),
        ("1", "0.25", "6", "0.25", "0.02", "0.27"),
        ("1", "1.25", "6", "1.25", "0.08", "1.33"),
        ("3", "100", "13", "300.00", "39.00", "339.00"),
        ("2.5", "3.333333", "13", "8.33", "1.08", "9.41"),
        ("0.0001", "0.000001", "13", "0.00", "0.00", "0.00"),
        ("10", "9.99", "0", "99.90", "0.00", "99.90"),
        ("10", "9.99", "exempt", "99.90", "0.00", "99.90"),
        # red-letter lines: ties round away from zero too
        ("-1", "2.50", "9", "-2.50", "-0.23", "-2.73"),
    ],
)
def test_line_amounts_price_excludes_tax(
    qty: str, price: str, code: str, net: str, tax: str, gross: str
) -> None:
    line = line_amounts(D(qty), D(price), code, price_includes_tax=False)
    assert line == LineAmounts(net=D(net), tax=D(tax), gross=D(gross))
    assert str(line.net) == net and str(line.tax) == tax and str(line.gross) == gross


@pytest.mark.parametrize(
    ("qty", "price", "code", "net", "tax", "gross"),
    [
        ("1", "1.00", "13", "0.88", "0.12", "1.00"),
        ("1", "113.00", "13", "100.00", "13.00", "113.00"),
        ("-1", "113.00", "13", "-100.00", "-13.00", "-113.00"),
        ("1", "109", "9", "100.00", "9.00", "109.00"),
        ("3", "33.333", "6", "94.34", "5.66", "100.00"),
        ("1", "50", "exempt", "50.00", "0.00", "50.00"),
        ("1", "50", "0", "50.00", "0.00", "50.00"),
    ],
)
def test_line_amounts_price_includes_tax(
    qty: str, price: str, code: str, net: str, tax: str, gross: str
) -> None:
    line = line_amounts(D(qty), D(price), code, price_includes_tax=True)
    assert line == LineAmounts(net=D(net), tax=D(tax), gross=D(gross))


def test_line_amounts_refuses_bad_input() -> None:
    with pytest.raises(TypeError):
        line_amounts(1.0, D("1"), "13", price_includes_tax=False)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        line_amounts(D("1"), 1.0, "13", price_includes_tax=False)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown tax code"):
        line_amounts(D("1"), D("1"), "17", price_includes_tax=False)
    assert line_amounts(2, 3, "13", price_includes_tax=False).gross == D("6.78")


def test_line_amounts_must_add_up() -> None:
    with pytest.raises(ValueError, match="does not equal gross"):
        LineAmounts(net=D("1.00"), tax=D("0.13"), gross=D("1.14"))
    with pytest.raises(ValueError, match="at most 2 decimal places"):
        LineAmounts(net=D("1.001"), tax=D("0"), gross=D("1.001"))
    with pytest.raises(TypeError):
        LineAmounts(net=1.0, tax=D("0"), gross=D("1"))  # type: ignore[arg-type]
    assert LineAmounts(net=1, tax=0, gross=1).gross.as_tuple().exponent == -2  # type: ignore[arg-type]


def test_three_small_lines_tax_is_the_sum_of_the_lines() -> None:
    lines = [line_amounts(D(1), D("0.10"), "13", price_includes_tax=False) for _ in range(3)]
    totals = order_totals(lines)
    assert totals.tax == D("0.03")  # one split of 0.30 would give 0.04
    assert totals.net == D("0.30")
    assert totals.goods == D("0.33")


def test_seven_tax_included_lines_split_per_line() -> None:
    lines = [line_amounts(D(1), D("1.00"), "13", price_includes_tax=True) for _ in range(7)]
    totals = order_totals(lines)
    assert (totals.net, totals.tax, totals.goods) == (D("6.16"), D("0.84"), D("7.00"))


def test_order_totals_with_freight_and_discount() -> None:
    lines = [
        line_amounts(D(2), D("113"), "13", price_includes_tax=True),
        line_amounts(D(1), D("100"), "6", price_includes_tax=False),
    ]
    totals = order_totals(iter(lines), freight=D("20"), discount=D("6.50"))
    assert totals == OrderTotals(
        net=D("300.00"),
        tax=D("32.00"),
        goods=D("332.00"),
        freight=D("20.00"),
        discount=D("6.50"),
        total=D("345.50"),
    )
    assert str(totals.freight) == "20.00"


def test_order_totals_of_nothing() -> None:
    totals = order_totals([])
    assert totals.total == 0
    assert str(totals.total) == "0.00"


def test_order_totals_discount_may_use_up_goods_and_freight() -> None:
    lines = [line_amounts(D(1), D("10"), "13", price_includes_tax=True)]
    assert order_totals(lines, freight=D("5"), discount=D("15")).total == 0


@pytest.mark.parametrize(
    ("freight", "discount", "message"),
    [
        (D("-1"), D("0"), "Freight cannot be negative"),
        (D("0"), D("-1"), "Discount cannot be negative"),
        (D("0.001"), D("0"), "Freight can have at most 2 decimal places"),
        (D("0"), D("0.001"), "Discount can have at most 2 decimal places"),
        (D("5"), D("15.01"), "Discount 15.01 is more than goods plus freight 15.00"),
    ],
)
def test_order_totals_refuses_bad_charges(
    freight: Decimal, discount: Decimal, message: str
) -> None:
    lines = [line_amounts(D(1), D("10"), "13", price_includes_tax=True)]
    with pytest.raises(ValueError, match=re.escape(message)):
        order_totals(lines, freight=freight, discount=discount)


def test_order_totals_refuses_floats_and_foreign_lines() -> None:
    with pytest.raises(TypeError):
        order_totals([], freight=1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="LineAmounts"):
        order_totals([(D(1), D(0), D(1))])  # type: ignore[list-item]


def test_credit_order_without_discount_is_fine() -> None:
    lines = [line_amounts(D(-1), D("113"), "13", price_includes_tax=True)]
    assert order_totals(lines).total == D("-113.00")


quantities = st.decimals(min_value=-10000, max_value=10000, places=4, allow_nan=False)
prices = st.decimals(min_value=0, max_value=100000, places=6, allow_nan=False)
tax_codes = st.sampled_from(TAX_CODES)


@given(quantities, prices, tax_codes)
def test_tax_included_lines_add_up_exactly(qty: Decimal, price: Decimal, code: str) -> None:
    line = line_amounts(qty, price, code, price_includes_tax=True)
    assert line.net + line.tax == line.gross
    assert line.gross == (qty * price).quantize(CENT, rounding="ROUND_HALF_UP")
    # well inside the 0.06 per line that invoicing software tolerates
    assert abs(line.tax - line.net * tax_rate(code)) <= D("0.01")
    for value in (line.net, line.tax, line.gross):
        assert value.as_tuple().exponent == -2


@given(quantities, prices, tax_codes)
def test_tax_excluded_lines(qty: Decimal, price: Decimal, code: str) -> None:
    line = line_amounts(qty, price, code, price_includes_tax=False)
    assert line.net + line.tax == line.gross
    assert line.net == (qty * price).quantize(CENT, rounding="ROUND_HALF_UP")
    assert abs(line.tax - line.net * tax_rate(code)) <= D("0.005")


@given(
    st.lists(st.tuples(quantities, prices, tax_codes, st.booleans()), max_size=20),
    st.integers(0, 10**6).map(_from_cents),
)
def test_totals_are_sums_of_lines(
    specs: list[tuple[Decimal, Decimal, str, bool]], freight: Decimal
) -> None:
    lines = [
        line_amounts(qty, price, code, price_includes_tax=included)
        for qty, price, code, included in specs
    ]
    totals = order_totals(lines, freight=freight)
    assert totals.net == sum((line.net for line in lines), D(0))
    assert totals.tax == sum((line.tax for line in lines), D(0))
    assert totals.goods == sum((line.gross for line in lines), D(0))
    assert totals.net + totals.tax == totals.goods
    assert totals.total == totals.goods + freight
