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
after ``PATIENCE`` seconds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from textual import events
from textual.message import Message

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

PATIENCE = 0.5


class KeyHandled(Message):
    """Reaches the app after the key posted before it, once that key has been handled."""


class KeyOrder:
    def __init__(self, app: App[Any], send: Callable[[events.Key], Awaitable[None]]) -> None:
        self.app = app
        self.send = send  # Textual's own handling of one key
        self.held: list[events.Key] = []
        self.in_flight: KeyHandled | None = None
        self._timer: Timer | None = None

    async def key(self, event: events.Key) -> None:
        if self.in_flight is not None:
            self.held.append(event)
            return
        await self._send(event)

    async def _send(self, event: events.Key) -> None:
        await self.send(event)
        marker = KeyHandled()
        target = self.app.focused or self.app.screen
        if target.post_message(marker):
            self.in_flight = marker
            self._timer = self.app.set_timer(PATIENCE, self.release)

    async def handled(self, marker: KeyHandled) -> None:
        if marker is self.in_flight:
            await self.release()

    async def release(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.in_flight = None
        while self.held and self.in_flight is None:
            await self._send(self.held.pop(0))
