"""Event hooks, Taskwarrior's model: executables in ``<config dir>/hooks/`` run on events.

A hook is an executable named for its event (``on-add``), or starting with it (``on-add-slack``,
``on-add.py``), or any executable inside a directory named ``<event>.d``; several run in sorted
order. Each receives one JSON object on stdin::

    {"event": "on-change", "entity": "contact", "id": 12, "action": "update",
     "before": {...}, "after": {...}, "user": "ana", "time": "2026-11-23T10:00:00+00:00",
     "summary": "contact edit 12"}

A hook that others could have written (the file, the hooks directory or its ``<event>.d`` is
group- or world-writable, or owned by another user) is refused with a warning, as git and ssh
refuse such files; ``doctor`` names it.

``pre-add``/``pre-change``/``pre-delete`` run inside the transaction, just before it commits:
a non-zero exit (or a hang past ``hook_timeout``) vetoes the change with the hook's first
stderr line as the error, and the transaction rolls back. ``on-…`` hooks run after the commit;
their failures become warnings in ``ctx.warnings`` and never undo the user's data.

A hook that runs minicrm starts a nested command; ``MINICRM_HOOK_DEPTH`` counts the nesting,
and hooks are skipped from depth ``MAX_DEPTH`` on, so a hook that triggers itself stops there.
Without a hooks directory the whole machinery costs one ``stat``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from minicrm.core.errors import Refused

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from typing import Any

    from minicrm.services.kernel.context import Context

EVENTS = (
    "on-add",
    "on-change",
    "on-delete",
    "on-stage-change",
    "on-followup-done",
    "on-due",
    "pre-add",
    "pre-change",
    "pre-delete",
)
#: the change-log action → the event suffix (``create`` → ``add``); other actions count as changes
_ACTION_EVENTS = {"create": "add", "update": "change", "delete": "delete"}
DEPTH_ENV = "MINICRM_HOOK_DEPTH"
MAX_DEPTH = 2


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """One recorded change, as collected by the unit of work."""

    entity: str
    entity_id: int
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Hook:
    path: Path
    name: str  # as shown: "on-add", "on-add-slack", "on-add.d/10-mail"
    event: str | None  # None: the name matches no event
    executable: bool
    #: why it must not run (it, or a directory it is in, is writable by others), or None
    unsafe: str | None = None


# -- discovery -------------------------------------------------------------------------------
def hooks_dir(ctx: Context) -> Path:
    """``hooks/`` next to the config file (``MINICRM_CONFIG`` moves both)."""
    from minicrm.core.paths import hooks_dir as folder

    return folder(ctx.config.path)


def _event_of(name: str) -> str | None:
    base = name[:-2] if name.endswith(".d") else name
    # longest first, so that "on-stage-change-x" is not read as an "on-s…" prefix of another
    for event in sorted(EVENTS, key=len, reverse=True):
        if base == event or base.startswith((event + "-", event + ".", event + "_")):
            return event
    return None


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _unsafe(path: Path, stat: os.stat_result | None = None) -> str | None:
    """Why ``path`` cannot be trusted to hold a hook, as git and ssh judge it: it is writable by
    its group or by everyone, or owned by a user other than this one (or root). Anyone who can
    write a hook runs code as this user the next time minicrm writes."""
    try:
        info = stat or path.stat()
    except OSError:
        return None  # gone: nothing runs
    kind = "directory" if path.is_dir() else "file"
    if info.st_mode & 0o022:
        return f"the {kind} {path} is writable by others ({info.st_mode & 0o777:04o}; chmod go-w {path})"
    uid = os.getuid() if hasattr(os, "getuid") else None
    if uid is not None and info.st_uid not in (uid, 0):
        return f"the {kind} {path} belongs to another user (uid {info.st_uid})"
    return None


def installed(ctx: Context) -> list[Hook]:
    """Every file in the hooks directory, sorted by name (``[]`` when there is none)."""
    return scan(hooks_dir(ctx), ctx.warnings)


def scan(folder: Path, warnings: list[str]) -> list[Hook]:
    """The hooks in ``folder``, each judged (executable, safe); problems reading it go to
    ``warnings``."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        warnings.append(f"cannot read the hooks directory {folder}: {exc.strerror or exc}")
        return []
    found: list[Hook] = []
    unsafe_folder = _unsafe(folder)
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        event = _event_of(entry.name)
        if entry.is_dir() and entry.name.endswith(".d"):
            try:
                inside = sorted(path.iterdir())
            except OSError as exc:
                warnings.append(f"cannot read the hooks directory {path}: {exc.strerror or exc}")
                continue
            unsafe_sub = unsafe_folder or _unsafe(path)
            found += [
                Hook(p, f"{entry.name}/{p.name}", event, _is_executable(p), unsafe_sub or _unsafe(p))
                for p in inside
                if not p.name.startswith(".")
            ]
        else:
            found.append(Hook(path, entry.name, event, _is_executable(path), unsafe_folder or _unsafe(path)))
    return found


def _depth() -> int:
    try:
        return int(os.environ.get(DEPTH_ENV, "0"))
    except ValueError:
        return 0


def wanted(ctx: Context) -> bool:
    """True when some hook may run now, without a word (the unit of work, which runs them,
    reports the hooks directory's problems): a writer of many records keeps their change
    events only then."""
    return _depth() < MAX_DEPTH and any(h.event is not None for h in scan(hooks_dir(ctx), []))


