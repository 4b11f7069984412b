"""Dedupe merges are not transitive (issue 19 item 3): every two records of a group are a
likely pair themselves (complete linkage), and ``dedupe`` shows each group before ``--apply``."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from minicrm.services.contacts.dedupe import NAME_THRESHOLD, complete_linkage


def _alike(a: str, b: str) -> int:
    return int(fuzz.token_sort_ratio(a.casefold(), b.casefold()))


def test_loja_1_10_100_are_not_chained(cli) -> None:
    for name in ("Loja 1", "Loja 10", "Loja 100"):
        assert cli("company", "add", name).exit_code == 0
    assert _alike("Loja 1", "Loja 100") < NAME_THRESHOLD <= _alike("Loja 1", "Loja 10")
    groups = cli("dedupe", "--json").json()
    # the closest two (93) join; "Loja 1" is like "Loja 10" (92) but not like "Loja 100" (85)
    assert groups == [
        {
            "entity": "company",
            "ids": [2, 3],
            "names": ["Loja 10", "Loja 100"],
            "score": 93,
            "reason": "similar names (company names)",
            "keep": 2,
            "pairs": [{"ids": [2, 3], "score": 93, "reason": "similar names (company names)"}],
        }
    ]
    shown = cli("dedupe", "--apply", "--yes", "--format", "plain")
    assert shown.exit_code == 0, shown.stderr
    # the group is shown before it is merged
    assert shown.stdout == "company\t2 3\tLoja 10 | Loja 100\t93\tsimilar names (company names)\n"
    assert shown.stderr == "merged 1 group\n"
    listed = cli("company", "list", "--json").json()
    assert sorted(c["name"] for c in listed) == ["Loja 1", "Loja 10"]


def test_a_group_lists_each_of_its_pairs_and_the_weakest_score(cli) -> None:
    cli("contact", "add", "Ana Lima", "--company", "Lima Lda")
    cli("contact", "add", "Lima, Ana", "--company", "Lima Lda")
    cli("contact", "add", "Ana Limma", "--company", "Lima Lda")
    cli("contact", "add", "Ana Lima", "--company", "Lima Lda", "--allow-duplicate")
    # 1 ~ 2 (94), 1 ~ 3 (94), 2 ≁ 3 (88): 1, 4 and 2 are alike pairwise, 3 stays out
    [group] = cli("dedupe", "--json").json()
    assert group["ids"] == [1, 2, 4]
    scores = {tuple(p["ids"]): p["score"] for p in group["pairs"]}
    assert scores == {(1, 2): 94, (1, 4): 100, (2, 4): 94}
    assert group["score"] == 94


def test_a_synthetic_set_keeps_every_merged_pair_above_the_threshold(cli, tmp_path: Path) -> None:
    """4,050 contacts at 50 companies, each with "Loja 1" … "Loja 81": chained by likeness,
    union-find made one group per company (50 groups, 4,000 records merged away); complete
    linkage makes only groups whose every pair is alike, and no two groups could be joined."""
    rows = ["name,company"] + [f"Loja {n},Empresa {c}" for c in range(50) for n in range(1, 82)]
    source = tmp_path / "lojas.csv"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    imported = cli("import", "csv", str(source))
    assert imported.exit_code == 0, imported.stderr
    found = cli("dedupe", "--json").json()
    groups = [g for g in found if g["entity"] == "contact"]
    people = cli("contact", "list", "--json").json()
    assert len(people) == 4050
    names = {p["id"]: p["name"] for p in people}
    company = {p["id"]: p["company"] for p in people}
    for g in groups:
        assert len({company[i] for i in g["ids"]}) == 1
        for a, b in itertools.combinations(g["ids"], 2):
            assert _alike(names[a], names[b]) >= NAME_THRESHOLD, (names[a], names[b])
        assert len(g["pairs"]) == len(g["ids"]) * (len(g["ids"]) - 1) // 2
    in_groups = {i for g in groups for i in g["ids"]}
    assert sum(len(g["ids"]) for g in groups) == len(in_groups)  # no record in two groups
    # each company comes out alike (same names): 9 pairs ("Loja 1" + "Loja 10", "Loja 2" +
    # "Loja 12" … "Loja 9" + "Loja 19"), not one group of 81
    assert len(groups) == 50 * 9
    assert {len(g["ids"]) for g in groups} == {2}
    assert sorted(tuple(g["names"]) for g in groups if company[g["ids"][0]] == "Empresa 0") == [
        ("Loja 1", "Loja 10"),
        *((f"Loja {n}", f"Loja {n + 10}") for n in range(2, 10)),
    ]
    for one, other in itertools.combinations([g for g in groups if company[g["ids"][0]] == "Empresa 0"], 2):
        assert any(_alike(names[a], names[b]) < NAME_THRESHOLD for a in one["ids"] for b in other["ids"])

    applied = cli("dedupe", "--apply", "--yes", "--format", "plain")
    assert applied.exit_code == 0, applied.stderr
    assert applied.stderr == f"merged {len(found)} groups\n"
    merged_away = sum(len(g["ids"]) - 1 for g in groups)
    assert len(cli("contact", "list", "--json").json()) == 4050 - merged_away


def _cliques_and_maximal(pairs: dict[tuple[int, int], int], clusters: list[list[int]]) -> None:
    seen: set[int] = set()
    for ids in clusters:
        assert ids == sorted(ids) and len(ids) > 1
        assert not seen & set(ids)
        seen |= set(ids)
        for a, b in itertools.combinations(ids, 2):
            assert (a, b) in pairs
    every = {i for pair in pairs for i in pair}
    groups = [*clusters, *([i] for i in every - seen)]
    for one, other in itertools.combinations(groups, 2):
        assert not all((min(a, b), max(a, b)) in pairs for a in one for b in other)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.tuples(st.integers(1, 12), st.integers(1, 12))
        .filter(lambda p: p[0] < p[1])
        .map(lambda p: (p[0], p[1])),
        st.integers(90, 100),
        max_size=40,
    )
)
def test_complete_linkage_gives_maximal_cliques(pairs: dict[tuple[int, int], int]) -> None:
    clusters = complete_linkage(pairs)
    _cliques_and_maximal(pairs, clusters)
    assert clusters == complete_linkage(dict(reversed(list(pairs.items()))))  # order does not matter


def test_complete_linkage_joins_the_strongest_link_first() -> None:
    assert complete_linkage({(1, 2): 92, (2, 3): 93}) == [[2, 3]]
    assert complete_linkage({(1, 2): 95, (2, 3): 93}) == [[1, 2]]
    assert complete_linkage({(1, 2): 95, (2, 3): 93, (1, 3): 91, (3, 4): 99}) == [[1, 2], [3, 4]]
    assert complete_linkage({(1, 2): 95, (2, 3): 93, (1, 3): 91}) == [[1, 2, 3]]
    assert complete_linkage({}) == []


def test_on_a_terminal_each_group_shows_what_is_kept_and_how_alike(cli) -> None:
    for name in ("Ana Lima", "Lima, Ana", "Ana Limma"):
        cli("contact", "add", name, "--company", "Lima Lda")
    cli("contact", "add", "Ana Lima", "--company", "Lima Lda", "--allow-duplicate")
    for name in ("Loja 10", "Loja 100"):
        cli("company", "add", name)
    shown = cli("dedupe", "--format", "table")
    assert shown.exit_code == 0, shown.stderr
    lines = [line.rstrip() for line in shown.stdout.splitlines() if not set(line) <= {"─", " "}]
    assert lines == [
        "3 people alike (score 94): similar names (at Lima Lda)",
        "        ID   Name        Alike",
        "keep    1    Ana Lima",
        "merge   2    Lima, Ana   94 with 1",
        "merge   4    Ana Lima    100 with 1, 94 with 2",
        "2 companies alike (score 93): similar names (company names)",
        "        ID   Name       Alike",
        "keep    2    Loja 10",
        "merge   3    Loja 100   93 with 2",
    ]
