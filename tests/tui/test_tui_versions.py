"""The TUI never acts on a stale screen: a deal move, won, lost and a follow-up done or snooze
name the version the screen showed; a newer change made elsewhere is a notification and a
reload, never an overwrite. What was typed in a dialog comes back after a failed write."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from conftest import settle
from minicrm.core.dates import parse_when
from minicrm.services.deals import commands as deals
from minicrm.services.followups import commands as followups
from minicrm.services.followups.commands import FollowUpPatch
from minicrm.services.history import interactions
from minicrm.services.history.interactions import Links
from minicrm.tui.app import MinicrmApp
from minicrm.tui.modals import PromptModal
from minicrm.tui.screens.pipeline import PipelineScreen

SIZE = (120, 40)


def errors(app: Any) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


def deal_row(ctx: Any, deal_id: int) -> tuple[str, str]:
    row = ctx.db.one("SELECT stage, status FROM deal WHERE id = ?", (deal_id,))
    return row["stage"], row["status"]


async def test_a_move_made_elsewhere_is_not_undone_by_the_board(seeded: dict[str, int], check: Any) -> None:
    app = MinicrmApp(screen="pipeline")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # Globex pilot selected, in "lead"
        deals.move(check(), seeded["Globex pilot"], "negotiation")  # another shell
        await pilot.press("shift+right")  # would move it back to "qualified"
        await settle(pilot)
        assert errors(app) and "changed" in errors(app)[0]
        screen = app.screen
        assert isinstance(screen, PipelineScreen) and screen.board is not None
        assert seeded["Globex pilot"] in [d.id for d in screen.board.columns["negotiation"]]  # reloaded
    assert deal_row(check(), seeded["Globex pilot"]) == ("negotiation", "open")


async def test_won_on_a_deal_lost_elsewhere_is_refused(seeded: dict[str, int], check: Any) -> None:
    app = MinicrmApp(screen="pipeline")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        deals.lost(check(), seeded["Globex pilot"], "price")
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert errors(app)
    assert deal_row(check(), seeded["Globex pilot"]) == ("lead", "lost")


async def test_the_won_dialogs_note_is_kept_on_the_deals_timeline(seeded: dict[str, int], check: Any) -> None:
    app = MinicrmApp(screen="pipeline")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("w", *"signed", "space", *"today", "enter")
        await settle(pilot)
    ctx = check()
    assert deal_row(ctx, seeded["Globex pilot"]) == ("lead", "won")
    notes = interactions.timeline(ctx, Links(deal=str(seeded["Globex pilot"])), kinds=("note",))
    assert [n.body for n in notes] == ["signed today"]
    assert notes[0].contact_id == seeded["carla"]


async def test_done_on_a_follow_up_changed_elsewhere_is_refused(seeded: Any, check: Any) -> None:
    app = MinicrmApp(screen="followups")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # the first: Send the proposal (overdue)
        ctx = check()
        first = next(f for f in followups.list_followups(ctx, "open") if f.title == "Send the proposal")
        followups.edit(ctx, first.id, FollowUpPatch(title="Send the revised proposal"))
        await pilot.press("d")
        await settle(pilot)
        assert errors(app)
        assert "Send the revised proposal" in str(app.screen.query_one("#followups").render_line(1))
    assert followups.get(check(), first.id).done_at is None


async def test_done_on_today_names_the_version_too(seeded: Any, check: Any) -> None:
    app = MinicrmApp(screen="today")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # the first item: Send the proposal
        ctx = check()
        first = next(f for f in followups.list_followups(ctx, "open") if f.title == "Send the proposal")
        followups.snooze(ctx, first.id, parse_when("tomorrow", ctx.clock))
        await pilot.press("d")
        await settle(pilot)
        assert errors(app)
    assert followups.get(check(), first.id).done_at is None


async def test_a_failed_snooze_brings_the_dialog_back_with_what_was_typed(seeded: Any, check: Any) -> None:
    app = MinicrmApp(screen="followups")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ctx = check()
        first = next(f for f in followups.list_followups(ctx, "open") if f.title == "Send the proposal")
        followups.edit(ctx, first.id, FollowUpPatch(title="Send it"))
        await pilot.press("s", *["backspace"] * 8, *"next", "space", *"monday", "enter")
        await settle(pilot)
        assert errors(app)
        assert isinstance(app.screen, PromptModal)
        assert app.screen.query_one(Input).value == "next monday"
        await pilot.press("enter")  # over the follow-up as it is now: saved
        await settle(pilot)
    snoozed = followups.get(check(), first.id)
    assert snoozed.title == "Send it" and snoozed.snoozed_until is not None
