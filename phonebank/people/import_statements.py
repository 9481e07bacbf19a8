"""The SQL of the set-based import (`importing_sql`): each statement one step of the rules.

Every statement reads and writes the import's temporary tables; in those that look at stored
people, `$1` is the organization's id.
"""

import os
import time
from collections.abc import Mapping, Sequence

from phonebank.people.import_rules import MAX_CUSTOM_FIELD_LENGTH, NEEDS_CONTACT


class Ids:
    """Time-ordered UUIDs (version 7 layout) made in SQL from a row number: one per row and
    kind, in order, so the indexes of the tables written grow at their end."""

    def __init__(self) -> None:
        millis = int(time.time() * 1000).to_bytes(6, "big")
        random = os.urandom(6)
        self.prefix = (millis + bytes([0x70 | random[0] & 0x0F, random[1]])).hex()
        tail = (0b10 << 62) | (int.from_bytes(random[2:], "big") >> 2 << 32)
        self.base = tail - (1 << 64)  # as a signed bigint

    def sql(self, row: str, kind: int) -> str:
        """The id of kind `kind` (0 person, 1 address, 2 number) of the row numbered `row`."""
        return f"('{self.prefix}' || to_hex({self.base}::bigint + ({row}) * 4 + {kind}))::uuid"


def _value(index: int) -> str:
    return f"nullif(btrim(c{index}, $1), '')"


def custom_names(columns: Mapping[int, str]) -> list[str]:
    """The names of the custom fields the columns fill, in column order."""
    targets = dict.fromkeys(target for _, target in sorted(columns.items()))
    return [t.removeprefix("custom_fields.") for t in targets if t.startswith("custom_fields.")]


def _last_filled(indexes: Sequence[int]) -> str:
    # Several columns for one field: the last non-empty cell wins, as in the row-by-row reading.
    if not indexes:
        return "NULL::text"
    return f"coalesce({', '.join(f'v{i}' for i in reversed(indexes))})"


def _cell_expressions(columns: Mapping[int, str]) -> dict[str, str]:
    by_target: dict[str, list[int]] = {}
    for index, target in sorted(columns.items()):
        by_target.setdefault(target, []).append(index)
    fields = {
        name: _last_filled(by_target.get(name, []))
        for name in ("given_name", "family_name", "phone_number", "email_address")
    }
    names = custom_names(columns)
    pairs = [
        f"${5 + n}::text, left({_last_filled(by_target['custom_fields.' + name])}, "
        f"{MAX_CUSTOM_FIELD_LENGTH})"
        for n, name in enumerate(names)
    ]
    # jsonb_build_object takes at most 100 arguments: build in chunks and concatenate.
    chunks = [
        f"jsonb_build_object({', '.join(pairs[i : i + 50])})" for i in range(0, len(pairs), 50)
    ]
    fields["custom_fields"] = (
        f"jsonb_strip_nulls({' || '.join(chunks)})" if chunks else "'{}'::jsonb"
    )
    return fields


def cells_sql(columns: Mapping[int, str], width: int) -> str:
    """Each non-blank row's cells stripped and mapped; the national digits of its number.

    Parameters: $1 the characters to strip, $2 those between digits, $3 whether numbers read
    in the North American plan first, $4 the quick email pattern, $5... the custom fields' names.
    OFFSET 0 keeps each step's values computed once rather than inlined where they are used.
    """
    fields = _cell_expressions(columns)
    values = ", ".join(f"{_value(i)} AS v{i}" for i in range(width))
    filled = " OR ".join(f"v{i} IS NOT NULL" for i in range(width))
    return (
        "CREATE TEMP TABLE import_cells ON COMMIT DROP AS"
        " SELECT n, given_name, family_name, custom_fields, phone_text, email_text,"
        " CASE WHEN email_text ~ $4 THEN lower(email_text) END AS email_lower,"
        " CASE WHEN national ~ '^[0-9]{10}$' THEN national END AS national"
        " FROM (SELECT *, CASE WHEN digits LIKE '+1%' THEN substr(digits, 3)"
        "  WHEN digits LIKE '+%' OR NOT $3 THEN NULL"
        "  WHEN length(digits) = 11 AND digits LIKE '1%' THEN substr(digits, 2)"
        "  ELSE digits END AS national"
        " FROM (SELECT *, translate(phone_text, $2, '') AS digits"
        " FROM (SELECT n,"
        f"  {fields['given_name']} AS given_name, {fields['family_name']} AS family_name,"
        f"  {fields['custom_fields']} AS custom_fields,"
        f"  {fields['phone_number']} AS phone_text, {fields['email_address']} AS email_text"
        f"  FROM (SELECT n, {values} FROM import_staging OFFSET 0) stripped"
        f"  WHERE {filled} OFFSET 0) mapped OFFSET 0) digits OFFSET 0) national"
    )


