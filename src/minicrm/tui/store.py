"""The TUI's door to the services: one Context, used from worker threads one call at a time.

The sqlite3 connection is opened with ``check_same_thread=False``; the lock makes sure only one
thread uses it at a time. The context is opened lazily by the first worker, so the first paint
never waits for the database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from minicrm.services.kernel.context import Context
from minicrm.services.opening import open_services

T = TypeVar("T")


class Store:
    def __init__(self, db: str | None = None, user: str | None = None) -> None:
        self._db = db
        self._user = user
        self._ctx: Context | None = None
        self._lock = threading.Lock()

    def call(
        self, fn: Callable[..., T], *args: Any, is_stale: Callable[[], bool] | None = None, **kwargs: Any
    ) -> T | None:
        """Run ``fn(ctx, *args)``; returns None without running it when ``is_stale()`` says the
        answer is no longer wanted (a newer keystroke superseded it while this one waited)."""
        with self._lock:
            if is_stale is not None and is_stale():
                return None
            if self._ctx is None:
                self._ctx = open_services(self._db, user=self._user)
            return fn(self._ctx, *args, **kwargs)

    def close(self) -> None:
        with self._lock:
            if self._ctx is not None:
                self._ctx.close()
                self._ctx = None
