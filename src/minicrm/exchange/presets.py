"""Column-mapping presets for CSV exports of common address books and CRMs.

A mapping sends each CSV column to a target field (see FIELDS), to ``field:KEY`` (a
custom field) or to ``ignore``. Presets know their product's headers exactly; the
``generic`` preset recognises common header spellings and is also the fallback for
columns a product preset does not know.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from minicrm.core.errors import InvalidInput
from minicrm.exchange.csvfile import unneutralize_cell
from minicrm.exchange.record import LABEL_WORDS, CompanyRecord, ContactRecord, DealRecord

__all__ = ["FIELDS", "PRESETS", "build_mapping", "detect_preset", "parse_map_option", "parse_map_options",
           "row_to_company", "row_to_contact", "row_to_deal"]  # fmt: skip

_CONTACT_FIELDS = (
    "name", "given_name", "family_name", "email", "phone", "company", "title", "notes",
    "tags", "street", "city", "region", "postcode", "country", "website", "birthday",
    "status", "source", "owner", "name_prefix", "middle_name", "name_suffix", "nickname",
    "department", "address_label", "anniversary", "photo", "uid",
    # Thunderbird's birthday in three columns
    "birth_year", "birth_month", "birth_day",
    # JSON cells of minicrm's own CSV export (``services.transfer.exporter``)
    "email_labels", "phone_labels", "phone_exts", "addresses", "card_extra",
)  # fmt: skip
# Companies add domain/industry; deals add value..contact_email ("title"/"name" = deal title).
_EXTRA_FIELDS = ("domain", "industry", "value", "currency", "stage", "close_date",
                 "probability", "contact_name", "contact_email")  # fmt: skip
FIELDS: frozenset[str] = frozenset((*_CONTACT_FIELDS, *_EXTRA_FIELDS, "ignore"))

#: a labelled value: ``phone@work,fax`` (a column of work fax numbers), ``email@home``,
#: ``street@home``; or one of a numbered group of columns, whose label is in another column:
#: ``email#1`` with ``email_label#1`` (Google's ``E-mail 1 - Value`` and ``E-mail 1 - Type``),
#: ``street#2`` … ``address_label#2``. Every column of one group (``@home``, ``#2``) makes one
#: email, phone, URL or address; the first address is the contact's, the others are kept beside it.
_GROUPED = re.compile(
    r"(email_label|phone_label|address_label|email|phone|website|street|city|region|postcode|country)"
    r"(?:@([\w ,.-]+)|#(\d+))"
)
#: the group and part of each grouped target
_GROUP_PART = {
    "email": ("email", "value"), "email_label": ("email", "label"),
    "phone": ("phone", "value"), "phone_label": ("phone", "label"),
    "website": ("website", "value"),
    "street": ("address", "street"), "city": ("address", "city"), "region": ("address", "region"),
    "postcode": ("address", "postcode"), "country": ("address", "country"),
    "address_label": ("address", "label"),
}  # fmt: skip
_ADDRESS_PARTS = ("street", "city", "region", "postcode", "country")

Rule = tuple[re.Pattern[str], str]


def _rules(*pairs: tuple[str, str]) -> list[Rule]:
    return [(re.compile(pat, re.IGNORECASE), target) for pat, target in pairs]


# Exact-header presets (matched case-insensitively) plus regex rules for numbered columns.
PRESETS: dict[str, list[Rule]] = {
    # minicrm's own ``export csv``: every column is its field; its formula guard is removed
    "minicrm": _rules(
        (r"emails", "email"),
        (r"phones", "phone"),
        (r"field:(.+)", "field:"),
        (r"id|created_at|updated_at", "ignore"),
        *((f, f) for f in _CONTACT_FIELDS if f not in ("email", "phone")),
    ),
    "google": _rules(
        # legacy Gmail export
        (r"Name", "name"),
        (r"Given Name", "given_name"),
        (r"Family Name", "family_name"),
        (r"Group Membership", "tags"),
        (r"Organization \d+ - Name", "company"),
        (r"Organization \d+ - Title", "title"),
        # 2020+ Google Contacts export
        (r"First Name", "given_name"),
        (r"Last Name", "family_name"),
        (r"Organization Name", "company"),
        (r"Organization Title", "title"),
        (r"Labels", "tags"),
        # both
        (r"Notes", "notes"),
        (r"Birthday", "birthday"),
        (r"E-mail (\d+) - Value", "email#"),
        (r"Phone (\d+) - Value", "phone#"),
        (r"Address (\d+) - (Street|PO Box|Extended Address)", "street#"),
        (r"Address (\d+) - City", "city#"),
        (r"Address (\d+) - Region", "region#"),
        (r"Address (\d+) - Postal Code", "postcode#"),
        (r"Address (\d+) - Country", "country#"),
        (r"Address (\d+) - (Type|Label)", "address_label#"),
        (r"E-mail (\d+) - (Type|Label)", "email_label#"),
        (r"Phone (\d+) - (Type|Label)", "phone_label#"),
        (r"Website (\d+) - Value", "website#"),
        (r"Organization 1 - Department", "department"),
        (r"(Additional|Middle) Name", "middle_name"),
        (r"Name Prefix", "name_prefix"),
        (r"Name Suffix", "name_suffix"),
        (r"Nickname", "nickname"),
        (r"Address \d+ - .*|Organization \d+ - .*|Website \d+ - .*|Relation \d+ - .*", "ignore"),
        (r".*Yomi.*|Phonetic .*|File As|Initials|Short Name|Maiden Name|Photo|Gender", "ignore"),
    ),
    "outlook": _rules(
        (r"First Name", "given_name"),
        (r"Middle Name", "middle_name"),
        (r"Last Name", "family_name"),
        (r"Title", "name_prefix"),
        (r"Suffix", "name_suffix"),
        (r"Nickname", "nickname"),
        (r"E-mail( \d)? Address", "email"),
        (r"Mobile Phone( 2)?", "phone@cell"),
        (r"(Business|Company Main) Phone( 2)?", "phone@work"),
        (r"Home Phone( 2)?", "phone@home"),
        (r"Other Phone", "phone@other"),
        (r"Primary Phone", "phone@main"),
        (r"Car Phone", "phone@car"),
        (r"ISDN", "phone@isdn"),
        (r"Business Fax", "phone@work,fax"),
        (r"Home Fax", "phone@home,fax"),
        (r"Other Fax", "phone@other,fax"),
        (r"Pager", "phone@pager"),
        (r"Assistant's Phone", "phone@assistant"),
        (r"Company", "company"),
        (r"Department", "department"),
        (r"Job Title", "title"),
        (r"Notes", "notes"),
        (r"Categories", "tags"),
        # both the old (``Business Country``) and the new (``Business Country/Region``) names
        (r"Business Street( [23])?", "street@work"),
        (r"Business City", "city@work"),
        (r"Business State", "region@work"),
        (r"Business Postal Code", "postcode@work"),
        (r"Business Country(/Region)?", "country@work"),
        (r"Home Street( [23])?", "street@home"),
        (r"Home City", "city@home"),
        (r"Home State", "region@home"),
        (r"Home Postal Code", "postcode@home"),
        (r"Home Country(/Region)?", "country@home"),
        (r"Other Street( [23])?", "street@other"),
        (r"Other City", "city@other"),
        (r"Other State", "region@other"),
        (r"Other Postal Code", "postcode@other"),
        (r"Other Country(/Region)?", "country@other"),
        (r"Web Page", "website"),
        (r"Personal Web Page", "website@home"),
        (r"Business Web Page", "website@work"),
        (r"Birthday", "birthday"),
        (r"Anniversary", "anniversary"),
        (r"E-mail( \d)? (Type|Display Name)", "ignore"),
    ),
    "thunderbird": _rules(
        (r"Display Name", "name"),
        (r"First Name", "given_name"),
        (r"Last Name", "family_name"),
        (r"Nickname", "nickname"),
        (r"(Primary|Secondary) Email", "email"),
        (r"Work Phone", "phone@work"),
        (r"Home Phone", "phone@home"),
        (r"Mobile (Phone|Number)", "phone@cell"),
        (r"Fax Number", "phone@fax"),
        (r"Pager Number", "phone@pager"),
        (r"Organization", "company"),
        (r"Department", "department"),
        (r"Job Title", "title"),
        (r"Notes", "notes"),
        (r"Work Address( 2)?", "street@work"),
        (r"Work City", "city@work"),
        (r"Work State", "region@work"),
        (r"Work ZipCode", "postcode@work"),
        (r"Work Country", "country@work"),
        (r"Home Address( 2)?", "street@home"),
        (r"Home City", "city@home"),
        (r"Home State", "region@home"),
        (r"Home ZipCode", "postcode@home"),
        (r"Home Country", "country@home"),
        (r"Web Page 1", "website"),
        (r"Web Page 2", "website#2"),
        (r"Birth Year", "birth_year"),
        (r"Birth Month", "birth_month"),
        (r"Birth Day", "birth_day"),
        (r"Custom (\d)", "field:custom_"),
        (r"Screen Name", "field:screen_name"),
    ),
    # Yahoo Mail's contacts export
    "yahoo": _rules(
        (r"First", "given_name"),
        (r"Middle", "middle_name"),
        (r"Last", "family_name"),
        (r"Nickname", "nickname"),
        (r"Email", "email"),
        (r"Alternate Email \d", "email"),
        (r"Category", "tags"),
        (r"Home", "phone@home"),
        (r"Work", "phone@work"),
        (r"Pager", "phone@pager"),
        (r"Fax", "phone@fax"),
        (r"Mobile", "phone@cell"),
        (r"Other", "phone@other"),
        (r"Primary", "phone@main"),
        (r"Yahoo! Phone", "phone@Yahoo!"),
        (r"Personal Website", "website@home"),
        (r"Business Website", "website@work"),
        (r"Title", "title"),
        (r"Company", "company"),
        (r"Work Address", "street@work"),
        (r"Work City", "city@work"),
        (r"Work State", "region@work"),
        (r"Work ZIP", "postcode@work"),
        (r"Work Country", "country@work"),
        (r"Home Address", "street@home"),
        (r"Home City", "city@home"),
        (r"Home State", "region@home"),
        (r"Home ZIP", "postcode@home"),
        (r"Home Country", "country@home"),
        (r"Birthday", "birthday"),
        (r"Anniversary", "anniversary"),
        (r"Comments", "notes"),
        (r"Messenger ID", "field:messenger_id"),
        (r"Custom (\d)", "field:custom_"),
        (r"Distribution Lists", "ignore"),
    ),
    # Roundcube's own columns (next to the Outlook, Thunderbird and Gmail ones it also reads)
    "roundcube": _rules(
        (r"Name|Display Name", "name"),
        (r"First Name|Given Name", "given_name"),
        (r"Middle Name|Additional Name", "middle_name"),
        (r"Last Name|Family Name", "family_name"),
        (r"Name Prefix|Title", "name_prefix"),
        (r"Name Suffix|Suffix", "name_suffix"),
        (r"Nickname", "nickname"),
        (r"Email Home", "email@home"),
        (r"Email Work", "email@work"),
        (r"Email Other", "email@other"),
        (r"Phone Home", "phone@home"),
        (r"Phone Work", "phone@work"),
        (r"Phone Mobile", "phone@cell"),
        (r"Phone Video", "phone@video"),
        (r"Phone Pager", "phone@pager"),
        (r"Phone Fax|Phone Home Fax", "phone@home,fax"),
        (r"Phone Work Fax", "phone@work,fax"),
        (r"Phone Main", "phone@main"),
        (r"Phone Car", "phone@car"),
        (r"Phone Other", "phone@other"),
        (r"Phone Assistant", "phone@assistant"),
        (r"Organization|Company", "company"),
        (r"Department", "department"),
        (r"Job Title", "title"),
        (r"Website Home Page", "website@home"),
        (r"Website Work", "website@work"),
        (r"Website Blog", "website@blog"),
        (r"Website Profile", "website@profile"),
        (r"Website Other", "website@other"),
        (r"Groups|Categories", "tags"),
        (r"Notes", "notes"),
        (r"Birthday", "birthday"),
        (r"Anniversary", "anniversary"),
        (r"Maiden Name", "field:maiden_name"),
        (r"IM (\w+)", "field:im_"),
    ),
    "hubspot": _rules(
        (r"First ?Name", "given_name"),
        (r"Last ?Name", "family_name"),
        (r"E-?mail( Address)?", "email"),
        (r"Phone( Number)?|Mobile ?Phone( Number)?", "phone"),
        (r"Company( Name)?", "company"),
        (r"Job ?Title", "title"),
        (r"Lifecycle ?Stage", "status"),
        (r"(Contact owner|hubspot_owner_id)", "owner"),
        (r"(Original Source|hs_analytics_source)", "source"),
        (r"(Street Address|address)", "street"),
        (r"City", "city"),
        (r"(State/Region|state)", "region"),
        (r"(Postal Code|zip)", "postcode"),
        (r"(Country/Region|country)", "country"),
        (r"Website( URL)?", "website"),
        (r"Record ID|hs_object_id", "field:hubspot_id"),
    ),
    "pipedrive": _rules(
        (r"(Person - )?Name", "name"),
        (r"(Person - )?First name", "given_name"),
        (r"(Person - )?Last name", "family_name"),
        (r"(Person - )?Email( - .*)?", "email"),
        (r"(Person - )?Phone( - .*)?", "phone"),
        (r"(Person - )?Organi[sz]ation", "company"),
        (r"(Person - )?Job title", "title"),
        (r"(Person - )?Labels?", "tags"),
        (r"(Person - )?Owner", "owner"),
        (r"(Person - )?Notes?", "notes"),
        (r"Organi[sz]ation - Name", "name"),
        (r"Organi[sz]ation - Labels?", "tags"),
        (r"Organi[sz]ation - Owner", "owner"),
        (r"Organi[sz]ation - Address", "street"),
        (r"Deal - Title", "title"),
        (r"Deal - Value", "value"),
        (r"Deal - Currency", "currency"),
        (r"Deal - Stage", "stage"),
        (r"Deal - Expected close date", "close_date"),
        (r"Deal - Contact person", "contact_name"),
        (r"Deal - Organi[sz]ation", "company"),
        (r"Deal - Owner", "owner"),
        (r"Deal - Probability", "probability"),
        (r"(Person|Deal|Organi[sz]ation) - ID", "field:pipedrive_id"),
    ),
    "salesforce": _rules(
        (r"Name", "name"),
        (r"FirstName", "given_name"),
        (r"LastName", "family_name"),
        (r"Email", "email"),
        (r"(Mobile|Home|Other|Assistant)?Phone", "phone"),
        (r"Title", "title"),
        (r"Description", "notes"),
        (r"Mailing(Street)", "street"),
        (r"MailingCity", "city"),
        (r"MailingState", "region"),
        (r"MailingPostalCode", "postcode"),
        (r"MailingCountry", "country"),
        (r"BillingStreet", "street"),
        (r"BillingCity", "city"),
        (r"BillingState", "region"),
        (r"BillingPostalCode", "postcode"),
        (r"BillingCountry", "country"),
        (r"Birthdate", "birthday"),
        (r"LeadSource", "source"),
        (r"Website", "website"),
        (r"Industry", "industry"),
        (r"Department", "department"),
        (r"StageName", "stage"),
        (r"Amount", "value"),
        (r"CurrencyIsoCode", "currency"),
        (r"CloseDate", "close_date"),
        (r"Probability", "probability"),
        # report exports (Reports → Export → "Details only"): the labels, not the API names
        (r"Opportunity Name", "name"),
        (r"Account Name", "company"),
        (r"Stage", "stage"),
        (r"Close Date", "close_date"),
        (r"(Amount|Opportunity) Currency", "currency"),
        (r"Probability \(%\)", "probability"),
        (r"Lead Source", "source"),
        (r"Id", "field:salesforce_id"),
        (r"AccountId", "field:salesforce_account_id"),
        (r"OwnerId", "field:salesforce_owner_id"),
        (r"Is[A-Z].*|.*(Date|Modstamp|ById|Latitude|Longitude|Accuracy|Address)", "ignore"),
        (r"Other(Street|City|State|PostalCode|Country)|Shipping.*|Fax|Jigsaw.*", "ignore"),
        (r"Salutation|MasterRecordId|PhotoUrl|ParentId|Type|ForecastCategory.*", "ignore"),
        (r"Fiscal.*|.*__c", "ignore"),
    ),
}

# Signature headers that identify a preset (lower-case).
_SIGNATURES: dict[str, set[str]] = {
    "minicrm": {"given_name", "family_name", "email_labels", "phone_labels", "created_at", "updated_at",
                "address_label", "card_extra"},
    "google": {"given name", "family name", "group membership", "e-mail 1 - value",
               "e-mail 1 - label", "phone 1 - value", "organization 1 - name",
               "organization name", "labels", "address 1 - formatted"},
    "outlook": {"e-mail address", "e-mail 2 address", "business phone", "mobile phone",
                "business street", "home street", "job title", "company", "e-mail type",
                "business country", "business country/region", "personal web page", "business fax"},
    "thunderbird": {"display name", "primary email", "secondary email", "mobile number",
                    "work zipcode", "screen name", "web page 1", "birth year", "pager number"},
    "yahoo": {"messenger id", "alternate email 1", "alternate email 2", "yahoo! phone",
              "personal website", "business website", "work zip", "home zip", "distribution lists"},
    "roundcube": {"email home", "email work", "email other", "phone video", "website home page",
                  "website blog", "website profile", "im jabber", "im skype", "maiden name"},
    "hubspot": {"firstname", "lastname", "jobtitle", "lifecyclestage", "record id",
                "lifecycle stage", "contact owner", "hubspot_owner_id", "hs_object_id"},
    "pipedrive": {"person - name", "person - email", "person - phone", "organization - name",
                  "deal - title", "deal - value", "person - organization", "deal - stage"},
    "salesforce": {"id", "isdeleted", "masterrecordid", "accountid", "firstname", "lastname",
                   "stagename", "closedate", "billingstreet", "mailingstreet", "ownerid",
                   "systemmodstamp", "createdbyid", "opportunity name", "opportunity owner",
                   "opportunity id", "probability (%)", "fiscal period"},
}  # fmt: skip

_GENERIC: dict[str, str] = {}
for _target, _names in {
    "name": "name|full name|display name|contact name|contact|person|person name",
    "given_name": "first name|firstname|given name|forename|first",
    "family_name": "last name|lastname|surname|family name|last",
    "email": "email|e mail|email address|e mail address|mail|primary email|work email|"
    "home email|email 1|email 2|secondary email|emails",
    "phone": "phone|telephone|tel|phone number|mobile|mobile phone|mobile number|cell|"
    "cell phone|work phone|home phone|business phone|phone 1|phone 2|phone 1 number|"
    "phone 2 number|contact number|contact numbers|phones",
    "phone@fax": "fax|fax number|fax phone|telefax",
    "phone@work,fax": "business fax|work fax|office fax",
    "phone@home,fax": "home fax",
    "phone@pager": "pager|pager number|beeper",
    "company": "company|company name|organization|organisation|org|account|account name|employer|business",
    "title": "title|job title|jobtitle|position|role|job",
    "tags": "tags|tag|labels|label|groups|group|categories|category",
    "notes": "notes|note|comments|comment|description|background|remarks",
    "street": "street|address|street address|address 1|address line 1|addr",
    "city": "city|town|locality",
    "region": "state|region|province|county|state region",
    "postcode": "zip|zip code|zipcode|postcode|postal code|post code",
    "country": "country|country region|nation",
    "website": "website|web site|url|web page|homepage|home page|web",
    "birthday": "birthday|birthdate|birth date|date of birth|dob",
    "anniversary": "anniversary",
    "nickname": "nickname|nick name",
    "middle_name": "middle name|additional name|middle",
    "name_prefix": "name prefix|prefix|honorific prefix",
    "name_suffix": "name suffix|suffix|honorific suffix",
    "department": "department|dept",
    "status": "status|lead status|lifecycle stage|contact status",
    "source": "source|lead source|origin",
    "owner": "owner|contact owner|account owner|assigned to|sales rep",
    "domain": "domain|company domain|website domain",
    "industry": "industry|sector",
    "value": "value|amount|deal value|deal amount|lead value",
    "currency": "currency|currency code",
    "stage": "stage|deal stage|pipeline stage",
    "close_date": "close date|expected close date|closing date|close|expected close",
    "probability": "probability|win probability",
    "contact_email": "contact email",
}.items():
    for _n in _names.split("|"):
        _GENERIC[_n] = _target


def _norm(header: str) -> str:
    return re.sub(r"[\s_\-.:/]+", " ", header.strip().lower()).strip()


def _generic_target(column: str) -> str | None:
    return _GENERIC.get(_norm(column))


def _preset_target(preset: str, column: str) -> str | None:
    for pattern, target in PRESETS[preset]:
        m = pattern.fullmatch(column.strip())
        if m:
            if target == "field:":
                return target + m.group(1).strip()
            if target.endswith(("#", "_")):  # email#1, field:custom_1: the column's number
                return target + m.group(1).strip().lower().replace(" ", "_")
            return target
    return None


def detect_preset(header: list[str]) -> str | None:
    """Name of the preset whose signature headers match best, or None.

    At least two signature headers must be present (one suffices when the header has
    fewer than four columns), so that a generic ``Name,Email`` file stays generic.
    """
    cols = {c.strip().lower() for c in header}
    best, best_hits = None, 0
    for name, signature in _SIGNATURES.items():
        hits = len(cols & signature)
        if hits > best_hits:
            best, best_hits = name, hits
    needed = 1 if len(cols) < 4 else 2
    return best if best_hits >= needed else None


def _check_target(target: str) -> str:
    target = target.strip()
    if target in FIELDS or _GROUPED.fullmatch(target):
        return target
    if target.startswith("field:") and target[6:].strip():
        return "field:" + target[6:].strip()
    known = ", ".join(sorted(FIELDS))
    raise InvalidInput(f"unknown target field {target!r} (use one of {known}, or field:KEY)")


def build_mapping(header: list[str], preset: str | None, overrides: dict[str, str]) -> dict[str, str]:
    """Map every header column to a target: overrides, then the preset, then generic.

    ``preset`` None means detect it from the header; "generic" uses only the generic
    recogniser. Columns nothing recognises map to "ignore". Raises InvalidInput for an
    unknown preset, an unknown target or an override naming a column not in the header.
    """
    if preset is not None and preset != "generic" and preset not in PRESETS:
        names = ", ".join(["generic", *sorted(PRESETS)])
        raise InvalidInput(f"unknown preset {preset!r} (use one of {names})")
    chosen = detect_preset(header) if preset is None else preset
    mapping: dict[str, str] = {}
    for column in header:
        target = None
        if chosen and chosen != "generic":
            target = _preset_target(chosen, column)
        mapping[column] = target or _generic_target(column) or "ignore"
    lowered = {c.lower(): c for c in header}
    for column, target in overrides.items():
        real = column if column in mapping else lowered.get(column.strip().lower())
        if real is None:
            raise InvalidInput(f"--map: column {column!r} is not in the CSV header")
        mapping[real] = _check_target(target)
    return mapping


def parse_map_option(text: str) -> tuple[str, str]:
    """Parse ``COLUMN=FIELD`` (split on the last '=', so columns may contain '=')."""
    column, sep, target = text.rpartition("=")
    if not sep or not column.strip() or not target.strip():
        raise InvalidInput(f"--map {text!r}: expected COLUMN=FIELD")
    return column.strip(), _check_target(target)


#: a comma that starts another ``COLUMN=FIELD`` (not the one inside ``phone@work,fax``)
_NEXT_PAIR = re.compile(r",(?=[^,=]+=)")


def parse_map_options(texts: list[str]) -> dict[str, str]:
    """Every ``--map``: each one ``COLUMN=FIELD``, or several joined by commas
    (``1=name,2=email``); a column whose name holds a comma is still one pair
    (``Name, full=name``)."""
    found: dict[str, str] = {}
    for text in texts:
        pieces = _NEXT_PAIR.split(text)
        pairs = None
        if len(pieces) > 1:
            try:
                pairs = [parse_map_option(piece) for piece in pieces]
            except InvalidInput:
                pairs = None  # not a list of pairs: the whole text is one
        found.update(pairs or [parse_map_option(text)])
    return found


# ------------------------------------------------------------------ rows


_MULTI_SPLIT = re.compile(r"\s*:::\s*|\r?\n")
_TAG_SPLIT = re.compile(r"\s*:::\s*|[,;]")


def _split_multi(value: str) -> list[str]:
    """Split a multi-value cell: Google's " ::: ", JSON lists of {"value": ...}, newlines."""
    value = value.strip()
    if ":::" not in value and "\n" not in value and not value.startswith("["):
        return [value] if value else []  # the common single value, without a regex
    if value.startswith("[") and value.endswith("]"):
        try:
            items = json.loads(value)
        except ValueError:
            items = None
        if isinstance(items, list):
            out = []
            for item in items:
                got = item.get("value") if isinstance(item, dict) else item
                if got is not None and str(got).strip():
                    out.append(str(got).strip())
            return out
    return [p.strip() for p in _MULTI_SPLIT.split(value) if p.strip()]


