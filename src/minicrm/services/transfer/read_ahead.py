"""Reading and checking an import's records in a second process while this one writes.

An import of a big CSV file spends about a third of its time before the database: parsing the
file, mapping its columns and validating each record (``importer.ContactCheck``); the rest is
the writing, which SQLite does on one connection. ``read_ahead`` starts a child process that
does the first part and sends what it made back in pickled chunks, so that both cores work:
the writer takes the next chunk while the child reads the ones after it
(``bench/bench_import.py`` gives the figures). What the writer sees is exactly what it would
have computed itself, in the same order: the same records, the same rejections, an error of
the file (a line that is not UTF-8) raised at the same place with the same message.

The child is a new interpreter (``python -m minicrm.services.transfer.read_ahead``), not a
fork: a fork copies whatever locks other threads hold (rich's progress display has one
running on a terminal), and is not there on Windows. It is told what to read by a picklable
callable (the file, its mapping, the check) on its stdin and answers on its stdout. It runs
in a session of its own, so Ctrl-C reaches only the writer, whose rollback then ends it; a
writer that is killed leaves it a broken pipe, and it ends. ``multiprocessing`` would do the
same with more machinery (a resource tracker, a pickled ``__main__``); its own parts are the
few lines here.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

#: records per message: big enough that pickling a chunk costs far more than sending it
CHUNK = 500
#: a file this big (bytes) is read ahead: below it, starting the child (~0.3 s) costs more
#: than it gives
MIN_BYTES = 4 << 20
#: the pipe's capacity (Linux lets it grow to ``/proc/sys/fs/pipe-max-size``, 1 MiB by default):
#: with the default 64 KiB the child could not run more than a chunk ahead, and waited for the
#: writer's every batch (2,000 records) while the writer waited for its chunks
PIPE_BYTES = 1 << 20
_HEAD = struct.Struct("<Q")  # the length of the message that follows
_RECORDS, _ERROR = b"R", b"E"

#: one record of an input as the import's loop takes it (``importer._run``): ``(line, row,
#: record)``, the record as read, the error that says why it could not be, or what the check
#: made of it
Row = tuple[int, dict[str, str], Any]


@contextlib.contextmanager
def read_ahead(rows: Callable[[], Iterable[Row]]) -> Iterator[Iterator[Row]]:
    """What ``rows()`` yields, computed in a child process (``rows`` must pickle: an instance
    of a module-level class; where no child can be started, it is called here); the child is
    gone when the block ends, however it ends."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
    except OSError:  # no interpreter to start (an embedded Python): the rows are read here
        yield iter(rows())
        return
    assert child.stdin is not None and child.stdout is not None
    try:
        _grow_pipe(child.stdout.fileno())
        with child.stdin:
            child.stdin.write(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL))
        yield _received(child.stdout)
    finally:
        child.stdout.close()  # a child still sending gets a broken pipe and ends
        child.kill()
        child.wait()


def _grow_pipe(fd: int) -> None:
    with contextlib.suppress(ImportError, AttributeError, OSError):  # Linux only; a limit
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _received(source: IO[bytes]) -> Iterator[Row]:
    from minicrm.core.errors import MinicrmError

    gone = MinicrmError("the process reading the file ahead ended before the end of the file (killed?)")
    while True:
        head = source.read(_HEAD.size)
        if len(head) < _HEAD.size:
            raise gone
        (size,) = _HEAD.unpack(head)
        data = source.read(size)
        if len(data) < size:
            raise gone
        payload = pickle.loads(data[1:])
        if data[:1] == _ERROR:
            raise payload
        if not payload:
            return
        yield from payload


def _send(out: IO[bytes], kind: bytes, payload: object) -> None:
    data = kind + pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(_HEAD.pack(len(data)) + data)


def _picklable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a MinicrmError with its message."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        from minicrm.core.errors import MinicrmError

        return MinicrmError(str(exc) or type(exc).__name__)
    return exc.with_traceback(None)


def main() -> int:
    """The child: read the rows callable from stdin, send its rows in chunks, then an empty
    chunk; an error is sent as it is, where it happened (``read_ahead`` raises it there)."""
    import gc

    gc.disable()  # as in the import itself: millions of short-lived, acyclic objects
    rows = pickle.load(sys.stdin.buffer)
    out = os.fdopen(sys.stdout.fileno(), "wb", buffering=0)
    chunk: list[Row] = []
    try:
        try:
            for row in rows():
                chunk.append(row)
                if len(chunk) >= CHUNK:
                    _send(out, _RECORDS, chunk)
                    chunk = []
            if chunk:
                _send(out, _RECORDS, chunk)
            _send(out, _RECORDS, [])
        except BrokenPipeError:
            raise
        except Exception as exc:  # the writer raises it where its loop would have
            if chunk:
                _send(out, _RECORDS, chunk)
            _send(out, _ERROR, _picklable(exc))
    except BrokenPipeError:  # the writer has stopped reading (it failed, or was interrupted)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
