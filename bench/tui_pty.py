"""The TUI as a user runs it: ``minicrm tui`` in a pseudo-terminal, driven by keystrokes written
to the terminal, measured by what the app writes back (no Pilot, no headless mode).

The child runs the real command (``python -m minicrm tui``, the CLI included) with a small probe
installed first (``PROBE``): it notes, on a pipe, when the app takes a key off the terminal, when
the filter box handles it, and when a frame that shows the filter's matches has been handed to the
terminal. Both processes read ``time.perf_counter`` (CLOCK_MONOTONIC: one clock for both), so:

- end to end: the key written to the terminal → the status line of its matches read back from
  the terminal (what a user waits for);
- in the app: the key handled by the filter box → the frame with its matches written
  (what the app itself costs, whatever drives it).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

SRC = Path(__file__).resolve().parent.parent / "src"

# Installed in the child before the CLI runs. It only observes: it wraps three methods to write a
# line to the pipe and otherwise leaves the app alone.
PROBE = r"""
import json, os, sys, time
_fd = int(os.environ.pop("TUI_PROBE_FD"))

def _note(**event):
    event["t"] = time.perf_counter()
    os.write(_fd, (json.dumps(event) + "\n").encode())

from textual.app import App
from textual.widgets import Input

_post = App.post_message
def post_message(self, message):
    if type(message).__name__ == "Key":
        _note(what="read", key=message.key)
    return _post(self, message)
App.post_message = post_message

_on_key = Input._on_key
async def _input_key(self, event):
    if self.id == "filter":
        _note(what="key", key=event.key)
    await _on_key(self, event)
Input._on_key = _input_key

_display = App._display
def _shown(self, screen, renderable):
    _display(self, screen, renderable)
    if renderable is None or not screen.is_current:
        return
    try:
        rows = screen.query_one("#rows")
        value = screen.query_one("#filter").value
    except Exception:
        return
    top = int(rows.scroll_y)
    bottom = max(top, min(rows.total, top + rows.size.height) - 1)
    loaded = rows.total == 0 or (rows.row(top) is not None and rows.row(bottom) is not None)
    _note(
        what="frame",
        search=getattr(rows.source, "search", None),
        value=value,
        total=rows.total,
        cursor=rows.cursor,
        loaded=loaded,
    )
App._display = _shown

sys.argv = ["minicrm", *sys.argv[1:]]
from minicrm.cli.entry import main
main()
"""


Event = dict[str, Any]


@dataclass
class Session:
    """One ``minicrm tui`` in a pseudo-terminal; ``peak_rss`` (MiB) is known once it has quit."""

    db: Path
    size: tuple[int, int] = (120, 40)
    screen: str = "contacts"
    output: bytearray = field(default_factory=bytearray)
    #: (when, size of ``output`` then): when each byte arrived
    arrivals: list[tuple[float, int]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    started: float = 0.0
    peak_rss: float = 0.0

    def __enter__(self) -> Session:
        self.master, slave = pty.openpty()
        cols, lines = self.size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, cols, 0, 0))
        self.probe_r, probe_w = os.pipe()
        env = {
            **os.environ,
            "PYTHONPATH": str(SRC),
            "MINICRM_DB": str(self.db),
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "TUI_PROBE_FD": str(probe_w),
        }
        self._probe_buf = b""
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", PROBE, "tui", "--screen", self.screen],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            pass_fds=(probe_w,),
            start_new_session=True,
        )
        os.close(slave)
        os.close(probe_w)
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError):
            self.write(b"q")
        deadline = time.perf_counter() + 10
        while True:  # keep reading meanwhile: a full terminal would block the app's last writes
            pid, _, usage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                self.proc.kill()
                _, _, usage = os.wait4(self.proc.pid, 0)
                break
            self.pump(0.05)
        self.proc.returncode = 0  # reaped here (wait4 gives its peak memory)
        self.peak_rss = usage.ru_maxrss / 1024
        os.close(self.master)
        os.close(self.probe_r)

    def alive(self) -> bool:
        """Without reaping it (``__exit__`` does, to read its peak memory)."""
        info = os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        return info is None

    def write(self, data: bytes) -> float:
        now = time.perf_counter()
        os.write(self.master, data)
        return now

    def pump(self, timeout: float) -> None:
        """Read what the app wrote to the terminal and to the probe for up to ``timeout``."""
        ready, _, _ = select.select([self.master, self.probe_r], [], [], max(0.0, timeout))
        now = time.perf_counter()
        if self.master in ready:
            try:
                chunk = os.read(self.master, 1 << 16)
            except OSError:
                chunk = b""
            if chunk:
                self.output += chunk
                self.arrivals.append((now, len(self.output)))
        if self.probe_r in ready:
            self._probe_buf += os.read(self.probe_r, 1 << 16)
            *lines, self._probe_buf = self._probe_buf.split(b"\n")
            self.events += [json.loads(line) for line in lines if line]

    def until(self, condition: Callable[[], Any], timeout: float = 30.0) -> Any:
        """Pump until ``condition()`` gives something true, and return that."""
        deadline = time.perf_counter() + timeout
        while not (found := condition()):
            if time.perf_counter() > deadline or not self.alive():
                tail = bytes(self.output[-300:])
                raise TimeoutError(f"the TUI did not get there: {tail!r}")
            self.pump(0.05)
        return found

    def seen(self, text: str, start: int = 0) -> float | None:
        """When the terminal output first held ``text`` beyond byte ``start`` (None: not yet)."""
        data = text.encode()
        at = self.output.find(data, start)
        if at < 0:
            return None
        return next(t for t, size in self.arrivals if size >= at + len(data))

    def event(self, since: int, what: str, test: Callable[[Event], bool] = lambda e: True) -> Event | None:
        return next((e for e in self.events[since:] if e["what"] == what and test(e)), None)

    def quiet(self, seconds: float = 0.3) -> None:
        """Read until the app has written nothing for ``seconds``."""
        while True:
            before = len(self.output), len(self.events)
            deadline = time.perf_counter() + seconds
            while time.perf_counter() < deadline:
                self.pump(deadline - time.perf_counter())
            if (len(self.output), len(self.events)) == before:
                return


def status(value: str) -> str:
    """The list's status line for a filter, as the contacts screen writes it."""
    return f"matching \N{LEFT DOUBLE QUOTATION MARK}{value}\N{RIGHT DOUBLE QUOTATION MARK}"


