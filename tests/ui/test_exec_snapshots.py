"""Snapshots of the pick screen and the production plan with Chinese data, zh and en, at 80x24
and 120x40, made and shown at a frozen time (order numbers, dates, the "late" marks and the
status line never depend on the day the tests run). Update with
`pytest tests/ui/test_exec_snapshots.py --snapshot-update -n 0`, then look at the SVGs."""

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from textual.pilot import Pilot

from order_tui.app import OrderApp
from order_tui.domain.lifecycle import Status
from order_tui.screens.picking import PickScreen
from order_tui.screens.production import ProductionPlanScreen
from order_tui.services import Database, execution
from order_tui.services.demo import drive_to, load_master_data, new_order
from order_tui.store import repo
from order_tui.store.engine import open_database
from order_tui.store.migrate import ensure_schema
from tests.ui.pilot import freeze_services, steady

FROZEN = datetime(2026, 3, 16, 1, 30, tzinfo=UTC)  # Monday 09:30 in Shanghai
SIZES = [(80, 24), (120, 40)]
LANGS = ["zh", "en"]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, str]]:
    """An order half picked (with a non-stocked installation line) and one in production
    whose plan ends after the wanted date, with its first operation done."""
    folder = tmp_path_factory.mktemp("exec-snapshots")
    with pytest.MonkeyPatch.context() as monkeypatch:
        freeze_services(monkeypatch, FROZEN)
        db = open_database(f"sqlite:///{folder}/orders.db", folder)
        ensure_schema(db)
        cast = load_master_data(db)
        with db.writing() as session:
            repo.find_product(session, "P0012").stocked = False
        pick = new_order(
            db,
            cast,
            "C0002",
            [("P0001", "3"), ("P0005", "10"), ("P0012", "1")],
            wanted_in_days=12,
        )
        drive_to(db, cast, pick, Status.PICKING, folder)
        execution.pick_scanned(db, cast["liu"], pick, "P0001", Decimal(2))
        plan = new_order(db, cast, "C0003", [("P0006", "2")], wanted_in_days=20)
        drive_to(db, cast, plan, Status.APPROVED, folder)
        execution.plan_production(db, cast["sun"], plan)
        execution.complete_operation(db, cast["sun"], plan)
        db.dispose()
    yield folder / "orders.db", pick, plan


@pytest.fixture
def db(template: tuple[Path, str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    freeze_services(monkeypatch, FROZEN)
    shutil.copy(template[0], tmp_path / "orders.db")
    database = open_database(f"sqlite:///{tmp_path}/orders.db", tmp_path)
    yield database
    database.dispose()


def make_app(db: Database, lang: str) -> OrderApp:
    clock = FROZEN.astimezone(ZoneInfo("Asia/Shanghai"))
    return OrderApp(db, lang=lang, demo=True, clock=lambda: clock)


def opener(user: str, make: object, keys: tuple[str, ...]) -> object:
    async def run(pilot: Pilot[None]) -> None:
        app = pilot.app
        await pilot.press(*user, "enter", *"1234", "enter")
        await steady(pilot)
        app.push_screen(make(app))  # type: ignore[operator]
        await steady(pilot)
        await pilot.press(*keys)
        await steady(pilot)

    return run


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
def test_pick_screen(
    snap_compare: object,
    db: Database,
    template: tuple[Path, str, str],
    lang: str,
    size: tuple[int, int],
) -> None:
    """A wrong product scanned: refused with the reason under the field."""
    app = make_app(db, lang)
    run = opener(
        "liu",
        lambda a: PickScreen(a.db, a.lang, a.actor, template[1]),
        ("P", "0", "0", "0", "9", "enter"),
    )
    assert snap_compare(app, terminal_size=size, run_before=run)  # type: ignore[operator]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
def test_production_plan(
    snap_compare: object,
    db: Database,
    template: tuple[Path, str, str],
    lang: str,
    size: tuple[int, int],
) -> None:
    """In production, ready after the wanted date: the warning above the operations."""
    app = make_app(db, lang)
    run = opener(
        "sun",
        lambda a: ProductionPlanScreen(a.db, a.lang, a.actor, template[2]),
        ("down",),
    )
    assert snap_compare(app, terminal_size=size, run_before=run)  # type: ignore[operator]


def test_frozen_dates(template: tuple[Path, str, str]) -> None:
    assert template[1] == "SO20260316001" and template[2] == "SO20260316002"
