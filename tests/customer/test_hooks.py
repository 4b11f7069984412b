"""Event hooks with real executable scripts in a temporary config dir."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from minicrm.core.errors import Refused
from minicrm.services.kernel.context import open_context
from minicrm.services.kernel.unit_of_work import UnitOfWork


@pytest.fixture
def hooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "cfg" / "config.toml"
    (config.parent / "hooks").mkdir(parents=True)
    config.write_text("hook_timeout = 2\n", encoding="utf-8")
    monkeypatch.setenv("MINICRM_CONFIG", str(config))
    monkeypatch.delenv("MINICRM_HOOK_DEPTH", raising=False)
    return config.parent / "hooks"


def script(folder: Path, name: str, body: str, *, executable: bool = True) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    path.chmod(0o755 if executable else 0o644)
    return path


def test_on_add_receives_the_event_as_json_on_stdin(cli, hooks, tmp_path) -> None:
    out = tmp_path / "event.json"
    script(hooks, "on-add", f"cat > {out}")
    result = cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt", env={"MINICRM_USER": "rita"})
    assert result.exit_code == 0, result.stderr
    event = json.loads(out.read_text())
    assert {
        k: event[k] for k in ("event", "entity", "id", "action", "before", "user", "time", "summary")
    } == {
        "event": "on-add",
        "entity": "contact",
        "id": 1,
        "action": "create",
        "before": None,
        "user": "rita",
        "time": "2026-11-23T10:00:00+00:00",
        "summary": "contact add Ana Lima",
    }
    assert event["after"]["name"] == "Ana Lima" and event["after"]["emails"] == ["ana@lima.pt"]


def test_a_pre_hook_vetoes_with_its_first_stderr_line_and_nothing_is_stored(cli, ctx, hooks) -> None:
    script(
        hooks,
        "pre-add",
        'grep -q \'"name": "Spam\' && { echo "no spam contacts" >&2; echo more >&2; exit 3; }\nexit 0',
    )
    vetoed = cli("contact", "add", "Spam Bot")
    assert (vetoed.exit_code, vetoed.stderr) == (1, "error: no spam contacts\n")
    assert ctx.db.scalar("SELECT count(*) FROM contact") == 0
    assert ctx.db.scalar("SELECT count(*) FROM change") == 0
    assert cli("contact", "add", "Ana").exit_code == 0
    assert ctx.db.scalar("SELECT count(*) FROM contact") == 1


def test_pre_change_and_pre_delete_veto_too(cli, ctx, hooks) -> None:
    cli("contact", "add", "Ana")
    script(hooks, "pre-change", "echo 'frozen record' >&2; exit 1")
    script(hooks, "pre-delete.d/10-keep", "exit 1")
    result = cli("contact", "edit", "ana", "--title", "CEO")
    assert (result.exit_code, result.stderr) == (1, "error: frozen record\n")
    result = cli("contact", "rm", "ana", "--yes")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: hook pre-delete.d/10-keep refused the change (exit 1)\n",
    )
    assert ctx.db.scalar("SELECT title FROM contact WHERE id = 1") is None


def test_a_failing_on_hook_is_a_warning_and_keeps_the_data(cli, ctx, hooks) -> None:
    script(hooks, "on-add", "echo 'webhook down' >&2; exit 2")
    result = cli("contact", "add", "Ana", "--json")
    assert result.exit_code == 0
    assert result.json()["name"] == "Ana"
    assert result.stderr == "warning: hook on-add failed (exit 2): webhook down\n"
    assert ctx.db.scalar("SELECT name FROM contact WHERE id = 1") == "Ana"


def test_a_hanging_hook_is_stopped_with_its_children(cli, ctx, hooks, tmp_path) -> None:
    pid_file = tmp_path / "child.pid"
    script(hooks, "on-add", f"sleep 60 &\necho $! > {pid_file}\nwait")
    result = cli("contact", "add", "Ana")
    assert result.exit_code == 0
    assert result.stderr == "warning: hook on-add timed out after 2s and was stopped\n"
    assert ctx.db.scalar("SELECT count(*) FROM contact") == 1
    assert _gone(int(pid_file.read_text()))
    script(hooks, "pre-add", "sleep 60")
    vetoed = cli("contact", "add", "Bruno")
    assert (vetoed.exit_code, vetoed.stderr) == (
        1,
        "error: hook pre-add timed out after 2s and was stopped\n",
    )
    assert ctx.db.scalar("SELECT count(*) FROM contact") == 1


def _gone(pid: int) -> bool:
    """The process no longer runs (gone, or a zombie waiting for its reaper)."""
    for _ in range(50):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":
            return True
        time.sleep(0.1)
    return False


def test_several_scripts_run_in_sorted_order_and_non_executables_warn(cli, hooks, tmp_path) -> None:
    log = tmp_path / "order.log"
    script(hooks, "on-add.d/20-second", f"echo second >> {log}")
    script(hooks, "on-add.d/10-first", f"echo first >> {log}")
    script(hooks, "on-add-third", f"echo third >> {log}")
    script(hooks, "on-add-disabled", f"echo disabled >> {log}", executable=False)
    result = cli("contact", "add", "Ana")
    assert result.exit_code == 0
    assert log.read_text() == "third\nfirst\nsecond\n"  # on-add-third sorts before on-add.d
    assert (
        result.stderr == "warning: hook on-add-disabled is not executable; skipped (chmod +x to enable it)\n"
    )


def test_on_stage_change_gets_the_deal_before_and_after(hooks, tmp_path) -> None:
    out = tmp_path / "stage.json"
    changes = tmp_path / "changes.log"
    script(hooks, "on-stage-change", f"cat > {out}")
    script(hooks, "on-change", f"cat >> {changes}; echo >> {changes}")
    ctx = open_context()
    try:
        at = "2026-11-01T10:00:00.000000Z"
        ctx.db.execute(
            "INSERT INTO deal (title, value_minor, currency, pipeline, stage, status, stage_entered_at, "
            "created_at, updated_at, version) "
            "VALUES ('Website', 100000, 'EUR', 'default', 'qualified', 'open', ?, ?, ?, 1)",
            (at, at, at),
        )
        before = dict(ctx.db.one("SELECT * FROM deal WHERE id = 1"))
        with UnitOfWork(ctx, "deal move 1 proposal") as uow:
            uow.db.execute("UPDATE deal SET stage = 'proposal' WHERE id = 1")
            uow.record("deal", 1, "update", before, dict(uow.db.one("SELECT * FROM deal WHERE id = 1")))
        with UnitOfWork(ctx, "deal edit 1") as uow:  # no stage change: no on-stage-change
            uow.record(
                "deal",
                1,
                "update",
                {**before, "stage": "proposal"},
                {**before, "stage": "proposal", "title": "W"},
            )
    finally:
        ctx.close()
    event = json.loads(out.read_text())
    assert (event["event"], event["entity"], event["id"]) == ("on-stage-change", "deal", 1)
    assert (event["before"]["stage"], event["after"]["stage"]) == ("qualified", "proposal")
    assert event["summary"] == "deal move 1 proposal"
    assert changes.read_text().count('"event": "on-change"') == 2


def test_on_followup_done_and_on_due(cli, hooks, tmp_path) -> None:
    done = tmp_path / "done.json"
    due = tmp_path / "due.json"
    script(hooks, "on-followup-done", f"cat > {done}")
    script(hooks, "on-due", f"cat > {due}")
    cli("contact", "add", "Ana")
    cli("followup", "add", "ana", "send the quote", "--due", "2026-11-20")
    cli("followup", "add", "ana", "call back", "--due", "2026-12-20")
    result = cli("due", "--format", "plain")
    assert "send the quote" in result.stdout
    report = json.loads(due.read_text())
    assert report["event"] == "on-due"
    assert [f["title"] for f in report["after"]["overdue"]] == ["send the quote"]
    assert not done.exists()
    cli("followup", "done", "1")
    event = json.loads(done.read_text())
    assert (event["entity"], event["id"], event["before"]["done_at"]) == ("followup", 1, None)
    assert event["after"]["done_at"]


def test_nothing_due_fires_no_on_due(cli, hooks, tmp_path) -> None:
    due = tmp_path / "due.json"
    script(hooks, "on-due", f"cat > {due}")
    assert cli("due").stdout == ""
    assert not due.exists()


def test_a_hook_calling_minicrm_does_not_recurse_forever(cli, hooks, tmp_path) -> None:
    log = tmp_path / "depth.log"
    (hooks.parent / "config.toml").write_text("hook_timeout = 60\n", encoding="utf-8")
    src = Path(__file__).resolve().parents[2] / "src"
    script(
        hooks,
        "on-add",
        f'echo "$MINICRM_HOOK_DEPTH" >> {log}\n'
        f'PYTHONPATH={src} {sys.executable} -m minicrm contact add "From hook" >/dev/null',
    )
    result = cli("contact", "add", "Ana")
    assert (result.exit_code, result.stderr) == (0, "")
    assert log.read_text().split() == ["1", "2"]  # the hook's own add ran hooks once more, then they stop
    names = [c["name"] for c in cli("contact", "list", "--json").json()]
    assert sorted(names) == ["Ana", "From hook", "From hook"]


def test_hooks_are_skipped_at_the_maximum_depth(cli, hooks, tmp_path) -> None:
    out = tmp_path / "event.json"
    script(hooks, "on-add", f"cat > {out}")
    cli("contact", "add", "Ana", env={"MINICRM_HOOK_DEPTH": "2"})
    assert not out.exists()


def test_hooks_list_shows_what_is_installed(cli, hooks) -> None:
    script(hooks, "on-add", "exit 0")
    script(hooks, "pre-delete", "exit 0", executable=False)
    script(hooks, "on-stage-change.d/notify", "exit 0")
    (hooks / "README").write_text("notes\n")
    result = cli("hooks", "list", "--format", "plain")
    assert result.exit_code == 0
    assert result.stdout == (
        "README\t?\tno\non-add\ton-add\tyes\non-stage-change.d/notify\ton-stage-change\tyes\npre-delete\tpre-delete\tno\n"
    )
    assert result.stderr.splitlines() == [
        "warning: hook README matches no event (on-add, on-change, on-delete, on-stage-change, "
        "on-followup-done, on-due, pre-add, pre-change, pre-delete); ignored",
        f"warning: hook pre-delete is not executable; it will not run (chmod +x {hooks / 'pre-delete'})",
    ]


def test_hooks_list_without_a_hooks_dir(cli, hooks) -> None:
    hooks.rmdir()
    result = cli("hooks", "list")
    assert (result.exit_code, result.stdout) == (0, "")


def test_a_nested_unit_of_work_hands_its_events_to_the_outer_one(hooks, tmp_path) -> None:
    from minicrm.services.contacts import commands as contacts
    from minicrm.services.dto import ContactCreate

    log = tmp_path / "adds.log"
    script(hooks, "on-add", f"cat >> {log}; echo >> {log}")
    ctx = open_context()
    try:
        with UnitOfWork(ctx, "import 2 contacts") as outer:
            contacts.add(ctx, ContactCreate(name="Ana"))
            assert not log.exists()  # not yet: the outer transaction has not committed
            contacts.add(ctx, ContactCreate(name="Bruno"))
        assert len(outer.events) == 2
        events = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
        assert [(e["after"]["name"], e["summary"]) for e in events] == [
            ("Ana", "import 2 contacts"),
            ("Bruno", "import 2 contacts"),
        ]
        script(hooks, "pre-add", "echo 'closed for imports' >&2; exit 1")
        with pytest.raises(Refused, match="closed for imports"), UnitOfWork(ctx, "import 1 contact"):
            contacts.add(ctx, ContactCreate(name="Carla"))
        assert ctx.db.scalar("SELECT count(*) FROM contact") == 2
    finally:
        ctx.close()
