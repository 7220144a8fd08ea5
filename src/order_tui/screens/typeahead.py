"""Keys typed ahead of a screen that is still opening: held by the app, then given to that
screen in the order they were typed.

A key that opens a screen (`b` on the worklist) pushes it at once, but the screen composes and
mounts a moment later, and the focus its `on_mount` asks for (`focus()`) is a callback on the
app's queue, behind every key already read. Keys read in the same burst ("b/精密" arriving in
one read over SSH, or typed by a fast hand) would be routed before that: characters to a
screen with no focused widget, which drops them, a priority binding ("/") to a screen whose
fields are not there yet, or to the right field with the focus then taken away from it.

So the app holds every key (and paste) that arrives while the screen in front has not yet
been seen ready: ready is when a callback posted through that screen's own queue (which it
reads only after it has mounted) has come back through the app's queue (behind the focus
callbacks of its `on_mount`). Then the held keys take the usual route, one by one. A held key
that opens yet another screen holds the ones after it for that screen.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App

if TYPE_CHECKING:
    from textual.screen import Screen


class TypeAheadApp(App[None]):
    """An App that holds keys typed ahead of an opening screen (see the module)."""

    def __init__(self) -> None:
        super().__init__()
        self._held_keys: list[events.Key | events.Paste] = []
        self._held_for: Screen[object] | None = None
        self._ready_screens: weakref.WeakSet[Screen[object]] = weakref.WeakSet()
        self._watched: weakref.WeakSet[Screen[object]] = weakref.WeakSet()  # check under way

    def push_screen(self, screen: Any, *args: Any, **kwargs: Any) -> Any:
        """As App's; the new screen's ready-check starts now, so a key typed at a human pace
        finds it ready and is not held at all."""
        result = super().push_screen(screen, *args, **kwargs)
        if kwargs.get("mode") is None and self._screen_stack:
            self._watch(self.screen)
        return result

    def _opening_screen(self) -> Screen[object] | None:
        """The screen in front while it is not ready for keys yet; else None."""
        if not self._screen_stack:
            return None
        screen = self.screen
        return None if screen in self._ready_screens else screen

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            if self._held_keys and self._held_for not in self.screen_stack:
                await self._replay_held_keys()  # that screen closed before it was ready
            if self._held_keys:  # keys before this one wait: this one waits behind them
                self._held_keys.append(event)
                return
            screen = self._opening_screen()
            if screen is not None:
                self._held_keys.append(event)
                self._wait_for(screen)
                return
        await super().on_event(event)

    def _wait_for(self, screen: Screen[object]) -> None:
        self._held_for = screen
        self._watch(screen)

    def _watch(self, screen: Screen[object]) -> None:
        if screen not in self._ready_screens and screen not in self._watched:
            self._watched.add(screen)
            screen.call_later(self.call_later, self._screen_ready, screen)

    async def _screen_ready(self, screen: Screen[object]) -> None:
        self._ready_screens.add(screen)
        await self._replay_held_keys()

    async def _replay_held_keys(self) -> None:
        while self._held_keys:
            screen = self._opening_screen()
            if screen is not None and screen in self.screen_stack:
                if screen is not self._held_for:  # a held key opened another screen
                    self._wait_for(screen)
                return  # the rest wait for it
            await super().on_event(self._held_keys.pop(0))
