"""Import (bulk ids from the sequences), the JSON round trip (booleans) and erase on PostgreSQL.
Uses its own scratch database on 127.0.0.1:5432; skipped when the server is not there."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from transfer_helpers import write

pytestmark = pytest.mark.postgres
SERVER = "postgresql://postgres@127.0.0.1:5432/test"


def _scratch(name: str) -> Iterator[str]:
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(SERVER, autocommit=True, connect_timeout=3)
    except psycopg.Error:
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    admin.execute(f"DROP DATABASE IF EXISTS {name}")
    admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


@pytest.fixture
def pg_a() -> Iterator[str]:
    yield from _scratch(f"minicrm_i6_a_{os.getpid()}")


@pytest.fixture
def pg_b() -> Iterator[str]:
    yield from _scratch(f"minicrm_i6_b_{os.getpid()}")


def test_import_round_trip_and_erase_on_postgres(cli, tmp_path: Path, pg_a: str, pg_b: str) -> None:
    rows = "Name,Email,Company\nAna,ana@x.pt,Lima Lda\nBruno,b@x.pt,\nAna L,ANA@x.pt,\n"
    source = write(tmp_path / "p.csv", rows)
    run = cli("--db", pg_a, "import", "csv", str(source))
    assert run.stderr.splitlines()[-1] == "2 created, 1 updated, 0 skipped, 0 rejected"
    added = cli("--db", pg_a, "contact", "add", "Carla", "--json").json()
    assert added["id"] == 3  # the sequence moved past the bulk-inserted ids
    first = cli("--db", pg_a, "export", "json").stdout
    archive = write(tmp_path / "a.json", first)
    assert cli("--db", pg_b, "import", "json", str(archive)).exit_code == 0
    assert cli("--db", pg_b, "export", "json").stdout == first
    assert cli("--db", pg_b, "contact", "add", "Duarte", "--json").json()["id"] == 4
    assert cli("--db", pg_a, "privacy", "erase", "ana", "--yes").exit_code == 0
    again = cli("--db", pg_a, "import", "csv", str(source))
    assert again.stderr.splitlines()[-1] == "0 created, 0 updated, 3 skipped, 0 rejected"
