"""Every command that prints JSON, walked from the command tree, on a database whose every text
holds escape sequences, bidi overrides and rich markup: its JSON parses, carries no raw control
or bidi character, and gives the hostile text back exactly (jsonl too); its plain and table forms
are inert too.

The commands are read from the click tree (``typer.main.get_command``), not listed here, and
their positional arguments are filled by parameter name from ``FILL``: a new ``--json``
command is covered the day it is added, and one with a required parameter nobody knows how to
fill fails the test until ``FILL`` learns it. Each command runs on its own copy of the
database, so the commands that write (merge, won, done, undo, …) run too, in any order.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

Run = Any  # conftest.Run (several conftest modules: not importable by name)
#: the server conftest creates the test databases on (the clones go there too)
PG_SERVER = os.environ.get("MINICRM_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")

#: every hazard at once: erase screen, set the window title, carriage return, bidi override and
#: isolate, and rich markup (styling, and an action a Textual app would run on click)
H = "\x1b[2J\x1b]0;PWNED\x07\r\u202e\u2066[bold red]X[/][@click=app.quit]Q[/]"
#: the same without "/" (a file name cannot hold one)
H_FILE = "\x1b[2J\x1b]0;PWNED\x07\r\u202e\u2066[bold red]X[@click=app.quit]Q"

CONTACT = "Ana" + H
OTHER = "Bruno" + H
COMPANY = "Lima" + H
DEAL = "Evil\u202eTitle" + H
LOST_DEAL = "Lost" + H
WON_DEAL = "Won" + H
TITLE = "Chief" + H
TAG = "vip" + H
#: how the tag is stored: as typed, white space (the CR) as one space
TAG_STORED = "vip\x1b[2J\x1b]0;PWNED\x07 \u202e\u2066[bold red]X[/][@click=app.quit]Q[/]"
FIELD = "shoe" + H
FIELD_KEY = "size" + H.replace("=", ":")  # KEY=VALUE: the key cannot hold a "="
SOURCE = "fair" + H
CITY = "Porto" + H
INDUSTRY = "wine" + H
NOTE = "note" + H
CALL = "call" + H
FOLLOWUP = "send" + H
REQUEST = "printer" + H
RESOLUTION = "fixed" + H
SEGMENT = "seg" + H
STAGE = "lead" + H
STAGE_2 = "won-soon" + H
NEW_COMPANY = "Reis" + H
PIPELINE = "Sales" + H
REASON = "price" + H
STREET = "Rua" + H
GIVEN = "Given" + H
#: a user name is one printable word (no ESC, CR or space): bidi is what it can hold. Everything
#: is owned by this user, so every record's owner is hostile too
USER = "eve\u202e\u2066x"
EMAIL = "zoë@exämple.pt"  # an address (and a domain) can hold no control or bidi character: refused
HOSTILE = {
    CONTACT, OTHER, COMPANY, NEW_COMPANY, DEAL, LOST_DEAL, WON_DEAL, TITLE, TAG, TAG_STORED, FIELD,
    FIELD_KEY, SOURCE, CITY, INDUSTRY, NOTE, CALL, FOLLOWUP, REQUEST, RESOLUTION, SEGMENT, STAGE, STAGE_2,
    PIPELINE, REASON, STREET, GIVEN, USER,
}  # fmt: skip

#: what must never reach a terminal raw from any output format
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: a hazard in a JSON string after decoding (the hostile text, which must be intact there)
HAZARD = re.compile("[\x1b\x07\r\u202e\u2066]")


def _config(home: Path) -> None:
    """A pipeline, its stages and the lost reasons are named in the config: hostile too."""
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "minicrm"
    (folder / "hooks").mkdir(parents=True)
    q = json.dumps  # a JSON string is a TOML basic string
    (folder / "config.toml").write_text(
        f"owner = {q(USER)}\nlost_reasons = [{q(REASON)}]\n"
        f"[[pipelines]]\nname = {q(PIPELINE)}\n"
        f"stages = [{{ name = {q(STAGE)}, probability = 10, idle_days = 1 }},"
        f" {{ name = {q(STAGE_2)}, probability = 80 }}]\n",
        encoding="utf-8",
    )
    hook = folder / "hooks" / ("on-add-" + H_FILE)
    hook.write_text("#!/bin/sh\n", encoding="utf-8")  # not executable: listed, never run


def _build(cli: Callable[..., Run]) -> None:
    steps: list[tuple[str, ...]] = [
        ("user", "add", USER, "--email", "eve@x.pt"),
        ("company", "add", COMPANY, "--industry", INDUSTRY, "--tag", TAG, "--field", f"{FIELD_KEY}={FIELD}",
         "--city", CITY),
        ("contact", "add", CONTACT, "--email", EMAIL, "--title", TITLE, "--tag", TAG, "--company", COMPANY,
         "--field", f"{FIELD_KEY}={FIELD}", "--source", SOURCE, "--city", CITY, "--every", "7d",
         "--phone", "+351 912 345 678", "--street", STREET, "--given-name", GIVEN),
        ("contact", "add", OTHER, "--tag", TAG, "--title", TITLE),
        ("deal", "add", DEAL, "--contact", "1", "--value", "1500", "--close", "2026-11-30"),
        ("deal", "add", LOST_DEAL, "--contact", "1", "--value", "20"),
        ("deal", "lost", "2", "--reason", REASON),
        ("deal", "add", WON_DEAL, "--company", "1", "--value", "300"),
        ("deal", "won", "3"),
        ("note", "add", "1", NOTE),
        ("note", "add", "--deal", "1", NOTE),
        ("note", "add", "--company", "1", NOTE),
        ("log", "call", "1", CALL, "--at", "2026-10-01"),
        ("followup", "add", "1", FOLLOWUP, "--due", "2026-11-20"),
        ("followup", "add", "1", FOLLOWUP, "--due", "tomorrow", "--deal", "1"),
        ("request", "add", "1", REQUEST),
        ("request", "add", "1", REQUEST),
        ("request", "close", "2", "--resolution", RESOLUTION),
        ("segment", "save", SEGMENT, "--tag", TAG),
        ("cadence", "set", TAG, "14d"),
        ("note", "add", "2", NOTE),  # the last operation: what `undo` reverts
    ]  # fmt: skip
    for step in steps:
        result = cli(*step)
        assert result.exit_code == 0, (step, result.stderr)


# -- the command tree -------------------------------------------------------------------------
def _commands() -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command of the tree, groups with a callback of their own included."""
    import typer.main

    from minicrm.cli.app import app

    root = typer.main.get_command(app)

    def walk(command: Any, path: tuple[str, ...], ctx: Any) -> Iterator[tuple[tuple[str, ...], Any]]:
        if path:
            yield path, command
        if hasattr(command, "list_commands"):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                yield from walk(sub, (*path, name), root.context_class(sub, parent=ctx, info_name=name))

    yield from walk(root, (), root.context_class(root, info_name="minicrm"))


