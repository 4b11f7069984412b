"""Stored text on screen: escaped for markup (a ``rich.text.Text``, never parsed) and for
control and bidi characters (``core.text.inert``, the CLI's rule)."""

from __future__ import annotations

from rich.text import Text

from minicrm.core.text import inert


def text(value: object) -> Text:
    return Text(inert(value))
