"""The argparse fast path prints exactly what the Typer commands print, and gives way to Typer
for anything it does not fully understand."""

from __future__ import annotations

import re

import pytest

from minicrm.cli import fast


@pytest.fixture
def data(cli) -> None:
    cli("company", "add", "Lima Lda")
    cli(
        "contact",
        "add",
        "Ana Lima",
        "--email",
        "ana@lima.pt",
        "--company",
        "Lima Lda",
        "--tag",
        "vip",
        "--every",
        "30d",
        env={"MINICRM_NOW": "2026-09-01T09:00:00"},
    )
    cli("contact", "add", "Bruno [b]Dias[/b]", "--email", "bruno@dias.pt", "--status", "customer")
    cli("contact", "add", "Carla Reis", "--tag", "vip", "--phone", "+351 912 000 111")
    cli("--as", "rita", "contact", "add", "Rita Owned")
    cli("followup", "add", "ana", "send the quote", "--due", "today")
    cli("followup", "add", "bruno", "renewal", "--due", "2026-11-20")
    cli("followup", "add", "carla", "demo", "--due", "2026-11-25 15:00")
    cli("--as", "rita", "followup", "add", "carla", "rita's", "--due", "today")
    cli("note", "add", "ana", "wants 20 seats\nsecond line")
    cli("log", "call", "bruno", "asked for a discount", "--at", "yesterday 15:00")


ARGVS = [
    ["due"],
    ["due", "--within", "3d"],
    ["due", "--json"],
    ["due", "--format", "jsonl"],
    ["due", "--format", "csv", "--within", "1w"],
    ["due", "--owner", "rita"],
    ["due", "--owner", "rita", "--all"],
    ["due", "--within", "3x"],
    ["due", "--format", "xml"],
    ["search", "lima"],
    ["search", "ana", "--json"],
    ["search", "li", "--type", "company", "--type", "contact"],
    ["search", "a", "-n", "2", "--format", "csv"],
    ["search", "AND (", "--json"],
    ["search", "x", "--type", "planet"],
    ["contact", "list"],
    ["contact", "list", "--json"],
    ["contact", "list", "--format", "jsonl", "--tag", "vip"],
    ["contact", "list", "--format", "csv", "--sort", "-id", "--limit", "2"],
    ["contact", "list", "-t", "vip", "-s", "reis"],
    ["contact", "list", "--company", "Lima Lda", "--status", "lead"],
    ["contact", "list", "--owner", "rita"],
    ["contact", "list", "--owner", "rita", "--all"],
    ["contact", "list", "--stale", "30d", "--offset", "1", "-n", "5"],
    ["contact", "list", "--sort=-id", "--limit=2", "-n1", "--tag=vip"],
    ["contact", "list", "--format=csv", "-fjson"],
    ["search", "--", "-x"],
    ["contact", "list", "--status", "weird"],
    ["contact", "list", "--sort", "bogus"],
    ["contact", "show", "1"],
    ["contact", "show", "ana@lima.pt", "--json"],
    ["contact", "show", "Bruno [b]Dias[/b]"],
    ["contact", "show", "carla", "--format", "jsonl"],
    ["contact", "show", "carla", "-f", "csv"],
    ["contact", "show", "nobody"],
    ["contact", "show", "a"],
]


