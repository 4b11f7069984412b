"""Helpers shared by the import/export tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def table_counts(db_path: Path) -> dict[str, int]:
    """Rows per table (FTS shadow tables aside): 'nothing changed' means these are equal."""
    conn = sqlite3.connect(db_path)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'search_fts%' "
                "AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: conn.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in names}
    finally:
        conn.close()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


#: every command that exports data (to stdout, or with ``--out PATH`` to a file), after
#: ``segment save vips`` and contact 1
EXPORTS = [
    ["export", "csv"],
    ["export", "csv", "--type", "companies"],
    ["export", "csv", "--type", "deals"],
    ["export", "csv", "--type", "followups"],
    ["export", "csv", "--segment", "vips", "--preset", "mailchimp"],
    ["export", "json"],
    ["export", "json", "--segment", "vips"],
    ["export", "ics"],
    ["privacy", "export", "1"],
]
