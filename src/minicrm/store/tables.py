"""The schema of minicrm as SQLModel tables: the source of truth for Alembic migrations.

Timestamps are fixed-width UTC text (see ``minicrm.core.clock``) and dates ``YYYY-MM-DD`` text, so
that the same SQL compares and sorts them on SQLite and PostgreSQL. Money is integer minor
units plus an ISO 4217 code. Every editable record has a ``version`` for conflict detection.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

metadata = SQLModel.metadata

#: Records referenced by id (by users, the change log and undo) never get a deleted record's id
#: again: SQLite otherwise reuses the highest id once that row is deleted.
NO_ID_REUSE = {"sqlite_autoincrement": True}


def _fk(target: str, ondelete: str, index: bool = True) -> Column[int]:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), index=index, nullable=True)


class User(SQLModel, table=True):
    __tablename__ = "user_account"
    __table_args__ = NO_ID_REUSE
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True})
    email: str | None = None
    created_at: str


class Company(SQLModel, table=True):
    __tablename__ = "company"
    __table_args__ = NO_ID_REUSE
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    domain: str | None = Field(default=None, index=True)
    industry: str | None = None
    size: str | None = None
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postcode: str | None = None
    country: str | None = None
    owner: str | None = Field(default=None, index=True)
    created_at: str
    updated_at: str
    version: int = 1
    #: how the name sorts (``search_index.sort_key``): without diacritics and case, indexed
    sort_name: str | None = Field(default=None, index=True)


class Contact(SQLModel, table=True):
    __tablename__ = "contact"
    #: the index covers the keep-in-touch check (``due``, ``next``): who is past their cadence is
    #: read from the index alone, without visiting every contact row; only the contacts with a
    #: cadence of their own are in it (migration 0009)
    __table_args__ = (
        Index(
            "ix_contact_keep_in_touch",
            "cadence_days",
            "last_interaction_at",
            "created_at",
            sqlite_where=text("cadence_days IS NOT NULL"),
            postgresql_where=text("cadence_days IS NOT NULL"),
        ),
        NO_ID_REUSE,
    )
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    given_name: str | None = None
    family_name: str | None = None
    title: str | None = None
    company_id: int | None = Field(default=None, sa_column=_fk("company.id", "SET NULL"))
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postcode: str | None = None
    country: str | None = None
    status: str = Field(default="lead", index=True)
    source: str | None = None
    owner: str | None = Field(default=None, index=True)
    do_not_contact: bool = False
    preferred_channel: str | None = None
    cadence_days: int | None = None
    last_interaction_at: str | None = Field(default=None, index=True)
    created_at: str
    updated_at: str
    version: int = 1
    #: stable identifier for vCard export (UID) and sync tools; uuid4 on insert
    uid: str | None = Field(default=None, index=True)
    nickname: str | None = None
    name_prefix: str | None = None
    middle_name: str | None = None
    name_suffix: str | None = None
    department: str | None = None
    #: the label of the address in the columns above (work, home, or the source's own)
    address_label: str | None = None
    #: a photo as a ``data:`` URI or a link, kept for the vCard (never shown)
    photo: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    #: the properties of an imported vCard that minicrm has no field for (X-, IMPP, GEO,
    #: RELATED, ROLE, ...), as a JSON list of property lines, written back on export
    card_extra: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    #: how the name sorts (``search_index.sort_key``): without diacritics and case, indexed
    sort_name: str | None = Field(default=None, index=True)


class ContactEmail(SQLModel, table=True):
    __tablename__ = "contact_email"
    #: an address belongs to one contact: merges and imports keep it so, the database enforces it
    __table_args__ = (Index("ux_contact_email_email_lower", "email_lower", unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(
        sa_column=Column(Integer, ForeignKey("contact.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    email: str
    email_lower: str
    position: int = 0
    label: str | None = None


class ContactPhone(SQLModel, table=True):
    __tablename__ = "contact_phone"
    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(
        sa_column=Column(Integer, ForeignKey("contact.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    phone: str = Field(index=True)
    position: int = 0
    label: str | None = None
    #: an extension dialled after the number (``;ext=102``, ``ext. 102``)
    ext: str | None = None


class ContactAddress(SQLModel, table=True):
    """A contact's second and later addresses (the first is in the contact's columns)."""

    __tablename__ = "contact_address"
    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(
        sa_column=Column(Integer, ForeignKey("contact.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    label: str | None = None
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postcode: str | None = None
    country: str | None = None
    position: int = 0


class ContactField(SQLModel, table=True):
    __tablename__ = "contact_field"
    contact_id: int = Field(
        sa_column=Column(Integer, ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True)
    )
    key: str = Field(primary_key=True)
    value: str


class CompanyField(SQLModel, table=True):
    __tablename__ = "company_field"
    company_id: int = Field(
        sa_column=Column(Integer, ForeignKey("company.id", ondelete="CASCADE"), primary_key=True)
    )
    key: str = Field(primary_key=True)
    value: str


class Tag(SQLModel, table=True):
    __tablename__ = "tag"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True})


class ContactTag(SQLModel, table=True):
    __tablename__ = "contact_tag"
    __table_args__ = (Index("ix_contact_tag_tag", "tag_id", "contact_id"),)
    contact_id: int = Field(
        sa_column=Column(Integer, ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True)
    )
    tag_id: int = Field(sa_column=Column(Integer, ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True))


class CompanyTag(SQLModel, table=True):
    __tablename__ = "company_tag"
    company_id: int = Field(
        sa_column=Column(Integer, ForeignKey("company.id", ondelete="CASCADE"), primary_key=True)
    )
    tag_id: int = Field(sa_column=Column(Integer, ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True))


class DealTag(SQLModel, table=True):
    __tablename__ = "deal_tag"
    deal_id: int = Field(
        sa_column=Column(Integer, ForeignKey("deal.id", ondelete="CASCADE"), primary_key=True)
    )
    tag_id: int = Field(sa_column=Column(Integer, ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True))


class Deal(SQLModel, table=True):
    __tablename__ = "deal"
    #: covers the board and the reports, so that they aggregate 100k deals from the index alone
    __table_args__ = (
        Index(
            "ix_deal_status_stage",
            "status",
            "pipeline",
            "stage",
            "currency",
            "close_date",
            "value_minor",
            "probability",
            "owner",
            "created_at",
            "closed_at",
            "stage_entered_at",
            "last_activity_at",
            "lost_reason",
        ),
        Index("ix_deal_board", "status", "pipeline", "stage", "value_minor"),  # a board column's top deals
        NO_ID_REUSE,
    )
    id: int | None = Field(default=None, primary_key=True)
    title: str
    contact_id: int | None = Field(default=None, sa_column=_fk("contact.id", "SET NULL"))
    company_id: int | None = Field(default=None, sa_column=_fk("company.id", "SET NULL"))
    value_minor: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    currency: str
    pipeline: str = "default"
    stage: str
    probability: int | None = None
    close_date: str | None = Field(default=None, index=True)
    owner: str | None = Field(default=None, index=True)
    status: str = "open"
    lost_reason: str | None = None
    closed_at: str | None = None
    stage_entered_at: str
    last_activity_at: str | None = None
    created_at: str
    updated_at: str
    version: int = 1


class DealStageChange(SQLModel, table=True):
    """The stage history: one row per entry into a stage (status open) and per win or loss.
    An entry row also records how it ended (``left_at``, ``left_to`` stage, ``left_status``,
    ``stay_seconds``), and every row the deal's ``pipeline``, so that conversion and time in
    stage are one GROUP BY over an index."""

    __tablename__ = "deal_stage_change"
    __table_args__ = (
        Index(
            "ix_deal_stage_change_pipeline",
            "pipeline",
            "status",
            "to_stage",
            "left_status",
            "left_to",
            "stay_seconds",
            "deal_id",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(
        sa_column=Column(Integer, ForeignKey("deal.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    from_stage: str | None = None
    to_stage: str
    status: str = "open"
    at: str
    actor: str | None = None
    pipeline: str = "default"
    left_at: str | None = None
    left_to: str | None = None
    left_status: str | None = None
    stay_seconds: int | None = None


class StageFlow(SQLModel, table=True):
    """The conversion report's summary of ``deal_stage_change`` entry rows (status open): per
    pipeline, entered stage and how the stay ended ('' while it goes on), the number of entries
    and the seconds and number of completed stays. Kept by triggers (migration 0002), never
    written by minicrm's code."""

    __tablename__ = "stage_flow"
    pipeline: str = Field(sa_column=Column(Text, primary_key=True))
    to_stage: str = Field(sa_column=Column(Text, primary_key=True))
    left_status: str = Field(sa_column=Column(Text, primary_key=True))
    left_to: str = Field(sa_column=Column(Text, primary_key=True))
    entries: int
    seconds: int = Field(sa_column=Column(BigInteger, nullable=False))
    stays: int


