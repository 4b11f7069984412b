"""Hostile input: names with markup, escape sequences, bidi overrides, NUL bytes and 100k
characters are stored exactly and shown inertly; random commands never produce a traceback,
always exit 0-3, and leave a database that passes its integrity check."""

from __future__ import annotations

import json
import os
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HOSTILE = [
    "[bold red]Boss[/bold red] [link=http://evil.example]x[/link]",
    "\x1b[31mRed\x1b[0m \x1b[2J\x1b[H",
    "\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\",
    "\x1b]0;pwned title\x07Ana",
    "Ana \u202eetis.live\u202c Lima",
    "\u2066isolated\u2069 \u200fRTL mark",
    "carriage\rreturn and\tTab",
    "C1 \x9b31m control",
    "Zoë 🦊 ﷽ 𝕏",
]
#: what must never reach a terminal raw from any output format
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(text: str) -> str:
    """Output with the newlines and tabs that structure it removed."""
    return text.replace("\n", "").replace("\t", "")


@pytest.mark.parametrize("name", HOSTILE, ids=range(len(HOSTILE)))
def test_a_hostile_name_is_stored_exactly_and_printed_inertly(fast_cli: Any, ctx: Any, name: str) -> None:
    added = fast_cli("contact", "add", name, "--title", name, "--field", f"note={name}", "--json")
    assert added.exit_code == 0, added.stderr
    assert not RAW.search(_visible(added.stdout))
    assert json.loads(added.stdout)["name"] == name
    assert ctx.db.scalar("SELECT name FROM contact WHERE id = 1") == name
    for fmt in ("table", "plain", "json", "jsonl", "csv"):
        listed = fast_cli("contact", "list", "--format", fmt)
        assert listed.exit_code == 0
        if fmt != "csv":  # csv is data for spreadsheets, quoted; everything else is for eyes too
            assert not RAW.search(_visible(listed.stdout)), fmt
        shown = fast_cli("contact", "show", "1", "--format", fmt)
        assert shown.exit_code == 0
        if fmt != "csv":
            assert not RAW.search(_visible(shown.stdout)), fmt
    assert json.loads(fast_cli("contact", "list", "--json").stdout)[0]["name"] == name
    assert json.loads(fast_cli("contact", "show", "1", "--json").stdout)["fields"] == {"note": name}
    history = fast_cli("contact", "history", "1", "--format", "plain")
    assert not RAW.search(_visible(history.stdout))


def test_markup_is_text_and_escapes_are_shown_as_escapes(fast_cli: Any) -> None:
    fast_cli("contact", "add", HOSTILE[0])
    fast_cli("contact", "add", HOSTILE[4])
    table = fast_cli("contact", "list", "--format", "table").stdout
    assert "[bold red]Boss[/bold red]" in table
    plain = fast_cli("contact", "list", "--format", "plain").stdout
    assert "Ana \\u202eetis.live\\u202c Lima" in plain
    raw_json = fast_cli("contact", "list", "--json").stdout
    assert "\\u202e" in raw_json and "\u202e" not in raw_json


def test_a_nul_byte_is_refused_with_a_clear_error_and_nothing_is_stored(fast_cli: Any, ctx: Any) -> None:
    result = fast_cli("contact", "add", "Ana\x00Lima")
    assert result.exit_code == 1
    assert result.stderr == "error: name cannot contain a NUL byte\n"
    assert ctx.db.scalar("SELECT count(*) FROM contact") == 0


def test_the_longest_name_is_stored_and_printed_whole(fast_cli: Any, ctx: Any) -> None:
    name = "Ana-\x1b[1m" + "x" * 491 + "\u202e"
    assert len(name) == 500  # the limit (a longer one: test_input_and_setup_checks)
    added = fast_cli("contact", "add", name, "--json")
    assert added.exit_code == 0, added.stderr
    assert ctx.db.scalar("SELECT name FROM contact WHERE id = 1") == name
    assert json.loads(fast_cli("contact", "show", "1", "--json").stdout)["name"] == name
    plain = fast_cli("contact", "list", "--format", "plain").stdout
    assert plain.split("\t")[1] == name.replace("\x1b", "\\x1b").replace("\u202e", "\\u202e")
    assert [r["id"] for r in json.loads(fast_cli("search", "xxxxxxxx", "--json").stdout)] == [1]


# -- property-based: random commands ----------------------------------------------------------
_text = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.sampled_from(HOSTILE),
    st.sampled_from(
        [
            "",
            " ",
            "-",
            "--",
            "--help",
            "1",
            "0",
            "-1",
            "99999999999999999999",
            "%",
            "_",
            "'",
            '"',
            "ana",
            "a@b.pt",
            "NEAR(",
            '""',
            "*",
            "AND",
            "x" * 3000,
        ]
    ),
)
_date = st.one_of(
    _text,
    st.sampled_from(
        [
            "today",
            "tomorrow 9am",
            "next friday",
            "in 3 days",
            "end of month",
            "2026-12-01",
            "2026-02-30",
            "2026-12-01 25:61",
            "0000-01-01",
            "9999-12-31",
            "yesterday",
            "1970-01-01",
            "in 10000 years",
            "-1d",
        ]
    ),
)
_duration = st.one_of(
    _text, st.sampled_from(["3d", "2w", "6m", "1y", "90m", "4h", "0d", "-3d", "10000000y", "d"])
)
_amount = st.one_of(
    _text, st.sampled_from(["1,000.50", "-5", "1e308", "NaN", "inf", "0.001", "€12", "12 EUR"])
)
_ref = st.one_of(_text, st.integers(-3, 12).map(str))
_fmt = st.sampled_from(["table", "plain", "json", "jsonl", "csv", "xml"])


