"""Team mode on PostgreSQL with a role per rep: the user is the connection's role.

When the role minicrm connects with (``current_user``) is a minicrm user, that is who acts:
``--as`` (or ``MINICRM_USER``, or ``owner`` in the config) naming anyone else is refused, since
anyone can type a name but not log in as someone else. A member of the ``minicrm_admin`` role
(``minicrm team secure`` creates it) may act for another user: the change log records that user
as the actor and the operation keeps the real role (``operation.role``). With one shared role
for the whole team (not a minicrm user), ``--as`` stays self-declared, as on SQLite.
"""

from __future__ import annotations

from minicrm.core.errors import Refused

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from minicrm.services.kernel.context import Context

#: the PostgreSQL role whose members act for others and edit everyone's records
ADMIN_ROLE = "minicrm_admin"

_WHO = (
    "SELECT current_user AS role, "
    "EXISTS (SELECT 1 FROM user_account WHERE name = current_user) AS is_user, "
    "EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = ? AND pg_has_role(current_user, r.oid, 'MEMBER')) "
    "AS admin"
)


def apply_connection_role(ctx: Context) -> None:
    """Set ``ctx.user`` and ``ctx.role`` from the connection (PostgreSQL), or refuse."""
    if ctx.db.is_sqlite:
        return
    row = ctx.db.one(_WHO, (ADMIN_ROLE,))
    if row is None or not row["is_user"]:
        return  # a shared role: users are declared, as on SQLite
    role = str(row["role"])
    declared = ctx.user
    if declared and declared != role and not row["admin"]:
        raise Refused(
            f"you are connected to the database as {role}: minicrm acts as {role}, not as {declared!r} "
            f"(only a member of the {ADMIN_ROLE} role acts for others)"
        )
    ctx.user = declared or role
    ctx.role = role


def is_admin(ctx: Context) -> bool:
    if ctx.db.is_sqlite:
        return False
    return bool(
        ctx.db.scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = ? "
            "AND pg_has_role(current_user, r.oid, 'MEMBER'))",
            (ADMIN_ROLE,),
        )
    )