def _opts(command: Any) -> set[str]:
    return {o for p in command.params for o in (*p.opts, *p.secondary_opts)}


def _json_way(command: Any) -> tuple[str, ...] | None:
    """How to ask this command for JSON: --json, or --format json where the help offers it."""
    opts = _opts(command)
    if "--json" in opts:
        return ("--json",)
    fmt = next((p for p in command.params if "--format" in p.opts), None)
    if fmt is not None and "json" in (fmt.help or ""):
        return ("--format", "json")
    return None


#: how to fill each parameter, by its name (every argument and required option), as the words to
#: put on the command line
FILL: dict[str, Callable[[Path], list[str]]] = {
    "ref": lambda _: ["1"],
    "refs": lambda _: ["1"],
    "keep": lambda _: ["1"],
    "others": lambda _: ["2"],
    "query": lambda _: ["Ana"],
    "name": lambda _: [SEGMENT],
    "title": lambda _: [FOLLOWUP],
    "text": lambda _: [FOLLOWUP],
    "args": lambda _: ["1", NOTE],
    "tag": lambda _: [TAG],
    "every": lambda _: ["30d"],
    "deal_id": lambda _: ["1"],
    "deal_ids": lambda _: ["1"],
    "stage": lambda _: [STAGE_2],
    "followup_id": lambda _: ["1"],
    "followup_ids": lambda _: ["1"],
    "until": lambda _: ["--until", "2026-12-24"],
    "request_id": lambda _: ["1"],
    "resolution": lambda _: ["--resolution", RESOLUTION],
    "out": lambda tmp: ["--out", str(tmp / f"out-{uuid.uuid4().hex[:8]}")],
    "source": lambda tmp: [_hostile_mbox(tmp)],
}


