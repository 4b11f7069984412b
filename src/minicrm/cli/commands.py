"""The command tree, declared once: each noun and top-level verb, where it lives, and its help line.

A command module loads only when its word is typed. Converting a command to click is costly with
Typer (every option gets a pydantic adapter), and importing all 22 command modules costs more than
most commands take; a root group that knows the tree from this table (``LazyGroup``) imports and
converts just the one named. ``--help`` lists every command from the help lines here, importing
nothing; ``tests/test_commands.py`` checks that each line is what the command itself says, and
that walking the tree (``list_commands``/``get_command``) reaches every command.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandInfo, TyperInfo


@dataclass(frozen=True)
class Entry:
    """One command: ``module.attr`` is a Typer app (``kind="group"``) or a command function."""

    module: str
    attr: str
    kind: str  # "group" (a Typer sub-app) or "command" (a function)
    help: str  # the first paragraph of its help, as ``minicrm --help`` lists it


def _c(module: str, attr: str, help: str) -> Entry:
    return Entry(f"minicrm.cli.{module}", attr, "command", help)


def _g(module: str, attr: str, help: str) -> Entry:
    return Entry(f"minicrm.cli.{module}", attr, "group", help)


#: name → entry, in the order ``minicrm --help`` lists them (top-level verbs, then the nouns)
TREE: dict[str, Entry] = {
    "init": _c(
        "database", "init", "Create the database (and its directory) if needed, at the current schema."
    ),
    "timeline": _c(
        "notes", "timeline", "Everything that happened with a contact, company or deal, newest first."
    ),
    "due": _c("followup", "due", "What is overdue and due, then who to get back in touch with."),
    "next": _c("next_command", "next_", "What to do now, most urgent first."),
    "doctor": _c(
        "doctor", "doctor", "Check the setup: config, database, schema, integrity, and that cron runs `due`."
    ),
    "search": _c(
        "search", "search", "Search everything. Every word must appear; the text is taken literally."
    ),
    "dedupe": _c(
        "dedupe", "dedupe", "List likely duplicate contacts and companies with a score and the reason."
    ),
    "undo": _c(
        "undo", "undo", "Revert the last operation (or OP_ID) as a whole; --list shows recent operations."
    ),
    "backup": _c(
        "safety",
        "backup",
        "A consistent copy of the database, safe while others use it. Prints the file written.",
    ),
    "restore": _c(
        "safety",
        "restore",
        "Replace the database with a backup, after checking it and backing up the current one.",
    ),
    "completion": _c(
        "shell",
        "completion_script",
        "Print the completion script of a shell: commands, options, contact names, deal ids, stages, tags.",
    ),
    "tui": _c(
        "tui",
        "tui",
        "Open the full-screen app: Today, Contacts, Pipeline, Follow-ups (keys: 1-4, /, ?, ctrl+p, q).",
    ),
    "db": _g("database", "app", "The database: where it is, its schema version, upgrades."),
    "contact": _g("contact", "app", "People: add, list, show, edit, remove, and their history."),
    "company": _g("company", "app", "Companies (accounts): add, list, show, edit, remove."),
    "note": _g("notes", "note_app", "Notes on contacts, companies and deals."),
    "log": _g("notes", "log_app", "Log a call, email or meeting on the timeline."),
    "followup": _g("followup", "app", "Follow-ups (reminders): add, list, show, done, snooze, edit, remove."),
    "cadence": _g(
        "cadence", "app", "Keep-in-touch rules per tag: everyone tagged vip every 14 days, lapsed after 30."
    ),
    "segment": _g(
        "segment", "app", "Saved segments: named contact filters, always current; campaign exports."
    ),
    "request": _g("request", "app", "Service requests: add, list, show, edit, close, reopen, report."),
    "hooks": _g(
        "hooks", "app", "Event hooks: executables in <config dir>/hooks/ run on add, change, delete, …"
    ),
    "user": _g("user", "app", "Users (team mode): who acts and who owns records."),
    "team": _g("team", "app", "Team mode on PostgreSQL: row-level security."),
    "deal": _g("deal", "app", "Deals: add, list, show, edit, move through the pipeline, win, lose, remove."),
    "pipeline": _g("pipeline", "app", "The deal pipeline: the board (no subcommand) and its stages."),
    "report": _g("report", "app", "Sales reports. Amounts in different currencies are never added together."),
    "import": _g("transfer", "import_app", "Bring data in: CSV, vCard, JSON."),
    "export": _g("transfer", "export_app", "Take data out: CSV, vCard, iCalendar, JSON."),
    "privacy": _g("privacy", "app", "What minicrm stores about a person: export it, or erase the person."),
    "mail": _g(
        "mail", "app", "Mail: capture messages to and from contacts on their timeline; write to a contact."
    ),
    "calendar": _g("calendar", "app", "Calendar: capture meetings with contacts on their timeline."),
}

#: commands that live in another noun's module, added to a group after its own commands
GRAFTS: dict[str, dict[str, Entry]] = {
    "report": {
        "service": _c(
            "request",
            "report",
            "Open requests by priority and the median time to close (also: report service).",
        ),
        "cadence": _c(
            "cadence", "report", "Keep-in-touch health: who is in touch, due or lapsed, per cadence."
        ),
    },
}


class LazyGroup(TyperGroup):
    """A group whose commands come from a table and are imported and converted on first use.

    ``lazy`` maps a name to its ``Entry``; ``self.commands`` is a mapping that builds a command
    when it is looked up and keeps it. Walking the tree (``list_commands``/``get_command``, or
    ``commands.items()``) reaches everything; the help lists it from the table's lines without
    importing any command module."""

    lazy: Mapping[str, Entry] = {}
    _listing_help = False

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._commands = _Commands(self, dict(self.commands))
        self.commands = self._commands

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # the names only: nothing is imported

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if self._listing_help and cmd_name in self.lazy and cmd_name not in self._commands.built:
            return TyperCommand(name=cmd_name, short_help=self.lazy[cmd_name].help)  # a stand-in
        return self.commands.get(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing_help = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing_help = False


class _Commands(MutableMapping[str, Any]):
    """A group's commands: those built, then the rest of its table, built when looked up."""

    def __init__(self, group: LazyGroup, built: dict[str, Any]) -> None:
        self.group, self.built = group, built

    def __getitem__(self, name: str) -> Any:
        if name not in self.built:
            self.built[name] = build(name, self.group.lazy[name], self.group)  # KeyError: no such
        return self.built[name]

    def __iter__(self) -> Iterator[str]:
        yield from self.built
        yield from (name for name in self.group.lazy if name not in self.built)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, name: object) -> bool:
        return name in self.built or name in self.group.lazy

    def __setitem__(self, name: str, command: Any) -> None:
        self.built[name] = command

    def __delitem__(self, name: str) -> None:
        del self.built[name]


def build(name: str, entry: Entry, parent: TyperGroup) -> Any:
    """The click command of ``entry``, converted the way ``app.add_typer``/``app.command`` would."""
    target = getattr(importlib.import_module(entry.module), entry.attr)
    settings: dict[str, Any] = {
        "pretty_exceptions_short": True,
        "rich_markup_mode": parent.rich_markup_mode,
    }
    if entry.kind == "command":
        return typer.main.get_command_from_info(CommandInfo(name=name, callback=target), **settings)
    grafts = GRAFTS.get(name)
    info = TyperInfo(target, name=name, cls=LazyGroup) if grafts else TyperInfo(target, name=name)
    group = typer.main.get_group_from_info(info, suggest_commands=parent.suggest_commands, **settings)
    if isinstance(group, LazyGroup) and grafts:
        group.lazy = grafts
    return group


def open_tui_or_help(ctx: typer.Context) -> None:
    """A bare ``minicrm``: the TUI on a terminal, the help otherwise."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        from importlib.util import find_spec

        if find_spec("textual") is not None:  # the TUI's library may be left out of an install
            from minicrm.cli.state import open_tui

            open_tui()
            raise typer.Exit()
    typer.echo(ctx.get_help())
    raise typer.Exit()
