"""The minicrm TUI: four screens (Today, Contacts, Pipeline, Follow-ups) as app modes.

All database work runs in thread workers (``minicrm.tui.work``) through the services; the UI
thread only renders. ``run_tui()`` is what ``minicrm tui`` and a bare ``minicrm`` call.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, TextArea

from minicrm.core.clock import Clock
from minicrm.core.config import Config, load_config
from minicrm.core.errors import InvalidInput, MinicrmError
from minicrm.tui import safe, vim
from minicrm.tui.key_order import KeyHandled, KeyOrder
from minicrm.tui.screens.base import SCREENS, CrmScreen
from minicrm.tui.settings import TuiSettings, read_settings
from minicrm.tui.store import Store
from minicrm.tui.work import run_db

#: seconds between two looks for changes made outside the app (one cheap query each)
POLL_SECONDS = 1.0

if TYPE_CHECKING:
    from minicrm.services.history.undo import Operation, UndoPlan


def _screen(module: str, name: str) -> Screen[None]:
    screen: Screen[None] = getattr(importlib.import_module(f"minicrm.tui.screens.{module}"), name)()
    return screen


class MinicrmApp(App[None]):
    TITLE = "minicrm"
    CSS_PATH = "minicrm.tcss"
    MODES: ClassVar[dict[str, Callable[[], Screen[None]]]] = {  # type: ignore[assignment]
        # imported when first shown: the first paint loads only its own screen
        "today": lambda: _screen("today", "TodayScreen"),
        "contacts": lambda: _screen("contacts", "ContactsScreen"),
        "pipeline": lambda: _screen("pipeline", "PipelineScreen"),
        "followups": lambda: _screen("followups", "FollowupsScreen"),
    }
    DEFAULT_MODE = "today"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "switch_mode('today')", "Today", show=False, id="screen.today"),
        Binding("2", "switch_mode('contacts')", "Contacts", show=False, id="screen.contacts"),
        Binding("3", "switch_mode('pipeline')", "Pipeline", show=False, id="screen.pipeline"),
        Binding("4", "switch_mode('followups')", "Follow-ups", show=False, id="screen.followups"),
        Binding("slash", "search", "Search", id="app.search"),
        Binding("r", "refresh_screen", "Refresh", id="app.refresh"),
        Binding("question_mark", "keys", "Keys", tooltip="what every key does here", id="app.keys"),
        Binding(
            "u", "undo", "Undo", show=False, tooltip="undo the last change, after showing it", id="app.undo"
        ),
        Binding("q", "quit", "Quit", id="app.quit"),
        # vi motions wherever a list or a pane has the focus (a widget's own binding wins)
        *vim.bindings("app"),
    ]

    def __init__(
        self,
        db: str | None = None,
        user: str | None = None,
        config: Config | None = None,
        screen: str | None = None,
    ) -> None:
        try:
            loaded = config or load_config()
        except MinicrmError:
            loaded = Config()
        self.settings = read_settings(loaded)
        screen = screen or self.settings.screen or "today"
        if screen not in self.MODES:
            raise InvalidInput(f"unknown screen {screen!r} (choose from {', '.join(self.MODES)})")
        self.DEFAULT_MODE = screen  # type: ignore[misc]  # the screen shown first
        super().__init__()
        self.config = loaded
        self.clock = Clock.system(self.config.timezone, self.config.region)
        self.store = Store(db, user)
        #: keys typed after "/" while the filter is not focused yet (None: not searching)
        self._typeahead: list[events.Key] | None = None
        #: every other key waits for the one before it (tui/key_order)
        self._keys = KeyOrder(self, self._one_key, self._screen_ready)
        #: the database's change stamp last seen (services.kernel.freshness), and a poll running
        self._stamp: int | None = None
        self._polling = False

    @property
    def region(self) -> str | None:
        return self.config.region

    @property
    def lost_reasons(self) -> tuple[str, ...]:
        return self.config.lost_reasons

    def on_mount(self) -> None:
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.set_interval(POLL_SECONDS, self._poll, name="outside-changes")

    def on_unmount(self) -> None:
        self.store.close()

    # -- settings ------------------------------------------------------------------------
    def _theme_changed(self, theme: object) -> None:
        if self.theme != self.settings.theme:  # picked in the palette (the settings dialog saves its own)
            self.save_settings(TuiSettings(theme=self.theme, screen=self.settings.screen))

    def save_settings(self, settings: TuiSettings) -> None:
        """Keep ``settings`` in the config file (in a thread: it is a file write)."""
        from minicrm.tui.settings import write_settings

        self.settings = settings
        path = self.config.path

        def job() -> None:
            try:
                write_settings(settings, path)
            except MinicrmError as err:
                self.call_from_thread(self.notify, str(err), severity="error", title="Settings not saved")

        self.run_worker(job, thread=True, group="settings", exit_on_error=False)

    def action_settings(self) -> None:
        from minicrm.tui.settings_form import SettingsModal

        def chosen(settings: TuiSettings | None) -> None:
            if settings is None:
                return
            self.settings = settings  # before the theme changes: no second write
            if settings.theme:
                self.theme = settings.theme
            self.save_settings(settings)
            self.notify("Settings saved", timeout=2)

        themes = sorted(self.available_themes)
        self.push_screen(SettingsModal(self.settings, themes, self.theme), chosen)

    # -- changes made elsewhere (the CLI, a teammate) ---------------------------------------
    def _poll(self) -> None:
        """Ask, off the UI thread, whether another connection has written; if so, reload the
        screen that is showing (each keeps its cursor on the same record)."""
        if self._polling:
            return
        self._polling = True
        from minicrm.services.kernel.freshness import data_stamp

        # a locked or vanished database is no news: no notification, ask again at the next tick
        run_db(
            self,
            data_stamp,
            then=self._stamped,
            failed=lambda _err: self._stamped(None),
            group="poll",
            quiet=True,
        )

    def _stamped(self, stamp: int | None) -> None:
        self._polling = False
        if stamp is None or stamp == self._stamp:
            return
        if self._stamp is None:  # the first look: what is on screen is this fresh
            self._stamp = stamp
            return
        screen = self.screen
        if isinstance(screen, CrmScreen):  # with a dialog open, at the next tick after it closes
            self._stamp = stamp
            screen.refresh_data()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification is plain, inert text: messages carry names and titles (stored
        text), and "[urgent] call back" must read as typed. ``markup`` is accepted and ignored."""
        super().notify(
            safe.plain(message, keep_newlines=True),
            title=safe.plain(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    # -- moving between screens ----------------------------------------------------------
    async def _to(self, mode: str) -> CrmScreen:
        if self.current_mode != mode:
            await self.switch_mode(mode)
        return self.screen  # type: ignore[return-value]

    def _open(self, mode: str, opener: str, ident: int) -> None:
        """Switch to ``mode`` and call its screen's ``opener(ident)``."""

        async def go() -> None:
            screen = await self._to(mode)
            getattr(screen, opener)(ident)

        self.run_worker(go(), group="navigate")

    def open_contact(self, contact_id: int) -> None:
        self._open("contacts", "show_contact", contact_id)

    def open_deal(self, deal_id: int) -> None:
        self._open("pipeline", "show_deal", deal_id)

    def open_followup(self, followup_id: int) -> None:
        self._open("followups", "show_followup", followup_id)

    def open_deal_detail(self, deal_id: int) -> None:
        """The deal's own screen over this one (esc comes back)."""
        from minicrm.tui.screens.deal import DealScreen

        def back(_: object) -> None:
            if isinstance(self.screen, CrmScreen):
                self.screen.refresh_data()

        self.push_screen(DealScreen(deal_id, self.current_mode), back)

    # -- "/" and what is typed after it ------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        # A terminal hands over "/anna" in one read, and every key is queued before the first is
        # handled: "/" is caught here, as it arrives, and the keys after it are held until the
        # filter has the focus (on the contacts screen, after the switch), then given to it in
        # order. Without this, "a" reached the list (Add) before the "/" binding had run.
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self._typeahead is not None:
                self._typeahead.append(event)
                return
            await self._keys.key(event)  # after the keys before it: _one_key
            return
        await super().on_event(event)

    def _screen_ready(self) -> bool:
        try:
            screen = self.screen
        except Exception:  # no screen yet: the first is being put up
            return False
        return not isinstance(screen, CrmScreen) or screen.shown_once

    async def _one_key(self, event: events.Key) -> None:
        if self._typeahead is not None:  # a "/" just before it started a search
            self._typeahead.append(event)
        elif event.key == "slash" and self._slash_searches():
            self._typeahead = []
            self.run_worker(self._search(), group="search")
        else:
            await super().on_event(event)

    async def on_key_handled(self, message: KeyHandled) -> None:
        message.stop()
        await self._keys.handled(message)

    def _slash_searches(self) -> bool:
        """ "/" starts a search unless a dialog is open or the focus is in a text field (also
        while the first screen is still being put up: the keys wait for it)."""
        return not isinstance(self.screen, ModalScreen) and not isinstance(self.focused, Input | TextArea)

    async def _search(self) -> None:
        try:
            screen = await self._to("contacts")
            screen.focus_filter()  # type: ignore[attr-defined]
            held = self._typeahead or []
            while held:  # keys may still arrive while a priority binding runs: they queue here
                event = held.pop(0)
                if not await self._check_bindings(event.key, priority=True):
                    (self.focused or self.screen)._forward_event(event)
        finally:
            self._typeahead = None

    # -- app-wide actions --------------------------------------------------------------------
    async def action_search(self) -> None:
        if self._typeahead is None:
            self._typeahead = []
            await self._search()

    def action_refresh_screen(self) -> None:
        if isinstance(self.screen, CrmScreen):
            self.screen.refresh_data()
            self.notify("Refreshed", timeout=1.5)

    def action_keys(self) -> None:
        """This screen's keys, from its bindings (what the palette lists too)."""
        from minicrm.tui.keyhelp import KeysScreen, keys_of

        screen = self.screen
        title = screen.title if isinstance(screen.title, str) and screen.title else type(screen).__name__
        for mode, label in SCREENS:
            if isinstance(screen, CrmScreen) and mode == screen.MODE and not screen.is_modal:
                title = label.split(" ", 1)[1]
        if getattr(screen, "HELP_TITLE", None):
            title = screen.HELP_TITLE  # type: ignore[attr-defined]
        self.push_screen(KeysScreen(title, keys_of(screen)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("undo", "keys", "settings", "search", "refresh_screen"):
            # over a dialog these would act behind it: the dialog's own keys only
            return isinstance(self.screen, CrmScreen)
        return True

    def action_vim(self, motion: str) -> None:
        vim.move(self.screen, motion)

    # -- undo ------------------------------------------------------------------------------
    def action_undo(self, op_id: int | None = None) -> None:
        """Show what undoing ``op_id`` (default: the latest change) does; undo it on yes."""
        from minicrm.tui.undo import UndoConfirm, load_plan, run_undo

        def done(result: tuple[Operation, UndoPlan]) -> None:
            new_op, plan = result
            self.notify(f"Undone #{plan.op.id}; recorded as #{new_op.id} (undo it to redo)", title="Undone")
            if isinstance(self.screen, CrmScreen):
                self.screen.refresh_data()

        def ask(plan: UndoPlan) -> None:
            def answered(yes: bool | None) -> None:
                if yes:
                    run_db(self.screen, run_undo, plan.op.id, then=done, group="write")

            self.push_screen(UndoConfirm(plan, self.clock.tz), answered)

        run_db(self.screen, load_plan, op_id, then=ask, group="undo")

    def action_undo_list(self) -> None:
        from minicrm.tui.undo import UndoList

        def picked(op_id: int | None) -> None:
            if op_id is not None:
                self.action_undo(op_id)

        self.push_screen(UndoList(), picked)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The command palette (ctrl+p): every screen, every action of this screen, and the app's."""
        from minicrm.tui.keyhelp import keys_of

        for mode, label in SCREENS:
            name = label.split(" ", 1)[1]
            yield SystemCommand(
                f"Go to {name}",
                f"Switch to the {name} screen (key {label[0]})",
                lambda mode=mode: self.switch_mode(mode),
            )
        here = screen.COMMANDS_HERE if isinstance(screen, CrmScreen) else ()
        for title, help_text, action in here:
            yield SystemCommand(title, help_text, lambda action=action: screen.run_action(action))
        # every other key of this screen, from its bindings: what ? lists
        named = {action for _title, _help, action in here}
        for entry in keys_of(screen):
            if entry.scope != "screen" or entry.motion or entry.action in named:
                continue
            help_text = entry.tooltip or f"{entry.description} (key {' '.join(entry.keys)})"
            yield SystemCommand(
                entry.description,
                help_text,
                lambda entry=entry: self.run_action(entry.action, entry.node),
            )
        yield SystemCommand("Search contacts", "Filter the contact list as you type (/)", self.action_search)
        yield SystemCommand("Refresh", "Reload this screen from the database (r)", self.action_refresh_screen)
        yield SystemCommand(
            "Undo the last change", "Show what it changed, then undo it (u)", self.action_undo
        )
        yield SystemCommand(
            "Undo list", "Recent changes, as minicrm undo --list: pick one to undo", self.action_undo_list
        )
        yield SystemCommand("Keys of this screen", "What every key does here (?)", self.action_keys)
        yield SystemCommand(
            "Settings", "Theme and the screen to open on, kept in the config", self.action_settings
        )
        yield from super().get_system_commands(screen)


def run_tui(db: str | None = None, user: str | None = None, screen: str | None = None) -> None:
    """Open the TUI on the database ``db`` as ``user`` (the caller's ``--db``/``--as``; None: the
    defaults, as for any command)."""
    from minicrm.tui.esc_keys import installed

    with installed():
        MinicrmApp(db, user, screen=screen).run()
