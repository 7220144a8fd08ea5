"""The initial schema, generated from order_tui.store.models.

Money and quantity columns are scaled integers (order_tui.store.types.ScaledDecimal); the
append-only and retention guards come in 0002.

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
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
        sa.UniqueConstraint("uscc"),
    )
    op.create_index(op.f("ix_customer_legal_name"), "customer", ["legal_name"])
    op.create_index(op.f("ix_customer_mnemonic"), "customer", ["mnemonic"])

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
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("os_user"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "order_counter",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
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
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index(op.f("ix_product_mnemonic"), "product", ["mnemonic"])
    op.create_index(op.f("ix_product_name"), "product", ["name"])

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
            ["operator_id"],
            ["operator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_entity", "audit_event", ["entity", "entity_id", "id"])
    op.create_index(op.f("ix_audit_event_order_no"), "audit_event", ["order_no"])

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
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_customer_address_customer_id"), "customer_address", ["customer_id"])

    op.create_table(
        "customer_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_customer_contact_customer_id"), "customer_contact", ["customer_id"])

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
            ["created_by"],
            ["operator.id"],
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_requirement_customer_id"), "requirement", ["customer_id"])

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
            ["product_id"],
            ["product.id"],
        ),
        sa.PrimaryKeyConstraint("product_id"),
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
            ["product_id"],
            ["product.id"],
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["requirement.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_requirement_line_requirement_id"), "requirement_line", ["requirement_id"]
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
            ["created_by"],
            ["operator.id"],
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["requirement.id"],
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["operator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_day", "serial", name="uq_order_day_serial"),
        sa.UniqueConstraint("order_no"),
    )
    op.create_index("ix_order_customer", "sales_order", ["customer_id", "order_day"])
    op.create_index("ix_order_status_day", "sales_order", ["status", "order_day", "serial"])

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
            ["order_id"],
            ["sales_order.id"],
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["requirement.id"],
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["operator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_attachment_order_id"), "attachment", ["order_id"])
    op.create_index(op.f("ix_attachment_sha256"), "attachment", ["sha256"])

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
            ["order_id"],
            ["sales_order.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["operator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id"),
    )
    op.create_index(op.f("ix_feedback_due_at"), "feedback", ["due_at"])

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
            ["order_id"],
            ["sales_order.id"],
        ),
        sa.ForeignKeyConstraint(
            ["raised_by"],
            ["operator.id"],
        ),
        sa.ForeignKeyConstraint(
            ["released_by"],
            ["operator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_hold_order_id"), "hold", ["order_id"])

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
            ["order_id"],
            ["sales_order.id"],
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id", "line_no", name="uq_order_line_no"),
    )
    op.create_index(op.f("ix_order_line_order_id"), "order_line", ["order_id"])
    op.create_index(op.f("ix_order_line_product_id"), "order_line", ["product_id"])

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
            ["order_id"],
            ["sales_order.id"],
        ),
        sa.ForeignKeyConstraint(
            ["packed_by"],
            ["operator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_package_order_id"), "package", ["order_id"])

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
            ["order_id"],
            ["sales_order.id"],
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"],
            ["operator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id", "round_no", name="uq_review_round"),
    )
    op.create_index(op.f("ix_review_round_order_id"), "review_round", ["order_id"])

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
            ["order_id"],
            ["sales_order.id"],
        ),
        sa.ForeignKeyConstraint(
            ["shipped_by"],
            ["operator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_shipment_order_id"), "shipment", ["order_id"])

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
            ["operator_id"],
            ["operator.id"],
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["sales_order.id"],
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_stock_movement_order_id"), "stock_movement", ["order_id"])
    op.create_index(op.f("ix_stock_movement_product_id"), "stock_movement", ["product_id"])

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
            ["created_by"],
            ["operator.id"],
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["order_line.id"],
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["sales_order.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("line_id"),
    )
    op.create_index(op.f("ix_production_plan_order_id"), "production_plan", ["order_id"])

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
            ["operator_id"],
            ["operator.id"],
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["sales_order.id"],
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["review_round.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "department", name="uq_verdict_department"),
    )
    op.create_index(op.f("ix_review_verdict_order_id"), "review_verdict", ["order_id"])
    op.create_index(op.f("ix_review_verdict_round_id"), "review_verdict", ["round_id"])

    op.create_table(
        "shipment_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("qty", order_tui.store.types.ScaledDecimal(4), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["order_line.id"],
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipment.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_shipment_line_shipment_id"), "shipment_line", ["shipment_id"])

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
            ["order_id"],
            ["sales_order.id"],
        ),
        sa.ForeignKeyConstraint(
            ["receipt_attachment_id"],
            ["attachment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["operator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_sign_off_order_id"), "sign_off", ["order_id"])

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
            ["done_by"],
            ["operator.id"],
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["production_plan.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_production_operation_plan_id"), "production_operation", ["plan_id"])


def downgrade() -> None:
    # Children first; a table's indexes go with it.
    op.drop_table("production_operation")
    op.drop_table("sign_off")
    op.drop_table("shipment_line")
    op.drop_table("review_verdict")
    op.drop_table("production_plan")
    op.drop_table("stock_movement")
    op.drop_table("shipment")
    op.drop_table("review_round")
    op.drop_table("package")
    op.drop_table("order_line")
    op.drop_table("hold")
    op.drop_table("feedback")
    op.drop_table("attachment")
    op.drop_table("sales_order")
    op.drop_table("requirement_line")
    op.drop_table("stock")
    op.drop_table("requirement")
    op.drop_table("customer_contact")
    op.drop_table("customer_address")
    op.drop_table("audit_event")
    op.drop_table("product")
    op.drop_table("order_counter")
    op.drop_table("operator")
    op.drop_table("customer")
