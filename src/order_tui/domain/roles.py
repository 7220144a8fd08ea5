"""Operator roles, named after the people of the seed process."""

from enum import StrEnum

from order_tui.domain import messages
from order_tui.domain.errors import InvalidValue

messages.register(
    {
        "roles.unknown": (
            "未知角色“{name}”，可用角色：{valid}",
            "unknown role {name!r}; valid roles: {valid}",
        ),
    }
)


class Role(StrEnum):
    SALES_REP = "sales_rep"  # 小王: intake, follow-up calls
    SALES_CLERK = "sales_clerk"  # 赵琳: order entry, rework
    SALES_MANAGER = "sales_manager"  # 张总
    FINANCE = "finance"  # 陈会计
    WAREHOUSE = "warehouse"  # 刘主管
    PRODUCTION = "production"  # workshop team lead
    LOGISTICS = "logistics"  # 周师傅
    ARCHIVIST = "archivist"  # 吴助理
    ADMIN = "admin"  # operators and settings only; approves nothing


ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.SALES_REP: ("销售代表", "Sales rep"),
    Role.SALES_CLERK: ("销售内勤", "Sales clerk"),
    Role.SALES_MANAGER: ("销售经理", "Sales manager"),
    Role.FINANCE: ("财务", "Finance"),
    Role.WAREHOUSE: ("仓库", "Warehouse"),
    Role.PRODUCTION: ("生产", "Production"),
    Role.LOGISTICS: ("物流", "Logistics"),
    Role.ARCHIVIST: ("资料员", "Archivist"),
    Role.ADMIN: ("管理员", "Administrator"),
}


class Department(StrEnum):
    """A reviewing department; each gives its own verdict per review round."""

    SALES = "sales"
    FINANCE = "finance"
    WAREHOUSE = "warehouse"
    PRODUCTION = "production"


DEPARTMENT_LABELS: dict[Department, tuple[str, str]] = {
    Department.SALES: ("销售", "Sales"),
    Department.FINANCE: ("财务", "Finance"),
    Department.WAREHOUSE: ("仓库", "Warehouse"),
    Department.PRODUCTION: ("生产", "Production"),
}


DEPARTMENT_ROLE: dict[Department, Role] = {
    Department.SALES: Role.SALES_MANAGER,
    Department.FINANCE: Role.FINANCE,
    Department.WAREHOUSE: Role.WAREHOUSE,
    Department.PRODUCTION: Role.PRODUCTION,
}


def parse_roles(text: str) -> frozenset[Role]:
    """Roles as stored and typed: separated by ';' or ','. Unknown names raise ValueError."""
    names = [part.strip() for part in text.replace(",", ";").split(";") if part.strip()]
    roles: set[Role] = set()
    for name in names:
        try:
            roles.add(Role(name))
        except ValueError:
            valid = ", ".join(r.value for r in Role)
            raise InvalidValue(code="roles.unknown", name=name, valid=valid) from None
    return frozenset(roles)


def format_roles(roles: frozenset[Role] | set[Role]) -> str:
    return ";".join(sorted(r.value for r in roles))


def departments_for(roles: frozenset[Role]) -> list[Department]:
    return [d for d, r in DEPARTMENT_ROLE.items() if r in roles]


# Who may do what outside an order's lifecycle (master data, intake, operators).
PERMISSIONS: dict[str, frozenset[Role]] = {
    "record_requirement": frozenset({Role.SALES_REP, Role.SALES_CLERK}),
    "convert_requirement": frozenset({Role.SALES_REP, Role.SALES_CLERK}),
    "create_order": frozenset({Role.SALES_CLERK}),
    "customer": frozenset({Role.SALES_REP, Role.SALES_CLERK, Role.SALES_MANAGER}),
    "product": frozenset({Role.SALES_MANAGER}),
    "stock": frozenset({Role.WAREHOUSE}),
    "operator": frozenset({Role.ADMIN}),
}

# Who may read what: every query service checks one of these (services/common.require_read),
# as every write checks the lifecycle table or PERMISSIONS. Master data is every operator's
# to see (the administrator's menu shows it read-only); orders are for the roles in the order
# flow, never the administrator, who manages operators and settings; a work queue is for the
# roles whose screen shows it.
ORDER_READERS: frozenset[Role] = frozenset(Role) - {Role.ADMIN}
READS: dict[str, tuple[frozenset[Role], tuple[str, str]]] = {
    "master_data": (frozenset(Role), ("查看主数据", "reading master data")),
    "orders": (ORDER_READERS, ("查看订单", "reading orders")),
    "production_queue": (frozenset({Role.PRODUCTION}), ("查看生产计划", "the production plans")),
    "pick_queue": (frozenset({Role.WAREHOUSE}), ("查看拣货清单", "the pick list")),
    "holds": (
        frozenset({Role.SALES_CLERK, Role.SALES_MANAGER}),
        ("查看挂起订单", "the list of holds"),
    ),
    "operators": (frozenset({Role.ADMIN}), ("查看操作员", "listing operators")),
}
