"""Operators: PINs, login with lock-out, and the admin's user commands."""

import hashlib
import hmac
import os
from datetime import timedelta

from order_tui.domain import messages
from order_tui.domain.errors import (
    InvalidValue,
    LoginRefused,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from order_tui.domain.roles import PERMISSIONS, Role, format_roles, parse_roles
from order_tui.services.common import Actor, audit, now_utc, require_read, require_role
from order_tui.store import repo
from order_tui.store.engine import Database
from order_tui.store.models import Operator

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_ADMIN = PERMISSIONS["operator"]

messages.register(
    {
        "login.unknown": (
            "用户不存在或已停用，或 PIN 错误",
            "unknown or disabled operator, or wrong PIN",
        ),
        "login.locked": (
            "{user} 已锁定，请 {minutes} 分钟后再试",
            "{user} is locked: try again in {minutes} minute(s)",
        ),
        "login.locked_now": (
            "连续 {count} 次 PIN 错误，{user} 已锁定 {minutes} 分钟",
            "{count} wrong PINs: {user} is locked for {minutes} minutes",
        ),
        "login.wrong_pin": (
            "PIN 错误，还可尝试 {left} 次（之后锁定 {minutes} 分钟）",
            "wrong PIN: {left} tries left before a {minutes}-minute lock",
        ),
        "operator.pin": ("PIN 须为 4-12 位数字", "PIN must be 4 to 12 digits"),
        "operator.not_found_or_disabled": (
            "操作员 {user} 不存在或已停用",
            "operator {user} not found or disabled",
        ),
        "operator.not_found": ("操作员 {user} 不存在", "operator {user} not found"),
        "operator.username": (
            "用户名只能包含字母、数字和 _",
            "username: letters, digits and _ only",
        ),
        "operator.roles_required": ("至少需要一个角色", "at least one role is needed"),
        "operator.admin_only": ("只有管理员可以添加操作员", "only an admin can add operators"),
        "operator.exists": ("操作员 {user} 已存在", "operator {user} already exists"),
        "operator.self_disable": ("不能停用自己", "you cannot disable yourself"),
        "operator.last_admin": (
            "最后一位在用的管理员须保留管理员角色",
            "the last active admin keeps the admin role",
        ),
    }
)
_LOCK_MINUTES = int(LOCKOUT.total_seconds() // 60)


def hash_pin(pin: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    computed = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(computed.hex(), digest)


def _check_pin(pin: str) -> str:
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise ValidationError(code="operator.pin", field="pin")
    return pin


def actor_of(op: Operator) -> Actor:
    assert op.id is not None
    return Actor(op.id, op.username, op.display_name, parse_roles(op.roles))


def login(db: Database, username: str, pin: str) -> Actor:
    """Check the PIN; five wrong PINs lock the operator for 15 minutes (audited)."""
    with db.writing() as session:
        op = repo.operator_by_username(session, username.strip())
        if op is None or not op.active:
            raise LoginRefused(code="login.unknown", username=username, reason="unknown")
        now = now_utc()
        if op.locked_until is not None and op.locked_until > now:
            minutes = int((op.locked_until - now).total_seconds() // 60) + 1
            raise LoginRefused(
                code="login.locked",
                username=username,
                reason="locked",
                locked_minutes=minutes,
                user=username,
                minutes=minutes,
            )
        actor = actor_of(op)
        if verify_pin(pin, op.pin_hash):
            op.failed_logins = 0
            op.locked_until = None
            audit(session, actor, "operator", actor.id, "login")
            return actor
        op.failed_logins += 1
        if op.failed_logins >= MAX_FAILED_LOGINS:
            op.locked_until = now + LOCKOUT
            op.failed_logins = 0
            audit(session, actor, "operator", actor.id, "locked", changes={"minutes": 15})
            refusal = LoginRefused(
                code="login.locked_now",
                username=username,
                reason="locked_now",
                locked_minutes=_LOCK_MINUTES,
                count=MAX_FAILED_LOGINS,
                user=username,
                minutes=_LOCK_MINUTES,
            )
        else:
            audit(session, actor, "operator", actor.id, "login_failed")
            left = MAX_FAILED_LOGINS - op.failed_logins
            refusal = LoginRefused(
                code="login.wrong_pin",
                username=username,
                reason="wrong_pin",
                tries_left=left,
                left=left,
                minutes=_LOCK_MINUTES,
            )
    # Raised after the block so the failed-attempt counter commits.
    raise refusal


def login_os_user(db: Database, os_user: str) -> Actor | None:
    """An operator bound to the OS user is already authenticated (SSH login)."""
    with db.reading() as session:
        op = repo.operator_by_os_user(session, os_user)
        return actor_of(op) if op is not None else None


def find_actor(db: Database, username: str) -> Actor:
    with db.reading() as session:
        op = repo.operator_by_username(session, username)
        if op is None or not op.active:
            raise NotFound(code="operator.not_found_or_disabled", user=username)
        return actor_of(op)


def add_operator(
    db: Database,
    actor: Actor | None,
    username: str,
    display_name: str,
    roles: str,
    pin: str,
    os_user: str | None = None,
) -> Actor:
    """Create an operator. `actor` None is the bootstrap path (init, demo) when none exist."""
    username = username.strip()
    if not username.isascii() or not username.replace("_", "").isalnum():
        raise ValidationError(code="operator.username", field="username")
    try:
        role_set = parse_roles(roles)
    except InvalidValue as exc:
        raise ValidationError(code=exc.code, field="roles", **exc.params) from None
    if not role_set:
        raise ValidationError(code="operator.roles_required", field="roles")
    _check_pin(pin)
    with db.writing() as session:
        if actor is None:
            if repo.all_operators(session):
                raise PermissionDenied(code="operator.admin_only")
        else:
            require_role(actor, _ADMIN, ("添加操作员", "adding an operator"))
        if repo.operator_by_username(session, username) is not None:
            raise ValidationError(code="operator.exists", field="username", user=username)
        op = Operator(
            username=username,
            display_name=display_name.strip() or username,
            roles=format_roles(role_set),
            pin_hash=hash_pin(pin),
            os_user=os_user or None,
            created_at=now_utc(),
        )
        session.add(op)
        session.flush()
        created = actor_of(op)
        audit(
            session,
            actor or created,
            "operator",
            created.id,
            "add_operator",
            changes={"username": username, "roles": op.roles, "os_user": os_user},
        )
        return created


def has_operators(db: Database) -> bool:
    """Whether anyone can log in yet: `init` and `seed` create the first operators if not."""
    with db.reading() as session:
        return bool(repo.all_operators(session))


def login_hints(db: Database) -> list[dict[str, str]]:
    """Who to log in as, for the demo's login screen: names and roles, nothing else."""
    with db.reading() as session:
        return [
            {"username": op.username, "display_name": op.display_name, "roles": op.roles}
            for op in repo.all_operators(session)
            if op.active
        ]


def list_operators(db: Database, actor: Actor) -> list[dict[str, object]]:
    """Every operator with roles, OS-user binding and state: the administrator's list."""
    require_read(actor, "operators")
    with db.reading() as session:
        return [
            {
                "username": op.username,
                "display_name": op.display_name,
                "roles": op.roles,
                "os_user": op.os_user or "",
                "active": op.active,
                "locked": op.locked_until is not None and op.locked_until > now_utc(),
            }
            for op in repo.all_operators(session)
        ]


def change_pin(db: Database, actor: Actor, username: str, new_pin: str) -> None:
    """An operator changes their own PIN; an admin may reset anyone's (and unlock them)."""
    _check_pin(new_pin)
    with db.writing() as session:
        if username != actor.username:
            require_role(actor, _ADMIN, ("修改其他操作员的 PIN", "changing another operator's PIN"))
        op = repo.operator_by_username(session, username)
        if op is None:
            raise NotFound(code="operator.not_found", user=username)
        op.pin_hash = hash_pin(new_pin)
        op.failed_logins = 0
        op.locked_until = None
        op.version += 1
        assert op.id is not None
        audit(session, actor, "operator", op.id, "change_pin")


def disable_operator(db: Database, actor: Actor, username: str) -> None:
    with db.writing() as session:
        require_role(actor, _ADMIN, ("停用操作员", "disabling an operator"))
        op = repo.operator_by_username(session, username)
        if op is None:
            raise NotFound(code="operator.not_found", user=username)
        if op.id == actor.id:
            raise ValidationError(code="operator.self_disable", field="username")
        op.active = False
        op.version += 1
        assert op.id is not None
        audit(session, actor, "operator", op.id, "disable_operator")


def set_roles(db: Database, actor: Actor, username: str, roles: str) -> None:
    """Change an operator's roles (admin)."""
    try:
        role_set = parse_roles(roles)
    except InvalidValue as exc:
        raise ValidationError(code=exc.code, field="roles", **exc.params) from None
    if not role_set:
        raise ValidationError(code="operator.roles_required", field="roles")
    with db.writing() as session:
        require_role(actor, _ADMIN, ("修改角色", "changing roles"))
        op = repo.operator_by_username(session, username)
        if op is None:
            raise NotFound(code="operator.not_found", user=username)
        if Role.ADMIN not in role_set and Role.ADMIN in parse_roles(op.roles):
            admins = [
                o
                for o in repo.all_operators(session)
                if o.active and Role.ADMIN in parse_roles(o.roles) and o.id != op.id
            ]
            if not admins:
                raise ValidationError(code="operator.last_admin", field="roles")
        before = op.roles
        op.roles = format_roles(role_set)
        op.version += 1
        assert op.id is not None
        audit(session, actor, "operator", op.id, "set_roles", changes={"roles": [before, op.roles]})
