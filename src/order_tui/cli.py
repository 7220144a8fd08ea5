"""The `order-tui` command: the app, set-up, and the same services the screens use.

A user error prints one clear line on stderr and exits non-zero; no tracebacks.
"""

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from order_tui.config import Config, ConfigError, load_config

PROG = "order-tui"


class UserError(Exception):
    """A mistake on the command line; reported as one line."""


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal | date):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return str(value)


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=_json_default))


def _config(args: argparse.Namespace) -> Config:
    return load_config(db=args.db, config_file=args.config)


def _open(cfg: Config, *, create: bool = True) -> Any:
    from order_tui.store.engine import open_database, sqlite_path
    from order_tui.store.migrate import ensure_schema

    path = sqlite_path(cfg.db_url)
    if path is not None and not create and not path.exists():
        raise UserError(f"no database at {path}; run `{PROG} init` or `{PROG} demo` first")
    db = open_database(
        cfg.db_url, cfg.data_dir, timezone=cfg.timezone, retention_years=cfg.retention_years
    )
    ensure_schema(db)
    return db


def _pin(prompt_for: str) -> str:
    pin = os.environ.get("ORDER_TUI_PIN")
    if pin:
        return pin
    if not sys.stdin.isatty():
        raise UserError("PIN needed: set ORDER_TUI_PIN or run in a terminal")
    return getpass.getpass(f"PIN for {prompt_for}: ")


def os_user_name() -> str:
    """The name of the real user id running us. Not `getpass.getuser()`: that reads $LOGNAME
    and $USER first, which anyone can set to pass as an operator bound to another OS user."""
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name


def _actor(db: Any, args: argparse.Namespace) -> Any:
    from order_tui.services import operators

    if args.user:
        return operators.login(db, args.user, _pin(args.user))
    os_user = os_user_name()
    actor = operators.login_os_user(db, os_user)
    if actor is None:
        raise UserError(f"no operator is bound to OS user {os_user!r}; use --user NAME")
    return actor


def _decimal(text: str, what: str) -> Decimal:
    from order_tui.domain.money import parse_quantity

    try:
        return parse_quantity(text)
    except ValueError as exc:
        raise UserError(f"{what}: {exc}") from None


def _parse_line(text: str) -> tuple[str, Decimal, Decimal | None]:
    """CODE:QTY or CODE:QTY@PRICE."""
    from order_tui.domain.money import parse_price

    code, sep, rest = text.partition(":")
    if not sep or not code:
        raise UserError(f"line {text!r}: write CODE:QTY or CODE:QTY@PRICE")
    qty_text, _, price_text = rest.partition("@")
    try:
        price = parse_price(price_text) if price_text else None
    except ValueError as exc:
        raise UserError(f"line {text!r}: {exc}") from None
    return code, _decimal(qty_text, f"line {text!r}"), price


def _whole_number(text: str) -> int:
    """30, 30% or ６０ (full-width digits) as an int; the service checks the range."""
    import argparse
    import unicodedata

    cleaned = unicodedata.normalize("NFKC", text).strip().removesuffix("%").strip()
    if not cleaned.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
    return int(cleaned)


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"date {text!r}: use YYYY-MM-DD") from None


def locale_lang(environ: Any) -> str:
    """zh when the locale is Chinese (LC_ALL, then LC_MESSAGES, then LANG), else en."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = (environ.get(name) or "").strip()
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def resolve_lang(flag: str | None, cfg: Config, environ: Any) -> str:
    """--lang > [ui] lang in a config file > the locale."""
    if flag:
        return flag
    if cfg.lang_explicit:
        return cfg.lang
    return locale_lang(environ)


def _error_lang(args: argparse.Namespace) -> str:
    """The language errors are printed in: the app's (--lang, config, locale)."""
    flag = getattr(args, "lang", None)
    if flag:
        return str(flag)
    try:
        cfg = _config(args)
    except ConfigError:  # that error itself is being reported: the locale decides
        return locale_lang(os.environ)
    return resolve_lang(None, cfg, os.environ)


