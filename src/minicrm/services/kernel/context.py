"""The context every use case runs in: one open database, the clock, the config, the user."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from minicrm.core.clock import Clock
from minicrm.core.config import Config, load_config
from minicrm.store.db import Database, Target, parse_target

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from pathlib import Path


@dataclass
class Context:
    db: Database
    clock: Clock
    config: Config
    user: str | None = None
    #: the PostgreSQL role the connection is logged in as, when that decides who acts
    #: (``services.kernel.roles``); the operations record it
    role: str | None = None
    #: set by the interface when it wants progress or warnings; services never print.
    warnings: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def resolve_target(db: str | Path | None = None) -> Target:
    """``--db`` beats ``MINICRM_DB`` beats the default file in the user data dir."""
    value = db or os.environ.get("MINICRM_DB")
    if value:
        return parse_target(value)
    from minicrm.core.paths import default_db_path

    return Target("sqlite", path=default_db_path())


def open_context(
    db: str | Path | None = None,
    *,
    user: str | None = None,
    config: Config | None = None,
    clock: Clock | None = None,
    upgrade: bool = True,
) -> Context:
    """Open the database (creating and migrating it as needed) and build a Context."""
    from minicrm.store.schema import open_database

    config = config or load_config()
    clock = clock or Clock.system(config.timezone, config.region)
    acting = user or os.environ.get("MINICRM_USER") or config.owner
    database = open_database(resolve_target(db), upgrade=upgrade)
    ctx = Context(db=database, clock=clock, config=config, user=acting)
    if not database.is_sqlite:
        from minicrm.services.kernel.roles import apply_connection_role

        try:
            apply_connection_role(ctx)
        except BaseException:
            database.close()
            raise
    return ctx
