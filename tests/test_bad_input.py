"""Bad input: one ``error: …`` line on stderr, the SPEC's exit code, no traceback, and the
database unchanged. Storage problems are checked in real processes (exit 3)."""

from __future__ import annotations

import sqlite3

import pytest

from minicrm.store.schema import HEAD


@pytest.fixture
def populated(cli) -> None:
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt")
    cli("contact", "add", "Ana Costa")
    cli("followup", "add", "1", "call", "--due", "tomorrow")


def _one_error_line(result, code: int) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("contact", "show", "nobody"), "error: no contact matches 'nobody'\n"),
        (("contact", "show", "99"), "error: no contact with id 99\n"),
        (("contact", "edit", "nobody", "--title", "x"), "error: no contact matches 'nobody'\n"),
        (("note", "add", "nobody", "hi"), "error: no contact matches 'nobody'\n"),
        (("followup", "add", "nobody", "x"), "error: no contact matches 'nobody'\n"),
        (("contact", "rm", "nobody", "--yes"), "error: no contact matches 'nobody'\n"),
        (
            ("contact", "show", "ana"),
            "error: 'ana' matches 2 contacts: 1 Ana Lima <ana@lima.pt>; 2 Ana Costa\n",
        ),
        (
            ("contact", "edit", "ana", "--title", "x"),
            "error: 'ana' matches 2 contacts: 1 Ana Lima <ana@lima.pt>; 2 Ana Costa\n",
        ),
        (("log", "call", "ana"), "error: 'ana' matches 2 contacts: 1 Ana Lima <ana@lima.pt>; 2 Ana Costa\n"),
        (("contact", "add", "Bea", "--email", "bea@"), None),
        (("contact", "edit", "1", "--add-email", "no at sign"), None),
        (("contact", "add", ""), "error: name cannot be empty\n"),
        (("contact", "add", "   "), "error: name cannot be empty\n"),
        (("contact", "edit", "1", "--name", " "), "error: name cannot be empty\n"),
        (("company", "add", ""), "error: company name cannot be empty\n"),
        (
            ("followup", "add", "1", "x", "--due", "blurgh"),
            "error: cannot understand the date 'blurgh' (try 2026-12-01, tomorrow, next friday, in 3 days)\n",
        ),
        (
            ("followup", "add", "1", "x", "--due", "2026-02-30"),
            "error: invalid date '2026-02-30': day is out of range for month\n",
        ),
        (
            ("log", "call", "1", "--at", "someday"),
            "error: cannot understand the date 'someday' (try 2026-12-01, tomorrow, next friday, in 3 "
            "days)\n",
        ),
        (
            ("followup", "snooze", "1", "--until", "whenever"),
            "error: cannot understand the date 'whenever' (try 2026-12-01, tomorrow, next friday, in 3 "
            "days)\n",
        ),
        (
            ("contact", "add", "X", "--status", "weird"),
            "error: invalid status 'weird' (choose from lead, prospect, customer, inactive)\n",
        ),
        (
            ("contact", "list", "--status", "weird"),
            "error: invalid status 'weird' (choose from lead, prospect, customer, inactive)\n",
        ),
        (
            ("contact", "list", "--format", "xml"),
            "error: invalid format 'xml' (choose from table, plain, json, jsonl, csv)\n",
        ),
        (
            ("contact", "add", "X", "--format", "xml"),
            "error: invalid format 'xml' (choose from table, plain, json, jsonl, csv)\n",
        ),
        (
            ("due", "--format", "xml"),
            "error: invalid format 'xml' (choose from table, plain, json, jsonl, csv)\n",
        ),
        (
            ("search", "ana", "--type", "planet"),
            "error: invalid type 'planet' (choose from contact, company, deal, note)\n",
        ),
        (
            ("contact", "list", "--sort", "shoe-size"),
            "error: invalid sort 'shoe-size' (choose from name, created, updated, last-interaction, status, "
            "id, value)\n",
        ),
        (
            ("due", "--within", "3x"),
            "error: invalid duration '3x': use a number and a unit, e.g. 90min, 4h, 3d, 2w, 6m, 1y\n",
        ),
        (("contact", "add", "X", "--every", "0d"), "error: invalid duration '0d': it must be positive\n"),
        (("contact", "add", "X", "--field", "novalue"), "error: --field takes KEY=VALUE, not 'novalue'\n"),
    ],
)
def test_bad_input_is_one_error_line_and_changes_nothing(cli, dump, populated, args, message) -> None:
    before = dump()
    stderr = _one_error_line(cli(*args), 1)
    if message is not None:
        assert stderr == message
    else:
        assert stderr.startswith("error: invalid email ")
    assert dump() == before


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"lima',
        "lima*",
        "*",
        "AND (",
        "ana AND (",
        "NEAR(",
        "NEAR(ana lima)",
        "a OR b",
        "ana:",
        "^ana",
        "{x}",
        "'; DROP TABLE contact; --",
        "%",
        "_",
    ],
)
def test_a_search_full_of_fts_syntax_searches_literally(cli, populated, query) -> None:
    result = cli("search", query, "--json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.json() == []
    assert cli("contact", "list", "--search", query, "--json").json() == []


def test_a_query_starting_with_a_dash_after_double_dash(cli, sh) -> None:
    assert cli("contact", "add", "--", "-dash- person").exit_code == 0
    assert [h["id"] for h in cli("search", "--json", "--", "-dash-").json()] == [1]
    assert sh("search", "--json", "--", "-dash-").json()[0]["label"] == "-dash- person"


def test_fts_characters_are_found_as_text(cli) -> None:
    cli("contact", "add", 'Joana "Jo" Reis*', "--email", "jo_reis@x.pt")
    cli("contact", "add", "Joana Reis")
    for query in ('"Jo"', "Reis*", "jo_", '"jo" reis*'):
        assert [h["id"] for h in cli("search", query, "--json").json()] == [1], query
    assert [h["id"] for h in cli("search", "joana reis", "--json").json()] == [2, 1]


def test_unknown_command_or_option_is_a_usage_error(cli, sh) -> None:
    for args in (
        ("frobnicate",),
        ("contact", "frob"),
        ("contact", "list", "--bogus"),
        ("due", "--bogus"),
        ("search",),
        ("contact", "show"),
    ):
        assert cli(*args).exit_code == 2, args
        result = sh(*args)  # the real entry point, fast path included
        assert result.exit_code == 2, args
        assert "Traceback" not in result.stderr and result.stdout == ""


# -- storage problems: exit 3, in real processes ------------------------------------------------
def test_a_db_path_that_cannot_be_created_is_exit_3(sh, tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    target = blocker / "sub" / "crm.db"
    for args in (("contact", "list"), ("contact", "add", "Ana"), ("init",)):
        result = sh("--db", str(target), *args)
        assert result.exit_code == 3, (args, result.stderr)
        assert result.stderr == f"error: cannot create the database {target}: Not a directory\n"
    assert blocker.read_text() == "not a directory"


def test_a_directory_as_db_is_exit_3(sh, tmp_path) -> None:
    result = sh("--db", str(tmp_path), "contact", "list")
    assert (result.exit_code, result.stderr) == (
        3,
        f"error: {tmp_path} is a directory, not a database file\n",
    )


def test_a_file_that_is_not_sqlite_is_exit_3_and_left_alone(sh, tmp_path) -> None:
    (tmp_path / "d").mkdir()
    notes = tmp_path / "d" / "notes.txt"
    notes.write_text("my shopping list\n" * 100)
    for args in (("contact", "list"), ("contact", "add", "Ana"), ("due",), ("db", "current"), ("init",)):
        result = sh("--db", str(notes), *args)
        assert result.exit_code == 3, (args, result.stderr)
        assert result.stderr == (
            f"error: the file is not a minicrm database or is damaged ({notes}): file is not a database\n"
        ), args
    assert notes.read_text() == "my shopping list\n" * 100
    assert sorted(p.name for p in notes.parent.iterdir()) == ["notes.txt"]  # no -wal / -shm left


def test_another_sqlite_database_is_exit_3(sh, tmp_path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE things (x)")
    result = sh("--db", str(other), "contact", "list")
    assert (result.exit_code, result.stderr) == (
        3,
        f"error: {other} is an SQLite database but not a minicrm one\n",
    )


def test_a_database_from_a_newer_minicrm_is_exit_3(cli, sh, db_path, dump) -> None:
    cli("contact", "add", "Ana")
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    before = dump()
    for args in (("contact", "list"), ("contact", "add", "Bea"), ("due",), ("db", "upgrade"), ("init",)):
        result = sh(*args)
        assert result.exit_code == 3, (args, result.stderr)
        assert result.stderr == (
            f"error: the database {db_path} was written by a newer minicrm (schema 9999); "
            "upgrade minicrm to open it\n"
        ), args
    current = sh("db", "current")
    assert (current.exit_code, current.stderr) == (
        3,
        f"error: the database schema 9999 is newer than this minicrm ({HEAD})\n",
    )
    assert dump() == before


def test_an_unsupported_url_is_exit_3(sh) -> None:
    result = sh("--db", "mysql://x/y", "contact", "list")
    assert result.exit_code == 3
    assert result.stderr == (
        "error: unsupported database URL 'mysql://x/y' "
        "(use a file path, sqlite:///… or postgresql+psycopg://…)\n"
    )
