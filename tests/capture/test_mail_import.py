"""``minicrm mail import``: mbox, Maildir, stdin; idempotent; bad input named and skipped."""

from __future__ import annotations

import json

import pytest
from tests.capture.mailbox_files import CONFIG, message, write_maildir, write_mbox


@pytest.fixture
def people(cli, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    monkeypatch.setenv("MINICRM_CONFIG", str(config))
    assert cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt", "--company", "Lima Lda").exit_code == 0
    assert cli("contact", "add", "Bruno Dias", "--email", "bruno@dias.pt").exit_code == 0
    return config


def conversation():
    return [
        message(
            "Me <me@mine.org>",
            "Ana Lima <ana@lima.pt>, Bruno Dias <bruno@dias.pt>",
            "Proposal",
            "Here is the proposal.\n\n-- \nMe\nMine Lda\n",
            when="2026-11-20T09:00:00",
            message_id="p1@mine.org",
            cc="Zoe <zoe@stranger.org>, spam@bad.example",
            attachments=(("proposal.pdf", b"x" * 1234),),
        ),
        message(
            "Ana Lima <ana@lima.pt>",
            "me@mine.org",
            "Re: Proposal",
            "Looks good, let's sign.\n\nOn Fri, 20 Nov 2026, Me wrote:\n> Here is the proposal.\n",
            when="2026-11-20T11:30:00",
            message_id="r1@lima.pt",
            in_reply_to="p1@mine.org",
        ),
        message("news@noreply.example", "me@mine.org", "Newsletter", message_id="n1@noreply.example"),
        message("zoe@stranger.org", "me@mine.org", "Hi from Zoe", message_id="z1@stranger.org"),
    ]


def timeline(cli, ref: str) -> list[dict]:
    result = cli("timeline", ref, "--json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def test_an_mbox_becomes_email_interactions_on_contacts_and_their_company(cli, people, tmp_path, reopen):
    box = write_mbox(tmp_path / "inbox.mbox", conversation())
    result = cli("mail", "import", str(box), "--json")
    assert result.exit_code == 0, result.stderr
    summary = result.json()
    assert {k: summary[k] for k in ("read", "captured", "interactions", "not_contacts", "ignored")} == {
        "read": 4,
        "captured": 2,
        "interactions": 3,  # the proposal on Ana and on Bruno, the reply on Ana
        "not_contacts": 1,  # Zoe's own message
        "ignored": 1,  # the newsletter
    }
    assert summary["unknown_correspondents"] == 1  # zoe@stranger.org
    ana = timeline(cli, "ana")
    assert [(i["kind"], i["direction"], i["at"]) for i in ana] == [
        ("email", "received", "2026-11-20T11:30:00+00:00"),
        ("email", "sent", "2026-11-20T09:00:00+00:00"),
    ]
    reply, proposal = ana
    assert reply["body"] == "Re: Proposal\n\nLooks good, let's sign."  # the quote is trimmed
    assert proposal["body"] == "Proposal\n\nHere is the proposal."  # the signature is trimmed
    assert reply["thread_id"] == proposal["thread_id"] == "p1@mine.org"
    assert reply["external_id"] == "mail:r1@lima.pt"
    details = proposal["details"]
    assert details["from"] == "Me <me@mine.org>"
    assert details["to"] == ["Ana Lima <ana@lima.pt>", "Bruno Dias <bruno@dias.pt>"]
    assert details["cc"] == ["Zoe <zoe@stranger.org>"]  # the ignored address is not kept
    assert details["attachments"] == [{"name": "proposal.pdf", "size": 1234}]
    assert proposal["company_id"] is not None
    assert [i["body"].split("\n")[0] for i in timeline(cli, "bruno")] == ["Proposal"]
    company = cli("timeline", "--company", "Lima Lda", "--json").json()
    assert len(company) == 2
    with reopen() as c:
        assert c.db.scalar("SELECT last_interaction_at FROM contact WHERE name = 'Ana Lima'") == (
            "2026-11-20T11:30:00.000000Z"
        )


def test_importing_again_changes_nothing_and_rescan_adds_nothing_twice(cli, people, tmp_path, reopen):
    box = write_mbox(tmp_path / "inbox.mbox", conversation())
    assert cli("mail", "import", str(box)).exit_code == 0
    again = cli("mail", "import", str(box), "--json").json()
    assert (again["read"], again["seen_before"], again["captured"]) == (4, 4, 0)
    rescan = cli("mail", "import", str(box), "--rescan", "--json").json()
    assert (rescan["captured"], rescan["interactions"], rescan["already_captured"]) == (0, 0, 2)
    with reopen() as c:
        assert c.db.scalar("SELECT count(*) FROM interaction WHERE kind = 'email'") == 3


def test_a_message_without_message_id_is_known_by_its_hash(cli, people, tmp_path):
    box = write_mbox(tmp_path / "a.mbox", [message("ana@lima.pt", "me@mine.org", "No id")])
    first = cli("mail", "import", str(box), "--json").json()
    second = cli("mail", "import", str(box), "--rescan", "--json").json()
    assert (first["interactions"], second["interactions"], second["already_captured"]) == (1, 0, 1)
    assert timeline(cli, "ana")[0]["external_id"].startswith("mail-sha256:")


def test_a_maildir_and_a_folder_of_maildirs(cli, people, tmp_path):
    root = tmp_path / "Mail"
    write_maildir(root / "INBOX", [message("ana@lima.pt", "me@mine.org", "In inbox", message_id="a@x")])
    write_maildir(root / "Sent", [message("me@mine.org", "bruno@dias.pt", "Sent one", message_id="b@x")])
    result = cli("mail", "import", str(root), "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["interactions"] == 2
    one = write_maildir(tmp_path / "One", [message("ana@lima.pt", "me@mine.org", "Single", message_id="c@x")])
    assert cli("mail", "import", str(one), "--json").json()["interactions"] == 1
    assert [i["body"] for i in timeline(cli, "ana")] == ["Single\n\nHello.", "In inbox\n\nHello."]


def test_one_message_on_stdin(cli, people):
    raw = message("ana@lima.pt", "me@mine.org", "Piped from mutt", message_id="m@x").as_string()
    result = cli("mail", "import", "-", input=raw)
    assert result.exit_code == 0, result.stderr
    assert "1 captured" in result.stderr
    assert timeline(cli, "ana")[0]["body"] == "Piped from mutt\n\nHello."
    empty = cli("mail", "import", "-", input="")
    assert (empty.exit_code, empty.stderr.splitlines()[-1]) == (
        1,
        "error: stdin: no message (pipe one RFC 822 message into `minicrm mail import -`)",
    )


def test_html_mail_is_converted_to_text(cli, people, tmp_path):
    html = (
        "<html><body><p>Dear Ana,</p><p>the <b>price</b> is &euro;40.</p><ul><li>one</li></ul></body></html>"
    )
    only_html = message("me@mine.org", "ana@lima.pt", "Only HTML", message_id="h2@x")
    only_html.set_content(html, subtype="html")
    cli("mail", "import", str(write_mbox(tmp_path / "h.mbox", [only_html])))
    body = timeline(cli, "ana")[0]["body"]
    assert body.startswith("Only HTML\n\nDear Ana,\n\nthe price is €40.")
    assert "<" not in body and "&euro;" not in body


def test_create_contacts_goes_through_the_import_duplicate_matching(cli, people, tmp_path, reopen):
    box = write_mbox(tmp_path / "inbox.mbox", conversation())
    result = cli("mail", "import", str(box), "--create-contacts", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["created_contacts"] == 1
    zoe = cli("contact", "show", "zoe@stranger.org", "--json").json()
    assert zoe["name"] == "Zoe"
    assert [i["body"].split("\n")[0] for i in timeline(cli, "zoe@stranger.org")] == [
        "Hi from Zoe",
        "Proposal",
    ]
    with reopen() as c:  # the ignored and own addresses never become contacts
        assert c.db.scalar("SELECT count(*) FROM contact") == 3


def test_since_skips_older_messages_for_a_later_run(cli, people, tmp_path):
    box = write_mbox(tmp_path / "inbox.mbox", conversation())
    first = cli("mail", "import", str(box), "--since", "2026-11-20T10:00:00+00:00", "--json").json()
    assert (first["interactions"], first["before_since"]) == (1, 1)  # the reply; not the proposal
    second = cli("mail", "import", str(box), "--json").json()
    assert second["interactions"] == 2


def test_a_subject_naming_an_open_deal_links_it(cli, people, tmp_path):
    deal = cli("deal", "add", "Website redesign", "--contact", "ana", "--json").json()
    msgs = [
        message("ana@lima.pt", "me@mine.org", "About the website redesign", message_id="d1@x"),
        message("ana@lima.pt", "me@mine.org", f"Invoice [deal {deal['id']}]", message_id="d2@x"),
        message("ana@lima.pt", "me@mine.org", "Lunch?", message_id="d3@x"),
    ]
    cli("mail", "import", str(write_mbox(tmp_path / "d.mbox", msgs)))
    mails = [i for i in timeline(cli, "ana") if i["kind"] == "email"]
    linked = {i["body"].split("\n")[0]: i["deal_id"] for i in mails}
    assert linked == {
        "About the website redesign": deal["id"],
        f"Invoice [deal {deal['id']}]": deal["id"],
        "Lunch?": None,
    }


def test_broken_charsets_and_garbage_are_named_and_the_rest_imported(cli, people, tmp_path):
    root = tmp_path / "Broken"
    write_maildir(root, [message("ana@lima.pt", "me@mine.org", "Fine", message_id="ok@x")])
    (root / "new" / "0001.garbage").write_bytes(b"\x00\x01\x02 not a message at all\xff\xfe")
    odd = (
        b"From: ana@lima.pt\r\nTo: me@mine.org\r\nSubject: =?x-unknown?q?Ol=E1?=\r\n"
        b"Message-ID: <odd@x>\r\nDate: Fri, 20 Nov 2026 10:00:00 +0000\r\n"
        b"Content-Type: text/plain; charset=x-unknown\r\n\r\nOl\xe1, tudo bem?\r\n"
    )
    (root / "new" / "0002.odd").write_bytes(odd)
    result = cli("mail", "import", str(root), "--json")
    assert result.exit_code == 1
    assert "error: Broken/0001.garbage: not an RFC 822 message" in result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"error: 1 message(s) in {root} could not be read (named above); the others were imported"
    )
    bodies = sorted(i["body"] for i in timeline(cli, "ana"))
    assert bodies[1] == "Fine\n\nHello."
    assert bodies[0] == "=?x-unknown?q?Ol=E1?=\n\nOl\ufffd, tudo bem?"  # read, not lost


def test_a_truncated_mbox_keeps_what_it_holds_and_the_next_run_continues(cli, people, tmp_path):
    box = write_mbox(tmp_path / "cut.mbox", conversation())
    whole = box.read_bytes()
    box.write_bytes(whole[: whole.index(b"Looks good") + 5])  # cut inside Ana's reply
    first = cli("mail", "import", str(box), "--json")
    assert first.exit_code == 0, first.stderr
    assert first.json()["interactions"] == 3
    assert timeline(cli, "ana")[0]["body"] == "Re: Proposal\n\nLooks"
    # the whole mailbox and a new message: the cut reply keeps its Message-ID, so is not taken twice
    box.unlink()
    write_mbox(box, [*conversation(), message("ana@lima.pt", "me@mine.org", "Later", message_id="l@x")])
    second = cli("mail", "import", str(box), "--json").json()
    assert (second["seen_before"], second["interactions"]) == (2, 1)


def test_not_a_mailbox_is_one_clear_error(cli, people, tmp_path, reopen):
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    result = cli("mail", "import", str(text))
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {text} is not an mbox file (it does not start with a 'From ' line)\n",
    )
    missing = cli("mail", "import", str(tmp_path / "nope"))
    assert (missing.exit_code, missing.stderr) == (1, f"error: no such mailbox: {tmp_path / 'nope'}\n")
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    assert cli("mail", "import", str(empty_dir)).stderr == (
        f"error: {empty_dir} is not a Maildir and holds none (no cur/ and new/ folders)\n"
    )
    with reopen() as c:
        assert c.db.scalar("SELECT count(*) FROM interaction") == 0


def test_the_change_log_holds_captured_mail_and_undo_removes_it(cli, people, tmp_path, reopen):
    cli("mail", "import", str(write_mbox(tmp_path / "a.mbox", conversation())))
    assert cli("undo", "--yes").exit_code == 0
    with reopen() as c:
        assert c.db.scalar("SELECT count(*) FROM interaction") == 0


def test_details_are_json_text_in_the_database(cli, people, tmp_path, reopen):
    cli("mail", "import", str(write_mbox(tmp_path / "a.mbox", conversation()[:1])))
    with reopen() as c:
        raw = c.db.scalar("SELECT details FROM interaction LIMIT 1")
    assert json.loads(str(raw))["subject"] == "Proposal"


def test_raw_utf8_headers_are_read_as_text(cli, people, tmp_path):
    cli("contact", "add", "Zoë", "--email", "zoë@exämple.pt")
    raw = (
        "From x Fri Nov 20 10:00:00 2026\nFrom: Zoë <zoë@exämple.pt>\nTo: me@mine.org\n"
        "Subject: Olá, já está\nMessage-ID: <u8@x>\nDate: Fri, 20 Nov 2026 10:00:00 +0000\n\nSim.\n"
    ).encode()
    box = tmp_path / "u8.mbox"
    box.write_bytes(raw)
    assert cli("mail", "import", str(box)).exit_code == 0
    entry = timeline(cli, "zoë@exämple.pt")[0]
    assert (entry["body"], entry["details"]["from"]) == ("Olá, já está\n\nSim.", "Zoë <zoë@exämple.pt>")


def test_the_same_message_in_two_folders_is_captured_once(cli, people, tmp_path):
    root = tmp_path / "Mail"
    same = message("me@mine.org", "ana@lima.pt", "Copied", message_id="same@x")
    write_maildir(root / "INBOX", [same])
    write_maildir(root / "Archive", [same])
    result = cli("mail", "import", str(root), "--json").json()
    assert (result["read"], result["interactions"]) == (2, 1)
    assert len(timeline(cli, "ana")) == 1


def test_a_configured_rule_links_a_subject_to_an_open_deal(cli, people, tmp_path):
    deal = cli("deal", "add", "Annual contract", "--contact", "ana", "--json").json()
    people.write_text(CONFIG + f'deal_rules = [{{ subject = "Renovação", deal = {deal["id"]} }}]\n')
    msgs = [
        message("ana@lima.pt", "me@mine.org", "A renovação do contrato", message_id="r1@x"),
        message("bruno@dias.pt", "me@mine.org", "Renovação", message_id="r2@x"),  # not Bruno's deal
    ]
    assert cli("mail", "import", str(write_mbox(tmp_path / "r.mbox", msgs))).exit_code == 0
    assert [i["deal_id"] for i in timeline(cli, "ana") if i["kind"] == "email"] == [deal["id"]]
    assert [i["deal_id"] for i in timeline(cli, "bruno") if i["kind"] == "email"] == [None]


def test_a_huge_attachment_is_named_and_sized_never_stored(cli, people, tmp_path, reopen):
    blob = bytes(range(256)) * (24 * 2**20 // 256)  # 24 MiB
    msg = message("ana@lima.pt", "me@mine.org", "The scans", "Scans attached.", message_id="big@x",
                  attachments=(("scans.tar", blob),))  # fmt: skip
    result = cli("mail", "import", str(write_mbox(tmp_path / "big.mbox", [msg])), "--json")
    assert result.exit_code == 0, result.stderr
    [entry] = timeline(cli, "ana")
    assert entry["body"] == "The scans\n\nScans attached."
    assert entry["details"]["attachments"] == [{"name": "scans.tar", "size": len(blob)}]
    with reopen() as c:
        assert c.db.scalar("SELECT max(length(details)) FROM interaction") < 1000


ONE_PART = [
    message("ana@lima.pt", "me@mine.org", "Plain", "Olá, tudo bem?\n> quoted\n"),
    b"From: ana@lima.pt\nTo: me@mine.org\nSubject: Html\nContent-Type: text/html; charset=utf-8\n"
    b"\n<p>Ol\xc3\xa1 <b>you</b></p>\n",
    b"From: ana@lima.pt\r\nTo: me@mine.org\r\nSubject: Latin\r\nContent-Type: text/plain; charset=latin-1"
    b"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nOl=E1=\r\n!\r\n",
    b"From: ana@lima.pt\nTo: me@mine.org\nSubject: A file\nContent-Type: application/pdf; name=a.pdf\n"
    b"Content-Disposition: attachment; filename=a.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n",
    b"From: ana@lima.pt\nTo: me@mine.org\nSubject: Inline text file\nContent-Type: text/plain\n"
    b"Content-Disposition: attachment; filename=n.txt\n\nnot the body\n",
    b"From: ana@lima.pt\nTo: me@mine.org\nSubject: Mixed endings\n\r\nfirst line\n\nsecond\n",
    b"From: ana@lima.pt\nTo: me@mine.org\nSubject: No body",
    "From: ana@lima.pt\nTo: me@mine.org\nSubject: a\rb \u202e\u2066Olá\nDate: x\n\nOlá\n".encode(),
    "From: ana@lima.pt\nno header here: ção\nTo: me@mine.org\n\nbody ção\n".encode(),
    b"From: ana@lima.pt\nTo: me@mine.org\nSubject: Enclosed\nContent-Type: message/rfc822\n\n"
    b"From: x@y.z\nSubject: inner\n\ninner body\n",
    message("ana@lima.pt", "me@mine.org", "Multi", "text", html="<p>html</p>", attachments=(("f", b"1"),)),
]


@pytest.mark.parametrize("raw", ONE_PART, ids=range(len(ONE_PART)))
def test_reading_the_header_first_gives_what_parsing_whole_gives(raw):
    """The importer parses a header block first and the body only for a contact's message; the
    excerpt and attachments are the same as from the standard library's whole parse."""
    from minicrm.exchange import mail as mailfmt

    data = raw if isinstance(raw, bytes) else raw.as_bytes()
    full = mailfmt._PARSER.parsebytes(data)
    expected = mailfmt.content("m", full, mailfmt.envelope_of("m", data, full))
    envelope, head = mailfmt.read("m", data)
    assert envelope == expected.envelope
    assert mailfmt.content("m", mailfmt.whole("m", data, head), envelope) == expected


def test_a_subject_naming_the_companys_open_deal_links_it(cli, people, tmp_path):
    deal = cli("deal", "add", "Warehouse lease", "--company", "Lima Lda", "--json").json()
    other = cli("deal", "add", "Warehouse lease", "--contact", "bruno", "--json").json()
    cli("deal", "lost", str(other["id"]), "--reason", "price")
    msgs = [
        message("ana@lima.pt", "me@mine.org", "Re: the warehouse lease", message_id="w1@x"),
        message("bruno@dias.pt", "me@mine.org", "Re: the warehouse lease", message_id="w2@x"),
    ]
    assert cli("mail", "import", str(write_mbox(tmp_path / "w.mbox", msgs))).exit_code == 0
    assert [i["deal_id"] for i in timeline(cli, "ana") if i["kind"] == "email"] == [
        deal["id"]
    ]  # the company's deal
    assert [i["deal_id"] for i in timeline(cli, "bruno") if i["kind"] == "email"] == [None]  # lost, not open