def _hostile_ics(tmp: Path) -> str:
    """A calendar with one past meeting with the hostile contact, a hostile summary."""
    path = tmp / f"cal-{uuid.uuid4().hex[:8]}.ics"
    summary = H.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uuid.uuid4().hex}\r\nDTSTART:20261120T100000Z\r\nSUMMARY:{summary}\r\n"
        f"ATTENDEE:mailto:{EMAIL}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        encoding="utf-8",
    )
    return str(path)


def _hostile_mbox(tmp: Path) -> str:
    """An mbox holding one message from the hostile contact, with a hostile subject and body."""
    path = tmp / f"mail-{uuid.uuid4().hex[:8]}.mbox"
    path.write_text(
        f"From x Fri Nov 20 10:00:00 2026\nFrom: {EMAIL}\nTo: me@mine.example\nSubject: {H}\n"
        f"Message-ID: <{uuid.uuid4().hex}@x>\nDate: Fri, 20 Nov 2026 10:00:00 +0000\n\n{H}\n",
        encoding="utf-8",
    )
    return str(path)


#: the few commands whose parameter means something else under the same name
FILL_FOR: dict[tuple[tuple[str, ...], str], list[str]] = {
    (("user", "add"), "name"): ["zed"],  # one word: what --as takes
    (("contact", "add"), "name"): [CONTACT],
    (("deal", "add"), "title"): [DEAL],
    (("request", "add"), "title"): [REQUEST],
    (("company", "add"), "name"): [NEW_COMPANY],  # COMPANY exists: a second one is refused
    (("request", "reopen"), "request_id"): ["2"],  # the closed one
}
#: the same for parameters whose words are made in the test's directory
MAKE_FOR: dict[tuple[tuple[str, ...], str], Callable[[Path], list[str]]] = {
    (("calendar", "import"), "source"): lambda tmp: [_hostile_ics(tmp)],
}
#: options that are optional to click but that the command needs (it checks them itself)
NEEDS: dict[tuple[str, ...], list[str]] = {("deal", "lost"): ["--reason", REASON]}
#: exit codes that mean success too, and why
EXIT_OK: dict[tuple[str, ...], set[int]] = {
    ("doctor",): {0, 1},  # 1: problems found (the clones are not chmod 600, no cron): listed in the JSON
    # PostgreSQL's row-level security: installed there, refused on SQLite with one error line
    ("team", "secure"): {0, 1},
    # 1: no $EDITOR and no sendmail command here (tests/capture/test_mail_compose.py sends for real)
    ("mail", "compose"): {1},
}
#: commands that print JSON whatever their options say (no --json to look for)
ALWAYS_JSON = {("privacy", "export"), ("export", "json")}


def _argv(path: tuple[str, ...], command: Any, tmp: Path) -> list[str]:
    args: list[str] = []
    for param in command.params:
        if param.param_type_name == "argument" or param.required:
            if (path, param.name) in FILL_FOR:
                args += FILL_FOR[(path, param.name)]
            elif (path, param.name) in MAKE_FOR:
                args += MAKE_FOR[(path, param.name)](tmp)
            elif param.name in FILL:
                args += FILL[param.name](tmp)
            elif param.required:
                pytest.fail(
                    f"`minicrm {' '.join(path)}` has a required parameter {param.name!r} that this test "
                    "cannot fill: teach FILL in tests/test_hostile_output.py"
                )
    args += NEEDS.get(path, [])
    if "--yes" in _opts(command):
        args.append("--yes")
    return [*path, *args]


