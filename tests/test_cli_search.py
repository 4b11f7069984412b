"""search: names, emails, phones, companies and notes; literal words, all must match."""

from __future__ import annotations


def _setup(cli) -> None:
    cli(
        "contact",
        "add",
        "Ana Lima",
        "--email",
        "ana@lima.pt",
        "--phone",
        "+351 912 345 678",
        "--company",
        "Lima Lda",
    )
    cli("contact", "add", "Bruno Dias", "--email", "bruno@dias.pt", "--title", "Head of Sales")
    cli("note", "add", "bruno", "Talked about the Lisbon office move")


def test_search_plain_output_across_kinds(cli) -> None:
    _setup(cli)
    result = cli("search", "lima")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (  # names that start with the query first
        "company\t1\tLima Lda\t\ncontact\t1\tAna Lima\tana@lima.pt · Lima Lda\n"
    )


def test_search_finds_emails_phones_titles_and_notes(cli) -> None:
    _setup(cli)

    def found(query: str) -> list[tuple[str, int]]:
        return [(h["type"], h["id"]) for h in cli("search", query, "--json").json()]

    assert found("bruno@dias") == [("contact", 2)]
    assert found("912345") == [("contact", 1)]
    assert found("head of sales") == [("contact", 2)]
    assert found("LISBON office") == [("note", 1)]
    assert found("ana dias") == []  # every word must match one record
    assert found("li") == [("company", 1), ("contact", 1), ("note", 1)]  # short words too


def test_search_json_shape_type_filter_and_limit(cli) -> None:
    _setup(cli)
    hits = cli("search", "lisbon", "--json").json()
    assert hits == [
        {
            "type": "note",
            "id": 1,
            "label": "Bruno Dias",
            "detail": "Talked about the Lisbon office move",
            "contact_id": 2,
        }
    ]
    assert [h["type"] for h in cli("search", "lima", "--type", "company", "--json").json()] == ["company"]
    assert len(cli("search", "a", "--limit", "2", "--json").json()) == 2


def test_search_says_which_kind_of_interaction_a_hit_is(cli) -> None:
    _setup(cli)
    cli("log", "call", "ana", "Called about the Porto warehouse")
    cli("log", "meeting", "bruno", "Porto site visit")
    hits = cli("search", "porto", "--json").json()
    assert [(h["type"], h["label"], h["detail"]) for h in hits] == [
        ("call", "Ana Lima", "Called about the Porto warehouse"),
        ("meeting", "Bruno Dias", "Porto site visit"),
    ]
    # --type note covers every interaction: notes, calls, emails and meetings
    only_interactions = cli("search", "porto", "--type", "note", "--json").json()
    assert [h["type"] for h in only_interactions] == ["call", "meeting"]
    assert cli("search", "porto").stdout == (
        "call\t2\tAna Lima\tCalled about the Porto warehouse\nmeeting\t3\tBruno Dias\tPorto site visit\n"
    )


def test_search_nothing_found_prints_nothing(cli) -> None:
    _setup(cli)
    result = cli("search", "zebra")
    assert (result.exit_code, result.stdout) == (0, "")


def test_the_index_follows_edits_and_deletes(cli) -> None:
    _setup(cli)
    cli("contact", "edit", "ana", "--name", "Ana Ferreira", "--email", "ana@ferreira.pt")
    assert [h["id"] for h in cli("search", "ferreira", "--json").json()] == [1]
    assert [h["type"] for h in cli("search", "ana@lima", "--json").json()] == []
    cli("contact", "rm", "bruno", "--yes")
    assert cli("search", "lisbon", "--json").json() == []


def test_a_deal_is_found_by_its_contact_and_company_names_as_they_are_now(cli) -> None:
    """A deal's document names its contact and company: renaming or deleting them rebuilds it."""
    cli("contact", "add", "Ana Lima", "--company", "Acme Lda")
    assert cli("deal", "add", "Seats", "--contact", "ana", "--company", "acme lda").exit_code == 0

    def deals(query: str) -> list[int]:
        return [h["id"] for h in cli("search", query, "--json").json() if h["type"] == "deal"]

    assert deals("ana") == [1] and deals("lda") == [1]
    assert cli("contact", "edit", "ana", "--name", "Ana Costa").exit_code == 0
    assert deals("acme lda") == [1] and deals("costa") == [1] and deals("lima") == []
    assert cli("company", "edit", "acme lda", "--name", "Costa SA").exit_code == 0
    assert deals("lda") == [] and deals("costa sa") == [1]
    assert cli("company", "rm", "costa sa", "--yes").exit_code == 0
    assert cli("contact", "rm", "ana", "--yes").exit_code == 0
    assert deals("costa") == [] and deals("seats") == [1]


def test_search_ignores_diacritics_on_every_backend(cli, ctx) -> None:
    """Issue 17.8: ``goncalves``, ``muller``, ``sao`` find Gonçalves, Müller, São (and the
    other way round); two-letter words find the names they start."""
    from minicrm.services import search

    cli("contact", "add", "João Gonçalves", "--email", "joao@exemplo.pt", "--company", "São Paulo Lda")
    cli("contact", "add", "Jürgen Müller", "--title", "Geschäftsführer")
    cli("contact", "add", "Søren Łukasiewicz")
    cli("contact", "add", "Sara Mulligan")
    cli("note", "add", "jurgen", "Straße renamed; Æbleskiver for Ærø")

    def found(query: str) -> list[tuple[str, int]]:
        return [(h["type"], h["id"]) for h in cli("search", query, "--json").json()]

    assert found("goncalves") == [("contact", 1)]
    assert found("GONCALVES joão") == [("contact", 1)]
    assert found("muller") == [("contact", 2)]
    assert found("müller") == [("contact", 2)]
    assert found("sao") == [("company", 1), ("contact", 1)]
    assert found("soren lukasiewicz") == [("contact", 3)]
    assert found("geschaftsfuhrer") == [("contact", 2)]
    assert found("strasse aero") == [("note", 1)]
    assert found("mu") == [("contact", 2), ("contact", 4)]  # Müller and Mulligan
    assert found("sa") == [("contact", 4), ("company", 1), ("contact", 1)]  # Sara, São…, then inside
    assert found("jo go") == [("contact", 1)]
    # the same service behind the TUI's filter (three letters and more)
    from minicrm.services.contacts import browse

    assert [r.name for r in browse.contact_page(ctx, "mul")] == ["Jürgen Müller", "Sara Mulligan"]
    assert [h.label for h in search.search(ctx, "lukas")] == ["Søren Łukasiewicz"]
