"""A strict little option parser for the fast path (``minicrm.cli.fast``), built from the
spellings that ``minicrm.cli.spellings`` copies out of the Typer declarations.

``argparse`` costs ~10 ms to import here (it loads gettext, which compiles a large regular
expression, and shutil), a tenth of what a hot command may take in all; Typer far more. The fast
path needs little: long and short options that take a value (``--limit 5``, ``--limit=5``,
``-n5``), repeated options, flags (``--x``/``--no-x``) and positionals. Anything else (a combined
``-abc``, an unknown option, a missing value, a type error, a number out of range) raises
``Fallback``, and Typer handles the command line with its usual help and usage errors, so being
strict here costs speed only, never behaviour.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any

    from minicrm.cli.spellings import Param


class Fallback(Exception):
    """Let Typer handle these arguments."""


def parse(params: tuple[Param, ...], args: list[str]) -> dict[str, Any]:
    """The values of ``args`` by parameter name, as Typer would pass them to the command."""
    options: dict[str, tuple[Param, object]] = {}
    positionals: list[Param] = []
    values: dict[str, Any] = {}
    given: dict[str, list[Any]] = {}
    for param in params:
        name, kind, opts, off_opts = param[0], param[1], param[2], param[3]
        values[name] = param[5]
        if kind in ("arg", "args"):
            positionals.append(param)
            continue
        for flag in opts:
            options[flag] = (param, True)
        for flag in off_opts:
            options[flag] = (param, False)
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
        found = options.get(name)
        if found is None:
            raise Fallback(f"unknown option {arg}")
        param, on = found
        if param[1] == "flag":
            if eq or inline:
                raise Fallback(f"{name} takes no value")
            values[param[0]] = on
            continue
        if eq or inline:
            text = inline
        elif i < len(args):
            text = args[i]
            i += 1
        else:
            raise Fallback(f"{name} needs a value")
        value = _convert(param, text)
        if param[1] == "many":
            given.setdefault(param[0], []).append(value)
        else:
            values[param[0]] = value
    values.update(given)
    for param in positionals:
        name, kind, required = param[0], param[1], param[8]
        if kind == "args":
            taken, loose = [_convert(param, text) for text in loose], []
            if taken:
                values[name] = taken
            elif required:
                raise Fallback(f"missing {name}")
        elif loose:
            values[name], loose = _convert(param, loose[0]), loose[1:]
        elif required:
            raise Fallback(f"missing {name}")
    if loose:
        raise Fallback(f"unexpected argument {loose[0]!r}")
    for param in params:
        if param[8] and param[1] in ("value", "many") and param[0] not in given and values[param[0]] is None:
            raise Fallback(f"missing {param[2][0]}")
    return values


def _convert(param: Param, text: str) -> Any:
    if param[4] == "str":
        return text
    try:
        value = int(text)
    except ValueError as exc:
        raise Fallback(f"bad value for {param[0]}: {text!r}") from exc
    low, high = param[6], param[7]
    if (low is not None and value < low) or (high is not None and value > high):
        raise Fallback(f"{param[0]} out of range: {value}")
    return value