# -- one database per command -----------------------------------------------------------------
class Clones:
    """Copies of the hostile database, one for each command (SQLite: the backup API; PostgreSQL:
    CREATE DATABASE … TEMPLATE)."""

    def __init__(self, base: str, tmp: Path) -> None:
        self.base = base
        self.tmp = tmp
        self.made: list[str] = []
        self.on_postgres = base.startswith("postgresql")

    def new(self) -> str:
        if not self.on_postgres:
            target = self.tmp / f"clone-{len(self.made)}.db"
            source = sqlite3.connect(self.base)
            dest = sqlite3.connect(target)
            try:
                source.backup(dest)
            finally:
                source.close()
                dest.close()
            self.made.append(str(target))
            return str(target)
        import psycopg

        name = f"minicrm_t_{uuid.uuid4().hex[:16]}"
        template = self.base.rsplit("/", 1)[1]
        with psycopg.connect(PG_SERVER, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self.made.append(name)
        return self.base.rsplit("/", 1)[0] + "/" + name

    def drop(self) -> None:
        """Drop the PostgreSQL clones, several at a time (each DROP DATABASE waits for a checkpoint,
        which concurrent drops share)."""
        if not self.on_postgres or not self.made:
            return
        from concurrent.futures import ThreadPoolExecutor

        import psycopg

        def drop(names: list[str]) -> None:
            with psycopg.connect(PG_SERVER, autocommit=True) as conn:
                for name in names:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(drop, [self.made[i::8] for i in range(8)]))


@pytest.fixture
def clones(cli: Callable[..., Run], tmp_path: Path, isolated_env: Path) -> Iterator[Clones]:
    _config(isolated_env)
    _build(cli)
    base = os.environ.get("MINICRM_DB") or str(isolated_env / ".local" / "share" / "minicrm" / "minicrm.db")
    made = Clones(base, tmp_path)
    try:
        yield made
    finally:
        made.drop()


def _strings(value: Any) -> Iterator[str]:
    """Every string in a decoded document, and in the JSON documents stored as strings in it."""
    if isinstance(value, str):
        if value.startswith(("{", "[")):
            try:
                inner = json.loads(value)
            except json.JSONDecodeError:
                pass
            else:
                yield from _strings(inner)
                return
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _decode(stdout: str) -> list[Any]:
    """The JSON document, or each line of JSONL."""
    try:
        return [json.loads(stdout)]
    except json.JSONDecodeError:
        return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def _intact(text: str) -> list[str]:
    """The hostile values in ``text``: whole, or cut short at its end (a summary's ellipsis),
    or as the sort key minicrm keeps beside a name (``sort_name``: no diacritics, no case)."""
    from minicrm.store.records.search_index import sort_key

    found = [h for h in HOSTILE if h in text or sort_key(h) in text]
    if not found:
        found = [h for h in HOSTILE if any(text.endswith(h[:k]) for k in range(8, len(h)))][:1]
    return found


def _json_problems(path: tuple[str, ...], argv: list[str], run: Run, seen: set[str]) -> list[str]:
    name = _label(argv)
    if run.exit_code not in EXIT_OK.get(path, {0}):
        return [f"{name}: exit {run.exit_code}: {run.stderr.strip()[-300:]}"]
    problems = []
    raw = RAW.search(run.stdout.replace("\n", ""))
    if raw:
        problems.append(f"{name}: raw {raw.group(0)!r} in stdout")
    try:
        docs = _decode(run.stdout)
    except json.JSONDecodeError as exc:
        return [*problems, f"{name}: stdout is not JSON: {exc}"]
    for text in (s for doc in docs for s in _strings(doc)):
        found = _intact(text)
        seen.update(h for h in found if h in text)
        if HAZARD.search(text) and not found and H_FILE not in text:
            problems.append(f"{name}: hostile text came back changed: {text!r}")
        if "\\x1b" in text or "\\u202e" in text:
            problems.append(f"{name}: hostile text came back escaped twice: {text!r}")
    return problems


