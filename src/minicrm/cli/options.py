"""Options shared by many commands, declared once."""

from __future__ import annotations

from typing import Annotated

import typer

FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format: table, plain, json, jsonl or csv. "
        "Default: table on a terminal, plain otherwise.",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Same as --format json.")]
HeaderOpt = Annotated[
    bool, typer.Option("--header", help="With --format plain: start with a line of the column names.")
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
OwnerOpt = Annotated[str | None, typer.Option("--owner", help="Only records owned by this user.")]
IfVersionOpt = Annotated[
    int | None,
    typer.Option(
        "--if-version",
        min=1,
        metavar="N",
        help="Only if the record is still at version N (from --json); else fail, changing nothing.",
    ),
]
_EVERYONE = "Everyone's records (team mode), not just mine."
AllOpt = Annotated[bool, typer.Option("--all", "--everyone", help=_EVERYONE)]
EveryoneOpt = Annotated[bool, typer.Option("--everyone", help=_EVERYONE)]

# Record-writing options shared by contacts, companies, deals and follow-ups.
TagOpt = Annotated[list[str] | None, typer.Option("--tag", "-t", help="Tag (repeat for several).")]
ReplaceTagsOpt = Annotated[
    list[str] | None, typer.Option("--tag", "-t", help="Replace the tags (repeatable).")
]
AddTagOpt = Annotated[list[str] | None, typer.Option("--add-tag", help="Add a tag.")]
RemoveTagOpt = Annotated[list[str] | None, typer.Option("--remove-tag", help="Remove a tag.")]
FieldOpt = Annotated[list[str] | None, typer.Option("--field", help="Custom field KEY=VALUE (repeatable).")]
NewOwnerOpt = Annotated[str | None, typer.Option("--owner", help="Owner (default: you).")]
ReassignOpt = Annotated[str | None, typer.Option("--owner", help="Reassign to this user.")]
StreetOpt = Annotated[str | None, typer.Option("--street")]
CityOpt = Annotated[str | None, typer.Option("--city")]
RegionOpt = Annotated[str | None, typer.Option("--region")]
PostcodeOpt = Annotated[str | None, typer.Option("--postcode")]
CountryOpt = Annotated[str | None, typer.Option("--country")]