CHECKED_ROWS = f"""
CREATE TEMP TABLE import_rows ON COMMIT DROP AS
SELECT n, given_name, family_name, custom_fields, phone, country, zones, email,
  CASE WHEN phone_text IS NOT NULL AND phone IS NULL THEN 'phone_number'
       WHEN email_text IS NOT NULL AND email IS NULL THEN 'email_address'
       WHEN phone_text IS NULL AND email_text IS NULL THEN 'phone_number' END AS error_field,
  CASE WHEN phone_text IS NOT NULL AND phone IS NULL THEN phone_reason
       WHEN email_text IS NOT NULL AND email IS NULL THEN email_reason
       WHEN phone_text IS NULL AND email_text IS NULL THEN '{NEEDS_CONTACT}' END AS error_reason
FROM (
  SELECT c.n, c.given_name, c.family_name, c.custom_fields, c.phone_text, c.email_text,
    CASE WHEN pr.n IS NOT NULL THEN pr.e164 WHEN pb.block IS NOT NULL THEN '+1' || c.national
         ELSE pt.e164 END AS phone,
    coalesce(pr.country, pb.country, pt.country) AS country,
    coalesce(pr.zones, pb.zones, pt.zones, '[]') AS zones,
    coalesce(pr.reason, pt.reason) AS phone_reason,
    coalesce(c.email_lower, et.email) AS email, et.reason AS email_reason
  FROM import_cells c
  LEFT JOIN import_phone_rows pr ON pr.n = c.n
  LEFT JOIN import_phone_blocks pb ON pb.block = left(c.national, 6) AND pr.n IS NULL
  LEFT JOIN import_phone_texts pt ON pt.text = c.phone_text AND c.national IS NULL
  LEFT JOIN import_email_texts et ON et.text = c.email_text AND c.email_lower IS NULL
) checked
"""

# Each valid row: the stored person its address (else its number) belongs to, or the earlier
# row of the file it follows, and whether it brings an address or a number not yet known.
# Only addresses and numbers that come more than once have a first row (`fe`, `fp`).
PLAN = """
CREATE TEMP TABLE import_plan ON COMMIT DROP AS
WITH v AS (SELECT * FROM import_rows WHERE error_field IS NULL),
fe AS (
  SELECT email, min(n) AS first FROM v WHERE email IS NOT NULL
  GROUP BY email HAVING count(*) > 1),
fp AS (
  SELECT phone, min(n) AS first FROM v WHERE phone IS NOT NULL
  GROUP BY phone HAVING count(*) > 1),
ke AS (
  SELECT DISTINCT ON (a.address) a.address, a.person_id FROM email_addresses a
  JOIN v ON v.email = a.address WHERE a.organization_id = $1
  ORDER BY a.address, a.person_id),
kp AS (
  SELECT DISTINCT ON (p.number) p.number, p.person_id FROM phone_numbers p
  JOIN v ON v.phone = p.number WHERE p.organization_id = $1
  ORDER BY p.number, p.person_id)
SELECT v.n, v.given_name, v.family_name, v.custom_fields, v.phone, v.country, v.zones, v.email,
  CASE WHEN ke.person_id IS NOT NULL THEN ke.person_id
       WHEN fe.first < v.n THEN NULL ELSE kp.person_id END AS stored_id,
  CASE WHEN ke.person_id IS NOT NULL THEN NULL
       WHEN fe.first < v.n THEN fe.first
       WHEN kp.person_id IS NOT NULL THEN NULL
       WHEN fp.first < v.n THEN fp.first END AS follows,
  v.email IS NOT NULL AND ke.person_id IS NULL AND coalesce(fe.first, v.n) = v.n AS adds_email,
  v.phone IS NOT NULL AND kp.person_id IS NULL AND coalesce(fp.first, v.n) = v.n AS adds_phone
FROM v
LEFT JOIN fe ON fe.email = v.email
LEFT JOIN fp ON fp.phone = v.phone
LEFT JOIN ke ON ke.address = v.email
LEFT JOIN kp ON kp.number = v.phone
"""

# Rows that follow others, grouped under the row that made their person (or its stored id).
GROUPS = """
CREATE TEMP TABLE import_groups ON COMMIT DROP AS
WITH members AS (
  SELECT l.n, l.ptr AS owner FROM import_links l
  UNION ALL SELECT DISTINCT ptr, ptr FROM import_links),
rows AS (
  SELECT m.owner, p.* FROM members m JOIN import_plan p ON p.n = m.n),
custom AS (
  SELECT r.owner, jsonb_object_agg(kv.key, kv.value ORDER BY r.n) AS custom_fields
  FROM rows r, jsonb_each(r.custom_fields) kv GROUP BY r.owner)
SELECT r.owner,
  (array_agg(r.given_name ORDER BY r.n DESC) FILTER (WHERE r.given_name IS NOT NULL))[1]
    AS given_name,
  (array_agg(r.family_name ORDER BY r.n DESC) FILTER (WHERE r.family_name IS NOT NULL))[1]
    AS family_name,
  coalesce(min(c.custom_fields::text)::jsonb, '{}') AS custom_fields,
  min(r.n) FILTER (WHERE r.adds_email) AS first_email,
  min(r.n) FILTER (WHERE r.adds_phone) AS first_phone
FROM rows r LEFT JOIN custom c ON c.owner = r.owner GROUP BY r.owner
"""


def contact_insert(ids: Ids, table: str, kind: int, columns: str, values: str) -> str:
    """Add the addresses (kind 1) or numbers (kind 2) the rows bring to their people."""
    what = "email" if kind == 1 else "phone"
    owner = "coalesce(l.ptr, p.n)"
    return (
        f'INSERT INTO {table} (id, person_id, organization_id, "primary", position, {columns})'
        f" SELECT {ids.sql('p.n', kind)},"
        f" coalesce(p.stored_id, l.stored_id, {ids.sql(owner, 0)}), $1,"
        f" p.stored_id IS NULL AND l.stored_id IS NULL"
        f" AND (g.owner IS NULL OR g.first_{what} = p.n), 0, {values}"
        " FROM import_plan p LEFT JOIN import_links l ON l.n = p.n"
        f" LEFT JOIN import_groups g ON g.owner = {owner}"
        f" WHERE p.adds_{what}"
    )
