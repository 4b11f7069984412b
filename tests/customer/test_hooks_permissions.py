"""A hook others could have written is refused with a warning, as git and ssh refuse such files,
and ``doctor`` says so: anyone who can write a hook runs code as you on your next write."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.customer.test_hooks import hooks, script  # noqa: F401  (the fixture, and a helper)


@pytest.mark.parametrize("loose", ["directory", "file", "event.d"])
def test_a_hook_writable_by_others_is_refused_with_a_warning(cli, hooks, tmp_path, loose: str) -> None:  # noqa: F811
    ran = tmp_path / "ran"
    if loose == "event.d":
        path = script(hooks / "on-add.d", "10-note", f"touch {ran}")
        (hooks / "on-add.d").chmod(0o777)
        writable, name = hooks / "on-add.d", "on-add.d/10-note"
    else:
        path = script(hooks, "on-add", f"touch {ran}")
        writable, name = (hooks, "on-add") if loose == "directory" else (path, "on-add")
        writable.chmod(0o777 if loose == "directory" else 0o757)
    result = cli("contact", "add", "Ana")
    assert result.exit_code == 0
    assert not ran.exists()
    kind = "file" if writable == path else "directory"
    mode = "0757" if writable == path else "0777"
    assert result.stderr == (
        f"warning: hook {name} refused: the {kind} {writable} is writable by others ({mode}; "
        f"chmod go-w {writable})\n"
    )
    doctor = cli("doctor")
    assert doctor.exit_code == 1
    assert doctor.stdout.startswith(f"hooks: hook {name} is refused: the {kind} {writable} is writable")
    assert doctor.stdout.endswith(
        f"— fix: make it and its directories writable by you only: chmod go-w {writable}\n"
    )
    writable.chmod(0o755)
    assert cli("contact", "add", "Bruno").stderr == ""
    assert ran.exists()
    assert cli("doctor").exit_code == 0


def test_a_refused_pre_hook_vetoes_nothing_and_hooks_list_warns(cli, hooks: Path) -> None:  # noqa: F811
    script(hooks, "pre-add", "exit 1")
    hooks.chmod(0o775)
    result = cli("hooks", "list", "--format", "plain")
    assert result.stdout == "pre-add\tpre-add\tyes\n"
    assert result.stderr.startswith(f"warning: hook pre-add is refused: the directory {hooks} is writable")
    assert cli("contact", "add", "Ana").exit_code == 0
