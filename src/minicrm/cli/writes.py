"""The hot write commands (``contact add``, ``followup done``), shared by the Typer commands
and by the fast path (``minicrm.cli.fast``), which runs them without importing Typer (and the
pydantic it brings): SPEC §7 gives a write 400 ms, Typer 0.29 alone takes most of that."""

from __future__ import annotations

from minicrm.cli import views
from minicrm.cli.output import Printer, check_format
from minicrm.cli.parsing import cadence_days, ids, key_values
from minicrm.cli.state import services
from minicrm.core.errors import InvalidInput
from minicrm.services.contacts import commands as contacts
from minicrm.services.dto import Address, ContactCreate
from minicrm.services.followups import commands as followups


def contact_add(
    name: str,
    *,
    email: list[str] | None,
    phone: list[str] | None,
    company: str | None,
    title: str | None,
    tag: list[str] | None,
    status: str | None,
    source: str | None,
    owner: str | None,
    every: str | None,
    field: list[str] | None,
    given_name: str | None,
    family_name: str | None,
    street: str | None,
    city: str | None,
    region: str | None,
    postcode: str | None,
    country: str | None,
    allow_duplicate: bool,
    nickname: str | None = None,
    name_prefix: str | None = None,
    middle_name: str | None = None,
    name_suffix: str | None = None,
    department: str | None = None,
    fmt: str | None,
    json_flag: bool,
) -> None:
    fmt = check_format(fmt, json_flag)
    data = ContactCreate(
        name=name,
        emails=tuple(email or ()),
        phones=tuple(phone or ()),
        company=company,
        title=title,
        tags=tuple(tag or ()),
        status=status or "lead",
        source=source,
        owner=owner,
        cadence_days=cadence_days(every),
        fields=key_values(field),
        given_name=given_name,
        family_name=family_name,
        address=Address(street, city, region, postcode, country),
        nickname=nickname,
        name_prefix=name_prefix,
        middle_name=middle_name,
        name_suffix=name_suffix,
        department=department,
    )
    with services() as ctx:
        contact = contacts.add(ctx, data, allow_duplicate=allow_duplicate)
        Printer(fmt, ctx.clock.tz).record(contact, views.contact_fields(contact, ctx.clock.tz))


def followup_done(
    followup_ids: list[str], *, if_version: int | None = None, fmt: str | None, json_flag: bool
) -> None:
    fmt = check_format(fmt, json_flag)
    wanted = ids(followup_ids, "follow-up")
    if if_version is not None and len(set(wanted)) != 1:
        raise InvalidInput("--if-version goes with one follow-up id")
    with services() as ctx:
        expected = {wanted[0]: if_version} if if_version is not None else None
        items = followups.done(ctx, wanted, expected_versions=expected)
        Printer(fmt, ctx.clock.tz).records(items, views.followup_columns(ctx.clock.tz))
