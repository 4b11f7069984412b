"""backup and restore: consistent copies while others write, owner-only files, pruning, checks
before restoring, the current database saved first, and the backup before a schema migration."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

from minicrm.store import schema
from minicrm.store.schema import HEAD

pytestmark = pytest.mark.sqlite_only  # SQLite files; PostgreSQL is backed up with pg_dump

STAMP = "20261123T100000Z"  # MINICRM_NOW pins the clock


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _names(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM contact ORDER BY id")]
    finally:
        conn.close()


def _revision(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    finally:
        conn.close()


def _backups_dir(home: Path) -> Path:
    return home / ".local" / "share" / "minicrm" / "backups"


def test_the_database_and_its_directory_are_readable_by_the_owner_only(cli, db_path) -> None:
    assert cli("contact", "add", "Ana").exit_code == 0
    assert _mode(db_path) == 0o600
    assert _mode(db_path.parent) == 0o700
    for sidecar in (Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        if sidecar.exists():
            assert _mode(sidecar) & 0o077 == 0


def test_backup_writes_a_private_timestamped_copy_and_prints_its_path(cli, isolated_env) -> None:
    cli("contact", "add", "Ana")
    cli("contact", "add", "Bruno")
    result = cli("backup")
    assert result.exit_code == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path == _backups_dir(isolated_env) / f"minicrm-{STAMP}.db"
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700
    assert _names(path) == ["Ana", "Bruno"]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    conn.close()
    second = Path(cli("backup").stdout.strip())
    assert second.name == f"minicrm-{STAMP}-2.db"  # the same second never overwrites a backup


def test_backup_keeps_the_newest_n_and_leaves_other_files_alone(cli, isolated_env, monkeypatch) -> None:
    config = isolated_env / "config.toml"
    config.write_text("backups_keep = 3\n")
    monkeypatch.setenv("MINICRM_CONFIG", str(config))
    backups = _backups_dir(isolated_env)
    backups.mkdir(parents=True)
    (backups / "my-notes.db").write_text("mine")
    (backups / "minicrm-20200101T000000Z.db").write_bytes(b"old")
    made = []
    for i in range(5):
        cli("contact", "add", f"P{i}")
        result = cli("backup")
        made.append(Path(result.stdout.strip()))
    left = sorted(p.name for p in backups.iterdir())
    assert left == sorted(["my-notes.db", *(p.name for p in made[-3:])])
    assert _names(made[-1]) == [f"P{i}" for i in range(5)]
    assert "removed 1 older backup (keeping 3)" in result.stderr


def test_backup_to_a_path_or_directory_and_never_over_an_existing_file(cli, tmp_path, db_path) -> None:
    cli("contact", "add", "Ana")
    target = tmp_path / "copy.db"
    assert cli("backup", str(target)).stdout.strip() == str(target)
    assert _names(target) == ["Ana"] and _mode(target) == 0o600
    again = cli("backup", str(target))
    assert again.exit_code == 1
    assert again.stderr == f"error: {target} exists; give a new file name or a directory\n"
    folder = tmp_path / "folder"
    folder.mkdir()
    assert cli("backup", str(folder)).stdout.strip() == str(folder / f"minicrm-{STAMP}.db")
    # nothing hidden is left, beside the copies or beside the database (the scratch listing)
    hidden = [p for d in (tmp_path, folder, db_path.parent) for p in d.iterdir() if p.name.startswith(".")]
    assert hidden == []


def test_backup_is_consistent_while_another_process_is_mid_write(cli, db_path, tmp_path) -> None:
    cli("contact", "add", "Ana")
    writer = sqlite3.connect(db_path, isolation_level=None, timeout=15)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO contact (name, status, do_not_contact, created_at, updated_at, version) "
        "VALUES ('Uncommitted', 'lead', 0, 'x', 'x', 1)"
    )
    try:
        result = cli("backup", str(tmp_path / "during.db"))
        assert result.exit_code == 0, result.stderr
    finally:
        writer.execute("COMMIT")
        writer.close()
    assert _names(tmp_path / "during.db") == ["Ana"]


def _make_backup(cli: Any, tmp_path: Path, *names: str) -> Path:
    for name in names:
        assert cli("contact", "add", name).exit_code == 0
    path = tmp_path / "saved.db"
    assert cli("backup", str(path)).exit_code == 0
    return path


def test_restore_replaces_the_database_after_saving_the_current_one(
    cli, ctx, db_path, tmp_path, isolated_env
) -> None:
    saved = _make_backup(cli, tmp_path, "Ana", "Bruno")
    cli("contact", "rm", "ana", "--yes")
    cli("contact", "add", "Carla")
    assert [r["name"] for r in ctx.db.all("SELECT name FROM contact ORDER BY id")] == ["Bruno", "Carla"]
    result = cli("restore", str(saved), "--yes")
    assert result.exit_code == 0, result.stderr
    pre = _backups_dir(isolated_env) / f"minicrm-{STAMP}.db"
    assert result.stderr == f"restored {saved} into {db_path}; the previous database is saved as {pre}\n"
    assert _names(db_path) == ["Ana", "Bruno"]
    assert _names(pre) == ["Bruno", "Carla"] and _mode(pre) == 0o600
    # a connection that was open during the restore sees the restored database
    assert [r["name"] for r in ctx.db.all("SELECT name FROM contact ORDER BY id")] == ["Ana", "Bruno"]
    assert cli("contact", "list", "--format", "plain").stdout.splitlines()[0].startswith("1\tAna")
    assert _names(saved) == ["Ana", "Bruno"]  # the backup itself is untouched
    assert [p.name for p in db_path.parent.iterdir() if "restore" in p.name] == []
    assert _mode(db_path) == 0o600


def test_restore_without_yes_and_without_a_terminal_changes_nothing(cli, db_path, tmp_path) -> None:
    saved = _make_backup(cli, tmp_path, "Ana")
    cli("contact", "add", "Bruno")
    result = cli("restore", str(saved))
    assert result.exit_code == 1
    assert f"(1 contacts, 0 companies, schema {HEAD})" in result.stderr
    assert "refusing without --yes" in result.stderr
    assert _names(db_path) == ["Ana", "Bruno"]
    assert sorted(p.name for p in db_path.parent.iterdir() if not p.name.startswith("minicrm.db")) == []


def _corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(2 * page, len(data), page):
        data[offset : offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))


def _foreign_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("make", "code", "message"),
    [
        (lambda p: p.write_text("name,email\nAna,a@x\n"), 1, "is not an SQLite database"),
        (_foreign_sqlite, 1, "not a minicrm one"),
        (_corrupt, 1, "is damaged"),
        (None, 3, "was written by a newer minicrm (schema 9999)"),
        ("missing", 1, "no backup file"),
    ],
)
def test_restore_refuses_a_bad_file_and_leaves_the_database_alone(
    cli, db_path, tmp_path, make, code, message
) -> None:
    from minicrm.services.contacts import commands as contacts
    from minicrm.services.dto import ContactCreate
    from minicrm.services.kernel.context import open_context

    with open_context() as ctx:
        for i in range(40):
            contacts.add(ctx, ContactCreate(name=f"Person {i} " + "x" * 200))
    bad = tmp_path / "bad.db"
    if make is None:
        assert cli("backup", str(bad)).exit_code == 0
        conn = sqlite3.connect(bad)
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
        conn.commit()
        conn.close()
    elif make is _corrupt:
        assert cli("backup", str(bad)).exit_code == 0
        _corrupt(bad)
    elif make != "missing":
        make(bad)
    before = db_path.read_bytes()
    result = cli("restore", str(bad), "--yes")
    assert result.exit_code == code, result.stderr
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1
    assert db_path.read_bytes() == before
    assert [p.name for p in db_path.parent.iterdir() if p.name.startswith(".")] == []


def _fake_older_schema(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Pretend this minicrm knows an older revision 0000 that migrates to the head."""
    upgraded: list[Path] = []

    def run_migrations(target: Any, revision: str = "head") -> None:
        conn = sqlite3.connect(target.path)
        conn.execute("UPDATE alembic_version SET version_num = ?", (schema.HEAD,))
        conn.commit()
        conn.close()
        upgraded.append(target.path)

    monkeypatch.setattr(schema, "REVISIONS", ("0000", *schema.REVISIONS))
    monkeypatch.setattr(schema, "run_migrations", run_migrations)
    return upgraded


