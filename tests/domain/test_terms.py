"""Payment terms in numbers: defaults per code, validation, the due date, the words."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from order_tui.domain import messages, terms
from order_tui.domain.errors import ValidationError

ORDER_DAY = date(2026, 11, 27)
days_of_year = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@pytest.mark.parametrize(
    ("code", "pct", "days"),
    [("prepaid", 100, 0), ("cod", 0, 0), ("net30", 0, 30), ("net60", 0, 60), ("net90", 0, 90)],
)
def test_each_code_stands_for_numbers(code: str, pct: int, days: int) -> None:
    assert terms.default_numbers(code) == terms.TermNumbers(pct, days)


def test_every_code_has_numbers() -> None:
    assert set(terms.TERM_NUMBERS) == set(terms.PAYMENT_TERMS)
    with pytest.raises(ValueError):
        terms.default_numbers("net45")


@given(st.integers(0, 99), st.integers(0, terms.MAX_CREDIT_DAYS))
def test_numbers_in_range_pass(pct: int, days: int) -> None:
    assert terms.check_numbers(pct, days) == terms.TermNumbers(pct, days)


@given(st.integers().filter(lambda n: not 0 <= n <= 100), st.integers(0, 365))
def test_prepayment_out_of_range_is_refused_beside_its_field(pct: int, days: int) -> None:
    with pytest.raises(ValidationError) as info:
        terms.check_numbers(pct, days)
    assert (info.value.code, info.value.field) == ("terms.prepay_range", "prepay_pct")


@given(st.integers(0, 99), st.integers().filter(lambda n: not 0 <= n <= 365))
def test_credit_days_out_of_range_are_refused_beside_their_field(pct: int, days: int) -> None:
    with pytest.raises(ValidationError) as info:
        terms.check_numbers(pct, days)
    assert (info.value.code, info.value.field) == ("terms.credit_days_range", "credit_days")
    assert "365" in messages.localized(info.value, "zh")


@pytest.mark.parametrize("value", [30.0, "30", True, None])
def test_only_whole_numbers_are_numbers(value: object) -> None:
    with pytest.raises(ValidationError):
        terms.check_numbers(value, 0)
    with pytest.raises(ValidationError):
        terms.check_numbers(0, value)


def test_no_credit_days_without_a_balance() -> None:
    with pytest.raises(ValidationError) as info:
        terms.check_numbers(100, 30)
    assert info.value.field == "credit_days"
    assert messages.localized(info.value, "zh").startswith("100% 预付时没有余款")


def test_resolve_fills_what_is_not_given_from_the_code() -> None:
    assert terms.resolve_numbers("net60", None, None) == terms.TermNumbers(0, 60)
    assert terms.resolve_numbers("net60", 30, None) == terms.TermNumbers(30, 60)
    assert terms.resolve_numbers("prepaid", None, None) == terms.TermNumbers(100, 0)
    assert terms.resolve_numbers("cod", 20, 15) == terms.TermNumbers(20, 15)


def test_due_date_rule() -> None:
    assert terms.due_date(ORDER_DAY, 100, 0) == ORDER_DAY
    assert terms.due_date(ORDER_DAY, 30, 60) == ORDER_DAY + timedelta(days=60)
    assert terms.due_date(ORDER_DAY, 0, 30) == date(2026, 12, 27)
    assert terms.due_date(ORDER_DAY, 30, 0) is None  # balance on delivery
    assert terms.due_date(ORDER_DAY, 0, 0) is None


@given(days_of_year, st.sampled_from(sorted(terms.PAYMENT_TERMS)))
def test_codes_defaults_keep_the_old_due_rule(day: date, code: str) -> None:
    n = terms.default_numbers(code)
    old_days = terms.PAYMENT_TERMS[code][2]
    expected = None if old_days is None else day + timedelta(days=old_days)
    assert terms.due_date(day, n.prepay_pct, n.credit_days) == expected
    assert terms.payment_due(day, code) == expected


@given(days_of_year, st.integers(0, 99), st.integers(1, 365))
def test_a_balance_on_credit_is_due_after_the_order(day: date, pct: int, days: int) -> None:
    due = terms.due_date(day, pct, days)
    assert due is not None and (due - day).days == days


@pytest.mark.parametrize(
    ("pct", "days", "zh", "en"),
    [
        (30, 60, "30% 预付，余款月结60天", "30% prepaid, balance net 60"),
        (30, 0, "30% 预付，余款货到付款", "30% prepaid, balance on delivery"),
        (100, 0, "100% 预付", "100% prepaid"),
        (0, 0, "货到付款", "cash on delivery"),
        (0, 90, "月结90天", "net 90"),
    ],
)
def test_describe_in_both_languages(pct: int, days: int, zh: str, en: str) -> None:
    assert terms.describe(pct, days, "zh") == zh
    assert terms.describe(pct, days, "en") == en


@given(st.integers(0, 100), st.integers(0, 365))
def test_describe_names_the_numbers(pct: int, days: int) -> None:
    for lang in ("zh", "en"):
        text = terms.describe(pct, days, lang)
        if pct > 0:
            assert f"{pct}%" in text
        if pct < 100 and days:
            assert str(days) in text


def test_allowed_limits_and_looser_terms() -> None:
    assert terms.allowed_limits({"prepaid"}) == terms.TermNumbers(100, 0)
    assert terms.allowed_limits({"prepaid", "net60"}) == terms.TermNumbers(0, 60)
    assert terms.allowed_limits({"unknown"}) is None
    allowed = {"prepaid", "net30"}
    assert terms.looser_than_allowed(terms.TermNumbers(30, 30), allowed) == ()
    assert terms.looser_than_allowed(terms.TermNumbers(30, 60), allowed) == ("credit_days",)
    only_prepaid = {"prepaid"}
    assert terms.looser_than_allowed(terms.TermNumbers(30, 0), only_prepaid) == ("prepay_pct",)
    assert terms.looser_than_allowed(terms.TermNumbers(100, 0), only_prepaid) == ()


@given(
    st.integers(0, 100),
    st.integers(0, 365),
    st.sets(st.sampled_from(sorted(terms.PAYMENT_TERMS)), min_size=1),
)
def test_a_code_own_defaults_are_never_looser_than_itself(
    pct: int, days: int, allowed: set[str]
) -> None:
    for code in allowed:
        assert terms.looser_than_allowed(terms.default_numbers(code), allowed) == ()
    limits = terms.allowed_limits(allowed)
    assert limits is not None
    looser = terms.looser_than_allowed(terms.TermNumbers(pct, days), allowed)
    assert ("prepay_pct" in looser) == (pct < limits.prepay_pct)
    assert ("credit_days" in looser) == (pct < 100 and days > limits.credit_days)


def test_terms_text_names_the_code_or_the_numbers() -> None:
    assert terms.terms_text("net60", 0, 60, "zh") == "月结60天"
    assert terms.terms_text("net60", 30, 60, "zh") == "30% 预付，余款月结60天"
    assert terms.terms_text("net60", 30, 60, "en") == "30% prepaid, balance net 60"
    assert terms.terms_text("prepaid", 100, 0, "en") == "Prepayment"
