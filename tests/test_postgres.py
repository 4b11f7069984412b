"""PostgreSQL only: concurrent writers, conflicts between real connections, migrations, and
search parity with SQLite on the same data. Each test gets a fresh, empty PostgreSQL database
in ``MINICRM_DB`` (see conftest); they skip when the server is unreachable, except in CI."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from minicrm.core.errors import Conflict
from minicrm.services import search
from minicrm.services.contacts import commands as contacts
from minicrm.services.dto import ContactCreate, ContactPatch
from minicrm.services.kernel.context import open_context
from minicrm.store.schema import HEAD

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent

WRITER = """
import sys
from minicrm.services.contacts import commands as contacts
from minicrm.store.schema import HEAD
from minicrm.services.kernel.context import open_context
from minicrm.services.dto import ContactCreate

worker = int(sys.argv[1])
ctx = open_context(user=f"w{worker}")
try:
    for i in range(100):
        contacts.add(ctx, ContactCreate(name=f"W{worker} C{i}", emails=(f"w{worker}.c{i}@loadco.pt",),
                                        company="Shared Lda", tags=("load", f"w{worker}")))
finally:
    ctx.close()
"""


@pytest.mark.slow
def test_eight_processes_writing_100_each_lose_nothing(cli, pg_url, ctx) -> None:
    assert cli("init").exit_code == 0
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MINICRM_DB": pg_url}
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(n)], env=env, stderr=subprocess.PIPE, text=True)
        for n in range(8)
    ]
    errors = [p.communicate(timeout=600)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, errors
    db = ctx.db
    assert db.scalar("SELECT count(*) FROM contact") == 800
    assert db.scalar("SELECT count(DISTINCT name) FROM contact") == 800
    assert db.scalar("SELECT count(*) FROM contact_email") == 800
    assert db.scalar("SELECT count(*) FROM company") == 1  # found-or-created once, not raced
    assert db.scalar("SELECT count(*) FROM tag") == 9
    assert db.scalar("SELECT count(*) FROM change WHERE entity = 'contact' AND action = 'create'") == 800
    assert db.scalar("SELECT count(*) FROM search_doc WHERE entity = 'contact'") == 800
    assert contacts.count(ctx, contacts.ContactQuery(tags=("load",))) == 800
    assert contacts.count(ctx, contacts.ContactQuery(search="@loadco.pt")) == 800


def test_two_users_saving_the_same_version_at_once_get_exactly_one_conflict(cli) -> None:
    cli("user", "add", "ana")
    cli("user", "add", "bruno")
    cli("--as", "ana", "contact", "add", "Carla Reis", "--email", "carla@reis.pt")
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(user: str, title: str) -> None:
        ctx = open_context(user=user)
        try:
            base = contacts.find(ctx, "carla").version
            barrier.wait(timeout=60)
            try:
                contacts.edit(ctx, "carla", ContactPatch(title=title, expected_version=base))
                outcomes[user] = "saved"
            except Conflict as exc:
                outcomes[user] = str(exc)
        finally:
            ctx.close()

    threads = [threading.Thread(target=save, args=args) for args in (("ana", "CEO"), ("bruno", "CTO"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["ana", "bruno"]
    winners = [u for u, outcome in outcomes.items() if outcome == "saved"]
    assert len(winners) == 1
    loser = "bruno" if winners == ["ana"] else "ana"
    assert outcomes[loser].startswith(f"contact 1 was changed by {winners[0]} at 2026-11-23 10:00")
    shown = cli("--as", "ana", "contact", "show", "carla", "--json").json()
    assert shown["title"] == {"ana": "CEO", "bruno": "CTO"}[winners[0]]
    assert shown["version"] == 2
    history = cli("--as", "ana", "contact", "history", "carla", "--json").json()
    assert [h["action"] for h in history] == ["create", "update"]


def test_init_on_an_empty_database_creates_the_schema(cli, ctx_free_url) -> None:
    assert cli("db", "current").stdout == f"empty (head {HEAD})\n"
    created = cli("init")
    assert created.exit_code == 0, created.stderr
    assert created.stderr == f"created: {ctx_free_url} (schema {HEAD})\n"
    assert cli("db", "current").stdout == f"{HEAD} (up to date)\n"
    assert cli("init").stderr == f"ready: {ctx_free_url} (schema {HEAD})\n"
    import psycopg

    with psycopg.connect(ctx_free_url.replace("+psycopg", "")) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        assert {
            "contact",
            "company",
            "deal",
            "followup",
            "user_account",
            "search_doc",
            "alembic_version",
        } <= tables
        assert conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").fetchone() is not None
        index = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_search_doc_body_trgm'"
        ).fetchone()
        assert index is not None and "gin_trgm_ops" in index[0]


def test_a_database_made_by_the_first_schema_version_upgrades_with_its_data(cli, ctx_free_url) -> None:
    """Built at the first revision (today also the head), filled, then upgraded by this minicrm."""
    from minicrm.store.db import parse_target
    from minicrm.store.schema import HEAD, REVISIONS, run_migrations

    run_migrations(parse_target(ctx_free_url), REVISIONS[0])
    import psycopg

    with psycopg.connect(ctx_free_url.replace("+psycopg", ""), autocommit=True) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (REVISIONS[0],)
    assert cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt").exit_code == 0
    upgraded = cli("db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.stderr
    assert upgraded.stderr.endswith(f"schema {HEAD}\n")
    assert cli("db", "current").stdout == f"{HEAD} (up to date)\n"
    assert cli("search", "lima.pt", "--json").json()[0]["label"] == "Ana Lima"


def test_reps_running_init_at_the_same_moment_all_succeed(cli, ctx_free_url) -> None:
    """Migrations take an advisory lock: the first creates the schema, the others find it current."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "minicrm", "init"], env=env, stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    assert cli("db", "current").stdout == f"{HEAD} (up to date)\n"


