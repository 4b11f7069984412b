"""Write a note in ``$VISUAL`` / ``$EDITOR``: the app suspends (the terminal is the editor's),
resumes when the editor exits, and the note is what was saved, lines starting with ``#`` taken
out (the header says whom it is for). An empty note, or an editor that failed, saves nothing."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from textual.app import App, SuspendNotSupported

from minicrm.core.text import inert

HEADER = "# {who}: write the note below; lines starting with # are left out. Save and quit to keep it.\n"


def editor_command() -> list[str]:
    """The user's editor as argv (``$VISUAL``, then ``$EDITOR``, then vi)."""
    raw = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return shlex.split(raw)


def note_text(written: str) -> str:
    lines = [line for line in written.splitlines() if not line.startswith("#")]
    return "\n".join(lines).strip()


def edit_note(app: App[object], who: str) -> str | None:
    """Run the editor on a fresh file; the note typed, or None (nothing written, editor failed,
    or a terminal that cannot be suspended, told in a notification)."""
    fd, name = tempfile.mkstemp(prefix="minicrm-note-", suffix=".md")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(HEADER.format(who=inert(" ".join(who.split()))) + "\n")
        try:
            with app.suspend():
                status = subprocess.call([*editor_command(), str(path)])
        except SuspendNotSupported:
            app.notify(
                "this terminal cannot hand over to an editor; n opens the note form", severity="warning"
            )
            return None
        except OSError as err:
            app.notify(f"cannot start the editor: {err}", severity="error", markup=False)
            return None
        if status != 0:
            app.notify(f"the editor exited with status {status}: nothing saved", severity="warning")
            return None
        body = note_text(path.read_text(encoding="utf-8", errors="replace"))
        return body or None
    finally:
        path.unlink(missing_ok=True)
