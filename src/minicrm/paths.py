"""Where minicrm keeps its files (platformdirs), computed on demand, never at import."""

from __future__ import annotations

from pathlib import Path


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("minicrm", appauthor=False)


def config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path("minicrm", appauthor=False)


def default_db_path() -> Path:
    return data_dir() / "minicrm.db"
