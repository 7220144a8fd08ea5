"""Hostile input into every service that takes what an operator typed.

Each call either succeeds (and what it stored reads back as typed, or normalised as
documented) or raises a domain error with a catalog code in both languages, leaving the
database exactly as it was. Never another exception, never a partial write. Each example runs
on its own copy of the demo database (an order in every status).
"""

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from order_tui.domain import messages
from order_tui.domain.errors import ValidationError
from order_tui.services import (
    archive,
    attachments,
    closing,
    delivery,
    execution,
    forms,
    imports,
    inbox,
    intake,
    lookup,
    masterdata,
    monthly_review,
    operators,
    orders,
    profile,
    review,
)
from order_tui.store.engine import Database
from tests.hostile import (
    hostile_date,
    hostile_date_text,
    hostile_decimal,
    hostile_int,
    hostile_number_text,
    hostile_text,
    one_hostile,
)
from tests.reader import READER
from tests.services.hostile_world import World, actor, attempt, build_world, fingerprint

FEW = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("hostile-world"))


# --- step 1: intake --------------------------------------------------------------------------


_GOOD_LINE = intake.RequirementLineInput("P0001", Decimal("2"))


def _third(**changed: object) -> intake.RequirementInput:
    """Two good lines and a third with `changed` fields."""
    third = intake.RequirementLineInput(**{"product_code": "P0001", "qty": Decimal("2"), **changed})  # type: ignore[arg-type]
    return intake.RequirementInput(
        "C0001", "李经理", "13800138000", [_GOOD_LINE, _GOOD_LINE, third]
    )


@pytest.mark.parametrize(
    ("changed", "field"),
    [
        ({"qty": Decimal("NaN")}, "qty"),
        ({"qty": Decimal("sNaN")}, "qty"),
        ({"qty": Decimal("-Infinity")}, "qty"),
        ({"qty": Decimal("1E+30")}, "qty"),
        ({"qty": Decimal("-1")}, "qty"),
        ({"qty": Decimal("0")}, "qty"),
        ({"qty": Decimal("1.23456")}, "qty"),
        ({"product_code": "P9999"}, "product_code"),
        ({"product_code": "中" * 41}, "product_code"),
        ({"description": "a\x00b"}, "description"),
        ({"spec": "x" * 201}, "spec"),
        ({"parameters": "\x1b[31m"}, "parameters"),
    ],
    ids=repr,
)
def test_a_bad_requirement_line_is_named_by_its_number(
    world: World, changed: dict[str, object], field: str
) -> None:
    """As order entry's line messages do: "第 3 行…" / "line 3: ...", field `lines.3.<name>`."""
    with world.fresh() as db:
        before = fingerprint(db)
        with pytest.raises(ValidationError) as refused:
            intake.record_requirement(db, actor(db, "wang"), _third(**changed))
        error = refused.value
        assert (error.field, error.params.get("line")) == (f"lines.3.{field}", 3)
        assert messages.localized(error, "zh").startswith("第 3 行")
        assert messages.localized(error, "en").startswith("line 3: ")
        assert fingerprint(db) == before


def _lines(valid: dict, hostile: dict, build: type, most: int = 3) -> st.SearchStrategy:
    """Form lines: a list of valid lines with hostile values in some of them."""
    one = one_hostile(valid, hostile).map(lambda d: build(**d))
    return st.lists(st.one_of(st.just(build(**valid)), one), min_size=0, max_size=most)


requirement_lines = _lines(
    {"product_code": "P0001", "qty": Decimal("2"), "description": "", "spec": "", "parameters": ""},
    {
        "product_code": st.one_of(st.just(""), hostile_text),
        "qty": hostile_decimal,
        "description": hostile_text,
        "spec": hostile_text,
        "parameters": hostile_text,
    },
    intake.RequirementLineInput,
)
requirement_inputs = one_hostile(
    {
        "customer_code": "C0001",
        "contact_name": "李经理",
        "contact_phone": "13800138000",
        "lines": [intake.RequirementLineInput("P0001", Decimal("2"))],
        "channel": "phone",
        "description": "产线改造",
        "key_demands": "",
        "special_requirements": "",
        "budget": None,
        "wanted_date": None,
    },
    {
        "customer_code": hostile_text,
        "contact_name": hostile_text,
        "contact_phone": hostile_text,
        "lines": requirement_lines,
        "channel": hostile_text,
        "description": hostile_text,
        "key_demands": hostile_text,
        "special_requirements": hostile_text,
        "budget": hostile_decimal,
        "wanted_date": hostile_date,
    },
).map(lambda d: intake.RequirementInput(**d))


