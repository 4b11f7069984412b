"""Test isolation: every test gets its own HOME, data and config dirs, a pinned clock and zone.

No test can touch the user's real data dir: HOME and the XDG dirs point into tmp_path before
any minicrm code computes a path (paths are computed on demand, never at import).

Backends: the suite runs unchanged on SQLite (the default) and on PostgreSQL with
``MINICRM_TEST_BACKEND=postgresql``: then every test that touches a database (it uses ``cli``,
``sh``, ``ctx`` or ``pg_url``) gets its own freshly created, empty PostgreSQL database
(``minicrm_t_<random>`` on the server of ``MINICRM_TEST_PG``, default the local ``test``
database's server), named in ``MINICRM_DB`` and dropped afterwards; that is safe with
pytest-xdist. ``@pytest.mark.sqlite_only`` tests, and tests using ``db_path`` (the SQLite file),
are skipped on PostgreSQL; ``@pytest.mark.postgres`` tests always run on PostgreSQL, and skip
(reason printed) when the server is unreachable, except in CI (``CI=true``): there that fails.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-23T10:00:00"  # a Monday
TZ = "Europe/Lisbon"

BACKEND = os.environ.get("MINICRM_TEST_BACKEND", "sqlite").strip().lower() or "sqlite"
PG_SERVER = os.environ.get("MINICRM_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")
#: the fixtures through which a test reaches the database (the others need none)
DB_FIXTURES = frozenset({"cli", "sh", "ctx", "pg_url"})

if BACKEND not in ("sqlite", "postgresql"):
    raise pytest.UsageError(f"MINICRM_TEST_BACKEND must be sqlite or postgresql, not {BACKEND!r}")


def pytest_report_header() -> str:
    return f"minicrm backend: {BACKEND}" + (f" ({PG_SERVER})" if BACKEND == "postgresql" else "")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if BACKEND != "postgresql":
        return
    skip = pytest.mark.skip(reason="SQLite-specific (file, WAL, FTS5 or backup): not for PostgreSQL")
    uses_file = pytest.mark.skip(reason="works on the SQLite file (db_path): not for PostgreSQL")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)
        elif "db_path" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("postgres"):
            item.add_marker(uses_file)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    """In CI a PostgreSQL test may not skip: the server must be there."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and item.get_closest_marker("postgres"):
        report.outcome = "failed"
        report.longrepr = f"a PostgreSQL test skipped in CI (CI=true): {report.longrepr}"


@functools.lru_cache(maxsize=1)
def _pg_unreachable() -> str | None:
    """None when the PostgreSQL test server answers, else why not."""
    try:
        import psycopg

        with psycopg.connect(PG_SERVER, connect_timeout=3, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # any failure means: no server to test against
        return f"{PG_SERVER}: {str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}"
    return None


class PgServer:
    """Creates and drops one empty database per test on the PostgreSQL test server."""

    def __init__(self) -> None:
        import psycopg

        self._conn = psycopg.connect(PG_SERVER, connect_timeout=10, autocommit=True)
        base = PG_SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        self._base = base

    def create(self) -> tuple[str, str]:
        name = f"minicrm_t_{uuid.uuid4().hex[:16]}"
        self._conn.execute(f'CREATE DATABASE "{name}"')
        return name, f"{self._base}/{name}"

    def drop(self, name: str) -> None:
        self._conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self._conn.close()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    reason = _pg_unreachable()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but unreachable: {reason}", pytrace=False)
        pytest.skip(f"PostgreSQL unreachable, start it to run this test: {reason}")
    server = PgServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database, dropped after the test."""
    name, url = pg_server.create()
    try:
        yield url
    finally:
        pg_server.drop(name)


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
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Path:
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
    from minicrm.core.clock import local_tz

    local_tz.cache_clear()
    wants_pg = BACKEND == "postgresql" or request.node.get_closest_marker("postgres") is not None
    if wants_pg and DB_FIXTURES.intersection(request.fixturenames):
        monkeypatch.setenv("MINICRM_DB", request.getfixturevalue("pg_url"))
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

    def run(
        *args: str, input: str | None = None, env: dict[str, str] | None = None, timeout: float = 60
    ) -> Run:
        full_env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env or {})}
        proc = subprocess.run(
            [sys.executable, "-m", "minicrm", *args],
            input=input,
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def db_path(isolated_env: Path) -> Path:
    return isolated_env / ".local" / "share" / "minicrm" / "minicrm.db"


@pytest.fixture
def ctx() -> Iterator[Any]:
    """A service Context on the test's default database."""
    from minicrm.services.kernel.context import open_context

    context = open_context()
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def reopen() -> Callable[..., Any]:
    """A fresh service Context on the test database (``with reopen() as c: ...``): what a later
    command would see."""
    from minicrm.services.kernel.context import open_context

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
