"""Each record module's column tuples equal its table's columns in ``store/tables.py``.

The record modules are plain tuples so that the CLI never imports SQLModel or SQLAlchemy; this
test is where the two are held together (and the only place ``tables.py`` is imported beside
the migrations)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from minicrm.store.records import (
    companies,
    contacts,
    deals,
    followups,
    interactions,
    mail_sources,
    requests,
    tags,
    users,
)

CASES = [
    ("contact", contacts.ALL_COLUMNS),
    ("contact_email", ("id", *contacts.EMAIL_COLUMNS)),
    ("contact_phone", ("id", *contacts.PHONE_COLUMNS)),
    ("contact_field", contacts.FIELD_COLUMNS),
    ("contact_address", ("id", *contacts.ADDRESS_COLUMNS)),
    ("company", companies.ALL_COLUMNS),
    ("company_field", companies.FIELD_COLUMNS),
    ("deal", deals.ALL_COLUMNS),
    ("deal_stage_change", ("id", *deals.STAGE_COLUMNS)),
    ("followup", followups.ALL_COLUMNS),
    ("interaction", interactions.ALL_COLUMNS),
    ("service_request", requests.ALL_COLUMNS),
    ("tag", ("id", *tags.COLUMNS)),
    ("contact_tag", tags.LINK_COLUMNS["contact"]),
    ("company_tag", tags.LINK_COLUMNS["company"]),
    ("deal_tag", tags.LINK_COLUMNS["deal"]),
    ("user_account", users.ALL_COLUMNS),
    ("mail_source", mail_sources.ALL_COLUMNS),
    ("mail_seen", mail_sources.SEEN_COLUMNS),
]


@pytest.mark.parametrize(("table", "columns"), CASES, ids=[c[0] for c in CASES])
def test_the_record_columns_are_the_tables_columns_in_order(table: str, columns: tuple[str, ...]) -> None:
    from minicrm.store.tables import metadata

    assert tuple(c.name for c in metadata.tables[table].columns) == columns


def test_every_aggregate_table_has_a_record_module() -> None:
    from minicrm.store.tables import metadata

    covered = {table for table, _ in CASES}
    # what the records do not own: the change log and its bookkeeping, and other aggregates'
    # tables not written through the unit of work's records yet
    others = {
        "operation", "change", "change_batch", "tombstone", "run_log", "search_doc", "stage_flow",
        "cadence_rule", "segment", "import_run",
    }  # fmt: skip
    assert set(metadata.tables) - others == covered


def test_the_record_modules_load_no_sqlalchemy_or_sqlmodel() -> None:
    code = (
        "import sys\n"
        "import minicrm.services.kernel.unit_of_work\n"
        "import minicrm.services.contacts.commands\n"
        "import minicrm.services.transfer.importer\n"
        "import minicrm.store.records as r\n"
        "from minicrm.store.records import Records\n"
        "for name in ('contacts', 'companies', 'deals', 'followups', 'interactions', 'requests', 'tags',"
        " 'users', 'search_index'):\n"
        "    __import__('minicrm.store.records.' + name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel')"
        " or m == 'minicrm.store.tables'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
