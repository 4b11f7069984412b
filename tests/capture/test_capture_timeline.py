"""Captured mail and meetings on the timeline: threads together, direction and participants;
and they count as touching the person (cadence, next) and the deal (stale deals)."""

from __future__ import annotations

from tests.capture.mailbox_files import CONFIG, message, write_mbox


def setup(cli, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    monkeypatch.setenv("MINICRM_CONFIG", str(config))
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt", "--company", "Lima Lda")
    cli("contact", "add", "Rui Lima", "--email", "rui@lima.pt", "--company", "Lima Lda")


def test_a_thread_is_grouped_with_direction_and_participants(cli, tmp_path, monkeypatch):
    setup(cli, tmp_path, monkeypatch)
    cli("note", "add", "ana", "met at the fair", "--at", "2026-11-20 12:00")
    mails = [
        message("me@mine.org", "ana@lima.pt, rui@lima.pt", "Offer", "The offer.", when="2026-11-19T09:00:00",
                message_id="o1@mine.org"),
        message("ana@lima.pt", "me@mine.org", "Re: Offer", "Thanks.", when="2026-11-21T09:00:00",
                message_id="o2@lima.pt", in_reply_to="o1@mine.org"),
    ]  # fmt: skip
    cli("mail", "import", str(write_mbox(tmp_path / "m.mbox", mails)))
    plain = cli("timeline", "--company", "Lima Lda", "--format", "plain").stdout.splitlines()
    assert plain == [
        "2026-11-21 09:00\t↳ email ← ana@lima.pt\tRe: Offer\\n\\nThanks.\tAna Lima\t",
        "2026-11-19 09:00\temail → ana@lima.pt, rui@lima.pt\tOffer\\n\\nThe offer.\tAna Lima, Rui Lima\t",
        "2026-11-20 12:00\tnote\tmet at the fair\tAna Lima\t",
    ]


def test_captured_mail_counts_for_cadence_next_and_stale_deals(cli, tmp_path, monkeypatch):
    setup(cli, tmp_path, monkeypatch)
    cli("contact", "edit", "ana", "--every", "7d")
    deal = cli("deal", "add", "Big order", "--contact", "ana", "--json").json()
    later = {"MINICRM_NOW": "2026-12-10T10:00:00"}
    assert [c["contact"] for c in cli("due", "--json", env=later).json()["cadence"]] == ["Ana Lima"]
    assert "contact" in [a["kind"] for a in cli("next", "--json", env=later).json()]
    mails = [message("ana@lima.pt", "me@mine.org", "Big order: details", when="2026-12-09T10:00:00",
                     message_id="b@x")]  # fmt: skip
    assert cli("mail", "import", str(write_mbox(tmp_path / "m.mbox", mails)), env=later).exit_code == 0
    assert cli("due", "--json", env=later).json()["cadence"] == []
    assert "contact" not in [a["kind"] for a in cli("next", "--json", env=later).json()]
    shown = cli("deal", "show", str(deal["id"]), "--json", env=later).json()
    assert shown["last_activity_at"] == "2026-12-09T10:00:00+00:00"
