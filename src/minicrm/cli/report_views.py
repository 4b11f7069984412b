"""Showing the board, the stages and the sales reports in every output format.

Shared by the Typer commands (``cli/pipeline.py``, ``cli/report.py``) and the fast path
(``cli/report_fast.py``), so it imports neither Typer nor, unless a table is drawn, rich.
Tables and plain text are for people; ``json`` is the report's full data, ``jsonl`` one line
per row, ``csv`` one row per row and currency with plain numbers.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import date, tzinfo

from minicrm.cli.output import Column, Printer, check_format, console, emit, inert, money_column
from minicrm.cli.state import services
from minicrm.core.errors import InvalidInput
from minicrm.core.money import format_amount, json_number
from minicrm.core.words import counted
from minicrm.services.deals import reports
from minicrm.services.deals.report_dto import Board, BoardColumn, ReportFilter, Totals
from minicrm.services.kernel.context import Context

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any

    from minicrm.services.dto import Deal

REPORTS = ("pipeline", "forecast", "winrate", "conversion", "activity")
WIDTH = 80


def money(totals: Totals) -> str:
    """Per-currency totals as text: ``1,200.00 EUR; 500 JPY`` (never added together)."""
    return "; ".join(format_amount(v, c) for c, v in sorted(totals.items()))


def _by_currency(row: dict[str, Any], *totals: tuple[str, Totals]) -> list[dict[str, Any]]:
    """One flat row per currency (or one with no currency when there is no money), for CSV."""
    currencies = sorted({c for _, t in totals for c in t}) or [""]
    return [
        {**row, "currency": c, **{name: json_number(t.get(c), c) if c else None for name, t in totals}}
        for c in currencies
    ]


def _key_column(key: str) -> Column:
    return Column(key, lambda row: row[key])


def _csv(rows: list[dict[str, Any]], tz: tzinfo) -> None:
    if not rows:
        return
    Printer("csv", tz).records(rows, [_key_column(k) for k in rows[0]])


def _machine(
    fmt: str,
    tz: tzinfo,
    whole: Any,
    lines: Callable[[], list[Any]],
    csv_rows: Callable[[], list[dict[str, Any]]],
) -> bool:
    """Print the json/jsonl/csv forms (True), or leave the human formats to the caller (False)."""
    if fmt == "json":
        emit(whole)
    elif fmt == "jsonl":
        emit(lines(), "jsonl")
    elif fmt == "csv":
        _csv(csv_rows(), tz)
    else:
        return False
    return True


# -- the board --------------------------------------------------------------------------------
def show_board(
    *, pipeline: str | None, owner: str | None, limit: int, fmt: str | None, json_flag: bool
) -> None:
    from minicrm.services.deals import board as board_service

    fmt = check_format(fmt, json_flag)
    from minicrm.services.kernel.users import check_owner

    with services() as ctx:
        check_owner(ctx, owner)  # a typo would be an empty board
        data = board_service.board(ctx, pipeline=pipeline, owner=owner, limit=limit)
        tz = ctx.clock.tz
        csv_rows = [
            r
            for c in data.columns
            for r in _by_currency(
                {"stage": c.stage, "count": c.count, "stale": c.stale},
                ("total", c.total),
                ("weighted", c.weighted),
            )
        ]
        if _machine(
            fmt, tz, data.to_dict(tz), lambda: [c.to_dict(tz) for c in data.columns], lambda: csv_rows
        ):
            return
        if fmt == "table" and len(data.columns) * 18 <= console().width:
            _board_table(data)
        else:
            sys.stdout.write(board_text(data))


def _column_heading(c: BoardColumn) -> str:
    name = f"{c.stage} {c.probability}%" if c.probability is not None else c.stage
    return name


def _column_summary(c: BoardColumn) -> list[str]:
    lines = [f"{c.count} deal{'s' if c.count != 1 else ''}" + (f", {c.stale} stale" if c.stale else "")]
    for currency, minor in sorted(c.total.items()):
        lines.append(format_amount(minor, currency))
        lines.append(f"≈ {format_amount(c.weighted.get(currency, 0), currency)}")
    return lines


def _deal_lines(d: Deal) -> str:
    return "".join(f"\n  {x}" for x in (d.amount(), d.contact or d.company, "STALE" if d.stale else "") if x)


def _board_table(data: Board) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    title = f"Pipeline {data.pipeline}: {money(data.total) or 'no values'}"
    if data.weighted:
        title += f" (weighted {money(data.weighted)})"
    table = Table(
        title=inert(title),
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        header_style="bold",
        expand=True,
    )
    for c in data.columns:
        table.add_column(Text(inert(_column_heading(c))), overflow="fold", ratio=1, vertical="top")
    table.add_row(
        *(Text("\n".join(inert(s) for s in _column_summary(c)), style="dim") for c in data.columns),
        end_section=True,
    )
    cells = []
    for c in data.columns:
        cell = Text()
        for d in c.deals:
            if cell:
                cell.append("\n")
            cell.append(inert(f"#{d.id} {d.title}"), style="bold red" if d.stale else "")
            cell.append(inert(_deal_lines(d), keep_newlines=True))
        if c.more:
            cell.append(f"\n… {c.more} more")
        cells.append(cell)
    table.add_row(*cells)
    console().print(table)


def board_text(data: Board) -> str:
    """The board stacked one stage under the other, one deal a line, within 80 columns."""
    count = sum(c.count for c in data.columns)
    out = [
        inert(f"Pipeline {data.pipeline} — {count} open deal{'s' if count != 1 else ''}"),
        *_money_lines(data),
    ]
    for c in data.columns:
        out.append("")
        title = f"{_column_heading(c)} — {c.count} deal{'s' if c.count != 1 else ''}"
        out.append(inert(title + (f", {c.stale} stale" if c.stale else "")))
        out.extend(_money_lines(c))
        for d in c.deals:
            out.append(
                inert(
                    f"  #{d.id:<5} {_clip(d.title, 32):<32} {d.amount():>16}  "
                    f"{_clip(d.contact or d.company or '', 14):<14}{' STALE' if d.stale else ''}"
                ).rstrip()
            )
        if c.more:
            out.append(f"  … and {c.more} more")
    return "\n".join(out) + "\n"


def _money_lines(item: Board | BoardColumn) -> list[str]:
    return [
        f"  total {format_amount(minor, currency)} · "
        f"weighted {format_amount(item.weighted.get(currency, 0), currency)}"
        for currency, minor in sorted(item.total.items())
    ]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def show_stages(*, fmt: str | None, json_flag: bool) -> None:
    from minicrm.services.deals import board as board_service

    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        found = board_service.stages(ctx)
        columns = [
            Column("Pipeline", lambda s: s.pipeline),
            Column("#", lambda s: s.position),
            Column("Stage", lambda s: s.stage),
            Column("Probability", lambda s: f"{s.probability}%" if s.probability is not None else ""),
            Column("Idle days", lambda s: s.idle_days),
            Column("Open deals", lambda s: s.open_deals),
            Column("Note", lambda s: "" if s.known else "not in config"),
        ]
        Printer(fmt, ctx.clock.tz).records(found, columns)
        missing = [s for s in found if not s.known]
        if missing and fmt in ("table", "plain"):
            Printer(fmt, ctx.clock.tz).message(
                f"{sum(s.open_deals for s in missing)} open deal(s) are in stages no longer configured; "
                "move them with `minicrm deal move ID STAGE`"
            )


# -- reports ----------------------------------------------------------------------------------
def report_filter(
    ctx: Context, *, start: str | None, end: str | None, owner: str | None, pipeline: str | None
) -> ReportFilter:
    def day(text: str | None) -> date | None:
        if not text:
            return None
        from minicrm.core.dates import parse_when

        return parse_when(text, ctx.clock).local_date(ctx.clock)

    from minicrm.services.kernel.users import check_owner

    f = ReportFilter(day(start), day(end), check_owner(ctx, owner), pipeline)
    if f.start and f.end and f.start > f.end:
        raise InvalidInput(f"--from {f.start} is after --to {f.end}")
    return f


def show_report(
    kind: str,
    *,
    start: str | None,
    end: str | None,
    owner: str | None,
    pipeline: str | None,
    fmt: str | None,
    json_flag: bool,
    header: bool = False,
) -> None:
    """One sales report; ``header``: plain listings start with their column names."""
    if kind not in REPORTS:
        raise InvalidInput(f"unknown report {kind!r} (choose from {', '.join(REPORTS)})")
    fmt = check_format(fmt, json_flag)
    from minicrm.cli.output import plain_header

    with services() as ctx, plain_header(header):
        f = report_filter(ctx, start=start, end=end, owner=owner, pipeline=pipeline)
        _RENDER[kind](ctx, f, fmt)


def _pipeline(ctx: Context, f: ReportFilter, fmt: str) -> None:
    data = reports.pipeline(ctx, f)
    tz = ctx.clock.tz
    rows = [*data.rows, data.total]

    def csv_rows() -> list[dict[str, Any]]:
        return [
            x
            for r in rows
            for x in _by_currency(
                {
                    "stage": r.stage,
                    "count": r.count,
                    "average_age_days": r.average_age_days,
                    "stale": r.stale,
                },
                ("value", r.value),
                ("weighted", r.weighted),
            )
        ]

    if _machine(fmt, tz, data.to_dict(), lambda: [r.to_dict() for r in rows], csv_rows):
        return
    Printer(fmt, tz).records(
        rows,
        [
            Column("Stage", lambda r: r.stage + ("" if r.known else " (not in config)")),
            Column("Deals", lambda r: r.count),
            Column("Value", lambda r: money(r.value), wrap=True),
            Column("Weighted", lambda r: money(r.weighted), wrap=True),
            Column("Age (d)", lambda r: "" if r.average_age_days is None else f"{r.average_age_days:.1f}"),
            Column("Stale", lambda r: r.stale),
        ],
        title=f"Pipeline {data.pipeline}: open deals",
    )


def _forecast(ctx: Context, f: ReportFilter, fmt: str) -> None:
    data = reports.forecast(ctx, f)
    tz = ctx.clock.tz
    if _machine(
        fmt,
        tz,
        data.to_dict(),
        lambda: [r.to_dict() for r in data.rows],
        lambda: [r.to_dict() for r in data.rows],
    ):
        return
    if fmt == "table":
        return _forecast_chart(data.rows)
    Printer(fmt, tz).records(
        data.rows,
        [
            Column("Month", lambda r: r.month or "no date"),
            Column("Deals", lambda r: r.count),
            money_column("Weighted", lambda r: r.weighted, lambda r: r.currency),
            money_column("Best case", lambda r: r.best_case, lambda r: r.currency),
        ],
    )


def _forecast_chart(rows: Sequence[Any]) -> None:
    """Per currency, one bar per month: █ weighted, ░ the rest of the best case."""
    from rich.text import Text

    out = Text()
    bar_width = 30
    for currency in sorted({r.currency for r in rows}):
        mine = [r for r in rows if r.currency == currency]
        peak = max(r.best_case for r in mine) or 1
        if out:
            out.append("\n")
        out.append(f"Forecast in {currency} (█ weighted, ░ best case)\n", style="bold")
        for r in mine:
            full = round(bar_width * r.weighted / peak)
            best = round(bar_width * r.best_case / peak)
            out.append(f"{r.month or 'no date':<8} ")
            out.append("█" * full, style="green")
            out.append("░" * max(best - full, 0), style="dim")
            out.append(" " * (bar_width - max(best, full)))
            out.append(f" {format_amount(r.weighted, currency)} / {format_amount(r.best_case, currency)}\n")
    if not rows:
        print("no open deals with a value", file=sys.stderr)
        return
    console().print(out, end="")


def _winrate(ctx: Context, f: ReportFilter, fmt: str) -> None:
    data = reports.winrate(ctx, f)
    tz = ctx.clock.tz
    if fmt in ("json", "jsonl"):
        return emit(data.to_dict(), fmt)  # jsonl: the whole report on one line
    if fmt == "csv":
        rows: list[dict[str, Any]] = [
            {"metric": "won", "currency": "", "value": data.won},
            {"metric": "lost", "currency": "", "value": data.lost},
            *(
                {"metric": "won_value", "currency": c, "value": json_number(v, c)}
                for c, v in sorted(data.won_value.items())
            ),
            *(
                {"metric": "lost_value", "currency": c, "value": json_number(v, c)}
                for c, v in sorted(data.lost_value.items())
            ),
            {"metric": "win_rate", "currency": "", "value": data.win_rate},
            {"metric": "average_cycle_days", "currency": "", "value": data.average_cycle_days},
            *(
                {"metric": f"lost_reason:{r.reason}", "currency": "", "value": r.count}
                for r in data.lost_reasons
            ),
        ]
        return _csv(rows, tz)
    summary = [
        ("Won", f"{data.won}" + (f" · {money(data.won_value)}" if data.won_value else "")),
        ("Lost", f"{data.lost}" + (f" · {money(data.lost_value)}" if data.lost_value else "")),
        ("Win rate", "" if data.win_rate is None else f"{data.win_rate:.1f}%"),
        ("Avg sales cycle", "" if data.average_cycle_days is None else f"{data.average_cycle_days:.1f} days"),
    ]
    printer = Printer(fmt, tz)
    printer.record(
        {},
        summary,
        sections=[
            (
                "Lost reasons",
                list(data.lost_reasons),
                [
                    Column("Reason", lambda r: r.reason, wrap=True),
                    Column("Deals", lambda r: r.count),
                    Column("Value", lambda r: money(r.value)),
                ],
            )
        ],
    )


def _conversion(ctx: Context, f: ReportFilter, fmt: str) -> None:
    data = reports.conversion(ctx, f)
    tz = ctx.clock.tz
    if _machine(
        fmt,
        tz,
        data.to_dict(),
        lambda: [r.to_dict() for r in data.rows],
        lambda: [r.to_dict() for r in data.rows],
    ):
        return
    Printer(fmt, tz).records(
        data.rows,
        [
            Column("Stage", lambda r: r.stage),
            Column("Entered", lambda r: r.entered),
            Column("Moved on", lambda r: r.advanced),
            Column("Conversion", lambda r: "" if r.conversion is None else f"{r.conversion:.1f}%"),
            Column("Avg days in stage", lambda r: "" if r.average_days is None else f"{r.average_days:.1f}"),
        ],
        title=f"Pipeline {data.pipeline}: {counted(data.deals, 'deal')}, {data.won} won",
    )


def _activity(ctx: Context, f: ReportFilter, fmt: str) -> None:
    data = reports.activity(ctx, f)
    tz = ctx.clock.tz
    rows = [
        {"week": w, **{k: counts.get(k, 0) for k in data.kinds}, "total": sum(counts.values())}
        for w, counts in data.weeks
    ]
    if _machine(fmt, tz, data.to_dict(), lambda: rows, lambda: rows):
        return
    columns = [
        Column("Week", lambda r: r["week"]),
        *(_key_column(k) for k in data.kinds),
        Column("Total", lambda r: r["total"]),
    ]
    Printer(fmt, tz).records(rows, columns, empty="no activity in this period")


_RENDER: dict[str, Callable[[Context, ReportFilter, str], None]] = {
    "pipeline": _pipeline,
    "forecast": _forecast,
    "winrate": _winrate,
    "conversion": _conversion,
    "activity": _activity,
}
