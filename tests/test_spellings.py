"""The fast path reads the command line from spellings copied out of the Typer declarations
(``minicrm.cli.spellings``): the copy is current, and every spelling of every fast-path command
means on the fast path what it means to Typer, down to the printed output and the exit code."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
import typer
import typer.main

from minicrm.cli import direct, fast, spelling_gen
from minicrm.cli.argv import Fallback, parse
from minicrm.cli.spellings import SPELLINGS

#: a sample value per parameter name (anything else: "x", or 2 for a number)
SAMPLES = {
    "within": "3d",
    "stale": "30d",
    "sort": "-id",
    "status": "lead",
    "fmt": "json",
    "owner": "rita",
    "tag": "vip",
    "company": "Lima Lda",
    "ref": "ana",
    "query": "lima",
    "type_": "contact",
    "screen": "contacts",
    "start": "2026-01-01",
    "end": "2026-12-31",
    "deal_id": "1",
    "request_id": "1",
    "kind": "note",
    "contact": "ana",
    "priority": "high",
    "name": "Dora Nunes",
    "followup_ids": "1",
    "email": "d@n.pt",
    "segment": "vips",
    "field": "nif=1",
    "search": "a",
    "pipeline": "sales",
    "every": "2w",
}


def _sample(param: tuple[Any, ...]) -> str:
    return "2" if param[4] == "int" else SAMPLES.get(param[0], "x")


def _positionals(params: tuple[Any, ...]) -> list[str]:
    return [_sample(p) for p in params if p[1] in ("arg", "args") and p[8]]


def spellings() -> Iterator[tuple[tuple[str, ...], list[str]]]:
    """(command words, the arguments after them) for every spelling of every option: each long
    and short form, ``--opt=value`` and ``-nVALUE``, ``--x`` and ``--no-x``, repeated options."""
    for words, params in SPELLINGS.items():
        base = _positionals(params)
        yield words, base
        for p in params:
            if p[1] == "flag":
                for flag in (*p[2], *p[3]):
                    yield words, [*base, flag]
            elif p[1] in ("value", "many"):
                value = _sample(p)
                for flag in p[2]:
                    yield words, [*base, flag, value]
                    yield words, [flag + "=" + value if flag.startswith("--") else flag + value, *base]
                if p[1] == "many":
                    yield words, [*base, p[2][0], value, p[2][-1], value + "2"]


ALL = list(spellings())


def test_the_copy_is_what_the_typer_declarations_say() -> None:
    assert spelling_gen.collect() == SPELLINGS
    assert spelling_gen.main(["--check"]) == 0


def test_the_fast_path_covers_its_commands_and_every_read_off_it() -> None:
    assert set(SPELLINGS) == set(fast._COMMANDS) | set(direct.READS)
    assert ("next",) in SPELLINGS and ("followup", "list") in SPELLINGS


def _typer_params(words: tuple[str, ...], rest: list[str]) -> dict[str, Any]:
    """What Typer passes the command's function for ``rest``."""
    command = spelling_gen.click_command(words)
    root = typer.Context(spelling_gen.click_command(()))
    ctx = command.make_context(" ".join(words), list(rest), parent=root)
    out = {}
    for key, value in ctx.params.items():
        if isinstance(value, tuple | list):
            value = list(value) or None
        out[key] = value
    return out


@pytest.mark.parametrize(("words", "rest"), ALL, ids=[" ".join([*w, *r]) for w, r in ALL])
def test_each_spelling_parses_as_typer_parses_it(words, rest) -> None:
    values = parse(SPELLINGS[words], rest)
    assert values == _typer_params(words, rest)


@pytest.mark.parametrize(
    ("argv"),
    [
        ["next", "--limit", "0"],
        ["search", "x", "-n", "0"],
        ["contact", "list", "--limit", "-1"],
        ["pipeline", "-n", "many"],
        ["due", "--all=1"],
        ["followup", "list", "--overdue", "extra"],
        ["deal", "show"],
        ["contact", "history", "a", "b"],
        ["timeline", "--kind"],
    ],
)
def test_what_typer_refuses_the_fast_path_gives_way_to(argv) -> None:
    words = fast.match(argv, SPELLINGS)
    assert words is not None
    with pytest.raises(Fallback):
        parse(SPELLINGS[words], argv[len(words) :])
    assert fast.try_run(argv) is None and direct.try_run(argv) is None


