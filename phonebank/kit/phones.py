"""Phone numbers: parse anything people type into E.164 and learn its time zones."""

from dataclasses import dataclass

import phonenumbers
from phonenumbers import timezone as phone_timezones

from phonebank.errors import Invalid

UNKNOWN_ZONE = "Etc/Unknown"


@dataclass(frozen=True)
class ParsedPhone:
    """A valid number in E.164 with its country and the IANA zones it may ring in."""

    e164: str
    country: str | None
    time_zones: tuple[str, ...]


def parse_phone(
    raw: str, *, default_country: str, field: str = "number", allow_possible: bool = False
) -> ParsedPhone:
    """Parse `raw` (national or international form); raise Invalid naming `field` if bad.

    With `allow_possible`, a number of a plausible length that no carrier has been assigned yet
    is kept too (with no time zone): records synced from other systems carry such numbers.
    """
    text = (raw or "").strip()
    if not text:
        raise Invalid("a phone number is required", field=field)
    # Bare digits with a country code ("18552345678") are common in the seeds; accept them.
    candidates = [text]
    if text[0].isdigit() and len(text) > 10:
        candidates.append("+" + text)
    possible: phonenumbers.PhoneNumber | None = None
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, default_country.upper())
        except phonenumbers.NumberParseException:
            continue
        if possible is None and phonenumbers.is_possible_number(number):
            possible = number
        if phonenumbers.is_valid_number(number):
            zones = tuple(
                zone
                for zone in phone_timezones.time_zones_for_number(number)
                if zone != UNKNOWN_ZONE
            )
            return ParsedPhone(
                e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
                country=phonenumbers.region_code_for_number(number),
                time_zones=zones,
            )
    if allow_possible and possible is not None:
        return ParsedPhone(
            e164=phonenumbers.format_number(possible, phonenumbers.PhoneNumberFormat.E164),
            country=phonenumbers.region_code_for_number(possible),
            time_zones=(),
        )
    raise Invalid(f"{raw!r} is not a valid phone number", field=field)


def normalize_phone(raw: str, *, default_country: str, field: str = "number") -> str:
    """The E.164 form of `raw`, or Invalid naming `field`."""
    return parse_phone(raw, default_country=default_country, field=field).e164
