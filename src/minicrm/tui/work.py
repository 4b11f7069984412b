"""Database work off the UI thread: a thread worker runs the service call and hands the
result back to the UI thread; a MinicrmError becomes an error notification, never a crash."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.dom import DOMNode
from textual.worker import Worker, get_current_worker

from minicrm.core.errors import MinicrmError

if TYPE_CHECKING:
    from minicrm.tui.app import MinicrmApp


def run_db(
    node: DOMNode,
    fn: Callable[..., Any],
    *args: Any,
    then: Callable[[Any], Any] | None = None,
    failed: Callable[[Exception], Any] | None = None,
    group: str = "db",
    exclusive: bool = False,
    quiet: bool = False,
    **kwargs: Any,
) -> Worker[None]:
    """Run ``fn(ctx, *args, **kwargs)`` in a thread worker; call ``then(result)`` on the UI
    thread. ``exclusive`` cancels the group's previous worker (and skips its query if it has
    not started yet). A MinicrmError is a notification, then ``failed(error)`` on the UI thread;
    ``quiet`` (a background poll): no notification for any error, only ``failed(error)``."""
    app: MinicrmApp = node.app  # type: ignore[assignment]

    def deliver(callback: Callable[..., Any], *values: Any, **options: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the app is closing
            app.call_from_thread(callback, *values, **options)

    def job() -> None:
        worker = get_current_worker()
        try:
            result = app.store.call(fn, *args, is_stale=lambda: worker.is_cancelled, **kwargs)
        except Exception as err:
            if not quiet:
                if isinstance(err, MinicrmError):
                    deliver(app.notify, str(err), severity="error", title="Not done")
                else:
                    deliver(
                        app.notify, f"{type(err).__name__}: {err}", severity="error", title="Unexpected error"
                    )
            if failed is not None and (quiet or isinstance(err, MinicrmError)):
                deliver(failed, err)
            return
        if worker.is_cancelled or then is None:
            return
        deliver(then, result)

    return node.run_worker(job, thread=True, group=group, exclusive=exclusive, exit_on_error=False)
