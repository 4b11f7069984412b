"""Which columns each kind of record shows in table, plain and csv output."""

from __future__ import annotations

from minicrm.cli.output import Column, money_column, show_moment

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import tzinfo

    from minicrm.services.dto import ChangeEntry, Company, Contact, FollowUp, Interaction, User


def contact_columns() -> list[Column]:
    return [
        Column("ID", lambda c: c.id, keep=True),
        Column("Name", lambda c: c.name, keep=True),
        Column("Email", lambda c: c.email, rank=1),
        Column("Phone", lambda c: c.phone, rank=3),
        Column("Company", lambda c: c.company, rank=2),
        Column("Tags", lambda c: c.tags, rank=4),
        Column("Status", lambda c: c.status, rank=5),
    ]


def contact_fields(c: Contact, tz: tzinfo) -> list[tuple[str, object]]:
    return [
        ("ID", c.id),
        ("Name", c.name),
        ("Prefix", c.name_prefix),
        ("Given name", c.given_name),
        ("Middle name", c.middle_name),
        ("Family name", c.family_name),
        ("Suffix", c.name_suffix),
        ("Nickname", c.nickname),
        ("Emails", c.email_texts()),
        ("Phones", c.phone_texts()),
        ("Company", c.company),
        ("Department", c.department),
        ("Title", c.title),
        *((f"Address ({a.label})" if a.label else "Address", a.as_text()) for a in c.addresses),
        ("Tags", c.tags),
        ("Status", c.status),
        ("Source", c.source),
        ("Owner", c.owner),
        ("Keep in touch", f"every {c.cadence_days} days" if c.cadence_days else None),
        ("Do not contact", c.do_not_contact),
        ("Preferred channel", c.preferred_channel),
        *((f"{k}", v) for k, v in c.fields.items()),
        ("vCard extras", c.card_extra),
        ("Last interaction", show_moment(c.last_interaction_at, tz)),
        ("Created", show_moment(c.created_at, tz)),
        ("Updated", show_moment(c.updated_at, tz)),
    ]


def company_columns() -> list[Column]:
    return [
        Column("ID", lambda c: c.id, keep=True),
        Column("Name", lambda c: c.name, keep=True),
        Column("Domain", lambda c: c.domain, rank=2),
        Column("Industry", lambda c: c.industry, rank=3),
        Column("Contacts", lambda c: c.contacts_count, rank=1),
        Column("Tags", lambda c: c.tags, rank=4),
    ]


def company_fields(c: Company, tz: tzinfo) -> list[tuple[str, object]]:
    return [
        ("ID", c.id),
        ("Name", c.name),
        ("Domain", c.domain),
        ("Industry", c.industry),
        ("Size", c.size),
        ("Address", c.address.as_text()),
        ("Tags", c.tags),
        ("Owner", c.owner),
        ("Contacts", c.contacts_count),
        *((f"{k}", v) for k, v in c.fields.items()),
        ("Created", show_moment(c.created_at, tz)),
        ("Updated", show_moment(c.updated_at, tz)),
    ]


def user_columns(tz: tzinfo) -> list[Column]:
    return [
        Column("ID", lambda u: u.id),
        Column("Name", lambda u: u.name),
        Column("Email", lambda u: u.email),
        Column("Added", lambda u: show_moment(u.created_at, tz, date_only=True)),
    ]


def user_fields(u: User, tz: tzinfo) -> list[tuple[str, object]]:
    return [("ID", u.id), ("Name", u.name), ("Email", u.email), ("Added", show_moment(u.created_at, tz))]


def followup_state(f: FollowUp) -> str:
    if f.done_at:
        return "done"
    if f.overdue:
        return "overdue"
    if f.snoozed:
        return "snoozed"
    return ""


def followup_columns(tz: tzinfo) -> list[Column]:
    return [
        Column("ID", lambda f: f.id, keep=True),
        Column("Due", lambda f: show_moment(f.due_at, tz, date_only=f.all_day), rank=1),
        Column("What", lambda f: f.title, wrap=True, keep=True),
        Column("Contact", lambda f: f.contact, rank=2),
        Column("Repeats", lambda f: f.recurrence, rank=4),
        Column("State", followup_state, rank=3),
    ]


#: how much of a note ``contact show`` prints (``timeline`` and ``note``'s JSON give it all)
NOTE_PREVIEW = 300


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut to about ``limit`` characters at a word, saying how much is
    left out."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[:limit]
    return f"{cut} … (+{len(flat) - len(cut):,} characters)"


def interaction_columns(tz: tzinfo, *, preview: int | None = None) -> list[Column]:
    """The timeline's columns; with ``preview``, long texts are shortened to about that many
    characters (``contact show``)."""
    return [
        Column("When", lambda i: show_moment(i.at, tz), keep=True),
        Column("Kind", lambda i: i.kind_label()),
        Column("What", lambda i: shorten(i.body, preview) if preview else i.body, wrap=True, keep=True),
        Column("Contact", lambda i: i.contact),
        Column("By", lambda i: i.author),
    ]


