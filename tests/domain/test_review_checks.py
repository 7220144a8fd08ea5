"""Review checks of step 3 and the feasibility check of step 1, as pure functions."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from order_tui.domain import feasibility as fz
from order_tui.domain import review_checks as rc
from order_tui.domain import terms
from order_tui.domain.roles import Department

TODAY = date(2026, 11, 27)


def line(**kw: object) -> rc.LineFacts:
    base: dict[str, object] = {
        "line_no": 1,
        "product_code": "P0001",
        "name": "工业控制器",
        "qty": Decimal(2),
        "unit_price": Decimal("6800"),
        "floor_price": Decimal("6200"),
        "ceiling_price": Decimal("7500"),
        "made_to_order": False,
        "lead_time_days": 2,
        "available": Decimal(10),
        "incoming": Decimal(0),
        "incoming_date": None,
    }
    base.update(kw)
    return rc.LineFacts(**base)  # type: ignore[arg-type]


def facts(**kw: object) -> rc.ReviewFacts:
    base: dict[str, object] = {
        "order_total": Decimal("13600.00"),
        "credit_limit": Decimal("500000.00"),
        "open_orders": (),
        "payment_terms": "net30",
        "allowed_terms": frozenset({"prepaid", "net30"}),
        "invoice_type": "normal",
        "invoice_fields": {"name": "x", "uscc": "y", "address_phone": "z", "bank_account": "w"},
        "order_date": TODAY,
        "wanted_date": TODAY + timedelta(days=30),
        "lines": (line(),),
    }
    base.update(kw)
    return rc.ReviewFacts(**base)  # type: ignore[arg-type]


def codes(findings: list[rc.Finding]) -> list[tuple[Department, str]]:
    return [(f.department, f.code) for f in findings]


def test_a_clean_order_has_no_findings() -> None:
    assert rc.review_findings(facts()) == []


def test_credit_exposure_counts_open_orders() -> None:
    f = facts(credit_limit=Decimal("20000.00"), open_orders=(("SO20261127001", Decimal("7000")),))
    found = rc.check_credit(f)
    assert codes(found) == [(Department.SALES, "credit")]
    assert found[0].evidence["exposure"] == "20600.00"
    assert "SO20261127001" in found[0].evidence["open_orders"]
    assert rc.check_credit(facts(credit_limit=Decimal("20600.00"))) == []
    # Prepayment carries no credit risk.
    assert rc.check_credit(facts(credit_limit=Decimal(0), payment_terms="prepaid")) == []


def test_prices_below_floor_and_above_ceiling() -> None:
    low = facts(lines=(line(unit_price=Decimal("6199.99")),))
    assert codes(rc.check_prices(low)) == [
        (Department.SALES, "price_low"),
        (Department.FINANCE, "price_low"),
    ]
    high = facts(lines=(line(unit_price=Decimal("7500.01")),))
    assert codes(rc.check_prices(high)) == [(Department.FINANCE, "price_high")]
    assert rc.check_prices(facts(lines=(line(unit_price=Decimal("6200")),))) == []


def test_stock_shortfall_with_replenishment_date() -> None:
    short = facts(
        lines=(
            line(
                qty=Decimal(15),
                available=Decimal(10),
                incoming=Decimal(50),
                incoming_date=date(2026, 12, 15),
            ),
        )
    )
    (finding,) = rc.check_stock(short)
    assert finding.department == Department.WAREHOUSE and finding.severity == "warn"
    assert finding.evidence["shortfall"] == "5"
    assert finding.evidence["replenishment_date"] == "2026-12-15"
    (none_coming,) = rc.check_stock(facts(lines=(line(qty=Decimal(15)),)))
    assert none_coming.severity == "block"
    assert rc.check_stock(facts(lines=(line(made_to_order=True, available=Decimal(0)),))) == []


def test_made_to_order_needs_production_and_lead_time() -> None:
    mto = line(made_to_order=True, lead_time_days=25)
    ok = facts(lines=(mto,))
    assert codes(rc.check_capacity(ok)) == [(Department.PRODUCTION, "capacity")]
    late = facts(lines=(mto,), wanted_date=TODAY + timedelta(days=10))
    assert rc.check_capacity(late)[0].severity == "block"
    # The screen words the finding from its evidence, never from the English message.
    assert rc.check_capacity(late)[0].evidence["wanted"] == (TODAY + timedelta(days=10)).isoformat()
    assert "wanted" not in rc.check_capacity(ok)[0].evidence
    assert codes(rc.check_lead_time(late)) == [(Department.SALES, "lead_time")]
    assert rc.required_departments(True)[-1] == Department.PRODUCTION
    assert Department.PRODUCTION not in rc.required_departments(False)


def test_terms_and_invoice_data() -> None:
    assert codes(rc.check_terms(facts(payment_terms="net90"))) == [(Department.FINANCE, "terms")]
    incomplete = facts(
        invoice_type="special",
        invoice_fields={"name": "x", "uscc": "y", "address_phone": "", "bank_account": "w"},
    )
    (finding,) = rc.check_invoice(incomplete)
    assert "address_phone" in finding.message
    assert rc.check_invoice(facts(invoice_type="special")) == []


def test_round_complete_needs_every_department() -> None:
    required = rc.required_departments(False)
    assert not rc.round_complete(required, {Department.SALES, Department.FINANCE})
    assert rc.round_complete(required, set(required))


def fline(**kw: object) -> fz.FeasibilityLine:
    base: dict[str, object] = {
        "line_no": 1,
        "product_code": "P0001",
        "qty": Decimal(5),
        "on_hand": Decimal(10),
        "locked": Decimal(2),
        "incoming": Decimal(0),
        "incoming_date": None,
        "made_to_order": False,
        "lead_time_days": 2,
    }
    base.update(kw)
    return fz.FeasibilityLine(**base)  # type: ignore[arg-type]


def test_feasibility_risks() -> None:
    ok = fz.assess_line(fline(), TODAY, TODAY + timedelta(days=10))
    assert (ok.available, ok.shortfall, ok.risk) == (Decimal(8), Decimal(0), "")
    assert ok.earliest == TODAY + timedelta(days=4)
    short = fz.assess_line(
        fline(qty=Decimal(20), incoming=Decimal(50), incoming_date=date(2026, 12, 15)),
        TODAY,
        None,
    )
    assert short.risk == "shortage" and short.earliest == date(2026, 12, 17)
    late = fz.assess_line(fline(made_to_order=True, lead_time_days=30), TODAY, TODAY)
    assert late.risk == "late"
    none = fz.assess_line(fline(qty=Decimal(20)), TODAY, None)
    assert none.risk == "no_supply" and none.earliest is None
    assert fz.earliest_possible([ok, none]) is None
    assert fz.earliest_possible([ok, short]) == date(2026, 12, 17)


@given(
    on_hand=st.integers(0, 1000),
    locked=st.integers(0, 1000),
    qty=st.integers(1, 1000),
)
def test_shortfall_plus_available_covers_the_quantity(on_hand: int, locked: int, qty: int) -> None:
    result = fz.assess_line(
        fline(on_hand=Decimal(on_hand), locked=Decimal(min(locked, on_hand)), qty=Decimal(qty)),
        TODAY,
        None,
    )
    assert result.shortfall >= 0 and result.available >= 0
    assert min(result.available, result.qty) + result.shortfall == result.qty


def test_terms_helpers() -> None:
    assert terms.payment_due(TODAY, "net30") == TODAY + timedelta(days=30)
    assert terms.payment_due(TODAY, "cod") is None
    assert terms.missing_documents({"purchase_confirmation", "signed_receipt"}) == (
        "invoice_copy",
        "communication",
    )
    assert terms.retention_date(date(2024, 2, 29), 3) == date(2027, 2, 28)
    try:
        terms.retention_date(TODAY, 2)
    except ValueError as exc:
        assert "at least 3" in str(exc)
    else:
        raise AssertionError("retention below 3 years accepted")


# -- non-stocked products (services) ------------------------------------------------------------


@given(qty=st.integers(1, 10_000), lead=st.integers(0, 10))
def test_a_service_is_never_short(qty: int, lead: int) -> None:
    """Installation, training, freight: no stock, so no shortfall, no risk, no stock finding."""
    service = fline(
        product_code="P0012",
        qty=Decimal(qty),
        on_hand=Decimal(0),
        locked=Decimal(0),
        lead_time_days=lead,
        stocked=False,
    )
    result = fz.assess_line(service, TODAY, None)
    assert (result.shortfall, result.risk, result.stocked) == (Decimal(0), "", False)
    assert result.earliest == TODAY + timedelta(days=lead + 2)
    f = facts(
        lines=(line(product_code="P0012", qty=Decimal(qty), available=Decimal(0), stocked=False),)
    )
    assert rc.check_stock(f) == []


def test_a_stocked_line_beside_a_service_is_still_checked() -> None:
    f = facts(
        lines=(
            line(line_no=1, product_code="P0012", available=Decimal(0), stocked=False),
            line(line_no=2, qty=Decimal(20), available=Decimal(5)),
        )
    )
    found = rc.check_stock(f)
    assert [x.evidence["line"] for x in found] == ["2"]


# -- terms in numbers against the customer's allowed terms ---------------------------------------


def test_terms_numbers_within_the_allowed() -> None:
    allowed = frozenset({"prepaid", "net30", "net60"})
    ok = facts(payment_terms="net60", allowed_terms=allowed, prepay_pct=30, credit_days=60)
    assert rc.check_terms_numbers(ok) == []
    assert rc.review_findings(ok) == []
    # the defaults of an allowed code are never looser than allowed
    assert rc.check_terms_numbers(facts()) == []


def test_credit_days_above_the_longest_allowed_term() -> None:
    f = facts(payment_terms="net30", prepay_pct=30, credit_days=60)
    found = rc.check_terms_numbers(f)
    assert codes(found) == [(Department.FINANCE, "terms_loose")]
    ev = found[0].evidence
    assert (ev["credit_days"], ev["max_credit_days"], ev["looser"]) == ("60", "30", "credit_days")
    assert ev["terms_zh"] == "30% 预付，余款月结60天"
    assert ev["terms_en"] == "30% prepaid, balance net 60"
    assert found[0].severity == "block"


def test_prepayment_below_what_the_allowed_terms_require() -> None:
    f = facts(payment_terms="prepaid", allowed_terms=frozenset({"prepaid"}), prepay_pct=30)
    found = rc.check_terms_numbers(f)
    assert codes(found) == [(Department.FINANCE, "terms_loose")]
    assert found[0].evidence["min_prepay_pct"] == "100"
    assert found[0].evidence["looser"] == "prepay_pct"
    # 30 % prepaid leaves a balance on credit: the credit check counts it again
    assert codes(rc.check_credit(replace(f, credit_limit=Decimal(0)))) == [
        (Department.SALES, "credit")
    ]


def test_a_code_not_allowed_is_one_finding_not_two() -> None:
    f = facts(payment_terms="net90", prepay_pct=0, credit_days=90)
    assert codes(rc.review_findings(f)) == [(Department.FINANCE, "terms")]


@given(pct=st.integers(0, 100), days=st.integers(0, 365))
def test_terms_finding_matches_the_limits(pct: int, days: int) -> None:
    if pct == 100:
        days = 0
    f = facts(payment_terms="net30", prepay_pct=pct, credit_days=days)
    found = rc.check_terms_numbers(f)
    assert bool(found) == (pct < 100 and days > 30)
