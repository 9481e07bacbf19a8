"""Signatures of webhook bodies, by the Standard Webhooks specification and the older scheme.

Standard Webhooks (what receivers should verify, with any of its libraries): `webhook-id` (the
event's id, the same on every retry), `webhook-timestamp` (Unix seconds) and `webhook-signature`,
`v1,` followed by the base64 HMAC-SHA256 of `"<id>.<timestamp>." + raw body`, keyed with the
base64-decoded part of the secret after `whsec_`.

The older scheme, still sent so that existing receivers keep working: `Phonebank-Signature`,
`v1=` followed by the hex HMAC-SHA256 of `"<Phonebank-Timestamp>." + raw body`, keyed with the
whole secret as text. A receiver refuses a timestamp too far from its own clock in both.
"""

import base64
import binascii
import hashlib
import hmac
import time

SIGNATURE_HEADER = "Phonebank-Signature"
TIMESTAMP_HEADER = "Phonebank-Timestamp"
EVENT_ID_HEADER = "Phonebank-Event-Id"
EVENT_TYPE_HEADER = "Phonebank-Event"
DELIVERY_ID_HEADER = "Phonebank-Delivery-Id"
STANDARD_ID_HEADER = "webhook-id"
STANDARD_TIMESTAMP_HEADER = "webhook-timestamp"
STANDARD_SIGNATURE_HEADER = "webhook-signature"
SECRET_PREFIX = "whsec_"
# How far a receiver should let the timestamp be from its own clock.
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `Phonebank-Signature` value of a body sent at `timestamp` (Unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + digest.hexdigest()


def standard_key(secret: str) -> bytes | None:
    """The HMAC key a Standard Webhooks library derives from `secret`, or None where it cannot
    (a secret made before secrets were base64: such a subscription needs a new secret)."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        # As the libraries read it: padding added, characters outside base64 skipped.
        key = base64.b64decode(encoded + "==")
    except (binascii.Error, ValueError):
        return None
    return key or None


def standard_signature(key: bytes, *, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value of a message."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signature_headers(
    secret: str, *, message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """Every header that signs a body: the Standard Webhooks ones and the older ones."""
    headers = {
        STANDARD_ID_HEADER: message_id,
        STANDARD_TIMESTAMP_HEADER: str(timestamp),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }
    key = standard_key(secret)
    if key is not None:
        headers[STANDARD_SIGNATURE_HEADER] = standard_signature(
            key, message_id=message_id, timestamp=timestamp, body=body
        )
    return headers


def verify(
    secret: str,
    *,
    timestamp: str,
    body: bytes,
    signature_header: str,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """Whether a received body is signed with `secret` (the older scheme) and was sent recently."""
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