def _opts(**options: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    pairs = [st.tuples(st.just(flag), value) for flag, value in options.items()]
    if not pairs:
        return st.just([])
    return st.lists(st.one_of(*pairs), max_size=4).map(lambda items: [x for pair in items for x in pair])


def _cmd(
    *head: str | st.SearchStrategy[str], **options: st.SearchStrategy[str]
) -> st.SearchStrategy[list[str]]:
    parts = [st.just(h) if isinstance(h, str) else h for h in head]
    return st.tuples(st.tuples(*parts), _opts(**options)).map(lambda t: [*t[0], *t[1]])


_COMMANDS = st.one_of(
    _cmd(
        "contact",
        "add",
        _text,
        **{
            "--email": _text,
            "--phone": _text,
            "--tag": _text,
            "--every": _duration,
            "--field": _text,
            "--company": _text,
            "--status": _text,
            "--format": _fmt,
        },
    ),
    _cmd(
        "contact",
        "list",
        **{
            "--search": _text,
            "--sort": _text,
            "--limit": _ref,
            "--stale": _duration,
            "--tag": _text,
            "--company": _text,
            "--format": _fmt,
        },
    ),
    _cmd("contact", "show", _ref, **{"--format": _fmt}),
    _cmd(
        "contact",
        "edit",
        _ref,
        **{
            "--name": _text,
            "--clear": _text,
            "--add-tag": _text,
            "--email": _text,
            "--every": _duration,
            "--field": _text,
            "--channel": _text,
        },
    ),
    _cmd("contact", "rm", _ref, "--yes"),
    _cmd("contact", "history", _ref, **{"--format": _fmt}),
    _cmd("company", "add", _text, **{"--domain": _text, "--tag": _text}),
    _cmd("company", "edit", _ref, **{"--name": _text, "--clear": _text}),
    _cmd("company", "history", _ref),
    _cmd("note", "add", _ref, _text),
    _cmd("log", "call", _ref, _text, **{"--at": _date}),
    _cmd("followup", "add", _ref, _text, **{"--due": _date, "--every": _duration}),
    _cmd("followup", "snooze", _ref, **{"--until": _date}),
    _cmd("followup", "done", _ref),
    _cmd("followup", "list", **{"--format": _fmt}),
    _cmd("due", **{"--within": _duration, "--format": _fmt}),
    _cmd("search", _text, **{"--type": _text, "--limit": _ref}),
    _cmd("timeline", _ref),
    _cmd("deal", "add", _text, **{"--value": _amount, "--close": _date}),
    _cmd("undo", "--yes"),
    _cmd("undo", _ref, "--yes"),
    _cmd("undo", "--list", **{"--limit": _ref}),
    st.lists(
        st.one_of(_text, st.sampled_from(["contact", "add", "list", "--json", "--yes", "-f", "undo"])),
        max_size=6,
    ),
)

EXAMPLES = int(os.environ.get("MINICRM_HYPOTHESIS_EXAMPLES", "150"))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@pytest.mark.sqlite_only  # PRAGMA integrity_check
@given(argv=_COMMANDS)
def test_random_commands_never_crash_and_keep_the_database_sound(
    fast_cli: Any, ctx: Any, argv: list[str]
) -> None:
    result = fast_cli(*argv)  # an exception other than SystemExit fails the test with its traceback
    assert result.exit_code in (0, 1, 2, 3), (argv, result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    if result.exit_code == 1:
        assert result.stderr.startswith("error: ") or "error: " in result.stderr, (argv, result.stderr)
    assert ctx.db.scalar("PRAGMA integrity_check") == "ok"
    assert ctx.db.all("PRAGMA foreign_key_check") == []


def test_an_id_beyond_64_bits_is_a_clear_error_not_a_traceback(fast_cli: Any) -> None:
    result = fast_cli("contact", "rm", "9223372036854775808", "--yes")
    assert result.exit_code == 1
    assert result.stderr == "error: a number is too large (at most 9223372036854775807)\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["due", "--within", "10000000y"], "error: invalid duration '10000000y': at most 100 years\n"),
        (
            ["contact", "add", "X", "--every", "100000000000y"],
            "error: invalid duration '100000000000y': at most 100 years\n",
        ),
        (
            ["contact", "list", "--stale", "99999999m"],
            "error: invalid duration '99999999m': at most 100 years\n",
        ),
        (
            ["followup", "add", "1", "t", "--due", "in 10000 years"],
            "error: the date 'in 10000 years' is out of range\n",
        ),
    ],
)
def test_dates_and_durations_beyond_the_calendar_are_errors(
    fast_cli: Any, argv: list[str], message: str
) -> None:
    fast_cli("contact", "add", "Ana")
    result = fast_cli(*argv)
    assert (result.exit_code, result.stderr) == (1, message)
