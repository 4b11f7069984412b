"""The run log: when ``due`` last ran, so that ``due --since-last-run`` can catch up on a
missed night and ``doctor`` can tell when the cron job has stopped."""

from __future__ import annotations

from datetime import datetime, timedelta

from minicrm.core.clock import from_db, to_db
from minicrm.services.kernel.context import Context

DUE = "due"
#: runs older than this are pruned when a new one is recorded
KEEP = timedelta(days=90)


def ago(moment: datetime, now: datetime) -> str:
    """``5 hours ago`` up to two days, then ``3 days ago``. A moment after ``now`` (the clock
    was set back, or another machine's clock is ahead) is said to be so, never "-3 hours ago"."""
    seconds = (now - moment).total_seconds()
    if seconds < 0:
        return "later than now (is a clock wrong?)"
    hours = int(seconds // 3600)
    if hours == 0:
        return "less than an hour ago"
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    return f"{hours // 24} days ago"


def last_run(ctx: Context, kind: str = DUE) -> datetime | None:
    db = ctx.db
    return from_db(db.scalar("SELECT max(at) FROM run_log WHERE kind = ?", (kind,)))


def record_run(ctx: Context, kind: str = DUE) -> None:
    """Note that ``kind`` ran now (not user data: no change-log entry, nothing to undo)."""
    now = ctx.clock.now()
    with ctx.db.transaction() as db:
        db.execute("INSERT INTO run_log (kind, at) VALUES (?, ?)", (kind, to_db(now)))
        db.execute("DELETE FROM run_log WHERE kind = ? AND at < ?", (kind, to_db(now - KEEP)))