def interaction_fields(i: Interaction, tz: tzinfo) -> list[tuple[str, object]]:
    return [
        ("ID", i.id),
        ("Kind", i.kind),
        ("When", show_moment(i.at, tz)),
        ("Contact", i.contact),
        ("Deal", i.deal_id),
        ("By", i.author),
        ("Text", i.body),
    ]


def followup_fields(f: FollowUp, tz: tzinfo) -> list[tuple[str, object]]:
    return [
        ("ID", f.id),
        ("What", f.title),
        ("Due", show_moment(f.due_at, tz, date_only=f.all_day)),
        ("Contact", f.contact),
        ("Deal", f"#{f.deal_id} {f.deal}" if f.deal_id else None),
        ("Repeats", f.recurrence),
        ("Until", show_moment(f.until, tz)),
        ("Snoozed until", show_moment(f.snoozed_until, tz)),
        ("Done", show_moment(f.done_at, tz)),
        ("State", followup_state(f)),
        ("Owner", f.owner),
    ]


def deal_summary_columns(*, with_contact: bool = False) -> list[Column]:
    """A deal as a line of a contact's or a company's detail."""
    columns = [
        Column("ID", lambda d: d.id),
        Column("Deal", lambda d: d.title, wrap=True),
        Column("Stage", lambda d: d.stage),
        Column("Status", lambda d: d.status),
        money_column("Value", lambda d: d.value_minor, lambda d: d.currency),
    ]
    if with_contact:
        columns.append(Column("Contact", lambda d: d.contact))
    return columns


def search_columns() -> list[Column]:
    return [
        Column("Type", lambda h: h.entity, keep=True),
        Column("ID", lambda h: h.id, keep=True),
        Column("Name", lambda h: h.label, keep=True),
        Column("Detail", lambda h: h.detail, wrap=True),
    ]


#: fields a history line leaves out: the line's own moment says them (a move sets the
#: stage's entry and the last activity)
_IMPLIED = frozenset({"created_at", "last_activity_at", "stage_entered_at"})


def change_columns(tz: tzinfo) -> list[Column]:
    def fields(entry: ChangeEntry) -> str:
        parts = []
        for key, (before, after) in entry.changes.items():
            if key in _IMPLIED:
                continue
            name, show = _field_view(key, entry.currency, tz)
            if entry.action == "update":
                parts.append(f"{name}: {show(before)} → {show(after)}")
            elif entry.action == "create":
                parts.append(f"{name}: {show(after)}")
            else:
                parts.append(f"{name}: {show(before)}")
        return "; ".join(parts)

    return [
        Column("When", lambda e: show_moment(e.at, tz), keep=True),
        Column("By", lambda e: e.actor),
        Column("Action", lambda e: e.action, keep=True),
        Column("Changes", fields, wrap=True, keep=True),
    ]


def _field_view(key: str, currency: str | None, tz: tzinfo) -> tuple[str, Callable[[object], str]]:
    """How a history line names a logged field and shows its values: amounts as money,
    moments in local time, links as ``#id``, lists and custom fields as text."""
    if key == "value_minor" and currency:
        from minicrm.core.money import format_amount

        return "value", lambda v: format_amount(v, currency) if isinstance(v, int) else _short(v)
    if key.endswith("_id"):
        return key.removesuffix("_id"), lambda v: f"#{v}" if isinstance(v, int) else _short(v)
    if key.endswith("_at") or key == "until":
        return key.removesuffix("_at"), lambda v: _moment(v, tz)
    return key, _short


def _moment(value: object, tz: tzinfo) -> str:
    from minicrm.core.clock import from_db

    if not isinstance(value, str) or not value:
        return _short(value)
    try:
        return show_moment(from_db(value), tz)
    except ValueError:
        return _short(value)


def operation_columns(tz: tzinfo) -> list[Column]:
    return [
        Column("ID", lambda o: o.id, keep=True),
        Column("When", lambda o: show_moment(o.at, tz)),
        Column("By", lambda o: o.by),
        Column("What", lambda o: o.summary, wrap=True, keep=True),
        Column("Changes", lambda o: o.changes),
        Column("State", lambda o: o.state),
    ]


def cadence_columns(tz: tzinfo) -> list[Column]:
    return [
        Column("ID", lambda c: c.contact_id),
        Column("Contact", lambda c: c.name),
        Column("Every", lambda c: f"{c.cadence_days}d"),
        Column("Last", lambda c: show_moment(c.last_interaction_at, tz, date_only=True) or "never"),
    ]


def _short(value: object) -> str:
    if value is None or value == [] or value == {}:
        return "∅"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):  # custom fields, links a delete undid
        return ", ".join(
            f"{k}={', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in value.items()
        )
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"