def _label(argv: list[str]) -> str:
    return " ".join(a if a.isprintable() else repr(a) for a in argv)


def _offers(command: Any, fmt: str) -> bool:
    """Whether the command's --format takes ``fmt`` (its help lists the formats)."""
    option = next((p for p in command.params if "--format" in p.opts), None)
    return option is not None and fmt in (option.help or "")


def test_every_json_command_prints_inert_json_that_gives_the_hostile_text_back(
    cli: Callable[..., Run], clones: Clones, tmp_path: Path
) -> None:
    problems: list[str] = []
    seen: set[str] = set()
    covered = []
    for path, command in _commands():
        way = () if path in ALWAYS_JSON else _json_way(command)
        if way is None:
            continue
        ways = [way, ("--format", "jsonl")] if _offers(command, "jsonl") else [way]
        for asked in ways:
            argv = [*_argv(path, command, tmp_path), *asked]
            run = cli(*argv, env={"MINICRM_DB": clones.new()})
            problems += _json_problems(path, argv, run, seen)
        covered.append(path)
    must = {("pipeline",), ("report", "winrate"), ("privacy", "export"), ("segment", "export"), ("due",)}
    assert must <= set(covered)
    assert len(covered) > 60
    assert not problems, "\n".join(problems)
    assert seen == HOSTILE, f"never printed: {HOSTILE - seen}"


@pytest.mark.parametrize("fmt", ["plain", "table"])
def test_the_human_formats_of_every_command_are_inert(
    cli: Callable[..., Run], clones: Clones, tmp_path: Path, fmt: str
) -> None:
    problems: list[str] = []
    covered = 0
    for path, command in _commands():
        if not _offers(command, fmt):
            continue
        argv = [*_argv(path, command, tmp_path), "--format", fmt]
        run = cli(*argv, env={"MINICRM_DB": clones.new()})
        covered += 1
        if run.exit_code not in EXIT_OK.get(path, {0}):
            problems.append(f"{_label(argv)}: exit {run.exit_code}: {run.stderr.strip()[-300:]}")
            continue
        raw = RAW.search(run.stdout.replace("\n", "").replace("\t", ""))
        if raw:
            problems.append(f"{_label(argv)}: raw {raw.group(0)!r} in stdout")
        if not run.stdout.strip() and path[-1] in ("list", "show"):
            problems.append(f"{_label(argv)}: printed nothing")
    assert covered > 50
    assert not problems, "\n".join(problems)


# -- the regressions: the writers that called json.dumps themselves ----------------------------
EVIL = "Evil\u202eTitle"


@pytest.fixture
def evil(cli: Callable[..., Run]) -> None:
    for step in (
        ("contact", "add", "Ana", "--email", "ana@x.pt", "--tag", "vip"),
        ("deal", "add", EVIL, "--contact", "ana", "--value", "100"),
        ("deal", "add", "Other", "--contact", "ana", "--value", "5"),
        ("deal", "lost", "2", "--reason", EVIL),
        ("segment", "save", "vips", "--tag", "vip"),
    ):
        assert cli(*step).exit_code == 0, step


def _inert_json(text: str) -> Any:
    assert "\u202e" not in text
    assert "Evil\\u202eTitle" in text
    return json.loads(text)


def test_pipeline_json_escapes_a_bidi_deal_title(cli: Callable[..., Run], evil: None) -> None:
    for fmt in ("json", "jsonl"):
        run = cli("pipeline", "--format", fmt)
        assert run.exit_code == 0
        stages = _inert_json(run.stdout)["stages"] if fmt == "json" else _decode(run.stdout)
        assert "\u202e" not in run.stdout
        assert [d["title"] for s in stages for d in s["deals"]] == [EVIL]


