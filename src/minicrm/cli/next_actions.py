"""``minicrm next``: what to do now, most urgent first (also on the fast path)."""

from __future__ import annotations

import sys

from minicrm.cli.output import Column, Printer, check_format, inert
from minicrm.cli.state import services

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from minicrm.services.dto import NextAction

_KINDS = {"followup": "follow-up", "deal": "deal", "contact": "contact"}


def columns() -> list[Column]:
    return [
        Column("Score", lambda a: f"{a.score:g}"),
        Column("Kind", lambda a: _KINDS[a.kind]),
        Column("ID", lambda a: a.id, keep=True),
        Column("What", lambda a: a.title, wrap=True, keep=True),
        Column("Contact", lambda a: a.contact),
        Column("Why", lambda a: a.why(), wrap=True),
    ]


def explain_text(actions: list[NextAction]) -> str:
    """Each action with every part of its score, its numbers in columns like a receipt:
    ``name  weight × amount = points  detail``."""
    out: list[str] = []
    for rank, a in enumerate(actions, 1):
        who = f" — {a.contact}" if a.contact and a.kind != "contact" else ""
        out.append(inert(f"{rank:>2}. {a.score:g}  {_KINDS[a.kind]} #{a.id}  {a.title}{who}"))
        cells = [(p.name, f"{p.weight:g}", f"{p.amount:g}", f"{p.points:g}", p.detail) for p in a.parts]
        widths = [max((len(c[i]) for c in cells), default=0) for i in range(4)]
        for name, weight, amount, points, detail in cells:
            out.append(
                inert(
                    f"      {name:<{max(widths[0], 10)}}  {weight:>{widths[1]}} × {amount:<{widths[2]}} "
                    f"= {points:>{widths[3]}}  {detail}"
                )
            )
    return "\n".join(out) + "\n" if out else ""


def next_actions(
    *, limit: int | None, explain: bool, owner: str | None, fmt: str | None, json_flag: bool
) -> None:
    fmt = check_format(fmt, json_flag)
    from minicrm.services.followups.next_actions import suggest
    from minicrm.services.kernel.users import known_owner

    with services() as ctx:
        known_owner(ctx, owner)  # a typo would be "nothing to do"
        actions = suggest(ctx, limit=limit, owner=owner)
        if explain and fmt in ("table", "plain"):
            if not actions:
                print("nothing to do right now", file=sys.stderr)
            sys.stdout.write(explain_text(actions))
            return
        Printer(fmt, ctx.clock.tz).records(actions, columns(), empty="nothing to do right now")
