"""minicrm's own answer for the plain XDG case is exactly platformdirs' answer."""

from __future__ import annotations

import sys

import platformdirs
import pytest

from minicrm.core import paths

CASES = [
    {"HOME": "/home/ana"},
    {"HOME": "/home/ana/"},
    {"HOME": "/home/ana", "XDG_CONFIG_HOME": "/srv/conf", "XDG_DATA_HOME": "/srv/data"},
    {"HOME": "/home/ana", "XDG_CONFIG_HOME": "relative/conf", "XDG_DATA_HOME": "rel"},
    {"HOME": "/home/ana", "XDG_CONFIG_HOME": "", "XDG_DATA_HOME": ""},
    {"HOME": "relative-home"},
    {"HOME": "/"},
    {},
]


@pytest.mark.skipif(sys.platform != "linux", reason="the shortcut applies on Linux only")
@pytest.mark.parametrize("env", CASES, ids=lambda e: ",".join(f"{k}={v}" for k, v in e.items()) or "none")
def test_paths_match_platformdirs(monkeypatch, env) -> None:
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert paths.config_dir() == platformdirs.user_config_path("minicrm", appauthor=False)
    assert paths.data_dir() == platformdirs.user_data_path("minicrm", appauthor=False)
    assert paths.default_db_path() == platformdirs.user_data_path("minicrm", appauthor=False) / "minicrm.db"


@pytest.mark.skipif(sys.platform != "linux", reason="the shortcut applies on Linux only")
def test_plain_case_does_not_import_platformdirs(monkeypatch) -> None:
    monkeypatch.setenv("HOME", "/home/ana")
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setitem(sys.modules, "platformdirs", None)  # importing it now raises ImportError
    assert str(paths.config_dir()) == "/home/ana/.config/minicrm"
