"""Search stays bounded on very long words: the index sees a word's first characters, and a
linear substring search checks the whole word (a 30,000-character word against a 60,000-character
name took minutes of CPU; bench/bench_search_long.py has the figures)."""

from __future__ import annotations

import time

from minicrm.services.search import INDEXED_PREFIX


def test_a_long_word_must_match_whole_not_just_its_indexed_prefix(cli) -> None:
    word = "Zanzibar" * 8  # 64 characters, longer than the indexed prefix
    assert len(word) > INDEXED_PREFIX
    cli("contact", "add", f"Ana {word}")
    cli("contact", "add", f"Bruno {word[:INDEXED_PREFIX]}xxxxxxxxxxxxxxxx")
    found = cli("search", word.lower(), "--format", "json").json()
    assert [h["label"] for h in found] == [f"Ana {word}"]
    assert cli("search", word[:INDEXED_PREFIX], "--format", "json").json() != []
    assert cli("search", word + "q", "--format", "json").json() == []


def test_searching_a_60000_character_name_is_not_quadratic(cli) -> None:
    # a name holds at most 500 characters now; a note holds 100,000, so a note carries the word
    name = "a" * 60_000
    cli("contact", "add", "Ana Lima")
    assert cli("contact", "add", name).exit_code == 1
    assert cli("note", "add", "Ana Lima", name).exit_code == 0
    start = time.perf_counter()
    result = cli("search", name[:30_000], "--format", "json")
    took = time.perf_counter() - start
    assert result.exit_code == 0
    assert len(result.json()) == 1
    assert took < 15, f"{took:.1f} s"  # before: minutes of CPU
