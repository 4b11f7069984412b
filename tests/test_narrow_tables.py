"""Tables on 80- and 60-column terminals keep each record's id and its name or text whole
(wrapped if need be) and drop the least important columns instead (issue 17, item 1)."""

from __future__ import annotations

import pytest


@pytest.fixture
def records(cli) -> None:
    cli(
        "contact",
        "add",
        "Søren Kierkegaard",
        "--email",
        "soren@example.dk",
        "--phone",
        "+45 12 34 56 78",
        "--company",
        "Kierkegaard Philosophy ApS",
        "--tag",
        "vip",
        "--tag",
        "philosopher",
    )
    cli("contact", "add", "Ana Lima", "--email", "ana.lima@lima-consulting.pt", "--company", "Lima Lda")
    assert (
        cli(
            "deal",
            "add",
            "Website redesign for the whole group",
            "--contact",
            "Ana Lima",
            "--value",
            "12500",
            "--close",
            "2026-12-20",
        ).exit_code
        == 0
    )
    assert (
        cli(
            "followup",
            "add",
            "Ana Lima",
            "send the quote with the revised numbers",
            "--due",
            "tomorrow",
            "--every",
            "2w",
        ).exit_code
        == 0
    )


def _table(cli, monkeypatch, width: int, *args: str) -> list[str]:
    monkeypatch.setenv("COLUMNS", str(width))
    run = cli(*args, "--format", "table")
    assert run.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert max(len(line) for line in lines) <= width
    return lines


def _column(lines: list[str], header: str) -> str:
    """The text of one column of a table (its wrapped lines joined), read by position."""
    import re

    starts = [m.start() for m in re.finditer(r"\S+", lines[0])]
    start = lines[0].index(header)
    end = next((s for s in starts if s > start), None)
    return " ".join(" ".join(line[start:end] for line in lines[2:]).split())


@pytest.mark.parametrize("width", [80, 60])
def test_followup_list_keeps_id_and_text(cli, monkeypatch, records, width) -> None:
    lines = _table(cli, monkeypatch, width, "followup", "list")
    assert lines[0].split()[:3] == ["ID", "Due", "What"]
    assert lines[2].startswith("1 ")
    assert _column(lines, "What") == "send the quote with the revised numbers"


@pytest.mark.parametrize("width", [80, 60])
def test_deal_list_keeps_id_title_and_value(cli, monkeypatch, records, width) -> None:
    lines = _table(cli, monkeypatch, width, "deal", "list")
    assert lines[0].split()[:2] == ["ID", "Title"]
    assert "…" not in "".join(lines)
    assert lines[2].startswith("1 ")
    assert _column(lines, "Title") == "Website redesign for the whole group"
    assert "12,500.00 EUR" in lines[2]
    if width == 60:  # the least important go first: owner, probability, close date
        assert "Prob" not in lines[0] and "Owner" not in lines[0]


@pytest.mark.parametrize("width", [80, 60])
def test_contact_list_keeps_id_and_name(cli, monkeypatch, records, width) -> None:
    lines = _table(cli, monkeypatch, width, "contact", "list")
    assert lines[0].split()[:3] == ["ID", "Name", "Email"]
    rows = {line.split()[0]: line for line in lines[2:]}
    assert "Søren Kierkegaard" in rows["1"] and "soren@example.dk" in rows["1"]
    assert "Ana Lima" in rows["2"] and "ana.lima@lima-consulting.pt" in rows["2"]


def test_wide_terminal_shows_every_column(cli, monkeypatch, records) -> None:
    lines = _table(cli, monkeypatch, 160, "deal", "list")
    assert lines[0].split() == ["ID", "Title", "Stage", "Value", "Prob", "Close", "Contact", "Owner", "State"]


def test_fit_columns_drops_least_important_first() -> None:
    from minicrm.cli.output import Column, fit_columns

    columns = [
        Column("ID", str, keep=True),
        Column("Text", str, wrap=True, keep=True),
        Column("A", str, rank=1),
        Column("B", str, rank=2),
    ]
    cells = [["12345", "x" * 50, "a" * 20, "b" * 20]]
    assert [i for i, _ in fit_columns(columns, cells, 200)] == [0, 1, 2, 3]
    assert [i for i, _ in fit_columns(columns, cells, 70)] == [0, 1, 2]
    assert [i for i, _ in fit_columns(columns, cells, 40)] == [0, 1]
    shown = dict(fit_columns(columns, cells, 20))  # narrower than comfortable: the text narrows
    assert shown[0] == 5 and shown[1] == 12
