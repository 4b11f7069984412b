"""init and db path|upgrade|current, and where the default database lives."""

from __future__ import annotations

import stat
from pathlib import Path

from minicrm.store.schema import HEAD


def test_default_db_path_is_under_the_test_home(cli, sh, isolated_env, db_path) -> None:
    result = cli("db", "path")
    assert (result.exit_code, result.stdout) == (0, f"{db_path}\n")
    assert Path(result.stdout.strip()).is_relative_to(isolated_env)
    assert sh("db", "path").stdout == f"{db_path}\n"  # a real process computes the same


def test_db_path_follows_db_option_and_env(cli, tmp_path) -> None:
    assert cli("--db", str(tmp_path / "a.db"), "db", "path").stdout == f"{tmp_path / 'a.db'}\n"
    assert cli("db", "path", env={"MINICRM_DB": str(tmp_path / "b.db")}).stdout == f"{tmp_path / 'b.db'}\n"
    url = "postgresql+psycopg://ana:secret@db.example/crm"
    assert cli("--db", url, "db", "path").stdout == "postgresql+psycopg://ana:***@db.example/crm\n"


def test_init_creates_the_database_0600_in_a_0700_dir(cli, db_path) -> None:
    assert not db_path.exists()
    result = cli("init")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == f"created: {db_path} (schema {HEAD})\n"
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700
    again = cli("init")
    assert (again.exit_code, again.stderr) == (0, f"ready: {db_path} (schema {HEAD})\n")


def test_db_current_and_upgrade(cli, db_path) -> None:
    assert cli("db", "current").stdout == f"empty (head {HEAD})\n"
    assert not db_path.exists()  # asking does not create it
    result = cli("db", "upgrade")
    assert (result.exit_code, result.stderr) == (0, f"{db_path}: schema {HEAD}\n")
    assert cli("db", "current").stdout == f"{HEAD} (up to date)\n"


def test_any_command_creates_the_database_on_first_use(cli, db_path) -> None:
    assert cli("contact", "list").exit_code == 0
    assert db_path.exists()


def test_version(cli) -> None:
    result = cli("--version")
    assert (result.exit_code, result.stdout) == (0, "minicrm 0.1.0\n")
