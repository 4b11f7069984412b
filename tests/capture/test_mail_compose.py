"""``mail compose``: $EDITOR on a filled template, sent through a sendmail-style command to a
real local SMTP sink (aiosmtpd), logged on the timeline only when it was sent."""

from __future__ import annotations

import sys
from email import message_from_bytes, policy

import pytest
from tests.capture.dovecot import free_port

SENDMAIL = """import os, smtplib, sys
from email import message_from_bytes, policy
from email.utils import getaddresses
raw = sys.stdin.buffer.read()
msg = message_from_bytes(raw, policy=policy.SMTP)
to = [a for _, a in getaddresses(msg.get_all("To", []) + msg.get_all("Cc", []))]
assert "-t" in sys.argv, sys.argv
with smtplib.SMTP("127.0.0.1", int(os.environ["SINK_PORT"])) as smtp:
    smtp.sendmail(msg.get("From", "me@mine.org"), to, raw)
"""
EDITOR = """import sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
text = text.replace("Subject: Your {what}", "Subject: Your offer").replace("Subject: \\n", "Subject: Hi\\n")
open(path, "w", encoding="utf-8").write(text + "See you soon — Ana.\\n")
"""


@pytest.fixture
def sink():
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.rcpt_tos, envelope.content))
            return "250 OK"

    handler = Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def setup(cli, tmp_path, monkeypatch, sink):
    handler, port = sink
    (tmp_path / "sendmail.py").write_text(SENDMAIL)
    (tmp_path / "editor.py").write_text(EDITOR)
    config = tmp_path / "config.toml"
    config.write_text(
        "[mail]\n"
        'addresses = ["me@mine.org"]\n'
        f'sendmail = "{sys.executable} {tmp_path / "sendmail.py"} -t"\n'
        "[mail.templates]\n"
        'offer = "Subject: Your offer on {deal}\\n\\n'
        'Dear {first_name},\\n\\nthe {deal} comes to {deal_value}.\\n"\n'
    )
    monkeypatch.setenv("MINICRM_CONFIG", str(config))
    monkeypatch.setenv("SINK_PORT", str(port))
    monkeypatch.setenv("EDITOR", f"{sys.executable} {tmp_path / 'editor.py'}")
    cli("contact", "add", "Bruno Dias", "--email", "bruno@dias.pt", "--company", "Dias Lda")
    return handler


def test_a_message_from_a_template_is_sent_and_logged(cli, setup):
    deal = cli("deal", "add", "Roof repair", "--contact", "bruno", "--value", "1200", "--json").json()
    result = cli("mail", "compose", "bruno", "--template", "offer", "--deal", str(deal["id"]), "--json")
    assert result.exit_code == 0, result.stderr
    [(rcpt, raw)] = setup.messages
    assert rcpt == ["bruno@dias.pt"]
    sent = message_from_bytes(raw, policy=policy.default)
    assert sent["Subject"] == "Your offer on Roof repair"
    assert sent["To"] == "Bruno Dias <bruno@dias.pt>"
    assert sent["From"] == "me@mine.org"
    text = sent.get_content().replace("\r\n", "\n")  # as it crossed SMTP
    assert text.startswith("Dear Bruno,\n\nthe Roof repair comes to 1,200.00 EUR.\n")
    assert text.endswith("See you soon — Ana.\n")
    logged = result.json()
    assert logged["kind"] == "email" and logged["deal_id"] == deal["id"]
    [entry] = cli("timeline", "bruno", "--kind", "email", "--json").json()
    assert entry["direction"] == "sent"
    assert entry["external_id"] == "mail:" + sent["Message-ID"].strip("<>")
    assert entry["body"].startswith("Your offer on Roof repair\n\nDear Bruno,")


def test_nothing_is_logged_when_sending_fails(cli, setup, tmp_path, monkeypatch, reopen):
    failing = tmp_path / "fail.py"
    failing.write_text(
        "import sys\nsys.stdin.read()\nprint('msmtp: cannot connect', file=sys.stderr)\nsys.exit(75)\n"
    )
    config = tmp_path / "config.toml"
    config.write_text(config.read_text().replace(str(tmp_path / "sendmail.py"), str(failing)))
    result = cli("mail", "compose", "bruno")
    assert result.exit_code == 1
    assert result.stderr.endswith("fail.py -t': msmtp: cannot connect\n")
    assert result.stderr.startswith("error: the message was not sent: ")
    assert setup.messages == []
    with reopen() as c:
        assert c.db.scalar("SELECT count(*) FROM interaction WHERE kind = 'email'") == 0


def test_an_unknown_template_or_field_is_one_clear_error(cli, setup, tmp_path):
    result = cli("mail", "compose", "bruno", "--template", "nope")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no mail template 'nope' (known: offer;")
    config = tmp_path / "config.toml"
    config.write_text(config.read_text() + 'bad = "Subject: x\\n\\n{shoe_size}"\n')
    bad = cli("mail", "compose", "bruno", "--template", "bad")
    assert bad.stderr.startswith("error: the mail template 'bad' names {shoe_size}, which is not a field")
    assert setup.messages == []
