from __future__ import annotations

import pytest

from minicrm.core.errors import InvalidInput
from minicrm.exchange.presets import (
    FIELDS,
    build_mapping,
    detect_preset,
    parse_map_option,
    row_to_company,
    row_to_contact,
    row_to_deal,
)


def test_parse_map_option() -> None:
    assert parse_map_option("E-mail 1 - Value=email") == ("E-mail 1 - Value", "email")
    assert parse_map_option("a=b=phone") == ("a=b", "phone")
    assert parse_map_option("Shoe size=field:shoe") == ("Shoe size", "field:shoe")
    for bad in ("noequals", "=email", "col=", "col=nonsense"):
        with pytest.raises(InvalidInput):
            parse_map_option(bad)


def test_build_mapping_errors_and_overrides() -> None:
    header = ["Full Name", "E-Mail", "Mobile", "Shoe"]
    mapping = build_mapping(header, None, {"shoe": "field:shoe_size"})
    assert mapping == {"Full Name": "name", "E-Mail": "email", "Mobile": "phone",
                       "Shoe": "field:shoe_size"}  # fmt: skip
    with pytest.raises(InvalidInput):
        build_mapping(header, "nosuchpreset", {})
    with pytest.raises(InvalidInput):
        build_mapping(header, None, {"Nope": "email"})
    with pytest.raises(InvalidInput):
        build_mapping(header, None, {"Shoe": "shoesize"})
    assert "email" in FIELDS and "ignore" in FIELDS


@pytest.mark.parametrize(
    ("header", "preset"),
    [
        (["First Name", "Last Name", "Labels", "E-mail 1 - Label", "E-mail 1 - Value"], "google"),
        (["First Name", "Last Name", "E-mail Address", "Business Phone", "Company"], "outlook"),
        (["firstname", "lastname", "email", "jobtitle"], "hubspot"),
        (["Person - Name", "Person - Email", "Person - Phone", "Person - Organization"],
         "pipedrive"),
        (["Name", "Email", "Phone"], None),
    ],
)  # fmt: skip
def test_detect_preset(header: list[str], preset: str | None) -> None:
    assert detect_preset(header) == preset


def test_new_google_format() -> None:
    header = ["First Name", "Middle Name", "Last Name", "Organization Name",
              "Organization Title", "Labels", "E-mail 1 - Label", "E-mail 1 - Value",
              "E-mail 2 - Value", "Phone 1 - Value", "Notes"]  # fmt: skip
    row = dict(zip(header, ["  Ana ", "M", "Lima", "Lima Lda", "CEO",
                            "* myContacts ::: VIP", "* Work", "ana@lima.pt ::: ANA@lima.pt",
                            "ana@home.pt", "+351 912 345 678", ""], strict=True))  # fmt: skip
    rec = row_to_contact(row, build_mapping(header, None, {}), 7)
    assert (rec.name, rec.given_name, rec.family_name) == ("Ana Lima", "Ana", "Lima")
    assert rec.emails == ["ana@lima.pt", "ana@home.pt"]
    assert rec.phones == ["+351 912 345 678"]
    assert (rec.company, rec.title, rec.notes, rec.line) == ("Lima Lda", "CEO", None, 7)
    assert rec.tags == ["myContacts", "VIP"]


def test_contact_without_name_is_rejected() -> None:
    with pytest.raises(InvalidInput, match="line 3"):
        row_to_contact({"Notes": "x"}, {"Notes": "notes"}, 3)


def test_company_and_deal() -> None:
    mapping = {"Company": "company", "Web": "website", "Sector": "industry"}
    company = row_to_company({"Company": "Acme", "Web": "https://www.acme.io/x",
                              "Sector": "Tools"}, mapping, 2)  # fmt: skip
    assert (company.name, company.domain, company.industry) == ("Acme", "acme.io", "Tools")
    header = ["Deal", "Amount", "Currency", "Stage", "Close Date", "Contact Email"]
    deal_map = build_mapping(header, None, {"Deal": "title"})
    deal = row_to_deal(
        dict(zip(header, ["Big one", "1200.50", "EUR", "proposal", "2026-12-01", "a@b.pt"], strict=True)),
        deal_map,
        2,
    )
    assert (deal.title, deal.value, deal.currency, deal.stage, deal.close_date,
            deal.contact_email) == ("Big one", "1200.50", "EUR", "proposal", "2026-12-01",
                                    "a@b.pt")  # fmt: skip


@pytest.mark.parametrize(
    ("header", "preset"),
    [
        (["Display Name", "Email Home", "Email Work", "Phone Mobile"], "roundcube"),
        (["First", "Last", "Email", "Messenger ID", "Alternate Email 1", "Yahoo! Phone"], "yahoo"),
        (["Display Name", "Primary Email", "Birth Year", "Pager Number"], "thunderbird"),
        (["First Name", "Last Name", "Business Country", "Personal Web Page", "Business Fax"], "outlook"),
        (["First", "Last", "Email"], None),  # plain words are no product's
        (["Name", "Email", "Comments"], None),
    ],
)  # fmt: skip
def test_detect_the_address_book_presets(header: list[str], preset: str | None) -> None:
    assert detect_preset(header) == preset


def test_labels_are_written_as_a_vcard_would() -> None:
    from minicrm.exchange.presets import label_text

    assert [label_text(t) for t in ("* Home", "Work Fax", "Mobile", "Clube", "", None, "homefax")] == [
        "home", "work,fax", "cell", "Clube", None, None, "home,fax",
    ]  # fmt: skip
