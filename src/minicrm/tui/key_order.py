"""Keys act in the order they were typed, each on the screen the one before it left.

Textual hands a key to the focused widget through that widget's message queue and goes on to the
next key at once, while the first is still on its way: the bindings of the dialog or screen it
bubbles up to run only when it comes back to the app. Two keys that arrive in one read (esc to
close a dialog, then 3 for the pipeline; or keys piled up while the app was busy) both reached
the dialog's text field, and the 3 was typed there instead of switching screens.

``KeyOrder`` holds each key until the one before it has been handled: after a key it posts a
``KeyHandled`` marker to the widget the key went to; the marker follows the key through every
queue on its way up (each handles its messages in order) and reaches the app once the key and the
binding it ran are done. If the marker is lost (its widget closed meanwhile), the next key goes
after ``PATIENCE`` seconds. A key also waits (at most ``SCREEN_PATIENCE`` seconds) while the
screen the key before it opened is still reading what it shows: ``3 j o`` typed at once opens the
second deal of the board, not nothing.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from textual import events
from textual.message import Message

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

PATIENCE = 0.5
SCREEN_PATIENCE = 2.0


class KeyHandled(Message):
    """Reaches the app after the key posted before it, once that key has been handled."""


class KeyOrder:
    def __init__(
        self,
        app: App[Any],
        send: Callable[[events.Key], Awaitable[None]],
        ready: Callable[[], bool] = lambda: True,
    ) -> None:
        self.app = app
        self.send = send  # the app's handling of one key
        self.ready = ready  # whether the screen shows what it read (keys act on that)
        self.held: list[events.Key] = []
        self.in_flight: KeyHandled | None = None
        self._timer: Timer | None = None
        self._retry: Timer | None = None
        self._waiting_since: float | None = None

    async def key(self, event: events.Key) -> None:
        self.held.append(event)
        if self.in_flight is None and self._retry is None:
            await self._next()

    async def handled(self, marker: KeyHandled) -> None:
        if marker is self.in_flight:
            await self.release()

    async def release(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.in_flight = None
        if self._retry is None:
            await self._next()

    async def _next(self) -> None:
        self._retry = None
        while self.held and self.in_flight is None:
            if not self.ready():
                now = time.monotonic()
                self._waiting_since = self._waiting_since or now
                if now - self._waiting_since < SCREEN_PATIENCE:
                    self._retry = self.app.set_timer(0.02, self._next)
                    return
            self._waiting_since = None
            await self._send(self.held.pop(0))

    async def _send(self, event: events.Key) -> None:
        await self.send(event)
        marker = KeyHandled()
        target = self.app.focused or self.app.screen
        if target.post_message(marker):
            self.in_flight = marker
            self._timer = self.app.set_timer(PATIENCE, self.release)