def _split_tags(value: str) -> list[str]:
    return list(_tag_parts(value))


@lru_cache(maxsize=4096)
def _tag_parts(value: str) -> tuple[str, ...]:
    """The tags of one cell; cached, since a file repeats a few tag cells over and over."""
    out: list[str] = []
    for part in _TAG_SPLIT.split(value):
        tag = part.strip()
        if tag == "* My Contacts":  # legacy Gmail's implicit system group (a tag "My Contacts" stays)
            continue
        tag = tag.removeprefix("* ").strip()
        if tag and tag not in out:
            out.append(tag)
    return tuple(out)


def _birthday(value: str) -> str:
    m = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})(?:[T ].*)?", value)
    if m:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    m = re.fullmatch(r"--(\d{2})-?(\d{2})", value)
    return f"--{m.group(1)}-{m.group(2)}" if m else value


# How a mapping target is collected from a row (see _collect)
_SINGLE, _CUSTOM, _TAGS, _EMAIL, _PHONE, _GROUP = range(6)
_KINDS = {"tags": _TAGS, "email": _EMAIL, "phone": _PHONE}
#: ``(column, kind, key)``: the key is the target, or for ``_GROUP`` (group, slot, part, label)
Plan = list[tuple[str, int, Any]]
Groups = dict[tuple[str, str], dict[str, str]]
_PLAN: list[tuple[dict[str, str], Plan]] = []


