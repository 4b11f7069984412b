"""A contact holds what a vCard holds, and an email address belongs to one contact.

- ``contact`` gains the name parts (nickname, prefix, middle name, suffix), the department, the
  label of its address, a photo (a ``data:`` URI or a link) and ``card_extra``: the properties
  of an imported card that have no field of their own (X-, IMPP, GEO, RELATED, ROLE, ...), kept
  as they came and written back on export.
- ``contact_email`` and ``contact_phone`` gain a ``label`` (work, home, cell, fax, pager, other
  or the source's own), phones an ``ext`` (extension).
- ``contact_address`` holds a contact's second and later addresses, each with its label.
- ``ux_contact_email_email_lower`` replaces ``ix_contact_email_email_lower``: one address, one
  contact, enforced by the database. Existing duplicates are resolved first, losing nothing:
  the address stays on the contact that had it first (lowest id); each other contact keeps it
  in its custom field ``shared_email``; a second copy on the same contact is dropped.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_CONTACT_TEXT = ("nickname", "name_prefix", "middle_name", "name_suffix", "department", "address_label")


def upgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        for name in _CONTACT_TEXT:
            batch_op.add_column(sa.Column(name, _TEXT(), nullable=True))
        batch_op.add_column(sa.Column("photo", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("card_extra", sa.Text(), nullable=True))
    with op.batch_alter_table("contact_email", schema=None) as batch_op:
        batch_op.add_column(sa.Column("label", _TEXT(), nullable=True))
    with op.batch_alter_table("contact_phone", schema=None) as batch_op:
        batch_op.add_column(sa.Column("label", _TEXT(), nullable=True))
        batch_op.add_column(sa.Column("ext", _TEXT(), nullable=True))
    op.create_table(
        "contact_address",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("label", _TEXT(), nullable=True),
        sa.Column("street", _TEXT(), nullable=True),
        sa.Column("city", _TEXT(), nullable=True),
        sa.Column("region", _TEXT(), nullable=True),
        sa.Column("postcode", _TEXT(), nullable=True),
        sa.Column("country", _TEXT(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contact_address", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_address_contact_id"), ["contact_id"], unique=False)
    resolve_shared_emails(op.get_bind())
    with op.batch_alter_table("contact_email", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_email_email_lower")
        batch_op.create_index("ux_contact_email_email_lower", ["email_lower"], unique=True)


def resolve_shared_emails(bind: sa.engine.Connection) -> None:
    """Leave each address (case-insensitively) on one contact, keeping the others' copies in
    their ``shared_email`` field (comma-separated, after any value already there)."""
    rows = bind.execute(
        sa.text(
            "SELECT id, contact_id, email, email_lower FROM contact_email WHERE email_lower IN "
            "(SELECT email_lower FROM contact_email GROUP BY email_lower HAVING count(*) > 1) "
            "ORDER BY email_lower, contact_id, position, id"
        )
    ).all()
    kept: dict[str, int] = {}  # address -> the contact whose first row of it stays
    shared: dict[int, list[str]] = {}
    for row_id, contact_id, email, lower in rows:
        if lower not in kept:
            kept[lower] = contact_id
            continue
        bind.execute(sa.text("DELETE FROM contact_email WHERE id = :id"), {"id": row_id})
        if kept[lower] != contact_id and email not in shared.setdefault(contact_id, []):
            shared[contact_id].append(email)
    for contact_id, emails in shared.items():
        if not emails:
            continue
        old = bind.execute(
            sa.text("SELECT value FROM contact_field WHERE contact_id = :c AND key = 'shared_email'"),
            {"c": contact_id},
        ).scalar()
        value = ", ".join([old, *emails] if old else emails)
        bind.execute(
            sa.text("DELETE FROM contact_field WHERE contact_id = :c AND key = 'shared_email'"),
            {"c": contact_id},
        )
        bind.execute(
            sa.text("INSERT INTO contact_field (contact_id, key, value) VALUES (:c, 'shared_email', :v)"),
            {"c": contact_id, "v": value},
        )


def downgrade() -> None:
    with op.batch_alter_table("contact_email", schema=None) as batch_op:
        batch_op.drop_index("ux_contact_email_email_lower")
        batch_op.create_index("ix_contact_email_email_lower", ["email_lower"], unique=False)
    with op.batch_alter_table("contact_address", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_address_contact_id"))
    op.drop_table("contact_address")
    with op.batch_alter_table("contact_phone", schema=None) as batch_op:
        batch_op.drop_column("ext")
        batch_op.drop_column("label")
    with op.batch_alter_table("contact_email", schema=None) as batch_op:
        batch_op.drop_column("label")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        for name in ("card_extra", "photo", *reversed(_CONTACT_TEXT)):
            batch_op.drop_column(name)