def test_plain_postgresql_urls_work_too(cli, ctx_free_url, monkeypatch) -> None:
    """``postgresql://`` and ``postgres://`` mean psycopg 3 as well (not SQLAlchemy's psycopg2 default)."""
    for scheme in ("postgresql://", "postgres://"):
        monkeypatch.setenv("MINICRM_DB", ctx_free_url.replace("postgresql+psycopg://", scheme))
        result = cli("contact", "add", f"Ana {scheme}", "--json")
        assert result.exit_code == 0, result.stderr
    assert cli("db", "current").stdout == f"{HEAD} (up to date)\n"


def test_the_schema_matches_the_tables_with_no_drift(cli, ctx_free_url) -> None:
    """Alembic autogenerate finds nothing to change after the migration (tables.py ≡ the migrations)."""
    cli("init")
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from minicrm.store.tables import metadata

    def include_object(obj, name, type_, reflected, compare_to) -> bool:  # as migrations/env.py (which
        return name != "ix_search_doc_body_trgm"  # runs the migrations on import): the trigram index is ours

    engine = create_engine(ctx_free_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"include_object": include_object, "compare_type": True}
            )
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_a_database_from_a_newer_minicrm_is_refused_with_exit_3(cli, sh, ctx_free_url) -> None:
    cli("init")
    import psycopg

    with psycopg.connect(ctx_free_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0999'")
    for run in (cli, sh):
        result = run("contact", "list")
        assert result.exit_code == 3
        assert result.stderr.startswith("error: the database postgresql+psycopg://")
        assert "was written by a newer minicrm (schema 0999); upgrade minicrm to open it" in result.stderr
    current = cli("db", "current")
    assert current.exit_code == 3
    assert current.stderr == f"error: the database schema 0999 is newer than this minicrm ({HEAD})\n"


def test_an_unreachable_server_is_a_storage_error(cli, monkeypatch) -> None:
    monkeypatch.setenv("MINICRM_DB", "postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    result = cli("contact", "list")
    assert result.exit_code == 3
    assert result.stderr.startswith(
        "error: cannot connect to postgresql+psycopg://postgres@127.0.0.1:1/nowhere: "
    )
    assert result.stderr.count("\n") == 1


def test_search_gives_the_same_results_as_sqlite(tmp_path, pg_url) -> None:
    """The same records in an SQLite file and in PostgreSQL answer every query alike."""
    people = [
        ("Ana Lima", "ana.lima@example-mail.pt", "+351 912 345 678", "Lima Lda"),
        ("Bruno Dias", "b_dias@corp.io", "+351 213 000 111", "Dias & Filhos"),
        ("Çé Ñandú", "ce.nandu@ñ.example", None, None),
        ("Zoë O'Brien", "zoe+crm@obrien.ie", "+353 1 234 5678", "O'Brien 100% Ltd"),
        ("Li Wu", "li@wu.cn", None, "Wu [Holdings]"),
        ("Straße Müller", "mueller@strasse.de", None, "Müller GmbH"),
    ]
    queries = [
        "ana",
        "LIMA",
        "a.li",
        "example-mail",
        "mail.pt",
        "@corp",
        "_dias",
        "b_d",
        "corp.io",
        "912",
        "345 678",
        "+351",
        "& fil",
        "dias & filhos",
        "ñandú",
        "ÑANDÚ",
        "ce.n",
        "zoe+crm",
        "o'brien",
        "100%",
        "%",
        "_",
        "li",
        "wu",
        "[holdings]",
        "müller",
        "MÜLLER",
        "strasse",
        "straße",
        "gmbh",
        "zzz",
        "a",
        "ie",
        "x y",
        '"ana"',
        "NEAR(",
        "lima zzz",
        "ana lima",
        "ltd o'b",
    ]
    results = {}
    for name, url in (("sqlite", str(tmp_path / "parity.db")), ("postgresql", pg_url)):
        ctx = open_context(url)
        try:
            for person, email, phone, company in people:
                contacts.add(
                    ctx,
                    ContactCreate(
                        name=person, emails=(email,), phones=(phone,) if phone else (), company=company
                    ),
                )
            results[name] = {q: sorted((h.entity, h.id) for h in search.search(ctx, q)) for q in queries}
        finally:
            ctx.close()
    assert results["postgresql"] == results["sqlite"]
    assert results["sqlite"]["_dias"] == [("contact", 2)]
    assert results["sqlite"]["example-mail"] == [("contact", 1)]


@pytest.fixture
def ctx_free_url(pg_url: str) -> str:
    """The test's PostgreSQL database URL (``MINICRM_DB``), still empty."""
    assert os.environ["MINICRM_DB"] == pg_url
    return pg_url