def _set_revision(path: Path, revision: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    conn.commit()
    conn.close()


def test_restore_of_an_older_backup_upgrades_the_copy_before_it_replaces_anything(
    cli, db_path, tmp_path, monkeypatch
) -> None:
    saved = _make_backup(cli, tmp_path, "Ana")
    _set_revision(saved, "0000")
    upgraded = _fake_older_schema(monkeypatch)
    result = cli("restore", str(saved), "--yes")
    assert result.exit_code == 0, result.stderr
    assert len(upgraded) == 1 and upgraded[0] != db_path and upgraded[0].parent == db_path.parent
    assert _revision(db_path) == schema.HEAD and _revision(saved) == "0000"
    assert _names(db_path) == ["Ana"]


def test_an_older_database_is_backed_up_before_its_schema_is_migrated(cli, db_path, monkeypatch) -> None:
    cli("contact", "add", "Ana")
    _set_revision(db_path, "0000")
    upgraded = _fake_older_schema(monkeypatch)
    result = cli("contact", "list", "--format", "plain")
    assert result.exit_code == 0, result.stderr
    assert upgraded == [db_path]
    pattern = r"minicrm\.db\.pre-0000-\d{8}T\d{6}Z\.bak"
    copies = [p for p in db_path.parent.iterdir() if re.fullmatch(pattern, p.name)]
    assert len(copies) == 1
    assert _revision(copies[0]) == "0000" and _names(copies[0]) == ["Ana"]
    assert _mode(copies[0]) == 0o600
    assert _revision(db_path) == schema.HEAD


@pytest.mark.parametrize("command", [["backup"], ["restore", "/tmp/x.dump", "--yes"]])
def test_postgresql_backup_and_restore_point_to_its_own_tools(cli, command) -> None:
    result = cli("--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", *command)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: minicrm {command[0]} works on SQLite files; for PostgreSQL use ")
    assert ("pg_dump" if command[0] == "backup" else "pg_restore") in result.stderr


def test_restore_into_a_missing_database_creates_it_privately(cli, tmp_path, monkeypatch) -> None:
    saved = _make_backup(cli, tmp_path, "Ana")
    fresh = tmp_path / "new" / "crm.db"
    result = cli("--db", str(fresh), "restore", str(saved), "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"restored {saved} into {fresh}\n"
    assert _names(fresh) == ["Ana"] and _mode(fresh) == 0o600 and _mode(fresh.parent) == 0o700
    assert os.listdir(fresh.parent) == ["crm.db"]
