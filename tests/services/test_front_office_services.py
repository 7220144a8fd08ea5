"""Services behind the front-office screens: lookups, form drafts, master-data edits."""

from decimal import Decimal
from pathlib import Path

import pytest

from order_tui.domain.errors import Conflict, LoginRefused, PermissionDenied, ValidationError
from order_tui.services import attachments, forms, lookup, masterdata, operators, orders
from order_tui.services.demo import DemoCast, new_order
from order_tui.store.engine import Database
from tests.reader import READER


@pytest.mark.parametrize(
    ("text", "code"),
    [("bjhy", "C0001"), ("华信", "C0003"), ("91310115", "C0002"), ("c0004", "C0004")],
)
def test_customer_lookup(db: Database, text: str, code: str) -> None:
    hits = lookup.customers(db, READER, text)
    assert hits and hits[0].code == code


def test_customer_lookup_by_phone_and_escaping(db: Database) -> None:
    phone = lookup.customers(db, READER, "C0002")[0].phone
    assert lookup.customers(db, READER, phone[-6:])[0].code == "C0002"
    assert lookup.customers(db, READER, "%") == []


def test_product_lookup_shows_availability(db: Database) -> None:
    hit = lookup.product(db, READER, "P0001")
    assert hit is not None and hit.available == hit.on_hand - hit.locked
    assert [h.code for h in lookup.products(db, READER, "伺服")] == ["P0002", "P0003"]


def test_login_refusal_carries_fields(db: Database) -> None:
    with pytest.raises(LoginRefused) as info:
        operators.login(db, "zhao", "0000")
    assert (info.value.reason, info.value.tries_left) == ("wrong_pin", 4)
    with pytest.raises(LoginRefused) as info:
        operators.login(db, "ghost", "1234")
    assert info.value.reason == "unknown"


def test_form_draft_round_trip(db: Database, cast: DemoCast) -> None:
    clerk = cast["zhao"]
    assert forms.load_form(db, clerk, "order:new") is None
    forms.save_form(db, clerk, "order:new", {"customer": "C0001", "lines": [["P0001", "2x"]]})
    forms.save_form(db, clerk, "order:new", {"customer": "C0002", "lines": []})
    saved = forms.load_form(db, clerk, "order:new")
    assert saved is not None and saved.payload["customer"] == "C0002"
    assert forms.load_form(db, cast["chen"], "order:new") is None  # drafts are per operator
    assert [f.form_key for f in forms.list_forms(db, clerk)] == ["order:new"]
    forms.discard_form(db, clerk, "order:new")
    assert forms.load_form(db, clerk, "order:new") is None


def test_update_customer_checks_version_and_keeps_order_snapshots(
    db: Database, cast: DemoCast
) -> None:
    no = new_order(db, cast, "C0001", [("P0001", "1")])
    data, version = masterdata.customer_input(db, READER, "C0001")
    data.legal_name = "北京华宇智能科技有限公司"
    masterdata.update_customer(db, cast["zhao"], data, version)
    with pytest.raises(Conflict):
        masterdata.update_customer(db, cast["zhao"], data, version)
    assert orders.get_order(db, READER, no).cust_name == "北京华宇科技有限公司"
    assert lookup.customers(db, READER, "bjhyzn")[0].code == "C0001"
    data.uscc = "91110108700286417K"
    with pytest.raises(ValidationError) as info:
        masterdata.update_customer(db, cast["zhao"], data, version + 1)
    assert info.value.field == "uscc"


def test_contacts_addresses_and_order_address_choice(db: Database, cast: DemoCast) -> None:
    with pytest.raises(ValidationError) as info:
        masterdata.add_contact(db, cast["zhao"], "C0001", "王工", "12345")
    assert info.value.field == "contact_phone"
    masterdata.add_contact(db, cast["zhao"], "C0001", "王工", "139 1000 2000")
    address_id = masterdata.add_address(
        db, cast["zhao"], "C0001", "河北省", "廊坊市", "广阳区", "新源道88号仓库", "065000"
    )
    assert len(masterdata.contacts(db, READER, "C0001")) == 2
    detail = orders.create_order(
        db,
        cast["zhao"],
        orders.OrderInput("C0001", [orders.LineInput("P0001", Decimal(1))], address_id=address_id),
    )
    assert detail.cust_address == "河北省廊坊市广阳区新源道88号仓库"


def test_product_update_and_stock_pages(db: Database, cast: DemoCast) -> None:
    data, version = masterdata.product_input(db, READER, "P0001")
    data.list_price = Decimal("6900.00")
    with pytest.raises(PermissionDenied):
        masterdata.update_product(db, cast["zhao"], data, version)
    masterdata.update_product(db, cast["zhang"], data, version)
    assert masterdata.product_input(db, READER, "P0001")[0].list_price == Decimal("6900.00")
    first = masterdata.stock_page(db, READER, limit=5)
    second = masterdata.stock_page(db, READER, after_code=first[-1].code, limit=5)
    assert [r.code for r in first] == ["P0001", "P0002", "P0003", "P0004", "P0005"]
    assert second[0].code == "P0006"
    assert masterdata.movements(db, READER, "P0001")[0].kind == "receipt"


