"""vi motions (j k h l g G) for whatever has the focus: a list moves its cursor, a pane scrolls.

The app binds them for every screen, and a sheet (a modal) binds them again: Textual does not
offer the app's keys over a modal screen. A widget's own binding for the key wins over both.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.screen import Screen

#: the focused widget's action for each motion, the first it has
ACTIONS: dict[str, tuple[str, ...]] = {
    "down": ("cursor_down", "scroll_down"),
    "up": ("cursor_up", "scroll_up"),
    "left": ("cursor_left", "scroll_left"),
    "right": ("cursor_right", "scroll_right"),
    "top": ("first", "scroll_home"),
    "bottom": ("last", "scroll_end"),
}


def bindings(scope: str, *, sideways: bool = True) -> list[Binding]:
    keys = [("j", "down", "Down"), ("k", "up", "Up"), ("g", "top", "First"), ("G", "bottom", "Last")]
    if sideways:
        keys[2:2] = [("h", "left", "Left"), ("l", "right", "Right")]
    return [
        Binding(key, f"vim('{motion}')", label, show=False, id=f"{scope}.vim.{motion}")
        for key, motion, label in keys
    ]


def move(screen: Screen[Any], motion: str) -> None:
    """Do ``motion`` on ``screen``: a board moves between its columns sideways."""
    if motion in ("left", "right") and hasattr(screen, "action_column"):
        screen.action_column(-1 if motion == "left" else 1)
        return
    focused = screen.focused
    if focused is None:
        return
    for name in ACTIONS[motion]:
        method = getattr(focused, f"action_{name}", None)
        if method is not None:
            method()
            return