def _fast(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int | None, str, str]:
    capsys.readouterr()
    code = fast.try_run(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv", ARGVS, ids=" ".join)
def test_fast_path_prints_what_typer_prints(cli, data, capsys, argv) -> None:
    typer_run = cli(*argv)
    code, out, err = _fast(argv, capsys)
    assert code is not None, "the fast path should handle this"
    assert (code, out, err) == (typer_run.exit_code, typer_run.stdout, typer_run.stderr)


def test_fast_path_honours_db_and_as(cli, data, capsys, tmp_path) -> None:
    other = str(tmp_path / "other.db")
    cli("--db", other, "contact", "add", "Elsewhere")
    for argv in (
        ["--db", other, "contact", "list"],
        [f"--db={other}", "search", "else"],
        ["--as", "rita", "due"],
        ["--db", other, "--as", "x", "contact", "show", "1", "--json"],
    ):
        typer_run = cli(*argv)
        assert _fast(argv, capsys) == (typer_run.exit_code, typer_run.stdout, typer_run.stderr), argv


WRITES = [
    ["contact", "add", "Dora Nunes"],
    [
        "contact",
        "add",
        "Dora Nunes",
        "-e",
        "dora@nunes.pt",
        "--email",
        "d@n.pt",
        "-p",
        "+351 912 111 222",
        "-t",
        "VIP Client,new",
        "--company",
        "Lima Lda",
        "--title",
        "CTO",
        "--status",
        "prospect",
        "--source",
        "fair",
        "--every",
        "2w",
        "--field",
        "nif=1",
        "--field",
        "size=big",
        "--given-name",
        "Dora",
        "--family-name",
        "Nunes",
        "--street",
        "Rua A 1",
        "--city",
        "Porto",
        "--region",
        "Norte",
        "--postcode",
        "4000",
        "--country",
        "PT",
        "--json",
    ],
    ["contact", "add", "Dup", "--email", "ana@lima.pt"],
    ["contact", "add", "Dup", "--email", "ana@lima.pt", "--allow-duplicate", "--format", "jsonl"],
    ["contact", "add", "Bad", "--email", "nope"],
    ["contact", "add", ""],
    ["contact", "add", "X", "--status", "weird"],
    ["contact", "add", "X", "--every", "soon"],
    ["contact", "add", "-f", "csv", "--", "-dash-"],
    ["followup", "done", "1"],
    ["followup", "done", "1", "2", "--json"],
    ["followup", "done", "2", "--format", "csv"],
    ["followup", "done", "99"],
    ["followup", "done", "x"],
]


@pytest.mark.parametrize("argv", WRITES, ids=" ".join)
def test_fast_writes_print_and_store_what_typer_does(
    cli, data, capsys, tmp_path, db_path, dump, argv
) -> None:
    import shutil

    typer_db, fast_db = tmp_path / "typer.db", tmp_path / "fast.db"
    shutil.copyfile(db_path, typer_db)
    shutil.copyfile(db_path, fast_db)
    typer_run = cli("--db", str(typer_db), *argv)
    code, out, err = _fast(["--db", str(fast_db), *argv], capsys)
    assert code is not None, "the fast path should handle this"
    assert (code, out, err) == (typer_run.exit_code, typer_run.stdout, typer_run.stderr)
    assert _without_uids(dump(fast_db)) == _without_uids(dump(typer_db))


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _without_uids(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Each new contact gets a random vCard UID: equal stores differ only there."""
    return [tuple(_UUID.sub("UID", v) if isinstance(v, str) else v for v in row) for row in rows]


@pytest.mark.parametrize(
    "argv",
    [
        ["due", "--help"],
        ["due", "-h"],
        ["contact", "list", "--help"],
        ["search", "--help"],
        ["--version"],
        ["due", "--bogus"],
        ["due", "--json=yes"],
        ["due", "--within"],
        ["contact", "list", "-tvip", "-jx"],
        ["search", "x", "--limit", "-n"],
        ["contact", "list", "--limit", "-1"],
        ["contact", "list", "--limit", "many"],
        ["contact", "show"],
        ["contact", "show", "a", "b"],
        ["search"],
        ["search", "x", "--limit", "0"],
        ["contact", "add", "Ana", "--help"],
        ["contact", "add"],
        ["contact", "add", "Ana", "Lima"],
        ["contact", "add", "Ana", "--mail", "x"],
        ["followup", "done"],
        ["followup", "list"],
        ["--db"],
        ["--verbose", "due"],
        [],
    ],
    ids=lambda a: " ".join(a) or "(none)",
)
def test_fast_path_gives_way_to_typer(argv) -> None:
    assert fast.try_run(argv) is None


def test_the_tui_opens_without_typer(monkeypatch, capsys, tmp_path) -> None:
    import sys

    from minicrm.cli.state import GLOBALS
    from minicrm.tui import app as tui_app

    opened: list[tuple[str | None, str | None]] = []

    def run_tui(db: str | None, user: str | None, screen: str | None) -> None:
        assert (db, user) == (GLOBALS.db, GLOBALS.user)  # the CLI passes its options in
        opened.append((db, screen))

    monkeypatch.setattr(tui_app, "run_tui", run_tui)
    monkeypatch.delenv("MINICRM_DB", raising=False)
    db = str(tmp_path / "x.db")
    assert _fast(["tui"], capsys)[0] == 1  # no terminal here: refused (test_input_and_setup_checks)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert _fast(["--db", db, "tui", "--screen", "contacts"], capsys) == (0, "", "")
    assert _fast(["tui"], capsys)[0] == 0
    # a bare ``minicrm`` on a terminal opens it too
    assert _fast(["--db", db], capsys)[0] == 0
    # no --screen: the app opens on the screen chosen in its settings (else Today)
    assert opened == [(db, "contacts"), (None, None), (db, None)]


def test_the_tui_refuses_an_unknown_screen_as_typer_does(cli, capsys) -> None:
    typer_run = cli("tui", "--screen", "nowhere")
    assert _fast(["tui", "--screen", "nowhere"], capsys) == (
        typer_run.exit_code,
        typer_run.stdout,
        typer_run.stderr,
    )
    assert typer_run.exit_code == 1


@pytest.mark.parametrize("argv", [["tui", "--help"], ["tui", "contacts"], ["tui", "--screen"], ["tui", "-x"]])
def test_the_tui_gives_way_to_typer_for_help_and_usage_errors(argv) -> None:
    assert fast.try_run(argv) is None
