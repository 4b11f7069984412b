"""vCard in and out, iCalendar out, and the lossless JSON round trip of the whole database."""

from __future__ import annotations

import os
import sqlite3
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from transfer_helpers import table_counts, write

FIXTURES = Path(__file__).resolve().parents[1] / "exchange" / "fixtures"


def _contacts(cli) -> list[dict]:
    return cli("contact", "list", "--json", "--sort", "id").json()


def test_vcard_file_with_quirks_imports_names_emails_and_notes(cli) -> None:
    run = cli("import", "vcard", str(FIXTURES / "v21_qp_utf8.vcf"))
    assert run.exit_code == 0, run.stderr
    assert run.stderr.splitlines()[-1] == "1 created, 0 updated, 0 skipped, 0 rejected"
    [jose] = _contacts(cli)
    assert (jose["name"], jose["emails"]) == ("José Muñoz", ["jose@example.com"])
    timeline = cli("timeline", "1", "--json").json()
    assert [(i["kind"], i["body"]) for i in timeline] == [("note", "line1\nline2")]


def test_vcard_directory_round_trip_through_a_vdir(cli, tmp_path: Path) -> None:
    cli(
        "contact",
        "add",
        "Ana Lima",
        "--email",
        "ana@lima.pt",
        "--phone",
        "+351912345678",
        "--company",
        "Lima Lda",
        "--title",
        "CEO",
        "--tag",
        "vip",
        "--field",
        "shoe=42",
    )
    cli("contact", "add", "Bruno Dias", "--email", "bruno@dias.pt")
    out = tmp_path / "vdir"
    run = cli("export", "vcard", "--out", str(out))
    assert run.exit_code == 0 and run.stderr.strip() == f"exported 2 contacts to {out}/"
    files = sorted(p.name for p in out.iterdir())
    uids = [r[0] for r in _uids()]
    assert files == sorted(f"{u}.vcf" for u in uids)
    text = (out / f"{uids[0]}.vcf").read_bytes().decode("utf-8")
    assert (
        f"UID:{uids[0]}\r\n" in text and "EMAIL;PREF=1:ana@lima.pt\r\n" in text and "ORG:Lima Lda\r\n" in text
    )
    # exporting again gives the same files (stable UIDs)
    again = tmp_path / "vdir2"
    cli("export", "vcard", "--out", str(again))
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {
        p.name: p.read_bytes() for p in again.iterdir()
    }
    # and the directory imports into another database with the same people and UIDs
    other = tmp_path / "other.db"
    assert cli("--db", str(other), "import", "vcard", str(out)).exit_code == 0
    people = cli("--db", str(other), "contact", "list", "--json", "--sort", "name").json()
    assert [
        (p["name"], p["emails"], p["phones"], p["company"], p["title"], p["tags"], p["fields"])
        for p in people
    ] == [
        ("Ana Lima", ["ana@lima.pt"], ["+351912345678"], "Lima Lda", "CEO", ["vip"], {"shoe": "42"}),
        ("Bruno Dias", ["bruno@dias.pt"], [], None, None, [], {}),
    ]
    conn = sqlite3.connect(other)
    assert sorted(r[0] for r in conn.execute("SELECT uid FROM contact")) == sorted(uids)


def test_exporting_a_vdir_again_rewrites_only_changed_cards_and_removes_deleted_contacts(
    cli, tmp_path: Path
) -> None:
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt")
    cli("contact", "add", "Bruno Dias", "--email", "bruno@dias.pt")
    cli("contact", "add", "Carla Reis", "--email", "carla@reis.pt")
    out = tmp_path / "vdir"
    assert cli("export", "vcard", "--out", str(out)).exit_code == 0
    ana, bruno, carla = (out / f"{uid}.vcf" for (uid,) in _uids())
    assert ana.read_bytes().startswith(b"BEGIN:VCARD\r\nVERSION:4.0\r\nPRODID:-//minicrm//minicrm//EN\r\n")
    # a card from another program, and notes beside the cards, are not minicrm's to delete
    foreign = out / "from-phone.vcf"
    foreign.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iOS//EN\r\nFN:Zoe\r\nEND:VCARD\r\n"
    )
    (out / "README.txt").write_text("mine")
    for path in (ana, bruno, carla):
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))

    cli("contact", "edit", "Bruno Dias", "--title", "CFO")
    assert cli("contact", "rm", "Carla Reis", "--yes").exit_code == 0
    run = cli("export", "vcard", "--out", str(out))

    assert run.exit_code == 0, run.stderr
    assert run.stderr.splitlines() == [
        f"exported 2 contacts to {out}/",
        "removed 1 stale card (contacts no longer exported)",
    ]
    left = sorted(p.name for p in out.iterdir())
    assert left == sorted([ana.name, bruno.name, "README.txt", "from-phone.vcf"])
    assert ana.stat().st_mtime_ns == 1_000_000_000  # unchanged: not rewritten
    assert bruno.stat().st_mtime_ns != 1_000_000_000 and b"TITLE:CFO\r\n" in bruno.read_bytes()
    assert b"FN:Zoe" in foreign.read_bytes()


