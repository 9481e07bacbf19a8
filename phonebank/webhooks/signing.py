"""Signatures of webhook bodies: HMAC-SHA256 over the timestamp and the body.

A receiver recomputes `HMAC-SHA256(secret, "<Phonebank-Timestamp>." + raw body)` as hex and
compares it, in constant time, with the `v1=` value of `Phonebank-Signature`; it refuses a
timestamp too far from its own clock, so a captured request cannot be replayed later.
"""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Phonebank-Signature"
TIMESTAMP_HEADER = "Phonebank-Timestamp"
EVENT_ID_HEADER = "Phonebank-Event-Id"
EVENT_TYPE_HEADER = "Phonebank-Event"
DELIVERY_ID_HEADER = "Phonebank-Delivery-Id"
# How far a receiver should let the timestamp be from its own clock.
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `Phonebank-Signature` value of a body sent at `timestamp` (Unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + digest.hexdigest()


def verify(
    secret: str,
    *,
    timestamp: str,
    body: bytes,
    signature_header: str,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """Whether a received body is signed with `secret` and was sent recently."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - sent) > tolerance:
        return False
    expected = signature(secret, sent, body)
    # A header may carry several signatures (during a secret rotation): any one will do.
    given = [part.strip() for part in signature_header.split(",")]
    return any(hmac.compare_digest(expected, part) for part in given)
