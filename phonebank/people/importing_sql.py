"""The set-based import on PostgreSQL: the file COPYed into a staging table, rules applied in SQL.

The rules are those of `import_rules`, applied to the whole file at once. Python still decides
what only Python knows, once per distinct value: phone numbers through `kit.phones` (once per
North American number block, once per text for other numbers) and the addresses the quick email
check does not pass (through the validator); the answers are copied back and joined. Merging
follows the file order: each row points at the earlier row it merges into, and the pointers are
followed until every row reaches the row that created its person (or a stored person).
"""

import contextlib
import io
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import asyncpg
from email_validator import EmailNotValidError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.errors import Conflict, Invalid
from phonebank.kit.phones import SEPARATORS, PhoneCache
from phonebank.organizations.models import Organization
from phonebank.people.import_rules import (
    SIMPLE_EMAIL,
    WHITESPACE,
    CsvSource,
    ImportReport,
    RowError,
    normalize_email,
)
from phonebank.people.import_statements import (
    CHECKED_ROWS,
    GROUPS,
    PLAN,
    Ids,
    cells_sql,
    contact_insert,
    custom_names,
)

TABLES = (
    "import_staging", "import_cells", "import_phone_blocks", "import_phone_rows",
    "import_phone_texts", "import_email_texts", "import_rows", "import_plan", "import_links",
    "import_groups",
)  # fmt: skip
# Share of the work done after each stage, for the progress figure.
STAGES = {"loaded": 0.2, "checked": 0.45, "merged": 0.6, "people": 0.7, "emails": 0.85}


def _copy_options(source: CsvSource) -> str | None:
    """The delimiter when PostgreSQL's CSV reading surely gives the rows Python's does, else None.

    That is a file without quotes: PostgreSQL reads a quote inside a cell as the start of a
    quoted part, Python as a character, so quoted files are read by Python.
    """
    plain = source.dialect.delimiter in (",", ";", "\t") and not source.dialect.skipinitialspace
    if not plain or '"' in source.text:
        return None
    return str(source.dialect.delimiter)


async def _load(db: asyncpg.Connection, source: CsvSource, width: int) -> None:
    """COPY the file as it is when PostgreSQL reads it as Python would; else Python's rows.

    Rows are numbered as the file's records (the header is 1), blank ones included.
    """
    names = [f"c{i}" for i in range(width)]
    delimiter = _copy_options(source)
    if delimiter is not None:
        await db.execute("SAVEPOINT import_copy")
        try:
            await db.copy_to_table(
                "import_staging",
                source=io.BytesIO(source.text.encode()),
                columns=names,
                format="csv",
                header=True,
                delimiter=delimiter,
            )
        except asyncpg.DataError:
            # Blank lines, ragged rows, stray quotes: Python's reader decides what they hold.
            await db.execute("ROLLBACK TO SAVEPOINT import_copy")
        else:
            await db.execute("RELEASE SAVEPOINT import_copy")
            return
    records = (
        (*(cells + [""] * width)[:width], number)
        for number, cells in enumerate(source.rows, start=2)
        if any(cell.strip() for cell in cells)
    )
    await db.copy_records_to_table("import_staging", records=records, columns=[*names, "n"])


async def _copy_in(
    db: asyncpg.Connection, table: str, columns: str, records: Iterable[tuple[Any, ...]]
) -> None:
    await db.execute(f"CREATE TEMP TABLE {table} ({columns}) ON COMMIT DROP")
    names = [column.split()[0] for column in columns.split(", ")]
    await db.copy_records_to_table(table, records=list(records), columns=names)


def _zones(zones: Iterable[str]) -> str:
    return json.dumps(list(zones))


async def _decide_phones(db: asyncpg.Connection, country: str) -> None:
    """Each number block, number text or (rarely) row's number decided by `kit.phones`."""
    cache = PhoneCache(country)
    blocks: list[tuple[str, str | None, str]] = []
    undecided: list[str] = []
    for block, first in await db.fetch(
        "SELECT left(c.national, 6), c.phone_text FROM import_cells c JOIN"
        " (SELECT min(n) AS n FROM import_cells WHERE national IS NOT NULL"
        "  GROUP BY left(national, 6)) first ON first.n = c.n"
    ):
        with contextlib.suppress(Invalid):
            cache.parse(first)
        known = cache.block(block)
        if known is None:
            undecided.append(block)
        else:
            blocks.append((block, known.country, _zones(known.time_zones)))
    await _copy_in(db, "import_phone_blocks", "block text, country text, zones jsonb", blocks)
    # A block whose first number is not a valid one: its rows in file order, as the cache would.
    rows = await db.fetch(
        "SELECT n, phone_text FROM import_cells WHERE left(national, 6) = ANY($1::text[])"
        " ORDER BY n",
        undecided,
    )
    await _copy_in(
        db,
        "import_phone_rows",
        "n bigint, e164 text, country text, zones jsonb, reason text",
        (_decided(cache, raw, n) for n, raw in rows),
    )
    texts = await db.fetch(
        "SELECT DISTINCT phone_text FROM import_cells"
        " WHERE phone_text IS NOT NULL AND national IS NULL"
    )
    await _copy_in(
        db,
        "import_phone_texts",
        "text text, e164 text, country text, zones jsonb, reason text",
        (_decided(cache, raw, raw) for (raw,) in texts),
    )


