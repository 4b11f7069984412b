"""The TUI's settings (theme, the screen it opens on), kept in the config file's ``[tui]`` table::

    [tui]
    theme = "nord"
    screen = "contacts"

They are written with tomlkit, which rewrites only the two values and keeps the rest of the
file as the user wrote it (comments, order, spacing); ``tomllib`` only reads, and writing the
file back from a dict would lose every comment. The file is replaced atomically and keeps its
permissions (0600 when it is new).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minicrm.core.config import Config, config_path
from minicrm.core.errors import InvalidInput

SCREEN_NAMES = ("today", "contacts", "pipeline", "followups")


@dataclass(frozen=True, slots=True)
class TuiSettings:
    theme: str | None = None
    screen: str | None = None


def read_settings(config: Config) -> TuiSettings:
    """The ``[tui]`` table of the loaded config; values of the wrong kind are ignored."""
    raw = config.extra.get("tui")
    if not isinstance(raw, dict):
        return TuiSettings()
    theme = raw.get("theme")
    screen = raw.get("screen")
    return TuiSettings(
        theme=theme if isinstance(theme, str) and theme else None,
        screen=screen if screen in SCREEN_NAMES else None,
    )


def write_settings(settings: TuiSettings, path: Path | None = None) -> Path:
    """Set ``[tui]`` ``theme`` and ``screen`` in the config file (created when missing)."""
    import tomlkit

    path = path or config_path()
    try:
        source = path.read_text(encoding="utf-8")
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        source, mode = "", 0o600
    except OSError as exc:
        raise InvalidInput(f"cannot read config {path}: {exc}") from exc
    try:
        document = tomlkit.parse(source)
    except tomlkit.exceptions.ParseError as exc:
        raise InvalidInput(f"cannot read config {path}: {exc}") from exc
    table: Any = document.get("tui")
    if not isinstance(table, dict):
        table = tomlkit.table()
        document["tui"] = table
    for key, value in (("theme", settings.theme), ("screen", settings.screen)):
        if value is None:
            table.pop(key, None)
        else:
            table[key] = value
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(tomlkit.dumps(document))
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise InvalidInput(f"cannot write config {path}: {exc}") from exc
    return path