def test_exporting_a_vdir_over_a_file_is_an_error(cli, tmp_path: Path) -> None:
    cli("contact", "add", "Ana Lima")
    target = tmp_path / "cards"
    target.write_text("not a directory")
    run = cli("export", "vcard", "--out", str(target))
    assert (run.exit_code, run.stderr.strip()) == (
        1,
        f"error: cannot write {target}/: it exists and is not a directory",
    )
    assert target.read_text() == "not a directory"


def _uids() -> list[tuple[str]]:
    from minicrm.services.kernel.context import open_context

    with open_context() as ctx:
        return [(r["uid"],) for r in ctx.db.all("SELECT uid FROM contact ORDER BY id")]


def test_csv_export_neutralises_formulas_and_reimports(cli, tmp_path: Path) -> None:
    cli("contact", "add", '=HYPERLINK("x")', "--email", "f@x.pt", "--tag", "a", "--tag", "b")
    cli("contact", "add", "Ana", "--email", "ana@x.pt", "--email", "ana2@x.pt", "--title", "@boss")
    run = cli("export", "csv")
    lines = run.stdout.splitlines()
    assert lines[0] == (
        "id,name,given_name,family_name,emails,phones,company,title,tags,status,source,owner,street,"
        "city,region,postcode,country,created_at,updated_at,name_prefix,middle_name,name_suffix,nickname,"
        "department,address_label,email_labels,phone_labels,phone_exts,addresses,card_extra,photo,uid,notes"
    )
    assert lines[1].startswith('1,"\'=HYPERLINK(""x"")",,,f@x.pt,,,,"a, b",lead,')
    assert lines[2].startswith("2,Ana,,,ana@x.pt ::: ana2@x.pt,,,'@boss,,lead,")
    out = tmp_path / "c.csv"
    assert cli("export", "csv", "--out", str(out)).exit_code == 0
    other = tmp_path / "o.db"
    assert cli("--db", str(other), "import", "csv", str(out)).exit_code == 0
    people = cli("--db", str(other), "contact", "list", "--json", "--sort", "id").json()
    assert [(p["name"], p["title"], p["emails"], p["tags"]) for p in people] == [
        ('=HYPERLINK("x")', None, ["f@x.pt"], ["a", "b"]),  # the export's own guard is gone
        ("Ana", "@boss", ["ana@x.pt", "ana2@x.pt"], []),
    ]


def test_export_csv_of_each_type(cli) -> None:
    cli("contact", "add", "Ana", "--company", "Lima Lda")
    cli("followup", "add", "ana", "call", "--due", "2026-12-01")
    assert cli("export", "csv", "--type", "companies").stdout.splitlines()[1].startswith("1,Lima Lda,")
    assert (
        cli("export", "csv", "--type", "followups").stdout.splitlines()[1]
        == "1,call,2026-12-01,yes,,,,,,Ana,1,,"
    )
    assert cli("export", "csv", "--type", "deals").stdout.splitlines() == [
        "id,title,value,currency,pipeline,stage,probability,status,contact,contact_email,company,close_date,owner,"
        "lost_reason,created_at,updated_at"
    ]
    bad = cli("export", "csv", "--type", "things")
    assert bad.exit_code == 1 and bad.stderr.startswith("error: invalid type 'things'")


def test_ics_export_is_read_back_field_by_field(cli, ctx) -> None:
    cli("contact", "add", "Ana")
    cli("followup", "add", "ana", "send the quote", "--due", "2026-12-04", "--every", "2w")
    cli("followup", "add", "ana", "demo call", "--due", "2026-12-02 15:30")
    cli("followup", "add", "ana", "monthly report", "--due", "2026-12-10 09:00", "--every", "1m")
    cli("followup", "add", "ana", "old", "--due", "2026-12-01")
    cli("followup", "done", "4")
    ctx.db.execute("UPDATE followup SET until = ? WHERE id = 3", ("2027-06-30T23:00:00.000000Z",))
    run = cli("export", "ics")
    assert run.exit_code == 0
    cal = icalendar.Calendar.from_ical(run.stdout)
    todos = {str(t["uid"]): t for t in cal.walk("VTODO")}
    assert sorted(todos) == ["minicrm-followup-1", "minicrm-followup-2", "minicrm-followup-3"]
    lisbon = ZoneInfo("Europe/Lisbon")
    quote, demo, report = (
        todos["minicrm-followup-1"],
        todos["minicrm-followup-2"],
        todos["minicrm-followup-3"],
    )
    assert str(quote["summary"]) == "send the quote"
    assert quote["due"].dt == date(2026, 12, 4) and not isinstance(quote["due"].dt, datetime)
    assert quote["rrule"].to_ical() == b"FREQ=WEEKLY;INTERVAL=2"
    assert str(quote["status"]) == "NEEDS-ACTION" and str(quote["description"]) == "Ana"
    assert demo["due"].dt == datetime(2026, 12, 2, 15, 30, tzinfo=lisbon)
    assert demo["due"].params["TZID"] == "Europe/Lisbon" and "rrule" not in demo
    assert report["due"].dt == datetime(2026, 12, 10, 9, 0, tzinfo=lisbon)
    assert report["rrule"].to_ical() == b"FREQ=MONTHLY;UNTIL=20270630T230000Z"
    assert any(c.name == "VTIMEZONE" for c in cal.subcomponents)


