"""The two import engines (row by row, and set-based SQL on PostgreSQL) agree on messy files."""

import json
import uuid

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.organizations.models import Organization
from phonebank.organizations.service import create_organization
from phonebank.people.import_rules import ImportReport, map_columns, open_csv
from phonebank.people.importing import _import_row_by_row, import_people
from phonebank.people.importing_sql import import_set_based
from phonebank.people.models import Person

HEADER = "First Name,Last Name,Phone,Mobile,E-mail,Ward,ward ,Notes\n"
ROWS = (
    "Ada,Nguyen,(415) 555-2671,,ada@example.org,3,,first\n"
    "Ben,Okafor,not a phone,,ben@example.org,4,,\n"
    ",,,,,,,\n"
    "Carmen,Patel,+1 212 555 0199,,,5,,\n"
    "Ada,N.,415-555-2671,,ADA2@Example.org,,7,\n"
    "Dev,Quinn,,,dev@@example,6,,\n"
    "Elena,Rossi,,,,7,,\n"
    "\u00a0Fay\u3000,,1-212-555-0199,,fay@example.org,,,again\n"
    "Gus,,,(999) 555-1234,gus@example.org,,,\n"
    "Hal,,(999) 555-1235,,,,,\n"
    "Ida,,+44 20 7946 0958,,ida@example.org,,,\n"
    "Jo,,020 7946 0958,,,,,\n"
    "Kim,,617 555 0100,,ada2@example.org,,,\n"
    "Lou,,617 555 0101,617-555-0102,jos\u00e9@example.org,,,\n"
    "Max,,617 555 0101,,max@example.org,,,\n"
    "Ned,,,,MAX@example.org,,,note\n"
    "Oz,,+1 617 555 0102,,ben@example.org,,,\n"
    "Pia,,212555019\u0663,,,,,\n"
    "Quin,,6175550199,,a@b,,,\n"
    "Rae,,  ,,  ,x,,\n"
    "Sam,\t,6175550123\t,\u2003,,\x85,,\n"
)
SECOND = (
    "First Name,Phone,E-mail,Ward\n"
    "Ada Again,,ada@example.org,9\n"
    "Zed,(617) 555-0100,zed@example.org,1\n"
    "Yan,+1 617 555 0190,ada@example.org,2\n"
)
# Quotes: Python's reader reads the file.
QUOTED = (
    "first name,tel,email\nAb,+12025550111\n\nCd,202 555 0112,cd@example.org,extra\n"
    'Ab,,AB@x.org\n"Ef, ""Jr""",2025550113,\n'
)
# Blank lines and ragged rows: PostgreSQL's COPY refuses them, Python's reader decides.
RAGGED = "first name,tel\nGi,2025550114,extra\n\nHo\nIv,2025550115\n"


async def _people(session: AsyncSession, organization_id: uuid.UUID) -> list[str]:
    """Everyone of an organization, in a form that does not depend on ids."""
    people = (
        await session.scalars(select(Person).where(Person.organization_id == organization_id))
    ).all()
    shown = []
    for person in people:
        await session.refresh(person)
        emails = sorted((e.address, e.primary) for e in person.email_addresses)
        numbers = sorted(
            (n.number, n.primary, n.country, tuple(n.time_zones)) for n in person.phone_numbers
        )
        shown.append(
            json.dumps(
                [person.given_name, person.family_name, person.custom_fields, emails, numbers],
                sort_keys=True,
            )
        )
    return sorted(shown)


def _summary(report: ImportReport) -> tuple[object, ...]:
    return (report.rows, report.created, report.updated, report.errors, len(report.person_ids))


async def _both(
    session: AsyncSession, files: list[str], country: str = "US"
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], Organization, Organization]:
    sql_org = await create_organization(session, name="Set-based", default_country=country)
    row_org = await create_organization(session, name="Row by row", default_country=country)
    sql_reports, row_reports = [], []
    for body in files:
        source = open_csv(body.encode())
        columns = map_columns(source.header, {})
        sql_reports.append(
            _summary(
                await import_set_based(
                    session, organization=sql_org, source=source, columns=columns
                )
            )
        )
        source = open_csv(body.encode())
        row_reports.append(
            _summary(await _import_row_by_row(session, row_org, source, columns, None))
        )
        await session.flush()
    return sql_reports, row_reports, sql_org, row_org


@pytest.mark.parametrize(
    ("privileged", "country"),
    [(True, "US"), (False, "US"), (True, "GB")],
    ids=["checks-once", "checks-per-row", "numbers-read-in-britain"],
)
async def test_both_engines_import_the_same_messy_files_alike(
    session: AsyncSession, privileged: bool, country: str
) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("the set-based engine runs on PostgreSQL")
    if not privileged:
        # A role that may not skip the per-row foreign-key checks (rolled back with the test).
        for statement in (
            "CREATE ROLE phonebank_importer_test NOSUPERUSER",
            "GRANT ALL ON ALL TABLES IN SCHEMA public TO phonebank_importer_test",
            "GRANT USAGE ON SCHEMA public TO phonebank_importer_test",
            "SET LOCAL ROLE phonebank_importer_test",
        ):
            await session.execute(text(statement))
    sql_reports, row_reports, sql_org, row_org = await _both(
        session, [HEADER + ROWS, SECOND, QUOTED, RAGGED], country
    )
    assert sql_reports == row_reports
    assert await _people(session, sql_org.id) == await _people(session, row_org.id)
    first = sql_reports[0]
    assert first[0] == 20 and first[3]  # rows read (the blank one is not), some refused


async def test_merges_follow_the_file_order(session: AsyncSession) -> None:
    organization = await create_organization(session, name="Chains")
    body = (
        "first name,phone,email,team\n"
        "A,(617) 555-0100,a@example.org,red\n"
        "B,(617) 555-0100,b@example.org,\n"  # joins A by number, brings b@
        "C,(617) 555-0101,b@example.org,blue\n"  # joins A through b@, brings a number
        "D,(617) 555-0101,,\n"  # joins A through that number
    )
    report = await import_people(session, organization=organization, data=body.encode())
    assert (report.rows, report.created, len(report.person_ids)) == (4, 1, 1)
    [person] = await _people(session, organization.id)
    given, _, custom, emails, numbers = json.loads(person)
    assert given == "D" and custom == {"team": "blue"}
    assert emails == [["a@example.org", True], ["b@example.org", False]]
    assert [n[:2] for n in numbers] == [["+16175550100", True], ["+16175550101", False]]
