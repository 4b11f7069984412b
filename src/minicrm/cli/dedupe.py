"""``minicrm dedupe``: list likely duplicates, and merge them with ``--apply``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from minicrm.cli.options import FormatOpt, JsonOpt, YesOpt
from minicrm.cli.output import Column, Printer, check_format, write_lines
from minicrm.cli.state import confirm, services

if TYPE_CHECKING:
    from minicrm.services.contacts.dedupe import DuplicateGroup

_MEMBER_COLUMNS = [
    Column("", lambda m: m["role"]),
    Column("ID", lambda m: m["id"]),
    Column("Name", lambda m: m["name"]),
    Column("Alike", lambda m: m["alike"], wrap=True),
]


def _members(group: DuplicateGroup) -> list[dict[str, object]]:
    """A group's records for the terminal: which one is kept, and how alike each is to the
    records above it (every pair passes, or it would not be one group)."""
    scores = {(a, b): score for a, b, score, _ in group.pairs}
    rows: list[dict[str, object]] = []
    for n, (record_id, name) in enumerate(zip(group.ids, group.names, strict=True)):
        alike = ", ".join(f"{scores[(other, record_id)]} with {other}" for other in group.ids[:n])
        rows.append({"role": "keep" if n == 0 else "merge", "id": record_id, "name": name, "alike": alike})
    return rows


def dedupe(
    apply: Annotated[
        bool, typer.Option("--apply", help="Merge each group into its oldest record (asks first).")
    ] = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """List likely duplicate contacts and companies with a score and the reason.

    Every two records of a group are alike themselves (a group's score is its weakest pair's);
    on a terminal each group is shown with the record it keeps and how alike the others are."""
    from minicrm.services.contacts import dedupe as service

    fmt = check_format(fmt, json_flag)
    columns = [
        Column("Type", lambda g: g.entity),
        Column("IDs", lambda g: " ".join(str(i) for i in g.ids)),
        Column("Names", lambda g: " | ".join(g.names)),
        Column("Score", lambda g: g.score),
        Column("Reason", lambda g: g.reason),
    ]
    with services() as ctx:
        groups = service.find_duplicates(ctx)
        printer = Printer(fmt, ctx.clock.tz)
        if fmt != "table" or not groups:
            printer.records(groups, columns, empty="no likely duplicates")
        for n, group in enumerate(groups if fmt == "table" else ()):
            kind = "people" if group.entity == "contact" else "companies"
            head = f"{len(group.ids)} {kind} alike (score {group.score}): {group.reason}"
            write_lines([*([""] if n else []), head])
            printer.records(_members(group), _MEMBER_COLUMNS)
        if not apply or not groups:
            return
        records = sum(len(g.ids) for g in groups)
        confirm(f"Merge {len(groups)} groups ({records} records) into their oldest record each?", yes=yes)
        merged = service.apply_groups(ctx, groups)
        printer.message(f"merged {merged} group{'s' if merged != 1 else ''}")
