"""Phone numbers: parse anything people type into E.164 and learn its time zones."""

from dataclasses import dataclass
from functools import cache
from importlib import resources

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


def parse_phone(raw: str, *, default_country: str, field: str = "number") -> ParsedPhone:
    """Parse `raw` (national or international form); raise Invalid naming `field` if bad."""
    text = (raw or "").strip()
    if not text:
        raise Invalid("a phone number is required", field=field)
    # Bare digits with a country code ("18552345678") are common in the seeds; accept them.
    candidates = [text]
    if text[0].isdigit() and len(text) > 10:
        candidates.append("+" + text)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, default_country.upper())
        except phonenumbers.NumberParseException:
            continue
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
    raise Invalid(f"{raw!r} is not a valid phone number", field=field)


def normalize_phone(raw: str, *, default_country: str, field: str = "number") -> str:
    """The E.164 form of `raw`, or Invalid naming `field`."""
    return parse_phone(raw, default_country=default_country, field=field).e164


@cache
def _zone_countries() -> dict[str, str]:
    # zone.tab of the IANA database: "country<TAB>coordinates<TAB>zone[<TAB>comments]".
    countries: dict[str, str] = {}
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
    except (ModuleNotFoundError, FileNotFoundError):
        return countries
    for line in text.splitlines():
        if line and not line.startswith("#"):
            fields = line.split("\t")
            if len(fields) >= 3:
                countries[fields[2]] = fields[0]
    return countries


def country_for_zone(zone: str | None) -> str | None:
    """The ISO country an IANA zone belongs to (`Europe/Helsinki` -> `FI`), if it has one."""
    return _zone_countries().get(zone) if zone else None