def _decided(cache: PhoneCache, text: str, key: Any) -> tuple[Any, ...]:
    try:
        parsed = cache.parse(text, field="phone_number")
    except Invalid as error:
        return (key, None, None, None, error.detail)
    return (key, parsed.e164, parsed.country, _zones(parsed.time_zones), None)


async def _decide_emails(db: asyncpg.Connection) -> None:
    records: list[tuple[str, str | None, str | None]] = []
    for (raw,) in await db.fetch(
        "SELECT DISTINCT email_text FROM import_cells"
        " WHERE email_text IS NOT NULL AND email_lower IS NULL"
    ):
        try:
            records.append((raw, normalize_email(raw), None))
        except EmailNotValidError as error:
            records.append((raw, None, str(error)))
    await _copy_in(db, "import_email_texts", "text text, email text, reason text", records)


async def _follow_links(db: asyncpg.Connection) -> None:
    """Point every following row at the row that made its person (pointer jumping)."""
    await db.execute(
        "CREATE TEMP TABLE import_links ON COMMIT DROP AS"
        " SELECT n, follows AS ptr, NULL::uuid AS stored_id FROM import_plan"
        " WHERE follows IS NOT NULL"
    )
    while True:
        status = await db.execute(
            "UPDATE import_links l SET ptr = q.ptr FROM import_links q WHERE q.n = l.ptr"
        )
        if status == "UPDATE 0":
            break
    await db.execute(
        "UPDATE import_links l SET stored_id = p.stored_id FROM import_plan p"
        " WHERE p.n = l.ptr AND p.stored_id IS NOT NULL"
    )
    await db.execute(GROUPS)


def _count(status: str) -> int:
    return int(status.rsplit(" ", 1)[-1])


async def _write(db: asyncpg.Connection, organization_id: uuid.UUID, ids: Ids) -> tuple[int, int]:
    """People: the new ones made, the stored ones updated; returns how many of each."""
    created = _count(
        await db.execute(
            "INSERT INTO people (id, organization_id, given_name, family_name, custom_fields,"
            " languages_spoken, created_at, modified_at)"
            f" SELECT {ids.sql('p.n', 0)}, $1,"
            " CASE WHEN g.owner IS NULL THEN p.given_name ELSE g.given_name END,"
            " CASE WHEN g.owner IS NULL THEN p.family_name ELSE g.family_name END,"
            " CASE WHEN g.owner IS NULL THEN p.custom_fields ELSE g.custom_fields END,"
            " '[]', now(), now()"
            " FROM import_plan p LEFT JOIN import_groups g ON g.owner = p.n"
            " WHERE p.stored_id IS NULL AND p.follows IS NULL",
            organization_id,
        )
    )
    stored = await db.fetchval(
        "SELECT count(DISTINCT id) FROM (SELECT stored_id AS id FROM import_plan"
        " UNION ALL SELECT stored_id FROM import_links) found WHERE id IS NOT NULL"
    )
    # The update locks the stored people the new addresses and numbers will refer to.
    updated = _count(
        await db.execute(
            "UPDATE people pe SET given_name = coalesce(u.given_name, pe.given_name),"
            " family_name = coalesce(u.family_name, pe.family_name), modified_at = now()"
            " FROM (SELECT coalesce(p.stored_id, l.stored_id) AS id,"
            "  (array_agg(p.given_name ORDER BY p.n DESC)"
            "   FILTER (WHERE p.given_name IS NOT NULL))[1] AS given_name,"
            "  (array_agg(p.family_name ORDER BY p.n DESC)"
            "   FILTER (WHERE p.family_name IS NOT NULL))[1] AS family_name"
            "  FROM import_plan p LEFT JOIN import_links l ON l.n = p.n"
            "  WHERE p.stored_id IS NOT NULL OR l.stored_id IS NOT NULL GROUP BY 1) u"
            " WHERE pe.id = u.id"
        )
    )
    if updated != stored:
        raise Conflict("people of this file were deleted during the import: import it again")
    return created, updated


