"""The schema: migrations match the models, the version check, backups and file permissions."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from minicrm.core.clock import Clock
from minicrm.core.config import Config
from minicrm.services.kernel.context import Context
from minicrm.store import schema
from minicrm.store.db import Database, Target


def _fresh(tmp_path: Path) -> Target:
    target = Target("sqlite", path=tmp_path / "fresh.db")
    schema.open_database(target).close()
    return target


def test_autogenerate_finds_no_drift_between_models_and_migrations(tmp_path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from minicrm.store.tables import metadata

    target = _fresh(tmp_path)
    engine = create_engine(target.sqlalchemy_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_object": schema.include_object, "compare_type": True}
            )
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_the_drift_check_would_notice_a_missing_column(tmp_path) -> None:
    """The comparison above is not vacuous: a column the migration lacks is reported."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from minicrm.store.tables import metadata

    target = _fresh(tmp_path)
    with sqlite3.connect(str(target.path)) as conn:
        conn.execute("ALTER TABLE contact DROP COLUMN source")
    engine = create_engine(target.sqlalchemy_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_object": schema.include_object})
            diffs = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert [(d[0], d[3].name) for d in diffs] == [("add_column", "source")]


def test_head_is_the_alembic_script_head() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(schema.alembic_config(Target("sqlite", path=Path("unused.db"))))
    assert scripts.get_heads() == [schema.HEAD]
    assert [s.revision for s in reversed(list(scripts.walk_revisions()))] == list(schema.REVISIONS)


def test_the_fts_index_and_its_triggers_exist(tmp_path) -> None:
    target = _fresh(tmp_path)
    with sqlite3.connect(str(target.path)) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'search_fts%'")}
    assert {"search_fts", "search_fts_ai", "search_fts_ad", "search_fts_au"} <= names


def test_the_connection_uses_wal_foreign_keys_and_a_busy_timeout(tmp_path) -> None:
    db = schema.open_database(Target("sqlite", path=tmp_path / "x.db"))
    try:
        assert db.scalar("PRAGMA journal_mode") == "wal"
        assert db.scalar("PRAGMA foreign_keys") == 1
        assert db.scalar("PRAGMA busy_timeout") >= 5000
    finally:
        db.close()


def test_the_database_file_is_0600_in_a_0700_directory(tmp_path) -> None:
    path = tmp_path / "new" / "dir" / "crm.db"
    schema.open_database(Target("sqlite", path=path)).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_backup_before_migration_is_a_0600_copy_of_the_data(tmp_path) -> None:
    target = _fresh(tmp_path)
    db = Database.connect(target)
    try:
        db.execute("INSERT INTO tag (name) VALUES ('kept')")
        backup = schema.backup_before_migration(db, "0001")
    finally:
        db.close()
    assert backup is not None and backup.parent == tmp_path
    assert backup.name.startswith("fresh.db.pre-0001-") and backup.name.endswith(".bak")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    with sqlite3.connect(str(backup)) as conn:
        assert conn.execute("SELECT name FROM tag").fetchall() == [("kept",)]


def test_an_older_schema_is_backed_up_then_upgraded(tmp_path, monkeypatch) -> None:
    """With a revision list in which the stored one is older than head, opening backs it up and
    migrates (the migration itself is stubbed: minicrm has one revision so far)."""
    target = _fresh(tmp_path)
    with sqlite3.connect(str(target.path)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0000'")
    ran: list[Target] = []

    def fake_migrations(t: Target, revision: str = "head") -> None:
        ran.append(t)
        with sqlite3.connect(str(t.path)) as conn:
            conn.execute("UPDATE alembic_version SET version_num = ?", (schema.HEAD,))

    monkeypatch.setattr(schema, "REVISIONS", ("0000", *schema.REVISIONS))
    monkeypatch.setattr(schema, "run_migrations", fake_migrations)
    schema.open_database(target).close()
    assert ran == [target]
    backups = list(tmp_path.glob("fresh.db.pre-0000-*.bak"))
    assert len(backups) == 1 and stat.S_IMODE(backups[0].stat().st_mode) == 0o600


def test_a_newer_schema_is_refused(tmp_path) -> None:
    from minicrm.core.errors import SchemaTooNew

    target = _fresh(tmp_path)
    with sqlite3.connect(str(target.path)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(SchemaTooNew, match="newer minicrm"):
        schema.open_database(target)


@pytest.mark.postgres
def test_no_drift_on_postgresql() -> None:
    """The same migrations on PostgreSQL (a throwaway database on the local server)."""
    psycopg = pytest.importorskip("psycopg")
    import os

    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from minicrm.store.tables import metadata

    name = f"minicrm_drift_{os.getpid()}"
    try:
        admin = psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/test", autocommit=True, connect_timeout=3
        )
    except psycopg.Error:
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
            schema.open_database(Target("postgresql", url=url)).close()
            engine = create_engine(url)
            try:
                with engine.connect() as connection:
                    context = MigrationContext.configure(
                        connection, opts={"include_object": schema.include_object}
                    )
                    assert compare_metadata(context, metadata) == []
            finally:
                engine.dispose()
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_0003_rebuilds_the_search_index_by_entity_without_document_sizes_and_finds_the_same(
    tmp_path,
) -> None:
    """A database with data at 0002 upgrades: searches find what they found, the FTS index no
    longer keeps document sizes, it indexes the entity, and the bulk change log exists;
    downgrading puts the 0002 index (and its searches) back."""
    from minicrm.services import search

    target = Target("sqlite", path=tmp_path / "old.db")
    schema.run_migrations(target, "0002")
    bodies = {i: f"Company {i} | example{i}.com" for i in range(1, 301)}
    with sqlite3.connect(str(target.path)) as conn:
        conn.executemany(
            "INSERT INTO search_doc (entity, entity_id, body) VALUES ('company', ?, ?)", bodies.items()
        )
        conn.execute("INSERT INTO search_doc (entity, entity_id, body) VALUES ('contact', 1, 'example12')")

    def expected(query: str) -> list[int]:
        words = query.lower().split()
        return [i for i, body in bodies.items() if all(w in body.lower() for w in words)]

    def found(query: str) -> list[int]:
        """What the search (as it is now) finds among the companies."""
        db = Database.connect(target)
        try:
            ctx = Context(db=db, clock=Clock.system("UTC"), config=Config())
            sql, params = search.match_sql(ctx, query, "company")
            return sorted(int(r["entity_id"]) for r in db.all(sql, params))
        finally:
            db.close()

    def found_the_old_way(query: str, match: Callable[[list[str]], str]) -> list[int]:
        """An older index answers as its own migration queried it: ``match`` builds the MATCH
        expression of the query's words of three letters or more; shorter ones are substrings."""
        long_words = [w for w in query.split() if len(w) >= 3]
        short = [w for w in query.split() if len(w) < 3]
        with sqlite3.connect(str(target.path)) as conn:
            if long_words:
                rows = conn.execute(
                    "SELECT d.entity_id, d.body FROM search_fts f CROSS JOIN search_doc d "
                    "ON d.id = f.rowid WHERE search_fts MATCH ? AND d.entity = 'company'",
                    (match(long_words),),
                ).fetchall()
            else:
                everyone = "SELECT entity_id, body FROM search_doc WHERE entity = 'company'"
                rows = conn.execute(everyone).fetchall()
            return sorted(i for i, body in rows if all(w.lower() in body.lower() for w in short))

    def found_at_0002(query: str) -> list[int]:
        """0002: its one column, quoted words."""
        return found_the_old_way(query, lambda words: " ".join(f'"{w}"' for w in words))

    def found_at_0003(query: str) -> list[int]:
        """0003: the entity column, then the quoted words."""
        return found_the_old_way(
            query, lambda words: 'entity:"company" AND ' + " AND ".join(f'body:"{w}"' for w in words)
        )

    def tables() -> set[str]:
        with sqlite3.connect(str(target.path)) as conn:
            return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    queries = ("example12", "ny 7", "COMPANY 299", "example e2", "nothing")
    wanted = [expected(q) for q in queries]
    assert wanted[0] == [12, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129] and wanted[-1] == []
    assert [found_at_0002(q) for q in queries] == wanted
    assert "search_fts_docsize" in tables()
    schema.run_migrations(target, "0003")
    assert [found_at_0003(q) for q in queries] == wanted
    assert "search_fts_docsize" not in tables() and "change_batch" in tables()
    with sqlite3.connect(str(target.path)) as conn:  # the index itself tells the kinds apart
        hits = conn.execute("SELECT rowid FROM search_fts WHERE search_fts MATCH 'entity:\"contact\"'")
        assert [r[0] for r in hits] == [301]
    from alembic import command

    command.downgrade(schema.alembic_config(target), "0002")
    assert [found_at_0002(q) for q in queries] == wanted
    assert "search_fts_docsize" in tables() and "change_batch" not in tables()
    schema.run_migrations(target)  # and the search of today finds the same at the head
    assert [found(q) for q in queries] == wanted


def test_0004_folds_the_existing_search_documents(tmp_path) -> None:
    """Documents written before 0004 keep their accents; the upgrade folds them, so a search
    without accents finds them (ASCII documents are left as they are)."""
    from minicrm.services import search

    target = Target("sqlite", path=tmp_path / "old.db")
    schema.run_migrations(target, "0003")
    with sqlite3.connect(str(target.path)) as conn:
        conn.executemany(
            "INSERT INTO search_doc (entity, entity_id, body) VALUES ('contact', ?, ?)",
            [(1, "João Gonçalves | joao@x.pt"), (2, "Ana Lima"), (3, "Søren Müller")],
        )
    schema.run_migrations(target, "0004")
    db = Database.connect(target)
    try:
        assert [r["body"] for r in db.all("SELECT body FROM search_doc ORDER BY entity_id")] == [
            "Joao Goncalves | joao@x.pt",
            "Ana Lima",
            "Soren Muller",
        ]
        for query, wanted in (("goncalves", [1]), ("GONÇALVES", [1]), ("soren muller", [3]), ("lima", [2])):
            ctx = Context(db=db, clock=Clock.system("UTC"), config=Config())
            sql, params = search.match_sql(ctx, query, "contact")
            assert sorted(int(r["entity_id"]) for r in db.all(sql, params)) == wanted, query
    finally:
        db.close()


def test_0010_keeps_no_trigram_positions_and_finds_the_same(tmp_path: Path) -> None:
    """At 0010 the FTS5 index keeps no positions (``detail=none``) and no kind column: a search
    finds what a substring search finds, kept to its kind, though a document that holds every
    trigram of a word but not the word is in the index's answer; downgrading puts the 0009
    index back."""
    from minicrm.services import search

    target = Target("sqlite", path=tmp_path / "old.db")
    schema.run_migrations(target, "0009")
    docs = [("company", i, f"Company {i} | example{i}.com") for i in range(1, 101)]
    docs += [
        ("contact", 1, "Ana Lima | ana@example7.com | Company 7"),
        ("contact", 2, "Lim Ima | Company 7"),  # every trigram of "lima", not the word
        ("contact", 3, "Иван Петров | Company 8"),  # checked for the word with Unicode's case
        ("deal", 1, "Company 7 renewal"),
        ("note", 1, "called about the example7 renewal"),
    ]
    with sqlite3.connect(str(target.path)) as conn:
        conn.executemany("INSERT INTO search_doc (entity, entity_id, body) VALUES (?, ?, ?)", docs)

    def expected(query: str, entity: str) -> list[int]:
        words = query.lower().split()
        return sorted(i for e, i, body in docs if e == entity and all(w in body.lower() for w in words))

    def found(query: str, entity: str) -> list[int]:
        db = Database.connect(target)
        try:
            ctx = Context(db=db, clock=Clock.system("UTC"), config=Config())
            sql, params = search.match_sql(ctx, query, entity)
            return sorted(int(r["entity_id"]) for r in db.all(sql, params))
        finally:
            db.close()

    def fts_sql() -> str:
        with sqlite3.connect(str(target.path)) as conn:
            return str(conn.execute("SELECT sql FROM sqlite_master WHERE name = 'search_fts'").fetchone()[0])

    assert "detail=none" not in fts_sql()
    schema.run_migrations(target)
    assert "detail=none" in fts_sql()
    queries = (
        "lima",
        "company 7",
        "example7",
        "COMPANY 77",
        "renewal",
        "ny 7",
        "lim",
        "nothing",
        "ИВАН",
        "петров",
    )
    for entity in search.ENTITIES:
        for query in queries:
            assert found(query, entity) == expected(query, entity), (query, entity)
    assert found("lima", "contact") == [1] and found("ИВАН", "contact") == [3]
    with sqlite3.connect(str(target.path)) as conn:  # the triggers keep it current
        conn.execute(
            "UPDATE search_doc SET body = 'Ana Lima | ana@elsewhere.pt' "
            "WHERE entity = 'contact' AND entity_id = 1"
        )
        conn.execute("DELETE FROM search_doc WHERE entity = 'deal'")
        conn.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
    assert found("elsewhere", "contact") == [1] and found("example7", "contact") == []
    assert found("renewal", "deal") == []
    from alembic import command

    command.downgrade(schema.alembic_config(target), "0009")
    assert "detail=none" not in fts_sql()
    with sqlite3.connect(str(target.path)) as conn:
        hits = conn.execute(
            'SELECT rowid FROM search_fts WHERE search_fts MATCH \'entity:"contact" AND body:"elsewhere"\''
        )
        assert len(list(hits)) == 1
        conn.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