def _plan(mapping: dict[str, str]) -> Plan:
    """``(column, kind, key)`` for the mapping's columns that are not ignored; remembered for the
    last mapping seen, since every row of a file shares one (a dict comparison is much cheaper
    than working the plan out again)."""
    if _PLAN and _PLAN[0][0] == mapping:
        return _PLAN[0][1]
    plan: Plan = []
    for column, target in mapping.items():
        if target == "ignore":
            continue
        grouped = _GROUPED.fullmatch(target) if ("@" in target or "#" in target) else None
        if target.startswith("field:"):
            plan.append((column, _CUSTOM, target[6:]))
        elif grouped:
            group, part = _GROUP_PART[grouped.group(1)]
            label = grouped.group(2)
            slot = f"@{label}" if label is not None else f"#{grouped.group(3)}"
            plan.append((column, _GROUP, (group, slot, part, label)))
        else:
            plan.append((column, _KINDS.get(target, _SINGLE), target))
    _PLAN[:] = [(dict(mapping), plan)]
    return plan


def _collect(
    row: dict[str, str], mapping: dict[str, str]
) -> tuple[dict[str, str], dict[str, list[str]], dict[str, str], Groups]:
    """Gather (single-valued targets: first non-empty wins, multi-valued, custom fields, the
    parts of each labelled or numbered group by (group, slot), in the file's order)."""
    single: dict[str, str] = {}
    emails: list[str] = []
    phones: list[str] = []
    tags: list[str] = []
    custom: dict[str, str] = {}
    groups: Groups = {}
    for column, kind, key in _plan(mapping):
        raw = row.get(column)
        if not raw:
            continue
        value = raw.strip()
        if not value:
            continue
        if kind == _SINGLE:
            if key not in single:
                single[key] = value
        elif kind in (_EMAIL, _PHONE):
            found = emails if kind == _EMAIL else phones
            for item in _split_multi(value):
                if not found or item.lower() not in {x.lower() for x in found}:
                    found.append(item)
        elif kind == _TAGS:
            tags += [t for t in _tag_parts(value) if t not in tags]
        elif kind == _GROUP:
            group, slot, part, label = key
            parts = groups.setdefault((group, slot), {} if label is None else {"label": label})
            if part == "street" and part in parts:
                parts[part] += "\n" + value  # Address 2, PO Box, Extended Address: more lines
            else:
                parts.setdefault(part, value)
        else:
            custom.setdefault(key, value)
    return single, {"email": emails, "phone": phones, "tags": tags}, custom, groups


