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

The same happens within a screen. A command key (Enter, Esc, Tab, an F-key, a letter bound to
an action where no text field has the focus) has effects that come later: Enter in a search
field posts `Submitted`, whose handler moves the focus to the results, itself one more
callback on the app's queue. Keys routed before those ran went by the old focus: in the
archive, `Enter Esc Esc /SO20` in one burst ran the search, then both Escs found the focus
still in the field, and "/SO20" landed in it. So after a command key the app holds the keys
behind it until its effects have settled: until a callback posted through each widget of the
screen that had messages waiting, and then through the app's queue, has come back, and no
widget has any left (a few rounds at most, for a message that posts another), and the work
the key started in a thread (a search, a save, a scan's pick) has finished, up to a limit.
Text typed into a field is no command: a burst of it is not held.
"""

from __future__ import annotations

import time
import weakref
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import App
from textual.widgets import Input, TextArea

if TYPE_CHECKING:
    from textual.screen import Screen


class TypeAheadApp(App[None]):
    """An App that holds keys typed ahead of an opening screen or of a command key's effects
    (see the module)."""

    # Rounds of the settle check before the held keys go anyway: a widget that posts to
    # itself for ever (a timer) must not hold the keyboard.
    SETTLE_ROUNDS: ClassVar[int] = 8
    # How long held keys wait for a command's thread work (a query or a save under a busy
    # database) before they go anyway, and how often the work is looked at meanwhile.
    WORK_WAIT: ClassVar[float] = 2.0
    WORK_POLL: ClassVar[float] = 0.005
    # The app's own thread work that is not a command's: never waited for.
    BACKGROUND_GROUPS: ClassVar[frozenset[str]] = frozenset(
        {"warm-up", "autosave", "open-db", "start"}
    )

    def __init__(self) -> None:
        super().__init__()
        self._held_keys: list[events.Key | events.Paste] = []
        self._held_for: Screen[object] | None = None
        self._settling = 0  # the round of the settle check under way; 0: none
        self._settle_began = 0.0
        self._settles = 0  # settle checks begun: which one a late timer belongs to
        self._guarded = 0  # the settle check the overdue timer watches
        self._round = 0  # rounds begun: callbacks of an older one count for nothing
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
            if self._held_keys and not self._settling and self._held_for not in self.screen_stack:
                await self._replay_held_keys()  # that screen closed before it was ready
            if self._held_keys or self._settling:  # keys before this one wait: it waits too
                if self._settling and self._guarded != self._settles:
                    self._guarded = self._settles  # keys wait now: never for good
                    overdue = partial(self._settle_overdue, self._settles)
                    self.set_timer(self.WORK_WAIT + 0.5, overdue)
                self._held_keys.append(event)
                return
            screen = self._opening_screen()
            if screen is not None:
                self._held_keys.append(event)
                self._wait_for(screen)
                return
            await self._route(event)
            return
        await super().on_event(event)

    async def _route(self, event: events.Key | events.Paste) -> None:
        """The usual route; after a command key, the settle check (see the module)."""
        command = self._is_command(event)
        await super().on_event(event)
        if command:
            self._settling = 1
            self._settle_began = time.monotonic()
            self._settles += 1
            self._settle_round()

    def _is_command(self, event: events.Key | events.Paste) -> bool:
        """Whether `event` may do more than put text into the focused field."""
        focused = self.focused
        if not isinstance(focused, Input | TextArea):
            return True
        if isinstance(event, events.Paste):
            return False
        return not event.is_printable  # Enter, Tab, Esc, arrows, F-keys, Ctrl+…

    def _settle_round(self) -> None:
        """One round trip through every widget of the screen in front with messages waiting,
        then through the app's queue (see the module)."""
        try:
            nodes = [*self.screen.walk_children(with_self=True)]
        except Exception:  # no screen (the app is closing): nothing to wait for
            nodes = []
        busy = [node for node in nodes if node.message_queue_size]
        waiting = len(busy) + 1
        self._round += 1
        round_ = self._round

        def back() -> None:
            nonlocal waiting
            waiting -= 1
            if waiting == 0:
                self.call_later(self._settle_checked, round_, bool(busy))

        for node in busy:
            if not node.call_later(back):
                waiting -= 1  # closed: it will run nothing more
        back()

    async def _settle_checked(self, round_: int, was_busy: bool) -> None:
        if round_ != self._round or not self._settling:
            return  # given up on (see _settle_overdue)
        if was_busy and self._settling < self.SETTLE_ROUNDS:
            self._settling += 1
            self._settle_round()
            return
        if self._working() and time.monotonic() - self._settle_began < self.WORK_WAIT:
            self._settling = 1  # its results may post messages: rounds again after it
            self.set_timer(self.WORK_POLL, self._settle_round)
            return
        self._settling = 0
        await self._replay_held_keys()

    async def _settle_overdue(self, settle: int) -> None:
        """The keyboard is never held for good: a widget removed with a round's callback
        still in its queue never runs it, and that round never ends. The held keys go on."""
        if self._settling and settle == self._settles:
            self._round += 1
            self._settling = 0
            await self._replay_held_keys()

    def _working(self) -> bool:
        """Whether thread work of the screen in front (or a write of the app's) is running."""
        try:
            screen = self.screen
        except Exception:
            return False
        for worker in self.workers:
            if worker.is_finished:
                continue
            node = worker.node
            if node is self:
                if worker.group not in self.BACKGROUND_GROUPS:
                    return True
            elif node is screen or _screen_of(node) is screen:
                return True
        return False

    def _wait_for(self, screen: Screen[object]) -> None:
        self._held_for = screen
        self._watch(screen)

    def _watch(self, screen: Screen[object]) -> None:
        if screen not in self._ready_screens and screen not in self._watched:
            self._watched.add(screen)
            screen.call_later(self.call_later, self._screen_ready, screen)

    async def _screen_ready(self, screen: Screen[object]) -> None:
        self._ready_screens.add(screen)
        if not self._settling:
            await self._replay_held_keys()

    async def _replay_held_keys(self) -> None:
        while self._held_keys and not self._settling:
            screen = self._opening_screen()
            if screen is not None and screen in self.screen_stack:
                if screen is not self._held_for:  # a held key opened another screen
                    self._wait_for(screen)
                return  # the rest wait for it
            await self._route(self._held_keys.pop(0))


def _screen_of(node: object) -> object:
    """The screen a widget is on; None for anything else, or a widget on none any more."""
    try:
        return getattr(node, "screen", None)
    except Exception:  # NoScreen: removed meanwhile
        return None
