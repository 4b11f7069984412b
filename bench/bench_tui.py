"""TUI benchmark at a million contacts (SPEC §7: first paint ≤ 0.6 s, each scroll step within
one frame, filter-as-you-type ≤ 100 ms per keystroke, ≤ 100 MiB).

    PYTHONPATH=src python bench/bench_tui.py [CONTACTS]

Builds (once, cached in bench/.data/) a database with CONTACTS contacts (default 1,000,000) and
prints medians:
- first paint, in a terminal: ``minicrm tui --screen contacts`` started in a pseudo-terminal
  (``tui_pty``) until the first row, and the list's total, are read back from the terminal; the
  same for the Today screen (its title). This is what a user waits for: interpreter, CLI, Textual;
- first paint, in process: from before importing Textual to the first contact rows drawn
  (``App.run_test`` then ``Pilot.pause``, which also waits for the CPU to go idle), beside an
  empty Textual app measured the same way;
- scroll: the cost of drawing one full frame of the list; page-down steps in the terminal (key
  written → the frame with every visible row loaded written; and from the key read by the app);
- filter: each keystroke of a few typed queries in the terminal: end to end (key written → its
  matches' status line read back) and in the app (the key handled by the filter box → the frame
  with its matches written), then typing faster than the matches come back (last key → its
  matches read back); the same keystrokes through Pilot for reference, beside Pilot's cost for a
  key nothing is bound to (Pilot waits for the app to go idle after each key);
- memory: peak RSS of the terminal session that filtered, and of the Pilot process.
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
    from minicrm.services.contacts import browse
    from minicrm.services.kernel.context import open_context

    times = []
    with open_context(db) as ctx:
        for query in QUERIES:
            for end in range(1, len(query) + 1):
                started = time.perf_counter()
                browse.contact_window(ctx, query[:end])
                times.append(time.perf_counter() - started)
    return times


def first_row_name(db: Path) -> str:
    from minicrm.services.contacts import browse
    from minicrm.services.kernel.context import open_context

    with open_context(db) as ctx:
        return browse.contact_window(ctx, "", limit=1)[1][0].name


def line(label: str, values: list[float], unit: float = 1000.0) -> str:
    return (
        f"  {label:<34}{statistics.median(values) * unit:7.1f} ms   (max {max(values) * unit:.1f}, "
        f"n={len(values)})"
    )


def main() -> None:
    import tui_pty
    from tui_data import database

    contacts = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    # built (once) in a child process: a process forked after this one had grown to build a
    # million rows would report that size as its own peak memory (Linux keeps it across exec)
    builder = [sys.executable, str(HERE / "tui_data.py"), str(contacts)]
    subprocess.run(builder, check=True, stdout=subprocess.DEVNULL)
    db = database(contacts)
    print(f"TUI at {contacts:,} contacts ({db.stat().st_size / 2**20:.0f} MiB database), medians:")
    load = os.getloadavg()[0]
    print(f"  (load average {load:.2f} on {os.cpu_count()} cores before the run)")
    first = first_row_name(db)
    runs = [tui_pty.first_paint(db, (first, f"{contacts:,} contacts")) for _ in range(RUNS)]
    rows_at, total_at = [r[0] for r in runs], [r[1] for r in runs]
    print(
        f"  first paint in a terminal, contacts {statistics.median(rows_at) * 1000:5.0f} ms   (runs: "
        f"{', '.join(f'{t * 1000:.0f}' for t in rows_at)}; with the total "
        f"{statistics.median(total_at) * 1000:.0f})"
    )
    today = [tui_pty.first_paint(db, ("follow-ups waiting",), screen="today")[0] for _ in range(RUNS)]
    print(f"  first paint in a terminal, today    {statistics.median(today) * 1000:5.0f} ms")
    empty = first_paint(None, "")
    print(f"  (reference: an empty Textual app {statistics.median(empty) * 1000:.0f} ms in process)")
    paint = first_paint(db, "contacts")
    print(
        f"  first paint in process, contacts    {statistics.median(paint) * 1000:5.0f} ms   (runs: "
        f"{', '.join(f'{t * 1000:.0f}' for t in paint)})"
    )
    paint = first_paint(db, "today")
    print(f"  first paint in process, today       {statistics.median(paint) * 1000:5.0f} ms")
    scroll = tui_pty.scrolling(db)
    typed = tui_pty.typing(db, QUERIES)
    bursts = [tui_pty.burst(db, query) for query in QUERIES for _ in range(2)]
    figures = asyncio.run(interactive(db))
    print(line("draw one list frame", figures["frame"]))
    print(line("page-down step, terminal", scroll["e2e"]))
    print(line("page-down step, in the app", scroll["app"]))
    print(line("(Pilot) cursor down step", figures["down"]))
    print(line("(Pilot) page-down step", figures["pagedown"]))
    print(line("(Pilot) jump to the last row", figures["jump_end"]))
    print(line("filter keystroke, terminal", typed["e2e"]))
    print(line("filter keystroke, in the app", typed["app"]))
    print(line("filter typed fast, last key", bursts))
    print(line("(Pilot) filter keystroke", figures["keystroke"]))
    print(line("(Pilot) an unbound key", figures["unbound"]))
    print(line("filter query alone", filter_queries(db)))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS, terminal session        {typed['rss'][0]:7.0f} MiB")
    print(f"  peak RSS, Pilot process           {rss:7.0f} MiB")
    summary = {f"pilot_{k}": statistics.median(v) for k, v in figures.items()}
    summary |= {
        "first_paint_terminal": statistics.median(rows_at),
        "first_paint_terminal_today": statistics.median(today),
        "keystroke_terminal": statistics.median(typed["e2e"]),
        "keystroke_app": statistics.median(typed["app"]),
        "pagedown_terminal": statistics.median(scroll["e2e"]),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