#: how address books name what a vCard calls by its TYPE
_LABEL_SYNONYMS = {"mobile": "cell", "business": "work", "personal": "home", "primary": "main",
                   "homefax": "home,fax", "workfax": "work,fax", "otherfax": "other,fax"}  # fmt: skip


def label_text(text: str | None) -> str | None:
    """A label as minicrm keeps it: TYPE words lower-case (Google's ``* Home`` is ``home``,
    ``Work Fax`` is ``work,fax``, ``Mobile`` is ``cell``), any other label as written."""
    return _label_text(text) if text else None


@lru_cache(maxsize=1024)
def _label_text(text: str) -> str | None:
    """``label_text``, cached: a file repeats a few labels over and over."""
    text = text.strip().removeprefix("*").strip()
    words = [_LABEL_SYNONYMS.get(w, w) for w in re.split(r"[\s,/]+", text.lower()) if w]
    kept = list(dict.fromkeys(",".join(words).split(","))) if words else []
    if kept and all(w in LABEL_WORDS for w in kept):
        return ",".join(kept)
    return text or None


def _apply_groups(rec: ContactRecord, groups: Groups) -> None:
    """Add the labelled emails, phones, URLs and addresses of a row to ``rec``."""
    for (group, _slot), parts in groups.items():
        raw_label = parts.get("label")
        label = _label_text(raw_label) if raw_label else None
        if group == "address":
            if len(parts) == (raw_label is not None):  # a label and nothing to label
                continue
            address: dict[str, str | None] = {"label": label, **{k: parts.get(k) for k in _ADDRESS_PARTS}}
            if rec.street or rec.city or rec.region or rec.postcode or rec.country:
                if address not in rec.addresses:
                    rec.addresses.append(address)
                continue
            rec.address_label = label
            rec.street, rec.city, rec.region = address["street"], address["city"], address["region"]
            rec.postcode, rec.country = address["postcode"], address["country"]
            continue
        value = parts.get("value")
        if not value:
            continue
        for item in _split_multi(value):
            if group == "website":
                if rec.website is None:
                    rec.website = item
                elif item != rec.website and item not in rec.urls:
                    rec.urls.append(item)
            elif group == "email":
                if not any(item.lower() == x.lower() for x in rec.emails):
                    rec.emails.append(item)
                    if label:
                        rec.email_labels[item] = label
            elif item not in rec.phones:
                rec.phones.append(item)
                if label:
                    rec.phone_labels[item] = label
    labels = rec.phone_labels
    if labels and rec.phones and _NOT_TO_CALL.search(labels.get(rec.phones[0], "")):
        # the contact's phone is one to call, not the fax that Outlook lists first
        first = next((p for p in rec.phones if not _NOT_TO_CALL.search(labels.get(p, ""))), None)
        if first is not None:
            rec.phones.remove(first)
            rec.phones.insert(0, first)


