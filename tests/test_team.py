"""Team mode (SPEC §6): users, owners, "mine" by default, and no silent overwrites.

These run on both backends (SQLite and, with MINICRM_TEST_BACKEND=postgresql, PostgreSQL).
"""

from __future__ import annotations

import pytest

from minicrm.core.errors import Conflict
from minicrm.services.contacts import commands as contacts
from minicrm.services.dto import ContactCreate, ContactPatch
from minicrm.services.kernel.context import open_context


@pytest.fixture
def team(cli):
    """Two reps, each with a contact and a follow-up due today."""
    assert cli("user", "add", "ana", "--email", "ana@team.pt").exit_code == 0
    assert cli("user", "add", "bruno").exit_code == 0
    cli("--as", "ana", "contact", "add", "Carla Reis", "--email", "carla@reis.pt", "--every", "7d")
    cli("--as", "bruno", "contact", "add", "Duarte Melo")
    cli("--as", "ana", "followup", "add", "carla", "send the quote", "--due", "today")
    cli("--as", "bruno", "followup", "add", "duarte", "call back", "--due", "today")
    return cli


def test_user_add_and_list(cli) -> None:
    added = cli("user", "add", "ana", "--email", "Ana@Team.PT", "--json")
    assert added.exit_code == 0, added.stderr
    assert added.json() == {
        "id": 1,
        "name": "ana",
        "email": "Ana@team.pt",
        "created_at": "2026-11-23T10:00:00+00:00",
    }
    cli("user", "add", "bruno")
    listed = cli("user", "list", "--format", "plain")
    assert listed.stdout == "1\tana\tAna@team.pt\t2026-11-23\n2\tbruno\t\t2026-11-23\n"


def test_user_names_are_unique_and_one_word(cli) -> None:
    cli("user", "add", "ana")
    again = cli("user", "add", "ANA")
    assert (again.exit_code, again.stderr) == (1, "error: user 'ana' already exists\n")
    spaced = cli("user", "add", "ana lima")
    assert spaced.exit_code == 1
    assert spaced.stderr.startswith("error: invalid user name 'ana lima'")
    assert cli("user", "list", "--format", "plain").stdout.count("\n") == 1


def test_without_users_nothing_is_checked_and_lists_show_everyone(cli) -> None:
    cli("--as", "ana", "contact", "add", "Carla Reis")
    cli("--as", "bruno", "contact", "add", "Duarte Melo")
    listed = cli("--as", "ana", "contact", "list", "--format", "plain")
    assert [line.split("\t")[1] for line in listed.stdout.splitlines()] == ["Carla Reis", "Duarte Melo"]


def test_records_are_owned_by_the_acting_user(team) -> None:
    shown = team("--as", "ana", "contact", "show", "carla", "--json").json()
    assert shown["owner"] == "ana"
    assert shown["followups"][0]["owner"] == "ana"
    note = team("--as", "bruno", "note", "add", "carla", "met at the fair", "--json")
    assert note.json()["author"] == "bruno"


def test_lists_default_to_mine_and_all_shows_everyone(team) -> None:
    mine = team("--as", "ana", "contact", "list", "--format", "plain")
    assert [line.split("\t")[1] for line in mine.stdout.splitlines()] == ["Carla Reis"]
    everyone = team("--as", "ana", "contact", "list", "--all", "--format", "plain")
    assert [line.split("\t")[1] for line in everyone.stdout.splitlines()] == ["Carla Reis", "Duarte Melo"]
    theirs = team("--as", "ana", "contact", "list", "--owner", "bruno", "--format", "plain")
    assert [line.split("\t")[1] for line in theirs.stdout.splitlines()] == ["Duarte Melo"]

    followups = team("--as", "bruno", "followup", "list", "--json").json()
    assert [f["title"] for f in followups] == ["call back"]
    all_followups = team("--as", "bruno", "followup", "list", "--everyone", "--json").json()
    assert [f["title"] for f in all_followups] == ["send the quote", "call back"]


def test_due_defaults_to_mine(team) -> None:
    mine = team("--as", "ana", "due")
    assert mine.exit_code == 0
    assert mine.stdout == "Due (1)\n  #1     today            send the quote — Carla Reis\n"
    everyone = team("--as", "ana", "due", "--all", "--json").json()
    assert [f["title"] for f in everyone["due"]] == ["send the quote", "call back"]
    assert (
        team("--as", "bruno", "due", "--owner", "ana", "--json").json()["due"][0]["title"] == "send the quote"
    )