@FEW
@given(data=requirement_inputs)
def test_record_requirement(world: World, data: intake.RequirementInput) -> None:
    with world.fresh() as db:
        result = attempt(db, lambda: intake.record_requirement(db, actor(db, "wang"), data))
        if result is not None:
            assert result.customer_code == data.customer_code.strip() or result.customer_code


@FEW
@given(data=requirement_inputs, text=hostile_text)
def test_update_requirement_and_alternative(
    world: World, data: intake.RequirementInput, text: str
) -> None:
    with world.fresh() as db:
        wang = actor(db, "wang")
        attempt(db, lambda: intake.update_requirement(db, wang, 1, data, 1))
        attempt(db, lambda: intake.agree_alternative(db, wang, 1, text))


# --- step 2: order entry ----------------------------------------------------------------------

order_lines = _lines(
    {"product_code": "P0001", "qty": Decimal("1"), "unit_price": None, "tax_code": None},
    {
        "product_code": st.one_of(st.just("P0006"), hostile_text),
        "qty": hostile_decimal,
        "unit_price": hostile_decimal,
        "tax_code": hostile_text,
    },
    orders.LineInput,
)
order_inputs = one_hostile(
    {"customer_code": "C0001", "lines": [orders.LineInput("P0001", Decimal("1"))]},
    {
        "customer_code": hostile_text,
        "lines": order_lines,
        "freight": hostile_decimal,
        "discount": hostile_decimal,
        "payment_terms": hostile_text,
        "prepay_pct": hostile_int,
        "credit_days": hostile_int,
        "invoice_type": hostile_text,
        "wanted_date": hostile_date,
        "payment_due_date": hostile_date,
        "contact_name": hostile_text,
        "contact_phone": hostile_text,
        "address_id": hostile_int,
        "remarks": hostile_text,
    },
).map(lambda d: orders.OrderInput(**d))


@FEW
@given(data=order_inputs)
def test_create_order(world: World, data: orders.OrderInput) -> None:
    with world.fresh() as db:
        made = attempt(db, lambda: orders.create_order(db, actor(db, "zhao"), data))
        if made is not None:
            assert orders.get_order(db, READER, made.order_no).remarks == data.remarks


@FEW
@given(data=order_inputs)
def test_edit_order(world: World, data: orders.OrderInput) -> None:
    with world.fresh() as db:
        order_no = world.order("draft")
        attempt(db, lambda: orders.edit_order(db, actor(db, "zhao"), order_no, data, None))


# --- step 3: review ---------------------------------------------------------------------------


@FEW
@given(reason=st.one_of(st.just("price"), hostile_text), text=hostile_text)
def test_reject_and_approve(world: World, reason: str, text: str) -> None:
    with world.fresh() as db:
        order_no = world.order("in_review")
        attempt(db, lambda: review.approve(db, actor(db, "chen"), order_no, comment=text))
        attempt(db, lambda: review.reject(db, actor(db, "zhang"), order_no, reason, text))


# --- step 4: execution ------------------------------------------------------------------------


@FEW
@given(kind=st.one_of(st.just("delay"), hostile_text), text=hostile_text, owner=hostile_text)
def test_holds(world: World, kind: str, text: str, owner: str) -> None:
    with world.fresh() as db:
        order_no = world.order("approved", 1)
        liu = actor(db, "liu")
        attempt(db, lambda: execution.raise_hold(db, liu, order_no, kind, text, owner=owner))
        attempt(db, lambda: execution.release_hold(db, liu, order_no, kind, text))


@FEW
@given(
    name=hostile_text,
    owner=hostile_text,
    start=hostile_date,
    due=hostile_date,
)
def test_plan_production(world: World, name: str, owner: str, start: date, due: date) -> None:
    with world.fresh() as db:
        order_no = world.order("mto")
        detail = orders.get_order(db, READER, order_no)
        mto = [ln for ln in detail.lines if ln.made_to_order]
        ops = {mto[0].line_no: [execution.OperationInput(name, owner, start, due)]}
        sun = actor(db, "sun")
        plans = attempt(db, lambda: execution.plan_production(db, sun, order_no, ops))
        if plans is not None:
            view = execution.production_view(db, READER, order_no)
            op = view.lines[0].operations[0] if view.lines else None
            if op is not None:
                attempt(
                    db,
                    lambda: execution.revise_operation(
                        db, sun, order_no, op.id, execution.OperationInput(name, owner, due, start)
                    ),
                )