def test_order_input_round_trip_and_attachment_removal(
    db: Database, cast: DemoCast, tmp_path: Path
) -> None:
    no = new_order(db, cast, "C0002", [("P0001", "2"), ("P0003", "1")])
    data, version = orders.order_input_of(db, READER, no)
    assert [li.product_code for li in data.lines] == ["P0001", "P0003"]
    again = orders.edit_order(db, cast["zhao"], no, data, version)
    assert again.total == orders.get_order(db, READER, no).total
    letter = tmp_path / "确认函.pdf"
    letter.write_bytes(b"%PDF")
    sha = attachments.attach(db, cast["zhao"], no, letter, "purchase_confirmation")
    orders.remove_attachment(db, cast["zhao"], no, sha)
    assert orders.get_order(db, READER, no).attachments == []


def test_admin_sets_roles(db: Database, cast: DemoCast) -> None:
    operators.set_roles(db, cast["admin"], "wang", "sales_rep;sales_clerk")
    assert "sales_clerk" in operators.find_actor(db, "wang").roles
    with pytest.raises(PermissionDenied):
        operators.set_roles(db, cast["zhao"], "wang", "admin")


def test_free_text_requirement_lines_and_history(db: Database, cast: DemoCast) -> None:
    from order_tui.domain.errors import ValidationError as VE
    from order_tui.services import intake

    new_order(db, cast, "C0001", [("P0001", "1")])
    result = intake.record_requirement(
        db,
        cast["wang"],
        intake.RequirementInput(
            customer_code="C0001",
            contact_name="李经理",
            contact_phone="13800138000",
            lines=[
                intake.RequirementLineInput("P0001", Decimal(2)),
                intake.RequirementLineInput("", Decimal(1), "防爆控制柜", "IP65", "Ex d IIB T4"),
            ],
        ),
    )
    assert [f["line_no"] for f in result.feasibility] == [1]  # free text: nothing to check
    with pytest.raises(VE, match="not products yet"):
        intake.convert_to_order(db, cast["zhao"], result.id)
    history = intake.customer_history(db, READER, "C0001")
    assert history.recent and history.open_requirements == [result.id]
    detail = intake.convert_to_order(
        db,
        cast["zhao"],
        result.id,
        orders.OrderInput(
            "C0001", [orders.LineInput("P0001", Decimal(2)), orders.LineInput("P0006", Decimal(1))]
        ),
    )
    assert detail.status == "draft"
    assert intake.customer_history(db, READER, "C0001").open_requirements == []


def test_search_orders_by_number_name_and_initials(db: Database, cast: DemoCast) -> None:
    no = new_order(db, cast, "C0003", [("P0001", "1")])
    assert [o.order_no for o in orders.search_orders(db, READER, no[-5:])] == [no]
    assert no in [o.order_no for o in orders.search_orders(db, READER, "华信")]
    assert no in [o.order_no for o in orders.search_orders(db, READER, "hxjm")]


def test_stale_master_data_names_who_and_the_ledger_pages(db: Database, cast: DemoCast) -> None:
    data, version = masterdata.product_input(db, READER, "P0001")
    masterdata.update_product(db, cast["zhang"], data, version)
    with pytest.raises(Conflict) as info:
        masterdata.update_product(db, cast["zhang"], data, version)
    assert info.value.changed_by == "zhang"
    data.unit = " "
    with pytest.raises(ValidationError) as bad:
        masterdata.update_product(db, cast["zhang"], data, version + 1)
    assert bad.value.field == "unit"
    for n in range(3):
        masterdata.receive_stock(db, cast["liu"], "P0001", Decimal(n + 1), note=f"入库{n}")
    first = masterdata.movements(db, READER, "P0001", limit=2)
    rest = masterdata.movements(db, READER, "P0001", limit=10, before_id=first[-1].id)
    assert [m.note for m in first] == ["入库2", "入库1"]
    assert rest[0].note == "入库0" and rest[0].operator == "liu"


def test_last_admin_keeps_the_role(db: Database, cast: DemoCast) -> None:
    with pytest.raises(ValidationError, match="last active admin"):
        operators.set_roles(db, cast["admin"], "admin", "sales_clerk")


def test_order_input_keeps_the_chosen_address(db: Database, cast: DemoCast) -> None:
    address_id = masterdata.add_address(
        db, cast["zhao"], "C0001", "天津市", "天津市", "滨海新区", "第三大街5号", "300457"
    )
    detail = orders.create_order(
        db,
        cast["zhao"],
        orders.OrderInput("C0001", [orders.LineInput("P0001", Decimal(1))], address_id=address_id),
    )
    data, _ = orders.order_input_of(db, READER, detail.order_no)
    assert data.address_id == address_id