def _app_options(args: argparse.Namespace, cfg: Config) -> dict[str, Any]:
    """Language, ASCII mode, theme and escape delay for the app, from flags, config and env."""
    from order_tui.theme import (
        apply_escape_delay,
        detect_color_system,
        escape_delay_ms,
        theme_for,
        wants_ascii,
    )

    apply_escape_delay(escape_delay_ms(cfg.escape_delay_ms, os.environ))
    ascii_mode = wants_ascii(getattr(args, "ascii", None), cfg.ascii, os.environ)
    return {
        "lang": resolve_lang(args.lang, cfg, os.environ),
        "ascii": ascii_mode,
        "theme": theme_for(ascii_mode, detect_color_system(os.environ)),
    }


# ---------------------------------------------------------------- commands


def cmd_run(args: argparse.Namespace, *, demo: bool = False) -> int:
    """The app. It paints the login screen first and opens the database in a worker after
    that (SQLAlchemy, the models and the schema check take longer than Textual's start-up);
    if the database does not open, the app shows why, and on leaving the error is raised
    here so that `main` prints it as any other command would."""
    cfg = _config(args)
    from order_tui.app import OrderApp

    app = OrderApp(
        open_db=lambda: _open(cfg),
        db_url=cfg.db_url,
        timezone=cfg.timezone,
        user=args.user,
        demo=demo,
        os_user=os_user_name(),
        **_app_options(args, cfg),
    )
    try:
        app.run()
    finally:
        if app.db is not None:
            app.db.dispose()
    if app.open_error is not None:
        raise app.open_error
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from order_tui.services import operators
    from order_tui.store.engine import display_url, prepare_sqlite_file, sqlite_path

    cfg = _config(args)
    path = sqlite_path(cfg.db_url)
    if path is not None:
        prepare_sqlite_file(path, shared=args.shared)
    db = _open(cfg)
    if not operators.has_operators(db):
        pin = _pin(args.admin)
        operators.add_operator(
            db, None, args.admin, "管理员", "admin", pin, os_user_name() if args.bind else None
        )
        print(f"created operator {args.admin} (admin)")
    print(f"database ready: {display_url(cfg.db_url)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from order_tui.services.demo import build_demo
    from order_tui.store.engine import display_url, sqlite_path

    cfg = _config(args)
    if args.db is None and os.environ.get("ORDER_TUI_DB") is None:
        demo_dir = cfg.data_dir / "demo"
        cfg = load_config(db=str(demo_dir / "orders.db"), config_file=args.config)
    path = sqlite_path(cfg.db_url)
    if path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = _open(cfg)
    made = build_demo(db)
    print(f"demo database with {len(made)} orders: {display_url(cfg.db_url)}", file=sys.stderr)
    if args.prepare:
        return 0
    from order_tui.app import OrderApp

    OrderApp(db, user=args.user, demo=True, **_app_options(args, cfg)).run()
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from order_tui.services import operators
    from order_tui.services.demo import load_master_data
    from order_tui.store.seed import seed_orders

    cfg = _config(args)
    db = _open(cfg)
    if not operators.has_operators(db):
        load_master_data(db)
    made = seed_orders(db, args.orders, progress=sys.stderr if args.progress else None)
    print(f"seeded {made} orders")
    return 0


def cmd_user(args: argparse.Namespace) -> int:
    from order_tui.services import operators

    cfg = _config(args)
    db = _open(cfg, create=False)
    actor = _actor(db, args)
    if args.user_cmd == "list":
        rows = operators.list_operators(db, actor)
        if args.json:
            _print_json(rows)
        for row in rows if not args.json else []:
            state = "active" if row["active"] else "disabled"
            if row["locked"]:
                state = "locked"
            print(
                f"{row['username']:<12} {row['display_name']:<10} {row['roles']:<30} "
                f"{row['os_user'] or '-':<10} {state}"
            )
        return 0
    if args.user_cmd == "add":
        new_pin = os.environ.get("ORDER_TUI_NEW_PIN") or _pin(f"new operator {args.name}")
        operators.add_operator(
            db, actor, args.name, args.display_name or args.name, args.roles, new_pin, args.os_user
        )
        print(f"added {args.name}")
    elif args.user_cmd == "passwd":
        new_pin = os.environ.get("ORDER_TUI_NEW_PIN") or getpass.getpass("new PIN: ")
        operators.change_pin(db, actor, args.name, new_pin)
        print(f"PIN changed for {args.name}")
    elif args.user_cmd == "disable":
        operators.disable_operator(db, actor, args.name)
        print(f"disabled {args.name}")
    return 0


def cmd_orders(args: argparse.Namespace) -> int:
    from order_tui.domain.lifecycle import Status
    from order_tui.services import actions, orders

    cfg = _config(args)
    db = _open(cfg, create=False)
    if args.orders_cmd == "list" and args.status:
        try:
            Status(args.status)
        except ValueError:
            known = ", ".join(Status)
            raise UserError(f"unknown status {args.status!r}; one of: {known}") from None
    actor = _actor(db, args)
    if args.orders_cmd == "list":
        rows = orders.list_orders(
            db, actor, statuses=[args.status] if args.status else None, limit=args.limit
        )
        if args.json:
            _print_json([asdict(r) for r in rows])
            return 0
        for r in rows:
            hold = " HOLD" if r.on_hold else ""
            print(f"{r.order_no}  {r.status:<13} {r.total:>14}  {r.customer}{hold}")
        return 0
    if args.orders_cmd == "show":
        detail = orders.get_order(db, actor, args.number)
        if args.json:
            _print_json(detail.to_dict())
        else:
            _show(detail)
        return 0
    if args.orders_cmd == "new":
        data = orders.OrderInput(
            customer_code=args.customer,
            lines=[orders.LineInput(c, q, p) for c, q, p in map(_parse_line, args.line)],
            freight=_decimal(args.freight, "freight"),
            discount=_decimal(args.discount, "discount"),
            price_includes_tax=not args.net_prices,
            payment_terms=args.terms,
            prepay_pct=args.prepay,
            credit_days=args.credit_days,
            invoice_type=args.invoice,
            wanted_date=_date(args.wanted),
            remarks=args.remarks or "",
        )
        detail = orders.create_order(db, actor, data)
        print(detail.order_no)
        return 0
    # act
    params: dict[str, Any] = {
        "reason": args.reason,
        "comment": args.comment or "",
        "department": args.department,
        "carrier": args.carrier,
        "mode": args.mode,
        "tracking": args.tracking,
        "signer": args.signer,
        "receipt": args.receipt,
        "path": args.path,
        "kind": args.kind,
        "owner": args.owner,
        "expected_version": args.expected_version,
    }
    if args.satisfaction is not None:
        params["satisfaction"] = args.satisfaction
    if args.not_reached:
        params["reached"] = False
    if args.after_sales:
        params["after_sales"] = args.after_sales
    for flag, key in (
        ("bad_qty", "qty_ok"),
        ("bad_appearance", "appearance_ok"),
        ("bad_packaging", "packaging_ok"),
    ):
        if getattr(args, flag):
            params[key] = False
    if args.qty:
        params["quantities"] = dict(_parse_qty(q) for q in args.qty)
    from order_tui.domain.lifecycle import Action

    try:
        action = Action(args.action)
    except ValueError:
        raise UserError(f"unknown action {args.action!r}; one of: {', '.join(Action)}") from None
    if action == Action.EDIT:
        raise UserError("edit an order in the app, or re-enter it with `orders new`")
    result = actions.act(
        db, actor, args.number, action, **{k: v for k, v in params.items() if v is not None}
    )
    after = orders.get_order(db, actor, args.number)
    extra = f" ({'; '.join(result)})" if isinstance(result, list) and result else ""
    print(f"{args.number}: {action.value} done, status {after.status}{extra}")
    return 0


def _parse_qty(text: str) -> tuple[int, Decimal]:
    line, sep, qty = text.partition(":")
    if not sep or not line.isdigit():
        raise UserError(f"--qty {text!r}: write LINE:QTY, e.g. 1:5")
    return int(line), _decimal(qty, f"--qty {text}")


def _show(d: Any) -> None:
    from order_tui.domain.lifecycle import Status, status_label

    print(
        f"{d.order_no}  {status_label(Status(d.status), 'zh')} ({d.status})  v{d.version}"
        + ("  [HOLD]" if d.on_hold else "")
    )
    print(f"客户 Customer: {d.cust_name}  USCC {d.cust_uscc}")
    print(f"联系人 Contact: {d.contact_name} {d.contact_phone}  地址 {d.cust_address}")
    print(f"开户行 Bank: {d.cust_bank} {d.cust_account}")
    from order_tui.domain.terms import describe

    print(
        f"付款 Terms: {d.payment_terms}  预付 Prepay: {d.prepay_pct}%  "
        f"账期 Credit: {d.credit_days} 天 days  发票 Invoice: {d.invoice_type}"
    )
    print(
        f"  {describe(d.prepay_pct, d.credit_days, 'zh')} / "
        f"{describe(d.prepay_pct, d.credit_days, 'en')}  "
        f"交期 Wanted: {d.wanted_date or '-'}  付款日 Due: {d.payment_due_date or '-'}"
    )
    print("行  产品        名称/规格                      数量        单价          金额")
    for ln in d.lines:
        print(
            f"{ln.line_no:>2}  {ln.product_code:<10}  {ln.name} {ln.spec}  {ln.qty} {ln.unit}"
            f"  @{ln.unit_price}  = {ln.gross}  (tax {ln.tax_code}: {ln.tax})"
        )
    print(f"货款 Goods {d.goods_total}  运费 Freight {d.freight}  折扣 Discount {d.discount}")
    print(f"合计 Total ¥{d.total}  大写 人民币{d.total_words}")
    for h in d.holds:
        print(f"挂起 HOLD {h['kind']}: {h['description']} (owner {h['owner']})")
    for v in d.verdicts:
        print(
            f"审核 round {v['round']} {v['department']}: {v['verdict']} {v['reason']} "
            f"{v['comment']}"
        )
    for a in d.attachments:
        print(f"附件 {a['kind']}: {a['name']} {a['sha256'][:12]}")


def cmd_intake(args: argparse.Namespace) -> int:
    from order_tui.services import intake

    cfg = _config(args)
    db = _open(cfg, create=False)
    actor = _actor(db, args)
    if args.intake_cmd == "add":
        result = intake.record_requirement(
            db,
            actor,
            intake.RequirementInput(
                customer_code=args.customer,
                contact_name=args.contact,
                contact_phone=args.phone,
                lines=[
                    intake.RequirementLineInput(c, q) for c, q, _ in map(_parse_line, args.line)
                ],
                channel=args.channel,
                description=args.description or "",
                special_requirements=args.special or "",
                wanted_date=_date(args.wanted),
            ),
        )
        if args.json:
            _print_json(asdict(result))
            return 0
        print(
            f"requirement {result.id} recorded; earliest possible date: "
            f"{result.earliest or 'cannot be promised'}"
        )
        for f in result.feasibility:
            risk = f["risk"] or "ok"
            print(
                f"  line {f['line_no']} {f['product_code']}: qty {f['qty']}, available "
                f"{f['available']}, shortfall {f['shortfall']}, earliest {f['earliest']}: "
                f"{risk}"
            )
        if result.linked_orders:
            print(f"  earlier orders: {', '.join(result.linked_orders)}")
        if result.open_matters:
            print(f"  open orders: {', '.join(result.open_matters)}")
        return 0
    if args.intake_cmd == "agree":
        intake.agree_alternative(db, actor, args.id, args.text)
        print(f"requirement {args.id}: alternative recorded")
        return 0
    detail = intake.convert_to_order(db, actor, args.id)
    print(detail.order_no)
    return 0


DOCUMENTS = {
    "sales-order": "sales_order_pdf",
    "pick-list": "pick_list_pdf",
    "packing-slip": "packing_slip_pdf",
    "receipt": "delivery_receipt_pdf",
}


def cmd_print(args: argparse.Namespace) -> int:
    """A pick list, packing slip or delivery receipt as PDF; prints where it was written."""
    from order_tui.services import documents

    cfg = _config(args)
    db = _open(cfg, create=False)
    actor = _actor(db, args)
    make = getattr(documents, DOCUMENTS[args.document])
    print(make(db, actor, args.number, args.out))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """A list to XLSX or CSV (paged from the database); prints the path and the row count."""
    from order_tui.domain.lifecycle import Status
    from order_tui.services import exports

    cfg = _config(args)
    db = _open(cfg, create=False)
    lang = _error_lang(args)
    for status in args.status or []:
        try:
            Status(status)
        except ValueError:
            raise UserError(f"unknown status {status!r}; one of: {', '.join(Status)}") from None
    actor = _actor(db, args)
    suffix = f".{args.format}" if args.format else None
    if args.out:
        out = Path(args.out).expanduser()
        if out.is_dir() or args.out.endswith(("/", os.sep)):
            out = out / exports.default_path(db, args.list, suffix or ".xlsx").name
        elif suffix and out.suffix.lower() != suffix:
            out = out.with_name(out.name + suffix)
    else:
        out = exports.default_path(db, args.list, suffix or ".xlsx")
    table = exports.list_table(
        db, actor, args.list, lang, statuses=args.status, department=args.department
    )
    result = exports.export(table, out)
    print(f"{result.path}  ({result.rows} rows)")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Customers, products or stock levels from CSV/XLSX; prints the report. Exit 1 when rows
    were rejected and nothing was imported, 0 otherwise (also with --skip-bad)."""
    from order_tui.services import imports

    cfg = _config(args)
    db = _open(cfg, create=False)
    actor = _actor(db, args)
    report = imports.import_file(db, actor, args.kind, args.path, skip_bad=args.skip_bad)
    for line in report.lines(_error_lang(args)):
        print(line)
    return 0 if report.imported or report.clean else 1


def cmd_backup(args: argparse.Namespace) -> int:
    from order_tui.store.maintenance import backup

    db = _open(_config(args), create=False)
    dest = backup(db, Path(args.path).expanduser().resolve())
    print(f"backup written: {dest}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from order_tui.store.engine import display_url
    from order_tui.store.maintenance import check

    cfg = _config(args)
    db = _open(cfg, create=False)
    report = check(db, full=args.full)
    print(f"database: {display_url(cfg.db_url)}")  # a PostgreSQL URL may carry a password
    for name, detail, passed in report.lines:
        print(f"{'ok  ' if passed else 'FAIL'}  {name}: {detail}")
    return 0 if report.ok else 1


def cmd_migrate_db(args: argparse.Namespace) -> int:
    """Copy this (SQLite) database into an empty PostgreSQL database and verify the copy."""
    from order_tui.store.copy_db import copy_database, shown_url

    cfg = _config(args)
    source = _open(cfg, create=False)
    print(f"copying {cfg.db_url} -> {shown_url(args.to)}")
    report = copy_database(
        source, args.to, progress=lambda table, rows: print(f"  {table:<24} {rows:>10,} rows")
    )
    print(
        f"copied and verified {report.rows:,} rows in {len(report.tables)} tables "
        f"({report.seconds:.1f} s): row counts and per-table checksums match"
    )
    if report.attachments:
        print(
            f"{report.attachments} attachment record(s) copied; the files stay in "
            f"{source.attachments_dir}: put that folder where every machine reads it"
        )
    print(f'next: set database.url = "{shown_url(args.to)}" (or ORDER_TUI_DB) and run')
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    """List the archived orders past retention, ask, then remove them (administrator)."""
    from order_tui.services import archive

    db = _open(_config(args), create=False)
    actor = _actor(db, args)
    listed = archive.purge_candidates(db, actor)
    if not listed:
        print("no archived order is past its retention date")
        return 0
    for item in listed:
        print(
            f"{item.order_no}  {item.order_day}  kept until {item.retention_until}  "
            f"{item.total:>14}  {item.customer}"
        )
    print(f"{len(listed)} order(s) past retention")
    if args.dry_run:
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            raise UserError("purge asks before removing: run in a terminal or pass --yes")
        answer = input(f"remove these {len(listed)} order(s) and everything attached? [y/N] ")
        if answer.strip().lower() not in ("y", "yes", "是"):
            print("nothing removed")
            return 1
    removed = archive.purge(db, actor, [item.order_no for item in listed])
    print(f"removed {len(removed)} order(s); the audit log keeps a purge entry for each")
    return 0


# ---------------------------------------------------------------- parser


def _common_options(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--db", default=default, help="database URL or SQLite file path (overrides config)"
    )
    parser.add_argument("--config", default=default, help="extra config file (TOML)")
    parser.add_argument(
        "--user", default=default, help="operator name (PIN from ORDER_TUI_PIN or a prompt)"
    )
    parser.add_argument(
        "--lang", default=default, choices=["zh", "en"], help="screen language (default: locale)"
    )
    parser.add_argument(
        "--ascii",
        action="store_true",
        default=default,
        help="ASCII borders and 16 colours (automatic when TERM=linux)",
    )


def build_parser() -> argparse.ArgumentParser:
    # The options work before or after the subcommand; SUPPRESS keeps a subcommand's unset
    # option from overwriting the value given before it (`order-tui --db X orders list`).
    common = argparse.ArgumentParser(add_help=False)
    _common_options(common, argparse.SUPPRESS)

    parser = argparse.ArgumentParser(
        prog=PROG, description="Keyboard-first sales-order back office."
    )
    _common_options(parser, None)
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("init", parents=[common], help="create and migrate the database")
    p.add_argument(
        "--shared",
        action="store_true",
        help="group-writable file (0660) for several OS users on one machine",
    )
    p.add_argument("--admin", default="admin", help="name of the first admin operator")
    p.add_argument("--bind", action="store_true", help="bind the admin to this OS user")

    p = sub.add_parser("demo", parents=[common], help="build a fresh demo database and start")
    p.add_argument("--prepare", action="store_true", help="build it and exit")

    p = sub.add_parser("seed", parents=[common], help="synthetic orders for benchmarks")
    p.add_argument("--orders", type=int, required=True)
    p.add_argument("--progress", action="store_true")

    p = sub.add_parser("user", parents=[common], help="operators")
    us = p.add_subparsers(dest="user_cmd", required=True)
    q = us.add_parser("add", parents=[common])
    q.add_argument("name")
    q.add_argument("--roles", required=True, help="e.g. sales_clerk;sales_rep")
    q.add_argument("--display-name")
    q.add_argument("--os-user")
    q = us.add_parser("list", parents=[common])
    q.add_argument("--json", action="store_true")
    q = us.add_parser("passwd", parents=[common])
    q.add_argument("name")
    q = us.add_parser("disable", parents=[common])
    q.add_argument("name")

    p = sub.add_parser("orders", parents=[common], help="list, show, create and act on orders")
    os_ = p.add_subparsers(dest="orders_cmd", required=True)
    q = os_.add_parser("list", parents=[common])
    q.add_argument("--status")
    q.add_argument("--limit", type=int, default=50)
    q.add_argument("--json", action="store_true")
    q = os_.add_parser("show", parents=[common])
    q.add_argument("number")
    q.add_argument("--json", action="store_true")
    q = os_.add_parser("new", parents=[common])
    q.add_argument("--customer", required=True)
    q.add_argument("--line", action="append", required=True, help="CODE:QTY[@PRICE]")
    q.add_argument("--freight", default="0")
    q.add_argument("--discount", default="0")
    q.add_argument("--net-prices", action="store_true", help="prices exclude tax")
    q.add_argument("--terms", help="prepaid, cod, net30, net60 or net90")
    q.add_argument(
        "--prepay",
        type=_whole_number,
        metavar="PCT",
        help="percent paid before shipping, 0-100 (default: that of the terms)",
    )
    q.add_argument(
        "--credit-days",
        type=_whole_number,
        metavar="DAYS",
        help="days of credit for the balance, 0-365 (default: that of the terms)",
    )
    q.add_argument("--invoice", choices=["special", "normal"])
    q.add_argument("--wanted", help="wanted delivery date YYYY-MM-DD")
    q.add_argument("--remarks")
    q = os_.add_parser("act", parents=[common])
    q.add_argument("number")
    q.add_argument("action")
    q.add_argument("--reason", help="reason code (reject, cancel) or kind (hold, release)")
    q.add_argument("--comment")
    q.add_argument("--department", choices=["sales", "finance", "warehouse", "production"])
    q.add_argument("--carrier")
    q.add_argument("--mode", choices=["parcel", "ltl", "ftl", "pickup"])
    q.add_argument("--tracking")
    q.add_argument("--signer")
    q.add_argument("--receipt", help="signed receipt file (sign_off)")
    q.add_argument("--bad-qty", action="store_true")
    q.add_argument("--bad-appearance", action="store_true")
    q.add_argument("--bad-packaging", action="store_true")
    q.add_argument("--path", help="file to attach (attach)")
    q.add_argument("--kind", help="attachment kind (attach)")
    q.add_argument("--owner")
    q.add_argument("--qty", action="append", help="LINE:QTY for pick and ship")
    q.add_argument("--satisfaction", type=int)
    q.add_argument("--not-reached", action="store_true")
    q.add_argument("--after-sales")
    q.add_argument("--expected-version", type=int)

    p = sub.add_parser("intake", parents=[common], help="customer requirements (step 1)")
    ins = p.add_subparsers(dest="intake_cmd", required=True)
    q = ins.add_parser("add", parents=[common])
    q.add_argument("--customer", required=True)
    q.add_argument("--contact", required=True)
    q.add_argument("--phone", required=True)
    q.add_argument("--line", action="append", required=True, help="CODE:QTY")
    q.add_argument("--channel", default="phone", choices=["phone", "visit", "online"])
    q.add_argument("--wanted")
    q.add_argument("--description")
    q.add_argument("--special")
    q.add_argument("--json", action="store_true")
    q = ins.add_parser("agree", parents=[common])
    q.add_argument("id", type=int)
    q.add_argument("text")
    q = ins.add_parser("convert", parents=[common])
    q.add_argument("id", type=int)

    p = sub.add_parser(
        "print",
        parents=[common],
        help="sales order, pick list, packing slip or delivery receipt as PDF",
    )
    p.add_argument("document", choices=list(DOCUMENTS))
    p.add_argument("number", help="order number")
    p.add_argument(
        "--out", help="file or directory to write (default: the data directory's documents/)"
    )

    p = sub.add_parser("export", parents=[common], help="a list to XLSX or CSV")
    p.add_argument(
        "list", choices=["orders", "customers", "products", "stock", "inbox", "worklist"]
    )
    p.add_argument(
        "--out", help="file or directory (default: the data directory's exports/, .xlsx)"
    )
    p.add_argument("--format", choices=["csv", "xlsx"], help="default: from --out, else xlsx")
    p.add_argument(
        "--status", action="append", help="orders: only this status (repeat for several)"
    )
    p.add_argument(
        "--department",
        choices=["sales", "finance", "warehouse", "production"],
        help="inbox: one department's queue",
    )

    p = sub.add_parser(
        "import", parents=[common], help="customers, products or stock levels from CSV/XLSX"
    )
    p.add_argument("kind", choices=["customers", "products", "stock"])
    p.add_argument("path", help="the .csv or .xlsx file (templates: sample_data/import/)")
    p.add_argument(
        "--skip-bad", action="store_true", help="import the good rows, list the rejected ones"
    )

    p = sub.add_parser("backup", parents=[common], help="consistent copy while others write")
    p.add_argument("path")
    p = sub.add_parser("check", parents=[common], help="integrity and schema version")
    p.add_argument("--full", action="store_true")
    p = sub.add_parser(
        "purge", parents=[common], help="remove archived orders past retention (admin)"
    )
    p.add_argument("--yes", action="store_true", help="do not ask (scheduled jobs)")
    p.add_argument("--dry-run", action="store_true", help="only list what would be removed")
    p = sub.add_parser(
        "migrate-db",
        parents=[common],
        help="copy this SQLite database into an empty PostgreSQL database and verify it",
    )
    p.add_argument("--to", required=True, metavar="URL", help="postgresql+psycopg://...")
    return parser


COMMANDS = {
    "init": cmd_init,
    "demo": cmd_demo,
    "seed": cmd_seed,
    "user": cmd_user,
    "orders": cmd_orders,
    "intake": cmd_intake,
    "print": cmd_print,
    "export": cmd_export,
    "import": cmd_import,
    "backup": cmd_backup,
    "check": cmd_check,
    "purge": cmd_purge,
    "migrate-db": cmd_migrate_db,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # Orders, customers' bank accounts and attachments are no one else's business: whatever
    # the login umask, nothing we create (database, its side files, attachments, PDFs,
    # exports) is readable by other users. A shared database keeps its group access.
    os.umask(os.umask(0) | 0o007)
    try:
        if args.command is None:
            return cmd_run(args)
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        message = _error_line(exc, args)
        if message is None:
            raise
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 1


def _error_line(exc: Exception, args: argparse.Namespace) -> str | None:
    """The one line for an expected error, None for a bug (which keeps its traceback).

    The store's exception classes are imported here, after the fact: importing them up front
    would load SQLAlchemy and Alembic before the app's first screen.
    """
    from sqlalchemy.exc import OperationalError

    from order_tui.domain import messages
    from order_tui.domain.errors import DomainError
    from order_tui.store.maintenance import MaintenanceError
    from order_tui.store.migrate import MigrationError, SchemaTooNew

    if isinstance(exc, OperationalError):
        return f"database: {exc.orig}"
    expected = (UserError, ConfigError, DomainError, SchemaTooNew, MigrationError, MaintenanceError)
    if isinstance(exc, expected):
        return messages.localized(exc, _error_lang(args))
    return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