class Interaction(SQLModel, table=True):
    __tablename__ = "interaction"
    __table_args__ = (
        Index("ix_interaction_contact_at", "contact_id", "at"),
        Index("ix_interaction_at_kind", "at", "kind"),  # timelines and ranges by time
        Index("ix_interaction_kind_at", "kind", "at"),  # the activity report: one range per kind and week
        # captured mail and meetings: one interaction per message (or event) and contact
        Index("ux_interaction_external", "external_id", "contact_id", unique=True),
        Index("ix_interaction_thread", "thread_id"),
        NO_ID_REUSE,
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str
    body: str = Field(sa_column=Column(Text, nullable=False))
    at: str
    author: str | None = None
    contact_id: int | None = Field(default=None, sa_column=_fk("contact.id", "CASCADE", index=False))
    company_id: int | None = Field(default=None, sa_column=_fk("company.id", "SET NULL"))
    deal_id: int | None = Field(default=None, sa_column=_fk("deal.id", "SET NULL"))
    created_at: str
    #: captured mail and meetings (``services/capture``): ``mail:<Message-ID>`` (or
    #: ``mail-sha256:<hash>``), ``ics:<UID>[@<RECURRENCE-ID>]``; NULL for what was logged by hand
    external_id: str | None = None
    thread_id: str | None = None  # the first Message-ID of the thread
    direction: str | None = None  # sent, received
    #: JSON: subject, from, to, cc, attachments [{name, size}], source; meetings: end, location,
    #: attendees, sequence
    details: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class MailSource(SQLModel, table=True):
    """Where captured mail and meetings come from, and how far they have been read: an IMAP
    folder's UIDVALIDITY and last UID, so that the next run fetches only what is new."""

    __tablename__ = "mail_source"
    id: int | None = Field(default=None, primary_key=True)
    kind: str  # mail, calendar
    source: str = Field(sa_column_kwargs={"unique": True})
    uidvalidity: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    last_uid: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    last_read_at: str | None = None
    imported: int = 0


class MailSeen(SQLModel, table=True):
    """Every message an import has read (a hash of its Message-ID, or of the message without
    one), whether or not it concerned a contact: reading the same mailbox again skips each of
    them at the cost of a lookup (``mail import --rescan`` reads them all again)."""

    __tablename__ = "mail_seen"
    key: str = Field(primary_key=True)
    seen_at: str


class FollowUp(SQLModel, table=True):
    __tablename__ = "followup"
    __table_args__ = (Index("ix_followup_open_due", "done_at", "due_at"), NO_ID_REUSE)
    id: int | None = Field(default=None, primary_key=True)
    title: str
    due_at: str
    all_day: bool = True
    contact_id: int | None = Field(default=None, sa_column=_fk("contact.id", "CASCADE"))
    company_id: int | None = Field(default=None, sa_column=_fk("company.id", "SET NULL"))
    deal_id: int | None = Field(default=None, sa_column=_fk("deal.id", "SET NULL"))
    owner: str | None = Field(default=None, index=True)
    done_at: str | None = None
    snoozed_until: str | None = None
    every: str | None = None
    rrule: str | None = None
    until: str | None = None
    from_done: bool = False
    series_id: int | None = Field(default=None, index=True)
    origin: str = "manual"
    created_at: str
    updated_at: str
    version: int = 1


class CadenceRule(SQLModel, table=True):
    __tablename__ = "cadence_rule"
    tag: str = Field(primary_key=True)
    ideal_days: int
    max_days: int | None = None


class Segment(SQLModel, table=True):
    __tablename__ = "segment"
    __table_args__ = NO_ID_REUSE
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True})
    filters: str = Field(sa_column=Column(Text, nullable=False))
    created_at: str
    updated_at: str


