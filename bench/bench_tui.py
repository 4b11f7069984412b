"""TUI benchmark at a million contacts (SPEC §7: first paint ≤ 0.6 s, each scroll step within
one frame, filter-as-you-type ≤ 100 ms per keystroke, ≤ 100 MiB).

    PYTHONPATH=src python bench/bench_tui.py [CONTACTS]

Builds (once, cached in bench/.data/) a database with CONTACTS contacts (default 1,000,000) and
prints medians:
- first paint: a fresh process, from before importing Textual to the first contact rows drawn
  (``App.run_test``, contacts screen), and the same for the Today screen;
- scroll: the cost of drawing one full frame of the list, and page-down steps end to end (key
  press → the new rows fetched and drawn), plus a jump to the last row;
- filter: each keystroke of a few typed queries, key press → matches counted and first page drawn;
- memory: peak RSS of the process that scrolled and filtered.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("MINICRM_NOW", "2026-11-23T10:00:00")
os.environ.setdefault("MINICRM_TZ", "Europe/Lisbon")
SIZE = (120, 40)
RUNS = 5
QUERIES = ("ana silva 12", "costa", "example.com", "xq")

EMPTY_APP = """
import time
started = time.perf_counter()
import asyncio
from textual.app import App
from textual.widgets import Static

class Empty(App):
    def compose(self):
        yield Static("hello")

async def main() -> None:
    async with Empty().run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        print(time.perf_counter() - started)

asyncio.run(main())
"""

FIRST_PAINT = """
import time
started = time.perf_counter()
import asyncio, sys
from minicrm.tui.app import MinicrmApp
from minicrm.tui.virtual_list import VirtualList

async def main() -> None:
    app = MinicrmApp(sys.argv[1], screen=sys.argv[2])
    async with app.run_test(size=(120, 40)) as pilot:
        while True:
            if sys.argv[2] == "contacts":
                rows = app.screen.query(VirtualList)
                if rows and rows.first().row(0) is not None:
                    break
            elif app.screen.query("#agenda") and app.screen.query_one("#agenda").option_count:
                break
            await asyncio.sleep(0.002)
        await pilot.pause()
        print(time.perf_counter() - started)

asyncio.run(main())
"""


def first_paint(db: Path | None, screen: str) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src")}
    times = []
    args = ["-c", FIRST_PAINT, str(db), screen] if db else ["-c", EMPTY_APP]
    for _ in range(RUNS):
        out = subprocess.run(
            [sys.executable, *args],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return times


async def wait_until(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the TUI did not settle")
        await asyncio.sleep(0.0005)


def list_busy(app) -> bool:  # type: ignore[no-untyped-def]
    return any(
        w.is_running for w in app.workers if w.group in ("reload", "count") or w.group.startswith("page-")
    )


def visible_loaded(rows) -> bool:  # type: ignore[no-untyped-def]
    top = int(rows.scroll_y)
    last = min(rows.total, top + rows.size.height) - 1
    return rows.row(top) is not None and rows.row(max(top, last)) is not None


async def interactive(db: Path) -> dict[str, list[float]]:
    from textual.geometry import Region

    from minicrm.tui.app import MinicrmApp
    from minicrm.tui.virtual_list import VirtualList

    figures: dict[str, list[float]] = {
        "frame": [],
        "pagedown": [],
        "down": [],
        "jump_end": [],
        "keystroke": [],
        "unbound": [],
    }
    app = MinicrmApp(str(db), screen="contacts")
    async with app.run_test(size=SIZE) as pilot:
        rows = app.screen.query_one("#rows", VirtualList)
        await wait_until(lambda: rows.row(0) is not None and rows.total > 0 and not list_busy(app))
        await pilot.pause()
        for _ in range(60):  # page-down steps, end to end
            started = time.perf_counter()
            await pilot.press("pagedown")
            await wait_until(lambda: visible_loaded(rows))
            figures["pagedown"].append(time.perf_counter() - started)
            started = time.perf_counter()
            rows.render_lines(Region(0, 0, rows.size.width, rows.size.height))  # one full frame
            figures["frame"].append(time.perf_counter() - started)
        for _ in range(60):  # the harness itself: a key nothing is bound to
            started = time.perf_counter()
            await pilot.press("f12")
            figures["unbound"].append(time.perf_counter() - started)
        for _ in range(60):
            started = time.perf_counter()
            await pilot.press("down")
            await wait_until(lambda: visible_loaded(rows))
            figures["down"].append(time.perf_counter() - started)
        for _ in range(3):
            await pilot.press("home")
            await wait_until(lambda: visible_loaded(rows))
            started = time.perf_counter()
            await pilot.press("end")
            await wait_until(lambda: visible_loaded(rows) and rows.cursor == rows.total - 1)
            figures["jump_end"].append(time.perf_counter() - started)
        await pilot.press("slash")
        for query in QUERIES:
            for _ in range(2):
                await pilot.press("escape")
                await pilot.press("slash")
                await wait_until(lambda: not list_busy(app))
                for ch in query:
                    started = time.perf_counter()
                    await pilot.press("space" if ch == " " else ch)
                    await wait_until(
                        lambda: not list_busy(app) and (rows.total == 0 or rows.row(0) is not None)
                    )
                    await pilot.pause()
                    figures["keystroke"].append(time.perf_counter() - started)
    return figures


def filter_queries(db: Path) -> list[float]:
    """The database side of each keystroke alone: matches counted and the first page read."""
    from minicrm.services import browse
    from minicrm.services.context import open_context

    times = []
    with open_context(db) as ctx:
        for query in QUERIES:
            for end in range(1, len(query) + 1):
                started = time.perf_counter()
                browse.contact_window(ctx, query[:end])
                times.append(time.perf_counter() - started)
    return times


def main() -> None:
    from tui_data import database

    contacts = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    db = database(contacts)
    print(f"TUI at {contacts:,} contacts ({db.stat().st_size / 2**20:.0f} MiB database), medians:")
    empty = first_paint(None, "")
    print(f"  (reference: an empty Textual app {statistics.median(empty) * 1000:.0f} ms to first paint)")
    paint = first_paint(db, "contacts")
    print(
        f"  first paint, contacts list    {statistics.median(paint) * 1000:7.0f} ms   (runs: "
        f"{', '.join(f'{t * 1000:.0f}' for t in paint)})"
    )
    paint = first_paint(db, "today")
    print(f"  first paint, today            {statistics.median(paint) * 1000:7.0f} ms")
    figures = asyncio.run(interactive(db))
    for key, label in (
        ("frame", "draw one list frame"),
        ("down", "cursor down step"),
        ("pagedown", "page-down step"),
        ("jump_end", "jump to the last row"),
        ("unbound", "(reference: an unbound key)"),
        ("keystroke", "filter keystroke"),
    ):
        values = figures[key]
        print(
            f"  {label:<30}{statistics.median(values) * 1000:7.1f} ms   (max {max(values) * 1000:.1f}, "
            f"n={len(values)})"
        )
    queries = filter_queries(db)
    print(
        f"  {'filter query alone':<30}{statistics.median(queries) * 1000:7.1f} ms   (max "
        f"{max(queries) * 1000:.1f}, n={len(queries)})"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS                      {rss:7.0f} MiB")
    print(json.dumps({k: statistics.median(v) for k, v in figures.items()}))


if __name__ == "__main__":
    main()