def test_mine_by_default_is_the_same_on_the_fast_path(team, sh) -> None:
    """``due`` and ``contact list`` also run through the argparse fast path in a real process."""
    assert sh("--as", "ana", "contact", "list", "--format", "plain").stdout == (
        team("--as", "ana", "contact", "list", "--format", "plain").stdout
    )
    fast = sh("--as", "bruno", "due", "--json")
    assert fast.exit_code == 0, fast.stderr
    assert [f["title"] for f in fast.json()["due"]] == ["call back"]
    assert [f["title"] for f in sh("--as", "bruno", "due", "--everyone", "--json").json()["due"]] == [
        "send the quote",
        "call back",
    ]


def test_acting_as_an_unknown_user_is_refused(team, sh) -> None:
    for run in (team, sh):
        result = run("--as", "zoe", "contact", "list")
        assert result.exit_code == 1
        assert result.stdout == ""
        assert (
            result.stderr
            == "error: unknown user 'zoe' (users: ana, bruno); add it with: minicrm user add zoe\n"
        )


def test_acting_as_nobody_in_team_mode_says_how_to_choose(team) -> None:
    result = team("contact", "add", "Eva")
    assert result.exit_code == 1
    assert "--as NAME or MINICRM_USER" in result.stderr and "minicrm user add NAME" in result.stderr
    assert team("--as", "ana", "contact", "list", "--all", "--format", "plain").stdout.count("\n") == 2


