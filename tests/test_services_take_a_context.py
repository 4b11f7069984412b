"""Services hand each other a ``Context`` (or a unit of work, which has one), never a raw
``Database``: the database is a detail of the context, and a read helper called from a write
runs in that write's transaction because the context's database is the unit of work's."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parent.parent / "src" / "minicrm" / "services"

#: where a Database is what is wanted, and why
ALLOWED = {
    # doctor checks a store that may be too broken to build a context on
    ("admin/doctor.py", "_integrity"),
    ("admin/doctor.py", "_schema"),
    # undo's column lookups work on the raw tables of the database being restored
    ("history/restorers.py", "__init__"),
}


def _takes_a_database(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    args = [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]
    return any(
        a.annotation is not None and ast.unparse(a.annotation).strip("'\"") == "Database" for a in args
    )


def test_no_service_function_takes_a_database() -> None:
    found = []
    for path in sorted(SERVICES.rglob("*.py")):
        rel = str(path.relative_to(SERVICES))
        for node in ast.walk(ast.parse(path.read_text())):
            is_function = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            if is_function and _takes_a_database(node) and (rel, node.name) not in ALLOWED:
                found.append(f"{rel}:{node.lineno} {node.name}")
    assert found == []


def test_the_guard_sees_a_database_parameter() -> None:
    tree = ast.parse("def f(db: Database, ref: str) -> int: ...\ndef g(ctx: Context) -> None: ...")
    assert [_takes_a_database(n) for n in tree.body] == [True, False]  # type: ignore[arg-type]
