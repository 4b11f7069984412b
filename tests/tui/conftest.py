"""Fixtures for the TUI tests: the fixed dataset and a helper that waits for the workers."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from textual.pilot import Pilot
from tui_dataset import seed

from minicrm.services.kernel.context import Context, open_context


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests on a fresh event loop (no async plugin needed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**args))
    return True


@pytest.fixture
def seeded() -> dict[str, int]:
    with open_context() as ctx:
        return seed(ctx)


@pytest.fixture
def check() -> Iterator[Any]:
    """A fresh Context, to assert what the app wrote (as another process would see it)."""
    contexts: list[Context] = []

    def make() -> Context:
        contexts.append(open_context())
        return contexts[-1]

    yield make
    for ctx in contexts:
        ctx.close()


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until the database workers and the UI updates they trigger are all done."""
    from textual.worker import WorkerCancelled

    for _ in range(4):
        for _attempt in range(10):
            try:
                await pilot.app.workers.wait_for_complete()
                break
            except WorkerCancelled:  # a newer keystroke's query replaced it: wait for that one
                continue
        await pilot.pause()


def screen_text(app: Any) -> str:
    """What the terminal shows now, as plain text lines (from the app's SVG screenshot)."""
    import html
    import re

    rows: dict[float, list[tuple[float, str]]] = {}
    for m in re.finditer(
        r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', app.export_screenshot()
    ):
        rows.setdefault(float(m.group(2)), []).append((float(m.group(1)), html.unescape(m.group(3))))
    return "\n".join(
        "".join(t for _x, t in sorted(parts)).replace("\xa0", " ") for _y, parts in sorted(rows.items())
    )