def test_user_from_environment_and_config(team, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MINICRM_USER", "bruno")
    assert team("contact", "add", "Eva", "--json").json()["owner"] == "bruno"
    monkeypatch.delenv("MINICRM_USER")
    config = tmp_path / "config.toml"
    config.write_text('owner = "ana"\n', encoding="utf-8")
    monkeypatch.setenv("MINICRM_CONFIG", str(config))
    assert team("contact", "add", "Fil", "--json").json()["owner"] == "ana"


def test_owner_must_be_a_user_and_can_be_reassigned(team) -> None:
    typo = team("--as", "ana", "contact", "add", "Eva", "--owner", "brunno")
    assert typo.exit_code == 1
    assert (
        typo.stderr
        == "error: unknown user 'brunno' (users: ana, bruno); add it with: minicrm user add brunno\n"
    )
    moved = team("--as", "ana", "contact", "edit", "carla", "--owner", "bruno", "--json")
    assert moved.json()["owner"] == "bruno"
    assert team("--as", "ana", "contact", "list", "--format", "plain").stdout == ""
    history = team("--as", "ana", "contact", "history", "carla", "--json").json()
    assert history[-1]["user"] == "ana"
    assert history[-1]["changes"]["owner"] == {"before": "ana", "after": "bruno"}
    followup = team("--as", "ana", "followup", "edit", "1", "--owner", "bruno", "--json").json()
    assert followup["owner"] == "bruno"
    company = team("--as", "ana", "company", "add", "Lima Lda", "--owner", "bruno", "--json").json()
    assert company["owner"] == "bruno"


# -- no silent overwrites ----------------------------------------------------------------------
def test_stale_if_version_is_a_conflict_naming_who_and_when(team, ctx) -> None:
    first = team("--as", "ana", "contact", "edit", "carla", "--title", "CEO", "--if-version", "1", "--json")
    assert first.exit_code == 0, first.stderr
    assert first.json()["version"] == 2
    stale = team("--as", "bruno", "contact", "edit", "carla", "--title", "CTO", "--if-version", "1")
    assert stale.exit_code == 1
    assert stale.stdout == ""
    assert (
        stale.stderr == "error: contact 1 was changed by ana at 2026-11-23 10:00; reload it and try again\n"
    )
    stored = contacts.get(ctx, 1)
    assert (stored.title, stored.version) == ("CEO", 2)


@pytest.mark.parametrize(
    ("noun", "ref", "change"),
    [("company", "lima", ["--industry", "retail"]), ("followup", "1", ["--title", "send the new quote"])],
)
def test_if_version_on_company_and_followup_edit(team, noun, ref, change) -> None:
    team("--as", "ana", "company", "add", "Lima Lda")
    ok = team("--as", "ana", noun, "edit", ref, *change, "--if-version", "1", "--json")
    assert ok.exit_code == 0, ok.stderr
    assert ok.json()["version"] == 2
    stale = team("--as", "bruno", noun, "edit", ref, *change, "--if-version", "1")
    assert stale.exit_code == 1
    assert "was changed by ana at 2026-11-23 10:00; reload it and try again" in stale.stderr
    again = team("--as", "ana", noun, "edit", ref, "--if-version", "2", "--json")
    assert again.json()["version"] == 2  # nothing to change: the version is current, nothing written


def test_two_users_editing_from_the_same_version_get_exactly_one_conflict(team) -> None:
    """Both load version 1 (as the TUI would), then both save: one wins, the other is told."""
    ana = open_context(user="ana")
    bruno = open_context(user="bruno")
    try:
        base_ana = contacts.find(ana, "carla").version
        base_bruno = contacts.find(bruno, "carla").version
        assert base_ana == base_bruno == 1
        outcomes = []
        for ctx, title, base in ((ana, "CEO", base_ana), (bruno, "CTO", base_bruno)):
            try:
                contacts.edit(ctx, "carla", ContactPatch(title=title, expected_version=base))
                outcomes.append("saved")
            except Conflict as exc:
                outcomes.append(str(exc))
        assert outcomes == [
            "saved",
            "contact 1 was changed by ana at 2026-11-23 10:00; reload it and try again",
        ]
        final = contacts.find(ana, "carla")
        assert (final.title, final.version) == ("CEO", 2)
    finally:
        ana.close()
        bruno.close()


def test_the_update_itself_checks_the_version(ctx) -> None:
    """A writer that read version 1 cannot save over version 2 even without expected_version:
    the UPDATE is guarded by ``version = 1`` (READ COMMITTED writers cannot both win)."""
    from minicrm.services.history.versions import update_versioned
    from minicrm.services.kernel.unit_of_work import UnitOfWork

    contacts.add(ctx, ContactCreate(name="Carla Reis"))
    contacts.edit(ctx, 1, ContactPatch(title="CEO"))
    with pytest.raises(Conflict, match="contact 1 was changed by"), UnitOfWork(ctx, "stale write") as uow:
        update_versioned(uow, "contact", "contact", 1, 1, {"title": "CTO"})
    stored = contacts.get(ctx, 1)
    assert (stored.title, stored.version) == ("CEO", 2)


def test_a_bare_undo_takes_your_own_last_operation(team) -> None:
    """Issue 17.5: bruno's contact add (#4) is the latest of the team's operations but ana's
    bare undo takes her own last one; bruno's needs its id, and undo says whose it is."""
    ops = team("--as", "ana", "undo", "--list", "--json").json()
    assert [(o["id"], o["user"], o["summary"]) for o in ops[:2]] == [
        (6, "bruno", "followup add call back"),
        (5, "ana", "followup add send the quote"),
    ]
    mine = team("--as", "ana", "undo", "--yes")
    assert mine.exit_code == 0, mine.stderr
    assert mine.stderr.startswith("Undo #5 'followup add send the quote'")
    assert "not yours" not in mine.stderr
    assert team("--as", "ana", "followup", "list", "--everyone", "--json").json()[0]["title"] == "call back"
    assert team("--as", "ana", "undo", "--yes").stderr.startswith("Undo #3 'contact add Carla Reis'")
    refused = team("--as", "ana", "undo", "--yes")
    assert (refused.exit_code, refused.stderr) == (
        1,
        "error: nothing of yours (ana) to undo; the latest operation, #6, is bruno's: "
        "`minicrm undo 6` undoes it\n",
    )
    theirs = team("--as", "ana", "undo", "6", "--yes")
    assert theirs.exit_code == 0, theirs.stderr
    assert theirs.stderr.splitlines()[:2] == [
        "Undo #6 'followup add call back' (2026-11-23 10:00 by bruno):",
        "  (this is bruno's operation, not yours)",
    ]


def test_user_add_is_undone_and_redone_and_refused_while_the_user_owns_records(cli) -> None:
    """Undo of ``user add`` takes the user away (the last one ends team mode) and its redo
    brings them back; while they own a record it is refused, naming what they own."""
    cli("contact", "add", "Carla Reis")
    assert cli("user", "add", "zed").exit_code == 0
    cli("--as", "zed", "contact", "edit", "carla", "--owner", "zed")
    ops = cli("--as", "zed", "undo", "--list", "--json").json()
    op = next(o["id"] for o in ops if o["summary"] == "user add zed")
    refused = cli("--as", "zed", "undo", str(op), "--yes")
    assert refused.exit_code == 1
    assert refused.stderr.endswith(
        "error: user 'zed' owns 1 contact: give them another owner first (`edit … --owner` or "
        "`--clear owner`), then undo\n"
    )
    assert [u["name"] for u in cli("user", "list", "--json").json()] == ["zed"]
    cli("--as", "zed", "contact", "edit", "carla", "--clear", "owner")
    undone = cli("--as", "zed", "undo", str(op), "--yes")
    assert undone.exit_code == 0, undone.stderr
    assert cli("user", "list", "--json").json() == []
    assert cli("contact", "list", "--format", "plain").exit_code == 0  # no longer team mode
    redo = int(undone.stderr.rsplit("`minicrm undo ", 1)[1].split("`")[0])
    assert cli("undo", str(redo), "--yes").exit_code == 0
    assert [u["name"] for u in cli("user", "list", "--json").json()] == ["zed"]
