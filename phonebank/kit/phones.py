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


# Countries of the North American Numbering Plan that are parsed as +1 by default.
NANP_DEFAULTS = frozenset({"US", "CA", "PR", "VI", "GU", "AS", "MP"})
# What people put between digits; the national digits are what is left.
SEPARATORS = " ()-./\u00a0"
_NON_DIGITS = str.maketrans("", "", SEPARATORS)


class PhoneCache:
    """Parses many numbers fast (imports): the full parse runs once per block of numbers.

    In the North American plan a number's validity, country and time zones are decided by its
    first six national digits (area code and exchange), so a 10-digit number
    reuses what was learned from any earlier number of its block. Other numbers are parsed in
    full (and remembered exactly).
    """

    def __init__(self, default_country: str) -> None:
        self.default_country = default_country.upper()
        self._blocks: dict[str, ParsedPhone] = {}
        self._exact: dict[str, ParsedPhone | None] = {}

    @property
    def north_american(self) -> bool:
        """Whether national numbers are read in the North American plan first."""
        return self.default_country in NANP_DEFAULTS

    def _national(self, text: str) -> str | None:
        # The ten national digits (ASCII) when the number is read in the North American plan
        # first (so a valid block decides it exactly as the full parse would), else None.
        # The import's SQL reads numbers the same way (`people.importing_sql`).
        digits = text.translate(_NON_DIGITS)
        if digits.startswith("+1"):
            national = digits[2:]
        elif digits.startswith("+") or not self.north_american:
            return None
        elif len(digits) == 11 and digits.startswith("1"):
            national = digits[1:]
        else:
            national = digits
        ascii_digits = len(national) == 10 and national.isascii() and national.isdigit()
        return national if ascii_digits else None

    def block(self, prefix: str) -> ParsedPhone | None:
        """What was learned of a block (its six first national digits), if anything yet."""
        return self._blocks.get(prefix)

    def parse(self, raw: str, *, field: str = "number") -> ParsedPhone:
        """Like `parse_phone`, with the organization's default country given once."""
        text = (raw or "").strip()
        national = self._national(text)
        if national is not None:
            block = self._blocks.get(national[:6])
            if block is not None:
                return ParsedPhone("+1" + national, block.country, block.time_zones)
        elif text in self._exact:
            known = self._exact[text]
            if known is None:
                raise Invalid(f"{raw!r} is not a valid phone number", field=field)
            return known
        try:
            parsed = parse_phone(text, default_country=self.default_country, field=field)
        except Invalid:
            if national is None:
                self._exact[text] = None
            raise
        # Only a valid North American reading speaks for its whole block.
        if national is not None and parsed.e164 == "+1" + national:
            self._blocks[national[:6]] = parsed
        elif national is None:
            self._exact[text] = parsed
        return parsed


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
