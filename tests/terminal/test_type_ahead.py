"""Keys that arrive in one read (a fast typist over SSH, a paste of keys): the approval
inbox's "/" must hand the keys after it to the filter. Routed to the list, its letters are
sort keys and its digits option codes (1 approve, 4 reject) that the next Enter would run on
whatever rows they landed on."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input

from order_tui.app import OrderApp
from order_tui.screens.inbox import InboxScreen
from order_tui.services.demo import build_demo
from order_tui.store.engine import Database, open_database
from order_tui.store.migrate import ensure_schema
from tests.ui.pilot import logged_in, press, settle


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path}/orders.db", tmp_path)
    ensure_schema(db)
    build_demo(db)
    yield db
    db.dispose()


def post_keys(app: OrderApp, text: str) -> None:
    """All of `text` queued at once, as a terminal read delivers it."""
    for char in text:
        key = {"/": "slash", " ": "space"}.get(char, char)
        app.post_message(events.Key(key, char))


async def test_keys_typed_after_slash_reach_the_inbox_filter(demo: Database) -> None:
    app = OrderApp(demo, lang="zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await logged_in(pilot, "zhang")
        await press(pilot, "v")
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        sort_before = (screen.sort, screen.descending)
        post_keys(app, "/SO2026 14")
        await settle(pilot)
        field = screen.query_one("#filter", Input)
        assert screen.focused is field
        assert field.value == "SO2026 14"
        assert not screen.codes, "digits became option codes on the list"
        assert (screen.sort, screen.descending) == sort_before, "a letter sorted the list"
        post_keys(app, "/")  # in the filter "/" is text
        await settle(pilot)
        assert field.value == "SO2026 14/"


async def test_keys_typed_after_slash_reach_the_archive_search(demo: Database) -> None:
    from order_tui.screens.archive import ArchiveBrowser

    app = OrderApp(demo, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await logged_in(pilot, "wu")
        await press(pilot, "b")
        screen = app.screen
        assert isinstance(screen, ArchiveBrowser)
        post_keys(app, "/精密")
        await settle(pilot)
        field = screen.query_one("#s-customer", Input)
        assert screen.focused is field and field.value == "精密"
        post_keys(app, "/")  # in a search field "/" is text
        await settle(pilot)
        assert field.value == "精密/"