def active(ctx: Context) -> list[Hook]:
    """The hooks that may run now: none from ``MAX_DEPTH`` on, else those matching an event."""
    if _depth() >= MAX_DEPTH:
        return []
    return [h for h in installed(ctx) if h.event is not None]


# -- events of a unit of work ----------------------------------------------------------------
def _events_for(change: ChangeEvent, phase: str) -> list[str]:
    """The event names one change raises in a phase (``pre`` or ``on``)."""
    names = [f"{phase}-{_ACTION_EVENTS.get(change.action, 'change')}"]
    if phase == "on" and change.before and change.after:
        if change.entity == "deal" and change.before.get("stage") != change.after.get("stage"):
            names.append("on-stage-change")
        if change.entity == "followup" and not change.before.get("done_at") and change.after.get("done_at"):
            names.append("on-followup-done")
    return names


def _payload(ctx: Context, event: str, change: ChangeEvent, summary: str) -> dict[str, Any]:
    return {
        "event": event,
        "entity": change.entity,
        "id": change.entity_id,
        "action": change.action,
        "before": change.before,
        "after": change.after,
        "user": ctx.user,
        "time": ctx.clock.now().replace(microsecond=0).isoformat(),
        "summary": summary,
    }


def run_pre_hooks(
    ctx: Context, changes: Sequence[ChangeEvent], summary: str, hooks: Sequence[Hook] | None = None
) -> None:
    """Run ``pre-…`` hooks for the changes; the first that fails raises Refused. ``hooks``:
    what ``active(ctx)`` returned, when the caller already looked."""
    hooks = active(ctx) if hooks is None else hooks
    if not any(h.event and h.event.startswith("pre-") for h in hooks):
        return
    for change in changes:
        for event in _events_for(change, "pre"):
            for hook in _matching(ctx, hooks, event):
                ok, message = _run(ctx, hook, _payload(ctx, event, change, summary))
                if not ok:
                    raise Refused(message)


def run_on_hooks(
    ctx: Context, changes: Sequence[ChangeEvent], summary: str, hooks: Sequence[Hook] | None = None
) -> None:
    """Run ``on-…`` hooks after the commit; failures become warnings."""
    hooks = active(ctx) if hooks is None else hooks
    if not any(h.event and h.event.startswith("on-") for h in hooks):
        return
    for change in changes:
        for event in _events_for(change, "on"):
            _notify(ctx, hooks, event, _payload(ctx, event, change, summary))


def run_due_hooks(ctx: Context, report: Callable[[], dict[str, Any]]) -> None:
    """``on-due`` with the due report (``{"overdue": [...], "due": [...], "cadence": [...]}``),
    built by ``report()`` only when an ``on-due`` hook is installed."""
    hooks = active(ctx)
    if not any(h.event == "on-due" for h in hooks):
        return
    payload = {
        "event": "on-due",
        "entity": "due",
        "id": None,
        "action": "due",
        "before": None,
        "after": report(),
        "user": ctx.user,
        "time": ctx.clock.now().replace(microsecond=0).isoformat(),
        "summary": "due",
    }
    _notify(ctx, hooks, "on-due", payload)


def _notify(ctx: Context, hooks: Iterable[Hook], event: str, payload: dict[str, Any]) -> None:
    for hook in _matching(ctx, hooks, event):
        ok, message = _run(ctx, hook, payload)
        if not ok:
            ctx.warnings.append(message)


def _matching(ctx: Context, hooks: Iterable[Hook], event: str) -> list[Hook]:
    """The hooks for an event; non-executable and unsafe ones are skipped with a warning (once)."""
    runnable = []
    for hook in hooks:
        if hook.event != event:
            continue
        if hook.unsafe:
            warning = f"hook {hook.name} refused: {hook.unsafe}"
        elif hook.executable:
            runnable.append(hook)
            continue
        else:
            warning = f"hook {hook.name} is not executable; skipped (chmod +x to enable it)"
        if warning not in ctx.warnings:
            ctx.warnings.append(warning)
    return runnable


# -- running one hook ------------------------------------------------------------------------
def _run(ctx: Context, hook: Hook, payload: dict[str, Any]) -> tuple[bool, str]:
    """Run a hook with the payload on stdin; (succeeded, message for the user)."""
    import signal
    import subprocess

    data = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    env = {**os.environ, DEPTH_ENV: str(_depth() + 1)}
    timeout = ctx.config.hook_timeout
    try:
        proc = subprocess.Popen(
            [str(hook.path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
            cwd=str(hook.path.parent),
        )
    except OSError as exc:
        return False, f"hook {hook.name} could not start: {exc.strerror or exc}"
    try:
        _, err = proc.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
        proc.communicate()
        return False, f"hook {hook.name} timed out after {timeout:g}s and was stopped"
    if proc.returncode == 0:
        return True, ""
    first = next((line.strip() for line in err.decode("utf-8", "replace").splitlines() if line.strip()), "")
    if hook.event and hook.event.startswith("pre-"):
        return False, first or f"hook {hook.name} refused the change (exit {proc.returncode})"
    detail = f": {first}" if first else ""
    return False, f"hook {hook.name} failed (exit {proc.returncode}){detail}"
