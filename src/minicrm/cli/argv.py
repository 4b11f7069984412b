"""A strict little option parser for the fast path (``minicrm.cli.fast``).

``argparse`` costs ~10 ms to import here (it loads gettext, which compiles a large regular
expression, and shutil), a tenth of what a hot command may take in all. The fast path needs far
less: long and short options that take a value (``--limit 5``, ``--limit=5``, ``-n5``), repeated
options, flags and positionals. Anything else (a combined ``-abc``, an unknown option, a missing
value, a type error) raises ``Fallback``, and Typer handles the command line with its usual help
and usage errors, so being strict here costs speed only, never behaviour.
"""

from __future__ import annotations

from types import SimpleNamespace

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


class Fallback(Exception):
    """Let Typer handle these arguments."""


class _Option:
    __slots__ = ("convert", "dest", "kind")

    def __init__(self, dest: str, kind: str, convert: Callable[[str], Any]) -> None:
        self.dest, self.kind, self.convert = dest, kind, convert


class Parser:
    """Options and positionals of one command; ``parse`` returns a namespace of their values."""

    def __init__(self) -> None:
        self._options: dict[str, _Option] = {}
        self._defaults: dict[str, Any] = {}
        self._positionals: list[tuple[str, bool]] = []  # (dest, takes one or more)

    def value(
        self, *flags: str, dest: str | None = None, convert: Callable[[str], Any] = str, default: Any = None
    ) -> Parser:
        """An option taking a value; the last one given wins."""
        return self._add(flags, dest, "value", convert, default)

    def many(self, *flags: str, dest: str | None = None, convert: Callable[[str], Any] = str) -> Parser:
        """An option taking a value, repeatable: the values in order (an empty list when absent)."""
        return self._add(flags, dest, "many", convert, None)

    def flag(self, *flags: str, dest: str | None = None) -> Parser:
        """An option without a value: True when given."""
        return self._add(flags, dest, "flag", str, False)

    def positional(self, dest: str, *, nargs_plus: bool = False) -> Parser:
        """A required positional argument; with ``nargs_plus``, one or more (the rest)."""
        self._positionals.append((dest, nargs_plus))
        return self

    def formats(self) -> Parser:
        """The output options every command shares: ``--format/-f`` and ``--json``."""
        return self.value("--format", "-f", dest="fmt").flag("--json", dest="json_flag")

    def _add(
        self, flags: tuple[str, ...], dest: str | None, kind: str, convert: Callable[[str], Any], default: Any
    ) -> Parser:
        name = dest or flags[0].lstrip("-").replace("-", "_")
        option = _Option(name, kind, convert)
        for flag in flags:
            self._options[flag] = option
        self._defaults[name] = default
        return self

    def parse(self, args: list[str]) -> SimpleNamespace:
        values: dict[str, Any] = dict(self._defaults)
        for known in self._options.values():
            if known.kind == "many":
                values[known.dest] = []
        loose: list[str] = []
        i = 0
        while i < len(args):
            arg = args[i]
            i += 1
            if arg == "--":
                loose += args[i:]
                break
            if not arg.startswith("-") or arg == "-":
                loose.append(arg)
                continue
            name, eq, inline = arg.partition("=") if arg.startswith("--") else (arg[:2], "", arg[2:])
            option = self._options.get(name)
            if option is None:
                raise Fallback(f"unknown option {arg}")
            if option.kind == "flag":
                if eq or inline:
                    raise Fallback(f"{name} takes no value")
                values[option.dest] = True
                continue
            if eq or inline:
                text = inline
            elif i < len(args):
                text = args[i]
                i += 1
            else:
                raise Fallback(f"{name} needs a value")
            try:
                value = option.convert(text)
            except ValueError as exc:
                raise Fallback(f"bad value for {name}: {text!r}") from exc
            if option.kind == "many":
                values[option.dest].append(value)
            else:
                values[option.dest] = value
        for dest, rest in self._positionals:
            if not loose:
                raise Fallback(f"missing {dest}")
            values[dest], loose = (loose, []) if rest else (loose[0], loose[1:])
        if loose:
            raise Fallback(f"unexpected argument {loose[0]!r}")
        return SimpleNamespace(**values)
