"""Columns and fields for the customer-360 records: segments, service requests, purchases."""

from __future__ import annotations

from minicrm.cli.output import Column, show_moment

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from datetime import tzinfo

    from minicrm.services.dto import CurrencyTotal, ServiceReport, ServiceRequest


def request_columns(tz: tzinfo) -> list[Column]:
    return [
        Column("ID", lambda r: r.id, keep=True),
        Column("Opened", lambda r: show_moment(r.opened_at, tz, date_only=True)),
        Column("Priority", lambda r: r.priority),
        Column("Status", lambda r: r.status),
        Column("Title", lambda r: r.title, wrap=True, keep=True),
        Column("Contact", lambda r: r.contact),
    ]


def request_fields(r: ServiceRequest, tz: tzinfo) -> list[tuple[str, object]]:
    return [
        ("ID", r.id),
        ("Title", r.title),
        ("Priority", r.priority),
        ("Status", r.status),
        ("Contact", f"{r.contact} (#{r.contact_id})" if r.contact_id else None),
        ("Deal", f"#{r.deal_id}" if r.deal_id else None),
        ("Owner", r.owner),
        ("Opened", show_moment(r.opened_at, tz)),
        ("Closed", show_moment(r.closed_at, tz)),
        ("Resolution", r.resolution),
        ("Updated", show_moment(r.updated_at, tz)),
    ]


def purchase_columns() -> list[Column]:
    from minicrm.core.money import format_amount

    def value(t: CurrencyTotal) -> str:
        return format_amount(t.value_minor, t.currency)

    return [
        Column("Lifetime value", value),
        Column("Purchases", lambda t: t.count),
        Column("First", lambda t: t.first.isoformat() if t.first else ""),
        Column("Last", lambda t: t.last.isoformat() if t.last else ""),
    ]


def segment_columns() -> list[Column]:
    from minicrm.services.customer.segments import describe

    return [
        Column("Name", lambda s: s.name),
        Column("Contacts", lambda s: "?" if s.count is None else s.count),
        Column("Filters", lambda s: describe(s.filters), wrap=True),
    ]


def duration_text(hours: float | None) -> str:
    """``5.5 hours`` under two days, ``3.2 days`` from then on; ``-`` when nothing was closed."""
    if hours is None:
        return "-"
    if hours < 48:
        return f"{hours:.1f} hours"
    return f"{hours / 24:.1f} days"


def service_report_lines(report: ServiceReport) -> list[str]:
    lines = [f"Open requests: {report.open_total}"]
    lines += [f"  {priority:<8} {count}" for priority, count in report.open_by_priority.items()]
    lines.append(f"Closed requests: {report.closed_total}")
    lines.append(f"Median time to close: {duration_text(report.median_hours_to_close)}")
    return lines