@FEW
@given(qty=hostile_decimal, code=hostile_text, spec=st.one_of(st.none(), hostile_text))
def test_pick_and_pack(world: World, qty: Decimal, code: str, spec: str | None) -> None:
    with world.fresh() as db:
        order_no = world.order("picking")
        liu = actor(db, "liu")
        line_no = orders.get_order(db, READER, order_no).lines[0].line_no
        attempt(db, lambda: execution.pick_scanned(db, liu, order_no, code, qty, spec))
        attempt(db, lambda: execution.pick(db, liu, order_no, {line_no: qty}))
        attempt(db, lambda: execution.pack(db, liu, order_no, [(1, qty, code)]))


# --- step 5: shipping, sign-off, feedback -----------------------------------------------------


@FEW
@given(
    carrier=st.one_of(st.just("顺丰速运"), hostile_text),
    mode=st.one_of(st.just("parcel"), hostile_text),
    tracking=hostile_text,
    ship_date=st.one_of(st.none(), hostile_date),
    qty=st.one_of(st.none(), hostile_decimal),
)
def test_ship(
    world: World,
    carrier: str,
    mode: str,
    tracking: str,
    ship_date: date | None,
    qty: Decimal | None,
) -> None:
    with world.fresh() as db:
        order_no = world.order("packed")
        lines = orders.get_order(db, READER, order_no).lines
        quantities = None if qty is None else {lines[0].line_no: qty}
        attempt(
            db,
            lambda: delivery.ship(
                db,
                actor(db, "zhou"),
                order_no,
                carrier=carrier,
                mode=mode,
                tracking_no=tracking,
                ship_date=ship_date,
                quantities=quantities,
            ),
        )


@FEW
@given(signer=hostile_text, discrepancy=hostile_text, oks=st.lists(st.booleans(), min_size=3))
def test_sign_off(
    world: World, tmp_path_factory: pytest.TempPathFactory, signer: str, discrepancy: str, oks
) -> None:
    with world.fresh() as db:
        order_no = world.order("shipped")
        receipt = Path(db.data_dir) / "receipt.txt" if hasattr(db, "data_dir") else None
        if receipt is not None:
            receipt.write_text("签收", encoding="utf-8")
        attempt(
            db,
            lambda: delivery.sign_off(
                db,
                actor(db, "zhou"),
                order_no,
                signer=signer,
                qty_ok=oks[0],
                appearance_ok=oks[1],
                packaging_ok=oks[2],
                receipt=receipt,
                discrepancy=discrepancy,
            ),
        )


@FEW
@given(
    satisfaction=st.one_of(st.none(), hostile_int),
    remarks=hostile_text,
    after_sales=hostile_text,
    flags=st.lists(st.booleans(), min_size=2),
)
def test_record_feedback(
    world: World, satisfaction: int | None, remarks: str, after_sales: str, flags
) -> None:
    with world.fresh() as db:
        order_no = world.order("delivered")
        attempt(
            db,
            lambda: delivery.record_feedback(
                db,
                actor(db, "wang"),
                order_no,
                reached=flags[0],
                satisfaction=satisfaction,
                remarks=remarks,
                after_sales_needed=flags[1],
                after_sales=after_sales,
            ),
        )


# --- step 6: closing --------------------------------------------------------------------------


@FEW
@given(reason=st.one_of(st.just("customer"), hostile_text), text=hostile_text, years=hostile_int)
def test_cancel_and_archive(world: World, reason: str, text: str, years: int) -> None:
    with world.fresh() as db:
        attempt(
            db, lambda: closing.cancel(db, actor(db, "zhao"), world.order("draft"), reason, text)
        )
        attempt(
            db,
            lambda: closing.archive(
                db, actor(db, "wu"), world.order("completed"), retention_years=years
            ),
        )


@FEW
@given(month=hostile_text, notes=hostile_text, version=hostile_int)
def test_monthly_review_notes(world: World, month: str, notes: str, version: int) -> None:
    with world.fresh() as db:
        zhang = actor(db, "zhang")
        attempt(db, lambda: monthly_review.monthly_review(db, zhang, month))
        attempt(db, lambda: monthly_review.save_review_notes(db, zhang, "2026-10", notes, 1))
        attempt(db, lambda: monthly_review.save_review_notes(db, zhang, month, notes, version))


