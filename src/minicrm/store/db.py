"""A small DB-API layer over sqlite3 and psycopg.

The services write portable SQL with ``?`` placeholders; ``Database`` runs it on SQLite
(stdlib, no SQLAlchemy import: the CLI's hot paths stay fast) or on PostgreSQL (psycopg 3).
Writes go through ``Database.transaction()``: one transaction, committed on success and rolled
back on any exception. Reads that must see one state go through ``Database.snapshot()``, which is
read-only: a write transaction cannot start inside it, and a write statement run inside it fails
(SQLite: ``PRAGMA query_only``; PostgreSQL: a READ ONLY transaction). Otherwise the write would
report success and then vanish at the snapshot's ROLLBACK, after its hooks had already run.

PostgreSQL is made to behave like SQLite where it matters: write transactions take one
database-wide advisory lock (as SQLite's ``BEGIN IMMEDIATE`` takes the write lock), so that
find-or-create steps and read-modify-write edits cannot interleave between two writers; read
snapshots are REPEATABLE READ (one consistent state, as in an SQLite read transaction); a lock
that stays taken past the busy timeout is a storage error, as on SQLite.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from minicrm.core.errors import StorageError
from minicrm.store.locks import Turns

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any, Literal

    Row = Mapping[str, Any]
    Params = Sequence[Any]
else:  # the same names at run time, where annotations are never evaluated
    Row = Mapping
    Params = Sequence
#: ids per ``IN (…)`` list: SQLite takes at most 32,766 parameters in one statement by default
#: (PostgreSQL 65,535), so longer id lists are read in batches
ID_BATCH = 10_000


def id_batches(ids: list[int]) -> list[list[int]]:
    """``ids`` cut into lists of at most ``ID_BATCH``, in order."""
    return [ids[i : i + ID_BATCH] for i in range(0, len(ids), ID_BATCH)]


BUSY_TIMEOUT_S = 15.0
#: the key of the advisory lock every PostgreSQL write transaction takes ("mcrm")
WRITE_LOCK_KEY = 0x6D63726D


@dataclass(frozen=True)
class Target:
    """Where the database lives: a SQLite file path or a PostgreSQL URL."""

    dialect: Literal["sqlite", "postgresql"]
    path: Path | None = None
    url: str | None = None

    @property
    def sqlalchemy_url(self) -> str:
        if self.dialect == "sqlite":
            return f"sqlite:///{self.path}"
        assert self.url is not None
        return re.sub(r"^postgres(ql)?(\+psycopg)?://", "postgresql+psycopg://", self.url)

    def describe(self) -> str:
        if self.path is not None:
            return str(self.path)
        return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", self.url or "")


def parse_target(value: str | Path) -> Target:
    """A file path, ``sqlite:///path``, or ``postgresql[+psycopg]://...``."""
    text = str(value)
    if text.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        return Target("postgresql", url=text)
    if text.startswith("sqlite:///"):
        rest = text[len("sqlite:///") :]
        if not rest or rest == ":memory:":
            raise StorageError("an in-memory database cannot hold minicrm data; give a file path")
        return Target("sqlite", path=Path(rest).expanduser())
    if "://" in text:
        raise StorageError(
            f"unsupported database URL {text!r} (use a file path, sqlite:///… or postgresql+psycopg://…)"
        )
    return Target("sqlite", path=Path(text).expanduser())


