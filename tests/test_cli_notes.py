"""note add, log call|email|meeting and timeline through the CLI (and $EDITOR through a pty)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_note_add_with_text_prints_and_stores_it(cli, reopen) -> None:
    cli("contact", "add", "Ana Lima")
    result = cli("note", "add", "ana", "wants 20 seats")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "ID:      1\nKind:    note\nWhen:    2026-11-23 10:00\nContact: Ana Lima\nText:    wants 20 seats\n"
    )
    with reopen() as c:
        row = c.db.one("SELECT kind, body, contact_id FROM interaction WHERE id = 1")
        assert (row["kind"], row["body"], row["contact_id"]) == ("note", "wants 20 seats", 1)
        assert (
            c.db.scalar("SELECT last_interaction_at FROM contact WHERE id = 1")
            == "2026-11-23T10:00:00.000000Z"
        )


def test_note_add_dash_reads_stdin_keeping_lines(cli) -> None:
    cli("contact", "add", "Ana")
    result = cli("note", "add", "ana", "-", "--json", input="line one\nline two\n")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    for key in ("id", "kind", "body", "at", "contact_id", "company_id", "deal_id", "author"):
        assert key in data, key
    assert (data["kind"], data["body"], data["contact_id"]) == ("note", "line one\nline two", 1)


def test_empty_note_is_refused(cli, dump) -> None:
    cli("contact", "add", "Ana")
    before = dump()
    result = cli("note", "add", "ana", "-", input="\n\n")
    assert (result.exit_code, result.stderr) == (1, "error: the note is empty\n")
    assert dump() == before


def test_note_without_text_and_without_terminal_is_an_error(cli) -> None:
    cli("contact", "add", "Ana")
    result = cli("note", "add", "ana")
    assert result.exit_code == 1
    assert (
        result.stderr == "error: no text given and no terminal for an editor: pass TEXT, or - to read stdin\n"
    )


def _run_on_a_terminal(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``python -m minicrm ARGS`` with a pseudo-terminal as stdin (as when a person types it)."""
    leader, follower = pty.openpty()
    try:
        return subprocess.run(
            [sys.executable, "-m", "minicrm", *args],
            stdin=follower,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src"), **env},
            timeout=60,
        )
    finally:
        os.close(follower)
        os.close(leader)


def _editor(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "fake-editor"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return script


def test_note_without_text_opens_the_editor(cli, tmp_path) -> None:
    cli("contact", "add", "Ana")
    editor = _editor(
        tmp_path, 'test "$1" = --wait || exit 9\nprintf "typed in the editor\\nsecond line\\n" > "$2"'
    )
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    proc = _run_on_a_terminal(
        ["note", "add", "ana", "--json"], {"EDITOR": f"{editor} --wait", "TMPDIR": str(scratch)}
    )
    assert proc.returncode == 0, proc.stderr
    assert '"body": "typed in the editor\\nsecond line"' in proc.stdout
    assert list(scratch.iterdir()) == []  # the temporary file is removed


def test_a_failing_or_empty_editor_stores_nothing(cli, tmp_path, dump) -> None:
    cli("contact", "add", "Ana")
    before = dump()
    failing = _editor(tmp_path, "exit 1")
    proc = _run_on_a_terminal(["note", "add", "ana"], {"EDITOR": str(failing)})
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"error: the editor '{failing}' failed") and proc.stderr.count("\n") == 1
    empty = _editor(tmp_path, "true")
    proc = _run_on_a_terminal(["note", "add", "ana"], {"VISUAL": str(empty)})
    assert (proc.returncode, proc.stderr) == (1, "error: the note is empty\n")
    assert dump() == before


def test_log_call_email_meeting_with_at(cli, reopen) -> None:
    cli("contact", "add", "Ana")
    call = cli("log", "call", "ana", "talked prices", "--at", "yesterday 15:00", "--json").json()
    assert (call["kind"], call["body"], call["at"]) == ("call", "talked prices", "2026-11-22T15:00:00+00:00")
    email = cli("log", "email", "ana", "--at", "2026-11-20", "--json").json()
    assert (email["kind"], email["at"]) == ("email", "2026-11-20T00:00:00+00:00")
    meeting = cli("log", "meeting", "ana", "demo")
    assert meeting.exit_code == 0 and "Kind:    meeting\n" in meeting.stdout
    with reopen() as c:
        # the newest interaction wins, whatever order they were logged in
        assert c.db.scalar("SELECT last_interaction_at FROM contact") == "2026-11-23T10:00:00.000000Z"
        assert c.db.scalar("SELECT count(*) FROM interaction") == 3


def test_log_needs_someone(cli) -> None:
    result = cli("log", "call")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: say who this is about: a contact, --company or --deal\n",
    )


def test_timeline_newest_first_with_kinds_and_limit(cli) -> None:
    cli("contact", "add", "Ana")
    cli("contact", "add", "Bruno")
    cli("log", "call", "ana", "first", "--at", "2026-11-01 09:00")
    cli("note", "add", "ana", "second")
    cli("log", "meeting", "ana", "third", "--at", "2026-11-10 14:00")
    cli("note", "add", "bruno", "not ana's")
    assert cli("timeline", "ana").stdout == (
        "2026-11-23 10:00\tnote\tsecond\tAna\t\n"
        "2026-11-10 14:00\tmeeting\tthird\tAna\t\n"
        "2026-11-01 09:00\tcall\tfirst\tAna\t\n"
    )
    assert [i["body"] for i in cli("timeline", "ana", "--kind", "call", "--json").json()] == ["first"]
    assert [i["body"] for i in cli("timeline", "ana", "--limit", "1", "--json").json()] == ["second"]
    assert cli("timeline", "bruno", "--format", "jsonl").stdout.count("\n") == 1


def test_timeline_of_nobody_is_empty_output(cli) -> None:
    cli("contact", "add", "Ana")
    result = cli("timeline", "ana")
    assert (result.exit_code, result.stdout) == (0, "")