# --- master data, operators, drafts -----------------------------------------------------------

_CUSTOMER = {
    "code": "C9001",
    "legal_name": "杭州新客户有限公司",
    "uscc": "91330100MA2B0TMW18",
    "contact_name": "钱经理",
    "contact_phone": "13912345678",
    "province": "浙江省",
    "city": "杭州市",
    "district": "西湖区",
    "detail": "文三路1号",
    "postcode": "310000",
    "bank_name": "工商银行",
    "bank_account": "",
    "credit_limit": Decimal("0.00"),
    "payment_terms": ["prepaid"],
    "default_payment_terms": "prepaid",
    "invoice_type": "normal",
    "invoice_address": "",
    "invoice_phone": "",
}
customer_inputs = one_hostile(
    _CUSTOMER,
    {
        **{name: hostile_text for name, value in _CUSTOMER.items() if isinstance(value, str)},
        "credit_limit": hostile_decimal,
        "payment_terms": st.lists(hostile_text, max_size=2),
    },
).map(lambda d: masterdata.CustomerInput(**d))


@FEW
@given(data=customer_inputs)
def test_add_and_update_customer(world: World, data: masterdata.CustomerInput) -> None:
    with world.fresh() as db:
        zhao = actor(db, "zhao")
        added = attempt(db, lambda: masterdata.add_customer(db, zhao, data))
        if added is not None:
            stored, _ = masterdata.customer_input(db, READER, data.code.strip())
            assert stored.legal_name == data.legal_name.strip()
        _, version = masterdata.customer_input(db, READER, "C0001")
        data.code = "C0001"
        attempt(db, lambda: masterdata.update_customer(db, zhao, data, version))


@FEW
@given(
    name=hostile_text,
    phone=hostile_text,
    parts=st.lists(hostile_text, min_size=5, max_size=5),
    default=st.booleans(),
)
def test_contacts_and_addresses(
    world: World, name: str, phone: str, parts: list[str], default: bool
) -> None:
    with world.fresh() as db:
        zhao = actor(db, "zhao")
        attempt(db, lambda: masterdata.add_contact(db, zhao, "C0001", name, phone, default))
        attempt(db, lambda: masterdata.add_address(db, zhao, "C0001", *parts, make_default=default))


_CONTACT = ("C0001", "王工", "13910002000")
_ADDRESS = ("C0001", "浙江", "杭州", "", "1号")


def _with(parts: tuple[str, ...], index: int, value: str) -> tuple[str, ...]:
    return (*parts[:index], value, *parts[index + 1 :])


@pytest.mark.parametrize(
    ("service", "args", "field"),
    [
        (masterdata.add_contact, _with(_CONTACT, 1, "王\x00工"), "contact_name"),
        (masterdata.add_contact, _with(_CONTACT, 1, "王" * 81), "contact_name"),
        (masterdata.add_address, _with(_ADDRESS, 1, "浙\x1b"), "province"),
        (masterdata.add_address, _with(_ADDRESS, 2, "杭" * 41), "city"),
        (masterdata.add_address, _with(_ADDRESS, 3, "\x00"), "district"),
        (masterdata.add_address, _with(_ADDRESS, 4, "号" * 301), "detail"),
    ],
)
def test_contact_and_address_refusals_name_the_forms_field(
    world: World, service: Callable[..., int], args: tuple[str, ...], field: str
) -> None:
    """The dialogs show a refusal beside the field the error names: the forms' names, not
    the columns' (the store's last check would say "name" for a contact's name)."""
    with world.fresh() as db:
        before = fingerprint(db)
        with pytest.raises(ValidationError) as refused:
            service(db, actor(db, "zhao"), *args)
        assert refused.value.field == field
        assert messages.localized(refused.value, "zh") != messages.localized(refused.value, "en")
        assert fingerprint(db) == before


def test_a_blank_postcode_is_no_postcode(world: World) -> None:
    with world.fresh() as db:
        zhao = actor(db, "zhao")
        masterdata.add_address(db, zhao, "C0001", "浙江", "杭州", "", "1号", postcode="\u3000 ")
        assert [
            a.postcode for a in masterdata.addresses(db, READER, "C0001") if a.city == "杭州"
        ] == [""]


