"""The initial schema, generated from order_tui.store.models.

Money and quantity columns are scaled integers (order_tui.store.types.ScaledDecimal); every
constraint is named (the metadata's naming convention) so later batch migrations on SQLite can
alter it; the append-only and retention guards come in 0002.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import order_tui.store.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("legal_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("uscc", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
        sa.Column("mnemonic", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("bank_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("bank_account", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("credit_limit", order_tui.store.types.ScaledDecimal(2), nullable=False),
        sa.Column("payment_terms", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "default_payment_terms", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False
        ),
        sa.Column("invoice_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("invoice_address", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("invoice_phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer")),
        sa.UniqueConstraint("code", name=op.f("uq_customer_code")),
        sa.UniqueConstraint("uscc", name=op.f("uq_customer_uscc")),
    )
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_legal_name"), ["legal_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_mnemonic"), ["mnemonic"], unique=False)

    op.create_table(
        "operator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("roles", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("pin_hash", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("os_user", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator")),
        sa.UniqueConstraint("os_user", name=op.f("uq_operator_os_user")),
        sa.UniqueConstraint("username", name=op.f("uq_operator_username")),
    )
    op.create_table(
        "order_counter",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_order_counter")),
    )
    op.create_table(
        "product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("spec", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("list_price", order_tui.store.types.ScaledDecimal(6), nullable=False),
        sa.Column("floor_price", order_tui.store.types.ScaledDecimal(6), nullable=False),
        sa.Column("ceiling_price", order_tui.store.types.ScaledDecimal(6), nullable=False),
        sa.Column("tax_code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("made_to_order", sa.Boolean(), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=False),
        sa.Column("mnemonic", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
        sa.UniqueConstraint("code", name=op.f("uq_product_code")),
    )
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_product_mnemonic"), ["mnemonic"], unique=False)
        batch_op.create_index(batch_op.f("ix_product_name"), ["name"], unique=False)

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("operator_name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("order_no", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("from_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("to_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("changes", sqlmodel.sql.sqltypes.AutoString(length=200000), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operator.id"], name=op.f("fk_audit_event_operator_id_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entity", ["entity", "entity_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_order_no"), ["order_no"], unique=False)

    op.create_table(
        "customer_address",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("province", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("district", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("postcode", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_customer_address_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_address")),
    )
    with op.batch_alter_table("customer_address", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_address_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "customer_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_customer_contact_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_contact")),
    )
    with op.batch_alter_table("customer_contact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_contact_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "requirement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("contact_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("contact_phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("key_demands", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column(
            "special_requirements", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False
        ),
        sa.Column("budget", order_tui.store.types.ScaledDecimal(2), nullable=True),
        sa.Column("wanted_date", sa.Date(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("feasibility", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column(
            "alternative_agreed", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False
        ),
        sa.Column("linked_orders", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["operator.id"], name=op.f("fk_requirement_created_by_operator")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_requirement_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requirement")),
    )
    with op.batch_alter_table("requirement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_requirement_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "stock",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("on_hand", order_tui.store.types.ScaledDecimal(4), nullable=False),
        sa.Column("locked", order_tui.store.types.ScaledDecimal(4), nullable=False),
        sa.Column("incoming", order_tui.store.types.ScaledDecimal(4), nullable=False),
        sa.Column("incoming_date", sa.Date(), nullable=True),
        sa.Column("location", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_stock_product_id_product")
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_stock")),
    )
    op.create_table(
        "requirement_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("spec", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("qty", order_tui.store.types.ScaledDecimal(4), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_requirement_line_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["requirement.id"],
            name=op.f("fk_requirement_line_requirement_id_requirement"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requirement_line")),
    )
    with op.batch_alter_table("requirement_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_requirement_line_requirement_id"), ["requirement_id"], unique=False
        )

    op.create_table(
        "sales_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_no", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("order_day", sa.Date(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("cust_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("cust_uscc", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
        sa.Column("cust_bank", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("cust_account", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("cust_address", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("cust_postcode", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("contact_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("contact_phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("invoice_address", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("invoice_phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("cust_mnemonic", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("price_includes_tax", sa.Boolean(), nullable=False),
        sa.Column("freight", order_tui.store.types.ScaledDecimal(2), nullable=False),
        sa.Column("discount", order_tui.store.types.ScaledDecimal(2), nullable=False),
        sa.Column("net_total", order_tui.store.types.ScaledDecimal(2), nullable=False),
        sa.Column("tax_total", order_tui.store.types.ScaledDecimal(2), nullable=False),
        sa.Column("goods_total", order_tui.store.types.ScaledDecimal(2), nullable=False),
        sa.Column("total", order_tui.store.types.ScaledDecimal(2), nullable=False),
        sa.Column("payment_terms", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("invoice_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("wanted_date", sa.Date(), nullable=True),
        sa.Column("payment_due_date", sa.Date(), nullable=True),
        sa.Column("remarks", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("review_round", sa.Integer(), nullable=False),
        sa.Column("on_hold", sa.Boolean(), nullable=False),
        sa.Column("cancel_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("delivered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("archived_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("retention_until", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["operator.id"], name=op.f("fk_sales_order_created_by_operator")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_sales_order_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["requirement.id"],
            name=op.f("fk_sales_order_requirement_id_requirement"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["operator.id"], name=op.f("fk_sales_order_updated_by_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_order")),
        sa.UniqueConstraint("order_day", "serial", name="uq_order_day_serial"),
        sa.UniqueConstraint("order_no", name=op.f("uq_sales_order_order_no")),
    )
    with op.batch_alter_table("sales_order", schema=None) as batch_op:
        batch_op.create_index("ix_order_customer", ["customer_id", "order_day"], unique=False)
        batch_op.create_index(
            "ix_order_status_day", ["status", "order_day", "serial"], unique=False
        )

    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("requirement_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("original_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_order.id"], name=op.f("fk_attachment_order_id_sales_order")
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["requirement.id"],
            name=op.f("fk_attachment_requirement_id_requirement"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["operator.id"], name=op.f("fk_attachment_uploaded_by_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachment_sha256"), ["sha256"], unique=False)

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("done_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reached", sa.Boolean(), nullable=True),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("remarks", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("after_sales_needed", sa.Boolean(), nullable=False),
        sa.Column("after_sales", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_order.id"], name=op.f("fk_feedback_order_id_sales_order")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["operator.id"], name=op.f("fk_feedback_recorded_by_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("order_id", name=op.f("uq_feedback_order_id")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_due_at"), ["due_at"], unique=False)

    op.create_table(
        "hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("raised_by", sa.Integer(), nullable=False),
        sa.Column("raised_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("solution_kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("solution", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("released_by", sa.Integer(), nullable=True),
        sa.Column("released_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_order.id"], name=op.f("fk_hold_order_id_sales_order")
        ),
        sa.ForeignKeyConstraint(
            ["raised_by"], ["operator.id"], name=op.f("fk_hold_raised_by_operator")
        ),
        sa.ForeignKeyConstraint(
            ["released_by"], ["operator.id"], name=op.f("fk_hold_released_by_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hold")),
    )
    with op.batch_alter_table("hold", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hold_order_id"), ["order_id"], unique=False)

    op.create_table(
        "order_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("product_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("spec", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("qty", order_tui.store.types.ScaledDecimal(4), nullable=False),
        sa.Column("unit_price", order_tui.store.types.ScaledDecimal(6), nullable=False),
        sa.Column("tax_code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("net", order_tui.store.types.ScaledDecimal(2), nullable=False),
        sa.Column("tax", order_tui.store.types.ScaledDecimal(2), nullable=False),
        sa.Column("gross", order_tui.store.types.ScaledDecimal(2), nullable=False),
        sa.Column("made_to_order", sa.Boolean(), nullable=False),
        sa.Column("picked_qty", order_tui.store.types.ScaledDecimal(4), nullable=False),
        sa.Column("shipped_qty", order_tui.store.types.ScaledDecimal(4), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_order.id"], name=op.f("fk_order_line_order_id_sales_order")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_order_line_product_id_product")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_line")),
        sa.UniqueConstraint("order_id", "line_no", name="uq_order_line_no"),
    )
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_line_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_line_product_id"), ["product_id"], unique=False)

    op.create_table(
        "package",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("weight_kg", order_tui.store.types.ScaledDecimal(4), nullable=False),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("packed_by", sa.Integer(), nullable=False),
        sa.Column("packed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_order.id"], name=op.f("fk_package_order_id_sales_order")
        ),
        sa.ForeignKeyConstraint(
            ["packed_by"], ["operator.id"], name=op.f("fk_package_packed_by_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package")),
    )
    with op.batch_alter_table("package", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_package_order_id"), ["order_id"], unique=False)

    op.create_table(
        "review_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("round_no", sa.Integer(), nullable=False),
        sa.Column(
            "required_departments", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False
        ),
        sa.Column("findings", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column("changes", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column("snapshot", sqlmodel.sql.sqltypes.AutoString(length=200000), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("submitted_by", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_order.id"], name=op.f("fk_review_round_order_id_sales_order")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"], ["operator.id"], name=op.f("fk_review_round_submitted_by_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_round")),
        sa.UniqueConstraint("order_id", "round_no", name="uq_review_round"),
    )
    with op.batch_alter_table("review_round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_round_order_id"), ["order_id"], unique=False)

    op.create_table(
        "shipment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("mode", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("tracking_no", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("ship_date", sa.Date(), nullable=False),
        sa.Column("shipped_by", sa.Integer(), nullable=False),
        sa.Column("shipped_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_order.id"], name=op.f("fk_shipment_order_id_sales_order")
        ),
        sa.ForeignKeyConstraint(
            ["shipped_by"], ["operator.id"], name=op.f("fk_shipment_shipped_by_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment")),
    )
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipment_order_id"), ["order_id"], unique=False)

    op.create_table(
        "stock_movement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("qty", order_tui.store.types.ScaledDecimal(4), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operator.id"], name=op.f("fk_stock_movement_operator_id_operator")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_order.id"], name=op.f("fk_stock_movement_order_id_sales_order")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_stock_movement_product_id_product")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movement")),
    )
    with op.batch_alter_table("stock_movement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stock_movement_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_stock_movement_product_id"), ["product_id"], unique=False
        )

    op.create_table(
        "production_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["operator.id"], name=op.f("fk_production_plan_created_by_operator")
        ),
        sa.ForeignKeyConstraint(
            ["line_id"], ["order_line.id"], name=op.f("fk_production_plan_line_id_order_line")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_order.id"], name=op.f("fk_production_plan_order_id_sales_order")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_production_plan")),
        sa.UniqueConstraint("line_id", name=op.f("uq_production_plan_line_id")),
    )
    with op.batch_alter_table("production_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_production_plan_order_id"), ["order_id"], unique=False)

    op.create_table(
        "review_verdict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("verdict", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("reason_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operator.id"], name=op.f("fk_review_verdict_operator_id_operator")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_order.id"], name=op.f("fk_review_verdict_order_id_sales_order")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["review_round.id"], name=op.f("fk_review_verdict_round_id_review_round")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_verdict")),
        sa.UniqueConstraint("round_id", "department", name="uq_verdict_department"),
    )
    with op.batch_alter_table("review_verdict", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_verdict_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_verdict_round_id"), ["round_id"], unique=False)

    op.create_table(
        "shipment_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("qty", order_tui.store.types.ScaledDecimal(4), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"], ["order_line.id"], name=op.f("fk_shipment_line_line_id_order_line")
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipment.id"], name=op.f("fk_shipment_line_shipment_id_shipment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_line")),
    )
    with op.batch_alter_table("shipment_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shipment_line_shipment_id"), ["shipment_id"], unique=False
        )

    op.create_table(
        "sign_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("signer_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("signed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("qty_ok", sa.Boolean(), nullable=False),
        sa.Column("appearance_ok", sa.Boolean(), nullable=False),
        sa.Column("packaging_ok", sa.Boolean(), nullable=False),
        sa.Column("discrepancy", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("receipt_attachment_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_order.id"], name=op.f("fk_sign_off_order_id_sales_order")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_attachment_id"],
            ["attachment.id"],
            name=op.f("fk_sign_off_receipt_attachment_id_attachment"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["operator.id"], name=op.f("fk_sign_off_recorded_by_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_off")),
    )
    with op.batch_alter_table("sign_off", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_off_order_id"), ["order_id"], unique=False)

    op.create_table(
        "production_operation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("planned_start", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("done_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("done_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["done_by"], ["operator.id"], name=op.f("fk_production_operation_done_by_operator")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["production_plan.id"],
            name=op.f("fk_production_operation_plan_id_production_plan"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_production_operation")),
    )
    with op.batch_alter_table("production_operation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_production_operation_plan_id"), ["plan_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("production_operation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_production_operation_plan_id"))

    op.drop_table("production_operation")
    with op.batch_alter_table("sign_off", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_off_order_id"))

    op.drop_table("sign_off")
    with op.batch_alter_table("shipment_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipment_line_shipment_id"))

    op.drop_table("shipment_line")
    with op.batch_alter_table("review_verdict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_verdict_round_id"))
        batch_op.drop_index(batch_op.f("ix_review_verdict_order_id"))

    op.drop_table("review_verdict")
    with op.batch_alter_table("production_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_production_plan_order_id"))

    op.drop_table("production_plan")
    with op.batch_alter_table("stock_movement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_movement_product_id"))
        batch_op.drop_index(batch_op.f("ix_stock_movement_order_id"))

    op.drop_table("stock_movement")
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipment_order_id"))

    op.drop_table("shipment")
    with op.batch_alter_table("review_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_round_order_id"))

    op.drop_table("review_round")
    with op.batch_alter_table("package", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_package_order_id"))

    op.drop_table("package")
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_line_product_id"))
        batch_op.drop_index(batch_op.f("ix_order_line_order_id"))

    op.drop_table("order_line")
    with op.batch_alter_table("hold", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hold_order_id"))

    op.drop_table("hold")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_due_at"))

    op.drop_table("feedback")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_sha256"))
        batch_op.drop_index(batch_op.f("ix_attachment_order_id"))

    op.drop_table("attachment")
    with op.batch_alter_table("sales_order", schema=None) as batch_op:
        batch_op.drop_index("ix_order_status_day")
        batch_op.drop_index("ix_order_customer")

    op.drop_table("sales_order")
    with op.batch_alter_table("requirement_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_requirement_line_requirement_id"))

    op.drop_table("requirement_line")
    op.drop_table("stock")
    with op.batch_alter_table("requirement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_requirement_customer_id"))

    op.drop_table("requirement")
    with op.batch_alter_table("customer_contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_contact_customer_id"))

    op.drop_table("customer_contact")
    with op.batch_alter_table("customer_address", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_address_customer_id"))

    op.drop_table("customer_address")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_order_no"))
        batch_op.drop_index("ix_audit_entity")

    op.drop_table("audit_event")
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_name"))
        batch_op.drop_index(batch_op.f("ix_product_mnemonic"))

    op.drop_table("product")
    op.drop_table("order_counter")
    op.drop_table("operator")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_mnemonic"))
        batch_op.drop_index(batch_op.f("ix_customer_legal_name"))

    op.drop_table("customer")
