"""Every file minicrm writes with personal data is 0600 (its directories 0700), even under
``umask 000``: exports of every kind, the privacy export, rejects files and vdir cards, like the
database and its backups. A file that was there before is replaced by a private one."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from transfer_helpers import EXPORTS


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def people(cli) -> None:
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt", "--tag", "vip")
    cli("deal", "add", "Big order", "--contact", "1", "--value", "1200 EUR")
    cli("followup", "add", "1", "call back", "--due", "2026-11-30")
    cli("segment", "save", "vips", "--tag", "vip")


@pytest.mark.parametrize("args", EXPORTS, ids=lambda a: " ".join(a))
def test_exports_are_0600_under_umask_000(cli, people, open_umask, tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "new.out"
    result = cli(*args, "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_size > 0
    assert _mode(out) == 0o600
    # a file that was already there (world-readable) is replaced by a private one
    old = tmp_path / "old.out"
    old.write_text("x")
    old.chmod(0o666)
    assert cli(*args, "--out", str(old)).exit_code == 0
    assert _mode(old) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


def test_rejects_file_is_0600_under_umask_000(cli, open_umask, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("name,email\nAna,ana@lima.pt\n,notanemail\n", encoding="utf-8")
    result = cli("import", "csv", str(source))
    assert result.exit_code == 0, result.stderr
    rejects = tmp_path / "in.csv.rejects.csv"
    assert "notanemail" in rejects.read_text()
    assert _mode(rejects) == 0o600


def test_vdir_cards_are_0600_and_a_new_directory_0700(cli, people, open_umask, tmp_path: Path) -> None:
    out = tmp_path / "cards"  # one directory is made, never a path (tests/test_out_paths.py)
    assert cli("export", "vcard", "--out", str(out)).exit_code == 0
    cards = list(out.glob("*.vcf"))
    assert len(cards) == 1 and _mode(cards[0]) == 0o600
    assert _mode(out) == 0o700
    cli("contact", "edit", "1", "--phone", "+351 912 345 678")
    assert cli("export", "vcard", "--out", str(out)).exit_code == 0
    assert "+351" in cards[0].read_text() and _mode(cards[0]) == 0o600


def test_an_existing_vdir_keeps_its_mode(cli, people, open_umask, tmp_path: Path) -> None:
    out = tmp_path / "shared"
    out.mkdir()
    out.chmod(0o750)
    assert cli("export", "vcard", "--out", str(out)).exit_code == 0
    assert _mode(out) == 0o750
    assert [_mode(p) for p in out.glob("*.vcf")] == [0o600]
