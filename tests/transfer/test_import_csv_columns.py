"""What an import does with each column: a file without a header row (columns by position),
and the columns nothing imports, named before and after the import."""

from __future__ import annotations

import json
from pathlib import Path


def _people(cli) -> list[tuple[str, list[str]]]:
    rows = json.loads(cli("contact", "list", "--json").stdout)
    return sorted((r["name"], r["emails"]) for r in rows)


def test_a_file_without_a_header_imports_by_position(cli, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("Ana Lima,ana@lima.pt,Lisbon\nBruno Dias,bruno@dias.pt,Porto\n,not-an-email,Faro\n")
    run = cli(
        "import", "csv", str(path), "--no-header", "--map", "1=name", "--map", "2=email", "--map", "3=city"
    )
    assert run.exit_code == 0, run.stderr
    assert run.stderr.splitlines()[-1] == (
        f"2 created, 0 updated, 0 skipped, 1 rejected; rejected rows written to {path}.rejects.csv"
    )
    assert _people(cli) == [("Ana Lima", ["ana@lima.pt"]), ("Bruno Dias", ["bruno@dias.pt"])]
    assert json.loads(cli("contact", "show", "ana", "--json").stdout)["address"]["city"] == "Lisbon"
    # the rejects file names the columns by position, so the same --map imports it once fixed
    rejects = Path(f"{path}.rejects.csv")
    assert rejects.read_text().splitlines()[0] == "1,2,3,_error"
    rejects.write_text(rejects.read_text().replace(",not-an-email,", "Carla,carla@faro.pt,"))
    again = cli(
        "import", "csv", str(rejects), "--map", "1=name", "--map", "2=email", "--map", "_error=ignore"
    )
    assert again.exit_code == 0, again.stderr
    assert ("Carla", ["carla@faro.pt"]) in _people(cli)


def test_without_a_header_the_columns_must_be_mapped(cli, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("Ana Lima,ana@lima.pt\n")
    run = cli("import", "csv", str(path), "--no-header")
    assert (run.exit_code, run.stderr) == (
        1,
        "error: people.csv: without a header, say what each column is by its position, "
        "e.g. --map 1=name --map 2=email (2 columns)\n",
    )
    wide = cli("import", "csv", str(path), "--no-header", "--map", "3=email")
    assert (wide.exit_code, wide.stderr) == (1, "error: --map: column '3' is not in the CSV header\n")
    assert _people(cli) == []


def test_the_columns_nothing_imports_are_named(cli, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("Name,E-mail,Hobby,Shoe size\nAna Lima,ana@lima.pt,chess,38\n")
    dry = cli("import", "csv", str(path), "--dry-run")
    assert dry.exit_code == 0
    assert dry.stderr.splitlines() == [
        "2 columns would be ignored (no --map for them): Hobby, Shoe size",
        "dry run, nothing written: 1 would be created, 0 would be updated, 0 would be skipped, 0 rejected",
    ]
    run = cli("import", "csv", str(path), "--map", "Shoe size=field:shoe")
    assert run.stderr.splitlines()[0] == "1 column ignored (no --map for them): Hobby"
    assert json.loads(cli("contact", "show", "ana", "--json").stdout)["fields"] == {"shoe": "38"}


def test_one_map_can_name_several_columns_by_position(cli, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("Ana Lima,ana@lima.pt,211 000 003\nBruno Dias,bruno@dias.pt,\n")
    run = cli("import", "csv", str(path), "--no-header", "--map", "1=name,2=email,3=phone@work,fax")
    assert run.exit_code == 0, run.stderr
    assert run.stderr.splitlines() == ["2 created, 0 updated, 0 skipped, 0 rejected"]
    assert _people(cli) == [("Ana Lima", ["ana@lima.pt"]), ("Bruno Dias", ["bruno@dias.pt"])]
    ana = json.loads(cli("contact", "show", "ana", "--json").stdout)
    assert ana["phone_details"] == [{"phone": "211 000 003", "label": "work,fax", "ext": None}]


def test_a_column_whose_name_holds_a_comma_is_one_mapping(cli, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text('"Name, full",Mail\nAna Lima,ana@lima.pt\n')
    run = cli("import", "csv", str(path), "--map", "Name, full=name", "--map", "Mail=email")
    assert run.exit_code == 0, run.stderr
    assert _people(cli) == [("Ana Lima", ["ana@lima.pt"])]
    bad = cli("import", "csv", str(path), "--map", "Name, full=name,Mail=nonsense")
    assert bad.exit_code == 1
    assert bad.stderr.startswith("error: unknown target field 'nonsense' (use one of ")
