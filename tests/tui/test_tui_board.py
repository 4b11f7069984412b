"""The board scrolls sideways: every stage is reachable at 80×24 and 120×40, the selected deal is
always on screen, and the keys act only on it; won and lost columns on request."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import OptionList

from conftest import screen_text, settle
from minicrm.core.config import config_path
from minicrm.services.deals import commands as deals
from minicrm.services.dto import DealCreate
from minicrm.services.kernel.context import open_context
from minicrm.tui.app import MinicrmApp
from minicrm.tui.screens.pipeline import PipelineScreen, StageColumn

STAGES = ("lead", "contacted", "qualified", "demo", "proposal", "negotiation", "contract")


def board_with(stages: int) -> dict[str, int]:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = ",\n".join(
        f'  {{ name = "{s}", probability = {10 + 10 * i} }}' for i, s in enumerate(STAGES[:stages])
    )
    path.write_text(f'[[pipelines]]\nname = "default"\nstages = [\n{rows}\n]\n')
    ids = {}
    with open_context() as ctx:
        for stage in STAGES[:stages]:
            ids[stage] = deals.add(ctx, DealCreate(title=f"Deal in {stage}", value="100", stage=stage)).id
    return ids


def visible(screen: PipelineScreen, column: StageColumn) -> bool:
    board = screen.query_one("#board").region
    return board.x <= column.region.x and column.region.right <= board.right


@pytest.mark.parametrize(("size", "stages"), [((80, 24), 5), ((80, 24), 7), ((120, 40), 5), ((120, 40), 7)])
async def test_every_stage_is_reached_and_the_selected_deal_is_on_screen(
    size: tuple[int, int], stages: int
) -> None:
    board_with(stages)
    app = MinicrmApp(screen="pipeline")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PipelineScreen)
        columns = list(screen.query(StageColumn))
        assert len(columns) == stages
        assert sum(visible(screen, c) for c in columns) >= min(stages, size[0] // 26)  # more than one
        for i in range(stages):
            focused = columns[screen._focused_column() or 0]
            assert focused is columns[i] and visible(screen, focused)
            assert f"Deal in {STAGES[i]}" in screen_text(app)
            await pilot.press("right")
            await settle(pilot)
        for _ in range(stages):
            await pilot.press("left")
        await settle(pilot)
        assert screen._focused_column() == 0 and visible(screen, columns[0])


async def test_keys_act_on_the_deal_the_rep_sees(check: Any) -> None:
    ids = board_with(7)
    app = MinicrmApp(screen="pipeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("right", "right", "right")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PipelineScreen)
        assert "Deal in demo" in screen_text(app)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
    row = check().db.one("SELECT status FROM deal WHERE id = ?", (ids["demo"],))
    assert row["status"] == "won"


async def test_won_and_lost_columns_on_request(check: Any) -> None:
    ids = board_with(5)
    deals.won(check(), ids["lead"])
    deals.lost(check(), ids["demo"], "price")
    app = MinicrmApp(screen="pipeline")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PipelineScreen)
        assert [c.stage for c in screen.query(StageColumn)] == list(STAGES[:5])
        await pilot.press("v")
        await settle(pilot)
        columns = list(screen.query(StageColumn))
        assert [c.stage for c in columns][-2:] == ["won", "lost"]
        for _ in range(6):
            await pilot.press("right")
        await settle(pilot)
        assert screen._focused_column() == 6 and visible(screen, columns[6])
        assert columns[6].query_one(OptionList).highlighted_option.id == str(ids["demo"])  # type: ignore[union-attr]
        await pilot.press("shift+left")  # a closed deal does not move from the board
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert len(list(screen.query(StageColumn))) == 5
    assert check().db.one("SELECT status FROM deal WHERE id = ?", (ids["demo"],))["status"] == "lost"


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (100, 30)])
async def test_the_board_shows_whole_columns_only(size: tuple[int, int]) -> None:
    """No sliver of a column at the right edge: each column on screen is whole, at every step."""
    board_with(7)
    app = MinicrmApp(screen="pipeline")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PipelineScreen)
        board = screen.query_one("#board").region
        for _ in range(7):
            columns = list(screen.query(StageColumn))
            on_screen = [c for c in columns if c.region.width and c.region.overlaps(board)]
            assert on_screen and all(visible(screen, c) for c in on_screen)
            assert board.right - on_screen[-1].region.right < 26  # no room for one more
            await pilot.press("right")
            await settle(pilot)


async def test_an_empty_column_says_so_rather_than_a_total_of_zero() -> None:
    board_with(2)
    with open_context() as ctx:
        lead = next(d for d in deals.list_deals(ctx) if d.stage == "lead")
        deals.move(ctx, lead.id, "contacted")
    app = MinicrmApp(screen="pipeline")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        shown = screen_text(app)
    assert "lead (0)" in shown and "no deals" in shown
    assert shown.count("none yet") == 2  # won and lost, no deal in either yet
    assert "latest 0" not in shown
