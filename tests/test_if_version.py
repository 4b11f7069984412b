"""No silent overwrites on every editable record (issue 19 item 4): deals, follow-ups, companies
and service requests take ``--if-version N`` like contacts, checked by one rule in the services
(``services.history.versions``); a deal someone else closed is not overturned from a stale view.

Both backends (``MINICRM_TEST_BACKEND=postgresql`` runs them on PostgreSQL).
"""

from __future__ import annotations

import pytest

from minicrm.core.errors import Conflict
from minicrm.services.deals import commands as deals
from minicrm.services.deals import dashboard
from minicrm.services.kernel.context import open_context

STAMP = "2026-11-23 10:00"


@pytest.fixture
def team(cli):
    """ana and bruno; ana's contact Carla with a deal, a follow-up and a service request."""
    for name in ("ana", "bruno"):
        assert cli("user", "add", name).exit_code == 0
    as_ana = ("--as", "ana")
    for args in (
        ("company", "add", "Lima Lda"),
        ("contact", "add", "Carla Reis", "--email", "carla@reis.pt"),
        ("deal", "add", "Website", "--contact", "carla", "--value", "1200"),
        ("followup", "add", "carla", "send the quote", "--due", "today"),
        ("request", "add", "carla", "printer jams"),
    ):
        done = cli(*as_ana, *args)
        assert done.exit_code == 0, done.stderr
    return cli


def _state(cli, show: tuple[str, ...]) -> tuple[object, int]:
    """A record as ``show --json`` prints it, and the number of change-log entries."""
    shown = cli("--as", "ana", *show, "--json")
    assert shown.exit_code == 0, shown.stderr
    with open_context() as ctx:
        changes = int(ctx.db.scalar("SELECT count(*) FROM change"))
    return shown.json(), changes


def _followup(cli) -> dict[str, object]:
    listed = cli("--as", "ana", "followup", "list", "--all", "--everyone", "--json").json()
    return next(f for f in listed if f["id"] == 1)


# -- the case: a stale `deal won` after someone else's `deal lost` ----------------------
def test_a_stale_won_does_not_overturn_someone_elses_lost(team) -> None:
    lost = team("--as", "bruno", "deal", "lost", "1", "--reason", "price", "--if-version", "1", "--json")
    assert lost.exit_code == 0, lost.stderr
    assert (lost.json()["status"], lost.json()["version"]) == ("lost", 2)
    before = _state(team, ("deal", "show", "1"))

    # ana's view still shows the open deal at version 1
    stale = team("--as", "ana", "deal", "won", "1", "--if-version", "1")
    assert (stale.exit_code, stale.stdout) == (1, "")
    assert stale.stderr == (
        f"error: deal 1 was changed by bruno at {STAMP} (it is now lost: price); reload it and try again\n"
    )
    # without --if-version it is refused too: bruno closed it, ana did not see that
    blind = team("--as", "ana", "deal", "won", "1")
    assert (blind.exit_code, blind.stdout) == (1, "")
    assert blind.stderr == (
        f"error: deal 1 was marked lost by bruno at {STAMP} (price); "
        "to mark it won anyway, give --if-version 2\n"
    )
    assert _state(team, ("deal", "show", "1")) == before
    assert before[0]["lost_reason"] == "price"

    # having seen version 2, ana may overturn it
    won = team("--as", "ana", "deal", "won", "1", "--if-version", "2", "--json")
    assert won.exit_code == 0, won.stderr
    assert (won.json()["status"], won.json()["version"], won.json()["lost_reason"]) == ("won", 3, None)


def test_ones_own_close_may_be_overturned_without_a_version(team) -> None:
    assert team("--as", "bruno", "deal", "lost", "1", "--reason", "price").exit_code == 0
    won = team("--as", "bruno", "deal", "won", "1", "--json")
    assert won.exit_code == 0, won.stderr
    assert won.json()["status"] == "won"
    lost = team("--as", "bruno", "deal", "lost", "1", "--reason", "budget", "--json")
    assert (lost.exit_code, lost.json()["status"]) == (0, "lost")


def test_without_team_mode_a_close_is_overturned_as_before(cli) -> None:
    cli("deal", "add", "Website")
    assert cli("deal", "lost", "1", "--reason", "price").exit_code == 0
    won = cli("deal", "won", "1", "--json")
    assert (won.exit_code, won.json()["status"]) == (0, "won")


# -- every write command of every editable record ----------------------------------------------
SHOW = {
    "deal": ("deal", "show", "1"),
    "company": ("company", "show", "lima"),
    "request": ("request", "show", "1"),
}

WRITES = [
    ("deal", ("deal", "edit", "1", "--title", "New site")),
    ("deal", ("deal", "move", "1", "qualified")),
    ("deal", ("deal", "won", "1")),
    ("deal", ("deal", "lost", "1", "--reason", "price")),
    ("followup", ("followup", "done", "1")),
    ("followup", ("followup", "snooze", "1", "--until", "tomorrow 9:00")),
    ("followup", ("followup", "edit", "1", "--title", "send the new quote")),
    ("company", ("company", "edit", "lima", "--industry", "retail")),
    ("request", ("request", "edit", "1", "--priority", "high")),
    ("request", ("request", "close", "1", "--resolution", "new toner")),
]


