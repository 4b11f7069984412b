"""segment save|list|show|rm and contact list --segment / --field (Typer and fast path)."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def people(cli) -> None:
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt", "--tag", "vip", "--field", "city=Lisboa")
    cli("contact", "add", "Bruno Dias", "--email", "bruno@dias.pt", "--tag", "vip", "--field", "city=Porto")
    cli("contact", "add", "Carla Sousa", "--email", "carla@sousa.pt")


def test_save_prints_the_segment_and_stores_versioned_json(cli, ctx, people) -> None:
    result = cli(
        "segment", "save", "vip-lisboa", "--tag", "vip", "--field", "city=Lisboa", "--stale", "30d", "--json"
    )
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["name"] == "vip-lisboa"
    assert data["count"] == 1
    assert data["filters"] == {"version": 1, "tags": ["vip"], "fields": [["city", "Lisboa"]], "stale": "30d"}
    assert result.stderr == "saved segment vip-lisboa (1 contact now)\n"
    stored = json.loads(ctx.db.scalar("SELECT filters FROM segment WHERE name = 'vip-lisboa'"))
    assert stored["version"] == 1 and stored["tags"] == ["vip"]


def test_a_segment_follows_data_changes(cli, people) -> None:
    cli("segment", "save", "vips", "--tag", "vip")
    assert cli("contact", "list", "--segment", "vips", "--format", "plain").stdout.count("\n") == 2
    cli("contact", "add", "Duarte Reis", "--tag", "vip")
    cli("contact", "edit", "ana", "--remove-tag", "vip")
    listed = cli("contact", "list", "--segment", "vips", "--json").json()
    assert [c["name"] for c in listed] == ["Bruno Dias", "Duarte Reis"]
    assert cli("segment", "show", "vips", "--json").json()["count"] == 2


def test_segment_combines_with_more_filters_and_sort(cli, people) -> None:
    cli("segment", "save", "vips", "--tag", "vip")
    result = cli("contact", "list", "--segment", "vips", "--field", "city=porto", "--format", "plain")
    assert result.stdout == "2\tBruno Dias\tbruno@dias.pt\t\t\tvip\tlead\n"
    result = cli("contact", "list", "--segment", "vips", "--sort", "-name", "--format", "plain")
    assert [line.split("\t")[1] for line in result.stdout.splitlines()] == ["Bruno Dias", "Ana Lima"]


def test_list_show_and_rm(cli, people) -> None:
    cli("segment", "save", "vips", "--tag", "vip")
    cli("segment", "save", "porto", "--field", "city=Porto", "--status", "lead")
    assert cli("segment", "list", "--format", "plain").stdout == (
        "porto\t1\t--status lead --field city=Porto\nvips\t2\t--tag vip\n"
    )
    shown = cli("segment", "show", "porto", "--format", "plain")
    assert shown.stdout == "Name:     porto\nFilters:  --status lead --field city=Porto\nContacts: 1\n"
    refused = cli("segment", "rm", "vips")
    assert refused.exit_code == 1 and "refusing without --yes" in refused.stderr
    assert cli("segment", "rm", "vips", "--yes").exit_code == 0
    assert [s["name"] for s in cli("segment", "list", "--json").json()] == ["porto"]


def test_saving_again_replaces_the_filters(cli, people) -> None:
    cli("segment", "save", "s", "--tag", "vip")
    result = cli("segment", "save", "s", "--field", "city=Porto")
    assert result.stderr == "replaced segment s (1 contact now)\n"
    assert cli("segment", "show", "s", "--json").json()["filters"] == {
        "version": 1,
        "fields": [["city", "Porto"]],
    }


def test_unknown_segment_is_one_error_line(cli, people) -> None:
    for args in (
        ("contact", "list", "--segment", "nope"),
        ("segment", "show", "nope"),
        ("segment", "rm", "nope", "-y"),
    ):
        result = cli(*args)
        assert result.exit_code == 1
        assert result.stderr == "error: no segment named 'nope' (see: minicrm segment list)\n"


def test_filters_that_do_not_parse_are_one_error_line(cli, ctx, people) -> None:
    cli("segment", "save", "broken", "--tag", "vip")
    ctx.db.execute("UPDATE segment SET filters = '{not json' WHERE name = 'broken'")
    result = cli("contact", "list", "--segment", "broken")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: segment 'broken' has filters that do not parse: not JSON\n",
    )
    ctx.db.execute("""UPDATE segment SET filters = '{"version": 1, "colour": "red"}' WHERE name = 'broken'""")
    result = cli("contact", "list", "--segment", "broken")
    assert result.stderr == "error: segment 'broken' has filters that do not parse: unknown filter 'colour'\n"
    ctx.db.execute("""UPDATE segment SET filters = '{"version": 7}' WHERE name = 'broken'""")
    result = cli("segment", "show", "broken")
    assert result.stderr == "error: segment 'broken' was saved by a newer minicrm (filters version 7)\n"
    listed = cli("segment", "list", "--json")
    assert listed.exit_code == 0 and listed.json()[0]["count"] is None


def test_a_segment_that_cannot_work_is_not_saved(cli, ctx, people) -> None:
    for args, message in (
        (("--status", "vip"), "error: invalid status 'vip'"),
        (("--stale", "soon"), "error: invalid duration 'soon'"),
        (("--company", "Nowhere Inc"), "error: no company matches 'Nowhere Inc'"),
        (("--min-value", "lots"), "error: invalid amount 'lots'"),
        (("--field", "city"), "error: --field takes KEY=VALUE"),
    ):
        result = cli("segment", "save", "bad", *args)
        assert result.exit_code == 1, args
        assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr
    assert ctx.db.scalar("SELECT count(*) FROM segment") == 0


def test_segment_writes_are_in_the_change_log(cli, ctx, people) -> None:
    cli("segment", "save", "vips", "--tag", "vip")
    cli("segment", "rm", "vips", "--yes")
    rows = ctx.db.all("SELECT entity, action FROM change WHERE entity = 'segment' ORDER BY id")
    assert [(r["entity"], r["action"]) for r in rows] == [("segment", "create"), ("segment", "delete")]


def test_fast_path_reads_the_same_segment_and_field_filters(cli, sh, people) -> None:
    cli("segment", "save", "vips", "--tag", "vip")
    for args in (("--segment", "vips"), ("--field", "city=Lisboa"), ("--segment", "vips", "--sort", "-name")):
        fast = sh("contact", "list", *args, "--format", "plain")
        typer = cli("contact", "list", *args, "--format", "plain")
        assert fast.exit_code == 0, fast.stderr
        assert fast.stdout == typer.stdout != ""
    missing = sh("contact", "list", "--segment", "nope")
    assert (missing.exit_code, missing.stderr) == (
        1,
        "error: no segment named 'nope' (see: minicrm segment list)\n",
    )
