"""Where minicrm keeps its files (platformdirs), computed on demand, never at import.

Every command needs the config path, and importing platformdirs costs ~10 ms (it loads tempfile,
shutil and the compression modules), a large part of what a read command may take. On Linux,
the plain XDG case (an absolute ``$XDG_*_HOME``, else an absolute ``$HOME``) is answered
directly; anything else (other platforms, a missing or relative HOME) asks platformdirs.
``tests/test_paths.py`` checks both give the same directories.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "minicrm"


def _xdg(variable: str, fallback: str) -> Path | None:
    """``$variable/minicrm``, else ``$HOME/<fallback>/minicrm``; None outside the plain case."""
    if sys.platform != "linux":
        return None
    base = os.environ.get(variable, "")
    if os.path.isabs(base):
        return Path(base, APP)
    home = os.environ.get("HOME", "")
    if os.path.isabs(home) and home != "/":
        return Path(home.rstrip("/"), fallback, APP)
    return None


def data_dir() -> Path:
    found = _xdg("XDG_DATA_HOME", ".local/share")
    if found is not None:
        return found
    from platformdirs import user_data_path

    return user_data_path(APP, appauthor=False)


def config_dir() -> Path:
    found = _xdg("XDG_CONFIG_HOME", ".config")
    if found is not None:
        return found
    from platformdirs import user_config_path

    return user_config_path(APP, appauthor=False)


def hooks_dir(config_file: Path | None) -> Path:
    """``hooks/`` next to the config file (``MINICRM_CONFIG`` moves both)."""
    if config_file is not None:
        return config_file.parent / "hooks"
    return config_dir() / "hooks"


def backups_dir() -> Path:
    """Where ``minicrm backup`` and ``restore`` keep their copies."""
    return data_dir() / "backups"


def default_db_path() -> Path:
    return data_dir() / "minicrm.db"