class ServiceRequest(SQLModel, table=True):
    __tablename__ = "service_request"
    __table_args__ = NO_ID_REUSE
    id: int | None = Field(default=None, primary_key=True)
    title: str
    priority: str = "normal"
    status: str = Field(default="open", index=True)
    resolution: str | None = None
    contact_id: int | None = Field(default=None, sa_column=_fk("contact.id", "CASCADE"))
    deal_id: int | None = Field(default=None, sa_column=_fk("deal.id", "SET NULL"))
    owner: str | None = None
    opened_at: str
    closed_at: str | None = None
    created_at: str
    updated_at: str
    version: int = 1


class Operation(SQLModel, table=True):
    """One user-level operation (a command): the unit that ``undo`` reverts."""

    __tablename__ = "operation"
    __table_args__ = NO_ID_REUSE
    id: int | None = Field(default=None, primary_key=True)
    at: str = Field(index=True)
    actor: str | None = None
    summary: str
    undone_by: int | None = None
    undoes: int | None = None
    #: the PostgreSQL role that did it, when the connection's role decides who acts (a role per
    #: rep); differs from ``actor`` when an admin acted for that user
    role: str | None = None


class Change(SQLModel, table=True):
    """The change log: every create, update, delete and merge with before/after JSON."""

    __tablename__ = "change"
    __table_args__ = (Index("ix_change_entity", "entity", "entity_id"), NO_ID_REUSE)
    id: int | None = Field(default=None, primary_key=True)
    op_id: int = Field(
        sa_column=Column(Integer, ForeignKey("operation.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    at: str
    actor: str | None = None
    entity: str
    entity_id: int
    action: str
    before: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    after: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class ChangeBatch(SQLModel, table=True):
    """The change log of records created in bulk (an import): one row per run of consecutive
    ids instead of one ``change`` row per record. ``after`` is JSON ``{"keys": [...], "common":
    {...}, "rows": [[...], ...]}``: ``rows[i]`` holds the values of record ``first_id + i`` as it
    was created (its snapshot is ``common`` updated with ``dict(zip(keys, rows[i]))``), or null
    once a privacy erase scrubbed it.
    Every record it lists was created (the action is always ``create``). Its ids are taken
    from the ``change`` ids, so that one id orders both logs (``services.changelog``)."""

    __tablename__ = "change_batch"
    __table_args__ = (Index("ix_change_batch_entity", "entity", "last_id"),)
    id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    op_id: int = Field(
        sa_column=Column(Integer, ForeignKey("operation.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    at: str
    actor: str | None = None
    entity: str
    first_id: int
    last_id: int
    after: str = Field(sa_column=Column(Text, nullable=False))


class ImportRun(SQLModel, table=True):
    """An import in progress (it commits in batches): its operation, and which process runs it.
    A row whose process is gone is an interrupted import, rolled back at the next open
    (``services.transfer.import_runs``)."""

    __tablename__ = "import_run"
    op_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("operation.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
        )
    )
    started_at: str
    host: str
    pid: int
    #: the statements that build the indexes the import dropped for its bulk load (a JSON
    #: list), built again by its rollback if it never got to its end (migration 0010)
    set_aside: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Tombstone(SQLModel, table=True):
    """Hashed identifiers of erased people, so that a later import does not bring them back."""

    __tablename__ = "tombstone"
    hash: str = Field(primary_key=True)
    created_at: str


class RunLog(SQLModel, table=True):
    __tablename__ = "run_log"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True)
    at: str


class SearchDoc(SQLModel, table=True):
    """One searchable text per record; SQLite indexes it with FTS5 (trigram), PostgreSQL
    with pg_trgm. Kept current by the record modules (``store/records``) in the same transaction
    as each write."""

    __tablename__ = "search_doc"
    __table_args__ = (UniqueConstraint("entity", "entity_id", name="uq_search_doc_entity"),)
    id: int | None = Field(default=None, primary_key=True)
    entity: str
    entity_id: int
    body: str = Field(sa_column=Column(Text, nullable=False))
