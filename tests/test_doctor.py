"""`minicrm doctor`: each problem on one line with its fix and exit 1; otherwise "no problems
found" on stderr and exit 0. It never upgrades or creates the database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from minicrm.store import schema


@pytest.fixture(autouse=True)
def no_installed_minicrm(monkeypatch) -> None:
    """The crontab fix names the installed command's full path; here there is none."""
    monkeypatch.setattr("minicrm.cli.doctor.shutil.which", lambda name: None)


def test_the_crontab_fix_names_the_installed_command(cli, ready, monkeypatch) -> None:
    monkeypatch.setattr("minicrm.cli.doctor.shutil.which", lambda name: "/opt/venv/bin/minicrm")
    cli("contact", "add", "Ana")
    cli("followup", "add", "ana", "call", "--due", "friday")
    assert cli("doctor").stdout.endswith("0 8 * * * /opt/venv/bin/minicrm due\n")


@pytest.fixture
def ready(cli, db_path) -> Path:
    assert cli("init").exit_code == 0
    return db_path


def test_a_healthy_setup(cli, ready) -> None:
    result = cli("doctor")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "no problems found\n")


def test_due_never_ran_although_follow_ups_are_open(cli, ready) -> None:
    cli("contact", "add", "Ana")
    cli("followup", "add", "ana", "call", "--due", "friday")
    result = cli("doctor")
    assert result.exit_code == 1
    assert result.stdout == (
        "cron: `minicrm due` has never run, and 1 follow-up is open: reminders reach nobody"
        " — fix: add this line with `crontab -e`: 0 8 * * * minicrm due\n"
    )
    assert result.stderr == "1 problem found\n"


def test_due_ran_recently_then_stopped(cli, ready) -> None:
    cli("contact", "add", "Ana")
    cli("followup", "add", "ana", "call", "--due", "friday")
    cli("due")
    assert cli("doctor", env={"MINICRM_NOW": "2026-11-24T11:59:00"}).exit_code == 0  # 25 h 59 min later
    late = cli("doctor", "--json", env={"MINICRM_NOW": "2026-11-24T12:30:00"})
    assert late.exit_code == 1
    assert late.json() == [
        {
            "check": "cron",
            "problem": "`minicrm due` has not run since 2026-11-23 10:00 (26 hours ago), "
            "and 1 follow-up is open",
            "fix": "add this line with `crontab -e`: 0 8 * * * minicrm due",
        }
    ]


def test_no_follow_ups_no_cron_needed(cli, ready) -> None:
    cli("contact", "add", "Ana")
    cli("followup", "add", "ana", "call", "--due", "friday")
    cli("followup", "done", "1")
    assert cli("doctor").exit_code == 0


def test_database_readable_by_others(cli, ready) -> None:
    ready.chmod(0o644)
    ready.parent.chmod(0o755)
    result = cli("doctor")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"permissions: the database is readable by other users (minicrm.db is 0644) — fix: chmod 600 {ready}",
        f"permissions: the database directory {ready.parent} is open to other users (0755) — fix: chmod 700 "
        f"{ready.parent}",
    ]


def test_integrity_check_failure(cli, ready) -> None:
    cli("contact", "add", "Ana")
    with sqlite3.connect(ready) as conn:  # an index that no longer matches its table
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute(
            "UPDATE sqlite_master SET sql = 'CREATE INDEX ix_contact_name ON contact (name || ''x'')' "
            "WHERE name = 'ix_contact_name'"
        )
    result = cli("doctor")
    assert result.exit_code == 1
    assert result.stdout.startswith(
        "integrity: the database fails SQLite's integrity check: row 1 missing from "
        "index ix_contact_name — fix: restore your latest backup"
    )


def test_schema_behind_is_reported_without_upgrading(cli, ready, monkeypatch) -> None:
    current = schema.HEAD
    monkeypatch.setattr(schema, "REVISIONS", (*schema.REVISIONS, "9999"))
    monkeypatch.setattr(schema, "HEAD", "9999")
    result = cli("doctor")
    assert result.exit_code == 1
    assert result.stdout == (
        f"schema: the database schema is behind ({current}, this minicrm needs 9999) — fix: run "
        "`minicrm db upgrade` (an SQLite file is backed up first)\n"
    )
    with sqlite3.connect(ready) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == current
    assert not list(ready.parent.glob("*.bak"))


def test_schema_too_new(cli, ready) -> None:
    with sqlite3.connect(ready) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    result = cli("doctor")
    assert result.exit_code == 1 and result.stdout.startswith("schema: the database ")
    assert "fix: upgrade minicrm" in result.stdout


def test_missing_database_is_not_created(cli, db_path) -> None:
    result = cli("doctor")
    assert result.exit_code == 1
    assert result.stdout == (
        f"database: there is no database at {db_path} — fix: run `minicrm init`, or point "
        "--db / MINICRM_DB at your database\n"
    )
    assert not db_path.exists()


def test_config_error_is_reported_and_the_other_checks_still_run(cli, ready, tmp_path, monkeypatch) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text("currency = \n", encoding="utf-8")
    monkeypatch.setenv("MINICRM_CONFIG", str(bad))
    ready.chmod(0o640)
    result = cli("doctor")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"config: cannot read config {bad}: ")
    assert lines[0].endswith(f"fix: fix the file, or move it aside to use the defaults: {bad}")
    assert lines[1].startswith("permissions: ")
    assert result.stderr == "2 problems found\n"


def test_unknown_next_weight_is_a_config_problem(cli, ready, tmp_path, monkeypatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[next]\nweights = { overdue_days = 2 }\n", encoding="utf-8")
    monkeypatch.setenv("MINICRM_CONFIG", str(config))
    result = cli("doctor")
    assert result.exit_code == 1
    assert "unknown [next] weight 'overdue_days'" in result.stdout