_PRODUCT = {
    "code": "P9001",
    "name": "新产品",
    "spec": "200W",
    "unit": "台",
    "list_price": Decimal("100"),
    "floor_price": Decimal("80"),
    "ceiling_price": Decimal("120"),
    "tax_code": "13",
    "made_to_order": False,
    "lead_time_days": 0,
    "stocked": True,
}
product_inputs = one_hostile(
    _PRODUCT,
    {
        **{name: hostile_text for name, value in _PRODUCT.items() if isinstance(value, str)},
        **{n: hostile_decimal for n in ("list_price", "floor_price", "ceiling_price")},
        "lead_time_days": hostile_int,
    },
).map(lambda d: masterdata.ProductInput(**d))


@FEW
@given(p=product_inputs)
def test_add_and_update_product(world: World, p: masterdata.ProductInput) -> None:
    with world.fresh() as db:
        zhang = actor(db, "zhang")
        attempt(db, lambda: masterdata.add_product(db, zhang, p))
        _, version = masterdata.product_input(db, READER, "P0001")
        p.code = "P0001"
        attempt(db, lambda: masterdata.update_product(db, zhang, p, version))


@FEW
@given(
    code=st.one_of(st.just("P0001"), hostile_text),
    qty=hostile_decimal,
    location=st.one_of(st.none(), hostile_text),
    incoming=st.one_of(st.none(), hostile_decimal),
    incoming_date=st.one_of(st.none(), hostile_date),
)
def test_receive_stock(world: World, code, qty, location, incoming, incoming_date) -> None:
    with world.fresh() as db:
        attempt(
            db,
            lambda: masterdata.receive_stock(
                db,
                actor(db, "liu"),
                code,
                qty,
                location=location,
                incoming=incoming,
                incoming_date=incoming_date,
            ),
        )


@settings(FEW, max_examples=12)  # each PIN is a deliberately slow scrypt hash
@given(
    username=hostile_text,
    display=hostile_text,
    roles=st.one_of(st.just("finance"), hostile_text),
    pin=st.one_of(st.just("1234"), hostile_text),
)
def test_operators(world: World, username: str, display: str, roles: str, pin: str) -> None:
    with world.fresh() as db:
        admin = actor(db, "admin")
        attempt(db, lambda: operators.add_operator(db, admin, username, display, roles, pin))
        attempt(db, lambda: operators.set_roles(db, admin, "chen", roles))
        attempt(db, lambda: operators.change_pin(db, admin, "chen", pin))
        attempt(db, lambda: operators.disable_operator(db, admin, username))


@FEW
@given(key=hostile_text, value=hostile_text)
def test_form_drafts(world: World, key: str, value: str) -> None:
    with world.fresh() as db:
        zhao = actor(db, "zhao")
        saved = attempt(db, lambda: forms.save_form(db, zhao, key, {"field": value}))
        if saved is not None:
            back = forms.load_form(db, zhao, key)
            assert back is not None and back.payload == {"field": value}
        attempt(db, lambda: forms.discard_form(db, zhao, key))


def test_world_has_every_status(world: World) -> None:
    assert {"draft", "in_review", "approved", "packed", "shipped", "delivered"} <= set(
        world.by_status
    )
    assert timedelta(days=1)  # keeps the import honest for date arithmetic above


# --- lookups and searches: read only, one shared copy ------------------------------------------


@pytest.fixture(scope="module")
def shared(world: World) -> Iterator[Database]:
    with world.fresh() as db:
        yield db


archive_queries = one_hostile(
    {name: "" for name in ("number", "customer", "product", "day_from", "day_to")}
    | {"amount_from": "", "amount_to": ""},
    {
        "number": st.one_of(st.just("SO2026"), hostile_text),
        "customer": hostile_text,
        "product": hostile_text,
        "day_from": hostile_date_text,
        "day_to": hostile_date_text,
        "amount_from": hostile_number_text,
        "amount_to": hostile_number_text,
    },
).map(lambda d: archive.ArchiveQuery(**d))


@FEW
@given(query=archive_queries)
def test_archive_search(shared: Database, query: archive.ArchiveQuery) -> None:
    attempt(shared, lambda: archive.search(shared, actor(shared, "wu"), query))


