"""``mail import imap://…`` against a real Dovecot (tests/capture/dovecot.py)."""

from __future__ import annotations

import stat

import pytest
from tests.capture.dovecot import PASSWORD, CuttingProxy
from tests.capture.mailbox_files import CONFIG, message


@pytest.fixture
def account(cli, tmp_path, monkeypatch):
    secret = tmp_path / "secret.sh"
    secret.write_text(f"#!/bin/sh\nprintf '%s\\n' '{PASSWORD}'\n")
    secret.chmod(stat.S_IRWXU)
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.replace("[mail]", f'[mail]\npassword_command = "{secret}"'))
    monkeypatch.setenv("MINICRM_CONFIG", str(config))
    assert cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt").exit_code == 0
    return config


def mails(n: int, start: int = 0):
    return [
        message("ana@lima.pt", "me@mine.org", f"Message {i}", f"Body {i}.", message_id=f"m{i}@lima.pt")
        for i in range(start, start + n)
    ]


def run(cli, *args: str):
    return cli("mail", "import", *args, "--json")


def test_imap_imports_then_fetches_only_what_is_new(cli, account, dovecot, reopen):
    dovecot.deliver(*mails(3))
    first = run(cli, dovecot.url())
    assert first.exit_code == 0, first.stderr
    assert (first.json()["read"], first.json()["interactions"]) == (3, 3)
    again = run(cli, dovecot.url()).json()
    assert again["read"] == 0  # nothing fetched at all
    dovecot.deliver(*mails(2, start=3))
    third = run(cli, dovecot.url()).json()
    assert (third["read"], third["interactions"]) == (2, 2)
    with reopen() as c:
        row = c.db.one("SELECT * FROM mail_source WHERE source = ?", (dovecot.url(),))
        assert (row["last_uid"], row["imported"]) == (5, 5)
        assert row["uidvalidity"] > 0
    titles = [i["body"].split("\n")[0] for i in cli("timeline", "ana", "--json").json()]
    assert sorted(titles) == [f"Message {i}" for i in range(5)]


def test_a_new_uidvalidity_reads_the_folder_again_adding_nothing_twice(cli, account, dovecot, reopen):
    dovecot.deliver(*mails(2))
    assert run(cli, dovecot.url()).exit_code == 0
    with reopen() as c, c.db.transaction():
        c.db.execute("UPDATE mail_source SET uidvalidity = 1")
    again = run(cli, dovecot.url()).json()
    assert (again["read"], again["seen_before"], again["interactions"]) == (2, 2, 0)


def test_a_refused_login_is_one_clear_error(cli, account, dovecot, tmp_path, reopen):
    wrong = tmp_path / "wrong.sh"
    wrong.write_text("#!/bin/sh\necho nope\n")
    wrong.chmod(stat.S_IRWXU)
    account.write_text(account.read_text().replace(str(tmp_path / "secret.sh"), str(wrong)))
    result = cli("mail", "import", dovecot.url())
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {dovecot.url()}: the server refused the login: ")
    with reopen() as c:
        assert c.db.scalar("SELECT count(*) FROM mail_source") == 0


def test_no_password_command_and_a_password_in_the_url_are_refused(cli, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    monkeypatch.setenv("MINICRM_CONFIG", str(config))
    result = cli("mail", "import", "imaps://ana@127.0.0.1/INBOX")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: imaps://ana@127.0.0.1/INBOX: no password: set [mail] password_command in the config, "
        'e.g. password_command = "pass show mail"\n',
    )
    result = cli("mail", "import", "imaps://ana:pw@127.0.0.1/INBOX")
    assert result.stderr.startswith("error: an IMAP address cannot hold a password")


def test_a_missing_folder_is_named(cli, account, dovecot):
    result = cli("mail", "import", dovecot.url("Nope"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {dovecot.url('Nope')}: cannot open the folder 'Nope'")


def test_a_dropped_connection_keeps_what_was_read_and_the_next_run_continues(cli, account, dovecot, reopen):
    dovecot.deliver(*mails(200))
    proxy = CuttingProxy(dovecot.port, 40_000)  # the login and a fetch or two (of 50 each)
    try:
        cut = cli("mail", "import", dovecot.url(port=proxy.port))
    finally:
        proxy.close()
    assert cut.exit_code == 1
    assert "the connection was lost after UID" in cut.stderr
    source = dovecot.url(port=proxy.port)
    with reopen() as c:
        kept = c.db.scalar("SELECT count(*) FROM interaction")
        last = c.db.scalar("SELECT last_uid FROM mail_source WHERE source = ?", (source,))
    assert 0 < kept < 200 and last == kept
    # the same account through the same address again: only the rest is fetched
    proxy = CuttingProxy(dovecot.port, 10**9, listen=proxy.port)
    try:
        rest = cli("mail", "import", dovecot.url(port=proxy.port), "--json")
    finally:
        proxy.close()
    assert rest.exit_code == 0, rest.stderr
    assert (rest.json()["read"], rest.json()["interactions"]) == (200 - kept, 200 - kept)