async def _checks_once_per_set(db: asyncpg.Connection, organization_id: uuid.UUID) -> bool:
    """Skip the per-row foreign-key checks of the rows about to be written, when allowed.

    Those rows refer only to the organization (locked here, as each check would lock it) and
    to people this import makes or locks by updating them (`_write` checks it found them all)
    before any address or number refers to them, so the checks cannot fail.
    Skipping them needs a role that may set `session_replication_role` (a superuser, or one
    granted SET on it); otherwise the checks run, row by row.
    """
    found = await db.fetchval(
        "SELECT count(*) FROM (SELECT 1 FROM organizations WHERE id = $1 FOR KEY SHARE) o",
        organization_id,
    )
    if found != 1:
        raise Conflict("the organization was deleted during the import")
    await db.execute("SAVEPOINT import_checks")
    try:
        await db.execute("SET LOCAL session_replication_role = replica")
    except asyncpg.InsufficientPrivilegeError:
        await db.execute("ROLLBACK TO SAVEPOINT import_checks")
        return False
    await db.execute("RELEASE SAVEPOINT import_checks")
    return True


async def import_set_based(
    session: AsyncSession,
    *,
    organization: Organization,
    source: CsvSource,
    columns: Mapping[int, str],
    on_progress: Callable[[int], None] | None = None,
    keep_person_ids: bool = True,
) -> ImportReport:
    """The import of `importing.import_people`, on PostgreSQL, for the whole file at once."""
    connection = await session.connection()
    # The driver opens the transaction at the first statement: open it before using the driver.
    await connection.execute(text("SELECT 1"))
    raw = await connection.get_raw_connection()
    db = raw.driver_connection
    assert isinstance(db, asyncpg.Connection)
    # Large sorts and hashes stay in memory; compiling the statements costs more than it saves.
    await db.execute("SET LOCAL work_mem = '256MB'")
    await db.execute("SET LOCAL jit = off")
    await db.execute("SAVEPOINT import_buffers")
    try:
        # Temporary tables live in the connection's own buffers, which it keeps (up to this
        # size) until it closes; a connection that already used temporary tables keeps the
        # size it had.
        await db.execute("SET LOCAL temp_buffers = '256MB'")
    except asyncpg.PostgresError:
        await db.execute("ROLLBACK TO SAVEPOINT import_buffers")
    await db.execute("RELEASE SAVEPOINT import_buffers")
    await db.execute(f"DROP TABLE IF EXISTS {', '.join(TABLES)}")
    width = len(source.header)
    cells = ", ".join(f"c{i} text" for i in range(width))
    await db.execute(
        f"CREATE TEMP TABLE import_staging ({cells},"
        " n bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 2)) ON COMMIT DROP"
    )
    await _load(db, source, width)
    rows = _count(
        await db.execute(
            cells_sql(columns, width),
            WHITESPACE,
            SEPARATORS,
            PhoneCache(organization.default_country).north_american,
            f"^(?:{SIMPLE_EMAIL})$",
            *custom_names(columns),
        )
    )
    progress = _Progress(on_progress, rows)
    progress("loaded")
    await _decide_phones(db, organization.default_country)
    await _decide_emails(db)
    await db.execute(CHECKED_ROWS)
    await db.execute("ANALYZE import_rows")
    report = ImportReport(rows=rows)
    report.errors = [
        RowError(n, field, reason)
        for n, field, reason in await db.fetch(
            "SELECT n, error_field, error_reason FROM import_rows"
            " WHERE error_field IS NOT NULL ORDER BY n"
        )
    ]
    progress("checked")
    await db.execute(PLAN, organization.id)
    await _follow_links(db)
    progress("merged")
    ids = Ids()
    skipping = await _checks_once_per_set(db, organization.id)
    report.created, report.updated = await _write(db, organization.id, ids)
    progress("people")
    await db.execute(
        contact_insert(ids, "email_addresses", 1, "address", "p.email"), organization.id
    )
    progress("emails")
    await db.execute(
        contact_insert(
            ids,
            "phone_numbers",
            2,
            "number, country, time_zones, do_not_call",
            "p.phone, p.country, p.zones, false",
        ),
        organization.id,
    )
    if skipping:
        await db.execute("SET LOCAL session_replication_role = origin")
    if keep_person_ids:
        report.person_ids = list(
            dict.fromkeys(
                person_id
                for (person_id,) in await db.fetch(
                    f"SELECT coalesce(stored_id, {ids.sql('n', 0)}) FROM import_plan"
                    " WHERE follows IS NULL ORDER BY n"
                )
            )
        )
    await db.execute(f"DROP TABLE {', '.join(TABLES)}")
    if on_progress is not None:
        on_progress(rows)
    return report


class _Progress:
    def __init__(self, listener: Callable[[int], None] | None, rows: int) -> None:
        self.listener, self.rows = listener, rows

    def __call__(self, stage: str) -> None:
        if self.listener is not None:
            self.listener(int(self.rows * STAGES[stage]))
