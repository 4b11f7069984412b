"""``--header`` starts a plain report with a line of its column names (issue 17, item 10); the
fast path and Typer print the same."""

from __future__ import annotations

import pytest


@pytest.fixture
def deals(cli) -> None:
    cli("contact", "add", "Ana Lima", "--every", "30d")
    cli("deal", "add", "Audit", "--contact", "Ana Lima", "--value", "1000", "--close", "2026-12-15")


@pytest.mark.parametrize(
    ("report", "header"),
    [
        ("pipeline", "Stage\tDeals\tValue\tWeighted\tAge (d)\tStale"),
        ("forecast", "Month\tDeals\tWeighted\tBest case"),
        ("conversion", "Stage\tEntered\tMoved on\tConversion\tAvg days in stage"),
        ("cadence", "Source\tEvery\tContacts\tIn touch\tDue\tLapsed\tIn touch %"),
    ],
)
def test_plain_reports_take_a_header(cli, sh, deals, report, header) -> None:
    plain = cli("report", report, "--format", "plain").stdout.splitlines()
    with_header = cli("report", report, "--format", "plain", "--header").stdout.splitlines()
    assert with_header == [header, *plain]
    assert sh("report", report, "--format", "plain", "--header").stdout.splitlines() == with_header


def test_header_leaves_other_formats_alone(cli, deals) -> None:
    assert (
        cli("report", "pipeline", "--json", "--header").json() == cli("report", "pipeline", "--json").json()
    )
