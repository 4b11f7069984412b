"""The TUI refuses without a terminal, an unknown ``--owner`` on a read is an error, ``doctor``
checks every config value, and text has length limits (issue 17, item 7)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

TUI_REFUSAL = (
    "error: the TUI needs a terminal, and {} is not one; in scripts use the commands "
    "(minicrm due, minicrm contact list, …)\n"
)


def test_tui_without_a_terminal_refuses_at_once(sh) -> None:
    for args in (("tui",), ("tui", "--screen", "contacts")):
        run = sh(*args, input="", timeout=20)  # stdin and stdout are pipes: </dev/null in a script
        assert (run.exit_code, run.stdout, run.stderr) == (1, "", TUI_REFUSAL.format("stdin"))


def test_tui_with_a_terminal_for_input_but_a_pipe_for_output_refuses(isolated_env) -> None:
    primary, secondary = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "minicrm", "tui"],
            stdin=secondary,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            timeout=20,
        )
    finally:
        os.close(primary)
        os.close(secondary)
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", TUI_REFUSAL.format("stdout"))


READS_WITH_OWNER = [
    ("contact", "list"),
    ("company", "list"),
    ("deal", "list"),
    ("followup", "list"),
    ("due",),
    ("next",),
    ("pipeline",),
    ("report", "pipeline"),
    ("report", "winrate"),
    ("report", "cadence"),
]


@pytest.mark.parametrize("command", READS_WITH_OWNER, ids=" ".join)
def test_an_unknown_owner_on_a_read_is_an_error(cli, command, monkeypatch) -> None:
    assert cli("user", "add", "ana").exit_code == 0
    monkeypatch.setenv("MINICRM_USER", "ana")
    run = cli(*command, "--owner", "bruno")
    assert (run.exit_code, run.stdout) == (1, "")
    assert run.stderr == "error: unknown user 'bruno' (users: ana); add it with: minicrm user add bruno\n"
    assert cli(*command, "--owner", "ana").exit_code == 0


def test_a_segment_of_an_unknown_owner_is_refused(cli, monkeypatch) -> None:
    cli("user", "add", "ana")
    monkeypatch.setenv("MINICRM_USER", "ana")
    run = cli("segment", "save", "theirs", "--owner", "bruno")
    assert run.exit_code == 1 and "unknown user 'bruno'" in run.stderr
    assert cli("segment", "list", "--json").json() == []


def test_doctor_checks_every_config_value(cli, tmp_path, monkeypatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'currency = "XYZ"\ntimezone = "Mars/Olympus"\nregion = "ZZ"\nbackups_keep = 0\n'
        '[[pipelines]]\nname = "default"\n'
        'stages = [{ name = "lead", probability = 150 },\n'
        '  { name = "won-ish", probability = 50, idle_days = 0 }]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("MINICRM_CONFIG", str(config))
    assert cli("init").exit_code == 0
    run = cli("doctor")
    assert run.exit_code == 1
    lines = [line for line in run.stdout.splitlines() if line.startswith("config: ")]
    assert lines == [
        f"config: currency = 'XYZ' in {config} is no ISO 4217 currency — fix: set currency to a code "
        "such as EUR, USD, GBP or JPY",
        f"config: timezone = 'Mars/Olympus' in {config} is no time zone (the system's is used instead) "
        "— fix: set timezone to an IANA name such as Europe/Lisbon or America/New_York",
        f"config: region = 'ZZ' in {config} is no country code — fix: set region to a two-letter ISO "
        "3166 code such as PT, DE, GB or US",
        f"config: stage 'lead' of pipeline 'default' in {config} has probability 150 — fix: set a "
        "probability from 0 to 100",
        f"config: stage 'won-ish' of pipeline 'default' in {config} has idle_days = 0 — fix: set "
        "idle_days to a whole number of days, 1 or more",
        f"config: backups_keep = 0 in {config} keeps no backups — fix: set backups_keep to 1 or more",
    ]


def test_doctor_accepts_a_good_config(cli, tmp_path, monkeypatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'currency = "JPY"\ntimezone = "Asia/Tokyo"\nregion = "JP"\nowner = "ana"\n', encoding="utf-8"
    )
    monkeypatch.setenv("MINICRM_CONFIG", str(config))
    assert cli("init").exit_code == 0
    assert [line for line in cli("doctor").stdout.splitlines() if line.startswith("config: ")] == []


def test_length_limits(cli) -> None:
    assert cli("contact", "add", "Ana Lima").exit_code == 0
    cases = [
        (("contact", "add", "a" * 100_000), "error: name is too long: 100,000 characters (at most 500)\n"),
        (
            ("contact", "edit", "Ana Lima", "--title", "t" * 501),
            "error: the text is too long: 501 characters (at most 500)\n",
        ),
        (("company", "add", "c" * 501), "error: company name is too long: 501 characters (at most 500)\n"),
        (("deal", "add", "d" * 600), "error: deal title is too long: 600 characters (at most 500)\n"),
        (
            ("followup", "add", "Ana Lima", "f" * 501, "--due", "today"),
            "error: follow-up text is too long: 501 characters (at most 500)\n",
        ),
        (
            ("contact", "add", "Bo", "--tag", "t" * 101),
            "error: a tag is too long: 101 characters (at most 100)\n",
        ),
        (
            ("contact", "add", "Bo", "--field", "k=" + "v" * 10_001),
            "error: custom field 'k' is too long: 10,001 characters (at most 10,000)\n",
        ),
    ]
    for args, message in cases:
        run = cli(*args)
        assert (run.exit_code, run.stdout, run.stderr) == (1, "", message), args[:2]
    big = "x" * (5 * 1024 * 1024)
    run = cli("note", "add", "Ana Lima", "-", input=big)
    assert (run.exit_code, run.stderr) == (
        1,
        "error: the note is too long: 5,242,880 characters (at most 100,000)\n",
    )
    run = cli("log", "call", "Ana Lima", "s" * 100_001)
    assert run.stderr == "error: the summary is too long: 100,001 characters (at most 100,000)\n"
    assert [c["name"] for c in cli("contact", "list", "--json").json()] == ["Ana Lima"]
    assert cli("timeline", "Ana Lima", "--json").json() == []


def test_the_longest_allowed_text_is_kept_whole(cli) -> None:
    name = "n" * 500
    assert cli("contact", "add", name).exit_code == 0
    note = "word " * 20_000  # 100,000 characters
    assert cli("note", "add", name, "-", input=note.strip()).exit_code == 0
    assert cli("timeline", name, "--json").json()[0]["body"] == note.strip()


def test_contact_show_shortens_long_notes(cli, monkeypatch) -> None:
    cli("contact", "add", "Ana Lima")
    body = " ".join(f"word{i}" for i in range(2000))
    cli("note", "add", "Ana Lima", body)
    shown = cli("contact", "show", "Ana Lima", "--format", "plain").stdout
    line = next(line for line in shown.splitlines() if "\tnote\t" in line)
    text = line.split("\t")[2]
    assert text.startswith("word0 word1 ") and len(text) < 340
    assert text.endswith(f" … (+{len(body) - len(text.split(' …')[0]):,} characters)")
    assert cli("contact", "show", "Ana Lima", "--json").json()["timeline"][0]["body"] == body
    assert body in cli("timeline", "Ana Lima", "--format", "plain").stdout
