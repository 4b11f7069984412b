"""Test isolation: every test gets its own HOME, data and config dirs, a pinned clock and zone.

No test can touch the user's real data dir: HOME and the XDG dirs point into tmp_path before
any minicrm code computes a path (paths are computed on demand, never at import).
"""

from __future__ import annotations

import functools
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


def _real_data_dir_state() -> tuple[Path, object]:
    """The real user data dir of minicrm (computed from the environment the tests started in)
    and a fingerprint of it: absent, or every entry with its size and mtime."""
    from platformdirs import user_data_path

    real = user_data_path("minicrm", appauthor=False)
    if not real.exists():
        return real, None
    return real, sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in [real, *real.rglob("*")])


@pytest.fixture(scope="session", autouse=True)
def real_data_dir_untouched() -> Iterator[Path]:
    """No test may create, read-write or change the user's real minicrm data dir."""
    real, before = _real_data_dir_state()
    yield real
    _, after = _real_data_dir_state()
    assert after == before, f"a test touched the real data dir {real}"


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


@functools.cache
def _click_command(app: Any) -> Any:
    """The click command tree of the Typer app, built once per test process: building it
    introspects every command's signature, which costs more than most commands take."""
    import typer.main

    return typer.main.get_command(app)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """Invoke the Typer app in-process: ``cli("contact", "add", "Ana")``."""
    import typer.testing

    from minicrm.cli.app import app

    monkeypatch.setattr(typer.testing, "_get_command", _click_command)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Run:
        result = runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    return invoke


@pytest.fixture
def sh() -> Callable[..., Run]:
    """Run ``python -m minicrm`` in a real process (fast path, exit codes, signals)."""

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None,
            timeout: float = 60) -> Run:
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
def reopen() -> Callable[..., Any]:
    """A fresh service Context on the test database (``with reopen() as c: ...``): what a later
    command would see."""
    from minicrm.services.context import open_context

    return open_context


@pytest.fixture
def dump(db_path: Path) -> Callable[..., list[tuple[Any, ...]]]:
    """``dump()``: every row of every table of the test database (or of ``dump(path)``), to
    check that a failed command changed nothing."""
    return lambda path=None: _dump(path or db_path)


def _dump(path: Path) -> list[tuple[Any, ...]]:
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'search_fts%' ORDER "
                "BY name"
            )
        ]
        return [(t, *row) for t in tables for row in conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid')]
    finally:
        conn.close()