@FEW
@given(
    text=hostile_text,
    amount=hostile_number_text,
    low=st.one_of(st.none(), hostile_decimal),
    high=st.one_of(st.none(), hostile_decimal),
)
def test_inbox_filters(
    shared: Database, text: str, amount: str, low: Decimal | None, high: Decimal | None
) -> None:
    zhang = actor(shared, "zhang")
    attempt(shared, lambda: inbox.page(shared, zhang, text=text, amount_min=low, amount_max=high))
    bounds = inbox.parse_amount_range(amount)
    if bounds is not None:
        attempt(
            shared,
            lambda: inbox.page(shared, zhang, amount_min=bounds[0], amount_max=bounds[1]),
        )


@FEW
@given(text=hostile_text, months=hostile_int, as_of=st.one_of(st.none(), hostile_date))
def test_lookups_and_profiles(shared: Database, text: str, months: int, as_of: date | None) -> None:
    attempt(shared, lambda: lookup.customers(shared, READER, text))
    attempt(shared, lambda: lookup.products(shared, READER, text))
    attempt(shared, lambda: lookup.product(shared, READER, text))
    attempt(shared, lambda: orders.search_orders(shared, READER, text))
    attempt(shared, lambda: intake.customer_history(shared, READER, text))
    attempt(shared, lambda: orders.get_order(shared, READER, text))
    chen = actor(shared, "chen")
    attempt(shared, lambda: profile.customer_profile(shared, chen, text))
    attempt(shared, lambda: profile.customer_profile(shared, chen, "C0001", months, as_of))


# --- files: imports and attachments -----------------------------------------------------------

_IMPORTS = Path(__file__).parents[2] / "sample_data" / "import"


@FEW
@given(
    kind=st.sampled_from(["customers", "products", "stock"]),
    column=st.integers(0, 17),
    value=st.one_of(hostile_text, hostile_number_text, hostile_date_text),
    skip_bad=st.booleans(),
)
def test_import_hostile_cell(
    world: World, kind: str, column: int, value: str, skip_bad: bool
) -> None:
    """One cell of the sample file's first row replaced: the import reports the row, or
    imports it; a file with problems writes nothing unless told to skip bad rows."""
    import csv

    with world.fresh() as db:
        rows = list(csv.reader((_IMPORTS / f"{kind}.csv").open(encoding="utf-8")))
        rows = rows[:2]
        rows[1][column % len(rows[1])] = value
        path = Path(db.data_dir) / f"{kind}.csv"
        with path.open("w", encoding="utf-8", newline="", errors="surrogatepass") as out:
            csv.writer(out).writerows(rows)
        before = fingerprint(db)
        who = actor(db, {"customers": "zhao", "products": "zhang", "stock": "liu"}[kind])
        report = attempt(db, lambda: imports.import_file(db, who, kind, path, skip_bad))
        if report is not None and report.problems and not report.imported:
            assert fingerprint(db) == before
        if report is not None:
            for problem in report.problems:
                assert problem.code in messages.MESSAGES, problem


@FEW
@given(name=hostile_text, kind=st.one_of(st.just("communication"), hostile_text))
def test_attach_hostile_names(world: World, name: str, kind: str) -> None:
    with world.fresh() as db:
        folder = Path(db.data_dir) / "in"
        folder.mkdir()
        try:
            source = folder / name
            source.write_bytes(b"%PDF-1.4 hostile")
        except (OSError, ValueError, UnicodeEncodeError):
            source = folder / "plain.pdf"  # the file system refused the name itself
            source.write_bytes(b"%PDF-1.4 hostile")
        order_no = world.order("delivered")
        attempt(db, lambda: attachments.attach(db, actor(db, "wu"), order_no, source, kind))
        attempt(db, lambda: attachments.attach(db, actor(db, "wu"), order_no, folder / name, kind))


@FEW
@given(
    code=st.one_of(st.sampled_from(["approve", "reject", "hold"]), hostile_text),
    reason=st.one_of(st.sampled_from(["price", "delay"]), hostile_text),
    text=hostile_text,
    department=st.one_of(st.none(), st.just("sales"), hostile_text),
)
def test_inbox_batch(
    world: World, code: str, reason: str, text: str, department: str | None
) -> None:
    with world.fresh() as db:
        entry = inbox.BatchEntry(world.order("in_review"), code, department, reason, text)
        results = attempt(db, lambda: inbox.run_batch(db, actor(db, "zhang"), [entry]))
        assert results is None or len(results) == 1