_NOT_TO_CALL = re.compile(r"\b(fax|pager)\b")


def _birthday_of_parts(single: dict[str, str], line: int) -> str | None:
    """Thunderbird's Birth Year, Month and Day as one date (``--MM-DD`` without a year)."""
    year, month, day = single.get("birth_year"), single.get("birth_month"), single.get("birth_day")
    if not (month and day):
        return None
    from datetime import date

    try:
        y, m, d = int(year) if year else None, int(month), int(day)
        date(y or 2000, m, d)
    except ValueError:
        shown = "-".join(p for p in (year, month, day) if p)
        raise InvalidInput(f"line {line}: invalid birthday {shown!r} (Birth Year, Month, Day)") from None
    return f"{y:04d}-{m:02d}-{d:02d}" if y else f"--{m:02d}-{d:02d}"


def _person_name(single: dict[str, str]) -> str:
    built = " ".join(p for p in (single.get("given_name"), single.get("family_name")) if p)
    return single.get("name") or built


#: the cells of minicrm's own export that hold JSON
_JSON_CELLS = dict.fromkeys(("email_labels", "phone_labels", "phone_exts", "addresses", "card_extra"))


def _json_cell(single: dict[str, str], key: str, line: int, kind: type) -> Any:
    text = single.get(key)
    if not text:
        return kind()
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, kind):
        raise InvalidInput(f"line {line}: {key} is not a JSON {kind.__name__}: {text[:40]!r}")
    return value


