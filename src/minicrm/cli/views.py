"""Which columns each kind of record shows in table, plain and csv output."""

from __future__ import annotations

from minicrm.cli.output import Column, show_moment

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from datetime import tzinfo

    from minicrm.services.dto import ChangeEntry, Company, Contact, FollowUp, Interaction, User


def contact_columns() -> list[Column]:
    return [
        Column("ID", lambda c: c.id),
        Column("Name", lambda c: c.name),
        Column("Email", lambda c: c.email),
        Column("Phone", lambda c: c.phone),
        Column("Company", lambda c: c.company),
        Column("Tags", lambda c: c.tags),
        Column("Status", lambda c: c.status),
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
        Column("ID", lambda c: c.id),
        Column("Name", lambda c: c.name),
        Column("Domain", lambda c: c.domain),
        Column("Industry", lambda c: c.industry),
        Column("Contacts", lambda c: c.contacts_count),
        Column("Tags", lambda c: c.tags),
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
    if f.snoozed_until:
        return "snoozed"
    return ""


def followup_columns(tz: tzinfo) -> list[Column]:
    return [
        Column("ID", lambda f: f.id),
        Column("Due", lambda f: show_moment(f.due_at, tz, date_only=f.all_day)),
        Column("What", lambda f: f.title, wrap=True),
        Column("Contact", lambda f: f.contact),
        Column("Repeats", lambda f: f.recurrence),
        Column("State", followup_state),
    ]


def interaction_columns(tz: tzinfo) -> list[Column]:
    return [
        Column("When", lambda i: show_moment(i.at, tz)),
        Column("Kind", lambda i: i.kind),
        Column("What", lambda i: i.body, wrap=True),
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


def search_columns() -> list[Column]:
    return [
        Column("Type", lambda h: h.entity),
        Column("ID", lambda h: h.id),
        Column("Name", lambda h: h.label),
        Column("Detail", lambda h: h.detail, wrap=True),
    ]


def change_columns(tz: tzinfo) -> list[Column]:
    def fields(entry: ChangeEntry) -> str:
        parts = []
        for key, (before, after) in entry.changes.items():
            if entry.action == "update":
                parts.append(f"{key}: {_short(before)} → {_short(after)}")
            elif entry.action == "create":
                parts.append(f"{key}: {_short(after)}")
            else:
                parts.append(f"{key}: {_short(before)}")
        return "; ".join(parts)

    return [
        Column("When", lambda e: show_moment(e.at, tz)),
        Column("By", lambda e: e.actor),
        Column("Action", lambda e: e.action),
        Column("Changes", fields, wrap=True),
    ]


def operation_columns(tz: tzinfo) -> list[Column]:
    return [
        Column("ID", lambda o: o.id),
        Column("When", lambda o: show_moment(o.at, tz)),
        Column("By", lambda o: o.actor),
        Column("What", lambda o: o.summary, wrap=True),
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
    if isinstance(value, list):
        return ", ".join(map(str, value))
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"