@lru_cache(maxsize=512)
def _to_pyformat(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


class Database:
    """One open connection, with the dialect's quirks hidden behind a few methods."""

    def __init__(self, target: Target, raw: Any) -> None:
        self.target = target
        self.dialect = target.dialect
        self._raw = raw
        #: the open transaction: None, "write" (``transaction()``) or "read" (``snapshot()``)
        self._mode: Literal["write", "read"] | None = None
        #: the outermost unit of work open on this connection (owned by the services layer,
        #: ``minicrm.services.kernel.unit_of_work``), to which nested units of work hand their events
        self.work: object | None = None
        self._turns: Turns | None = Turns(target.path) if target.path is not None else None

    # -- opening -----------------------------------------------------------------------
    @classmethod
    def connect(cls, target: Target) -> Database:
        if target.dialect == "sqlite":
            return cls(target, _connect_sqlite(target))
        return cls(target, _connect_postgres(target))

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing must never mask the real error
            self._raw.close()
        if self._turns is not None:
            self._turns.close()

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    # -- statements -------------------------------------------------------------------
    def _sql(self, sql: str) -> str:
        return sql if self.is_sqlite else _to_pyformat(sql)

    def execute(self, sql: str, params: Params = ()) -> Any:
        try:
            if self.is_sqlite:
                return self._raw.execute(sql, params)
            cur = self._raw.cursor()
            cur.execute(self._sql(sql), params)
            return cur
        except Exception as exc:
            raise self._translate(exc) from exc

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        try:
            if self.is_sqlite:
                self._raw.executemany(sql, rows)
            else:
                with self._raw.cursor() as cur:
                    cur.executemany(self._sql(sql), rows)
        except Exception as exc:
            raise self._translate(exc) from exc

    def _translate(self, exc: Exception) -> Exception:
        if self._mode == "read" and _is_read_only_violation(exc):
            return StorageError(
                f"a write inside a read-only snapshot (open a transaction instead): {_first_line(exc)}"
            )
        return _translate(exc)

    def all(self, sql: str, params: Params = ()) -> list[Row]:
        return list(self.execute(sql, params).fetchall())

    def one(self, sql: str, params: Params = ()) -> Row | None:
        row: Row | None = self.execute(sql, params).fetchone()
        return row

    def scalar(self, sql: str, params: Params = ()) -> Any:
        row = self.execute(sql, params).fetchone()
        if row is None:
            return None
        return row[0] if self.is_sqlite else next(iter(row.values()))

    def insert(self, sql: str, params: Params = ()) -> int:
        """Run an INSERT and return the new row's id."""
        row = self.execute(sql + " RETURNING id", params).fetchone()
        return int(row[0] if self.is_sqlite else row["id"])

    # -- transactions -----------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One write transaction. SQLite takes the write lock up front (BEGIN IMMEDIATE) so
        that concurrent writers queue on the busy timeout instead of failing mid-way.

        Inside another write transaction it joins it (one commit, at the outer one's end);
        inside a read ``snapshot()`` it raises StorageError: the snapshot rolls back at its end,
        so the write would be lost after reporting success."""
        if self._mode == "write":
            yield self
            return
        if self._mode == "read":
            raise StorageError("a write cannot start inside a read-only snapshot (begin the write first)")
        self._mode = "write"
        try:
            if self.is_sqlite:
                if self._turns is None:
                    self.execute("BEGIN IMMEDIATE")
                else:
                    with self._turns.waiting():  # see minicrm.store.locks
                        self.execute("BEGIN IMMEDIATE")
            else:
                self.execute("BEGIN")
                try:
                    self.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK_KEY,))
                except BaseException:
                    self._rollback()
                    raise
            try:
                yield self
            except BaseException:
                self._rollback()
                raise
            self.execute("COMMIT")
        finally:
            self._mode = None

    def let_waiting_writers_in(self) -> float:
        """Between two transactions of a long write (an import's batches): wait until every
        writer that was waiting for the write lock has had it (SQLite; PostgreSQL queues its
        lock's waiters itself). Returns the seconds waited."""
        if self._mode is not None:
            raise StorageError("let_waiting_writers_in is for between transactions")
        if self._turns is None:
            return 0.0
        return self._turns.let_waiting_in(BUSY_TIMEOUT_S)

    @contextmanager
    def snapshot(self) -> Iterator[Database]:
        """A read-only transaction: several queries see one consistent state, and nothing can
        be written (a write statement raises StorageError, and so does ``transaction()``).
        Inside a write transaction it reads that transaction's state."""
        if self._mode is not None:
            yield self
            return
        self._mode = "read"
        try:
            if self.is_sqlite:
                self.execute("PRAGMA query_only = ON")  # a connection flag, cleared below
                self.execute("BEGIN")
            else:
                self.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield self
            finally:
                self._rollback()
        finally:
            self._mode = None
            if self.is_sqlite:
                with contextlib.suppress(Exception):
                    self._raw.execute("PRAGMA query_only = OFF")

    def _rollback(self) -> None:
        with contextlib.suppress(Exception):  # the transaction may already be gone
            self._raw.execute("ROLLBACK")

    @property
    def raw(self) -> Any:
        return self._raw


def _connect_sqlite(target: Target) -> sqlite3.Connection:
    assert target.path is not None
    try:
        conn = sqlite3.connect(
            str(target.path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        conn.row_factory = sqlite3.Row
        conn.create_function("lower", 1, _unicode_lower, deterministic=True)
        conn.create_function("minicrm_contains", 2, _contains, deterministic=True)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as exc:
        raise _translate(exc, target) from exc
    return conn


def _unicode_lower(value: str | bytes | int | float | None) -> str | bytes | None:
    """SQL ``lower()`` for every script, as PostgreSQL's: SQLite's own folds ASCII only, so
    ``lower('Ângela')`` stayed ``'Ângela'`` and a name typed in lower case did not match."""
    if value is None or isinstance(value, bytes):
        return value
    return str(value).lower()


def _contains(text: str | None, word: str | None) -> bool:
    """``word`` (lower case) appears in ``text``, ignoring case: Python's substring search,
    linear in the text, where ``LIKE '%…%'`` takes the word's length times the text's."""
    if text is None or word is None or not isinstance(text, str):
        return False
    return word in text.lower()


def _connect_postgres(target: Target) -> Any:
    try:
        import psycopg
        from psycopg.rows import dict_row
    except ImportError as exc:  # pragma: no cover - psycopg is a dependency
        raise StorageError("PostgreSQL needs psycopg: pip install 'psycopg[binary]'") from exc
    assert target.url is not None
    conninfo = re.sub(r"^postgres(ql)?(\+psycopg)?://", "postgresql://", target.url)
    try:
        conn = psycopg.connect(conninfo, autocommit=True, row_factory=dict_row, connect_timeout=10)
        conn.execute(f"SET lock_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    except psycopg.Error as exc:
        raise StorageError(f"cannot connect to {target.describe()}: {_first_line(exc)}") from exc
    return conn


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _is_read_only_violation(exc: Exception) -> bool:
    """A write refused by a read-only transaction (SQLite query_only, PostgreSQL READ ONLY)."""
    if isinstance(exc, sqlite3.OperationalError):
        return "readonly" in str(exc).lower()
    return type(exc).__name__ == "ReadOnlySqlTransaction"


def _translate(exc: Exception, target: Target | None = None) -> Exception:
    """Driver errors to the error family: storage problems become StorageError (exit 3)."""
    message = _first_line(exc)
    where = f" ({target.describe()})" if target else ""
    if isinstance(exc, OverflowError):  # an id or number beyond 64 bits, typed by a user
        from minicrm.core.errors import InvalidInput

        return InvalidInput("a number is too large (at most 9223372036854775807)")
    if isinstance(exc, UnicodeEncodeError):  # text that came in as bytes that are not UTF-8
        from minicrm.core.errors import InvalidInput
        from minicrm.core.text import not_utf8

        return InvalidInput(not_utf8(exc))
    if isinstance(exc, sqlite3.DatabaseError):
        lowered = message.lower()
        if "disk is full" in lowered:  # SQLITE_FULL
            return StorageError(f"the disk is full: cannot write the database{where} (nothing was changed)")
        if "not a database" in lowered or "malformed" in lowered:
            return StorageError(f"the file is not a minicrm database or is damaged{where}: {message}")
        if "locked" in lowered or "busy" in lowered:
            return StorageError(
                f"the database stayed locked by another program for {BUSY_TIMEOUT_S:.0f}s{where}"
            )
        if "readonly" in lowered or "unable to open" in lowered or "disk i/o" in lowered:
            return StorageError(f"cannot write the database{where}: {message}")
        if isinstance(exc, sqlite3.IntegrityError):
            from minicrm.core.errors import Conflict

            return Conflict(message)
        return StorageError(f"database error{where}: {message}")
    if type(exc).__module__.startswith("psycopg"):
        from minicrm.core.errors import Conflict, InvalidInput, Refused

        name = type(exc).__name__
        if name == "InsufficientPrivilege":  # a row-level security policy (``team secure``), a GRANT
            return Refused(f"not allowed: {message}")
        if name in (
            "UniqueViolation",
            "ForeignKeyViolation",
            "IntegrityError",
            "SerializationFailure",
            "DeadlockDetected",
        ):
            return Conflict(message)
        if "NUL (0x00)" in message:  # PostgreSQL text cannot hold NUL; SQLite stores it
            return InvalidInput("text cannot contain a NUL byte")
        if name == "DiskFull":
            return StorageError(f"the disk of the database server is full{where} (nothing was changed)")
        if name == "NumericValueOutOfRange":
            return InvalidInput(f"number out of range: {message}")
        if name in ("LockNotAvailable", "QueryCanceled"):
            return StorageError(f"the database stayed locked by another program for {BUSY_TIMEOUT_S:.0f}s")
        return StorageError(f"database error{where}: {message}")
    return exc