def first_paint(db: Path, marks: tuple[str, ...], screen: str = "contacts") -> list[float]:
    """Seconds from launching ``minicrm tui`` until each of ``marks`` was read back from the
    terminal (e.g. the first row's name, then the list's total)."""
    with Session(db, screen=screen) as s:
        return [s.until(partial(s.seen, m)) - s.started for m in marks]


def showing(value: str, frame: Event) -> bool:
    """Whether a frame shows the matches of ``value`` (typed and searched, rows loaded)."""
    return bool(frame["search"] == frame["value"] == value and frame["loaded"])


def typing(db: Path, queries: tuple[str, ...]) -> dict[str, list[float]]:
    """Type each query into the filter, one key at a time, each once the previous one's matches
    are on the screen. Per keystroke: ``e2e`` (key written → its status line read back), ``app``
    (key handled by the filter box → the frame with its matches written), ``rss`` (peak, MiB)."""
    out: dict[str, list[float]] = {"e2e": [], "app": [], "rss": []}
    with Session(db) as s:
        s.until(lambda: s.seen(" contacts \N{MIDDLE DOT} sorted by"))
        s.quiet()
        for query in queries:
            s.write(b"/")
            s.quiet(0.1)
            for end in range(1, len(query) + 1):
                value = query[:end]
                mark, since = len(s.output), len(s.events)
                sent = s.write(query[end - 1].encode())
                got = s.until(partial(s.seen, status(value), mark))
                key = s.until(partial(s.event, since, "key"))
                drawn = s.until(partial(s.event, since, "frame", partial(showing, value)))
                out["e2e"].append(got - sent)
                out["app"].append(drawn["t"] - key["t"])
            s.write(b"\x1b")  # esc clears the filter
            s.quiet(0.2)
    out["rss"].append(s.peak_rss)
    return out


def burst(db: Path, query: str, gap: float = 0.03) -> float:
    """Type ``query`` a key every ``gap`` seconds, faster than matches come back; returns the
    seconds from the last key written to its matches read back."""
    with Session(db) as s:
        s.until(lambda: s.seen(" contacts \N{MIDDLE DOT} sorted by"))
        s.quiet()
        s.write(b"/")
        s.quiet(0.1)
        mark = len(s.output)
        last = 0.0
        for ch in query:
            last = s.write(ch.encode())
            while time.perf_counter() < last + gap:
                s.pump(last + gap - time.perf_counter())
        return float(s.until(lambda: s.seen(status(query), mark))) - last


PAGE_DOWN = b"\x1b[6~"


def below(cursor: int, frame: Event) -> bool:
    """Whether a frame has the cursor past ``cursor`` and every visible row loaded."""
    return bool(frame["cursor"] > cursor and frame["loaded"])


def scrolling(db: Path, steps: int = 40) -> dict[str, list[float]]:
    """Page down ``steps`` times, each once the last is drawn. Per step: ``e2e`` (key written →
    the frame with the cursor there and every visible row loaded, written) and ``app`` (key read
    by the app → that frame)."""
    out: dict[str, list[float]] = {"e2e": [], "app": []}
    with Session(db) as s:
        s.until(lambda: s.seen(" contacts \N{MIDDLE DOT} sorted by"))
        s.quiet()
        cursor = 0
        for _ in range(steps):
            since = len(s.events)
            sent = s.write(PAGE_DOWN)
            read = s.until(partial(s.event, since, "read"))
            drawn = s.until(partial(s.event, since, "frame", partial(below, cursor)))
            cursor = drawn["cursor"]
            out["e2e"].append(drawn["t"] - sent)
            out["app"].append(drawn["t"] - read["t"])
    return out
