"""USCC, phone, postcode and bank-account checks (rules: shared notes, sections 1 and 5)."""

import re
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from order_tui.domain.codes import (
    USCC_ALPHABET,
    InvalidCode,
    bank_account_warnings,
    check_bank_account,
    check_landline,
    check_mobile,
    check_phone,
    check_postcode,
    check_uscc,
    uscc_check_char,
)

VALID_USCC = "91110000600037341L"


def _uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


def _refused(check: Callable[[str], str], text: str, message: str) -> None:
    with pytest.raises(InvalidCode, match=re.escape(message)):
        check(text)


# --- USCC --------------------------------------------------------------------------------------


def test_invalid_code_is_a_value_error() -> None:
    assert issubclass(InvalidCode, ValueError)


def test_uscc_check_char_worked_example() -> None:
    assert uscc_check_char("91110000600037341") == "L"
    assert len(USCC_ALPHABET) == 31
    assert not set("IOSVZ") & set(USCC_ALPHABET)


def test_uscc_check_char_refuses_bad_bodies() -> None:
    _refused(uscc_check_char, "9111000060003734", "USCC body must be 17 characters, got 16")
    _refused(uscc_check_char, "9111000060003734I", "'I' at position 17 is not allowed")


@pytest.mark.parametrize(
    "code",
    [
        VALID_USCC,
        _uscc("92330106MA2AB1C2D"),  # 个体工商户
        _uscc("A1110000MA0000001"),  # 中央军委改革和编制办公室
        _uscc("N2330106123456789"),  # 农村集体经济组织: stdnum refuses these wrongly
        _uscc("N3110108MA01XYW0Y"),
        _uscc("Y1110000000000001"),
        _uscc("51110000500012345"),  # 社会团体
    ],
)
def test_valid_usccs(code: str) -> None:
    assert check_uscc(code) == code


@pytest.mark.parametrize(
    "typed",
    [
        " 9111 0000 6000 3734 1L ",
        "91110000600037341l",
        "\uff19\uff11\uff11\uff11\uff10\uff10\uff10\uff10600037341\uff2c",  # full-width
        "91110000\u3000600037341L",  # ideographic space
        "911100-00600037341L",
        "9111\t0000\n600037341L",
    ],
)
def test_uscc_input_is_normalised(typed: str) -> None:
    assert check_uscc(typed) == VALID_USCC


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9111000060003734L", "USCC must be 18 characters, got 17"),
        ("91110000600037341LL", "USCC must be 18 characters, got 19"),
        ("", "USCC must be 18 characters, got 0"),
        (
            "91110000I00037341L",
            "USCC character 'I' at position 9 is not allowed (I, O, S, V and Z are never used)",
        ),
        ("91110000O00037341L", "'O' at position 9"),
        ("9111000060003734*L", "USCC character '*' at position 17 is not allowed"),
        (
            "000000000000000000",
            "USCC registration authority (1st character) must be 1-9, A, N or Y",
        ),
        (_uscc("B1110000600037341"), "registration authority (1st character)"),
        (_uscc("90110000600037341"), "USCC category (2nd character) must be a digit 1-9, got '0'"),
        (_uscc("9A110000600037341"), "category (2nd character) must be a digit 1-9, got 'A'"),
        (
            _uscc("911100A0600037341"),
            "USCC positions 3-8 (region code) must be digits, got '1100A0'",
        ),
        ("91110000600037341M", "USCC check character should be 'L', not 'M'"),
        ("91110000600037342L", "check character should be"),
        # a known real pilot-era code that fails the check; rejected by default (notes 1.5)
        ("91350211M00013FA1N", "check character should be"),
    ],
)
def test_uscc_refusals_say_why(typed: str, message: str) -> None:
    _refused(check_uscc, typed, message)


def test_all_zero_uscc_passes_the_checksum_but_not_the_authority() -> None:
    assert uscc_check_char("0" * 17) == "0"
    _refused(check_uscc, "0" * 18, "got '0'")


def test_uscc_refuses_non_text() -> None:
    with pytest.raises(TypeError):
        check_uscc(91110000600037341)  # type: ignore[arg-type]


uscc_bodies = st.builds(
    lambda authority, category, region, subject: authority + category + region + subject,
    st.sampled_from("123456789ANY"),
    st.sampled_from("123456789"),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
)


@given(uscc_bodies)
def test_any_valid_body_with_its_check_char_passes(body: str) -> None:
    code = body + uscc_check_char(body)
    assert check_uscc(code) == code
    assert check_uscc(" " + code.lower() + " ") == code


@given(uscc_bodies, st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_any_single_character_change_is_caught(body: str, position: int, new: str) -> None:
    code = body + uscc_check_char(body)
    if code[position] == new:
        new = USCC_ALPHABET[(USCC_ALPHABET.index(new) + 1) % 31]
    changed = code[:position] + new + code[position + 1 :]
    with pytest.raises(InvalidCode):
        check_uscc(changed)


# --- mobile numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+86-138-0013-8000",
        "(+86) 13800138000",
        "0086 13800138000",
        "8613800138000",
        "\uff11\uff13\uff18\uff10\uff10\uff11\uff13\uff18\uff10\uff10\uff10",  # full-width
        " 138\u30000013\u30008000 ",
    ],
)
def test_mobile_numbers_are_normalised(typed: str) -> None:
    assert check_mobile(typed) == "13800138000"


