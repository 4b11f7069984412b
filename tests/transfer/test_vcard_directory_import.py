"""A vCard import carries on (issue 16, "imports that carry on"): every complete card of every
readable file is imported in one transaction, each broken file and each card cut off is reported
by its file name and line, and the import exits 1 when some were skipped. A single file without
one complete card is one error that names it."""

from __future__ import annotations

from pathlib import Path


def _card(name: str, email: str) -> str:
    return f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nEMAIL:{email}\r\nEND:VCARD\r\n"


def _directory(tmp_path: Path) -> Path:
    src = tmp_path / "cards"
    src.mkdir()
    (src / "a.vcf").write_text(_card("Ana Lima", "ana@lima.pt"), newline="")
    # the second card of this file is cut off: its BEGIN:VCARD is on line 6
    (src / "broken.vcf").write_text(
        _card("Bruno Reis", "bruno@reis.pt") + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut Off\r\nEMAIL:cu",
        newline="",
    )
    (src / "c.vcf").write_text(_card("Carla Dias", "carla@dias.pt"), newline="")
    (src / "d.vcf").write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:nameless\r\nEND:VCARD\r\n", newline="")
    (src / "empty.vcf").write_bytes(b"")
    return src


def test_a_directory_imports_every_readable_file_and_names_each_broken_one(cli, tmp_path: Path) -> None:
    run = cli("import", "vcard", str(_directory(tmp_path)))
    assert run.exit_code == 1
    assert run.stderr.splitlines() == [
        "d.vcf card 1: rejected: no name",
        "error: broken.vcf: line 6: truncated vCard: card 2 has no END:VCARD",
        "error: empty.vcf: empty vCard file",
        "3 created, 0 updated, 0 skipped, 1 rejected; 1 card skipped (cut off); "
        "1 file skipped (cannot be read)",
    ]
    people = cli("contact", "list", "--json").json()
    # the complete card before the one cut off is in
    assert sorted(p["name"] for p in people) == ["Ana Lima", "Bruno Reis", "Carla Dias"]


def test_a_dry_run_of_a_directory_lists_each_card_by_file(cli, tmp_path: Path) -> None:
    run = cli("import", "vcard", str(_directory(tmp_path)), "--dry-run")
    assert run.exit_code == 1
    assert run.stdout.splitlines() == [
        "a.vcf card 1\tcreated\tAna Lima\t",
        "broken.vcf card 1\tcreated\tBruno Reis\t",
        "c.vcf card 1\tcreated\tCarla Dias\t",
        "d.vcf card 1\trejected\t\tno name",
    ]
    assert cli("contact", "list", "--json").json() == []


def test_duplicates_across_files_name_the_file_they_repeat(cli, tmp_path: Path) -> None:
    src = tmp_path / "cards"
    src.mkdir()
    (src / "a.vcf").write_text(_card("Ana Lima", "ana@lima.pt"), newline="")
    (src / "b.vcf").write_text(_card("Ana L.", "ana@lima.pt"), newline="")
    run = cli("import", "vcard", str(src), "--on-duplicate", "skip")
    assert run.exit_code == 0, run.stderr
    assert run.stderr.splitlines() == [
        "b.vcf card 1: skipped: duplicate of a.vcf card 1 (Ana L.)",
        "1 created, 0 updated, 1 skipped, 0 rejected",
    ]


def test_a_file_cut_off_imports_every_card_before_the_cut(cli, tmp_path: Path) -> None:
    path = _directory(tmp_path) / "broken.vcf"
    dry = cli("import", "vcard", str(path), "--dry-run")
    assert (dry.exit_code, dry.stdout) == (1, "broken.vcf card 1\tcreated\tBruno Reis\t\n")
    assert cli("contact", "list", "--json").json() == []
    run = cli("import", "vcard", str(path))
    assert (run.exit_code, run.stderr.splitlines()) == (
        1,
        [
            "error: broken.vcf: line 6: truncated vCard: card 2 has no END:VCARD",
            "1 created, 0 updated, 0 skipped, 0 rejected; 1 card skipped (cut off)",
        ],
    )
    assert [p["name"] for p in cli("contact", "list", "--json").json()] == ["Bruno Reis"]


def test_after_a_card_cut_off_in_the_middle_the_next_cards_are_read(cli, tmp_path: Path) -> None:
    path = tmp_path / "middle.vcf"
    path.write_text(
        _card("Ana Lima", "ana@lima.pt")
        + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut Off\r\n"  # line 6, no END:VCARD
        + _card("Bruno Reis", "bruno@reis.pt")
        + _card("Bruno R.", "bruno@reis.pt"),
        newline="",
    )
    run = cli("import", "vcard", str(path), "--on-duplicate", "skip")
    assert (run.exit_code, run.stderr.splitlines()) == (
        1,
        [
            "middle.vcf card 4: skipped: duplicate of middle.vcf card 3 (Bruno R.)",
            "error: middle.vcf: line 6: truncated vCard: card 2 has no END:VCARD",
            "2 created, 0 updated, 1 skipped, 0 rejected; 1 card skipped (cut off)",
        ],
    )
    people = cli("contact", "list", "--json", "--sort", "id").json()
    assert [(p["name"], p["emails"]) for p in people] == [
        ("Ana Lima", ["ana@lima.pt"]),
        ("Bruno Reis", ["bruno@reis.pt"]),
    ]


def test_a_file_without_one_complete_card_is_one_error_that_imports_nothing(cli, tmp_path: Path) -> None:
    path = tmp_path / "cut.vcf"
    path.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut Off\r\nEMAIL:cu", newline="")
    run = cli("import", "vcard", str(path))
    assert (run.exit_code, run.stderr) == (
        1,
        "error: cut.vcf: line 1: truncated vCard: card 1 has no END:VCARD\n",
    )
    assert cli("contact", "list", "--json").json() == []


def test_a_broken_files_name_is_shown_inert(cli, tmp_path: Path) -> None:
    src = tmp_path / "cards"
    src.mkdir()
    (src / "a.vcf").write_text(_card("Ana Lima", "ana@lima.pt"), newline="")
    (src / "\x1b[2Jevil\u202e.vcf").write_bytes(b"BEGIN:VCARD\r\nFN:x\r\n")
    run = cli("import", "vcard", str(src))
    assert run.exit_code == 1
    assert run.stderr.splitlines()[0] == (
        "error: \\x1b[2Jevil\\u202e.vcf: line 1: truncated vCard: card 1 has no END:VCARD"
    )
