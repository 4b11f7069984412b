"""CSV presets that keep what address books write (issue 16, "imports that carry on"): Roundcube's
``Email Home/Work/Other``, Thunderbird's Birth Year/Month/Day, fax and pager numbers and home and
work addresses, Yahoo's columns, old Outlook's ``Business Country`` and ``Personal Web Page``,
legacy Gmail's typed emails, phones and addresses, departments. Every labelled value keeps its
label, every address after the first is kept beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

_SHOWN = ("name", "emails", "email_details", "phone_details", "addresses", "fields", "department",
          "nickname", "middle_name", "name_prefix", "name_suffix", "company", "title", "tags")  # fmt: skip


def _import(cli: Any, tmp_path: Path, text: str, *args: str) -> dict[str, Any]:
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8", newline="")
    run = cli("import", "csv", str(path), *args)
    assert run.exit_code == 0, run.stderr
    assert run.stderr.splitlines()[-1] == "1 created, 0 updated, 0 skipped, 0 rejected", run.stderr
    shown = cli("contact", "show", "1", "--json").json()
    return {k: shown[k] for k in _SHOWN}


def _address(label: str | None, street: str | None, city: str | None, postcode: str | None = None,
             country: str | None = None, region: str | None = None) -> dict[str, str | None]:  # fmt: skip
    return {"label": label, "street": street, "city": city, "region": region, "postcode": postcode,
            "country": country}  # fmt: skip


def test_roundcube_email_home_work_other_keep_their_labels(cli, tmp_path: Path) -> None:
    got = _import(
        cli,
        tmp_path,
        "Display Name,Email Home,Email Work,Email Other,Phone Mobile,Phone Video,Website Blog,IM Jabber\r\n"
        "Ana Lima,ana@home.pt,ana@lima.pt,ana@other.pt,+351 912 345 678,+351 211 234 567,"
        "https://blog.lima.pt,ana@jabber.pt\r\n",
    )
    assert got["name"] == "Ana Lima"
    assert got["email_details"] == [
        {"email": "ana@home.pt", "label": "home"},
        {"email": "ana@lima.pt", "label": "work"},
        {"email": "ana@other.pt", "label": "other"},
    ]
    assert got["phone_details"] == [
        {"phone": "+351912345678", "label": "cell", "ext": None},
        {"phone": "+351211234567", "label": "video", "ext": None},
    ]
    assert got["fields"] == {"im_jabber": "ana@jabber.pt", "website": "https://blog.lima.pt"}


def test_thunderbird_birthday_fax_pager_addresses_and_department(cli, tmp_path: Path) -> None:
    header = (
        "First Name,Last Name,Display Name,Nickname,Primary Email,Secondary Email,Screen Name,Work Phone,"
        "Home Phone,Fax Number,Pager Number,Mobile Number,Home Address,Home Address 2,Home City,Home State,"
        "Home ZipCode,Home Country,Work Address,Work Address 2,Work City,Work State,Work ZipCode,"
        "Work Country,"
        "Job Title,Department,Organization,Web Page 1,Web Page 2,Birth Year,Birth Month,Birth Day,"
        "Custom 1,Custom 2,Custom 3,Custom 4,Notes\r\n"
    )
    row = (
        "Ana,Lima,Ana Lima,Aninhas,ana@lima.pt,ana@home.pt,ana_im,211 000 001,211 000 002,211 000 003,"
        "931 000 004,912 000 005,Rua do Ouro 2,3º esq,Porto,,4000-001,Portugal,Rua Augusta 1,,Lisboa,,"
        "1100-048,Portugal,CEO,Vendas,Lima Lda,https://lima.pt,https://blog.lima.pt,1980,2,29,"
        "shoe 42,,,,likes coffee\r\n"
    )
    got = _import(cli, tmp_path, header + row)
    assert (got["name"], got["nickname"], got["department"], got["company"]) == (
        "Ana Lima", "Aninhas", "Vendas", "Lima Lda",
    )  # fmt: skip
    assert got["emails"] == ["ana@lima.pt", "ana@home.pt"]
    assert got["phone_details"] == [
        {"phone": "211 000 001", "label": "work", "ext": None},
        {"phone": "211 000 002", "label": "home", "ext": None},
        {"phone": "211 000 003", "label": "fax", "ext": None},
        {"phone": "931 000 004", "label": "pager", "ext": None},
        {"phone": "912 000 005", "label": "cell", "ext": None},
    ]
    assert got["addresses"] == [
        _address("home", "Rua do Ouro 2\n3º esq", "Porto", "4000-001", "Portugal"),
        _address("work", "Rua Augusta 1", "Lisboa", "1100-048", "Portugal"),
    ]
    assert got["fields"] == {
        "birthday": "1980-02-29",
        "custom_1": "shoe 42",
        "screen_name": "ana_im",
        "website": "https://lima.pt",
        "website_2": "https://blog.lima.pt",
    }


def test_a_thunderbird_birthday_without_a_year_and_an_impossible_one(cli, tmp_path: Path) -> None:
    path = tmp_path / "tb.csv"
    path.write_text(
        "Display Name,Primary Email,Birth Year,Birth Month,Birth Day,Pager Number\n"
        "Ana Lima,ana@lima.pt,,12,24,\n"
        "Bruno Reis,bruno@reis.pt,1990,2,30,\n",
        encoding="utf-8",
    )
    run = cli("import", "csv", str(path), "--rejects", str(tmp_path / "rejects.csv"))
    assert run.exit_code == 0, run.stderr
    assert run.stderr.splitlines() == [
        "line 3: rejected: invalid birthday '1990-2-30' (Birth Year, Month, Day) (Bruno Reis)",
        f"1 created, 0 updated, 0 skipped, 1 rejected; rejected rows written to {tmp_path / 'rejects.csv'}",
    ]
    assert cli("contact", "show", "1", "--json").json()["fields"] == {"birthday": "--12-24"}


def test_yahoo_columns(cli, tmp_path: Path) -> None:
    got = _import(
        cli,
        tmp_path,
        "First,Middle,Last,Nickname,Email,Category,Distribution Lists,Messenger ID,Home,Work,Pager,Fax,"
        "Mobile,Other,Yahoo! Phone,Primary,Alternate Email 1,Alternate Email 2,Personal Website,"
        "Business Website,Title,Company,Work Address,Work City,Work State,Work ZIP,Work Country,"
        "Home Address,Home City,Home State,Home ZIP,Home Country,Birthday,Anniversary,Custom 1,Custom 2,"
        "Custom 3,Custom 4,Comments\n"
        "Ana,Maria,Lima,Aninhas,ana@lima.pt,Clients,,ana.im,211 000 002,211 000 001,,211 000 003,"
        "912 000 005,,,,ana@home.pt,,https://ana.pt,https://lima.pt,CEO,Lima Lda,Rua Augusta 1,Lisboa,,"
        "1100-048,Portugal,,,,,,1980-02-29,,,,,,met at the fair\n",
    )
    assert (got["name"], got["middle_name"], got["nickname"], got["title"]) == (
        "Ana Lima", "Maria", "Aninhas", "CEO",
    )  # fmt: skip
    assert (got["emails"], got["tags"]) == (["ana@lima.pt", "ana@home.pt"], ["Clients"])
    assert [(p["phone"], p["label"]) for p in got["phone_details"]] == [
        ("211 000 002", "home"), ("211 000 001", "work"), ("211 000 003", "fax"), ("912 000 005", "cell"),
    ]  # fmt: skip
    assert got["addresses"] == [_address("work", "Rua Augusta 1", "Lisboa", "1100-048", "Portugal")]
    assert got["fields"] == {
        "birthday": "1980-02-29",
        "messenger_id": "ana.im",
        "website": "https://ana.pt",
        "website_2": "https://lima.pt",
    }


def test_old_outlook_business_country_personal_web_page_fax_and_department(cli, tmp_path: Path) -> None:
    got = _import(
        cli,
        tmp_path,
        "Title,First Name,Middle Name,Last Name,Suffix,Company,Department,Job Title,Business Street,"
        "Business City,Business State,Business Postal Code,Business Country,Home Street,Home City,"
        "Home Postal Code,Home Country,Business Fax,Business Phone,Home Phone,Mobile Phone,Pager,"
        "E-mail Address,E-mail Type,Personal Web Page,Web Page\n"
        "Dr.,Ana,Maria,Lima,Jr.,Lima Lda,Vendas,CEO,Rua Augusta 1,Lisboa,,1100-048,Portugal,Rua do Ouro 2,"
        "Porto,4000-001,Portugal,211 000 003,211 000 001,211 000 002,912 000 005,931 000 004,"
        "ana@lima.pt,SMTP,https://ana.pt,https://lima.pt\n",
    )
    assert (got["name_prefix"], got["middle_name"], got["name_suffix"], got["department"]) == (
        "Dr.", "Maria", "Jr.", "Vendas",
    )  # fmt: skip
    assert [(p["phone"], p["label"]) for p in got["phone_details"]] == [  # the first one to call
        ("211 000 001", "work"), ("211 000 003", "work,fax"), ("211 000 002", "home"),
        ("912 000 005", "cell"), ("931 000 004", "pager"),
    ]  # fmt: skip
    assert cli("contact", "show", "1", "--json").json()["phone"] == "211 000 001"
    assert got["addresses"] == [
        _address("work", "Rua Augusta 1", "Lisboa", "1100-048", "Portugal"),
        _address("home", "Rua do Ouro 2", "Porto", "4000-001", "Portugal"),
    ]
    assert got["fields"] == {"website": "https://lima.pt", "website_2": "https://ana.pt"}


def test_legacy_gmail_keeps_typed_emails_both_addresses_and_the_name_parts(cli, corpus_dir: Path) -> None:
    run = cli("import", "csv", str(corpus_dir / "csv" / "google-contacts-legacy_gmail.csv"))
    assert run.exit_code == 0, run.stderr
    got = cli("contact", "show", "1", "--json").json()
    assert (got["name_prefix"], got["given_name"], got["middle_name"], got["family_name"]) == (
        "Prefix", "Firstname", "Middle", "Lastname",
    )  # fmt: skip
    assert (got["name_suffix"], got["nickname"], got["company"], got["title"]) == (
        "Suffix", "nick", "company", "jobtitle",
    )  # fmt: skip
    assert got["email_details"] == [
        {"email": "home@aaa.pl", "label": "home"},
        {"email": "work@email.pl", "label": "work"},
        {"email": "unknown@email.com", "label": None},
        {"email": "other@email.com", "label": "other"},
    ]
    assert got["addresses"] == [
        _address("home", "home_street\nhome_pobox", "home_city", "home_zip", "home_country", "home_state"),
        _address("work", "work_street", "work_city", "work_zip", "work_country"),
    ]
    assert got["fields"]["website_2"] == "home.page.com"
    assert "Address 1 - Street" not in run.stderr  # the address columns are not ignored


def test_gmail_phone_types_become_labels(cli, tmp_path: Path) -> None:
    got = _import(
        cli,
        tmp_path,
        "Name,Given Name,Family Name,Group Membership,Phone 1 - Type,Phone 1 - Value,Phone 2 - Type,"
        "Phone 2 - Value,Phone 3 - Type,Phone 3 - Value\n"
        "Ana Lima,Ana,Lima,* myContacts,Mobile,912 000 005,Work Fax,211 000 003,Clube,211 000 009\n",
    )
    assert got["phone_details"] == [
        {"phone": "912 000 005", "label": "cell", "ext": None},
        {"phone": "211 000 003", "label": "work,fax", "ext": None},
        {"phone": "211 000 009", "label": "Clube", "ext": None},
    ]


def test_a_labelled_target_can_be_given_with_map(cli, tmp_path: Path) -> None:
    got = _import(
        cli, tmp_path, "who,fax\nAna Lima,211 000 003\n", "--map", "who=name", "--map", "fax=phone@work,fax"
    )
    assert got["phone_details"] == [{"phone": "211 000 003", "label": "work,fax", "ext": None}]


def test_any_file_s_fax_pager_and_department_columns_are_kept(cli, tmp_path: Path) -> None:
    got = _import(
        cli,
        tmp_path,
        "Name,Email,Phone,Fax,Home Fax,Pager,Department\n"
        "Ana Lima,ana@lima.pt,211 000 001,211 000 003,211 000 004,931 000 004,Vendas\n",
    )
    assert got["department"] == "Vendas"
    assert [(p["phone"], p["label"]) for p in got["phone_details"]] == [
        ("211 000 001", None), ("211 000 003", "fax"), ("211 000 004", "home,fax"), ("931 000 004", "pager"),
    ]  # fmt: skip