@pytest.mark.sqlite_only  # reads the SQLite files; the PostgreSQL round trip has its own test
def test_json_round_trip_is_byte_identical(cli, tmp_path: Path) -> None:
    cli(
        "contact",
        "add",
        "Ana Lima",
        "--email",
        "ana@lima.pt",
        "--phone",
        "+351912345678",
        "--company",
        "Lima Lda",
        "--tag",
        "vip",
        "--field",
        "shoe=42",
    )
    cli("contact", "add", "Bruno", "--email", "bruno@x.pt")
    cli("note", "add", "ana", "Wants 20 seats — “quoted” ünïcode")
    cli("log", "call", "bruno", "left a message")
    cli("followup", "add", "ana", "send the quote", "--due", "next friday", "--every", "2w")
    deals = write(tmp_path / "d.csv", "Title,Value,Stage,Contact Email\nSeats,1200,proposal,ana@lima.pt\n")
    cli("import", "csv", str(deals), "--type", "deals")
    cli("contact", "edit", "bruno", "--title", "CTO")
    cli("privacy", "erase", "bruno", "--yes")
    first = cli("export", "json")
    assert first.exit_code == 0
    archive = write(tmp_path / "all.json", first.stdout)
    empty = tmp_path / "empty.db"
    run = cli("--db", str(empty), "import", "json", str(archive))
    assert run.exit_code == 0, run.stderr
    second = cli("--db", str(empty), "export", "json")
    assert second.stdout == first.stdout
    assert table_counts(empty) == table_counts(Path(cli("db", "path").stdout.strip()))
    # the search index is rebuilt from the documents
    assert cli("--db", str(empty), "search", "seats", "--format", "json").json()
    # a database with data refuses, and stays as it was
    refused = cli("import", "json", str(archive))
    assert refused.exit_code == 1 and refused.stderr.startswith("error: import json needs an empty database")
    bad = write(tmp_path / "bad.json", '{"hello": 1}')
    assert cli("--db", str(tmp_path / "x.db"), "import", "json", str(bad)).stderr.startswith(
        "error: not a minicrm JSON archive"
    )


def test_a_broken_archive_is_one_error_and_leaves_the_database_empty(cli, tmp_path: Path) -> None:
    source = str(tmp_path / "source.db")
    cli("--db", source, "contact", "add", "Ana Lima", "--email", "ana@lima.pt")
    cli("--db", source, "note", "add", "ana", "asked for a quote")
    text = cli("--db", source, "export", "json").stdout
    interactions = text.index('"interaction":')  # a table loaded after contact's rows are in
    first_row = text.index("\n   [", interactions)
    broken = {
        "cut.json": (text[: first_row + 8].encode(), "not a minicrm JSON archive: the text is cut short"),
        "short-row.json": (
            (text[: first_row + 4] + "[1],\n   " + text[first_row + 4 :]).encode(),
            "the archive's table 'interaction' is malformed (row 1)",
        ),
        "latin1.json": (
            text.replace("asked for a quote", "pediu orçamento").encode("latin-1", "replace"),
            "not a minicrm JSON archive: the text is not UTF-8",
        ),
        "nul.json": (b'{"format": "\x00"}', "not a JSON archive: nul.json holds binary data"),
        "blank.json": (b"  \n", "empty file: blank.json"),
    }
    for name, (data, message) in broken.items():
        (tmp_path / name).write_bytes(data)
        run = cli("import", "json", str(tmp_path / name))
        assert (run.exit_code, run.stderr) == (1, f"error: {message}\n"), name
        assert cli("contact", "list", "--json").json() == []
    # nothing was left behind: the good archive still goes into the same database
    good = write(tmp_path / "good.json", text)
    assert cli("import", "json", str(good)).exit_code == 0
    assert [c["name"] for c in cli("contact", "list", "--json").json()] == ["Ana Lima"]
    assert cli("export", "json").stdout == text
