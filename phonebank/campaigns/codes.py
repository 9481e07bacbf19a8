"""Campaign access codes: what volunteers type, with their PIN, to log in."""

import secrets

# No 0/O, 1/I/L: codes are read aloud and typed on phones.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8


def new_access_code() -> str:
    """A fresh random access code (about 39 bits)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize_access_code(raw: str) -> str:
    """The code as stored, from what a person typed (case and separators ignored)."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())
