"""SVG snapshots of login, home and order detail at 80x24 and 120x40, in zh and en.

Deterministic by construction:
- time: every service module's `now_utc` returns FROZEN while the demo is built and while
  the app runs (order numbers, wanted dates, "overdue", verdict times all derive from it),
  and the app gets `clock=` so the status line and the worklist show FROZEN too;
- input cursors do not blink; the theme is Textual's default (not chosen from $TERM).

Update after a deliberate change of the screens: `pytest tests/ui/test_shell_snapshots.py
--snapshot-update`, then look at the SVGs.
"""

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from textual.pilot import Pilot

from order_tui.app import OrderApp
from order_tui.services import Database
from order_tui.services.demo import build_demo
from order_tui.store.engine import open_database
from order_tui.store.migrate import ensure_schema
from tests.ui.pilot import freeze_services, steady

FROZEN = datetime(2026, 3, 16, 1, 30, tzinfo=UTC)  # Monday 09:30 in Shanghai
SIZES = [(80, 24), (120, 40)]
LANGS = ["zh", "en"]


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("snapshot-demo")
    with pytest.MonkeyPatch.context() as monkeypatch:
        freeze_services(monkeypatch, FROZEN)
        db = open_database(f"sqlite:///{folder}/orders.db", folder)
        ensure_schema(db)
        build_demo(db)
        db.dispose()
    yield folder / "orders.db"


@pytest.fixture
def db(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    freeze_services(monkeypatch, FROZEN)
    shutil.copy(demo_template, tmp_path / "orders.db")
    database = open_database(f"sqlite:///{tmp_path}/orders.db", tmp_path)
    yield database
    database.dispose()


def make_app(db: Database, lang: str) -> OrderApp:
    return OrderApp(
        db, lang=lang, demo=True, clock=lambda: FROZEN.astimezone(ZoneInfo("Asia/Shanghai"))
    )


async def login_screen(pilot: Pilot[None]) -> None:
    await steady(pilot)


async def home_screen(pilot: Pilot[None]) -> None:
    await steady(pilot)
    await pilot.press(*"zhao", "enter", *"1234", "enter")
    await steady(pilot)


async def detail_screen(pilot: Pilot[None]) -> None:
    """zhao's returned order (the third row: below the two held ones)."""
    await home_screen(pilot)
    await pilot.press("down", "down", "enter")
    await steady(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
def test_login(snap_compare: object, db: Database, lang: str, size: tuple[int, int]) -> None:
    app = make_app(db, lang)
    assert snap_compare(app, terminal_size=size, run_before=login_screen)  # type: ignore[operator]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
def test_home(snap_compare: object, db: Database, lang: str, size: tuple[int, int]) -> None:
    app = make_app(db, lang)
    assert snap_compare(app, terminal_size=size, run_before=home_screen)  # type: ignore[operator]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
def test_order_detail(snap_compare: object, db: Database, lang: str, size: tuple[int, int]) -> None:
    app = make_app(db, lang)
    assert snap_compare(app, terminal_size=size, run_before=detail_screen)  # type: ignore[operator]
