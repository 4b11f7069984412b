"""``cli/`` and ``tui/`` hold no SQL and never reach the database: they call service queries and
print the DTOs these return (issue 14). The TUI reaches the services through its store from
thread workers only (``tui/work.py``), never on the UI thread.

The rules read the source (``ast``), so that prose is never mistaken for a query: docstrings are
skipped, and a help text has no upper-case ``SELECT … FROM`` or ``ORDER BY`` in it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "minicrm"
INTERFACES = ("cli", "tui")

#: SQL as the services write it: upper-case keywords in their grammatical places
SQL = re.compile(
    r"\bSELECT\s+(DISTINCT\s+)?[\w*(]"
    r"|\bINSERT\s+(OR\s+\w+\s+)?INTO\b"
    r"|\bUPDATE\s+\w+\s+SET\b"
    r"|\bDELETE\s+FROM\b"
    r"|\b(CREATE|DROP|ALTER)\s+(TABLE|INDEX|VIEW|TRIGGER)\b"
    r"|\bPRAGMA\s+\w"
    r"|\bWHERE\s+[\w.]+\s*(=|<|>|!=|IN\b|IS\b|LIKE\b|NOT\b)"
    r"|\b(ORDER|GROUP)\s+BY\s+\w"
    r"|\b(LEFT\s+|INNER\s+)?JOIN\s+\w+(\s+\w+)?\s+ON\b"
    r"|\bLIMIT\s+(\?|\d)"
)
#: what a Database (or a DB-API connection or cursor) runs statements with
RUNS_SQL = {"execute", "executemany", "executescript", "scalar", "all", "one", "fetchall", "fetchone"}
#: what such a receiver is called
DATABASE_NAMES = ("db", "conn", "cursor", "database")
#: modules that are the storage layer or a database driver
STORAGE = ("minicrm.store", "sqlite3", "sqlalchemy", "psycopg", "psycopg2")


def interface_files(root: Path = PACKAGE) -> list[Path]:
    return sorted(p for part in INTERFACES for p in (root / part).rglob("*.py"))


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes (the first statement of a module, class or function)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _receiver_name(node: ast.expr) -> str:
    """``ctx.db`` → ``db``, ``conn`` → ``conn``, ``self._cursor()`` → ``_cursor``."""
    while isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def violations(path: Path, root: Path = PACKAGE) -> list[str]:
    """What in ``path`` breaks the rules, as ``file:line: why``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    docstrings = _docstrings(tree)
    where = path.relative_to(root).as_posix()
    out: list[tuple[int, str]] = []

    def say(node: ast.AST, why: str) -> None:
        line = getattr(node, "lineno", 0)
        out.append((line, f"{where}:{line}: {why}"))

    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if SQL.search(node.value):
                say(node, f"SQL in a string: {node.value[:60]!r}")
        elif isinstance(node, ast.Attribute) and node.attr == "db":
            # ``GLOBALS.db`` is the --db option (a string); ``self.db(...)`` a TUI screen's worker
            if not (isinstance(node.value, ast.Name) and node.value.id in ("self", "GLOBALS")):
                say(node, "reaches the Database (`.db`): call a service query instead")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method, receiver = node.func.attr, _receiver_name(node.func.value)
            if method in RUNS_SQL and any(w in receiver.lower() for w in DATABASE_NAMES):
                say(node, f"runs a statement ({receiver}.{method})")
            if method == "call" and receiver == "store" and where != "tui/work.py":
                say(node, "calls the store outside a thread worker (use the screen's db()/write())")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                if any(name == s or name.startswith(s + ".") for s in STORAGE):
                    say(node, f"imports the storage layer ({name})")
    return [text for _, text in sorted(out, key=lambda item: item[0])]


@pytest.mark.parametrize("path", interface_files(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_interface_module_has_no_sql_and_no_database(path: Path) -> None:
    assert violations(path) == []


def test_the_rules_catch_what_they_forbid_and_spare_prose(tmp_path: Path) -> None:
    (tmp_path / "cli").mkdir()
    bad = tmp_path / "cli" / "bad.py"
    bad.write_text(
        '"""A docstring may say SELECT id FROM contact ORDER BY id."""\n'
        "def f(ctx, sql, params, conn, app):\n"
        '    """So may this one: WHERE c.id = ?"""\n'
        "    rows = ctx.db.all(\n"
        '        "SELECT id, title FROM deal WHERE contact_id = ? "\n'
        '        "ORDER BY id",\n'
        "        (1,),\n"
        "    )\n"
        '    more = sql + " ORDER BY c.id"\n'
        '    conn.execute("PRAGMA foreign_keys = ON")\n'
        "    with ctx.db.snapshot():\n"
        "        app.store.call(len, ())\n"
        "    from minicrm.store.db import Database\n"
        '    return f"DELETE FROM contact WHERE id = {rows}", more, Database\n',
        encoding="utf-8",
    )
    found = violations(bad, tmp_path)
    assert [line.split(": ", 1)[0] for line in found] == [
        "cli/bad.py:4",  # ctx.db.all(
        "cli/bad.py:4",  # the .db
        "cli/bad.py:5",  # SELECT … FROM … ORDER BY
        "cli/bad.py:9",  # " ORDER BY c.id"
        "cli/bad.py:10",  # conn.execute
        "cli/bad.py:10",  # PRAGMA
        "cli/bad.py:11",  # ctx.db.snapshot()
        "cli/bad.py:12",  # store.call outside tui/work.py
        "cli/bad.py:13",  # import of minicrm.store
        "cli/bad.py:14",  # DELETE FROM in an f-string
    ]
    fine = tmp_path / "cli" / "fine.py"
    fine.write_text(
        "def f(GLOBALS, self, rows):\n"
        '    help = "Delete contacts with their notes; select several with --filter-tag. Order by name."\n'
        '    other = "Update the deal, then select where to go; join the team on Monday."\n'
        "    self.db(len, rows, then=print)\n"
        "    print(self.query('#rows'), rows.first(), all(rows), GLOBALS.db)\n"
        "    return help, other\n",
        encoding="utf-8",
    )
    assert violations(fine, tmp_path) == []