def _bump(cli, noun: str) -> None:
    """bruno changes the record (to version 2) without changing what the command under test does."""
    bump = {
        "deal": ("deal", "edit", "1", "--close", "2026-12-31"),
        "followup": ("followup", "edit", "1", "--due", "tomorrow"),
        "company": ("company", "edit", "lima", "--size", "10-50"),
        "request": ("request", "edit", "1", "--title", "printer jams again"),
    }[noun]
    done = cli("--as", "bruno", *bump, "--json")
    assert done.exit_code == 0, done.stderr
    assert done.json()["version"] == 2


def _read(cli, noun: str) -> tuple[object, int]:
    if noun == "followup":
        with open_context() as ctx:
            changes = int(ctx.db.scalar("SELECT count(*) FROM change"))
        return _followup(cli), changes
    return _state(cli, SHOW[noun])


@pytest.mark.parametrize(("noun", "command"), WRITES, ids=[" ".join(c[:2]) for _, c in WRITES])
def test_a_stale_version_changes_nothing_and_names_who(team, noun, command) -> None:
    _bump(team, noun)
    before = _read(team, noun)
    stale = team("--as", "ana", *command, "--if-version", "1")
    assert (stale.exit_code, stale.stdout) == (1, ""), stale.stderr
    assert stale.stderr.startswith(f"error: {noun} 1 was changed by bruno at {STAMP}")
    assert stale.stderr.endswith("; reload it and try again\n")
    assert _read(team, noun) == before

    current = team("--as", "ana", *command, "--if-version", "2", "--json")
    assert current.exit_code == 0, current.stderr
    shown = current.json()
    record = shown[0] if isinstance(shown, list) else shown
    assert record["version"] == 3


def test_request_reopen_takes_if_version(team) -> None:
    assert team("--as", "bruno", "request", "close", "1", "-r", "new toner").exit_code == 0
    stale = team("--as", "ana", "request", "reopen", "1", "--if-version", "1")
    assert stale.exit_code == 1
    assert stale.stderr == (
        f"error: request 1 was changed by bruno at {STAMP} (it is now closed); reload it and try again\n"
    )
    ok = team("--as", "ana", "request", "reopen", "1", "--if-version", "2", "--json")
    assert (ok.exit_code, ok.json()["status"], ok.json()["version"]) == (0, "open", 3)


def test_a_done_follow_up_says_so(team) -> None:
    assert team("--as", "bruno", "followup", "done", "1").exit_code == 0
    stale = team("--as", "ana", "followup", "snooze", "1", "--until", "tomorrow", "--if-version", "1")
    assert stale.stderr == (
        f"error: followup 1 was changed by bruno at {STAMP} (it is now done); reload it and try again\n"
    )


def test_followup_done_if_version_goes_with_one_id(team) -> None:
    team("--as", "ana", "followup", "add", "carla", "call back")
    both = team("--as", "ana", "followup", "done", "1", "2", "--if-version", "1")
    assert (both.exit_code, both.stderr) == (1, "error: --if-version goes with one follow-up id\n")
    assert _followup(team)["done_at"] is None


def test_followup_done_if_version_on_the_fast_path(team, sh) -> None:
    _bump(team, "followup")
    stale = sh("--as", "ana", "followup", "done", "1", "--if-version", "1")
    assert (stale.exit_code, stale.stdout) == (1, "")
    assert stale.stderr.startswith(f"error: followup 1 was changed by bruno at {STAMP}")
    ok = sh("--as", "ana", "followup", "done", "1", "--if-version", "2", "--format", "plain")
    assert ok.exit_code == 0, ok.stderr
    assert _followup(team)["done_at"] is not None


@pytest.mark.parametrize(
    "command",
    [("deal", "won", "1"), ("followup", "done", "1"), ("request", "close", "1", "-r", "x")],
)
def test_if_version_is_a_positive_number(team, command) -> None:
    bad = team("--as", "ana", *command, "--if-version", "0")
    assert bad.exit_code == 2
    assert "--if-version" in bad.stderr


# -- the service: the UPDATE is guarded, and the board passes the version it showed -----------
def test_the_deal_update_itself_checks_the_version(team) -> None:
    """A deal write that read version 1 cannot land on version 2 (the UPDATE's WHERE)."""
    from minicrm.services.kernel.unit_of_work import UnitOfWork
    from minicrm.store.records.deals import snapshot

    team("--as", "bruno", "deal", "edit", "1", "--title", "New site")
    with open_context(user="ana") as ctx:
        row = snapshot(ctx.db, 1)
        assert row is not None
        stale = {**row, "version": 1}
        with pytest.raises(Conflict, match="deal 1 was changed by bruno"), UnitOfWork(ctx, "stale") as uow:
            deals._update(uow, 1, stale, {**row, "title": "Old site"})
        assert deals.get(ctx, 1).title == "New site"


def test_board_moves_carry_the_version_shown(team) -> None:
    with open_context(user="ana") as ctx:
        shown = dashboard.get_deal(ctx, 1)
        assert shown.version == 1
        moved = dashboard.move_deal(ctx, 1, "qualified", expected_version=shown.version)
        assert (moved.stage, moved.version) == ("qualified", 2)
        with pytest.raises(Conflict, match=r"it is now in qualified\); reload it"):
            dashboard.close_deal(ctx, 1, won=True, expected_version=shown.version)
        with pytest.raises(Conflict, match="reload it"):
            dashboard.move_deal(ctx, 1, "proposal", expected_version=1)
        assert dashboard.get_deal(ctx, 1).stage == "qualified"
        won = dashboard.close_deal(ctx, 1, won=True, expected_version=moved.version)
        assert (won.status, won.version) == ("won", 3)
