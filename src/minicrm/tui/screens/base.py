"""What every screen shares: the navigation bar, the key bar, refresh, and palette commands."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.markup import escape
from textual.message_pump import _MessagePumpMeta
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from minicrm.core.errors import Conflict, NotFound
from minicrm.tui.work import run_db

if TYPE_CHECKING:
    from minicrm.tui.app import MinicrmApp
    from minicrm.tui.modals import Dialog

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


class KeyBar(Static):
    """The keys that work here, on one line, with the command palette's key at the right; each
    is a link that presses it. Textual's Footer mounts a widget per key and mounts them all again
    whenever the focus moves: ~100 ms of the first paint, for one line of text."""

    _line = ""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self._show)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def on_resize(self) -> None:
        self._show()

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        if screen is self.screen:
            self._show()

    def _link(self, key: str, label: str, description: str, enabled: bool) -> tuple[str, int]:
        style = "b" if enabled else "dim"
        text = f"[@click=app.simulate_key({key!r})][{style}]{escape(label)}[/] {escape(description)}[/]"
        return text, len(label) + 1 + len(description)

    def _show(self) -> None:
        if not self.is_attached:
            return
        app, shown, width = self.app, set(), 0
        parts: list[str] = []
        palette = None
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if binding.key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = self._link(binding.key, app.get_key_display(binding), "palette", enabled)
            if not binding.show or binding.action in shown:
                continue
            shown.add(binding.action)
            text, size = self._link(binding.key, app.get_key_display(binding), binding.description, enabled)
            parts.append(text)
            width += size + 1
        line = " ".join(parts)
        if palette is not None:
            line += " " * max(1, self.size.width - width - palette[1]) + palette[0]
        if line != self._line:  # asked again on mount, resize and each focus change: often the same
            self._line = line
            self.update(line, layout=False)  # one docked line: a repaint, never a layout


class _AbstractScreenMeta(_MessagePumpMeta, ABCMeta):
    """Textual's message-pump metaclass with ABCMeta's abstract-method checks."""


class CrmScreen(Screen[None], metaclass=_AbstractScreenMeta):
    MODE: ClassVar[str] = ""
    #: (title, help, action) shown in the command palette while this screen is active
    COMMANDS_HERE: ClassVar[tuple[tuple[str, str, str], ...]] = ()

    def __init__(self) -> None:
        super().__init__()
        #: what runs once the next reload is on screen (see ``refreshed``)
        self._after_refresh: list[Callable[[], Any]] = []
        self._mounted_fresh = False
        self._under_dialog = False
        #: whether what the screen shows has been read once: keys typed before wait for it, so
        #: that "3 j o" opens the deal the board puts first (tui/key_order)
        self.shown_once = False

    @property
    def crm(self) -> MinicrmApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield NavBar(self.MODE)
        yield from self.compose_body()
        yield KeyBar(id="keys")

    @abstractmethod
    def compose_body(self) -> ComposeResult:
        """The widgets between the navigation bar and the key bar (every screen defines its own)."""

    def on_mount(self) -> None:
        self.refresh_data()
        self._mounted_fresh = True

    def on_screen_resume(self) -> None:
        # switching back to a screen shows what is stored now (a follow-up done on Follow-ups
        # leaves Today); the first showing was just read by on_mount
        if self._mounted_fresh or self._under_dialog:
            self._mounted_fresh = self._under_dialog = False
        else:
            self.refresh_data()

    def on_screen_suspend(self) -> None:
        # a dialog over this screen is not a switch: it reloads after its own write
        self._under_dialog = isinstance(self.app.screen, ModalScreen)

    def refreshed(self) -> None:
        """Each screen calls this when what ``refresh_data`` read is on screen."""
        self.shown_once = True
        waiting, self._after_refresh = self._after_refresh, []
        for callback in waiting:
            callback()

    @abstractmethod
    def refresh_data(self) -> None:
        """Reload what this screen shows from the database."""

    def db(
        self,
        fn: Callable[..., Any],
        *args: Any,
        then: Callable[[Any], Any] | None = None,
        failed: Callable[[Exception], Any] | None = None,
        group: str = "db",
        exclusive: bool = False,
        **kwargs: Any,
    ) -> None:
        run_db(self, fn, *args, then=then, failed=failed, group=group, exclusive=exclusive, **kwargs)

    def write(
        self,
        fn: Callable[..., Any],
        *args: Any,
        done: str,
        then: Callable[[Any], Any] | None = None,
        retry: Callable[[], Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """A write: on success say so and reload the screen. A failure is a notification; a
        conflict (the record changed since this screen read it) also reloads the screen, so
        that what is shown is what is stored. ``retry`` then runs (a dialog reopened with what
        was typed in it, so that nothing typed is lost)."""

        def after(result: Any) -> None:
            self.notify(done)
            self.refresh_data()
            if then is not None:
                then(result)

        def failed(error: Exception) -> None:
            if isinstance(error, Conflict | NotFound):
                if retry is not None:  # once the screen shows the record as it is now
                    self._after_refresh.append(retry)
                self.refresh_data()
            elif retry is not None:
                retry()

        self.db(fn, *args, then=after, failed=failed, group="write", **kwargs)

    def ask(
        self, dialog: Callable[[], Dialog | None], save: Callable[[Any, Callable[[], None]], Any]
    ) -> None:
        """Open ``dialog()``; ``save(result, retry)`` writes what it returned. ``retry`` (for
        ``write``) opens the dialog again, built anew over the record as the screen now shows it,
        with the fields the user changed typed in as they were: a refused write loses nothing."""

        def open_with(typed: dict[str, str]) -> None:
            modal = dialog()
            if modal is None:  # the record is gone
                if typed:
                    self.notify("not saved: the record was deleted meanwhile", severity="warning")
                return
            modal.keep(typed)

            def closed(result: Any) -> None:
                if result is not None and result is not False:
                    save(result, lambda: open_with(modal.kept))

            self.app.push_screen(modal, closed)

        open_with({})
