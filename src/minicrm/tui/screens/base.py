"""What every screen shares: the navigation bar, the footer, refresh, and palette commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static

from minicrm.tui.work import run_db

if TYPE_CHECKING:
    from minicrm.tui.app import MinicrmApp

SCREENS = (
    ("today", "1 Today"),
    ("contacts", "2 Contacts"),
    ("pipeline", "3 Pipeline"),
    ("followups", "4 Follow-ups"),
)


class NavBar(Static):
    """The tab bar: which screen this is; click or press 1-4 to switch."""

    def __init__(self, current: str) -> None:
        parts = []
        for mode, label in SCREENS:
            style = "reverse bold" if mode == current else ""
            parts.append(
                f"[@click=app.switch_mode('{mode}')][{style}] {label} [/][/]"
                if style
                else f"[@click=app.switch_mode('{mode}')] {label} [/]"
            )
        super().__init__(" minicrm  " + " ".join(parts), id="nav")


class CrmScreen(Screen[None]):
    MODE: ClassVar[str] = ""
    #: (title, help, action) shown in the command palette while this screen is active
    COMMANDS_HERE: ClassVar[tuple[tuple[str, str, str], ...]] = ()

    @property
    def crm(self) -> MinicrmApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield NavBar(self.MODE)
        yield from self.compose_body()
        yield Footer(compact=True)

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    def on_mount(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        """Reload what this screen shows from the database."""
        raise NotImplementedError

    def db(
        self,
        fn: Callable[..., Any],
        *args: Any,
        then: Callable[[Any], Any] | None = None,
        group: str = "db",
        exclusive: bool = False,
        **kwargs: Any,
    ) -> None:
        run_db(self, fn, *args, then=then, group=group, exclusive=exclusive, **kwargs)

    def write(
        self,
        fn: Callable[..., Any],
        *args: Any,
        done: str,
        then: Callable[[Any], Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """A write: on success say so and reload the screen; an error is a notification."""

        def after(result: Any) -> None:
            self.notify(done)
            self.refresh_data()
            if then is not None:
                then(result)

        self.db(fn, *args, then=after, group="write", **kwargs)
