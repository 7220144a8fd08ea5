"""What the pilot and snapshot tests of the screens share: reading the terminal, letting
workers land, logging in, and freezing the services' clock for snapshots.

Imported as `from tests.ui.pilot import screen_text, settle, logged_in` (pytest puts the
project root on the path).
"""

import importlib
import pkgutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from time import monotonic

import pytest
from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerCancelled

import order_tui.services
from order_tui.screens.home import HomeScreen
from order_tui.services import common


def screen_text(pilot: Pilot[None]) -> str:
    """What the terminal shows now, line by line."""
    return "\n".join(strip.text for strip in pilot.app.screen._compositor.render_strips())


async def tab_to(pilot: Pilot[None], widget: object, most: int = 60) -> None:
    """Move the focus to `widget` with Tab, as a clerk would (keys only)."""
    for _ in range(most):
        if pilot.app.screen.focused is widget:
            return
        await pilot.press("tab")
    raise AssertionError(f"cannot reach #{getattr(widget, 'id', widget)}:\n{screen_text(pilot)}")


async def settle(pilot: Pilot[None], rounds: int = 4) -> None:
    """Let thread workers finish and their results reach the screen."""
    for _ in range(rounds):
        await pilot.pause()
        # an exclusive worker replaced by a newer one: nothing to wait for
        with suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Let the app run until `condition` holds: for what waits on a timer (a debounce), which
    `settle` does not wait for."""
    deadline = monotonic() + timeout
    while not condition():
        if monotonic() > deadline:
            raise AssertionError(f"still not so after {timeout} s:\n{screen_text(pilot)}")
        await pilot.pause(0.02)
        await settle(pilot, 1)


async def steady(pilot: Pilot[None], rounds: int = 4) -> None:
    """`settle`, then input cursors stop blinking: a blink is drawn or not depending on the
    millisecond, a snapshot must not depend on it."""
    await settle(pilot, rounds)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


async def login(pilot: Pilot[None], username: str) -> None:
    """Type the demo operator's name and PIN at the login screen."""
    await pilot.press(*username, "enter", *"1234", "enter")
    await settle(pilot)


async def logged_in(pilot: Pilot[None], username: str = "zhao") -> None:
    """Log in and be sure it worked (else show what the screen says)."""
    await login(pilot, username)
    assert isinstance(pilot.app.screen, HomeScreen), screen_text(pilot)


async def press(pilot: Pilot[None], *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


# -- frozen time for snapshots ---------------------------------------------------------------


def freeze_services(monkeypatch: pytest.MonkeyPatch, frozen: datetime) -> None:
    """Every service module that imported `now_utc` gets one that returns `frozen`."""
    for info in pkgutil.iter_modules(order_tui.services.__path__):
        importlib.import_module(f"order_tui.services.{info.name}")
    real = common.now_utc
    for name, module in list(sys.modules.items()):
        if name.startswith("order_tui.") and getattr(module, "now_utc", None) is real:
            monkeypatch.setattr(module, "now_utc", lambda: frozen)


@contextmanager
def frozen_services(start: datetime) -> Iterator[None]:
    """Every service's `now_utc` returns `start`, a second later on each call."""
    ticks = iter(range(1_000_000))

    def now() -> datetime:
        return start + timedelta(seconds=next(ticks))

    with pytest.MonkeyPatch.context() as patch:
        for name, module in list(sys.modules.items()):
            if name.startswith("order_tui.services") and hasattr(module, "now_utc"):
                patch.setattr(module, "now_utc", now)
        yield
