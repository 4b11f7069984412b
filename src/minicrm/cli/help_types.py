"""How ``--help`` names what an option takes: ``TEXT``, ``INTEGER``, ``PATH``, ``lead|won``,
and nothing at all for a flag (which takes no value), instead of Typer's Python-flavoured
``<str>``, ``<list[str]>`` and ``<bool>``.

Typer asks each parameter for ``display_type``; this module gives its parameters that one
method (``install``, once, when the Typer app is built). A repeatable option says so in its
help text ("repeat for several"), so its type is the element's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args, get_origin

_NAMES = {str: "TEXT", int: "INTEGER", float: "NUMBER", Path: "PATH", bool: "BOOLEAN"}


def _label(annotation: Any) -> str:
    if get_origin(annotation) is list:
        (element,) = get_args(annotation) or (str,)
        return _label(element)
    args = [a for a in get_args(annotation) if a is not type(None)]
    if args:  # Optional[X] / X | None
        return _label(args[0])
    return _NAMES.get(annotation, getattr(annotation, "__name__", "VALUE").upper())


def display_type(param: Any, ctx: Any) -> str | None:
    """What ``param`` takes, for its help line; None for a flag."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return None
    desc = param.type_descriptor
    if desc.is_choice:
        return "|".join(str(getattr(c, "value", c)) for c in desc.choices or ())
    if desc.is_path:
        return "PATH"
    if desc.is_ranged:
        return _label(desc.annotation)
    return _label(desc.annotation)


def install() -> None:
    from typer import core

    core._TyperParameter.display_type = display_type  # type: ignore[method-assign, assignment]