@pytest.fixture
def data(cli) -> None:
    cli("company", "add", "Lima Lda")
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt", "--company", "Lima Lda", "--tag", "vip")
    cli("--as", "rita", "contact", "add", "Rita Owned", "--tag", "vip")
    cli("followup", "add", "ana", "send the quote", "--due", "today")
    cli("--as", "rita", "followup", "add", "rita", "call back", "--due", "tomorrow")
    cli("deal", "add", "Seats", "--contact", "ana", "--value", "1500", "--currency", "EUR")
    cli("request", "add", "ana", "broken login", "--priority", "high")
    cli("segment", "save", "vips", "--tag", "vip")
    cli("note", "add", "ana", "wants 20 seats")


#: these change the database (due records its run): each path runs on its own copy
WRITES = {("contact", "add"), ("followup", "done"), ("due",)}
READ_WORDS = [w for w in SPELLINGS if w not in WRITES and w != ("tui",)]


def _fast(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int | None, str, str]:
    capsys.readouterr()
    code = fast.try_run(argv)
    if code is None:
        code = direct.try_run(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("words", READ_WORDS, ids=" ".join)
def test_each_spelling_of_each_read_prints_what_typer_prints(cli, data, capsys, words) -> None:
    checked = 0
    for _, rest in (case for case in ALL if case[0] == words):
        argv = [*words, *rest]
        typer_run = cli(*argv)
        code, out, err = _fast(argv, capsys)
        assert code is not None, f"the fast path should run {argv}"
        assert (code, out, err) == (typer_run.exit_code, typer_run.stdout, typer_run.stderr), argv
        checked += 1
    assert checked >= 1 + len([p for p in SPELLINGS[words] if p[1] != "arg"])


@pytest.mark.parametrize("words", sorted(WRITES), ids=" ".join)
def test_each_spelling_of_each_fast_write_does_what_typer_does(
    cli, data, capsys, tmp_path, db_path, dump, words
) -> None:
    for n, (_, rest) in enumerate(case for case in ALL if case[0] == words):
        typer_db, fast_db = tmp_path / f"typer{n}.db", tmp_path / f"fast{n}.db"
        shutil.copyfile(db_path, typer_db)
        shutil.copyfile(db_path, fast_db)
        typer_run = cli("--db", str(typer_db), *words, *rest)
        code, out, err = _fast(["--db", str(fast_db), *words, *rest], capsys)
        assert code is not None, f"the fast path should run {rest}"
        assert (code, out, err) == (typer_run.exit_code, typer_run.stdout, typer_run.stderr), rest
        assert _without_uids(dump(fast_db)) == _without_uids(dump(typer_db)), rest


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _without_uids(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Each new contact gets a random vCard UID: equal stores differ only there."""
    return [tuple(_UUID.sub("UID", v) if isinstance(v, str) else v for v in row) for row in rows]


def _walk(group: Any, ctx: Any, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, (*path, name)
        if hasattr(command, "list_commands"):
            yield from _walk(command, ctx, (*path, name))
        else:
            yield (*path, name)


READ_VERBS = {"list", "show", "history", "report", "current", "path", "stages", "timeline", "doctor"}


def test_every_read_of_the_tree_is_on_a_fast_path() -> None:
    root = typer.main.get_command(__import__("minicrm.cli.app", fromlist=["app"]).app)
    leaves = set(_walk(root, typer.Context(root), ()))
    assert {("report", "service"), ("report", "cadence"), ("contact", "history")} <= leaves
    assert {w for w in SPELLINGS if w != ("pipeline",)} <= leaves
    reads = {w for w in leaves if w[-1] in READ_VERBS or w[0] == "report"}
    assert reads - set(SPELLINGS) == set()


@pytest.mark.parametrize(
    "argv",
    [
        ["next", "--everyone"],
        ["pipeline", "--everyone"],
        ["next", "--all"],
        ["pipeline", "--all", "-n", "1"],
        ["deal", "list", "--everyone"],
    ],
)
def test_everyone_is_on_the_fast_path_everywhere(cli, data, capsys, argv) -> None:
    typer_run = cli("--as", "rita", *argv, "--json")
    assert _fast(["--as", "rita", *argv, "--json"], capsys) == (0, typer_run.stdout, typer_run.stderr)