def _first_value(multi: dict[str, list[str]], groups: Groups, kind: str) -> str:
    """The row's first email or phone (``kind``): of its plain columns, else of its groups."""
    if multi[kind]:
        return multi[kind][0]
    value = next((p["value"] for (g, _), p in groups.items() if g == kind and p.get("value")), "")
    return next(iter(_split_multi(value)), "")


def row_to_contact(
    row: dict[str, str], mapping: dict[str, str], line: int, *, own_export: bool = False
) -> ContactRecord:
    """Build a contact from one CSV row; raises InvalidInput when it has no usable name.

    The name falls back to given+family name, then company, then the first email. With
    ``own_export`` (minicrm's own CSV) the formula guard of its cells is removed.
    """
    if own_export:
        row = {k: unneutralize_cell(v) if v else v for k, v in row.items()}
    single, multi, custom, groups = _collect(row, mapping)
    # as a vCard's: the name, the company, the first email, the first phone
    name = (
        _person_name(single)
        or single.get("company")
        or _first_value(multi, groups, "email")
        or _first_value(multi, groups, "phone")
    )
    if not name:
        raise InvalidInput(f"line {line}: no name, email, phone or company")
    get = single.get
    bday = get("birthday") or (_birthday_of_parts(single, line) if "birth_month" in single else None)
    rec = ContactRecord(
        name=name,
        given_name=get("given_name"),
        family_name=get("family_name"),
        emails=multi["email"],
        phones=multi["phone"],
        company=get("company"),
        title=get("title"),
        notes=get("notes"),
        street=get("street"),
        city=get("city"),
        region=get("region"),
        postcode=get("postcode"),
        country=get("country"),
        tags=multi["tags"],
        website=get("website"),
        birthday=_birthday(bday) if bday else None,
        fields=custom,
        line=line,
        status=get("status"),
        source=get("source"),
        owner=get("owner"),
        name_prefix=get("name_prefix"),
        middle_name=get("middle_name"),
        name_suffix=get("name_suffix"),
        nickname=get("nickname"),
        department=get("department"),
        address_label=get("address_label"),
        anniversary=get("anniversary"),
        photo=get("photo"),
        uid=get("uid"),
    )
    own = own_export or bool(_JSON_CELLS.keys() & single.keys())  # minicrm's own export
    if own:
        if own_export and row.get("tags") and ";" in row["tags"]:  # its tags are split on commas only
            rec.tags = list(dict.fromkeys(t.strip() for t in row["tags"].split(",") if t.strip()))
        rec.email_labels = _json_cell(single, "email_labels", line, dict)
        rec.phone_labels = _json_cell(single, "phone_labels", line, dict)
        rec.phone_exts = _json_cell(single, "phone_exts", line, dict)
        rec.addresses = _json_cell(single, "addresses", line, list)
        rec.extra = _json_cell(single, "card_extra", line, list)
        notes = single.get("notes")
        if notes and notes.startswith("[") and notes.endswith("]"):  # its notes, a JSON list
            bodies = _json_cell(single, "notes", line, list)
            if not all(isinstance(b, str) for b in bodies):
                raise InvalidInput(f"line {line}: notes is not a JSON list of texts: {notes[:40]!r}")
            rec.notes, rec.more_notes = (bodies[0], bodies[1:]) if bodies else (None, [])
    if groups:
        _apply_groups(rec, groups)
    return rec


