"""Privacy: export includes captured mail and meetings; erase removes them and redacts the
person in other captured messages' participant lists."""

from __future__ import annotations

import json

from tests.capture.mailbox_files import CONFIG, message, write_mbox
from tests.capture.test_calendar_import import ics, once


def test_export_includes_and_erase_removes_and_redacts(cli, tmp_path, monkeypatch, reopen):
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    monkeypatch.setenv("MINICRM_CONFIG", str(config))
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt")
    cli("contact", "add", "Bruno Dias", "--email", "bruno@dias.pt")
    mails = [
        message(
            "Me <me@mine.org>",
            "Ana Lima <ana@lima.pt>, bruno@dias.pt",
            "Both of you",
            "Ana, write to ana@lima.pt please.",
            message_id="both@x",
        ),
        message("ana@lima.pt", "me@mine.org", "Only Ana", message_id="ana@x"),
    ]
    cli("mail", "import", str(write_mbox(tmp_path / "m.mbox", mails)))
    cal = tmp_path / "c.ics"
    cal.write_text(ics(once()))
    cli("calendar", "import", str(cal))

    doc = cli("privacy", "export", "ana").json()
    kinds = sorted((i["kind"], i["external_id"]) for i in doc["interactions"])
    assert kinds == [("email", "mail:ana@x"), ("email", "mail:both@x"), ("meeting", "ics:once@x")]
    meeting = next(i for i in doc["interactions"] if i["kind"] == "meeting")
    assert meeting["details"]["organizer"] == "Ana Lima <ana@lima.pt>"

    assert cli("privacy", "erase", "ana", "--yes").exit_code == 0
    with reopen() as c:
        rows = c.db.all("SELECT kind, body, details, contact_id FROM interaction ORDER BY id")
    assert {r["contact_id"] for r in rows} == {2}  # Ana's own entries are gone
    text = json.dumps([dict(r) for r in rows])
    assert "ana@lima.pt" not in text and "Ana Lima" not in text
    by_kind = {r["kind"]: json.loads(r["details"]) for r in rows}
    assert by_kind["email"]["to"] == ["[redacted]", "bruno@dias.pt"]
    assert by_kind["meeting"]["organizer"] == "[redacted]"
    email_body = next(r["body"] for r in rows if r["kind"] == "email")
    assert email_body == "Both of you\n\nAna, write to [redacted] please."
