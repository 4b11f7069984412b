"""``mail import imaps://…``: an IMAP folder, read from where the last run stopped.

The folder's UIDVALIDITY and the last UID imported are kept in ``mail_source`` (saved with each
batch, so a run cut short continues after the last message it wrote). When the server reports
another UIDVALIDITY the UIDs mean other messages: the folder is read from the start again,
and the messages already captured are known by their Message-ID. The password comes from
``[mail] password_command`` (its first line of output), never from the command line.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Iterator
from datetime import datetime

from minicrm.core.errors import InvalidInput
from minicrm.exchange.imap import ImapFolder, parse_imap_url
from minicrm.services.capture.mail import (
    Checkpoint,
    ErrorSink,
    MailImportSummary,
    RawMessage,
    import_mail,
)
from minicrm.services.capture.settings import mail_settings
from minicrm.services.kernel.context import Context
from minicrm.services.kernel.unit_of_work import UnitOfWork


def password_for(command: str | None, source: str, timeout: float = 60.0) -> str:
    """The password ``command`` prints (first line); ``MINICRM_IMAP_SOURCE`` tells it which."""
    if not command:
        raise InvalidInput(
            f"{source}: no password: set [mail] password_command in the config, "
            'e.g. password_command = "pass show mail"'
        )
    try:
        done = subprocess.run(
            shlex.split(command),
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "MINICRM_IMAP_SOURCE": source},
            check=False,
        )
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        raise InvalidInput(f"{source}: the password command {command!r} failed: {exc}") from exc
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        raise InvalidInput(f"{source}: the password command {command!r} failed: {tail[0]}")
    lines = done.stdout.splitlines()
    if not lines or not lines[0]:
        raise InvalidInput(f"{source}: the password command {command!r} printed no password")
    return lines[0]


def import_imap(
    ctx: Context,
    text: str,
    *,
    since: datetime | None = None,
    create_contacts: bool = False,
    rescan: bool = False,
    on_error: ErrorSink | None = None,
) -> MailImportSummary:
    url = parse_imap_url(text)
    source = str(url)
    password = password_for(mail_settings(ctx.config).password_command, source)
    with ImapFolder(url, password) as folder:
        with UnitOfWork(ctx, f"mail import {source}") as uow:
            row = uow.mail_sources.get(source)
            last: int | None = None
            if row is not None and row["uidvalidity"] is not None and not rescan:
                if int(row["uidvalidity"]) == folder.uidvalidity:
                    last = int(row["last_uid"]) if row["last_uid"] is not None else None
                else:
                    uow.mail_sources.reset_position(source, folder.uidvalidity)
        uids = folder.new_uids(last, since)

        def messages() -> Iterator[RawMessage]:
            for uid, raw in folder.fetch(uids):
                yield RawMessage(f"{source} UID {uid}", raw, None, uid)

        return import_mail(
            ctx,
            messages(),
            Checkpoint("mail", source, folder.uidvalidity),
            since=since,
            create_contacts=create_contacts,
            rescan=rescan,
            on_error=on_error,
        )
