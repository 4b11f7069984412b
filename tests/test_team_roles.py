"""Team mode with a PostgreSQL role per rep (issue 19 item 10), with real roles on the test
server: the user is the connection's role, ``--as`` someone else is refused (an admin role may
act for others, recorded as such), and ``minicrm team secure`` makes the database itself keep
reps to their own records."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

pytestmark = pytest.mark.postgres


@pytest.fixture
def roles(pg_url: str) -> Iterator[dict[str, str]]:
    """Three login roles (ana, bruno, boss: a member of minicrm_admin) with the privileges of the
    README's team setup, each with its database URL; dropped afterwards."""
    tag = uuid.uuid4().hex[:8]
    names = {who: f"{who}_{tag}" for who in ("ana", "bruno", "boss")}
    plain = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        for name in names.values():
            conn.execute(f"CREATE ROLE {name} LOGIN PASSWORD 'pw'")
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'minicrm_admin'").fetchone():
            conn.execute("CREATE ROLE minicrm_admin NOLOGIN")
        conn.execute(f"GRANT minicrm_admin TO {names['boss']}")
    urls = {who: pg_url.replace("://postgres@", f"://{name}:pw@", 1) for who, name in names.items()}
    try:
        yield {**names, **{f"{who}_url": url for who, url in urls.items()}}
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            for name in names.values():
                conn.execute(f"DROP OWNED BY {name}")
                conn.execute(f"DROP ROLE {name}")


@pytest.fixture
def team(cli, roles, pg_url: str):
    """The schema (created by the superuser), the grants, and the three users."""
    assert cli("init").exit_code == 0
    plain = pg_url.replace("postgresql+psycopg://", "postgresql://")
    reps = ", ".join(roles[w] for w in ("ana", "bruno", "boss"))
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {reps}")
        conn.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {reps}")
    for who in ("ana", "bruno", "boss"):
        assert cli("user", "add", roles[who]).exit_code == 0

    def run(who: str, *args: str):
        return cli("--db", roles[f"{who}_url"], *args)

    return run


def test_the_user_is_the_connections_role(team, roles) -> None:
    ana = roles["ana"]
    added = team("ana", "contact", "add", "Carla Reis", "--json")  # no --as: the role says who
    assert added.exit_code == 0, added.stderr
    assert added.json()["owner"] == ana
    ops = team("ana", "undo", "--list", "--json").json()
    assert (ops[0]["user"], ops[0]["role"]) == (ana, ana)


def test_as_someone_else_is_refused(team, roles) -> None:
    ana, bruno = roles["ana"], roles["bruno"]
    refused = team("ana", "--as", bruno, "contact", "add", "Carla Reis")
    assert (refused.exit_code, refused.stdout) == (1, "")
    assert refused.stderr == (
        f"error: you are connected to the database as {ana}: minicrm acts as {ana}, not as '{bruno}' "
        "(only a member of the minicrm_admin role acts for others)\n"
    )
    assert team("ana", "--as", ana, "contact", "list", "--json").json() == []
    ok = team("ana", "--as", ana, "contact", "add", "Carla Reis")
    assert ok.exit_code == 0, ok.stderr


def test_an_admin_acts_for_others_and_that_is_recorded(team, roles) -> None:
    ana, boss = roles["ana"], roles["boss"]
    done = team("boss", "--as", ana, "contact", "add", "Duarte Melo", "--json")
    assert done.exit_code == 0, done.stderr
    assert done.json()["owner"] == ana
    [op] = [o for o in team("boss", "undo", "--list", "--json").json() if o["summary"].startswith("contact")]
    assert (op["user"], op["role"]) == (ana, boss)
    listed = team("boss", "undo", "--list", "--format", "plain").stdout
    assert f"{ana} (by {boss})" in listed
    history = team("ana", "contact", "history", "duarte", "--json").json()
    assert history[0]["user"] == ana


def test_team_secure_keeps_reps_to_their_own_records(team, roles, cli) -> None:
    ana = roles["ana"]
    assert team("ana", "contact", "add", "Carla Reis", "--email", "carla@reis.pt").exit_code == 0
    assert team("ana", "deal", "add", "Website", "--contact", "carla").exit_code == 0
    secured = cli("team", "secure")  # the superuser, who owns the tables
    assert secured.exit_code == 0, secured.stderr
    assert secured.stderr.startswith("secured 12 tables: records are readable by the team")

    # bruno reads ana's records, and cannot change or delete them
    shown = team("bruno", "contact", "show", "carla", "--json")
    assert (shown.exit_code, shown.json()["owner"]) == (0, ana)
    edit = team("bruno", "contact", "edit", "carla", "--title", "CEO")
    assert (edit.exit_code, edit.stderr) == (
        1,
        f"error: not allowed: contact 1 is {ana}'s: only its owner or an admin can change it\n",
    )
    won = team("bruno", "deal", "won", "1")
    assert won.exit_code == 1 and "not allowed" in won.stderr
    rm = team("bruno", "contact", "rm", "carla", "--yes")
    assert rm.exit_code == 1 and "not allowed" in rm.stderr
    email = team("bruno", "contact", "edit", "carla", "--add-email", "x@y.pt")
    assert email.exit_code == 1 and "not allowed" in email.stderr
    foreign = team("bruno", "contact", "add", "Planted", "--owner", ana)
    assert foreign.exit_code == 1 and "row-level security" in foreign.stderr
    after = team("ana", "contact", "show", "carla", "--json").json()
    assert (after["title"], after["emails"], after["version"]) == (None, ["carla@reis.pt"], 1)
    assert team("ana", "deal", "show", "1", "--json").json()["status"] == "open"

    # nor behind minicrm's back
    with psycopg.connect(roles["bruno_url"].replace("postgresql+psycopg://", "postgresql://")) as conn:
        assert conn.execute("UPDATE contact SET title = 'CEO' WHERE id = 1").rowcount == 0
        assert conn.execute("DELETE FROM contact_email").rowcount == 0

    # his own records are his to change; the owner and an admin change ana's
    assert team("bruno", "contact", "add", "Bruno's lead").exit_code == 0
    assert team("bruno", "contact", "edit", "bruno's lead", "--title", "CTO").exit_code == 0
    assert team("ana", "contact", "edit", "carla", "--title", "CEO").exit_code == 0
    boss = team("boss", "contact", "edit", "carla", "--title", "COO", "--json")
    assert (boss.exit_code, boss.json()["title"]) == (0, "COO")
    again = cli("team", "secure", "--json")  # idempotent
    assert again.exit_code == 0 and again.json()["admin_role"] == "minicrm_admin"


def test_a_rep_cannot_secure_the_tables(team) -> None:
    refused = team("bruno", "team", "secure")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: not allowed: ")
