"""Test isolation: every test gets its own HOME, data and config dirs, a pinned clock and zone.

No test can touch the user's real data dir: HOME and the XDG dirs point into tmp_path before
any minicrm code computes a path (paths are computed on demand, never at import).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-23T10:00:00"  # a Monday
TZ = "Europe/Lisbon"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    for name in ("MINICRM_DB", "MINICRM_USER", "MINICRM_CONFIG", "NO_COLOR", "VISUAL", "EDITOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MINICRM_NOW", NOW)
    monkeypatch.setenv("MINICRM_TZ", TZ)
    monkeypatch.setenv("COLUMNS", "120")
    from minicrm.clock import local_tz

    local_tz.cache_clear()
    return home


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def cli() -> Callable[..., Run]:
    """Invoke the Typer app in-process: ``cli("contact", "add", "Ana")``."""
    from minicrm.cli.app import app

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Run:
        result = runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    return invoke


@pytest.fixture
def sh() -> Callable[..., Run]:
    """Run ``python -m minicrm`` in a real process (fast path, exit codes, signals)."""

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None, timeout: float = 60) -> Run:
        full_env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env or {})}
        proc = subprocess.run(
            [sys.executable, "-m", "minicrm", *args], input=input, capture_output=True, text=True,
            env=full_env, timeout=timeout,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def db_path(isolated_env: Path) -> Path:
    return isolated_env / ".local" / "share" / "minicrm" / "minicrm.db"


@pytest.fixture
def ctx() -> Iterator[Any]:
    """A service Context on the test's default database."""
    from minicrm.services.context import open_context

    context = open_context()
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def fast_cli() -> Callable[..., Run]:
    """Like ``cli`` but the command tree is built once (Typer rebuilds it on every invoke, ~0.3 s):
    for tests that run hundreds of commands, such as the property-based ones."""
    from unittest import mock

    import typer.main

    from minicrm.cli.app import app

    command = typer.main.get_command(app)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Run:
        with mock.patch("typer.testing._get_command", lambda _app: command):
            result = runner.invoke(app, list(args), input=input, catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    return invoke
