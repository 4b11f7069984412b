"""The stage-flow summary (``stage_flow``, kept by triggers) always equals the GROUP BY over the
stage history that it replaces, whatever writes the history: moves, wins, losses, reopening,
deleting a deal, undo, an import. The unfiltered conversion report reads it; a filtered one
groups the history itself, and both agree."""

from __future__ import annotations

from typing import Any

GROUPED = (
    "SELECT pipeline, to_stage, coalesce(left_status, '') AS left_status, coalesce(left_to, '') AS left_to, "
    "count(*) AS entries, coalesce(sum(stay_seconds), 0) AS seconds, count(stay_seconds) AS stays "
    "FROM deal_stage_change WHERE status = 'open' "
    "GROUP BY pipeline, to_stage, coalesce(left_status, ''), coalesce(left_to, '')"
)
SUMMARY = "SELECT pipeline, to_stage, left_status, left_to, entries, seconds, stays FROM stage_flow"


COLUMNS = ("pipeline", "to_stage", "left_status", "left_to", "entries", "seconds", "stays")


def _values(rows: Any) -> list[tuple[Any, ...]]:
    return sorted(tuple(r[k] for k in COLUMNS) for r in rows)


def _rows(reopen: Any, sql: str) -> list[tuple[Any, ...]]:
    with reopen() as c:
        return _values(c.db.all(sql))


def _check(cli: Any, reopen: Any) -> None:
    assert _rows(reopen, SUMMARY) == _rows(reopen, GROUPED)
    whole = cli("report", "conversion", "--json").json()
    cohort = cli("report", "conversion", "--from", "2000-01-01", "--json").json()  # groups the history
    assert whole == cohort


def _at(moment: str) -> dict[str, str]:
    return {"MINICRM_NOW": moment}


def test_stage_flow_follows_every_kind_of_write(cli, reopen, tmp_path) -> None:
    cli("contact", "add", "Ana")
    cli("deal", "add", "Website", "--contact", "ana", "--value", "1000", env=_at("2026-11-01T10:00:00"))
    cli("deal", "add", "Hosting", "--value", "300", env=_at("2026-11-02T10:00:00"))
    cli("deal", "add", "Audit", "--value", "50", "--stage", "proposal", env=_at("2026-11-02T11:00:00"))
    _check(cli, reopen)
    cli("deal", "move", "1", "qualified", env=_at("2026-11-05T10:00:00"))
    cli("deal", "move", "1", "proposal", env=_at("2026-11-08T10:00:00"))
    cli("deal", "move", "1", "qualified", env=_at("2026-11-09T10:00:00"))  # backwards
    cli("deal", "won", "1", env=_at("2026-11-12T10:00:00"))
    cli("deal", "lost", "2", "--reason", "price", env=_at("2026-11-13T10:00:00"))
    cli("deal", "move", "2", "lead", env=_at("2026-11-14T10:00:00"))  # reopened
    _check(cli, reopen)
    assert _rows(reopen, SUMMARY)  # not trivially empty
    assert cli("deal", "rm", "3", "--yes").exit_code == 0
    _check(cli, reopen)
    assert cli("undo", "--yes").exit_code == 0  # the deal and its history come back
    _check(cli, reopen)
    csv = tmp_path / "deals.csv"
    csv.write_text("Title,Value,Stage\nImported one,10,qualified\nImported two,20,negotiation\n")
    assert cli("import", "csv", str(csv), "--type", "deals").exit_code == 0
    _check(cli, reopen)
    assert cli("undo", "--yes").exit_code == 0  # the import, whole
    _check(cli, reopen)
    archive = tmp_path / "all.json"
    archive.write_text(cli("export", "json").stdout)
    copy = tmp_path / "copy.db"
    assert cli("--db", str(copy), "import", "json", str(archive)).exit_code == 0
    with reopen(copy) as c:  # the summary is rebuilt from the history, not copied
        assert _values(c.db.all(SUMMARY)) == _rows(reopen, SUMMARY)
    for ref in ("1", "2", "3"):
        assert cli("deal", "rm", ref, "--yes").exit_code == 0
    assert _rows(reopen, SUMMARY) == []  # rows without entries are removed, not left at zero
