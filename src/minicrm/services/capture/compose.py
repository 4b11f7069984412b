"""``mail compose``: a message to a contact, written in ``$EDITOR`` from a template, sent through
the user's own sendmail-compatible command (``msmtp -t``, ``sendmail -t``: ``[mail] sendmail``)
and logged on the timeline only once that command said it was sent.

A template is ``[mail.templates] NAME = "…"`` in the config, or the file
``<config dir>/mail-templates/NAME``: a message with headers (``Subject: …``), a blank line and
the text, where ``{first_name}``, ``{name}``, ``{company}``, ``{deal}``, … are the contact's and
the deal's fields.
"""

from __future__ import annotations

import json
import shlex
import subprocess
from dataclasses import dataclass
from email import errors as email_errors
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import Parser
from email.utils import formatdate, getaddresses, make_msgid
from string import Formatter
from typing import Any

from minicrm.core.errors import InvalidInput, Refused
from minicrm.services.capture.settings import MailSettings, mail_settings
from minicrm.services.dto import Interaction
from minicrm.services.history import interactions
from minicrm.services.kernel.context import Context
from minicrm.services.kernel.unit_of_work import UnitOfWork

DEFAULT_TEMPLATE = "Subject: \n\nHello {first_name},\n\n"


@dataclass(frozen=True)
class Draft:
    contact_id: int
    company_id: int | None
    deal_id: int | None
    address: str
    text: str  # the message to edit: headers, a blank line, the text