@pytest.mark.parametrize("number", ["13000000000", "19999999999", "16612345678", "14912345678"])
def test_every_segment_13_to_19_is_accepted(number: str) -> None:
    assert check_mobile(number) == number


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "mobile number is empty"),
        ("12800138000", "mobile number must start with 13 to 19"),
        ("10086123456", "must start with 13 to 19"),
        ("1380013800", "mobile number must have 11 digits, got 10"),
        ("138001380001", "must have 11 digits, got 12"),
        ("861380013800", "must have 11 digits, got 12"),  # 86 + only 10 digits
        ("+8612800138000", "mobile number must start with 13 to 19"),
        ("138OO138000", "may contain only digits"),
        ("+1 415 555 0100", "may contain only digits"),
    ],
)
def test_mobile_refusals(typed: str, message: str) -> None:
    _refused(check_mobile, typed, message)


# --- landlines ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0571-87654321", "0571-87654321"),
        ("057187654321", "0571-87654321"),
        ("(0571) 87654321", "0571-87654321"),
        ("(0571)8765 4321", "0571-87654321"),
        ("0571 8765 4321", "0571-87654321"),
        ("0571-8765-4321", "0571-87654321"),
        ("010-62345678", "010-62345678"),
        ("01062345678", "010-62345678"),
        ("021 6234 5678", "021-62345678"),
        ("0891-6234567", "0891-6234567"),  # Lhasa: 7-digit local numbers
        ("\uff08\uff10\uff15\uff17\uff11\uff0987654321", "0571-87654321"),  # full-width
        ("+86 571 87654321", "0571-87654321"),
        ("0086-10-62345678", "010-62345678"),
        # extensions
        ("0571-87654321-123", "0571-87654321-123"),
        ("0571-87654321 - 8001", "0571-87654321-8001"),
        ("010-62345678转8001", "010-62345678-8001"),
        ("010 62345678 转 8001", "010-62345678-8001"),
        ("021-62345678 ext 12", "021-62345678-12"),
        ("021-62345678 ext.12", "021-62345678-12"),
        ("021-62345678 EXT. 12", "021-62345678-12"),
        ("021-62345678 x 123456", "021-62345678-123456"),
        ("021-62345678x1", "021-62345678-1"),
        ("0891-6234567-9", "0891-6234567-9"),
    ],
)
def test_landlines_are_normalised(typed: str, expected: str) -> None:
    assert check_landline(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "landline number is empty"),
        ("87654321", "landline number must start with its area code, like 0571-87654321"),
        ("0123-62345678", "'012' is not an area code"),
        ("0012345678", "'0012' is not an area code"),
        ("0571-654321", "must have 7 or 8 digits after area code 0571, got 6"),
        ("0571-876543210", "must have 7 or 8 digits after area code 0571, got 9"),
        ("0571-12345678", "cannot start with 0 or 1 after the area code"),
        ("0571-02345678", "cannot start with 0 or 1"),
        ("0571-87654321 转 1234567", "may contain only digits"),
        ("0571-8765432a", "may contain only digits"),
    ],
)
def test_landline_refusals(typed: str, message: str) -> None:
    _refused(check_landline, typed, message)


def test_check_phone_takes_either_kind() -> None:
    assert check_phone("+86 138 0013 8000") == "13800138000"
    assert check_phone("(0571) 8765 4321 转 8") == "0571-87654321-8"
    for typed in ("12345", "", "12800138000", "0571-123", "hello"):
        _refused(check_phone, typed, "not a valid mobile or landline number")


# --- postcodes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("100000", "100000"),
        (" 310000 ", "310000"),
        ("\uff13\uff11\uff10\uff10\uff10\uff10", "310000"),
    ],
)
def test_postcodes(typed: str, expected: str) -> None:
    assert check_postcode(typed) == expected


@pytest.mark.parametrize("typed", ["", "31000", "3100001", "31000a", "310-000x", "\u0663" * 6])
def test_postcode_refusals(typed: str) -> None:
    _refused(check_postcode, typed, "postcode must be 6 digits")


# --- bank accounts -----------------------------------------------------------------------------


def _luhn_digit(body: str) -> str:
    total = 0
    for index, ch in enumerate(reversed(body)):
        value = int(ch) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str(-total % 10)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("6222 0212 3456 7890 128", "6222021234567890128"),
        ("6222-0212-3456-7890", "6222021234567890"),
        ("1202\u30000201\u30000900\u30000123\u3000456", "1202020109000123456"),
        ("123456", "123456"),
        ("1" * 32, "1" * 32),
    ],
)
def test_bank_accounts(typed: str, expected: str) -> None:
    assert check_bank_account(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "bank account is empty"),
        ("12345", "bank account must have 6 to 32 digits, got 5"),
        ("1" * 33, "must have 6 to 32 digits, got 33"),
        ("6222O21234567890", "bank account may contain only digits"),
        ("6222.0212", "may contain only digits"),
    ],
)
def test_bank_account_refusals(typed: str, message: str) -> None:
    _refused(check_bank_account, typed, message)


def test_luhn_warning_only_for_card_lengths() -> None:
    assert bank_account_warnings("4111111111111111") == []
    assert bank_account_warnings("4111 1111 1111 1111") == []
    assert bank_account_warnings("4111111111111112") == [
        "card number fails the Luhn check; please re-check"
    ]
    # corporate accounts of other lengths have no public check digit
    assert bank_account_warnings("123456789012") == []
    assert bank_account_warnings("12345678901234567890") == []
    assert bank_account_warnings("not digits") == []


@given(st.integers(15, 18).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n)))
def test_luhn_valid_cards_pass_and_any_one_digit_typo_warns(body: str) -> None:
    card = body + _luhn_digit(body)
    assert check_bank_account(card) == card
    assert bank_account_warnings(card) == []
    position = len(card) // 2
    typo = card[:position] + str((int(card[position]) + 1) % 10) + card[position + 1 :]
    assert bank_account_warnings(typo) == ["card number fails the Luhn check; please re-check"]
