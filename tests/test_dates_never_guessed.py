"""An impossible date is an error, never swapped; a date in numbers follows the configured
region's day/month order or is refused as ambiguous, on every command and in imports (issue 17,
item 2)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from minicrm.core.clock import Clock
from minicrm.core.dates import parse_date, parse_when
from minicrm.core.errors import InvalidInput


def _clock(region: str | None) -> Clock:
    return Clock(fixed=datetime(2026, 11, 23, 10, tzinfo=UTC), tz=ZoneInfo("Europe/Lisbon"), region=region)


def _region(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, region: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'region = "{region}"\n')
    monkeypatch.setenv("MINICRM_CONFIG", str(config))


@pytest.mark.parametrize(
    "text", ["2026-13-01", "2026-02-30", "2026-13-01 10:00", "2026/13/01", "2026-12-01 25:00"]
)
def test_an_impossible_iso_date_is_an_error(text: str) -> None:
    with pytest.raises(InvalidInput, match="invalid"):
        parse_when(text, _clock("PT"))


@pytest.mark.parametrize(
    ("region", "text", "expected"),
    [
        ("PT", "01/02/2027", date(2027, 2, 1)),
        ("DE", "1.2.2027", date(2027, 2, 1)),
        ("GB", "13/02/2027", date(2027, 2, 13)),
        ("US", "01/02/2027", date(2027, 1, 2)),
        ("US", "02/13/2027", date(2027, 2, 13)),
        (None, "13/02/2027", date(2027, 2, 13)),  # one reading only
        (None, "05/05/2027", date(2027, 5, 5)),
        ("PT", "1/2", date(2027, 2, 1)),  # no year: the next 1 February
        ("PT", "24/11", date(2026, 11, 24)),
    ],
)
def test_a_numeric_date_follows_the_region(region: str | None, text: str, expected: date) -> None:
    clock = _clock(region)
    assert parse_when(text, clock).local_date(clock) == expected


@pytest.mark.parametrize(("region", "text"), [(None, "01/02/2027"), ("CA", "01/02/2027"), (None, "3/4")])
def test_a_numeric_date_without_an_order_is_ambiguous(region: str | None, text: str) -> None:
    with pytest.raises(InvalidInput, match="ambiguous date"):
        parse_when(text, _clock(region))


@pytest.mark.parametrize(
    ("region", "text"), [("US", "13/02/2027"), ("PT", "02/13/2027"), ("PT", "31/02/2027")]
)
def test_a_numeric_date_impossible_in_the_regions_order_is_an_error(region: str, text: str) -> None:
    with pytest.raises(InvalidInput, match="invalid date"):
        parse_when(text, _clock(region))


def test_digits_that_are_no_date_are_not_handed_to_a_guesser() -> None:
    with pytest.raises(InvalidInput, match="cannot understand"):
        parse_when("1-2-3-4", _clock("PT"))


def test_parse_date_for_files() -> None:
    assert parse_date("2027-02-01", None) == date(2027, 2, 1)
    assert parse_date("2027-02-01T00:00:00Z", None) == date(2027, 2, 1)
    assert parse_date("01/02/2027", "PT") == date(2027, 2, 1)
    assert parse_date("01/02/2027", "US") == date(2027, 1, 2)
    for bad, region in (("2026-13-01", "PT"), ("01/02/2027", None), ("soon", "PT")):
        with pytest.raises(InvalidInput):
            parse_date(bad, region)


def test_followup_deal_and_log_refuse_an_impossible_date(cli, dump) -> None:
    cli("contact", "add", "Ana Lima")
    cli("deal", "add", "Audit", "--contact", "Ana Lima")
    before = dump()
    for args in (
        ("followup", "add", "Ana Lima", "x", "--due", "2026-13-01"),
        ("deal", "add", "Other", "--close", "2026-13-01"),
        ("deal", "edit", "1", "--close", "2026-13-01"),
        ("log", "call", "Ana Lima", "rang", "--at", "2026-13-01"),
    ):
        run = cli(*args)
        assert (run.exit_code, run.stdout) == (1, ""), args
        assert run.stderr == "error: invalid date '2026-13-01': month must be in 1..12\n"
    assert dump() == before


def test_followup_due_follows_the_configured_region(cli, tmp_path, monkeypatch) -> None:
    cli("contact", "add", "Ana Lima")
    run = cli("followup", "add", "Ana Lima", "x", "--due", "01/02/2027")
    assert run.exit_code == 1
    assert run.stderr.startswith("error: ambiguous date '01/02/2027': day/month or month/day?")
    _region(tmp_path, monkeypatch, "PT")
    assert (
        cli("followup", "add", "Ana Lima", "x", "--due", "01/02/2027", "--json")
        .json()["due"]
        .startswith("2027-02-01")
    )
    _region(tmp_path, monkeypatch, "US")
    assert (
        cli("followup", "add", "Ana Lima", "y", "--due", "01/02/2027", "--json")
        .json()["due"]
        .startswith("2027-01-02")
    )


def test_csv_import_reads_dates_in_the_regions_order(cli, tmp_path, monkeypatch) -> None:
    _region(tmp_path, monkeypatch, "PT")
    path = tmp_path / "deals.csv"
    path.write_text(
        "title,value,close date\nAudit,100,01/02/2027\nBad,100,2026-13-01\nIso,100,2027-03-04\n",
        encoding="utf-8",
    )
    rejects = tmp_path / "rejects.csv"
    run = cli("import", "csv", str(path), "--type", "deals", "--rejects", str(rejects))
    assert run.exit_code == 0, run.stderr
    deals = {d["title"]: d["close_date"] for d in cli("deal", "list", "--json").json()}
    assert deals == {"Audit": "2027-02-01", "Iso": "2027-03-04"}
    reasons = [r[-1] for r in csv.reader(io.StringIO(rejects.read_text(encoding="utf-8")))][1:]
    assert reasons == ["invalid date '2026-13-01': month must be in 1..12"]


def test_csv_import_birthdays_follow_the_region(cli, tmp_path, monkeypatch) -> None:
    _region(tmp_path, monkeypatch, "US")
    path = tmp_path / "people.csv"
    path.write_text("name,birthday\nAna,03/04/1990\nBruno,--05-06\n", encoding="utf-8")
    assert cli("import", "csv", str(path)).exit_code == 0
    people = {c["name"]: c for c in cli("contact", "list", "--json").json()}
    assert people["Ana"]["fields"].get("birthday", people["Ana"].get("birthday")) == "1990-03-04"


def test_csv_birthdays_and_anniversaries_follow_the_region_and_bad_ones_are_rejected_by_row(
    cli, tmp_path, monkeypatch
) -> None:
    _region(tmp_path, monkeypatch, "PT")
    path = tmp_path / "people.csv"
    path.write_text(
        "name,birthday,anniversary\n"
        "Ana,01/02/1990,01/02/2000\n"  # PT: 1 February
        "Bruno,0/0/00,\n"  # Outlook's "no birthday"
        "Carla,31/02/1990,\n"
        "Dora,circa 1800,--06-12\n"
        "Eva,1990-13-01,\n",
        encoding="utf-8",
    )
    rejects = tmp_path / "rejects.csv"
    run = cli("import", "csv", str(path), "--rejects", str(rejects))
    assert run.exit_code == 0, run.stderr
    assert run.stderr.splitlines() == [
        "line 4: rejected: invalid date '31/02/1990': day is out of range for month (Carla)",
        "line 6: rejected: invalid date '1990-13-01': month must be in 1..12 (Eva)",
        f"3 created, 0 updated, 0 skipped, 2 rejected; rejected rows written to {rejects}",
    ]
    people = {c["name"]: c["fields"] for c in cli("contact", "list", "--json").json()}
    assert people == {
        "Ana": {"birthday": "1990-02-01", "anniversary": "2000-02-01"},
        "Bruno": {},
        "Dora": {"birthday": "circa 1800", "anniversary": "--06-12"},
    }
    vdir = tmp_path / "vdir"
    assert cli("export", "vcard", "--out", str(vdir)).exit_code == 0
    cards = "".join(p.read_bytes().decode() for p in sorted(vdir.iterdir()))
    assert "\r\nBDAY:19900201\r\n" in cards and "\r\nANNIVERSARY:20000201\r\n" in cards
    assert "\r\nBDAY;VALUE=text:circa 1800\r\n" in cards
    assert "0/0/00" not in cards