def _domain_of(url: str | None) -> str | None:
    if not url:
        return None
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip(), flags=re.IGNORECASE)
    host = host.split("/")[0].split(":")[0].lower().removeprefix("www.")
    return host if "." in host else None


def row_to_company(row: dict[str, str], mapping: dict[str, str], line: int) -> CompanyRecord:
    """Build a company from one CSV row (name from ``name`` or ``company``)."""
    single, multi, custom, _ = _collect(row, mapping)
    name = single.get("name") or single.get("company")
    if not name:
        raise InvalidInput(f"line {line}: no company name")
    return CompanyRecord(
        name=name,
        domain=single.get("domain") or _domain_of(single.get("website")),
        industry=single.get("industry"),
        tags=multi["tags"],
        fields=custom,
        street=single.get("street"),
        city=single.get("city"),
        region=single.get("region"),
        postcode=single.get("postcode"),
        country=single.get("country"),
        website=single.get("website"),
        owner=single.get("owner"),
        line=line,
    )


def row_to_deal(row: dict[str, str], mapping: dict[str, str], line: int) -> DealRecord:
    """Build a deal from one CSV row (title from ``title`` or ``name``)."""
    single, multi, custom, _ = _collect(row, mapping)
    title = single.get("title") or single.get("name")
    if not title:
        raise InvalidInput(f"line {line}: no deal title")
    contact = single.get("contact_name")
    if not contact and (single.get("given_name") or single.get("family_name")):
        contact = _person_name({k: v for k, v in single.items() if k != "name"})
    close = single.get("close_date")
    return DealRecord(
        title=title,
        value=single.get("value"),
        currency=single.get("currency"),
        stage=single.get("stage"),
        close_date=_birthday(close) if close else None,
        contact_name=contact,
        contact_email=single.get("contact_email") or next(iter(multi["email"]), None),
        company=single.get("company"),
        owner=single.get("owner"),
        fields=custom,
        line=line,
        probability=single.get("probability"),
        status=single.get("status"),
    )
