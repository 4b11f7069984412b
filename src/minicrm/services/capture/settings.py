"""The ``[mail]`` and ``[calendar]`` tables of the config file::

[mail]
addresses = ["ana@example.org"]        # your own addresses: mail from them was sent by you
ignore = ["noreply@shop.example", "newsletter.example"]   # addresses or domains never captured
password_command = "pass show mail"    # prints the IMAP password (never on the command line)
sendmail = "msmtp -t"                  # `mail compose` sends through it
stale_hours = 48                       # doctor: a mail source not read for longer
deal_rules = [{ subject = "renewal", deal = 12 }]   # subject text -> open deal
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from minicrm.core.config import Config
from minicrm.core.errors import InvalidInput

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@dataclass(frozen=True)
class MailSettings:
    addresses: frozenset[str] = frozenset()
    ignore: tuple[str, ...] = ()
    password_command: str | None = None
    sendmail: str | None = None
    stale_hours: float = 48.0
    deal_rules: tuple[tuple[str, int], ...] = ()
    templates: dict[str, str] = field(default_factory=dict)

    @cached_property
    def _ignored_addresses(self) -> frozenset[str]:
        return frozenset(i for i in self.ignore if "@" in i and not i.startswith("@"))

    @cached_property
    def _ignored_domains(self) -> tuple[str, ...]:
        return tuple(i.lstrip("@") for i in self.ignore if "@" not in i or i.startswith("@"))

    def ignored(self, address: str) -> bool:
        """An address on the ignore list, itself or by its domain (or a parent domain)."""
        if address in self._ignored_addresses:
            return True
        domain = address.rpartition("@")[2]
        return any(domain == d or domain.endswith("." + d) for d in self._ignored_domains)


def _strings(raw: Any, name: str, path: object) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise InvalidInput(f"invalid config {path}: [mail] {name} must be a list of strings")
    return tuple(x.strip().lower() for x in raw if x.strip())


def mail_settings(config: Config) -> MailSettings:
    raw = config.extra.get("mail", {})
    path = config.path
    if not isinstance(raw, dict):
        raise InvalidInput(f"invalid config {path}: [mail] must be a table")
    known = {"addresses", "ignore", "password_command", "sendmail", "stale_hours", "deal_rules", "templates"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InvalidInput(
            f"invalid config {path}: unknown [mail] setting {unknown[0]!r} "
            f"(known: {', '.join(sorted(known))})"
        )
    rules: list[tuple[str, int]] = []
    for rule in raw.get("deal_rules", []) or []:
        if (
            not isinstance(rule, dict)
            or not isinstance(rule.get("subject"), str)
            or not isinstance(rule.get("deal"), int)
        ):
            raise InvalidInput(
                f'invalid config {path}: [mail] deal_rules entries are {{ subject = "text", deal = 12 }}'
            )
        rules.append((rule["subject"].casefold(), int(rule["deal"])))
    templates = raw.get("templates", {}) or {}
    if not isinstance(templates, dict) or not all(isinstance(v, str) for v in templates.values()):
        raise InvalidInput(f'invalid config {path}: [mail.templates] holds NAME = "text" entries')
    for key in ("password_command", "sendmail"):
        if raw.get(key) is not None and not isinstance(raw.get(key), str):
            raise InvalidInput(f"invalid config {path}: [mail] {key} must be a string (a command)")
    try:
        stale = float(raw.get("stale_hours", 48))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"invalid config {path}: [mail] stale_hours must be a number") from exc
    return MailSettings(
        addresses=frozenset(_strings(raw.get("addresses"), "addresses", path)),
        ignore=_strings(raw.get("ignore"), "ignore", path),
        password_command=raw.get("password_command"),
        sendmail=raw.get("sendmail"),
        stale_hours=stale,
        deal_rules=tuple(rules),
        templates={str(k): str(v) for k, v in templates.items()},
    )
