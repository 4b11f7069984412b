"""Has anyone else written since I last looked? A stamp that is cheap enough to ask every second.

SQLite: ``PRAGMA data_version``, which changes when another connection commits to the file (a
write of this connection leaves it as it is: the writer knows). PostgreSQL has no such counter
per database, so the stamp is the newest operation id: every write is one operation of the
change log (``operation`` ids are never reused), an undo is a new operation too. One indexed
lookup either way, no table scan.
"""

from __future__ import annotations

from minicrm.services.kernel.context import Context


def data_stamp(ctx: Context) -> int:
    """A number that differs from the last one when another writer has committed since."""
    db = ctx.db
    if db.is_sqlite:
        return int(db.scalar("PRAGMA data_version"))
    return int(db.scalar("SELECT coalesce(max(id), 0) FROM operation") or 0)
