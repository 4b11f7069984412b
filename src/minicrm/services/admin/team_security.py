"""``minicrm team secure``: per-owner write protection as PostgreSQL row-level security policies.

With a role per rep (``services.kernel.roles``) minicrm knows who acts, but a rep could still
change a colleague's records with ``psql`` or an older minicrm. These policies make the
database itself enforce it: every record is readable by the team; a contact, company, deal or
follow-up (and its emails, phones, fields, tags and stage history) can be inserted, changed
or deleted only by its owner, by anyone when it has no owner, and by members of the
``minicrm_admin`` role. Policies are forced on the tables' owner too; superusers bypass them, as
PostgreSQL's superusers bypass everything. Running it again replaces the policies.
"""

from __future__ import annotations

from dataclasses import dataclass

from minicrm.core.errors import InvalidInput, Refused
from minicrm.services.kernel.context import Context
from minicrm.services.kernel.roles import ADMIN_ROLE

#: the tables whose rows have an owner
OWNED = ("contact", "company", "deal", "followup")
#: rows that belong to an owned record: (table, its column naming the record, the record's table)
CHILDREN = (
    ("contact_email", "contact_id", "contact"),
    ("contact_phone", "contact_id", "contact"),
    ("contact_field", "contact_id", "contact"),
    ("contact_tag", "contact_id", "contact"),
    ("company_field", "company_id", "company"),
    ("company_tag", "company_id", "company"),
    ("deal_tag", "deal_id", "deal"),
    ("deal_stage_change", "deal_id", "deal"),
)
_ADMIN = f"pg_has_role(current_user, '{ADMIN_ROLE}', 'MEMBER')"
_POLICIES = ("minicrm_read", "minicrm_insert", "minicrm_update", "minicrm_delete")


@dataclass(frozen=True, slots=True)
class Secured:
    tables: tuple[str, ...]
    admin_role: str
    admin_role_created: bool

    def to_dict(self) -> dict[str, object]:
        return {
            "tables": list(self.tables),
            "admin_role": self.admin_role,
            "admin_role_created": self.admin_role_created,
        }


def _may(owner: str) -> str:
    return f"({owner} IS NULL OR {owner} = current_user OR {_ADMIN})"


def secure(ctx: Context) -> Secured:
    """Install the policies (in one transaction); create the admin role when it is missing."""
    db = ctx.db
    if db.is_sqlite:
        raise InvalidInput(
            "team secure protects a PostgreSQL database shared by a team; an SQLite file has no roles"
        )
    created = False
    if not db.scalar("SELECT 1 FROM pg_roles WHERE rolname = ?", (ADMIN_ROLE,)):
        try:
            db.execute(f"CREATE ROLE {ADMIN_ROLE} NOLOGIN")
        except Refused:
            raise Refused(
                f"cannot create the {ADMIN_ROLE} role: ask a superuser to run "
                f"CREATE ROLE {ADMIN_ROLE} NOLOGIN; then run this again"
            ) from None
        created = True
    rules = [(t, _may("owner")) for t in OWNED] + [
        (t, f"EXISTS (SELECT 1 FROM {parent} p WHERE p.id = {column} AND {_may('p.owner')})")
        for t, column, parent in CHILDREN
    ]
    with db.transaction():
        for table, may in rules:
            for name in _POLICIES:
                db.execute(f"DROP POLICY IF EXISTS {name} ON {table}")
            db.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            db.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            db.execute(f"CREATE POLICY minicrm_read ON {table} FOR SELECT USING (true)")
            db.execute(f"CREATE POLICY minicrm_insert ON {table} FOR INSERT WITH CHECK ({may})")
            db.execute(f"CREATE POLICY minicrm_update ON {table} FOR UPDATE USING ({may}) WITH CHECK ({may})")
            db.execute(f"CREATE POLICY minicrm_delete ON {table} FOR DELETE USING ({may})")
    return Secured(tuple(t for t, _ in rules), ADMIN_ROLE, created)