def test_report_winrate_json_escapes_a_bidi_lost_reason(cli: Callable[..., Run], evil: None) -> None:
    run = cli("report", "winrate", "--json")
    assert run.exit_code == 0
    assert [r["reason"] for r in _inert_json(run.stdout)["lost_reasons"]] == [EVIL]
    line = cli("report", "winrate", "--format", "jsonl").stdout
    assert line.count("\n") == 1 and _inert_json(line) == run.json()


def test_privacy_export_escapes_a_bidi_title_on_stdout_and_in_the_file(
    cli: Callable[..., Run], evil: None, tmp_path: Path
) -> None:
    printed = cli("privacy", "export", "ana")
    assert printed.exit_code == 0
    assert [d["title"] for d in _inert_json(printed.stdout)["deals"]] == [EVIL, "Other"]
    target = tmp_path / "ana.json"
    written = cli("privacy", "export", "ana", "--out", str(target))
    assert (written.exit_code, written.stdout, written.stderr) == (0, "", f"wrote {target}\n")
    assert target.read_text(encoding="utf-8") == printed.stdout  # the same writer, byte for byte
    assert not (tmp_path / "ana.json.partial").exists()


def test_campaign_and_archive_files_are_inert_json_too(
    cli: Callable[..., Run], evil: None, tmp_path: Path
) -> None:
    deals = cli("export", "json", "--out", str(tmp_path / "all.json"))
    assert deals.exit_code == 0
    archive = _inert_json((tmp_path / "all.json").read_text(encoding="utf-8"))
    deal = archive["tables"]["deal"]
    assert [row[deal["columns"].index("title")] for row in deal["rows"]] == [EVIL, "Other"]
    cli("contact", "edit", "ana", "--name", EVIL)
    for argv in (("segment", "export", "vips", "--format", "json"), ("export", "json", "--segment", "vips")):
        target = tmp_path / "vips.json"
        assert cli(*argv, "--out", str(target)).exit_code == 0
        assert [c["name"] for c in _inert_json(target.read_text(encoding="utf-8"))] == [EVIL]
        assert _inert_json(cli(*argv).stdout) == json.loads(target.read_text(encoding="utf-8"))


def test_paths_printed_on_stdout_are_inert(cli: Callable[..., Run], tmp_path: Path) -> None:
    weird = tmp_path / "crm\x1b]0;PWNED\x07\u202e.db"
    shown = str(weird).replace("\x1b", "\\x1b").replace("\x07", "\\x07").replace("\u202e", "\\u202e")
    created = cli("--db", str(weird), "init")
    assert (created.exit_code, created.stderr) == (0, f"created: {shown} (schema {_head()})\n")
    assert cli("--db", str(weird), "db", "path").stdout == shown + "\n"
    copy = tmp_path / "copy\x1b[2J.db"
    backed_up = cli("--db", str(weird), "backup", str(copy))
    assert (backed_up.exit_code, backed_up.stdout) == (0, str(copy).replace("\x1b", "\\x1b") + "\n")


def _head() -> str:
    from minicrm.store.schema import HEAD

    return HEAD


def test_a_required_parameter_nobody_fills_fails_the_walk(tmp_path: Path) -> None:
    from types import SimpleNamespace

    param = SimpleNamespace(param_type_name="argument", required=True, name="frobnicate", opts=[],
                            secondary_opts=[])  # fmt: skip
    with pytest.raises(pytest.fail.Exception, match="'frobnicate' that this test cannot fill"):
        _argv(("new", "command"), SimpleNamespace(params=[param]), tmp_path)


def test_pictured_stands_in_for_each_unsafe_character_one_for_one() -> None:
    from minicrm.core.text import pictured

    assert pictured("\x1b]0;PWNED\x07 Eve\u202e") == "␛]0;PWNED␇ Eve\ufffd"
    assert pictured("plain [b]text[/b]") == "plain [b]text[/b]"
    value = "a\x1b[2Jb\x7f\ttab"
    assert len(pictured(value)) == len(value)
