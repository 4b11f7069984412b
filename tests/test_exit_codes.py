"""One handler turns errors, Ctrl-C and a closed pipe into exit codes, whichever path ran the
command: the Typer tree, the fast path (no Typer) or the direct path (a read off the hot list)."""

from __future__ import annotations

import pytest

from minicrm.cli import direct, fast
from minicrm.cli.errors import ExitCode, exit_code_for
from minicrm.core.errors import NotFound


def _both(cli, capsys, argv: list[str]) -> tuple[tuple[int | None, str, str], tuple[int, str, str]]:
    typer_run = cli(*argv)
    capsys.readouterr()
    code = fast.try_run(argv)
    if code is None:
        code = direct.try_run(argv)
    out, err = capsys.readouterr()
    return (code, out, err), (typer_run.exit_code, typer_run.stdout, typer_run.stderr)


@pytest.mark.parametrize(
    ("raised", "code", "stderr"),
    [
        (KeyboardInterrupt(), ExitCode.INTERRUPTED, "\n"),
        (BrokenPipeError(), ExitCode.OK, ""),
        (NotFound("no contact 'x'"), ExitCode.FAILED, "error: no contact 'x'\n"),
    ],
)
@pytest.mark.parametrize(
    "argv",
    [["due"], ["contact", "list"], ["report", "winrate"], ["followup", "list"], ["contact", "add", "Ana"]],
)
def test_each_path_ends_the_same_way(cli, capsys, monkeypatch, raised, code, stderr, argv) -> None:
    from minicrm.cli import state

    def fail(*args: object, **kwargs: object) -> None:
        raise raised

    monkeypatch.setattr(state, "open_services", fail)  # every command opens the services there
    on_fast, on_typer = _both(cli, capsys, argv)
    assert on_fast == on_typer == (code, "", stderr)


def test_anything_else_keeps_its_traceback() -> None:
    with pytest.raises(ZeroDivisionError):
        exit_code_for(ZeroDivisionError())
