"""Running ``python -m minicrm`` with stdout or stderr on a pseudo-terminal, as on a user's screen."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent


def run_on_terminal(args: list[str], *, stream: str, other: IO[Any] | int | None = None) -> tuple[int, bytes]:
    """Run minicrm with ``stream`` ("stdout" or "stderr") on a pseudo-terminal and the other one
    to ``other``; return the exit code and what the terminal showed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    master, slave = pty.openpty()
    shown: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the other side is closed
                return
            if not chunk:
                return
            shown.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    streams = {"stdout": slave, "stderr": other} if stream == "stdout" else {"stdout": other, "stderr": slave}
    try:
        code = subprocess.run(
            [sys.executable, "-m", "minicrm", *args],
            stdin=subprocess.DEVNULL,
            env=env,
            timeout=60,
            **streams,  # type: ignore[arg-type]
        ).returncode
    finally:
        os.close(slave)
        reader.join(timeout=10)
        os.close(master)
    return code, b"".join(shown)
