"""How values read on screen: money, dates, relative days."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from minicrm.services.dto import FollowUp


def money(minor: int | None, currency: str) -> str:
    """``1,200 EUR``, ``1,200.50 EUR``, ``1.234 KWD``: the currency's own decimals, unless all zero."""
    from minicrm.core.money import format_amount

    return "—" if minor is None else format_amount(minor, currency, compact=True)


def totals(parts: tuple[tuple[str, int], ...]) -> str:
    return " + ".join(money(v, c) for c, v in parts) if parts else "0"


def day(value: date | None, today: date) -> str:
    if value is None:
        return "no date"
    delta = (value - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    if -7 < delta < 0:
        return f"{-delta} days ago"
    if 0 < delta < 7:
        return value.strftime("%A")
    return value.isoformat()


def moment(value: datetime | None, tz: tzinfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else "never"


def due(f: FollowUp, tz: tzinfo, today: date) -> str:
    local = f.due_at.astimezone(tz)
    text = day(local.date(), today)
    return text if f.all_day else f"{text} {local:%H:%M}"


def tags_text(tags: tuple[str, ...] | list[str]) -> str:
    """Tags as a field shows them: ``vip, lisbon``; a tag of several words keeps its field in
    comma mode (``My Contacts,``), so that saving it unchanged keeps it one tag."""
    text = ", ".join(tags)
    return text + "," if len(tags) == 1 and " " in tags[0] else text


def split_tags(text: str) -> tuple[str, ...]:
    """The tags typed in a field: split on commas when there is one (``My Contacts, vip``),
    else on blanks (``vip lisbon``)."""
    parts = text.split(",") if "," in text else text.split()
    return tuple(p.strip() for p in parts if p.strip())
