"""Plain records produced by the readers and consumed by the writers.

They carry text exactly as found in the source (trimmed); validation and
normalisation (E.164 phones, email syntax, money) happen in the services.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: the product id minicrm writes into its vCards and iCalendar files
PRODID = "-//minicrm//minicrm//EN"

#: the words a label of an email, phone or address is made of (vCard TYPE values, lower-case:
#: ``work``, ``home,fax``); any other label is the source's own (``Clube``)
LABEL_WORDS = frozenset({
    "work", "home", "cell", "fax", "pager", "other", "voice", "text", "video", "textphone", "main",
    "iphone", "msg", "bbs", "modem", "car", "isdn", "pcs", "postal", "parcel", "dom", "intl",
})  # fmt: skip


@dataclass
class ContactRecord:
    name: str
    given_name: str | None = None
    family_name: str | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    company: str | None = None
    title: str | None = None
    notes: str | None = None
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postcode: str | None = None
    country: str | None = None
    tags: list[str] = field(default_factory=list)
    uid: str | None = None
    website: str | None = None
    birthday: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    line: int | None = None
    status: str | None = None
    source: str | None = None
    owner: str | None = None
    nickname: str | None = None
    name_prefix: str | None = None
    middle_name: str | None = None
    name_suffix: str | None = None
    department: str | None = None
    #: labels (work, home, cell, fax, pager, other, or the source's own) by email / phone text
    email_labels: dict[str, str] = field(default_factory=dict)
    phone_labels: dict[str, str] = field(default_factory=dict)
    #: extensions by phone text (readers may also leave ``ext. 102`` in the phone itself)
    phone_exts: dict[str, str] = field(default_factory=dict)
    address_label: str | None = None
    #: the second and later addresses: dicts of label, street, city, region, postcode, country
    addresses: list[dict[str, str | None]] = field(default_factory=list)
    #: URLs after ``website``
    urls: list[str] = field(default_factory=list)
    anniversary: str | None = None
    #: a ``data:`` URI or a link
    photo: str | None = None
    #: notes after ``notes`` (a vCard's second and later NOTE)
    more_notes: list[str] = field(default_factory=list)
    #: properties kept as they came (vCard lines without a field of their own)
    extra: list[str] = field(default_factory=list)


@dataclass
class CompanyRecord:
    name: str
    domain: str | None = None
    industry: str | None = None
    tags: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postcode: str | None = None
    country: str | None = None
    website: str | None = None
    owner: str | None = None
    line: int | None = None


@dataclass
class DealRecord:
    title: str
    value: str | None = None
    currency: str | None = None
    stage: str | None = None
    close_date: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    company: str | None = None
    owner: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    line: int | None = None
    probability: str | None = None
    status: str | None = None
