"""Progress bars show a total and a percentage where the total is known: CSV, vCard and JSON
exports (issue 17, item 10)."""

from __future__ import annotations

from contextlib import contextmanager
from types import SimpleNamespace

import pytest

from minicrm.cli import transfer


@pytest.fixture
def calls(monkeypatch) -> list[tuple[str, int, int | None]]:
    seen: list[tuple[str, int, int | None]] = []

    @contextmanager
    def fake(label: str):
        yield lambda done, total=None: seen.append((label, done, total))

    monkeypatch.setattr(transfer, "_progress", fake)
    return seen


@pytest.fixture
def people(cli) -> None:
    for name in ("Ana Lima", "Bruno Dias", "Carla Reis"):
        cli("contact", "add", name)


def test_csv_export_tells_the_total(cli, people, calls, tmp_path) -> None:
    assert cli("export", "csv", "--out", str(tmp_path / "p.csv")).exit_code == 0
    assert calls[0] == ("exporting contacts", 0, 3)
    assert calls[-1] == ("exporting contacts", 3, 3)


def test_vcard_export_tells_the_total(cli, people, calls, tmp_path) -> None:
    assert cli("export", "vcard", "--out", str(tmp_path / "cards")).exit_code == 0
    assert calls[0] == ("exporting contacts", 0, 3) and calls[-1] == ("exporting contacts", 3, 3)


def test_json_export_tells_the_total(cli, people, calls, tmp_path, ctx) -> None:
    from minicrm.services.transfer import archive

    assert cli("export", "json", "--out", str(tmp_path / "db.json")).exit_code == 0
    total = archive.row_count(ctx)
    assert total >= 3
    assert calls[0] == ("exporting the database", 0, total)
    assert calls[-1][1] == total


def test_the_count_column_shows_the_total_when_known() -> None:
    column = transfer._count_column()
    assert column.render(SimpleNamespace(completed=1200, total=5000)).plain == "1,200/5,000 records"
    assert column.render(SimpleNamespace(completed=1200, total=None)).plain == "1,200 records"


def test_counting_asks_for_the_total_only_with_a_bar() -> None:
    asked: list[int] = []

    def total() -> int:
        asked.append(1)
        return 2

    assert list(transfer._counting(["a", "b"], None, total=total)) == ["a", "b"]
    assert asked == []
    seen: list[tuple[int, int | None]] = []
    assert list(
        transfer._counting(["a", "b"], lambda d, t=None: seen.append((d, t)), every=1, total=total)
    ) == [
        "a",
        "b",
    ]
    assert seen == [(0, 2), (1, 2), (2, 2), (2, 2)]
