"""Users and owners (team mode, SPEC §6).

A database is in team mode once it has users (``minicrm user add``): then every command acts
as a known user (``--as``, ``MINICRM_USER`` or ``owner`` in the config), records are owned by
users, and ``contact list``, ``due`` and ``followup list`` show the acting user's records unless
asked for everyone's. A database without users (the single-user case, on SQLite or PostgreSQL
alike) behaves as before: no checks, everyone's records.
"""

from __future__ import annotations

import re

from minicrm.core.clock import from_db
from minicrm.core.errors import Conflict, InvalidInput, NotFound
from minicrm.services.kernel.validation import normalize_email

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from minicrm.services.dto import User
    from minicrm.services.kernel.context import Context
    from minicrm.store.db import Database

_NAME_RE = r"^[^\s\x00-\x1f\x7f]{1,64}$"  # compiled on first use


def list_users(ctx: Context) -> list[User]:
    from minicrm.services.dto import User

    rows = ctx.db.all("SELECT id, name, email, created_at FROM user_account ORDER BY name, id")
    return [User(int(r["id"]), r["name"], r["email"], from_db(r["created_at"])) for r in rows]  # type: ignore[arg-type]


def names(db: Database) -> list[str]:
    return [r["name"] for r in db.all("SELECT name FROM user_account ORDER BY name")]


def team_mode(db: Database) -> bool:
    """True once the database has users."""
    return bool(db.scalar("SELECT 1 FROM user_account LIMIT 1"))


def add(ctx: Context, name: str, email: str | None = None) -> User:
    """Register a user (a rep). Names are what ``--as`` and ``--owner`` take: no spaces."""

    text = (name or "").strip()
    if not re.match(_NAME_RE, text):
        raise InvalidInput(f"invalid user name {name!r}: one word without spaces, at most 64 characters")
    address = normalize_email(email) if email else None
    from minicrm.services.kernel.unit_of_work import UnitOfWork  # the write side, loaded when writing

    with UnitOfWork(ctx, f"user add {text}") as uow:
        clash = uow.db.scalar("SELECT name FROM user_account WHERE lower(name) = ?", (text.lower(),))
        if clash is not None:
            raise Conflict(f"user {clash!r} already exists")
        new_id = uow.users.insert({"name": text, "email": address, "created_at": uow.now})
        after = {"id": new_id, "name": text, "email": address, "created_at": uow.now}
        uow.record("user", new_id, "create", None, after)
    return next(u for u in list_users(ctx) if u.id == new_id)


def require_acting_user(ctx: Context) -> None:
    """In team mode the acting user must be a known one; outside team mode anything goes."""
    known = names(ctx.db)
    if not known or ctx.user in known:
        return
    listed = ", ".join(known[:20]) + (", …" if len(known) > 20 else "")
    if not ctx.user:
        raise InvalidInput(
            f"this database is shared by users ({listed}): say who you are with --as NAME or MINICRM_USER "
            "(or owner in the config); a new user: minicrm user add NAME"
        )
    raise NotFound(f"unknown user {ctx.user!r} (users: {listed}); add it with: minicrm user add {ctx.user}")


def check_owner(db: Database, owner: str | None) -> str | None:
    """An owner given by hand must be a known user in team mode (a typo would hide the record)."""
    if owner is None:
        return None
    text = owner.strip()
    if not text:
        raise InvalidInput("the owner cannot be empty (to clear it use --clear owner)")
    known = names(db)
    if known and text not in known:
        listed = ", ".join(known)
        raise NotFound(f"unknown user {text!r} (users: {listed}); add it with: minicrm user add {text}")
    return text


def known_owner(ctx: Context, owner: str | None) -> str | None:
    """``check_owner`` for the interfaces: a read's ``--owner`` must be a user too (a typo
    would show an empty list)."""
    return check_owner(ctx.db, owner)


def scope_owner(ctx: Context, owner: str | None, *, everyone: bool = False) -> str | None:
    """Whose records a list shows: ``owner`` when given, nobody in particular with ``everyone``,
    else in team mode the acting user's ("mine"), else everyone's."""
    if everyone:
        return None
    if owner:
        return check_owner(db=ctx.db, owner=owner)  # a typo would show an empty list
    if not ctx.user:
        return None
    return ctx.user if team_mode(ctx.db) else None
