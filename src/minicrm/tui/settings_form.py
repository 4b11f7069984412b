"""The settings dialog (palette → Settings): the theme and the screen the app opens on."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Select, Static

from minicrm.core.config import config_path
from minicrm.tui.modals import Dialog
from minicrm.tui.safe import text
from minicrm.tui.settings import SCREEN_NAMES, TuiSettings


class SettingsModal(Dialog):
    """Theme and the screen to open on; saved to the config file, the theme applied at once."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="settings.cancel"),
        Binding("ctrl+s", "submit", "Save", id="settings.save"),
    ]

    def __init__(self, current: TuiSettings, themes: list[str], theme_now: str) -> None:
        super().__init__()
        self.current = current
        self.themes = themes
        self.theme_now = theme_now

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(text("Settings"), classes="dialog-title")
            with Horizontal(classes="field-row field"):
                yield Label("Theme", classes="field-label")
                yield Select(
                    [(t, t) for t in self.themes], value=self.theme_now, allow_blank=False, id="theme"
                )
            with Horizontal(classes="field-row field"):
                yield Label("Open on", classes="field-label")
                yield Select(
                    [(s, s) for s in SCREEN_NAMES],
                    value=self.current.screen or "today",
                    allow_blank=False,
                    id="screen",
                )
            yield Static(text(f"kept in {config_path()} under [tui]"), classes="hint")
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query_one("#theme", Select).focus()

    def action_submit(self) -> None:
        theme = self.query_one("#theme", Select).value
        screen = self.query_one("#screen", Select).value
        self.dismiss(
            TuiSettings(
                theme=theme if isinstance(theme, str) else None,
                screen=screen if isinstance(screen, str) else None,
            )
        )
