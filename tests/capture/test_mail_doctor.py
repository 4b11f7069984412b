"""``doctor`` reports a mail source that ``mail import`` has not read for too long."""

from __future__ import annotations

from tests.capture.mailbox_files import CONFIG, message, write_mbox


def mail_problems(cli, now: str) -> list[dict]:
    result = cli("doctor", "--json", env={"MINICRM_NOW": now})
    return [p for p in result.json() if p["check"] == "mail"]


def test_a_mail_source_not_read_for_longer_than_stale_hours(cli, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.replace("[mail]", "[mail]\nstale_hours = 24"))
    monkeypatch.setenv("MINICRM_CONFIG", str(config))
    cli("contact", "add", "Ana", "--email", "ana@lima.pt")
    box = write_mbox(tmp_path / "inbox.mbox", [message("ana@lima.pt", "me@mine.org", "Hi", message_id="a@x")])
    assert cli("mail", "import", str(box)).exit_code == 0
    assert (
        cli("mail", "import", "-", input=message("ana@lima.pt", "me@mine.org", "P").as_string()).exit_code
        == 0
    )
    assert mail_problems(cli, "2026-11-24T09:00:00") == []  # 23 hours later
    assert mail_problems(cli, "2026-11-24T11:00:00") == [  # 25 hours later; stdin is no source to watch
        {
            "check": "mail",
            "problem": f"the mail source {box} has not been read since 2026-11-23 10:00",
            "fix": f"add this line with `crontab -e`: */15 * * * * minicrm mail import {box} --quiet",
        }
    ]


def test_no_mail_source_no_problem(cli):
    cli("contact", "add", "Ana")
    assert mail_problems(cli, "2027-01-01T00:00:00") == []
