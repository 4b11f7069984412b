"""Turning option strings into values for the services (KEY=VALUE, durations, dates)."""

from __future__ import annotations

from minicrm.core.clock import Clock
from minicrm.core.dates import Duration, When, parse_duration, parse_when
from minicrm.core.errors import InvalidInput


def key_values(items: list[str] | None, what: str = "--field") -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"{what} takes KEY=VALUE, not {item!r}")
        out[key.strip()] = value
    return out


def duration(text: str | None) -> Duration | None:
    return parse_duration(text) if text else None


def cadence_days(text: str | None) -> int | None:
    return parse_duration(text).approx_days() if text else None


def when(text: str | None, clock: Clock) -> When | None:
    return parse_when(text, clock) if text else None


def ids(values: list[str], what: str) -> list[int]:
    out = []
    for value in values:
        text = value.strip().lstrip("#")
        if not text.isdigit():
            raise InvalidInput(f"invalid {what} id {value!r}")
        out.append(int(text))
    return list(dict.fromkeys(out))