def _template(settings: MailSettings, name: str | None) -> str:
    if name is None:
        return settings.templates.get("default", DEFAULT_TEMPLATE)
    if name in settings.templates:
        return settings.templates[name]
    from minicrm.core.paths import config_dir

    path = config_dir() / "mail-templates" / name
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        known = sorted({*settings.templates, *(p.name for p in path.parent.glob("*") if p.is_file())})
        raise InvalidInput(
            f"no mail template {name!r} (known: {', '.join(known) or 'none'}; "
            f'add [mail.templates] {name} = "…" or the file {path})'
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read the mail template {path}: {exc}") from exc


def _fill(template: str, values: dict[str, str], name: str | None) -> str:
    wanted = {f for _, f, _, _ in Formatter().parse(template) if f is not None}
    unknown = sorted(f for f in wanted if f not in values)
    if unknown:
        raise InvalidInput(
            f"the mail template {name or 'default'!r} names {{{unknown[0]}}}, which is not a field "
            f"(fields: {', '.join(sorted(values))})"
        )
    try:
        return template.format_map(values)
    except (ValueError, IndexError) as exc:
        raise InvalidInput(f"the mail template {name or 'default'!r} cannot be filled: {exc}") from exc


def draft(ctx: Context, ref: str, *, template: str | None = None, deal: str | None = None) -> Draft:
    from minicrm.services.contacts.queries import contact_id, get
    from minicrm.services.kernel.refs import resolve_deal

    settings = mail_settings(ctx.config)
    person = get(ctx, contact_id(ctx, ref))
    if person.do_not_contact:
        raise Refused(f"{person.name} is marked do-not-contact: no mail is written to them")
    if not person.emails:
        raise InvalidInput(f"{person.name} has no email address")
    values: dict[str, str] = {
        "name": person.name,
        "first_name": person.given_name or person.name.split()[0],
        "last_name": person.family_name or (person.name.split()[-1] if " " in person.name else ""),
        "email": person.emails[0],
        "company": person.company or "",
        "title": person.title or "",
        "me": ctx.user or "",
        "deal": "",
        "deal_value": "",
        "deal_stage": "",
    }
    deal_id = resolve_deal(ctx, deal) if deal else None
    if deal_id is not None:
        from minicrm.services.deals.commands import get as get_deal

        found = get_deal(ctx, deal_id)
        values.update(deal=found.title, deal_stage=found.stage, deal_value=found.amount())
    body = _fill(_template(settings, template), values, template)
    head, _, text = body.partition("\n\n")
    headers = [line for line in head.splitlines() if not line.lower().startswith(("to:", "from:"))]
    sender = sorted(settings.addresses)[0] if settings.addresses else None
    lines = [f"To: {_mailbox(person.name, person.emails[0])}"]
    if sender:
        lines.append(f"From: {sender}")
    if not any(h.lower().startswith("subject:") for h in headers):
        headers.insert(0, "Subject: ")
    return Draft(
        person.id, person.company_id, deal_id, person.emails[0], "\n".join([*lines, *headers]) + "\n\n" + text
    )


def _mailbox(name: str, address: str) -> str:
    """``Name <address>``, quoted as needed; non-ASCII addresses as they are (RFC 6532)."""
    try:
        return str(Address(display_name=name, addr_spec=address))
    except (ValueError, IndexError, email_errors.HeaderParseError):
        return address


def _message(text: str) -> EmailMessage:
    """The edited draft as a message to send: its headers, and the text as UTF-8."""
    parsed = Parser(policy=policy.default).parsestr(text)
    if parsed.defects:
        raise InvalidInput(f"the message is not well formed: {parsed.defects[0]}")
    to = [a for _, a in getaddresses([str(v) for v in parsed.get_all("To", [])]) if "@" in a]
    if not to:
        raise InvalidInput("the message has no To: address")
    content = parsed.get_payload()
    if not isinstance(content, str) or not content.strip():
        raise InvalidInput("the message is empty: not sent")
    msg = EmailMessage()
    for name, value in parsed.items():
        if name.lower() not in ("content-type", "content-transfer-encoding", "mime-version"):
            msg[name] = value
    if "Date" not in msg:
        msg["Date"] = formatdate(localtime=True)
    if "Message-ID" not in msg:
        domain = str(msg.get("From", "")).rpartition("@")[2].strip("> ") or None
        msg["Message-ID"] = make_msgid(domain=domain)
    msg.set_content(content)
    return msg


def send(ctx: Context, prepared: Draft, text: str, *, timeout: float = 120.0) -> Interaction:
    """Send the edited message; log it only when the sendmail command succeeded."""
    from minicrm.exchange.mail import excerpt

    settings = mail_settings(ctx.config)
    if not settings.sendmail:
        raise InvalidInput(
            'no sendmail command: set [mail] sendmail in the config, e.g. sendmail = "msmtp -t"'
        )
    msg = _message(text)
    try:
        done = subprocess.run(
            shlex.split(settings.sendmail),
            input=msg.as_bytes(policy=policy.SMTP),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        raise InvalidInput(f"the message was not sent: {settings.sendmail!r} failed: {exc}") from exc
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [
            f"exit status {done.returncode}"
        ]
        raise InvalidInput(f"the message was not sent: {settings.sendmail!r}: {said[0]}")
    message_id = str(msg["Message-ID"]).strip().strip("<>")
    subject = str(msg.get("Subject", "")).strip()
    details: dict[str, Any] = {
        "subject": subject,
        "from": str(msg.get("From", "")),
        "to": [str(a) for a in msg.get_all("To", [])],
        "cc": [str(a) for a in msg.get_all("Cc", [])],
        "message_id": message_id,
        "source": "mail compose",
    }
    body = (subject or "(no subject)") + "\n\n" + excerpt(str(msg.get_content()))
    with UnitOfWork(ctx, f"mail compose to {prepared.address}") as uow:
        new_id = interactions.insert(
            uow,
            "email",
            body.rstrip("\n"),
            uow.now,
            prepared.contact_id,
            prepared.company_id,
            prepared.deal_id,
            {
                "external_id": "mail:" + message_id,
                "thread_id": message_id,
                "direction": "sent",
                "details": json.dumps(details, ensure_ascii=False, sort_keys=True),
            },
        )
    return interactions.get(ctx, new_id)
